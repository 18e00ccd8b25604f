// Handlers for OfficialNodeRuntimeClientTests, loaded by AWS's aws-lambda-ric as `handlers.NAME`.
import fs from 'node:fs';

// What the client made of the invocation: its context, and the environment it set from the Runtime API's headers.
export const context = async (event, context) => {
  console.log('event', JSON.stringify(event));
  return {
    event,
    pid: process.pid,
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remainingTimeInMillis: context.getRemainingTimeInMillis(),
    clientContext: context.clientContext ?? null,
    identity: context.identity ?? null,
    traceId: process.env._X_AMZN_TRACE_ID ?? null,
  };
};

export const fails = async () => {
  throw new TypeError('not a number: x');
};

// Never answers: the function's timeout ends it.
export const hangs = async () => {
  console.log('hanging in', process.pid);
  await new Promise(() => setInterval(() => {}, 1000));
};

// Answers only once the file event.hold exists: an invocation the test keeps in flight.
export const held = async (event) => {
  while (!fs.existsSync(event.hold)) await new Promise((resolve) => setTimeout(resolve, 10));
  return { pid: process.pid };
};

// A line at each level: which of them reach the log is AWS_LAMBDA_LOG_LEVEL's doing, and their format
// AWS_LAMBDA_LOG_FORMAT's.
export const levels = async () => {
  console.debug('a debug line');
  console.info('an info line');
  console.warn({ warned: true });
  return 'logged';
};
