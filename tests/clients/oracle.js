'use strict';
// The harness every Node oracle script shares. A script names observations; each one records either the value the
// SDK returned or the error it surfaced ({name, code, message, status}). The C# tests assert on that JSON, so the
// expectations live in one place and a failing check points at one observation.
// Usage: node <script>.js <endpoint-url>. The result is one JSON object on the last line of stdout.

function describeError(e) {
  return {
    name: e && e.name,
    code: e && (e.code || (e.Code) || e.name),
    message: e && e.message,
    status: e && (e.statusCode || (e.$metadata && e.$metadata.httpStatusCode)),
    // v3 models error types as classes: record which modeled class the SDK chose.
    constructorName: e && e.constructor && e.constructor.name,
  };
}

// Buffers, Uint8Arrays, Sets, Dates and bigints have no plain JSON form; give each one that keeps its type visible.
function plain(value) {
  if (value === undefined) return null;
  if (value === null) return null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { $binary: Buffer.from(value).toString('base64') };
  if (value instanceof Set) return { $set: Array.from(value, plain) };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    // aws-sdk v2 DocumentClient sets: {wrapperName: 'Set', values, type}.
    if (value.wrapperName === 'Set' && Array.isArray(value.values)) return { $set: value.values.map(plain), type: value.type };
    const out = {};
    for (const key of Object.keys(value)) {
      if (key === '$metadata' || key === '$response') continue;
      out[key] = plain(value[key]);
    }
    return out;
  }
  return value;
}

async function run(body) {
  const endpoint = process.argv[2];
  if (!endpoint) {
    console.error('usage: node script.js <endpoint-url>');
    process.exit(2);
  }
  const observations = {};
  const stats = {};
  let failures = 0;
  // Every observation is bounded: a hung SDK call becomes a recorded timeout instead of a hung test.
  async function observe(name, fn, timeoutMs = 15000) {
    if (Object.prototype.hasOwnProperty.call(observations, name)) throw new Error('duplicate observation ' + name);
    let timer;
    try {
      const value = await Promise.race([
        fn(),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('observation timed out')), timeoutMs); }),
      ]);
      observations[name] = { ok: true, value: plain(value) };
    } catch (e) {
      failures++;
      observations[name] = { ok: false, error: describeError(e) };
    } finally {
      clearTimeout(timer);
    }
  }
  let fatal = null;
  try {
    await body({ endpoint, observe, stats });
  } catch (e) {
    fatal = describeError(e);
  }
  process.stdout.write('\n' + JSON.stringify({ observations, stats, errors: failures, fatal }) + '\n');
  // Keep-alive agents would hold the event loop open; the result is written, so leave now.
  process.exit(0);
}

module.exports = { run, plain };
