'use strict';
/**
 * Auth0 Management API model: what the stand-in answers, without any transport. Two transports
 * serve it: standin.js (HTTP on 127.0.0.1) and standin-fetch.js (an in-process `fetch` returning
 * real `Response` objects). From a fixture (see fixture.js) it answers the documented request and
 * response shapes of
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
 * - Cursor paging (`take`, `from`): take defaults to 50, 1..100 else 400; the last page has no
 *   `next`. The cursor is opaque to clients; it is the one cursor format of this package
 *   (cursor.js: base64url of `{"o":offset}`, as the host's `api.roles` pages too); anything else →
 *   400. Group-derived effective permissions (the permissions of the user's groups' roles and the
 *   fixture's `groupPermissions`) carry the source "groups"; `/users/{id}/permissions` and
 *   `/users/{id}/roles` have neither (Auth0: direct assignments and directly assigned roles only).
 *   `/users/{id}/effective-roles` lists the direct roles (sources ["direct"]) and the group roles
 *   (["groups"], or both). Organization member roles are in none of these routes.
 * - Rate-limit headers are sent only when a bucket is configured for the route. `x-ratelimit-reset`
 *   is the UNIX second by which at least one more request is available.
 * - Issued tokens are random, JWT-shaped (~1 kB), unrelated to the client secret; their payload
 *   carries `exp` so a client may read it. Only tokens issued by this instance are accepted.
 *
 * `handle(request)` takes a plain request and returns a plain response at once (no I/O, no waiting):
 *
 *   request  {method, path, headers, body, bodyTooLarge?}: `path` as sent (raw, with the query),
 *            header names in lower case, `body` the request body as text
 *   response {status, headers, body, chunked, delayMs, drop}: `body` a Buffer; `chunked`: send it
 *            without content-length; `delayMs`: the transport waits that long before answering (a
 *            latency fault); `drop`: 'reset' (the connection is cut, no answer) or 'hang' (no answer
 *            until the client gives up or the transport closes), else null
 *
 * Everything is decided on arrival (counts, faults, rate limits, tokens); only the delivery waits.
 */
const crypto = require('node:crypto');
const { loadFixture, indexFixture } = require('./fixture');
const { compileFaults } = require('./faults');
const { encodeCursor, decodeCursor } = require('./cursor');

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

const JSON_TYPE = 'application/json; charset=utf-8';
/** Answers of at most this many bytes are one chunk; larger ones are streamed in chunks of this size. */
const CHUNK_BYTES = 64 * 1024;
/** Largest request body read (the token request is the only one with a body). */
const MAX_REQUEST_BODY_BYTES = 64 * 1024;
/** Requests kept in `requests` (the oldest are dropped). */
const KEPT_REQUESTS = 10000;

const apiError = (statusCode, message, errorCode) => ({
  status: statusCode,
  body: { statusCode, error: STATUS_TEXT[statusCode] || 'Error', message, ...(errorCode ? { errorCode } : {}) },
});
const oauthError = (status, error, description) => ({ status, body: { error, error_description: description } });
const TOO_MANY = () => apiError(429, 'Global limit has been reached', 'too_many_requests');
const badQuery = (message) => apiError(400, message, 'invalid_query_string');
const unauthorized = (message) => ({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message, attributes: { error: message } } });

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

/** Route a request: `{route, id}`; the id is decoded once. Throws URIError on bad encoding. */
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
    // Kept as bytes: each answer then costs the model no encoding, so a test times the client.
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

const timingSafeEqualText = (a, b) => {
  const given = Buffer.from(String(a));
  const expected = Buffer.from(String(b));
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
};

