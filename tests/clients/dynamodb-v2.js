'use strict';
// aws-sdk v2 (the SDK of the seed's function) against the store: low-level client and DocumentClient.
// v2 verifies x-amz-crc32 on every DynamoDB response and retries on a mismatch, so the script counts HTTP attempts,
// retries and responses without the checksum header: all of them must stay at zero beyond one attempt per call.
const http = require('http');
const { run } = require('./oracle');
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
const AWS = require('aws-sdk');

const big = 'x'.repeat(5000);

run(async ({ endpoint, observe, stats }) => {
  stats.calls = 0; stats.attempts = 0; stats.retries = 0; stats.missingCrc32 = 0; stats.missingRequestId = 0; stats.crcFailures = 0;
  stats.retriedOperations = [];
  AWS.events.on('send', () => { stats.attempts++; });
  AWS.events.on('httpHeaders', (status, headers) => {
    if (!headers['x-amz-crc32']) stats.missingCrc32++;
    if (!headers['x-amzn-requestid']) stats.missingRequestId++;
  });
  AWS.events.on('complete', (response) => {
    stats.calls++;
    // A waiter polls through the retry machinery (its polls count as retries); those are not transport retries.
    if (response.request._waiter) { stats.waiterCalls = (stats.waiterCalls || 0) + 1; return; }
    stats.retries += response.retryCount;
    if (response.retryCount > 0) stats.retriedOperations.push(response.request.operation + ':' + (response.error ? response.error.code : 'ok'));
    if (response.error && response.error.code === 'CRC32CheckFailed') stats.crcFailures++;
  });

  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const config = {
    endpoint, region: 'us-east-1', maxRetries: 3,
    credentials: new AWS.Credentials('AKIDORACLEV2', 'secret'),
    httpOptions: { agent, timeout: 10000 },
  };
  const ddb = new AWS.DynamoDB(config);
  const doc = new AWS.DynamoDB.DocumentClient({ service: ddb });
  const waiter = { $waiter: { delay: 1, maxAttempts: 20 } };

  // ---- tables ----
  await observe('createTable', () => ddb.createTable({
    TableName: 'v2-items', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  }).promise());
  await observe('waitForTableExists', () => ddb.waitFor('tableExists', { TableName: 'v2-items', ...waiter }).promise());
  await observe('createTableAgain', () => ddb.createTable({
    TableName: 'v2-items', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  }).promise());
  await observe('describeMissingTable', () => ddb.describeTable({ TableName: 'v2-missing' }).promise());
  for (const [name, type] of [['v2-numbers', 'N'], ['v2-binary', 'B']]) {
    await observe('create:' + name, () => ddb.createTable({
      TableName: name, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      AttributeDefinitions: [{ AttributeName: 'k', AttributeType: type }],
      KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
    }).promise());
    await observe('wait:' + name, () => ddb.waitFor('tableExists', { TableName: name, ...waiter }).promise());
  }
  await observe('listTablesPage1', () => ddb.listTables({ Limit: 2 }).promise());
  await observe('listTablesPage2', () => ddb.listTables({ Limit: 2, ExclusiveStartTableName: 'v2-items' }).promise());
  await observe('listTablesLimitZero', () => ddb.listTables({ Limit: 0 }).promise());
  await observe('updateTableToProvisioned', () => ddb.updateTable({
    TableName: 'v2-items', BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 },
  }).promise());
  await observe('waitAfterUpdate', () => ddb.waitFor('tableExists', { TableName: 'v2-items', ...waiter }).promise());
  await observe('describeAfterUpdate', () => ddb.describeTable({ TableName: 'v2-items' }).promise());

  // ---- items ----
  const item = { id: { S: 'a' }, name: { S: 'first' }, n: { N: '1' }, flag: { BOOL: true }, none: { NULL: true },
    list: { L: [{ S: 'x' }, { N: '2' }] }, map: { M: { inner: { S: 'y' } } } };
  await observe('putNewAllOld', () => ddb.putItem({ TableName: 'v2-items', Item: item, ReturnValues: 'ALL_OLD' }).promise());
  await observe('putOverwriteAllOld', () => ddb.putItem({
    TableName: 'v2-items', Item: { ...item, name: { S: 'second' } }, ReturnValues: 'ALL_OLD' }).promise());
  await observe('putIfNotExistsOnExisting', () => ddb.putItem({
    TableName: 'v2-items', Item: { id: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(id)' }).promise());
  await observe('putIfExistsOnMissing', () => ddb.putItem({
    TableName: 'v2-items', Item: { id: { S: 'nobody' } }, ConditionExpression: 'attribute_exists(#k)',
    ExpressionAttributeNames: { '#k': 'id' } }).promise());
  await observe('putIfNotExistsOnMissing', () => ddb.putItem({
    TableName: 'v2-items', Item: { id: { S: 'b' }, v: { S: 'bee' } }, ConditionExpression: 'attribute_not_exists(id)' }).promise());
  await observe('getConsistent', () => ddb.getItem({ TableName: 'v2-items', Key: { id: { S: 'a' } }, ConsistentRead: true }).promise());
  await observe('getProjected', () => ddb.getItem({
    TableName: 'v2-items', Key: { id: { S: 'a' } }, ProjectionExpression: '#n, flag, missingAttr',
    ExpressionAttributeNames: { '#n': 'name' } }).promise());
  await observe('getMissingItem', () => ddb.getItem({ TableName: 'v2-items', Key: { id: { S: 'zzz' } } }).promise());
  await observe('getWrongKeySchema', () => ddb.getItem({ TableName: 'v2-items', Key: { id: { S: 'a' }, other: { S: 'b' } } }).promise());
  await observe('getMissingTable', () => ddb.getItem({ TableName: 'v2-missing', Key: { id: { S: 'a' } } }).promise());
  await observe('putMissingKey', () => ddb.putItem({ TableName: 'v2-items', Item: { name: { S: 'x' } } }).promise());
  await observe('putKeyTypeMismatch', () => ddb.putItem({ TableName: 'v2-items', Item: { id: { N: '1' } } }).promise());
  await observe('putEmptyStringKey', () => ddb.putItem({ TableName: 'v2-items', Item: { id: { S: '' } } }).promise());
  await observe('putEmptySet', () => ddb.putItem({ TableName: 'v2-items', Item: { id: { S: 'e' }, s: { SS: [] } } }).promise());
  await observe('putDuplicateSet', () => ddb.putItem({ TableName: 'v2-items', Item: { id: { S: 'e' }, s: { SS: ['a', 'a'] } } }).promise());
  await observe('putHashKeyMaxLength', () => ddb.putItem({ TableName: 'v2-items', Item: { id: { S: 'k'.repeat(2048) } } }).promise());
  await observe('putHashKeyTooLong', () => ddb.putItem({ TableName: 'v2-items', Item: { id: { S: 'k'.repeat(2049) } } }).promise());
  await observe('putTooLarge', () => ddb.putItem({ TableName: 'v2-items', Item: { id: { S: 'huge' }, p: { S: 'x'.repeat(400 * 1024) } } }).promise());
  await observe('deleteAllOld', () => ddb.deleteItem({ TableName: 'v2-items', Key: { id: { S: 'b' } }, ReturnValues: 'ALL_OLD' }).promise());
  await observe('deleteMissingIfExists', () => ddb.deleteItem({
    TableName: 'v2-items', Key: { id: { S: 'b' } }, ConditionExpression: 'attribute_exists(id)' }).promise());
  await observe('getAfterDelete', () => ddb.getItem({ TableName: 'v2-items', Key: { id: { S: 'b' } }, ConsistentRead: true }).promise());

  // ---- consumed capacity: 4 KB read units (halved when eventually consistent), 1 KB write units on max(old, new) ----
  // The big item is 2 + 3 ("id" + "big") + 1 + 5000 ("p" + payload) = 5006 bytes.
  await observe('capacityPutBig', () => ddb.putItem({
    TableName: 'v2-items', Item: { id: { S: 'big' }, p: { S: big } }, ReturnConsumedCapacity: 'TOTAL' }).promise());
  await observe('capacityGetBigEventual', () => ddb.getItem({
    TableName: 'v2-items', Key: { id: { S: 'big' } }, ReturnConsumedCapacity: 'TOTAL' }).promise());
  await observe('capacityGetBigConsistent', () => ddb.getItem({
    TableName: 'v2-items', Key: { id: { S: 'big' } }, ConsistentRead: true, ReturnConsumedCapacity: 'INDEXES' }).promise());
  await observe('capacityOverwriteBigWithSmall', () => ddb.putItem({
    TableName: 'v2-items', Item: { id: { S: 'big' } }, ReturnConsumedCapacity: 'TOTAL' }).promise());
  await observe('capacityGetMissing', () => ddb.getItem({
    TableName: 'v2-items', Key: { id: { S: 'nothing' } }, ReturnConsumedCapacity: 'TOTAL' }).promise());
  await observe('capacityDeleteMissing', () => ddb.deleteItem({
    TableName: 'v2-items', Key: { id: { S: 'nothing' } }, ReturnConsumedCapacity: 'TOTAL' }).promise());
  await observe('capacityNone', () => ddb.putItem({
    TableName: 'v2-items', Item: { id: { S: 'c' } }, ReturnConsumedCapacity: 'NONE' }).promise());

  // ---- numbers: canonical on output, keys equal by value ----
  await observe('numberPutScientificKey', () => ddb.putItem({
    TableName: 'v2-numbers', Item: { k: { N: '1e3' }, v: { N: '007' }, z: { N: '-0' }, f: { N: '1.10' }, h: { N: '.5' },
      e: { N: '1e125' }, t: { N: '0.000100' }, m: { N: '-1.5E-3' }, ns: { NS: ['1', '2e0', '0.30'] } } }).promise());
  await observe('numberPlusSign', () => ddb.putItem({ TableName: 'v2-numbers', Item: { k: { N: '+3' } }, ReturnValues: 'ALL_OLD' }).promise());
  await observe('numberPlusSignGet', () => ddb.getItem({ TableName: 'v2-numbers', Key: { k: { N: '3' } }, ConsistentRead: true }).promise());
  await observe('numberGetByOtherForm', () => ddb.getItem({ TableName: 'v2-numbers', Key: { k: { N: '1000' } }, ConsistentRead: true }).promise());
  await observe('numberOverwriteByThirdForm', () => ddb.putItem({
    TableName: 'v2-numbers', Item: { k: { N: '001000' }, v: { N: '8' } }, ReturnValues: 'ALL_OLD' }).promise());
  await observe('number39Digits', () => ddb.putItem({
    TableName: 'v2-numbers', Item: { k: { N: '1' }, v: { N: '123456789012345678901234567890123456789' } } }).promise());
  await observe('numberOverflow', () => ddb.putItem({ TableName: 'v2-numbers', Item: { k: { N: '1e126' } } }).promise());
  await observe('numberUnderflow', () => ddb.putItem({ TableName: 'v2-numbers', Item: { k: { N: '1e-131' } } }).promise());
  await observe('numberNotANumber', () => ddb.putItem({ TableName: 'v2-numbers', Item: { k: { N: 'abc' } } }).promise());

  // ---- binary and sets ----
  const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  await observe('binaryPut', () => ddb.putItem({ TableName: 'v2-binary', Item: {
    k: { B: Buffer.from([0, 1, 255]) }, bin: { B: allBytes }, empty: { B: Buffer.alloc(0) }, es: { S: '' },
    ss: { SS: ['b', 'a', ''] }, ns: { NS: ['3', '1.50', '-2'] }, bs: { BS: [Buffer.from([1]), Buffer.from([255, 0])] } } }).promise());
  await observe('binaryGet', () => ddb.getItem({ TableName: 'v2-binary', Key: { k: { B: Buffer.from([0, 1, 255]) } }, ConsistentRead: true }).promise());
  await observe('binaryEmptyKey', () => ddb.putItem({ TableName: 'v2-binary', Item: { k: { B: Buffer.alloc(0) } } }).promise());

  // ---- batches ----
  const batchPuts = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { id: { S: 'batch-' + i }, i: { N: String(i) } } } }));
  await observe('batchWrite25', () => ddb.batchWriteItem({ RequestItems: { 'v2-items': batchPuts }, ReturnConsumedCapacity: 'TOTAL' }).promise());
  await observe('batchWrite26', () => ddb.batchWriteItem({ RequestItems: { 'v2-items': [...batchPuts,
    { PutRequest: { Item: { id: { S: 'batch-25' } } } }] } }).promise());
  await observe('batchWriteDuplicates', () => ddb.batchWriteItem({ RequestItems: { 'v2-items': [
    { PutRequest: { Item: { id: { S: 'dup' } } } }, { DeleteRequest: { Key: { id: { S: 'dup' } } } }] } }).promise());
  await observe('batchWriteEmpty', () => ddb.batchWriteItem({ RequestItems: {} }).promise());
  await observe('batchWriteMissingTable', () => ddb.batchWriteItem({ RequestItems: { 'v2-missing': [
    { PutRequest: { Item: { id: { S: 'x' } } } }] } }).promise());
  await observe('batchWriteDeletes', () => ddb.batchWriteItem({ RequestItems: { 'v2-items': [
    { DeleteRequest: { Key: { id: { S: 'batch-0' } } } }, { DeleteRequest: { Key: { id: { S: 'batch-1' } } } }] } }).promise());
  const keys100 = Array.from({ length: 100 }, (_, i) => ({ id: { S: 'batch-' + i } }));
  await observe('batchGet100', () => ddb.batchGetItem({ RequestItems: { 'v2-items': { Keys: keys100, ProjectionExpression: 'id, i' } } }).promise());
  await observe('batchGet101', () => ddb.batchGetItem({ RequestItems: { 'v2-items': { Keys: [...keys100, { id: { S: 'batch-100' } }] } } }).promise());
  await observe('batchGetDuplicates', () => ddb.batchGetItem({ RequestItems: { 'v2-items': { Keys: [{ id: { S: 'a' } }, { id: { S: 'a' } }] } } }).promise());
  await observe('batchGetMissingTable', () => ddb.batchGetItem({ RequestItems: { 'v2-missing': { Keys: [{ id: { S: 'a' } }] } } }).promise());
  await observe('batchGetCapacity', () => ddb.batchGetItem({ RequestItems: { 'v2-items': { Keys: [{ id: { S: 'a' } }, { id: { S: 'batch-3' } }], ConsistentRead: true } },
    ReturnConsumedCapacity: 'TOTAL' }).promise());

  // ---- DocumentClient ----
  await observe('docPut', () => doc.put({ TableName: 'v2-items', Item: {
    id: 'doc', count: 42, ratio: 0.25, tags: doc.createSet(['x', 'y']), nums: doc.createSet([1, 2]), raw: Buffer.from('hi'),
    nested: { list: [1, 'two', null, true] } } }).promise());
  await observe('docGet', () => doc.get({ TableName: 'v2-items', Key: { id: 'doc' }, ConsistentRead: true }).promise());
  await observe('docConditionFailed', () => doc.put({ TableName: 'v2-items', Item: { id: 'doc' }, ConditionExpression: 'attribute_not_exists(id)' }).promise());
  await observe('docBatchGet', () => doc.batchGet({ RequestItems: { 'v2-items': { Keys: [{ id: 'doc' }, { id: 'a' }] } } }).promise());
  await observe('docDelete', () => doc.delete({ TableName: 'v2-items', Key: { id: 'doc' }, ReturnValues: 'ALL_OLD' }).promise());

  // ---- service calls: tags, TTL, limits, endpoints ----
  const arn = (await ddb.describeTable({ TableName: 'v2-items' }).promise()).Table.TableArn;
  await observe('tagResource', () => ddb.tagResource({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'core' }, { Key: 'env', Value: 'test' }] }).promise());
  await observe('listTags', () => ddb.listTagsOfResource({ ResourceArn: arn }).promise());
  await observe('untagResource', () => ddb.untagResource({ ResourceArn: arn, TagKeys: ['env'] }).promise());
  await observe('listTagsAfterUntag', () => ddb.listTagsOfResource({ ResourceArn: arn }).promise());
  await observe('describeTtlBefore', () => ddb.describeTimeToLive({ TableName: 'v2-items' }).promise());
  await observe('updateTtl', () => ddb.updateTimeToLive({ TableName: 'v2-items', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }).promise());
  await observe('describeTtlAfter', () => ddb.describeTimeToLive({ TableName: 'v2-items' }).promise());
  await observe('describeTtlMissingTable', () => ddb.describeTimeToLive({ TableName: 'v2-missing' }).promise());
  await observe('describeLimits', () => ddb.describeLimits({}).promise());
  await observe('describeEndpoints', () => ddb.describeEndpoints({}).promise());

  // ---- delete ----
  await observe('deleteTable', () => ddb.deleteTable({ TableName: 'v2-binary' }).promise());
  await observe('waitForTableNotExists', () => ddb.waitFor('tableNotExists', { TableName: 'v2-binary', ...waiter }).promise());
  await observe('deleteMissingTable', () => ddb.deleteTable({ TableName: 'v2-binary' }).promise());
  await observe('listTablesAfterDelete', () => ddb.listTables({}).promise());
});
