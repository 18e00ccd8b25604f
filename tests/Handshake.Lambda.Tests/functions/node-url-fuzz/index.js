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

// RESPONSE_STREAM: the same order, streamed: {"return": {statusCode, headers, cookies, body, isBase64Encoded}} becomes
// awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies}) and the body in up to three writes.
exports.streamAnswer = awslambda.streamifyResponse(async (event, responseStream) => {
  const order = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body);
  if (typeof order.throw === 'string') throw new Error(order.throw);
  const answer = order.return;
  const metadata = { statusCode: answer.statusCode };
  if (answer.headers !== undefined) metadata.headers = answer.headers;
  if (answer.cookies !== undefined) metadata.cookies = answer.cookies;
  const http = awslambda.HttpResponseStream.from(responseStream, metadata);
  const body = answer.body == null ? Buffer.alloc(0) : Buffer.from(answer.body, answer.isBase64Encoded ? 'base64' : 'utf8');
  const cuts = [0, Math.floor(body.length / 3), Math.floor((2 * body.length) / 3), body.length];
  // The first write always happens, empty or not: the prelude goes out before it (and only then, as in AWS's runtime
  // client, aws-lambda-nodejs-runtime-interface-client#97; a stream ended with no write at all is not fuzzed).
  for (let i = 0; i < 3; i++) {
    if (i === 0 || cuts[i + 1] > cuts[i]) http.write(body.subarray(cuts[i], cuts[i + 1]));
    await new Promise((resolve) => setImmediate(resolve));
  }
  http.end();
});

// RESPONSE_STREAM regressions (FunctionUrlStreamFailureTests): a throw before the first write, and a stream ended
// without one.
exports.streamThrows = awslambda.streamifyResponse(async () => {
  throw new Error('stream boom');
});

exports.streamEmpty = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/plain');
  responseStream.end();
});
