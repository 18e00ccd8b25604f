'use strict';
// The query language through @aws-sdk/client-dynamodb v3 and @aws-sdk/lib-dynamodb: condition, update, filter and
// key-condition expressions, ReturnValues, a GSI queried page by page with the SDK's paginator, and
// TransactWriteItems cancellation reasons. The C# side (NodeSdkV3QueryTests) asserts on what this observed.
const ddbv3 = require('@aws-sdk/client-dynamodb');
const lib = require('@aws-sdk/lib-dynamodb');
const { run, plain } = require('./oracle');

const {
  DynamoDBClient, DynamoDBServiceException, CreateTableCommand, PutItemCommand, GetItemCommand, UpdateItemCommand,
  DeleteItemCommand, QueryCommand, ScanCommand, TransactWriteItemsCommand, TransactGetItemsCommand, paginateQuery,
  paginateScan, waitUntilTableExists,
} = ddbv3;

run(async ({ endpoint, observe, stats }) => {
  Object.assign(stats, { calls: 0, unmodeledErrors: 0 });
  const client = new DynamoDBClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDORACLEV3Q', secretAccessKey: 'secret' },
  });
  const doc = lib.DynamoDBDocumentClient.from(client);
  const send = async (c, command) => {
    stats.calls++;
    try { return await c.send(command); } catch (e) {
      if (!(e instanceof DynamoDBServiceException)) stats.unmodeledErrors++;
      throw e;
    }
  };
  const ddb = (command) => send(client, command);
  // What a cancelled transaction or a failed condition carries beside its message.
  const failure = async (fn) => {
    try { await fn(); return { failed: false }; } catch (e) {
      return { failed: true, name: e.name, message: e.message, status: e.$metadata && e.$metadata.httpStatusCode,
        reasons: e.CancellationReasons ? plain(e.CancellationReasons) : undefined, item: e.Item ? plain(e.Item) : undefined };
    }
  };
  const N = (n) => ({ N: String(n) });
  const S = (s) => ({ S: s });

  // ---- a table with a sort key and a GSI ----
  await observe('createTable', () => ddb(new CreateTableCommand({
    TableName: 'q-orders', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'customer', AttributeType: 'S' }, { AttributeName: 'order', AttributeType: 'N' },
      { AttributeName: 'status', AttributeType: 'S' }, { AttributeName: 'placed', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'order', KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [{ IndexName: 'by-status', Projection: { ProjectionType: 'ALL' },
      KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'placed', KeyType: 'RANGE' }] }],
  })));
  await observe('waitTable', async () => {
    const r = await waitUntilTableExists({ client, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { TableName: 'q-orders' });
    return { state: r.state };
  });
  // 3 customers x 10 orders; status alternates open/shipped; 'placed' repeats so index keys tie and the
  // paginator must resume on the table key.
  await observe('seed', async () => {
    for (const customer of ['ann', 'bob', 'cy']) {
      for (let order = 1; order <= 10; order++) {
        await ddb(new PutItemCommand({ TableName: 'q-orders', Item: {
          customer: S(customer), order: N(order), status: S(order % 2 ? 'open' : 'shipped'),
          placed: S('2026-11-' + String(10 + (order % 3)).padStart(2, '0')), total: N(order * 10), tags: { SS: ['new'] } } }));
      }
    }
    return { items: 30 };
  });

  // ---- key conditions and filters ----
  await observe('queryBetween', () => ddb(new QueryCommand({ TableName: 'q-orders',
    KeyConditionExpression: 'customer = :c AND #o BETWEEN :lo AND :hi', ExpressionAttributeNames: { '#o': 'order' },
    ExpressionAttributeValues: { ':c': S('ann'), ':lo': N(3), ':hi': N(6) }, ProjectionExpression: '#o' })));
  await observe('queryBackwardLimit', () => ddb(new QueryCommand({ TableName: 'q-orders',
    KeyConditionExpression: 'customer = :c AND #o >= :lo', ExpressionAttributeNames: { '#o': 'order' },
    ExpressionAttributeValues: { ':c': S('bob'), ':lo': N(2) }, ScanIndexForward: false, Limit: 3, ProjectionExpression: '#o' })));
  await observe('queryFilterCount', () => ddb(new QueryCommand({ TableName: 'q-orders',
    KeyConditionExpression: 'customer = :c', FilterExpression: '#t > :min AND contains(tags, :tag) AND NOT #s = :shipped',
    ExpressionAttributeNames: { '#t': 'total', '#s': 'status' },
    ExpressionAttributeValues: { ':c': S('cy'), ':min': N(40), ':tag': S('new'), ':shipped': S('shipped') }, Select: 'COUNT' })));
  await observe('scanFilterIn', () => ddb(new ScanCommand({ TableName: 'q-orders',
    FilterExpression: '#o IN (:one, :two) AND begins_with(customer, :a)', ExpressionAttributeNames: { '#o': 'order' },
    ExpressionAttributeValues: { ':one': N(1), ':two': N(2), ':a': S('a') } })));
  await observe('queryKeyFilterError', () => ddb(new QueryCommand({ TableName: 'q-orders',
    KeyConditionExpression: 'customer = :c', FilterExpression: 'customer = :c', ExpressionAttributeValues: { ':c': S('ann') } })));
  await observe('querySyntaxError', () => ddb(new QueryCommand({ TableName: 'q-orders',
    KeyConditionExpression: 'customer = :c AND', ExpressionAttributeValues: { ':c': S('ann') } })));
  // 151 comparisons and 150 ANDs: 301 operators, one over AWS's limit.
  const many = Array.from({ length: 151 }, () => '#t > :min').join(' AND ');
  await observe('scanTooManyOperators', () => ddb(new ScanCommand({ TableName: 'q-orders', FilterExpression: many,
    ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':min': N(0) } })));

  // ---- a GSI, page by page with the SDK's paginator ----
  await observe('paginateGsi', async () => {
    const pages = [];
    const paginator = paginateQuery({ client, pageSize: 4 }, { TableName: 'q-orders', IndexName: 'by-status',
      KeyConditionExpression: '#s = :open', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':open': S('open') } });
    for await (const page of paginator) {
      stats.calls++;
      pages.push({ keys: page.Items.map((i) => i.customer.S + '/' + i.order.N + '@' + i.placed.S), count: page.Count,
        lastKey: page.LastEvaluatedKey ? Object.keys(page.LastEvaluatedKey).sort() : null });
    }
    return { pages };
  });
  await observe('gsiConsistentRead', () => ddb(new QueryCommand({ TableName: 'q-orders', IndexName: 'by-status', ConsistentRead: true,
    KeyConditionExpression: '#s = :open', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':open': S('open') } })));
  await observe('paginateScanFiltered', async () => {
    let scanned = 0; let count = 0; let pages = 0;
    for await (const page of paginateScan({ client, pageSize: 7 }, { TableName: 'q-orders',
      FilterExpression: '#t >= :t', ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':t': N(90) } })) {
      stats.calls++; pages++; scanned += page.ScannedCount; count += page.Count;
    }
    return { pages, scanned, count };
  });

  // ---- conditions and updates, low level ----
  const key = { customer: S('ann'), order: N(1) };
  await observe('updateAllNew', () => ddb(new UpdateItemCommand({ TableName: 'q-orders', Key: key,
    UpdateExpression: 'SET #t = #t + :inc, notes = list_append(if_not_exists(notes, :empty), :note), seen = if_not_exists(seen, :now) ADD tags :more REMOVE placed',
    ConditionExpression: 'attribute_exists(customer) AND #t BETWEEN :lo AND :hi',
    ExpressionAttributeNames: { '#t': 'total' },
    ExpressionAttributeValues: { ':inc': N(5), ':empty': { L: [] }, ':note': { L: [S('first')] }, ':now': S('t0'),
      ':more': { SS: ['vip'] }, ':lo': N(0), ':hi': N(100) },
    ReturnValues: 'ALL_NEW' })));
  await observe('updateUpdatedOld', () => ddb(new UpdateItemCommand({ TableName: 'q-orders', Key: key,
    UpdateExpression: 'SET #t = :v DELETE tags :old', ExpressionAttributeNames: { '#t': 'total' },
    ExpressionAttributeValues: { ':v': N(1), ':old': { SS: ['new'] } }, ReturnValues: 'UPDATED_OLD' })));
  await observe('updateUpdatedNewListAppend', () => ddb(new UpdateItemCommand({ TableName: 'q-orders', Key: key,
    UpdateExpression: 'SET notes[5] = :n', ExpressionAttributeValues: { ':n': S('second') }, ReturnValues: 'UPDATED_NEW' })));
  await observe('updateConditionFailedAllOld', () => failure(() => ddb(new UpdateItemCommand({ TableName: 'q-orders', Key: key,
    UpdateExpression: 'SET #t = :v', ConditionExpression: '#t > :v', ExpressionAttributeNames: { '#t': 'total' },
    ExpressionAttributeValues: { ':v': N(1000) }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }))));
  await observe('afterFailedCondition', () => ddb(new GetItemCommand({ TableName: 'q-orders', Key: key, ConsistentRead: true,
    ProjectionExpression: '#t, notes', ExpressionAttributeNames: { '#t': 'total' } })));
  await observe('putAttributeNotExistsFails', () => failure(() => ddb(new PutItemCommand({ TableName: 'q-orders',
    Item: { customer: S('ann'), order: N(2) }, ConditionExpression: 'attribute_not_exists(customer)' }))));
  await observe('deleteSizeCondition', () => ddb(new DeleteItemCommand({ TableName: 'q-orders', Key: { customer: S('ann'), order: N(10) },
    ConditionExpression: 'size(tags) = :one AND attribute_type(#t, :n)', ExpressionAttributeNames: { '#t': 'total' },
    ExpressionAttributeValues: { ':one': N(1), ':n': S('N') }, ReturnValues: 'ALL_OLD' })));
  await observe('updateTypeMismatch', () => ddb(new UpdateItemCommand({ TableName: 'q-orders', Key: key,
    UpdateExpression: 'SET #t = #t + :s', ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':s': S('x') } })));
  // The same mistake through a path is only found against the item.
  await observe('updateItemTypeMismatch', () => ddb(new UpdateItemCommand({ TableName: 'q-orders', Key: key,
    UpdateExpression: 'SET seen = seen + :one', ExpressionAttributeValues: { ':one': N(1) } })));
  await observe('updateOverlappingPaths', () => ddb(new UpdateItemCommand({ TableName: 'q-orders', Key: key,
    UpdateExpression: 'SET notes = :l REMOVE notes[0]', ExpressionAttributeValues: { ':l': { L: [] } } })));

  // ---- transactions ----
  await observe('transactCancelled', () => failure(() => ddb(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: 'q-orders', Item: { customer: S('dee'), order: N(1), total: N(1) } } },
    { ConditionCheck: { TableName: 'q-orders', Key: { customer: S('bob'), order: N(1) }, ConditionExpression: '#t > :big',
      ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':big': N(1000) }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
    { Update: { TableName: 'q-orders', Key: { customer: S('bob'), order: N(2) }, UpdateExpression: 'SET #t = #t + :one',
      ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':one': N(1) } } },
    { Delete: { TableName: 'q-orders', Key: { customer: S('bob'), order: N(3) }, ConditionExpression: 'attribute_not_exists(customer)' } },
  ] }))));
  await observe('afterCancelled', async () => {
    const r = await ddb(new TransactGetItemsCommand({ TransactItems: [
      { Get: { TableName: 'q-orders', Key: { customer: S('dee'), order: N(1) } } },
      { Get: { TableName: 'q-orders', Key: { customer: S('bob'), order: N(2) }, ProjectionExpression: '#t', ExpressionAttributeNames: { '#t': 'total' } } },
    ] }));
    return r.Responses;
  });
  await observe('transactOk', () => ddb(new TransactWriteItemsCommand({ ClientRequestToken: 'q-token-1', TransactItems: [
    { Put: { TableName: 'q-orders', Item: { customer: S('dee'), order: N(1), total: N(1) }, ConditionExpression: 'attribute_not_exists(customer)' } },
    { Update: { TableName: 'q-orders', Key: { customer: S('bob'), order: N(2) }, UpdateExpression: 'SET #t = #t + :one',
      ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':one': N(1) } } },
  ] })));
  await observe('transactReplay', () => ddb(new TransactWriteItemsCommand({ ClientRequestToken: 'q-token-1', TransactItems: [
    { Put: { TableName: 'q-orders', Item: { customer: S('dee'), order: N(1), total: N(1) }, ConditionExpression: 'attribute_not_exists(customer)' } },
    { Update: { TableName: 'q-orders', Key: { customer: S('bob'), order: N(2) }, UpdateExpression: 'SET #t = #t + :one',
      ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':one': N(1) } } },
  ] })));
  await observe('transactMismatch', () => ddb(new TransactWriteItemsCommand({ ClientRequestToken: 'q-token-1', TransactItems: [
    { Put: { TableName: 'q-orders', Item: { customer: S('dee'), order: N(2) } } },
  ] })));
  // A wrong-typed key is decided per action (a ValidationError reason); a TransactGet key that does not match the
  // schema likewise.
  await observe('transactWrongKeyType', () => failure(() => ddb(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: 'q-orders', Item: { customer: S('eve'), order: N(1) } } },
    { Delete: { TableName: 'q-orders', Key: { customer: N(5), order: N(1) } } },
  ] }))));
  await observe('transactGetEmptyKey', () => failure(() => ddb(new TransactGetItemsCommand({ TransactItems: [
    { Get: { TableName: 'q-orders', Key: {} } },
  ] }))));
  await observe('afterTransact', () => ddb(new GetItemCommand({ TableName: 'q-orders', Key: { customer: S('bob'), order: N(2) },
    ConsistentRead: true, ProjectionExpression: '#t', ExpressionAttributeNames: { '#t': 'total' } })));

  // ---- lib-dynamodb: native values through the same expressions ----
  // DynamoDB has no multiplication: a syntax error at the '*'.
  await observe('docMultiplySyntaxError', () => send(doc, new lib.UpdateCommand({ TableName: 'q-orders', Key: { customer: 'cy', order: 4 },
    UpdateExpression: 'SET #t = #t * :two', ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':two': 2 } })));
  await observe('docUpdateNew', () => send(doc, new lib.UpdateCommand({ TableName: 'q-orders', Key: { customer: 'cy', order: 4 },
    UpdateExpression: 'SET #t = #t - :d, extra = :m', ExpressionAttributeNames: { '#t': 'total' },
    ExpressionAttributeValues: { ':d': 15, ':m': { nested: [1, 'two', true] } }, ReturnValues: 'UPDATED_NEW' })));
  await observe('docQuery', () => send(doc, new lib.QueryCommand({ TableName: 'q-orders',
    KeyConditionExpression: 'customer = :c AND #o < :o', FilterExpression: 'attribute_exists(extra.nested[2])',
    ExpressionAttributeNames: { '#o': 'order' }, ExpressionAttributeValues: { ':c': 'cy', ':o': 5 } })));
  await observe('docTransactCancelled', () => failure(() => send(doc, new lib.TransactWriteCommand({ TransactItems: [
    { Update: { TableName: 'q-orders', Key: { customer: 'cy', order: 4 }, UpdateExpression: 'SET #t = :v',
      ConditionExpression: '#t = :wrong', ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':v': 0, ':wrong': -1 } } },
    { Put: { TableName: 'q-orders', Item: { customer: 'cy', order: 99 } } },
  ] }))));
  client.destroy();
});
