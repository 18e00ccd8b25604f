'use strict';
// Function URL configs with the official @aws-sdk/client-lambda (resolved through NODE_PATH from tests/clients), and
// a request to the URL with Node's own http client. The function (url-sdk) exists already, with an alias "live".
// Usage: node lambda-urls.cjs ENDPOINT; prints one JSON object with what the test asserts.
const http = require('http');
const {
  LambdaClient, CreateFunctionUrlConfigCommand, GetFunctionUrlConfigCommand, UpdateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand, paginateListFunctionUrlConfigs,
} = require('@aws-sdk/client-lambda');

async function error(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, message: e.message, status: e.$metadata.httpStatusCode };
  }
}

// GET on the endpoint's address with the URL's Host: what a client that resolves *.localhost itself sends.
function get(endpoint, url, path) {
  const target = new URL(endpoint);
  const host = new URL(url).host;
  return new Promise((resolve, reject) => {
    http.get({ host: target.hostname, port: target.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

async function main() {
  const [endpoint] = process.argv.slice(2);
  const client = new LambdaClient({});
  const out = {};
  const created = await client.send(new CreateFunctionUrlConfigCommand({
    FunctionName: 'url-sdk', AuthType: 'NONE', Cors: { AllowOrigins: ['*'], MaxAge: 10 },
  }));
  out.created = { url: created.FunctionUrl, arn: created.FunctionArn, auth: created.AuthType, mode: created.InvokeMode, creation: created.CreationTime, maxAge: created.Cors.MaxAge };
  const alias = await client.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-sdk', Qualifier: 'live', AuthType: 'AWS_IAM' }));
  out.alias = { url: alias.FunctionUrl, arn: alias.FunctionArn };
  out.conflict = await error(client.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-sdk', AuthType: 'NONE' })));
  const updated = await client.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'url-sdk', InvokeMode: 'RESPONSE_STREAM' }));
  out.updated = { mode: updated.InvokeMode, auth: updated.AuthType, url: updated.FunctionUrl };
  const got = await client.send(new GetFunctionUrlConfigCommand({ FunctionName: 'url-sdk', Qualifier: 'live' }));
  out.got = { arn: got.FunctionArn, auth: got.AuthType, lastModified: got.LastModifiedTime };
  out.listed = [];
  for await (const page of paginateListFunctionUrlConfigs({ client, pageSize: 1 }, { FunctionName: 'url-sdk' })) {
    out.listed.push(...page.FunctionUrlConfigs.map((c) => c.FunctionArn));
  }
  out.invoked = await get(endpoint, created.FunctionUrl, '/from-sdk?x=1');
  out.unsigned = await get(endpoint, alias.FunctionUrl, '/');
  await client.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'url-sdk', Qualifier: 'live' }));
  out.missing = await error(client.send(new GetFunctionUrlConfigCommand({ FunctionName: 'url-sdk', Qualifier: 'live' })));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e));
  process.exit(1);
});
