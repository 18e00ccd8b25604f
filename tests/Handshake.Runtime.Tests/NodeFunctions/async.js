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
