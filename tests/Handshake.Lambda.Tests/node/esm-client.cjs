'use strict';
// Drives event source mappings with the official @aws-sdk/client-lambda (resolved through NODE_PATH from tests/clients).
// Usage: node esm-client.cjs STREAM_ARN (function "recorder" exists); prints one JSON object with what the test asserts.
const {
  LambdaClient, CreateEventSourceMappingCommand, GetEventSourceMappingCommand, ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand, DeleteEventSourceMappingCommand,
} = require('@aws-sdk/client-lambda');

async function main() {
  const [streamArn] = process.argv.slice(2);
  const client = new LambdaClient({});
  const out = {};
  const refused = async (name, command) => {
    try {
      await client.send(command);
      out[name] = { name: 'none' };
    } catch (e) {
      out[name] = { name: e.name, message: e.message, status: e.$metadata.httpStatusCode };
    }
  };
  const create = (members) => new CreateEventSourceMappingCommand({ FunctionName: 'recorder', EventSourceArn: streamArn, ...members });
  await refused('noStartingPosition', create({}));
  await refused('atTimestamp', create({ StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: new Date() }));
  await refused('batchTooSmall', create({ StartingPosition: 'LATEST', BatchSize: 0 }));
  await refused('batchTooLarge', create({ StartingPosition: 'LATEST', BatchSize: 10001 }));
  await refused('unknownFunction', create({ StartingPosition: 'LATEST', FunctionName: 'nobody' }));
  const missingStream = streamArn.slice(0, streamArn.lastIndexOf('/')) + '/2000-01-01T00:00:00.000';
  await refused('unknownStream', create({ StartingPosition: 'LATEST', EventSourceArn: missingStream }));
  const created = await client.send(create({ StartingPosition: 'LATEST', BatchSize: 25 }));
  out.created = created;
  await refused('duplicate', create({ StartingPosition: 'TRIM_HORIZON' }));
  const unknown = '00000000-0000-0000-0000-000000000000';
  await refused('getUnknown', new GetEventSourceMappingCommand({ UUID: unknown }));
  await refused('updateUnknown', new UpdateEventSourceMappingCommand({ UUID: unknown, BatchSize: 5 }));
  await refused('deleteUnknown', new DeleteEventSourceMappingCommand({ UUID: unknown }));
  out.updated = await client.send(new UpdateEventSourceMappingCommand({
    UUID: created.UUID, BatchSize: 7, MaximumRetryAttempts: 3, BisectBatchOnFunctionError: true,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  }));
  out.disabled = await client.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: false }));
  out.listed = (await client.send(new ListEventSourceMappingsCommand({ FunctionName: 'recorder' }))).EventSourceMappings.map((m) => m.UUID);
  out.deleted = await client.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
