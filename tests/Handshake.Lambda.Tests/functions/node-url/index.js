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

const fs = require('fs');
const tick = () => new Promise((resolve) => setImmediate(resolve));

// RESPONSE_STREAM: the metadata first (status, headers, cookies), then the body in two writes.
exports.stream = awslambda.streamifyResponse(async (event, responseStream) => {
  const http = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 202, headers: { 'content-type': 'text/plain', 'x-streamed': 'yes' }, cookies: ['s=1'],
  });
  http.write('first,');
  await tick();
  http.end('second');
});

// RESPONSE_STREAM without metadata: a 200 with the stream's own content type.
exports.rawStream = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/csv');
  responseStream.write('a,b\n');
  responseStream.end('1,2\n');
});

// Writes one piece, then waits until the file ?hold= names exists (the caller creates it once it has that piece).
exports.held = awslambda.streamifyResponse(async (event, responseStream) => {
  const http = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { 'content-type': 'text/plain' } });
  http.write('before hold;');
  while (!fs.existsSync(event.queryStringParameters.hold)) await new Promise((resolve) => setTimeout(resolve, 10));
  http.end('after hold');
});

// RESPONSE_STREAM with the metadata the request's body names (JSON), then the body "streamed".
exports.streamAs = awslambda.streamifyResponse(async (event, responseStream) => {
  const metadata = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body);
  const http = awslambda.HttpResponseStream.from(responseStream, metadata);
  http.write('streamed');
  await tick();
  http.end();
});
