'use strict';
/**
 * An in-process Management API behind a stubbed `globalThis.fetch` (no sockets, instant answers):
 * /oauth/token, /api/v2/users/{id}/permissions, /effective-permissions, /api/v2/roles and
 * /api/v2/roles/{id}/permissions, with bearer checks (unknown tokens get 401) and the documented
 * page shapes. What it serves is a pure function of the request, so a test can compute the
 * permissions a login must end with (see `model`).
 */
const { fnv32 } = require('./prng');

const API_A = 'https://api.example.com';
const API_B = 'https://other.example.com';

/** Role directory of the stub: names include the odd ones a hostile event may carry. */
const ROLES = [
  { id: 'rol_admin', name: 'admin', permissions: ['admin:all', 'read:reports', 'write:reports'] },
  { id: 'rol_editor', name: 'editor', permissions: ['write:reports', 'read:reports'] },
  { id: 'rol_reader', name: 'reader', permissions: ['read:reports'] },
  { id: 'rol_billing', name: 'billing', permissions: ['read:invoices'] },
  { id: 'rol_unicode', name: 'r\u00f4le-\u00fcn\u00ef', permissions: ['read:unicode'] },
  { id: 'rol/odd?#', name: 'a|b', permissions: ['read:odd'] },
  { id: 'rol_empty', name: 'empty', permissions: [] },
].map((r) => ({ ...r, permissions: r.permissions.map((p) => ({ permission_name: p, resource_server_identifier: API_A })) }));

/** Default permissions of a user id: a function of the id only. */
function defaultUserPermissions(userId) {
  const h = fnv32(userId);
  const count = (h % 5) + (h % 13 === 0 ? 150 : 0);
  const out = [];
  for (let j = 0; j < count; j += 1) out.push({ permission_name: `p${h % 1000}:${String(j).padStart(3, '0')}`, resource_server_identifier: API_A });
  out.push({ permission_name: `q${h % 7}`, resource_server_identifier: API_B });
  return out;
}

function effectiveOf(perms, userId, api) {
  const h = fnv32(userId);
  return [...perms.filter((p) => p.resource_server_identifier === api), { permission_name: `group:${h % 10}`, resource_server_identifier: api }];
}

function offsetPage(items, key, q) {
  const perPage = Math.min(Number(q.get('per_page') || 50), 100);
  const page = Number(q.get('page') || 0);
  const start = page * perPage;
  const slice = items.slice(start, start + perPage);
  return q.get('include_totals') === 'true' ? { start, limit: perPage, total: items.length, [key]: slice } : slice;
}

function cursorPage(items, key, q) {
  const take = Math.min(Number(q.get('take') || 50), 100);
  const from = q.get('from') ? Number(q.get('from')) : 0;
  const body = { [key]: items.slice(from, from + take) };
  if (from + take < items.length) body.next = String(from + take);
  return body;
}

const json = (status, body, headers = {}) => new Response(JSON.stringify(body), {
  status, headers: { 'content-type': 'application/json', ...headers },
});

/**
 * Install the stub as `globalThis.fetch`.
 * @param {object} [options]
 * @param {(userId: string) => {permission_name: string, resource_server_identifier: string}[]} [options.userPermissions]
 * @param {(token: string) => void} [options.onToken] called with every issued token
 * @param {(clientId: string, clientSecret: string) => boolean} [options.acceptClient] default: any
 * @returns {{restore: () => void, counts: object, issued: Set<string>, model: object}}
 */
