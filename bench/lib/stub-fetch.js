'use strict';
/**
 * An in-process Management API behind a stubbed global `fetch` (no sockets): the same routes,
 * paging and bearer-token checks as the stand-in (host/standin.js), answered synchronously from
 * a fixture so that the CPU benchmark measures the Actions, not the network stack.
 *
 * Response objects are minimal (`status`, `ok`, `headers.get`, `json()`, `text()`): what both
 * Actions use. `json()` parses the body text on every call, as a real fetch would.
 */
const { indexFixture } = require('../../host/fixture');

const ROUTES = {
  permissions: 'userPermissions', 'effective-permissions': 'userEffectivePermissions', roles: 'userRoles',
};

function response(status, text, headers = {}) {
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name) => { const v = headers[String(name).toLowerCase()]; return v === undefined ? null : v; } },
    json: () => Promise.resolve().then(() => JSON.parse(text)),
    text: () => Promise.resolve(text),
  };
}

function offsetPage(items, key, q) {
  const perPage = Math.min(Number(q.get('per_page') || 50), 100);
  const page = Number(q.get('page') || 0);
  const slice = items.slice(page * perPage, (page + 1) * perPage);
  return q.get('include_totals') === 'true' ? { start: page * perPage, limit: perPage, total: items.length, [key]: slice } : slice;
}

function cursorPage(items, key, q) {
  const take = Math.min(Number(q.get('take') || 50), 100);
  const from = q.get('from') ? Number(Buffer.from(q.get('from'), 'base64url').toString()) : 0;
  const body = { [key]: items.slice(from, from + take) };
  if (from + take < items.length) body.next = Buffer.from(String(from + take)).toString('base64url');
  return body;
}

/**
 * @param {object} fixture stand-in fixture
 * @param {object} [options]
 * @param {string} [options.clientId] accepted client id
 * @param {string} [options.clientSecret] accepted client secret
 * @param {string} [options.domain] tenant domain (audience https://<domain>/api/v2/)
 * @param {number} [options.tokenLifetimeSec=86400]
 * @param {boolean} [options.record=false] keep every request (method, url, route, status)
 * @param {number} [options.latencyMs=0] answer each request after this many ms (a timer, no sockets)
 */
