'use strict';
// Versions and aliases with the official @aws-sdk/client-lambda (resolved through NODE_PATH from tests/clients).
// Usage: node lambda-versions.cjs ZIP_PATH ZIP2_PATH MARKER; prints one JSON object with what the test asserts.
const fs = require('fs');
const {
  LambdaClient, CreateFunctionCommand, UpdateFunctionCodeCommand, PublishVersionCommand, CreateAliasCommand,
  UpdateAliasCommand, GetAliasCommand, InvokeCommand, InvokeWithResponseStreamCommand, DeleteFunctionCommand,
  paginateListVersionsByFunction, paginateListAliases,
} = require('@aws-sdk/client-lambda');

async function error(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, message: e.message, status: e.$metadata.httpStatusCode };
  }
}

async function main() {
  const [zipPath, zip2Path, marker] = process.argv.slice(2);
  const client = new LambdaClient({});
  const out = {};
  const created = await client.send(new CreateFunctionCommand({
    FunctionName: 'sdk-versions', Runtime: 'provided.al2023', Role: 'arn:aws:iam::000000000000:role/lambda',
    Handler: 'function.handler', Code: { ZipFile: fs.readFileSync(zipPath) }, Publish: true,
    Environment: { Variables: { HANDSHAKE_TEST_MARKER: marker } },
  }));
  out.created = { version: created.Version, arn: created.FunctionArn };
  const updated = await client.send(new UpdateFunctionCodeCommand({
    FunctionName: 'sdk-versions', ZipFile: fs.readFileSync(zip2Path),
  }));
  const published = await client.send(new PublishVersionCommand({
    FunctionName: 'sdk-versions', Description: 'second', CodeSha256: updated.CodeSha256,
  }));
  out.published = { version: published.Version, arn: published.FunctionArn, description: published.Description };
  out.versions = [];
  for await (const page of paginateListVersionsByFunction({ client, pageSize: 1 }, { FunctionName: 'sdk-versions' })) {
    out.versions.push(...page.Versions.map((v) => v.Version));
  }
  const alias = await client.send(new CreateAliasCommand({
    FunctionName: 'sdk-versions', Name: 'live', FunctionVersion: '1',
    RoutingConfig: { AdditionalVersionWeights: { 2: 0.5 } },
  }));
  out.alias = { arn: alias.AliasArn, weight: alias.RoutingConfig.AdditionalVersionWeights['2'] };
  out.routed = [];
  for (let i = 0; i < 4; i++) {
    const r = await client.send(new InvokeCommand({ FunctionName: 'sdk-versions', Qualifier: 'live', Payload: Buffer.from('{}') }));
    out.routed.push(r.ExecutedVersion);
  }
  await client.send(new UpdateAliasCommand({
    FunctionName: 'sdk-versions', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} },
    RevisionId: alias.RevisionId,
  }));
  const byArn = await client.send(new InvokeCommand({
    FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:sdk-versions:live', Payload: Buffer.from('{"environment":1}'),
  }));
  out.byArn = { executed: byArn.ExecutedVersion, version: JSON.parse(Buffer.from(byArn.Payload).toString()).AWS_LAMBDA_FUNCTION_VERSION };
  const streamed = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'sdk-versions', Qualifier: '1', Payload: Buffer.from('{}') }));
  for await (const _ of streamed.EventStream) { /* drain */ }
  out.streamedVersion = streamed.ExecutedVersion;
  await client.send(new CreateAliasCommand({ FunctionName: 'sdk-versions', Name: 'beta', FunctionVersion: '1' }));
  out.aliases = [];
  for await (const page of paginateListAliases({ client, pageSize: 1 }, { FunctionName: 'sdk-versions' })) {
    out.aliases.push(...page.Aliases.map((a) => a.Name));
  }
  out.missingAlias = await error(client.send(new GetAliasCommand({ FunctionName: 'sdk-versions', Name: 'nope' })));
  out.duplicateAlias = await error(client.send(new CreateAliasCommand({ FunctionName: 'sdk-versions', Name: 'live', FunctionVersion: '1' })));
  out.missingVersion = await error(client.send(new InvokeCommand({ FunctionName: 'sdk-versions', Qualifier: '7' })));
  out.referenced = await error(client.send(new DeleteFunctionCommand({ FunctionName: 'sdk-versions', Qualifier: '1' })));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
