'use strict';
// The Node.js runtime client for Handshake and for any host that speaks the Lambda Runtime API (2018-06-01).
// One dependency-free file: `node bootstrap.js` with _HANDLER=file.export and LAMBDA_TASK_ROOT=the code directory.
//
// The loop: GET /runtime/invocation/next (no timeout: the environment is frozen while it is pending), run the handler,
// POST /runtime/invocation/{id}/response or /error. Init failures go to /runtime/init/error and the process exits.
// Every call rides one kept-alive connection to the Runtime API.
//
// The programming model is that of AWS's nodejs20.x/nodejs22.x runtime (aws-lambda-nodejs-runtime-interface-client):
// a returned promise answers when it settles, a callback or context.done/succeed/fail answers when called, and
// otherwise the invocation ends when the event loop drains ('beforeExit'): with null for a plain function, with
// Runtime.NodeJsExit for an async one. Errors are posted as {errorType, errorMessage, trace}.
//
// Response streaming as in AWS's runtime: the global `awslambda` has streamifyResponse(handler, options) and
// HttpResponseStream.from(stream, prelude). A streaming handler gets (event, responseStream, context); its answer is
// one POST /response with Lambda-Runtime-Function-Response-Mode: streaming and chunked encoding (each write one
// chunk), and an error after it started is sent in the trailers (Lambda-Runtime-Function-Error-Type, and
// Lambda-Runtime-Function-Error-Body as base64 of the error's JSON).

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

// Response streaming: the marks streamifyResponse leaves on a handler (the symbols AWS's runtime uses, so that a
// library that sets them itself is recognised too), and the headers of a streamed response.
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const HEADER_RESPONSE_MODE = 'Lambda-Runtime-Function-Response-Mode';
const TRAILER_ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';
const TRAILER_ERROR_BODY = 'Lambda-Runtime-Function-Error-Body';
const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

// The runtime's own error types. The name sits on the prototype, so it is also the first word of `stack` (the first
// line of `trace`), as in AWS's runtime.
// The class itself is named `name` too: a JSON log line's errorType is the constructor's name (ImportModuleError).
function runtimeErrorType(name) {
  const type = class extends Error {};
  Object.defineProperty(type, 'name', { value: name });
  type.prototype.name = `Runtime.${name}`;
  return type;
}
const ImportModuleError = runtimeErrorType('ImportModuleError');
const HandlerNotFound = runtimeErrorType('HandlerNotFound');
const MalformedHandlerName = runtimeErrorType('MalformedHandlerName');
const UserCodeSyntaxError = runtimeErrorType('UserCodeSyntaxError');
const MalformedStreamingHandler = runtimeErrorType('MalformedStreamingHandler');
const InvalidStreamingOperation = runtimeErrorType('InvalidStreamingOperation');

// The function-URL form of a streamed response (application/vnd.awslambda.http-integration-response): the JSON
// prelude ({statusCode, headers, cookies}) and 8 NUL bytes go out just before the first byte the handler writes.
class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(8));
    };
    return underlyingStream;
  }
}

// Set before the handler's module loads (it may call streamifyResponse at load time), unless the function opts out
// with AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA, as in AWS's runtime.
function installGlobalAwsLambda() {
  const optOut = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (optOut === '1' || optOut === 'true') return;
  globalThis.awslambda = {
    streamifyResponse: (handler, options) => {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (options && typeof options.highWaterMark === 'number') handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
      return handler;
    },
    HttpResponseStream,
  };
}

// Whether a loaded handler streams: only response streaming exists; any other mark is refused at init.
function isStreamingHandler(handler) {
  const mark = handler[HANDLER_STREAMING];
  if (mark === undefined || mark === null || mark === false) return false;
  if (mark === STREAM_RESPONSE) return true;
  throw new MalformedStreamingHandler('Only response streaming is supported.');
}

// An async handler whose promise was still pending when nothing was left to run: nothing can ever settle it.
class NodeJsExit extends Error {
  constructor() {
    super('The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes');
  }
}
NodeJsExit.prototype.name = 'Runtime.NodeJsExit';

