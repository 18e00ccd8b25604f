'use strict';
// InvokeWithResponseStream through the official @aws-sdk/client-lambda (resolved through NODE_PATH from tests/clients).
// Usage: node streaming-client.cjs HOLD_FILE; prints one JSON object with what StreamingTests asserts.
const fs = require('fs');
const { LambdaClient, InvokeWithResponseStreamCommand, InvokeCommand } = require('@aws-sdk/client-lambda');

const client = new LambdaClient({});

// Every event as the SDK parsed it: {chunk: text} or {complete: {...}}; onChunk runs after each chunk, in order.
async function stream(input, onChunk) {
  const response = await client.send(new InvokeWithResponseStreamCommand(input));
  const events = [];
  for await (const event of response.EventStream) {
    if (event.PayloadChunk) {
      events.push({ chunk: Buffer.from(event.PayloadChunk.Payload).toString('utf8') });
      if (onChunk) onChunk(events.length);
    } else if (event.InvokeComplete) {
      events.push({ complete: event.InvokeComplete });
    } else {
      events.push({ unknown: Object.keys(event) });
    }
  }
  return {
    status: response.StatusCode,
    executedVersion: response.ExecutedVersion,
    contentType: response.ResponseStreamContentType,
    events,
  };
}

async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    return { error: { name: e.name, message: e.message, status: e.$metadata && e.$metadata.httpStatusCode } };
  }
}

async function main() {
  const [hold] = process.argv.slice(2);
  const payload = (value) => Buffer.from(JSON.stringify(value));
  const out = {};
  out.chunks = await attempt(() => stream({ FunctionName: 'stream-chunks', Payload: payload({ parts: ['one', 'two', 'three'] }), LogType: 'Tail' }));
  // The file is created only once the first chunk is in: the function cannot finish before that.
  out.held = await attempt(() => stream({ FunctionName: 'stream-held', Payload: payload({ hold }) }, (count) => {
    if (count === 1) fs.writeFileSync(hold, '');
  }));
  out.failing = await attempt(() => stream({ FunctionName: 'stream-failing', Payload: payload({}) }));
  out.timeout = await attempt(() => stream({ FunctionName: 'stream-hang', Payload: payload({}) }));
  out.url = await attempt(() => stream({ FunctionName: 'stream-url', Payload: payload({}) }));
  out.buffered = await attempt(() => stream({ FunctionName: 'stream-buffered', Payload: payload({ n: 7 }) }));
  out.bufferedError = await attempt(() => stream({ FunctionName: 'stream-buffered-error', Payload: payload({}) }));
  out.missing = await attempt(() => stream({ FunctionName: 'no-such-function', Payload: payload({}) }));
  out.eventType = await attempt(() => stream({ FunctionName: 'stream-chunks', InvocationType: 'Event', Payload: payload({ parts: [] }) }));
  out.dryRun = await attempt(async () => (await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'stream-chunks', InvocationType: 'DryRun' }))).StatusCode);
  // A streaming function called with Invoke: the stream buffered into one payload.
  out.plainInvoke = await attempt(async () => {
    const invoked = await client.send(new InvokeCommand({ FunctionName: 'stream-chunks', Payload: payload({ parts: ['a', 'b'] }) }));
    return { status: invoked.StatusCode, payload: Buffer.from(invoked.Payload).toString('utf8'), functionError: invoked.FunctionError };
  });
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
