'use strict';
/**
 * Auth0 Management API stand-in over HTTP: an HTTP server on 127.0.0.1 serving the Management API
 * model (standin-model.js: routes, scopes, paging, rate limits, faults, counting; the fixture
 * format is in fixture.js, the fault spec in faults.js). The same model is served in-process by
 * standin-fetch.js.
 *
 * This file is the transport: it reads each request (path, headers, body up to 64 kB), hands it to
 * the model, and delivers the answer: after the model's latency, as a status, headers and body; a
 * `reset` destroys the connection, a `hang` leaves it open until the client gives up or close().
 *
 *   node host/standin.js --fixture examples/fixture.json [--port N] [--rate-limit free|paid]
 */
const http = require('node:http');
const {
  createModel, modelFace, RATE_LIMIT_PRESETS, DEFAULT_SCOPES, TokenBucket, MAX_REQUEST_BODY_BYTES,
} = require('./standin-model');

/** The request body as text; `tooLarge` (and the request destroyed) past `limit` bytes. */
function readBody(req, limit = MAX_REQUEST_BODY_BYTES) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { resolve({ tooLarge: true }); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

/**
 * Start a stand-in on 127.0.0.1 on a free port.
 *
 * @param {object} options every option of createModel (standin-model.js: fixture, domain, clientId,
 *   clientSecret, scopes, tokenLifetimeSec, rateLimit, tokenRateLimit, maxPerPage, defaultPerPage,
 *   faults, now, …), and:
 * @param {number} [options.port=0] port (0 = free port)
 * @returns {Promise<{url: string, domain: string, audience: string, clientId: string, clientSecret: string,
 *   scopes: string[], counts: {total: number, token: number, byRoute: object, byStatus: object, faults: object},
 *   requests: {method: string, path: string, route: string, status: number|string}[],
 *   resetCounts: () => void, setFaults: (spec: object|null) => void, revokeTokens: () => void,
 *   close: () => Promise<void>}>}
 */
async function startStandIn({ port = 0, ...options } = {}) {
  const model = createModel(options);
  const sockets = new Set();
  const timers = new Set();
  let closing = false;

  const delay = (ms) => new Promise((resolve) => {
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    timers.add(t);
  });

  async function handle(req, res) {
    let body;
    try { body = await readBody(req); } catch { body = { text: '' }; }
    const answer = model.handle({
      method: req.method, path: req.url || '/', headers: req.headers, body: body.text, bodyTooLarge: body.tooLarge === true,
    });
    if (answer.delayMs > 0) {
      await delay(answer.delayMs);
      if (closing) { req.socket.destroy(); return; }
    }
    if (answer.drop === 'reset') { req.socket.destroy(); return; }
    if (answer.drop === 'hang') return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (res.headersSent || res.destroyed) return;
      const text = JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: `stand-in error: ${e.message}` });
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: actualPort } = server.address();

  return {
    url: `http://127.0.0.1:${actualPort}`,
    ...modelFace(model),
    server,
    /** Stop listening and destroy every connection, hung ones included. */
    async close() {
      if (closing) return;
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise((resolve) => { server.close(() => resolve()); });
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

async function main(argv) {
  const { parseArgs } = require('node:util');
  const { values } = parseArgs({
    args: argv,
    options: {
      fixture: { type: 'string' }, port: { type: 'string', default: '0' }, 'rate-limit': { type: 'string' },
      'client-id': { type: 'string', default: 'demo-client' }, 'max-per-page': { type: 'string', default: '100' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.fixture) {
    process.stdout.write('usage: node host/standin.js --fixture FILE [--port N] [--rate-limit free|paid] [--client-id ID] [--max-per-page N]\n');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const s = await startStandIn({
    fixture: values.fixture, port: Number(values.port), rateLimit: values['rate-limit'] || null,
    clientId: values['client-id'], maxPerPage: Number(values['max-per-page']),
  });
  process.stdout.write(`${JSON.stringify({
    url: s.url, domain: s.domain, audience: s.audience, clientId: s.clientId, clientSecret: s.clientSecret,
  }, null, 2)}\n`);
  const stop = () => { s.close().then(() => process.stdout.write(`served ${s.counts.total} requests\n`)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(2); });
}

module.exports = { startStandIn, RATE_LIMIT_PRESETS, DEFAULT_SCOPES, TokenBucket };