/**
 * Create a Management API model.
 *
 * @param {object} options
 * @param {object|string} options.fixture fixture object or path to a JSON file (see fixture.js)
 * @param {string} [options.domain='tenant.local.test'] tenant domain; the audience is `https://<domain>/api/v2/`
 * @param {string} [options.clientId='standin-client'] the one M2M client accepted by /oauth/token
 * @param {string} [options.clientSecret] its secret (default: random per model)
 * @param {string[]} [options.scopes] scopes granted to the client
 * @param {number} [options.tokenLifetimeSec=86400] `expires_in` of issued tokens
 * @param {null|'free'|'paid'|{burst: number, perSecond: number}} [options.rateLimit=null] bucket for /api/v2
 * @param {null|'free'|'paid'|{burst: number, perSecond: number}} [options.tokenRateLimit=null] bucket for /oauth/token
 * @param {number} [options.maxPerPage=100] `per_page` cap (set 50 to model Public Cloud tenants)
 * @param {number} [options.defaultPerPage=50] page size when `per_page` is not sent
 * @param {object} [options.faults] initial fault spec (see faults.js)
 * @param {() => number} [options.now=Date.now] clock for buckets and token expiry
 * @param {(clientId: string, clientSecret: string) => boolean} [options.acceptClient] which client
 *   credentials /oauth/token accepts (default: exactly clientId and clientSecret)
 * @param {(audience: string) => boolean} [options.acceptAudience] which audiences it accepts
 *   (default: exactly the tenant's)
 * @param {(claims: {iss: string, sub: string, aud: string, scope: string, iat: number, exp: number}) => string} [options.mintToken]
 *   makes each issued token (default: random, JWT-shaped, ~1 kB)
 * @param {boolean} [options.cacheAnswers=false] keep the serialized answer of each data URL and send it
 *   again for the same path and query (the fixture does not change: same answer, no serializing per request)
 * @param {string[]|null} [options.permissionFields=null] permission items carry only these fields, in
 *   Auth0's order (default: all of them: permission_name, description, resource_server_name,
 *   resource_server_identifier, sources)
 */
