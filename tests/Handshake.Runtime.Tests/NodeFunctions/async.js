'use strict';
// Async handlers for the Node bootstrap's tests.
exports.handler = async (event, context) => ({
  echo: event,
  awsRequestId: context.awsRequestId,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB,
  remainingTimeInMillis: context.getRemainingTimeInMillis(),
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  traceIdVariable: process.env._X_AMZN_TRACE_ID || null,
  clientContext: context.clientContext || null,
});

exports.throws = async () => {
  throw new TypeError('bad thing happened');
};

exports.nested = { handler: async (event) => ({ nested: true, n: event.n }) };

exports.notAFunction = 42;

exports.logs = async (event, context) => {
  console.log('logged from the handler %d', 42);
  return context.awsRequestId;
};

// Never settles, and nothing else is left to run: Lambda's runtime answers Runtime.NodeJsExit.
exports.neverSettles = async () => new Promise(() => {});

exports.throwsString = async () => {
  throw 'plain text';
};

// A rejection nobody handles, while the handler is still running: Runtime.UnhandledPromiseRejection, exit 128.
exports.rejectsUnhandled = async () => {
  Promise.reject(new Error('nobody caught this'));
  await new Promise((resolve) => setTimeout(resolve, 5000));
  return 'unreachable';
};