function createStubFetch(fixture, {
  clientId = 'bench-client', clientSecret = 'bench-secret-value', domain = 'tenant.local.test',
  tokenLifetimeSec = 86400, record = false, latencyMs = 0,
} = {}) {
  const data = indexFixture(fixture);
  const issued = new Set();
  const bodies = new Map(); // GET url -> {route, status, text}
  const counts = { total: 0, token: 0, byRoute: {} };
  const requests = [];
  const faults = [];
  let tokenSerial = 0;

  function route(url) {
    const u = new URL(url);
    const seg = u.pathname.split('/');
    if (seg[1] !== 'api' || seg[2] !== 'v2') return { route: 'unknown', status: 404, body: { statusCode: 404 } };
    let out;
    if (seg[3] === 'users' && seg.length === 6 && ROUTES[seg[5]]) {
      const name = ROUTES[seg[5]];
      const user = data.users.get(decodeURIComponent(seg[4]));
      if (!user) return { route: name, status: 404, body: { statusCode: 404, errorCode: 'inexistent_user' } };
      if (name === 'userPermissions') out = offsetPage(data.userPermissions(user), 'permissions', u.searchParams);
      else if (name === 'userRoles') out = offsetPage(data.userRoles(user), 'roles', u.searchParams);
      else out = cursorPage(data.effectivePermissions(user, u.searchParams.get('resource_server_identifier')), 'permissions', u.searchParams);
      return { route: name, status: 200, body: out };
    }
    if (seg[3] === 'roles' && seg.length === 4) return { route: 'roles', status: 200, body: offsetPage(data.allRoles(), 'roles', u.searchParams) };
    if (seg[3] === 'roles' && seg.length === 6 && seg[5] === 'permissions') {
      const role = data.roles.get(decodeURIComponent(seg[4]));
      if (!role) return { route: 'rolePermissions', status: 404, body: { statusCode: 404 } };
      return { route: 'rolePermissions', status: 200, body: offsetPage(data.rolePermissions(role), 'permissions', u.searchParams) };
    }
    return { route: 'unknown', status: 404, body: { statusCode: 404 } };
  }

  function header(headers, name) {
    if (!headers) return undefined;
    if (typeof headers.get === 'function') return headers.get(name) || undefined;
    return headers[name] || headers[name.toLowerCase()];
  }

  function count(routeName, method, url, status) {
    counts.total += 1;
    counts.byRoute[routeName] = (counts.byRoute[routeName] || 0) + 1;
    if (record) requests.push({ method, url, route: routeName, status });
  }

  function injected(routeName) {
    const i = faults.findIndex((f) => f.route === routeName || f.route === '*');
    if (i === -1) return null;
    const f = faults[i];
    f.times -= 1;
    if (f.times <= 0) faults.splice(i, 1);
    const headers = typeof f.headers === 'function' ? f.headers() : (f.headers || {});
    return response(f.status, JSON.stringify({ statusCode: f.status, error: 'injected' }), headers);
  }

  function tokenResponse(init) {
    const params = new URLSearchParams(String(init.body || ''));
    if (params.get('grant_type') !== 'client_credentials' || params.get('client_id') !== clientId
      || params.get('client_secret') !== clientSecret || params.get('audience') !== `https://${domain}/api/v2/`) {
      return response(401, JSON.stringify({ error: 'access_denied', error_description: 'Unauthorized' }));
    }
    tokenSerial += 1;
    const token = `stub.${tokenSerial}.${'x'.repeat(900)}`;
    issued.add(token);
    return response(200, JSON.stringify({ access_token: token, expires_in: tokenLifetimeSec, token_type: 'Bearer', scope: 'read:users read:roles' }));
  }

  async function fetch(url, init = {}) {
    if (latencyMs > 0) await new Promise((resolve) => { setTimeout(resolve, latencyMs); });
    const method = (init.method || 'GET').toUpperCase();
    if (method === 'POST' && url.endsWith('/oauth/token')) {
      counts.token += 1;
      const fault = injected('token');
      const res = fault || tokenResponse(init);
      count('token', method, url, res.status);
      return res;
    }
    let entry = bodies.get(url);
    if (!entry) {
      const r = route(url);
      entry = { route: r.route, status: r.status, text: JSON.stringify(r.body) };
      bodies.set(url, entry);
    }
    const fault = injected(entry.route);
    if (fault) { count(entry.route, method, url, fault.status); return fault; }
    const bearer = /^Bearer (\S+)$/.exec(header(init.headers, 'authorization') || '');
    if (!bearer || !issued.has(bearer[1])) {
      count(entry.route, method, url, 401);
      return response(401, JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'Invalid token' }));
    }
    count(entry.route, method, url, entry.status);
    return response(entry.status, entry.text);
  }

  let saved = null;
  return {
    fetch,
    counts,
    requests,
    clientId,
    clientSecret,
    domain,
    /** The next `times` requests to `route` ('token', 'userPermissions', 'roles', …, '*') answer `status`. */
    failNext(routeName, status, { times = 1, headers } = {}) { faults.push({ route: routeName, status, times, headers }); },
    /** Every token issued so far is refused from now on (401). */
    revokeTokens() { issued.clear(); },
    resetCounts() { counts.total = 0; counts.token = 0; counts.byRoute = {}; requests.length = 0; },
    /** Make this stub the global fetch (until uninstall). */
    install() { if (!saved) saved = { fetch: globalThis.fetch }; globalThis.fetch = fetch; },
    uninstall() { if (saved) { globalThis.fetch = saved.fetch; saved = null; } },
    /** Secrets that point both Actions at this stub. */
    secrets(extra = {}) {
      return {
        namespace: 'https://rbac.example.com', domain, clientId, clientSecret, managementUrl: `https://${domain}`, ...extra,
      };
    },
  };
}

module.exports = { createStubFetch };
