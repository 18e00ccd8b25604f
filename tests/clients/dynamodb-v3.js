'use strict';
// @aws-sdk/client-dynamodb v3 and @aws-sdk/lib-dynamodb (DocumentClient) against the store.
// v3 does not verify x-amz-crc32 itself, so a wrapping request handler reads each body, checks the header against the
// CRC32 of the bytes received, and hands the SDK the same bytes. Retries come from $metadata.attempts.
const zlib = require('zlib');
const { Readable } = require('stream');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const ddbv3 = require('@aws-sdk/client-dynamodb');
const lib = require('@aws-sdk/lib-dynamodb');
const { run } = require('./oracle');

const {
  DynamoDBClient, DynamoDBServiceException, CreateTableCommand, DescribeTableCommand, ListTablesCommand, UpdateTableCommand,
  DeleteTableCommand, PutItemCommand, GetItemCommand, DeleteItemCommand, BatchWriteItemCommand, BatchGetItemCommand,
  TagResourceCommand, UntagResourceCommand, ListTagsOfResourceCommand, UpdateTimeToLiveCommand, DescribeTimeToLiveCommand,
  DescribeLimitsCommand, DescribeEndpointsCommand, waitUntilTableExists, waitUntilTableNotExists, paginateListTables,
} = ddbv3;

class CheckingHandler {
  constructor(stats) { this.inner = new NodeHttpHandler({ requestTimeout: 10000 }); this.stats = stats; this.metadata = { handlerProtocol: 'http/1.1' }; }
  async handle(request, options) {
    const result = await this.inner.handle(request, options);
    const response = result.response;
    const chunks = [];
    for await (const chunk of response.body) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const header = response.headers['x-amz-crc32'];
    this.stats.responses++;
    if (header === undefined) this.stats.missingCrc32++;
    else if (Number(header) !== zlib.crc32(body)) this.stats.crcMismatches++;
    if (!response.headers['x-amzn-requestid']) this.stats.missingRequestId++;
    response.body = Readable.from([body]);
    return result;
  }
  updateHttpClientConfig() {}
  httpHandlerConfigs() { return {}; }
  destroy() { this.inner.destroy(); }
}

