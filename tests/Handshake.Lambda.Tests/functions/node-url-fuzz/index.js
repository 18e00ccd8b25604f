'use strict';
// Handlers for FunctionUrlFuzzTests, run by runtimes/node/bootstrap.js in real child processes.

// Answers with the event it was invoked with, as a JSON body: the fuzz checks the event against its model of AWS's.
exports.echo = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(event),
});

// The request's body (JSON) says what to do: {"throw": "message"} fails the invocation; {"return": X} answers X, so
// the fuzz writes the function's return value and checks the HTTP response against its model of AWS's mapping.
exports.answer = async (event) => {
  const order = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body);
  if (typeof order.throw === 'string') throw new Error(order.throw);
  return order.return;
};
