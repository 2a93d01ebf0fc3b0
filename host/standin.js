'use strict';
/**
 * Auth0 Management API stand-in: an HTTP server on 127.0.0.1 serving, from a
 * fixture (see fixture.js), the documented request and response shapes of
 *
 *   POST /oauth/token                                   client credentials (form or JSON)
 *   GET  /api/v2/users/{id}/permissions                 read:users
 *   GET  /api/v2/users/{id}/roles                       read:users + read:roles
 *   GET  /api/v2/users/{id}/effective-permissions       read:user_effective_permissions
 *   GET  /api/v2/users/{id}/effective-roles             read:user_effective_roles
 *   GET  /api/v2/roles                                  read:roles (name_filter)
 *   GET  /api/v2/roles/{id}/permissions                 read:roles
 *
 * with bearer tokens and scopes, token-bucket rate limits, deterministic fault injection
 * (faults.js) and request counting.
 *
 * Behaviour where Auth0's documentation leaves room:
 * - `{id}` is the path segment decoded with decodeURIComponent exactly once; a raw `/` in an id
 *   splits the path and matches no route (404 "Not Found", not "inexistent_user").
 * - Offset paging (`page`, `per_page`, `include_totals`): without `page` and `per_page` the first
 *   `defaultPerPage` (50) items are returned, like Public Cloud; `per_page` above `maxPerPage` is
 *   capped silently; `per_page` < 1 or non-integers → 400.
 * - Cursor paging (`take`, `from`): take defaults to 50, 1..100 else 400; `from` is opaque; the
 *   last page has no `next`. Group-derived effective permissions carry the source "groups".
 * - Rate-limit headers are sent only when a bucket is configured for the route. `x-ratelimit-reset`
 *   is the UNIX second by which at least one more request is available.
 * - Issued tokens are random, JWT-shaped (~1 kB), unrelated to the client secret; their payload
 *   carries `exp` so a client may read it. Only tokens issued by this instance are accepted.
 */
const http = require('node:http');
const crypto = require('node:crypto');
const { loadFixture, indexFixture } = require('./fixture');
const { compileFaults } = require('./faults');

/** Rate limits from Auth0's published policy: Free 2 burst / 2 per s; Essentials "Read Users" 40 / 500 per min. */
const RATE_LIMIT_PRESETS = Object.freeze({
  free: Object.freeze({ burst: 2, perSecond: 2 }),
  paid: Object.freeze({ burst: 40, perSecond: 500 / 60 }),
});

const DEFAULT_SCOPES = Object.freeze([
  'read:users', 'read:roles', 'read:role_members', 'read:user_effective_permissions', 'read:user_effective_roles',
]);

const ROUTE_SCOPES = {
  userPermissions: ['read:users'],
  userRoles: ['read:users', 'read:roles'],
  userEffectivePermissions: ['read:user_effective_permissions'],
  userEffectiveRoles: ['read:user_effective_roles'],
  roles: ['read:roles'],
  rolePermissions: ['read:roles'],
};

const STATUS_TEXT = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

const apiError = (statusCode, message, errorCode) => ({
  status: statusCode,
  body: { statusCode, error: STATUS_TEXT[statusCode] || 'Error', message, ...(errorCode ? { errorCode } : {}) },
});
const oauthError = (status, error, description) => ({ status, body: { error, error_description: description } });
const TOO_MANY = () => apiError(429, 'Global limit has been reached', 'too_many_requests');
const badQuery = (message) => apiError(400, message, 'invalid_query_string');

/** Token bucket: `burst` capacity, refilled continuously at `perSecond`. */
class TokenBucket {
  constructor({ burst, perSecond }, now) {
    if (!(burst >= 1) || !(perSecond > 0)) throw new TypeError('rate limit needs burst >= 1 and perSecond > 0');
    this.burst = burst;
    this.perSecond = perSecond;
    this.now = now;
    this.tokens = burst;
    this.last = now();
  }

  /** Take one token. @returns {{ok: boolean, headers: Record<string, string>}} */
  take() {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    const ok = this.tokens >= 1;
    if (ok) this.tokens -= 1;
    const whole = Math.floor(this.tokens);
    const msToNext = this.tokens >= this.burst ? 0 : ((whole + 1 - this.tokens) / this.perSecond) * 1000;
    return {
      ok,
      headers: {
        'x-ratelimit-limit': String(this.burst),
        'x-ratelimit-remaining': String(whole),
        'x-ratelimit-reset': String(Math.ceil((now + msToNext) / 1000)),
      },
    };
  }
}

