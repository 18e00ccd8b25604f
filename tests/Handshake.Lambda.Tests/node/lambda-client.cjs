'use strict';
// Drives the host with the official @aws-sdk/client-lambda (resolved through NODE_PATH from tests/clients).
// Usage: node lambda-client.cjs ZIP_PATH MARKER; prints one JSON object with what the test asserts.
const fs = require('fs');
const {
  LambdaClient, CreateFunctionCommand, GetFunctionCommand, ListFunctionsCommand, InvokeCommand,
  PutFunctionConcurrencyCommand, DeleteFunctionConcurrencyCommand, UpdateFunctionConfigurationCommand,
  DeleteFunctionCommand,
} = require('@aws-sdk/client-lambda');

async function main() {
  const [zipPath, marker] = process.argv.slice(2);
  const client = new LambdaClient({});
  const out = {};
  const created = await client.send(new CreateFunctionCommand({
    FunctionName: 'sdk-fn', Runtime: 'provided.al2023', Role: 'arn:aws:iam::000000000000:role/lambda',
    Handler: 'function.handler', Code: { ZipFile: fs.readFileSync(zipPath) },
    Environment: { Variables: { HANDSHAKE_TEST_MARKER: marker } },
  }));
  out.createdArn = created.FunctionArn;
  out.getName = (await client.send(new GetFunctionCommand({ FunctionName: 'sdk-fn' }))).Configuration.FunctionName;
  out.listed = (await client.send(new ListFunctionsCommand({}))).Functions.map((f) => f.FunctionName);
  const invoked = await client.send(new InvokeCommand({
    FunctionName: 'sdk-fn', Payload: Buffer.from(JSON.stringify({ hello: 'sdk' })), LogType: 'Tail',
  }));
  out.status = invoked.StatusCode;
  out.payload = Buffer.from(invoked.Payload).toString();
  out.executedVersion = invoked.ExecutedVersion;
  out.logHasReport = Buffer.from(invoked.LogResult, 'base64').toString().includes('REPORT RequestId');
  const failed = await client.send(new InvokeCommand({ FunctionName: 'sdk-fn', Payload: Buffer.from('{"fail":true}') }));
  out.functionError = failed.FunctionError;
  const queued = await client.send(new InvokeCommand({ FunctionName: 'sdk-fn', InvocationType: 'Event', Payload: Buffer.from('{}') }));
  out.eventStatus = queued.StatusCode;
  const dry = await client.send(new InvokeCommand({ FunctionName: 'sdk-fn', InvocationType: 'DryRun' }));
  out.dryRunStatus = dry.StatusCode;
  await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'sdk-fn', MemorySize: 512 }));
  await client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'sdk-fn', ReservedConcurrentExecutions: 0 }));
  try {
    await client.send(new InvokeCommand({ FunctionName: 'sdk-fn', Payload: Buffer.from('{}') }));
  } catch (e) {
    out.throttled = { name: e.name, reason: e.Reason, status: e.$metadata.httpStatusCode };
  }
  await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'sdk-fn' }));
  await client.send(new DeleteFunctionCommand({ FunctionName: 'sdk-fn' }));
  try {
    await client.send(new GetFunctionCommand({ FunctionName: 'sdk-fn' }));
  } catch (e) {
    out.missing = { name: e.name, message: e.message };
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
