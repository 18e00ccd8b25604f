'use strict';
// The seed's function with @aws-sdk/client-dynamodb v3 (mode `node-v3`): one PutItem per invocation (a fresh id, a
// timestamp, the event). The client is created once per environment, at init; v3's NodeHttpHandler keeps its
// connections alive by default. v3 reads AWS_ENDPOINT_URL_DYNAMODB itself.
const crypto = require('crypto');
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');

const client = new DynamoDBClient({});
const tableName = process.env.TABLE_NAME || 'records';

exports.handler = async (event) => {
  const id = crypto.randomUUID();
  const timestamp = new Date().toISOString();
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { id: { S: id }, timestamp: { S: timestamp }, payload: { S: JSON.stringify(event === undefined ? null : event) } },
    }),
  );
  return { id, timestamp };
};