const resolveRateLimit = (rl) => (typeof rl === 'string' ? RATE_LIMIT_PRESETS[rl] : rl) || null;

/** Route a request: `{route, params}`; params are decoded once. Throws URIError on bad encoding. */
function route(method, rawPath) {
  const seg = rawPath.split('/');
  if (seg[0] !== '') return { route: 'unknown' };
  if (method === 'POST' && rawPath === '/oauth/token') return { route: 'token' };
  if (method !== 'GET' || seg[1] !== 'api' || seg[2] !== 'v2') return { route: 'unknown' };
  if (seg[3] === 'users' && seg.length === 6 && seg[4] !== '') {
    const name = {
      permissions: 'userPermissions', roles: 'userRoles',
      'effective-permissions': 'userEffectivePermissions', 'effective-roles': 'userEffectiveRoles',
    }[seg[5]];
    if (name) return { route: name, id: decodeURIComponent(seg[4]) };
  }
  if (seg[3] === 'roles' && seg.length === 4) return { route: 'roles' };
  if (seg[3] === 'roles' && seg.length === 6 && seg[4] !== '' && seg[5] === 'permissions') {
    return { route: 'rolePermissions', id: decodeURIComponent(seg[4]) };
  }
  return { route: 'unknown' };
}

function parseBool(q, name) {
  const v = q.get(name);
  if (v === null) return { value: false };
  if (v === 'true' || v === 'false') return { value: v === 'true' };
  return { error: badQuery(`Query validation error: 'Expected type boolean but found type string' on property ${name}`) };
}

function parseInteger(q, name, min) {
  const v = q.get(name);
  if (v === null) return { value: undefined };
  if (!/^\d+$/.test(v) || Number(v) < min) {
    return { error: badQuery(`Query validation error: '${name}' must be an integer >= ${min}`) };
  }
  return { value: Number(v) };
}

/** Offset paging as the Management API does it: array, or `{start, limit, total, [key]}`. */
function offsetPage(items, key, q, { maxPerPage, defaultPerPage }) {
  const page = parseInteger(q, 'page', 0);
  const perPage = parseInteger(q, 'per_page', 1);
  const totals = parseBool(q, 'include_totals');
  const err = page.error || perPage.error || totals.error;
  if (err) return err;
  const limit = Math.min(perPage.value === undefined ? defaultPerPage : perPage.value, maxPerPage);
  const start = (page.value || 0) * limit;
  const slice = items.slice(start, start + limit);
  return { status: 200, body: totals.value ? { start, limit, total: items.length, [key]: slice } : slice };
}

const encodeCursor = (offset) => Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
function decodeCursor(from) {
  try {
    const { o } = JSON.parse(Buffer.from(from, 'base64url').toString('utf8'));
    return Number.isInteger(o) && o >= 0 ? o : null;
  } catch { return null; }
}

/** Cursor paging (`take`, `from`, `next`). */
function cursorPage(items, key, q) {
  const take = parseInteger(q, 'take', 1);
  if (take.error) return take.error;
  if (take.value !== undefined && take.value > 100) return badQuery("Query validation error: 'take' must be <= 100");
  const n = take.value === undefined ? 50 : take.value;
  let offset = 0;
  if (q.get('from') !== null && q.get('from') !== '') {
    offset = decodeCursor(q.get('from'));
    if (offset === null) return badQuery("Query validation error: invalid 'from' cursor");
  }
  const slice = items.slice(offset, offset + n);
  const body = { [key]: slice };
  if (offset + n < items.length) body.next = encodeCursor(offset + n);
  return { status: 200, body };
}

