'use strict';
// The Node.js runtime client for Handshake and for any host that speaks the Lambda Runtime API (2018-06-01).
// One dependency-free file: `node bootstrap.js` with _HANDLER=file.export and LAMBDA_TASK_ROOT=the code directory.
//
// The loop: GET /runtime/invocation/next (no timeout: the environment is frozen while it is pending), run the handler,
// POST /runtime/invocation/{id}/response or /error. Init failures go to /runtime/init/error and the process exits.
// Every call rides one kept-alive connection to the Runtime API.

const fs = require('fs');
const http = require('http');
const path = require('path');
const url = require('url');
const util = require('util');

const API_PREFIX = '/2018-06-01/runtime';
const ERROR_CONTENT_TYPE = 'application/vnd.aws.lambda.error+json';
const [apiHost, apiPort] = splitHostPort(process.env.AWS_LAMBDA_RUNTIME_API || '');

// keepAlive with one socket: calls are sequential, so one TCP connection serves the environment's whole life.
// No `timeout` option anywhere: an idle timer would fire on thaw while /next is legitimately pending.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function splitHostPort(value) {
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return [value, 80];
  return [value.slice(0, colon), Number(value.slice(colon + 1))];
}

function request(method, pathname, body, headers) {
  return new Promise((resolve, reject) => {
    const outgoing = { ...headers };
    if (body !== undefined) outgoing['Content-Length'] = body.length;
    const req = http.request({ host: apiHost, port: apiPort, method, path: API_PREFIX + pathname, agent, headers: outgoing }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

class RuntimeApiError extends Error {
  constructor(operation, status, body) {
    super(`Runtime API ${operation} answered ${status}: ${body}`);
    this.status = status;
  }
}

async function post(pathname, body, headers) {
  const res = await request('POST', pathname, body, headers);
  if (res.status !== 202 && res.status !== 200) throw new RuntimeApiError(pathname, res.status, res.body.toString());
}

function errorShape(error) {
  if (error instanceof Error) {
    const stack = typeof error.stack === 'string' ? error.stack.split('\n').slice(1).map((l) => l.trim()).filter(Boolean) : [];
    return { errorMessage: error.message, errorType: error.name || (error.constructor && error.constructor.name) || 'Error', stackTrace: stack };
  }
  // A thrown string or object: Lambda reports its text and its JavaScript type.
  const text = typeof error === 'string' ? error : safeStringify(error);
  return { errorMessage: text, errorType: typeof error, stackTrace: [] };
}

function safeStringify(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return util.inspect(value);
  }
}

function errorBody(shape) {
  return [Buffer.from(JSON.stringify(shape)), { 'Content-Type': ERROR_CONTENT_TYPE, 'Lambda-Runtime-Function-Error-Type': shape.errorType }];
}

async function postInitError(shape) {
  const [body, headers] = errorBody(shape);
  try {
    await post('/init/error', body, headers);
  } catch (e) {
    process.stderr.write(`INIT_ERROR\tcould not post the init error: ${e.message}\n`);
  }
}

// Lambda's handler string: `dir/module.export` or `module.nested.export`; the module is the basename up to its first dot.
async function loadHandler(root, handlerString) {
  const slash = handlerString.lastIndexOf('/') + 1;
  const dot = handlerString.indexOf('.', slash);
  if (dot < 0) throw initError('Runtime.MalformedHandlerName', `Bad handler ${handlerString}: expected file.export`);
  const modulePath = path.resolve(root, handlerString.slice(0, dot));
  const exportPath = handlerString.slice(dot + 1).split('.');

  let loaded;
  const candidates = ['.js', '.mjs', '.cjs'].map((ext) => modulePath + ext).filter((file) => fs.existsSync(file));
  if (candidates.length === 0) {
    throw initError('Runtime.ImportModuleError', `Error: Cannot find module '${handlerString.slice(0, dot)}'`);
  }
  const file = candidates[0];
  try {
    if (file.endsWith('.mjs')) {
      loaded = await import(url.pathToFileURL(file).href);
    } else {
      try {
        loaded = require(file);
      } catch (e) {
        // A .js file under "type": "module" is ESM: Node 20's require refuses it, dynamic import loads it.
        if (e && e.code === 'ERR_REQUIRE_ESM') loaded = await import(url.pathToFileURL(file).href);
        else throw e;
      }
    }
  } catch (e) {
    if (e && e.name === 'SyntaxError') throw initError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    throw initError('Runtime.ImportModuleError', `${e && e.name}: ${e && e.message}`, e);
  }

  let fn = loaded;
  for (const part of exportPath) fn = fn == null ? undefined : fn[part];
  if (fn === undefined && loaded && loaded.default) {
    // CommonJS loaded through import() puts module.exports under `default`.
    fn = loaded.default;
    for (const part of exportPath) fn = fn == null ? undefined : fn[part];
  }
  if (typeof fn !== 'function') {
    throw initError('Runtime.HandlerNotFound', `${handlerString.slice(slash)} is undefined or not exported`);
  }
  return fn;
}

function initError(errorType, message, cause) {
  const error = new Error(message);
  error.name = errorType;
  if (cause && typeof cause.stack === 'string') error.stack = `${errorType}: ${message}\n${cause.stack.split('\n').slice(1).join('\n')}`;
  return error;
}

function createContext(headers, deadlineMs) {
  const env = process.env;
  let waits = true;
  const context = {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'] || '',
    functionName: env.AWS_LAMBDA_FUNCTION_NAME || '',
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION || '$LATEST',
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '128',
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME || '',
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME || '',
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    // Kept simple: a callback's result is posted at once, as if this were false (see README). The flag is kept for code that sets it.
    get callbackWaitsForEmptyEventLoop() { return waits; },
    set callbackWaitsForEmptyEventLoop(value) { waits = value; },
  };
  const clientContext = headers['lambda-runtime-client-context'];
  const identity = headers['lambda-runtime-cognito-identity'];
  if (clientContext) context.clientContext = parseOr(clientContext, undefined);
  if (identity) context.identity = parseOr(identity, undefined);
  return context;
}

function parseOr(text, fallback) {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

// Lambda's console layout: timestamp TAB requestId TAB LEVEL TAB message, on stdout (captured into the log stream).
let currentRequestId = undefined;
function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', debug: 'DEBUG', warn: 'WARN', error: 'ERROR', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      const message = util.format(...args).replace(/\n/g, '\r');
      process.stdout.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${message}\n`);
    };
  }
}

// Runs one handler call and settles once, from whichever comes first: the returned promise, the callback, or the
// legacy context.succeed/fail/done. A plain (non-promise) return from a handler that takes no callback is its result.
function invokeHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    context.done = finish;
    context.succeed = (result) => finish(null, result);
    context.fail = (error) => finish(error === undefined || error === null ? new Error('handled') : error);
    let returned;
    try {
      returned = handler(event, context, finish);
    } catch (e) {
      finish(e);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then((result) => finish(null, result), (error) => finish(error === undefined || error === null ? new Error('Rejected with ' + error) : error));
    } else if (handler.length < 3) {
      finish(null, returned);
    }
  });
}

let pendingRequestId = undefined;

async function invokeOnce(handler) {
  const res = await request('GET', '/invocation/next', undefined, {});
  if (res.status !== 200) throw new RuntimeApiError('/invocation/next', res.status, res.body.toString());
  const requestId = res.headers['lambda-runtime-aws-request-id'];
  if (!requestId) throw new RuntimeApiError('/invocation/next', res.status, 'no Lambda-Runtime-Aws-Request-Id header');
  const traceId = res.headers['lambda-runtime-trace-id'];
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;

  currentRequestId = requestId;
  pendingRequestId = requestId;
  const context = createContext(res.headers, Number(res.headers['lambda-runtime-deadline-ms']) || 0);
  const id = encodeURIComponent(requestId);
  let outcome;
  try {
    const text = res.body.toString('utf8');
    let event;
    try {
      event = text.length === 0 ? {} : JSON.parse(text);
    } catch (e) {
      throw initError('Runtime.UnmarshalError', `Unable to parse the event as JSON: ${e.message}`);
    }
    const result = await invokeHandler(handler, event, context);
    outcome = { body: Buffer.from(JSON.stringify(result === undefined ? null : result) ?? 'null') };
  } catch (error) {
    const shape = errorShape(error);
    process.stdout.write(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(shape)}\n`);
    outcome = { error: shape };
  }
  pendingRequestId = undefined;
  try {
    if (outcome.error) {
      const [body, headers] = errorBody(outcome.error);
      await post(`/invocation/${id}/error`, body, headers);
    } else {
      await post(`/invocation/${id}/response`, outcome.body, { 'Content-Type': 'application/json' });
    }
  } catch (e) {
    // 400 (stale request id) or 413 (too large): the host has answered the invocation itself; go on. 500 or a lost
    // connection: exit, the host wants this environment gone.
    if (!(e instanceof RuntimeApiError) || e.status >= 500) throw e;
    process.stderr.write(`${requestId}\tERROR\t${e.message}\n`);
  }
}

async function main() {
  if (!apiHost) {
    process.stderr.write('AWS_LAMBDA_RUNTIME_API is not set: this bootstrap runs under a Lambda host.\n');
    process.exit(2);
  }
  patchConsole();

  // An exception nobody awaits, during an invocation, fails that invocation and ends the environment, as on Lambda.
  const crash = (error) => {
    const shape = errorShape(error);
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\tERROR\tUncaught Exception \t${JSON.stringify(shape)}\n`);
    const [body, headers] = errorBody(shape);
    const target = pendingRequestId ? `/invocation/${encodeURIComponent(pendingRequestId)}/error` : '/init/error';
    post(target, body, headers).catch(() => {}).finally(() => process.exit(129));
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER || '');
  } catch (error) {
    const shape = errorShape(error);
    process.stdout.write(`${new Date().toISOString()}\tundefined\tERROR\tInit Error \t${JSON.stringify(shape)}\n`);
    await postInitError(shape);
    process.exit(1);
  }

  for (;;) {
    try {
      await invokeOnce(handler);
    } catch (error) {
      process.stderr.write(`Runtime API unavailable, exiting: ${error.message}\n`);
      process.exit(2);
    }
  }
}

main();
