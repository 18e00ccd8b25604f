'use strict';
// Plain (non-async) handlers without a callback, and callbacks that wait for the event loop, for the Node bootstrap's
// tests. On Lambda's nodejs20.x/22.x a plain function's return value is ignored: the invocation ends with null once the
// event loop has drained.
exports.returns = (event, context) => ({ sync: true, echo: event });

// The timer still runs within the invocation (the loop drains after it); the answer is still null.
exports.returnsWithTimer = (event) => {
  setTimeout(() => console.log('timer ran before the answer'), 300);
  return { sync: true };
};

// A promise is a promise whoever returns it: its value is the answer.
exports.returnsPromise = (event) => Promise.resolve({ fromPromise: true, echo: event });

// A plain function's promise that never settles: the loop drains, the answer is null (not an error).
exports.returnsPendingPromise = () => new Promise(() => {});

// A rejection with no reason fails with the string 'handled'.
exports.rejectsWithNothing = () => Promise.reject();

// The result object is serialized when it is posted: after the timer when the callback waits for the event loop.
exports.callbackWaits = (event, context, callback) => {
  const result = { timerRan: false };
  setTimeout(() => { result.timerRan = true; }, 20);
  callback(null, result);
};

exports.callbackDoesNotWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  const result = { timerRan: false };
  setTimeout(() => { result.timerRan = true; }, 20);
  callback(null, result);
};
