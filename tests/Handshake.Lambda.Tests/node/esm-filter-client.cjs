'use strict';
// Drives FilterCriteria on event source mappings with the official @aws-sdk/client-lambda (through NODE_PATH from
// tests/clients). Usage: node esm-filter-client.cjs STREAM_ARN (functions "recorder" and "plain" exist); prints one JSON object.
const {
  LambdaClient, CreateEventSourceMappingCommand, GetEventSourceMappingCommand, ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand, DeleteEventSourceMappingCommand,
} = require('@aws-sdk/client-lambda');

const INSERTS = '{"eventName": ["INSERT"]}';
const KEEP = '{"dynamodb": {"NewImage": {"value": {"S": [{"prefix": "keep"}]}}}}';

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
  const create = (filterCriteria) => new CreateEventSourceMappingCommand({
    FunctionName: 'recorder', EventSourceArn: streamArn, StartingPosition: 'LATEST', Enabled: false, FilterCriteria: filterCriteria,
  });
  const filters = (...patterns) => ({ Filters: patterns.map((p) => ({ Pattern: p })) });

  await refused('notJson', create(filters('single-string')));
  await refused('bareValue', create(filters('{"eventName": "INSERT"}')));
  await refused('wildcard', create(filters('{"eventName": [{"wildcard": "IN*"}]}')));
  await refused('noPattern', create({ Filters: [{}] }));
  await refused('tooMany', create(filters(INSERTS, INSERTS, INSERTS, INSERTS, INSERTS, INSERTS)));
  await refused('tooLong', create(filters(`{"eventName": ["${'x'.repeat(4096)}"]}`)));
  out.listedAfterRefusals = (await client.send(new ListEventSourceMappingsCommand({ FunctionName: 'recorder' }))).EventSourceMappings.length;

  const created = await client.send(create(filters(INSERTS, KEEP)));
  out.created = created;
  out.got = await client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
  out.listed = (await client.send(new ListEventSourceMappingsCommand({ FunctionName: 'recorder' }))).EventSourceMappings;
  const update = (members) => new UpdateEventSourceMappingCommand({ UUID: created.UUID, ...members });
  // A refused update changes nothing.
  await refused('updateInvalid', update({ FilterCriteria: filters(INSERTS, '{"eventName": []}') }));
  out.afterRefusedUpdate = (await client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).FilterCriteria;
  // An update without FilterCriteria keeps the filters.
  out.kept = (await client.send(update({ BatchSize: 7 }))).FilterCriteria;
  out.clearedEmpty = (await client.send(update({ FilterCriteria: {} }))).FilterCriteria;
  out.set = (await client.send(update({ FilterCriteria: filters(KEEP) }))).FilterCriteria;
  out.clearedList = (await client.send(update({ FilterCriteria: { Filters: [] } }))).FilterCriteria;
  out.deleted = await client.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
  const plain = await client.send(new CreateEventSourceMappingCommand({
    FunctionName: 'plain', EventSourceArn: streamArn, StartingPosition: 'LATEST', Enabled: false,
  }));
  out.plainHasFilterCriteria = 'FilterCriteria' in plain;
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