function createModel({
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
  acceptClient = null,
  acceptAudience = null,
  mintToken = mintOpaqueToken,
  cacheAnswers = false,
  permissionFields = null,
} = {}) {
  const data = indexFixture(loadFixture(fixture));
  const audience = `https://${domain}/api/v2/`;
  const granted = [...scopes];
  const pageOpts = { maxPerPage, defaultPerPage: Math.min(defaultPerPage, maxPerPage) };
  const apiBucket = resolveRateLimit(rateLimit) && new TokenBucket(resolveRateLimit(rateLimit), now);
  const tokenBucket = resolveRateLimit(tokenRateLimit) && new TokenBucket(resolveRateLimit(tokenRateLimit), now);
  const clientOk = acceptClient || ((id, secret) => id === clientId && timingSafeEqualText(secret, clientSecret));
  const audienceOk = acceptAudience || ((aud) => aud === audience);
  let injector = compileFaults(faults);
  prepareOversize(faults);
  /** @type {Map<string, {scopes: string[], exp: number}>} */
  let tokens = new Map();
  /** @type {Map<string, {status: number, text: string, bytes: Buffer}>} data answers by path, when cacheAnswers */
  const answers = new Map();
  const counts = emptyCounts();
  const requests = [];

  const bump = (obj, k) => { obj[k] = (obj[k] || 0) + 1; };

  function handleToken(request) {
    if (request.bodyTooLarge) return oauthError(400, 'invalid_request', 'Request body too large');
    const raw = request.body || '';
    let params;
    const type = String(request.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
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
    const id = typeof params.client_id === 'string' ? params.client_id : null;
    if (id === null || !clientOk(id, String(params.client_secret || ''))) return oauthError(401, 'access_denied', 'Unauthorized');
    if (!params.audience) return oauthError(403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
    if (!audienceOk(params.audience)) return oauthError(403, 'access_denied', `Service not enabled within domain: ${params.audience}`);
    let tokenScopes = granted;
    if (typeof params.scope === 'string' && params.scope.trim()) {
      const asked = params.scope.split(/\s+/).filter(Boolean);
      const missing = asked.filter((s) => !granted.includes(s));
      if (missing.length) return oauthError(403, 'access_denied', `Client has not been granted scopes: ${missing.join(' ')}`);
      tokenScopes = asked;
    }
    const iat = Math.floor(now() / 1000);
    const scope = tokenScopes.join(' ');
    const accessToken = mintToken({
      iss: `https://${domain}/`, sub: `${id}@clients`, aud: audience, scope, iat, exp: iat + tokenLifetimeSec,
    });
    tokens.set(accessToken, { scopes: tokenScopes, exp: now() + tokenLifetimeSec * 1000 });
    return {
      status: 200,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
      body: { access_token: accessToken, expires_in: tokenLifetimeSec, scope, token_type: 'Bearer' },
    };
  }

  function authorize(request, name) {
    const header = request.headers.authorization;
    const m = typeof header === 'string' && /^Bearer\s+(\S+)$/i.exec(header);
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

  /** Permission items with only `permissionFields` (in the items' own order), when set. */
  const kept = permissionFields && new Set(permissionFields);
  const items = (list) => (kept ? list.map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => kept.has(k)))) : list);

  function handleApi(name, id, q) {
    const user = () => data.user(id);
    const noUser = () => apiError(404, 'The user does not exist.', 'inexistent_user');
    switch (name) {
      case 'userPermissions': return user() ? offsetPage(items(data.userPermissions(user())), 'permissions', q, pageOpts) : noUser();
      case 'userRoles': return user() ? offsetPage(data.userRoles(user()), 'roles', q, pageOpts) : noUser();
      case 'userEffectivePermissions': {
        const rs = q.get('resource_server_identifier');
        if (!rs) return badQuery('Query validation error: Missing required property: resource_server_identifier');
        return user() ? cursorPage(items(data.effectivePermissions(user(), rs)), 'permissions', q) : noUser();
      }
      case 'userEffectiveRoles':
        return user() ? cursorPage(data.effectiveRoleEntries(user()), 'roles', q) : noUser();
      case 'roles': {
        const filter = q.get('name_filter');
        const all = data.allRoles();
        const list = filter ? all.filter((r) => String(r.name).toLowerCase().includes(filter.toLowerCase())) : all;
        return offsetPage(list, 'roles', q, pageOpts);
      }
      case 'rolePermissions': {
        const role = data.roles.get(id);
        if (!role) return apiError(404, 'The role does not exist.', 'inexistent_role');
        return offsetPage(items(data.rolePermissions(role)), 'permissions', q, pageOpts);
      }
      default: return apiError(404, 'Not Found');
    }
  }

  /** The answer of a data route as text: computed, or (cacheAnswers) kept from the first time. */
  function dataAnswer(request, r, query) {
    if (cacheAnswers) {
      const cached = answers.get(request.path);
      if (cached) return cached;
    }
    const out = handleApi(r.route, r.id, new URLSearchParams(query));
    const text = JSON.stringify(out.body);
    const answer = { status: out.status, text, bytes: Buffer.from(text) };
    if (cacheAnswers) answers.set(request.path, answer);
    return answer;
  }

  /** Serialize an answer, applying a body fault (`mutate`) to 2xx answers. */
  function respond(entry, { status, body, text, bytes, headers = {} }, mutate) {
    const kind = mutate && mutate.kind;
    let out = bytes || null;
    let outText = text !== undefined ? text : undefined;
    if (kind === 'oversize' && status < 300) {
      out = oversizePage(mutate.items);
      outText = undefined;
    } else if (kind === 'tokenValue' && status < 300 && body && body.access_token) {
      outText = JSON.stringify({ ...body, access_token: mutate.value });
      out = null;
    } else if (outText === undefined) {
      outText = JSON.stringify(body);
    }
    if (kind === 'wrongShape' && status < 300) {
      const value = body !== undefined ? body : JSON.parse(outText);
      outText = JSON.stringify(Array.isArray(value) ? { data: value } : [value]);
      out = null;
    }
    if (kind === 'malformedJson') {
      const whole = outText !== undefined ? outText : out.toString('utf8');
      outText = whole.slice(0, Math.max(1, Math.floor(whole.length / 2)));
      out = null;
    }
    if (out === null) out = Buffer.from(outText);
    entry.status = status;
    bump(counts.byStatus, String(status));
    const chunked = kind === 'oversize' && mutate.chunked === true;
    // No content-length for a chunked oversize answer: the client learns the size only while reading.
    const lengthHeaders = chunked ? { 'content-type': JSON_TYPE } : { 'content-type': JSON_TYPE, 'content-length': String(out.length) };
    return {
      status, headers: { ...headers, ...lengthHeaders }, body: out, chunked, delayMs: 0, drop: null,
    };
  }

  /**
   * Answer one request (see the module comment for both shapes).
   * @param {{method: string, path: string, headers?: Record<string, string>, body?: string, bodyTooLarge?: boolean}} request
   * @returns {{status: number|null, headers: Record<string, string>, body: Buffer|null, chunked: boolean, delayMs: number, drop: null|'reset'|'hang'}}
   */
  function handle(request) {
    const req = { method: String(request.method || 'GET').toUpperCase(), path: request.path || '/', headers: request.headers || {}, body: request.body, bodyTooLarge: request.bodyTooLarge };
    const qIndex = req.path.indexOf('?');
    const rawPath = qIndex === -1 ? req.path : req.path.slice(0, qIndex);
    const query = qIndex === -1 ? '' : req.path.slice(qIndex + 1);
    let r;
    let badUri = false;
    try { r = route(req.method, rawPath); } catch { r = { route: 'unknown' }; badUri = true; }
    counts.total += 1;
    if (r.route === 'token') counts.token += 1;
    bump(counts.byRoute, r.route);
    const entry = { method: req.method, path: req.path, route: r.route, status: null };
    if (KEPT_REQUESTS > 0) {
      requests.push(entry);
      if (requests.length > KEPT_REQUESTS) requests.shift();
    }

    const decision = injector.decide(r.route);
    for (const kind of decision.fired) bump(counts.faults, kind);
    const delayMs = decision.latencyMs > 0 ? decision.latencyMs : 0;
    const withDelay = (res) => { res.delayMs = delayMs; return res; };
    const t = decision.terminal;
    if (t && (t.kind === 'reset' || t.kind === 'hang')) {
      entry.status = t.kind;
      bump(counts.byStatus, t.kind);
      return {
        status: null, headers: {}, body: null, chunked: false, delayMs, drop: t.kind,
      };
    }
    if (t && t.kind === 'redirect') {
      entry.status = t.status;
      bump(counts.byStatus, String(t.status));
      return {
        status: t.status, headers: { location: t.location, 'content-length': '0' }, body: Buffer.alloc(0), chunked: false, delayMs, drop: null,
      };
    }
    if (t && t.kind === 'status5xx') {
      return withDelay(respond(entry, apiError(t.status, STATUS_TEXT[t.status] ? `${STATUS_TEXT[t.status]} (injected fault)` : 'Injected fault')));
    }

    const bucket = r.route === 'token' ? tokenBucket : (r.route === 'unknown' ? null : apiBucket);
    const taken = bucket ? bucket.take() : null;
    const rlHeaders = taken ? taken.headers : {};
    if (t && t.kind === 'status429') {
      const headers = t.reset === undefined
        ? { ...rlHeaders, 'x-ratelimit-remaining': '0' }
        : { ...rlHeaders, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(now() / 1000) + t.reset) };
      return withDelay(respond(entry, { ...TOO_MANY(), headers }));
    }
    if (taken && !taken.ok) return withDelay(respond(entry, { ...TOO_MANY(), headers: rlHeaders }));
    if (t && t.kind === 'unauthorized') return withDelay(respond(entry, { ...unauthorized('Invalid token'), headers: rlHeaders }));

    let out;
    if (badUri) out = apiError(400, 'URI malformed', 'invalid_uri');
    else if (r.route === 'token') out = handleToken(req);
    else if (r.route === 'unknown') out = apiError(404, 'Not Found');
    else out = authorize(req, r.route) || dataAnswer(req, r, query);
    return withDelay(respond(entry, { ...out, headers: { ...rlHeaders, ...(out.headers || {}) } }, decision.mutate));
  }

  return {
    handle,
    domain,
    audience,
    clientId,
    clientSecret,
    scopes: granted,
    counts,
    requests,
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
  };
}

/**
 * What both transports show of the model: its tenant, credentials, scopes, counters and request log,
 * and the controls tests use.
 */
function modelFace(model) {
  return {
    domain: model.domain,
    audience: model.audience,
    clientId: model.clientId,
    clientSecret: model.clientSecret,
    scopes: model.scopes,
    counts: model.counts,
    requests: model.requests,
    /** Zero every counter (the `counts` object stays the same object). */
    resetCounts: model.resetCounts,
    /** Replace the fault spec (null clears it). See faults.js. */
    setFaults: model.setFaults,
    /** Invalidate every token issued so far: later requests with them get 401. */
    revokeTokens: model.revokeTokens,
  };
}

module.exports = {
  createModel,
  modelFace,
  RATE_LIMIT_PRESETS,
  DEFAULT_SCOPES,
  TokenBucket,
  CHUNK_BYTES,
  MAX_REQUEST_BODY_BYTES,
};
