'use strict';
// Streaming handlers for StreamingTests, run by runtimes/node/bootstrap.js as AWS's Node.js runtime would run them.
const fs = require('fs');

const tick = () => new Promise((resolve) => setImmediate(resolve));

// Writes each of event.parts as its own write, yielding between them.
exports.chunks = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/plain');
  for (const part of event.parts) {
    responseStream.write(part);
    await tick();
  }
  responseStream.end();
});

// Writes one chunk, then waits until the file event.hold exists (the caller creates it once it has that chunk).
exports.held = awslambda.streamifyResponse(async (event, responseStream) => {
  console.log('before hold');
  responseStream.write('before hold');
  while (!fs.existsSync(event.hold)) await new Promise((resolve) => setTimeout(resolve, 10));
  responseStream.end('after hold');
});

// Fails after it has streamed a chunk.
exports.failing = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('partial');
  await tick();
  throw new Error('boom mid-stream');
});

// The function-URL form: prelude, 8 NUL bytes, body.
exports.url = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'x-test': 'yes' } });
  stream.write('body');
  stream.end();
});

// Not streaming.
exports.buffered = async (event) => ({ hello: 'buffered', n: event.n });
exports.bufferedError = async () => {
  throw new Error('buffered boom');
};

// Streams a chunk, then never finishes: the function timeout ends it mid-stream.
exports.hang = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('started');
  await new Promise(() => setInterval(() => {}, 1000));
});
