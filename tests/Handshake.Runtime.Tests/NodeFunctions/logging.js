'use strict';
// Every console method, for the Node bootstrap's log format and level tests (AWS_LAMBDA_LOG_FORMAT, AWS_LAMBDA_LOG_LEVEL).

// Logged while the module loads: before the first invocation there is no request id.
console.info('loading the module');

exports.everyLevel = async (event, context) => {
  console.trace('a trace line');
  console.debug('a debug line');
  console.info('an info line');
  console.log('a log line %d', 7);
  console.warn({ nested: { n: 1 }, list: [1, 'two'] });
  console.error('failed:', new RangeError('out of range'));
  console.fatal('a fatal line');
  console.log(Object.assign(new TypeError('an error alone'), { code: 'E_ALONE' }));
  console.info('first\nsecond');
  return context.awsRequestId;
};

// Fails with the request id in the message, so a test can tell which invocation the log line belongs to.
exports.throws = async (event, context) => {
  throw new TypeError(`bad thing happened in ${context.awsRequestId}`);
};
