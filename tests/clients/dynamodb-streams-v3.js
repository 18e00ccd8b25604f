'use strict';
// @aws-sdk/client-dynamodb-streams v3 (with @aws-sdk/client-dynamodb for the writes) against the store, both clients on
// the one endpoint. Observations are reduced where a test needs only part of an answer: sequence numbers and event
// ids differ per run.
const ddbv3 = require('@aws-sdk/client-dynamodb');
const streamsv3 = require('@aws-sdk/client-dynamodb-streams');
const { run } = require('./oracle');

const { DynamoDBClient, CreateTableCommand, PutItemCommand, UpdateItemCommand, DeleteItemCommand, UpdateTableCommand, DescribeTableCommand } = ddbv3;
const {
  DynamoDBStreamsClient, DynamoDBStreamsServiceException, ListStreamsCommand, DescribeStreamCommand, GetShardIteratorCommand,
  GetRecordsCommand,
} = streamsv3;

run(async ({ endpoint, observe, stats }) => {
  Object.assign(stats, { calls: 0, retriedCalls: 0, unmodeledErrors: 0 });
  const options = { endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDORACLESTREAMSV3', secretAccessKey: 'secret' } };
  const ddb = new DynamoDBClient(options);
  const streams = new DynamoDBStreamsClient(options);
  const send = async (client, command) => {
    try {
      const r = await client.send(command);
      stats.calls++;
      if (r.$metadata && r.$metadata.attempts > 1) stats.retriedCalls++;
      return r;
    } catch (e) {
      stats.calls++;
      if (client === streams && !(e instanceof DynamoDBStreamsServiceException)) stats.unmodeledErrors++;
      throw e;
    }
  };
  const summary = (records) => records.map((r) => {
    const entry = { eventName: r.eventName, Keys: r.dynamodb.Keys };
    if (r.dynamodb.NewImage) entry.NewImage = r.dynamodb.NewImage;
    if (r.dynamodb.OldImage) entry.OldImage = r.dynamodb.OldImage;
    return entry;
  });
  const shardOf = async (arn) => (await send(streams, new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription.Shards[0].ShardId;
  const readAll = async (arn) => {
    let iterator = (await send(streams, new GetShardIteratorCommand({ StreamArn: arn, ShardId: await shardOf(arn), ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    const records = [];
    for (let pages = 0; iterator && pages < 20; pages++) {
      const page = await send(streams, new GetRecordsCommand({ ShardIterator: iterator, Limit: 2 }));
      records.push(...page.Records);
      iterator = page.NextShardIterator;
      if (page.Records.length === 0) break;
    }
    return { records, closed: !iterator };
  };

  const table = 'v3-stream';
  await observe('createTable', () => send(ddb, new CreateTableCommand({
    TableName: table, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  })));
  const arn = (await send(ddb, new DescribeTableCommand({ TableName: table }))).Table.LatestStreamArn;
  await send(ddb, new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, n: { N: '1' }, b: { B: Buffer.from([0, 1, 255]) } } }));
  await send(ddb, new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, n: { N: '1' }, b: { B: Buffer.from([0, 1, 255]) } } }));
  await send(ddb, new UpdateItemCommand({ TableName: table, Key: { pk: { S: 'a' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
  await send(ddb, new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));
  await send(ddb, new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));

  await observe('listStreams', async () => (await send(streams, new ListStreamsCommand({ TableName: table }))).Streams);
  await observe('describeStream', async () => (await send(streams, new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription);
  const all = await readAll(arn);
  await observe('records', async () => summary(all.records));
  await observe('recordFields', async () => all.records.map((r) => ({
    eventSource: r.eventSource, eventVersion: r.eventVersion, awsRegion: r.awsRegion, hasEventId: typeof r.eventID === 'string',
    creationIsDate: r.dynamodb.ApproximateCreationDateTime instanceof Date, sequenceDigits: r.dynamodb.SequenceNumber.length,
    sizeBytes: r.dynamodb.SizeBytes, viewType: r.dynamodb.StreamViewType,
  })));
  await send(ddb, new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: false } }));
  await observe('disabledClosed', async () => (await readAll(arn)).closed);
  await observe('describeMissing', () => send(streams, new DescribeStreamCommand({
    StreamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2020-01-01T00:00:00.000' })));
  await observe('badIterator', () => send(streams, new GetRecordsCommand({ ShardIterator: 'not-an-iterator' })));
  ddb.destroy();
  streams.destroy();
});
