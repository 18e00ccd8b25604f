'use strict';
// Callback-style handlers (three parameters) for the Node bootstrap's tests.
exports.handler = (event, context, callback) => {
  setImmediate(() => callback(null, { doubled: event.n * 2 }));
};

exports.fails = (event, context, callback) => {
  callback(new RangeError(`out of range: ${event.n}`));
};