function installStubFetch({ userPermissions = defaultUserPermissions, onToken = () => {}, acceptClient = () => true } = {}) {
  const original = globalThis.fetch;
  const issued = new Set();
  const counts = { total: 0, token: 0, userPermissions: 0, effective: 0, roles: 0, rolePermissions: 0, unauthorized: 0, other: 0 };
  let serial = 0;

  function mintToken() {
    serial += 1;
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: 'stub@clients', n: serial, exp: 9999999999 })}.${fnv32(String(serial)).toString(36)}sig`;
  }

  async function stub(url, init = {}) {
    counts.total += 1;
    // Every few requests, answer in a later turn of the event loop, as a socket would, so that timers
    // (AbortSignal.timeout) keep firing during long runs; the others answer at once, for speed.
    if (counts.total % 8 === 0) await new Promise((resolve) => { setImmediate(resolve); });
    const u = new URL(String(url));
    const method = String(init.method || 'GET').toUpperCase();
    if (method === 'POST' && u.pathname === '/oauth/token') {
      counts.token += 1;
      const form = new URLSearchParams(String(init.body || ''));
      if (!acceptClient(form.get('client_id'), form.get('client_secret'))) return json(401, { error: 'access_denied', error_description: 'Unauthorized' });
      const token = mintToken();
      issued.add(token);
      onToken(token);
      return json(200, { access_token: token, expires_in: 86400, token_type: 'Bearer' });
    }
    const auth = init.headers && (init.headers.authorization || init.headers.Authorization);
    const m = typeof auth === 'string' && /^Bearer (\S+)$/.exec(auth);
    if (!m || !issued.has(m[1])) {
      counts.unauthorized += 1;
      return json(401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid token' });
    }
    const seg = u.pathname.split('/');
    const q = u.searchParams;
    if (seg[1] === 'api' && seg[2] === 'v2' && seg[3] === 'users' && seg.length === 6) {
      const id = decodeURIComponent(seg[4]);
      if (seg[5] === 'permissions') {
        counts.userPermissions += 1;
        return json(200, offsetPage(userPermissions(id), 'permissions', q));
      }
      if (seg[5] === 'effective-permissions') {
        counts.effective += 1;
        return json(200, cursorPage(effectiveOf(userPermissions(id), id, q.get('resource_server_identifier')), 'permissions', q));
      }
    }
    if (seg[1] === 'api' && seg[2] === 'v2' && seg[3] === 'roles' && seg.length === 4) {
      counts.roles += 1;
      return json(200, offsetPage(ROLES.map(({ id, name }) => ({ id, name, description: '' })), 'roles', q));
    }
    if (seg[1] === 'api' && seg[2] === 'v2' && seg[3] === 'roles' && seg.length === 6 && seg[5] === 'permissions') {
      counts.rolePermissions += 1;
      const role = ROLES.find((r) => r.id === decodeURIComponent(seg[4]));
      if (!role) return json(404, { statusCode: 404, error: 'Not Found' });
      return json(200, offsetPage(role.permissions, 'permissions', q));
    }
    counts.other += 1;
    return json(404, { statusCode: 404, error: 'Not Found' });
  }

  globalThis.fetch = stub;
  return {
    counts,
    issued,
    restore() {
      if (globalThis.fetch === stub) globalThis.fetch = original;
    },
  };
}

/**
 * What the stub gives, for computing the expected permissions claim of a login.
 * `source`: 'user' | 'effective' | 'roles'; `scope`: 'all' | 'requested'.
 * @returns {string[]} sorted, deduplicated permission names (ASCII only, so JS and Rust sort alike)
 */
function expectedPermissions({ source, scope, userId, api, roleNames, userPermissions = defaultUserPermissions }) {
  let perms;
  if (scope === 'requested' && !api) return [];
  if (source === 'user') perms = userPermissions(userId);
  else if (source === 'effective') perms = api ? effectiveOf(userPermissions(userId), userId, api) : [];
  else {
    perms = [];
    for (const name of roleNames) {
      const role = ROLES.find((r) => r.name === name);
      if (role) perms.push(...role.permissions);
    }
  }
  const names = perms.filter((p) => scope === 'all' || p.resource_server_identifier === api).map((p) => p.permission_name);
  return [...new Set(names)].sort();
}

module.exports = {
  installStubFetch, expectedPermissions, defaultUserPermissions, ROLES, API_A, API_B,
};