run(async ({ endpoint, observe, stats }) => {
  Object.assign(stats, { responses: 0, missingCrc32: 0, crcMismatches: 0, missingRequestId: 0, calls: 0, retriedCalls: 0, unmodeledErrors: 0 });
  const client = new DynamoDBClient({
    endpoint, region: 'us-east-1', maxAttempts: 3,
    credentials: { accessKeyId: 'AKIDORACLEV3', secretAccessKey: 'secret' },
    requestHandler: new CheckingHandler(stats),
  });
  const doc = lib.DynamoDBDocumentClient.from(client);
  // A second client: DocumentClient translate options attach to the client's middleware stack, so they cannot share one.
  const wrappedClient = new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 3,
    credentials: { accessKeyId: 'AKIDORACLEV3', secretAccessKey: 'secret' }, requestHandler: new CheckingHandler(stats) });
  const docWrapped = lib.DynamoDBDocumentClient.from(wrappedClient, { unmarshallOptions: { wrapNumbers: true } });
  const track = (metadata) => { stats.calls++; if (metadata && metadata.attempts > 1) stats.retriedCalls++; };
  const send = async (c, command) => {
    try { const r = await c.send(command); track(r.$metadata); return r; } catch (e) {
      track(e.$metadata);
      // Every error the store sends must be one the SDK knows as a DynamoDB service error, not a parse failure.
      if (!(e instanceof DynamoDBServiceException)) stats.unmodeledErrors++;
      throw e;
    }
  };
  const ddb = (command) => send(client, command);
  const waiterConfig = { client, maxWaitTime: 20, minDelay: 1, maxDelay: 1 };

  // ---- tables ----
  const keyTable = (name, type, extra) => ({
    TableName: name, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: type }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], ...extra });
  await observe('createTable', () => ddb(new CreateTableCommand(keyTable('v3-items', 'S', { BillingMode: 'PAY_PER_REQUEST' }))));
  await observe('waitUntilTableExists', async () => { const r = await waitUntilTableExists(waiterConfig, { TableName: 'v3-items' }); return { state: r.state }; });
  for (const name of ['v3-a', 'v3-b', 'v3-c']) {
    await observe('create:' + name, () => ddb(new CreateTableCommand(keyTable(name, 'N', {
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }))));
  }
  await observe('createTableProvisionedWithoutThroughput', () => ddb(new CreateTableCommand(keyTable('v3-bad', 'S', { BillingMode: 'PROVISIONED' }))));
  await observe('createTableAgain', () => ddb(new CreateTableCommand(keyTable('v3-items', 'S', { BillingMode: 'PAY_PER_REQUEST' }))));
  await observe('paginateListTables', async () => {
    const pages = [];
    for await (const page of paginateListTables({ client, pageSize: 2 }, {})) pages.push(page.TableNames);
    return { pages };
  });
  // A composite key: the sort key has its own size limit (1024 bytes) and is part of the key schema.
  await observe('createRangeTable', () => ddb(new CreateTableCommand({ TableName: 'v3-range', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] })));
  await observe('waitRangeTable', async () => { const r = await waitUntilTableExists(waiterConfig, { TableName: 'v3-range' }); return { state: r.state }; });
  await observe('rangeKeyMaxLength', () => ddb(new PutItemCommand({ TableName: 'v3-range', Item: { pk: { S: 'p' }, sk: { S: 's'.repeat(1024) } } })));
  await observe('rangeKeyTooLong', () => ddb(new PutItemCommand({ TableName: 'v3-range', Item: { pk: { S: 'p' }, sk: { S: 's'.repeat(1025) } } })));
  await observe('rangeGetWithoutSortKey', () => ddb(new GetItemCommand({ TableName: 'v3-range', Key: { pk: { S: 'p' } } })));
  await observe('rangePutTwoSortKeys', async () => {
    await ddb(new PutItemCommand({ TableName: 'v3-range', Item: { pk: { S: 'p' }, sk: { S: 'a' }, v: { N: '1' } } }));
    await ddb(new PutItemCommand({ TableName: 'v3-range', Item: { pk: { S: 'p' }, sk: { S: 'b' }, v: { N: '2' } } }));
    const a = await ddb(new GetItemCommand({ TableName: 'v3-range', Key: { pk: { S: 'p' }, sk: { S: 'a' } }, ConsistentRead: true }));
    const b = await ddb(new GetItemCommand({ TableName: 'v3-range', Key: { pk: { S: 'p' }, sk: { S: 'b' } }, ConsistentRead: true }));
    return { a: a.Item, b: b.Item };
  });
  await observe('deleteRangeTable', () => ddb(new DeleteTableCommand({ TableName: 'v3-range' })));
  await observe('waitRangeTableGone', async () => { const r = await waitUntilTableNotExists(waiterConfig, { TableName: 'v3-range' }); return { state: r.state }; });
  await observe('describeTable', () => ddb(new DescribeTableCommand({ TableName: 'v3-a' })));
  await observe('updateTableToPayPerRequest', () => ddb(new UpdateTableCommand({ TableName: 'v3-a', BillingMode: 'PAY_PER_REQUEST' })));
  await observe('waitAfterUpdate', async () => { const r = await waitUntilTableExists(waiterConfig, { TableName: 'v3-a' }); return { state: r.state }; });
  await observe('describeAfterUpdate', () => ddb(new DescribeTableCommand({ TableName: 'v3-a' })));
  await observe('updateThroughputOnPayPerRequest', () => ddb(new UpdateTableCommand({
    TableName: 'v3-a', ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 } })));
  await observe('updateMissingTable', () => ddb(new UpdateTableCommand({ TableName: 'v3-missing', BillingMode: 'PAY_PER_REQUEST' })));

  // ---- items, low level ----
  await observe('putNew', () => ddb(new PutItemCommand({ TableName: 'v3-items', Item: { pk: { S: 'k1' }, v: { S: 'one' } },
    ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'INDEXES' })));
  await observe('putOverwrite', () => ddb(new PutItemCommand({ TableName: 'v3-items', Item: { pk: { S: 'k1' }, v: { S: 'two' }, w: { N: '1' } },
    ReturnValues: 'ALL_OLD' })));
  await observe('putConditionFailed', () => ddb(new PutItemCommand({ TableName: 'v3-items', Item: { pk: { S: 'k1' } },
    ConditionExpression: 'attribute_not_exists(pk)' })));
  await observe('putConditionExistsOk', () => ddb(new PutItemCommand({ TableName: 'v3-items', Item: { pk: { S: 'k1' }, v: { S: 'three' } },
    ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_OLD' })));
  await observe('getProjected', () => ddb(new GetItemCommand({ TableName: 'v3-items', Key: { pk: { S: 'k1' } },
    ProjectionExpression: 'v', ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' })));
  await observe('getEventualCapacity', () => ddb(new GetItemCommand({ TableName: 'v3-items', Key: { pk: { S: 'k1' } }, ReturnConsumedCapacity: 'TOTAL' })));
  await observe('getMissingTable', () => ddb(new GetItemCommand({ TableName: 'v3-missing', Key: { pk: { S: 'k1' } } })));
  await observe('putReturnValuesAllNew', () => ddb(new PutItemCommand({ TableName: 'v3-items', Item: { pk: { S: 'k1' } }, ReturnValues: 'ALL_NEW' })));
  await observe('deleteAllOld', () => ddb(new DeleteItemCommand({ TableName: 'v3-items', Key: { pk: { S: 'k1' } }, ReturnValues: 'ALL_OLD',
    ReturnConsumedCapacity: 'TOTAL' })));
  await observe('deleteConditionFailed', () => ddb(new DeleteItemCommand({ TableName: 'v3-items', Key: { pk: { S: 'k1' } },
    ConditionExpression: 'attribute_exists(pk)' })));
  const bytes = Uint8Array.from([0, 128, 255, 10]);
  await observe('numberSetDuplicateByValue', () => ddb(new PutItemCommand({ TableName: 'v3-items', Item: {
    pk: { S: 'nsdup' }, ns: { NS: ['10', '1e1'] } } })));
  await observe('putSetsOk', () => ddb(new PutItemCommand({ TableName: 'v3-items', Item: {
    pk: { S: 'sets' }, bs: { BS: [Uint8Array.from([2]), Uint8Array.from([1, 1])] }, ns: { NS: ['10', '2.50', '-1'] }, ss: { SS: ['z', 'a'] } } })));
  await observe('getBinaryAndSets', () => ddb(new GetItemCommand({ TableName: 'v3-items', Key: { pk: { S: 'sets' } }, ConsistentRead: true })));
  await observe('putBinaryItem', () => ddb(new PutItemCommand({ TableName: 'v3-items', Item: { pk: { S: 'bin' }, b: { B: bytes }, e: { B: new Uint8Array(0) } } })));
  await observe('getBinaryItem', () => ddb(new GetItemCommand({ TableName: 'v3-items', Key: { pk: { S: 'bin' } }, ConsistentRead: true })));

  // ---- numbers as keys: one key whatever the spelling ----
  await observe('numberKeyPut', () => ddb(new PutItemCommand({ TableName: 'v3-b', Item: { pk: { N: '1e3' }, v: { N: '0042.500' } } })));
  await observe('numberKeyGet', () => ddb(new GetItemCommand({ TableName: 'v3-b', Key: { pk: { N: '1000.0' } }, ConsistentRead: true })));
  await observe('numberKeyDelete', () => ddb(new DeleteItemCommand({ TableName: 'v3-b', Key: { pk: { N: '1E+3' } }, ReturnValues: 'ALL_OLD' })));

  // ---- batches ----
  const puts = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: 'b' + i } } } }));
  await observe('batchWrite25', () => ddb(new BatchWriteItemCommand({ RequestItems: { 'v3-items': puts } })));
  await observe('batchWrite26', () => ddb(new BatchWriteItemCommand({ RequestItems: { 'v3-items': [...puts, { PutRequest: { Item: { pk: { S: 'b25' } } } }] } })));
  await observe('batchWriteTwoTables', () => ddb(new BatchWriteItemCommand({ RequestItems: {
    'v3-items': [{ DeleteRequest: { Key: { pk: { S: 'b0' } } } }], 'v3-c': [{ PutRequest: { Item: { pk: { N: '1' } } } }] },
    ReturnConsumedCapacity: 'TOTAL' })));
  const keys = Array.from({ length: 100 }, (_, i) => ({ pk: { S: 'b' + i } }));
  await observe('batchGet100', () => ddb(new BatchGetItemCommand({ RequestItems: { 'v3-items': { Keys: keys } } })));
  await observe('batchGet101', () => ddb(new BatchGetItemCommand({ RequestItems: { 'v3-items': { Keys: [...keys, { pk: { S: 'b100' } }] } } })));
  await observe('batchGetMissingTable', () => ddb(new BatchGetItemCommand({ RequestItems: { 'v3-missing': { Keys: [{ pk: { S: 'x' } }] } } })));

  // ---- lib-dynamodb DocumentClient ----
  await observe('docPut', () => send(doc, new lib.PutCommand({ TableName: 'v3-items', Item: {
    pk: 'doc', n: 7, s: new Set(['a', 'b']), ns: new Set([1, 2]), bin: Uint8Array.from([1, 2, 3]), nested: { l: [1, 'x', false, null] } } })));
  await observe('docGet', () => send(doc, new lib.GetCommand({ TableName: 'v3-items', Key: { pk: 'doc' }, ConsistentRead: true })));
  await observe('docGetProjected', () => send(doc, new lib.GetCommand({ TableName: 'v3-items', Key: { pk: 'doc' },
    ProjectionExpression: '#n, nested', ExpressionAttributeNames: { '#n': 'n' } })));
  await observe('docPutCanonicalNumber', () => send(doc, new lib.PutCommand({ TableName: 'v3-items', Item: {
    pk: 'num', v: lib.NumberValue.from('00012345678901234567890123.4500') } })));
  await observe('docGetWrappedNumber', async () => {
    const r = await send(docWrapped, new lib.GetCommand({ TableName: 'v3-items', Key: { pk: 'num' }, ConsistentRead: true }));
    return { v: r.Item.v.value, type: r.Item.v.constructor.name };
  });
  await observe('docConditionFailed', () => send(doc, new lib.PutCommand({ TableName: 'v3-items', Item: { pk: 'doc' },
    ConditionExpression: 'attribute_not_exists(pk)' })));
  await observe('docBatchWrite', () => send(doc, new lib.BatchWriteCommand({ RequestItems: { 'v3-items': [
    { PutRequest: { Item: { pk: 'd1', v: 1 } } }, { PutRequest: { Item: { pk: 'd2', v: 2 } } }, { DeleteRequest: { Key: { pk: 'doc' } } }] } })));
  await observe('docBatchGet', () => send(doc, new lib.BatchGetCommand({ RequestItems: { 'v3-items': { Keys: [{ pk: 'd1' }, { pk: 'd2' }, { pk: 'doc' }] } } })));
  await observe('docDelete', () => send(doc, new lib.DeleteCommand({ TableName: 'v3-items', Key: { pk: 'd1' }, ReturnValues: 'ALL_OLD' })));

  // ---- PartiQL through lib-dynamodb: plain JavaScript values as parameters and items ----
  await observe('docStatementInsert', () => send(doc, new lib.ExecuteStatementCommand({
    Statement: 'INSERT INTO "v3-items" VALUE {\'pk\': ?, \'n\': ?, \'tags\': ?}', Parameters: ['pq', 5, new Set(['x'])] })));
  await observe('docStatementDuplicate', () => send(doc, new lib.ExecuteStatementCommand({
    Statement: 'INSERT INTO "v3-items" VALUE {\'pk\': ?}', Parameters: ['pq'] })));
  await observe('docStatementSelect', () => send(doc, new lib.ExecuteStatementCommand({
    Statement: 'SELECT pk, n, tags FROM "v3-items" WHERE pk = ? AND n > ?', Parameters: ['pq', 1], ConsistentRead: true })));
  await observe('docBatchStatements', () => send(doc, new lib.BatchExecuteStatementCommand({ Statements: [
    { Statement: 'UPDATE "v3-items" SET n = n + ? WHERE pk = ?', Parameters: [10, 'pq'] },
    { Statement: 'DELETE FROM "v3-items" WHERE pk = ? AND n = ?', Parameters: ['d2', 99] }] })));
  await observe('docTransactionCancelled', () => send(doc, new lib.ExecuteTransactionCommand({ TransactStatements: [
    { Statement: 'DELETE FROM "v3-items" WHERE pk = ?', Parameters: ['pq'] },
    { Statement: 'UPDATE "v3-items" SET n = 1 WHERE pk = ?', Parameters: ['pq-missing'] }] })));
  await observe('docStatementAfter', () => send(doc, new lib.ExecuteStatementCommand({
    Statement: 'SELECT n FROM "v3-items" WHERE pk = ?', Parameters: ['pq'] })));

  // ---- service calls ----
  const arn = (await ddb(new DescribeTableCommand({ TableName: 'v3-items' }))).Table.TableArn;
  await observe('tagResource', () => ddb(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] })));
  await observe('retagResource', () => ddb(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'a', Value: '3' }] })));
  await observe('listTags', () => ddb(new ListTagsOfResourceCommand({ ResourceArn: arn })));
  await observe('untagResource', () => ddb(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a', 'b'] })));
  await observe('listTagsAfterUntag', () => ddb(new ListTagsOfResourceCommand({ ResourceArn: arn })));
  await observe('tagMissingTable', () => ddb(new TagResourceCommand({
    ResourceArn: arn.replace('v3-items', 'v3-missing'), Tags: [{ Key: 'a', Value: '1' }] })));
  await observe('describeTtlBefore', () => ddb(new DescribeTimeToLiveCommand({ TableName: 'v3-items' })));
  await observe('updateTtl', () => ddb(new UpdateTimeToLiveCommand({ TableName: 'v3-items', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } })));
  await observe('describeTtlAfter', () => ddb(new DescribeTimeToLiveCommand({ TableName: 'v3-items' })));
  await observe('describeLimits', () => ddb(new DescribeLimitsCommand({})));
  await observe('describeEndpoints', () => ddb(new DescribeEndpointsCommand({})));

  // ---- delete ----
  await observe('deleteTable', () => ddb(new DeleteTableCommand({ TableName: 'v3-c' })));
  await observe('waitUntilTableNotExists', async () => { const r = await waitUntilTableNotExists(waiterConfig, { TableName: 'v3-c' }); return { state: r.state }; });
  await observe('describeDeletedTable', () => ddb(new DescribeTableCommand({ TableName: 'v3-c' })));
  await observe('listTablesAfterDelete', () => ddb(new ListTablesCommand({})));
  client.destroy();
  wrappedClient.destroy();
});