// A rejection nobody handled: the message is the reason as text ("Error: boom"), the reason itself rides along for the log.
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(typeof reason === 'symbol' ? reason.toString() : reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

function looksLikeError(value) {
  return Boolean(value && value.name && value.message && value.stack &&
    typeof value.name === 'string' && typeof value.message === 'string' && typeof value.stack === 'string');
}

// The body posted to /error: an error gives its name, message and whole stack (first line included) as `trace`; any
// other thrown value gives its JavaScript type and its text. DEL is escaped: the type also goes into a header.
function errorResponse(error) {
  try {
    if (util.types.isNativeError(error) || looksLikeError(error)) {
      const clean = (text) => text.replaceAll('\x7F', '%7F');
      return { errorType: clean(error.name), errorMessage: clean(error.message), trace: clean(error.stack).split('\n') };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    // e.g. a stack that is not a string, or a value whose toString throws.
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

// The log line's JSON: the error's own enumerable properties too (code, or an UnhandledPromiseRejection's reason),
// and `stack` as an array. It starts with a tab, so the line reads `Invoke Error <space><tab>{...}` as on Lambda.
function formattedForLog(error) {
  const asError = error instanceof Error ? error : new Error(error);
  const expand = (_key, value) => {
    if (!(value instanceof Error)) return value;
    const out = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
    if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
    return out;
  };
  try {
    return '\t' + JSON.stringify(asError, expand);
  } catch {
    return '\t' + JSON.stringify(errorResponse(asError));
  }
}

// The runtime's own error lines ("Invoke Error", "Uncaught Exception", ...), at level ERROR. In JSON format AWS's
// runtime drops the label and logs the error itself, so the line is {..., "message": {errorType, errorMessage,
// stackTrace, ...}}; a value that is not an error is wrapped in one first.
function logError(label, error) {
  if (jsonLogFormat) console.error(error instanceof Error ? error : new Error(error));
  else console.error(label, formattedForLog(error));
}

function errorBody(response) {
  const headers = { 'Content-Type': ERROR_CONTENT_TYPE };
  // Handshake's host reads the type from this header; a value a header cannot carry is left to the body.
  if (typeof response.errorType === 'string' && /^[\x20-\x7e]*$/.test(response.errorType)) {
    headers['Lambda-Runtime-Function-Error-Type'] = response.errorType;
  }
  return [Buffer.from(JSON.stringify(response)), headers];
}

async function postInitError(error) {
  const [body, headers] = errorBody(errorResponse(error));
  try {
    await post('/init/error', body, headers);
  } catch (e) {
    process.stderr.write(`INIT_ERROR\tcould not post the init error: ${e.message}\n`);
  }
}

// Lambda's handler string: `dir/module.export` or `module.nested.export`; the module is the last path segment up to its
// first dot. Only a syntax error and a missing module are wrapped in Runtime.* types; anything else the module throws
// while it loads is reported as itself (its own type, message and stack), as AWS's runtime does.
async function loadHandler(root, handlerString) {
  if (handlerString.includes('..')) {
    throw new MalformedHandlerName(`'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const base = path.basename(handlerString);
  const moduleRoot = handlerString.slice(0, handlerString.indexOf(base));
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, exportPath] = match;

  let loaded;
  try {
    loaded = await loadModule(root, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && e.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }

  const resolve = (from) => exportPath.split('.').reduce((value, key) => value && value[key], from);
  let fn = resolve(loaded);
  // CommonJS loaded through import() puts module.exports under `default`.
  if (fn === undefined && loaded && loaded.default) fn = resolve(loaded.default);
  if (!fn) throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${handlerString} is not a function`);
  return fn;
}

async function loadModule(root, moduleRoot, moduleName) {
  const file = path.resolve(root, moduleRoot, moduleName);
  if (fs.existsSync(file)) return require(file); // an extensionless file (or a folder), as Lambda loads it
  const found = ['.js', '.mjs', '.cjs'].map((ext) => file + ext).find((candidate) => fs.existsSync(candidate));
  if (found === undefined) {
    // Nothing beside the code: Node's own lookup (node_modules too). Its MODULE_NOT_FOUND gives Lambda's message,
    // "Cannot find module 'x'\nRequire stack:\n- <this runtime's file>".
    return require(require.resolve(moduleName, { paths: [root, path.resolve(root, moduleRoot)] }));
  }
  if (found.endsWith('.mjs')) return import(url.pathToFileURL(found).href);
  try {
    return require(found);
  } catch (e) {
    // A .js file under "type": "module" is ESM: Node 20's require refuses it, dynamic import loads it.
    if (e && e.code === 'ERR_REQUIRE_ESM') return import(url.pathToFileURL(found).href);
    throw e;
  }
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
    // true (the default): a callback's result is posted once the event loop has drained; false: at once.
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

// Logging as AWS's runtime does it (LogPatch in aws-lambda-nodejs-runtime-interface-client 3.x, which nodejs20.x and
// nodejs22.x run): every console method writes one line to stdout, which the platform captures into the log stream.
// AWS_LAMBDA_LOG_FORMAT=JSON (any case) makes each line a JSON object; anything else is text. AWS_LAMBDA_LOG_LEVEL
// (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, any case) drops the methods below it in either format; unset or unknown,
// nothing is dropped. console.log is console.info; console.fatal is added.
const LOG_LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
const CONSOLE_METHODS = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' };
let currentRequestId = undefined;
let jsonLogFormat = false;

function patchConsole() {
  jsonLogFormat = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
  const wanted = (process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase();
  const minimum = Object.hasOwn(LOG_LEVELS, wanted) ? LOG_LEVELS[wanted] : LOG_LEVELS.TRACE;
  const format = jsonLogFormat ? jsonLogLine : textLogLine;
  for (const [method, level] of Object.entries(CONSOLE_METHODS)) {
    // A method below the level does nothing at all: its arguments are not even formatted.
    console[method] = LOG_LEVELS[level] < minimum
      ? () => {}
      : (...args) => process.stdout.write(format(level, args).replace(/\n/g, '\r') + '\n');
  }
  console.log = console.info;
}

// timestamp TAB requestId TAB LEVEL TAB message. A \n in the message becomes \r (above), so one call is one line.
function textLogLine(level, args) {
  return `${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${util.format(...args)}`;
}

// {"timestamp","level","requestId","message"} in that order; requestId is left out before the first invocation. One
// argument is the message as it is, so an object stays an object, and an error in it becomes {errorType (its class's
// name), errorMessage, stackTrace (lines), ...its own enumerable properties}; a value JSON cannot hold (a cycle, a
// BigInt) falls back to its util.format text. Several arguments are util.format'ed into the message, and the first
// error among them (the first argument included) adds errorType, errorMessage and stackTrace at the top level.
function jsonLogLine(level, args) {
  const line = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (args.length <= 1) {
    line.message = args[0];
    try {
      return JSON.stringify(line, errorsAsObjects);
    } catch {
      line.message = util.format(line.message);
      return JSON.stringify(line);
    }
  }
  line.message = util.format(...args);
  const error = args.find((arg) => arg instanceof Error);
  if (error) {
    line.errorType = error.constructor?.name ?? 'UnknownError';
    line.errorMessage = error.message;
    line.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(line);
}

function errorsAsObjects(_key, value) {
  if (!(value instanceof Error)) return value;
  const stackTrace = typeof value.stack === 'string' ? value.stack.split('\n') : value.stack;
  return Object.assign({ errorType: value.constructor?.name ?? 'UnknownError', errorMessage: value.message, stackTrace }, value);
}

// What to do when the event loop drains during an invocation ('beforeExit'): answer it. Unset between invocations,
// when the pending GET /next keeps the loop busy anyway.
let whenLoopEmpty = undefined;

function isPromise(value) {
  return Boolean(value && typeof value.then === 'function');
}

// Runs one handler call and resolves with its outcome, {result} or {error}, taken from whichever answers first:
// - the promise it returned, when it settles (a rejection with no reason fails with the string 'handled');
// - context.done/succeed/fail, at once;
// - the callback: an error at once; a result once the event loop has drained, or at once when the handler set
//   context.callbackWaitsForEmptyEventLoop = false;
// - nothing of that by the time the event loop drains: a plain function (one that returned a value, or called no
//   callback) answers null, its return value ignored; an async function answers Runtime.NodeJsExit, since its
//   promise can no longer settle.
// Only the first call of callback/done/succeed/fail counts; later ones are ignored.
function invokeHandler(handler, isAsync, body, context) {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (outcome) => {
      if (finished) return;
      finished = true;
      whenLoopEmpty = undefined;
      resolve(outcome);
    };
    const answer = (error, result) => finish(error !== undefined && error !== null ? { error } : { result });

    let called = false;
    const first = (fn) => (...args) => {
      if (called || finished) return;
      called = true;
      fn(...args);
    };
    const callback = first((error, result) => {
      if (error !== undefined && error !== null) answer(error);
      else if (!context.callbackWaitsForEmptyEventLoop) answer(null, result);
      else whenLoopEmpty = () => setImmediate(() => answer(null, result));
    });
    context.done = first(answer);
    context.succeed = first((result) => answer(null, result));
    context.fail = first((error) => answer(error === undefined || error === null ? 'handled' : error));

    whenLoopEmpty = isAsync ? () => answer(new NodeJsExit()) : () => answer(null, null);
    try {
      // An event that is not JSON fails the invocation with the parser's SyntaxError, as on Lambda.
      const event = body.length === 0 ? {} : JSON.parse(body);
      const returned = handler(event, context, callback);
      if (isPromise(returned)) returned.then(context.succeed, context.fail);
    } catch (e) {
      callback(e);
    }
  });
}

// The response stream of the invocation in progress, if it streams: an uncaught exception fails it in its trailers.
let currentStream = undefined;

// One streamed POST /response. Returns {responseStream, fail, done}: responseStream is the request itself (a Writable:
// write, end, pipeline all work) with setContentType; fail(error) ends it with the error in the trailers; done settles
// with the Runtime API's answer once the body has ended. Nothing is sent before the first write or end.
function createResponseStream(id, highWaterMark) {
  const req = http.request({
    host: apiHost, port: apiPort, method: 'POST', path: `${API_PREFIX}/invocation/${id}/response`, agent,
    highWaterMark,
    headers: {
      [HEADER_RESPONSE_MODE]: 'streaming',
      'Transfer-Encoding': 'chunked',
      Trailer: `${TRAILER_ERROR_TYPE}, ${TRAILER_ERROR_BODY}`,
      'Content-Type': DEFAULT_STREAM_CONTENT_TYPE,
    },
  });
  const done = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  // Settled by whoever waits for it; a stream nobody waits for (a crash) must not add an unhandled rejection.
  done.catch(() => {});

  let started = false;
  const write = req.write.bind(req);
  const end = req.end.bind(req);
  req.setContentType = (contentType) => {
    if (started) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    req.setHeader('Content-Type', contentType);
  };
  req.write = function (chunk, encoding, callback) {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    if (!started && typeof req._onBeforeFirstWrite === 'function') req._onBeforeFirstWrite((prelude) => write(prelude));
    started = true;
    return write(chunk, encoding, callback);
  };
  req.end = function (chunk, encoding, callback) {
    if (typeof chunk === 'function') return end(chunk);
    if (typeof encoding === 'function') [encoding, callback] = [undefined, encoding];
    if (chunk !== undefined && chunk !== null) req.write(chunk, encoding);
    started = true;
    return end(callback);
  };
  const fail = (error) => {
    if (req.writableEnded || req.destroyed) return;
    const response = errorResponse(error);
    const trailers = { [TRAILER_ERROR_BODY]: Buffer.from(JSON.stringify(response)).toString('base64') };
    // A type a header cannot carry is left to the body, as for /error.
    if (typeof response.errorType === 'string' && /^[\x20-\x7e]*$/.test(response.errorType)) trailers[TRAILER_ERROR_TYPE] = response.errorType;
    req.addTrailers(trailers);
    end();
  };
  return { responseStream: req, fail, done };
}

// A streaming handler's invocation: handler(event, responseStream, context) must return a promise; when it settles
// the stream must have ended. A rejection, a throw, a handler that is not async, or a stream left open fail the
// invocation through the trailers (an open stream is failed at once rather than left to time out).
async function invokeStreaming(handler, id, body, context) {
  const stream = createResponseStream(id, handler[HANDLER_HIGHWATERMARK]);
  currentStream = stream;
  let error;
  try {
    const event = body.length === 0 ? {} : JSON.parse(body);
    const returned = handler(event, stream.responseStream, context);
    if (!isPromise(returned)) {
      error = 'Streaming does not support non-async handlers.';
    } else {
      const result = await returned;
      if (result !== undefined) console.warn('Streaming handlers ignore return values.');
      if (!stream.responseStream.writableEnded) error = 'Response stream is not finished.';
    }
  } catch (e) {
    error = e === undefined || e === null ? 'handled' : e;
  }
  if (error !== undefined) {
    logError('Invoke Error', error);
    stream.fail(error);
  }
  const res = await stream.done;
  currentStream = undefined;
  if (res.status !== 202) throw new RuntimeApiError(`/invocation/${id}/response`, res.status, res.body.toString());
}

// The invocation an uncaught exception fails: set from the event's arrival until the next one (as in AWS's runtime, a
// timer that throws after the answer still ends the environment); undefined during init.
let currentInvocation = undefined;

async function invokeOnce(handler, isAsync, streaming) {
  const res = await request('GET', '/invocation/next', undefined, {});
  if (res.status !== 200) throw new RuntimeApiError('/invocation/next', res.status, res.body.toString());
  const requestId = res.headers['lambda-runtime-aws-request-id'];
  if (!requestId) throw new RuntimeApiError('/invocation/next', res.status, 'no Lambda-Runtime-Aws-Request-Id header');
  const traceId = res.headers['lambda-runtime-trace-id'];
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;

  currentRequestId = requestId;
  currentInvocation = requestId;
  const context = createContext(res.headers, Number(res.headers['lambda-runtime-deadline-ms']) || 0);
  const id = encodeURIComponent(requestId);
  if (streaming) {
    try {
      await invokeStreaming(handler, id, res.body.toString('utf8'), context);
    } catch (e) {
      // As below: 400 or 413 answered, go on; 500 or a lost connection, exit.
      if (!(e instanceof RuntimeApiError) || e.status >= 500) throw e;
      process.stderr.write(`${requestId}\tERROR\t${e.message}\n`);
    }
    return;
  }
  const outcome = await invokeHandler(handler, isAsync, res.body.toString('utf8'), context);
  try {
    if ('error' in outcome) {
      logError('Invoke Error', outcome.error);
      const [body, headers] = errorBody(errorResponse(outcome.error));
      await post(`/invocation/${id}/error`, body, headers);
    } else {
      const text = JSON.stringify(outcome.result === undefined ? null : outcome.result) ?? 'null';
      await post(`/invocation/${id}/response`, Buffer.from(text), { 'Content-Type': 'application/json' });
    }
  } catch (e) {
    // 400 (stale request id) or 413 (too large): the host has answered the invocation itself; go on. 500 or a lost
    // connection: exit, the host wants this environment gone.
    if (!(e instanceof RuntimeApiError) || e.status >= 500) throw e;
    process.stderr.write(`${requestId}\tERROR\t${e.message}\n`);
  }
}

// An error nobody caught fails the current invocation (or init, before the first one) and ends the environment:
// exit 129 after an uncaught exception, 128 after an unhandled rejection, as AWS's runtime exits.
function crash(error, exitCode) {
  if (currentStream) {
    // The invocation's one connection carries its streamed response: the error goes in that response's trailers.
    const stream = currentStream;
    stream.fail(error);
    stream.done.catch(() => {}).finally(() => process.exit(exitCode));
    return;
  }
  const [body, headers] = errorBody(errorResponse(error));
  const target = currentInvocation ? `/invocation/${encodeURIComponent(currentInvocation)}/error` : '/init/error';
  post(target, body, headers).catch(() => {}).finally(() => process.exit(exitCode));
}

async function main() {
  if (!apiHost) {
    process.stderr.write('AWS_LAMBDA_RUNTIME_API is not set: this bootstrap runs under a Lambda host.\n');
    process.exit(2);
  }
  patchConsole();

  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    crash(error, 129);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    crash(error, 128);
  });
  process.on('beforeExit', () => {
    const then = whenLoopEmpty;
    whenLoopEmpty = undefined;
    if (then) then();
  });

  installGlobalAwsLambda();
  let handler;
  let streaming;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER || '');
    streaming = isStreamingHandler(handler);
  } catch (error) {
    // AWS's runtime lets this escape its loader, so it is logged and reported as an uncaught exception.
    logError('Uncaught Exception', error);
    await postInitError(error);
    process.exit(129);
  }
  // As AWS's runtime decides it: by the function's kind, not by what it returns.
  const isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';

  for (;;) {
    try {
      await invokeOnce(handler, isAsync, streaming);
    } catch (error) {
      process.stderr.write(`Runtime API unavailable, exiting: ${error.message}\n`);
      process.exit(2);
    }
  }
}

main();
