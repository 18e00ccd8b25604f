'use strict';
// Function URL handlers for FunctionUrlTests, run by runtimes/node/bootstrap.js in real child processes.

// Answers with the event it was invoked with, as a JSON body.
exports.echo = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(event),
});

// Answers with whatever the request's body says its answer is: the test writes the function's return value.
exports.respond = async (event) => JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body);

// Fails: the URL answers 502.
exports.fail = async () => {
  throw new Error('url boom');
};
