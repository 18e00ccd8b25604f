'use strict';
// The seed's function with aws-sdk v2: one PutItem per invocation (a fresh id, a timestamp, the event).
// Connection reuse is exactly the seed's: v2 keeps its socket alive only when AWS_NODEJS_CONNECTION_REUSE_ENABLED=1
// (mode `node-v2-reuse`); unset (mode `node-v2`), every invocation opens a new TCP connection.
const crypto = require('crypto');
const AWS = require('aws-sdk');

// v2 ignores AWS_ENDPOINT_URL*, so pass the local store's address on when the host sets it. In a real region the
// variable is unset and this changes nothing.
const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB || process.env.AWS_ENDPOINT_URL;
const dynamodb = new AWS.DynamoDB(endpoint ? { endpoint } : {});
const tableName = process.env.TABLE_NAME || 'records';

exports.handler = async (event) => {
  const id = crypto.randomUUID();
  const timestamp = new Date().toISOString();
  await dynamodb
    .putItem({
      TableName: tableName,
      Item: { id: { S: id }, timestamp: { S: timestamp }, payload: { S: JSON.stringify(event === undefined ? null : event) } },
    })
    .promise();
  return { id, timestamp };
};