function readBody(req, limit = 64 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { reject(new Error('body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A random JWT-shaped token of about 1 kB; nothing in it is derived from the client secret. */
function mintOpaqueToken({ iss, sub, aud, scope, iat, exp }) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = b64({ alg: 'RS256', typ: 'JWT', kid: crypto.randomBytes(16).toString('base64url') });
  const payload = b64({
    iss, sub, aud, iat, exp, scope, gty: 'client-credentials', azp: sub.replace(/@clients$/, ''),
    jti: crypto.randomBytes(24).toString('base64url'),
  });
  const signature = crypto.randomBytes(256).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

const oversizePages = new Map();
/** One `include_totals` page of `items` permissions as JSON bytes, made once per size (600,000 is 88 MB). */
function oversizePage(items) {
  if (!oversizePages.has(items)) {
    const one = '{"permission_name":"big:item","description":"an oversize page","resource_server_name":"API","resource_server_identifier":"https://api.example.com"}';
    // Kept as bytes: each answer then costs the stand-in no encoding, so a test times the client.
    oversizePages.set(items, Buffer.from(`{"start":0,"limit":${items},"total":${items},"permissions":[${`${one},`.repeat(items - 1)}${one}]}`));
  }
  return oversizePages.get(items);
}

/** Builds an oversize page when the fault spec is set, so that no request pays for it. */
function prepareOversize(spec) {
  const rule = spec && spec.oversize;
  if (rule) oversizePage(rule.items === undefined ? 600000 : rule.items);
}

function emptyCounts() {
  return { total: 0, token: 0, byRoute: {}, byStatus: {}, faults: {} };
}

/**
 * Start a stand-in on 127.0.0.1 on a free port.
 *
 * @param {object} options
 * @param {object|string} options.fixture fixture object or path to a JSON file (see fixture.js)
 * @param {string} [options.domain='tenant.local.test'] tenant domain; the audience is `https://<domain>/api/v2/`
 * @param {string} [options.clientId='standin-client'] the one M2M client accepted by /oauth/token
 * @param {string} [options.clientSecret] its secret (default: random per start)
 * @param {string[]} [options.scopes] scopes granted to the client
 * @param {number} [options.tokenLifetimeSec=86400] `expires_in` of issued tokens
 * @param {null|'free'|'paid'|{burst: number, perSecond: number}} [options.rateLimit=null] bucket for /api/v2
 * @param {null|'free'|'paid'|{burst: number, perSecond: number}} [options.tokenRateLimit=null] bucket for /oauth/token
 * @param {number} [options.maxPerPage=100] `per_page` cap (set 50 to model Public Cloud tenants)
 * @param {number} [options.defaultPerPage=50] page size when `per_page` is not sent
 * @param {object} [options.faults] initial fault spec (see faults.js)
 * @param {() => number} [options.now=Date.now] clock for buckets and token expiry
 * @param {number} [options.port=0] port (0 = free port)
 * @returns {Promise<{url: string, domain: string, audience: string, clientId: string, clientSecret: string,
 *   scopes: string[], counts: {total: number, token: number, byRoute: object, byStatus: object, faults: object},
 *   requests: {method: string, path: string, route: string, status: number|string}[],
 *   resetCounts: () => void, setFaults: (spec: object|null) => void, revokeTokens: () => void,
 *   close: () => Promise<void>}>}
 */
async function startStandIn({
  fixture,
  domain = 'tenant.local.test',
  clientId = 'standin-client',
  clientSecret = crypto.randomBytes(32).toString('base64url'),
  scopes = DEFAULT_SCOPES,
  tokenLifetimeSec = 86400,
  rateLimit = null,
  tokenRateLimit = null,
  maxPerPage = 100,
  defaultPerPage = 50,
  faults = null,
  now = Date.now,
  port = 0,
} = {}) {
  const data = indexFixture(loadFixture(fixture));
  const audience = `https://${domain}/api/v2/`;
  const granted = [...scopes];
  const pageOpts = { maxPerPage, defaultPerPage: Math.min(defaultPerPage, maxPerPage) };
  const apiBucket = resolveRateLimit(rateLimit) && new TokenBucket(resolveRateLimit(rateLimit), now);
  const tokenBucket = resolveRateLimit(tokenRateLimit) && new TokenBucket(resolveRateLimit(tokenRateLimit), now);
  let injector = compileFaults(faults);
  prepareOversize(faults);
  /** @type {Map<string, {scopes: string[], exp: number}>} */
  let tokens = new Map();
  const counts = emptyCounts();
  const requests = [];
  const sockets = new Set();
  const timers = new Set();
  let closing = false;

  const bump = (obj, k) => { obj[k] = (obj[k] || 0) + 1; };
  const delay = (ms) => new Promise((resolve) => {
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    timers.add(t);
  });

  async function handleToken(req) {
    let params;
    let raw;
    try { raw = await readBody(req); } catch { return oauthError(400, 'invalid_request', 'Request body too large'); }
    const type = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    if (type === 'application/x-www-form-urlencoded') {
      params = Object.fromEntries(new URLSearchParams(raw));
    } else if (type === 'application/json') {
      try { params = JSON.parse(raw); } catch { return oauthError(400, 'invalid_request', 'Invalid JSON body'); }
      if (!params || typeof params !== 'object') return oauthError(400, 'invalid_request', 'Invalid JSON body');
    } else {
      return oauthError(400, 'invalid_request', 'Unsupported content type; use application/x-www-form-urlencoded or application/json');
    }
    if (!params.grant_type) return oauthError(400, 'invalid_request', 'Missing required parameter: grant_type');
    if (params.grant_type !== 'client_credentials') {
      return oauthError(403, 'unauthorized_client', `Grant type '${params.grant_type}' not allowed for the client.`);
    }
    const idOk = typeof params.client_id === 'string' && params.client_id === clientId;
    const given = Buffer.from(String(params.client_secret || ''));
    const expected = Buffer.from(clientSecret);
    const secretOk = given.length === expected.length && crypto.timingSafeEqual(given, expected);
    if (!idOk || !secretOk) return oauthError(401, 'access_denied', 'Unauthorized');
    if (!params.audience) return oauthError(403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
    if (params.audience !== audience) return oauthError(403, 'access_denied', `Service not enabled within domain: ${params.audience}`);
    let tokenScopes = granted;
    if (typeof params.scope === 'string' && params.scope.trim()) {
      const asked = params.scope.split(/\s+/).filter(Boolean);
      const missing = asked.filter((s) => !granted.includes(s));
      if (missing.length) return oauthError(403, 'access_denied', `Client has not been granted scopes: ${missing.join(' ')}`);
      tokenScopes = asked;
    }
    const iat = Math.floor(now() / 1000);
    const scope = tokenScopes.join(' ');
    const accessToken = mintOpaqueToken({
      iss: `https://${domain}/`, sub: `${clientId}@clients`, aud: audience, scope, iat, exp: iat + tokenLifetimeSec,
    });
    tokens.set(accessToken, { scopes: tokenScopes, exp: now() + tokenLifetimeSec * 1000 });
    return {
      status: 200,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
      body: { access_token: accessToken, expires_in: tokenLifetimeSec, scope, token_type: 'Bearer' },
    };
  }

  function authorize(req, name) {
    const header = req.headers.authorization;
    const m = typeof header === 'string' && /^Bearer\s+(\S+)$/i.exec(header);
    const unauthorized = (message) => ({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message, attributes: { error: message } } });
    if (!m) return unauthorized('Missing authentication');
    const tok = tokens.get(m[1]);
    if (!tok) return unauthorized('Invalid token');
    if (tok.exp <= now()) return unauthorized('Expired token received for JSON Web Token validation');
    const needed = ROUTE_SCOPES[name];
    if (!needed.every((s) => tok.scopes.includes(s))) {
      const message = needed.length === 1
        ? `Insufficient scope, expected any of: ${needed[0]}`
        : `Insufficient scope, expected all of: ${needed.join(', ')}`;
      return apiError(403, message, 'insufficient_scope');
    }
    return null;
  }

  function handleApi(name, id, q) {
    const user = () => data.users.get(id);
    const noUser = () => apiError(404, 'The user does not exist.', 'inexistent_user');
    switch (name) {
      case 'userPermissions': return user() ? offsetPage(data.userPermissions(user()), 'permissions', q, pageOpts) : noUser();
      case 'userRoles': return user() ? offsetPage(data.userRoles(user()), 'roles', q, pageOpts) : noUser();
      case 'userEffectivePermissions': {
        const rs = q.get('resource_server_identifier');
        if (!rs) return badQuery('Query validation error: Missing required property: resource_server_identifier');
        return user() ? cursorPage(data.effectivePermissions(user(), rs), 'permissions', q) : noUser();
      }
      case 'userEffectiveRoles':
        return user() ? cursorPage(data.userRoles(user()).map((r) => ({ ...r, sources: ['direct'] })), 'roles', q) : noUser();
      case 'roles': {
        const filter = q.get('name_filter');
        const all = data.allRoles();
        const list = filter ? all.filter((r) => String(r.name).toLowerCase().includes(filter.toLowerCase())) : all;
        return offsetPage(list, 'roles', q, pageOpts);
      }
      case 'rolePermissions': {
        const role = data.roles.get(id);
        if (!role) return apiError(404, 'The role does not exist.', 'inexistent_role');
        return offsetPage(data.rolePermissions(role), 'permissions', q, pageOpts);
      }
      default: return apiError(404, 'Not Found');
    }
  }

  function send(res, entry, { status, body, headers = {} }, mutate) {
    const kind = mutate && mutate.kind;
    let text;
    if (kind === 'oversize' && status < 300) text = oversizePage(mutate.items);
    else if (kind === 'tokenValue' && status < 300 && body && body.access_token) text = JSON.stringify({ ...body, access_token: mutate.value });
    else text = JSON.stringify(body);
    if (kind === 'wrongShape' && status < 300) text = JSON.stringify(Array.isArray(body) ? { data: body } : [body]);
    if (kind === 'malformedJson') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    entry.status = status;
    bump(counts.byStatus, String(status));
    const length = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    if (kind === 'oversize' && mutate.chunked) {
      // No content-length: the client learns the size only while reading.
      res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
      res.end(text);
      return;
    }
    res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': length });
    res.end(text);
  }

  async function handle(req, res) {
    const rawUrl = req.url || '/';
    const qIndex = rawUrl.indexOf('?');
    const rawPath = qIndex === -1 ? rawUrl : rawUrl.slice(0, qIndex);
    const q = new URLSearchParams(qIndex === -1 ? '' : rawUrl.slice(qIndex + 1));
    let r;
    let badUri = false;
    try { r = route(req.method, rawPath); } catch { r = { route: 'unknown' }; badUri = true; }
    counts.total += 1;
    if (r.route === 'token') counts.token += 1;
    bump(counts.byRoute, r.route);
    const entry = { method: req.method, path: rawUrl, route: r.route, status: null };
    requests.push(entry);
    if (requests.length > 10000) requests.shift();

    const decision = injector.decide(r.route);
    for (const kind of decision.fired) bump(counts.faults, kind);
    if (decision.latencyMs > 0) {
      await delay(decision.latencyMs);
      if (closing) { req.socket.destroy(); return; }
    }
    const t = decision.terminal;
    if (t && t.kind === 'reset') {
      entry.status = 'reset';
      bump(counts.byStatus, 'reset');
      req.socket.destroy();
      return;
    }
    if (t && t.kind === 'hang') {
      entry.status = 'hang';
      bump(counts.byStatus, 'hang');
      return;
    }
    if (t && t.kind === 'redirect') {
      entry.status = t.status;
      bump(counts.byStatus, String(t.status));
      res.writeHead(t.status, { location: t.location, 'content-length': 0 });
      res.end();
      return;
    }
    if (t && t.kind === 'status5xx') {
      send(res, entry, apiError(t.status, STATUS_TEXT[t.status] ? `${STATUS_TEXT[t.status]} (injected fault)` : 'Injected fault'));
      return;
    }

    const bucket = r.route === 'token' ? tokenBucket : (r.route === 'unknown' ? null : apiBucket);
    const taken = bucket ? bucket.take() : null;
    const rlHeaders = taken ? taken.headers : {};
    if (t && t.kind === 'status429') {
      send(res, entry, { ...TOO_MANY(), headers: { ...rlHeaders, 'x-ratelimit-remaining': '0' } });
      return;
    }
    if (taken && !taken.ok) {
      send(res, entry, { ...TOO_MANY(), headers: rlHeaders });
      return;
    }

    let out;
    if (badUri) out = apiError(400, 'URI malformed', 'invalid_uri');
    else if (r.route === 'token') out = await handleToken(req);
    else if (r.route === 'unknown') out = apiError(404, 'Not Found');
    else out = authorize(req, r.route) || handleApi(r.route, r.id, q);
    send(res, entry, { ...out, headers: { ...rlHeaders, ...(out.headers || {}) } }, decision.mutate);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent && !res.destroyed) send(res, { status: null }, apiError(500, `stand-in error: ${e.message}`));
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
    domain,
    audience,
    clientId,
    clientSecret,
    scopes: granted,
    counts,
    requests,
    server,
    /** Zero every counter (the `counts` object stays the same object). */
    resetCounts() {
      const fresh = emptyCounts();
      for (const k of Object.keys(counts)) delete counts[k];
      Object.assign(counts, fresh);
      requests.length = 0;
    },
    /** Replace the fault spec (null clears it). See faults.js. */
    setFaults(spec) { injector = compileFaults(spec); prepareOversize(spec); },
    /** Invalidate every token issued so far: later requests with them get 401. */
    revokeTokens() { tokens = new Map(); },
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
