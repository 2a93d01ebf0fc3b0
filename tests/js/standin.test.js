'use strict';
// Tests of the Management API stand-in: token endpoint, shapes, pagination, id encoding, auth,
// rate limiting, every fault kind, request counting, and an Action run through host + stand-in. The
// one model (host/standin-model.js) is served by two transports, and every test here runs on both:
// HTTP on 127.0.0.1 (host/standin.js, through the real fetch) and the in-process fetch
// (host/standin-fetch.js); then what only the in-process fetch does (Response objects, redirects).
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startStandIn, RATE_LIMIT_PRESETS } = require('../../host/standin');
const { createFetchStandIn } = require('../../host/standin-fetch');
const { createModel } = require('../../host/standin-model');
const { indexFixture, directoryFor } = require('../../host/fixture');
const { createHost } = require('../../host');

/** Node's own fetch, whatever a test installs as the global one. */
const networkFetch = globalThis.fetch;

/** The two transports: `start(options)` gives a stand-in whose `fetch` reaches it. */
const TRANSPORTS = [
  {
    name: 'HTTP',
    start: async (options) => Object.assign(await startStandIn(options), { fetch: (url, init) => networkFetch(url, init) }),
  },
  { name: 'in-process fetch', start: async (options) => createFetchStandIn(options) },
];

const API = 'https://api.test';
const OTHER = 'https://other.test';
const ODD_IDS = ['auth0|x', 'a/b', 'q?x', 'h#x', 'p%20', 'ünï'];
const SIZES = [0, 1, 100, 101, 250];
const perm = (name, rs = API) => ({ permission_name: name, resource_server_identifier: rs });
const names = (n, prefix = 'perm') => Array.from({ length: n }, (_, i) => `${prefix}:${String(i).padStart(3, '0')}`);

const FIXTURE = {
  resourceServers: [
    { identifier: API, name: 'Test API', scopes: [{ value: 'read:a', description: 'Read A' }] },
    { identifier: OTHER, name: 'Other API' },
  ],
  roles: [
    { id: 'rol_reader', name: 'reader', description: 'Reads', permissions: [perm('read:a'), perm('read:b')] },
    { id: 'rol_writer', name: 'writer', description: 'Writes', permissions: [perm('write:a'), perm('read:a'), perm('bill', OTHER)] },
    { id: 'rol_big', name: 'big-role', description: '', permissions: names(120, 'role').map((n) => perm(n)) },
  ],
  users: [
    ...SIZES.map((n) => ({ user_id: `auth0|p${n}`, roles: [], permissions: names(n).map((p) => perm(p)) })),
    ...ODD_IDS.map((id) => ({ user_id: id, roles: [], permissions: [perm(`for:${id}`)] })),
    {
      user_id: 'auth0|mixed',
      roles: ['rol_reader', 'rol_writer'],
      permissions: [perm('read:a')],
      groupPermissions: [perm('group:a'), perm('read:b')],
    },
  ],
};

async function getToken(s, extra = {}) {
  const res = await s.fetch(`${s.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: s.clientId, client_secret: s.clientSecret, audience: s.audience, ...extra,
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).access_token;
}

const userPath = (id, rest) => `/api/v2/users/${encodeURIComponent(id)}/${rest}`;
async function get(s, p, token, init = {}) {
  const res = await s.fetch(`${s.url}${p}`, { ...init, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, body };
}


/** Every test of one transport (each transport runs its tests one at a time). */
function transportSuite({ name, start }) {
  describe(name, { concurrency: false }, () => {
    describe('stand-in', () => {
      let s;
      let token;
      before(async () => {
        s = await start({ fixture: FIXTURE, clientId: 'cid' });
        token = await getToken(s);
      });
      after(() => s.close());

      describe('POST /oauth/token', () => {
        test('client credentials (form-encoded) → Bearer token, expires_in in seconds', async () => {
          const res = await s.fetch(`${s.url}/oauth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'cid', client_secret: s.clientSecret, audience: s.audience }),
          });
          assert.equal(res.status, 200);
          const body = await res.json();
          assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
          assert.equal(body.token_type, 'Bearer');
          assert.equal(body.expires_in, 86400);
          assert.equal(body.scope, s.scopes.join(' '));
          assert.match(body.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
          assert.ok(body.access_token.length > 700, `token length ${body.access_token.length}`);
          assert.ok(!body.access_token.includes(s.clientSecret));
          assert.notEqual(body.access_token, await getToken(s), 'every token is new');
          const payload = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
          assert.equal(payload.aud, s.audience);
          assert.equal(payload.exp - payload.iat, 86400);
          assert.equal(s.audience, 'https://tenant.local.test/api/v2/');
        });

        test('JSON bodies are accepted; a requested scope subset narrows the token', async () => {
          const res = await s.fetch(`${s.url}/oauth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'cid', client_secret: s.clientSecret, audience: s.audience, scope: 'read:users' }),
          });
          assert.equal(res.status, 200);
          const { access_token: narrow, scope } = await res.json();
          assert.equal(scope, 'read:users');
          assert.equal((await get(s, userPath('auth0|p1', 'permissions'), narrow)).status, 200);
          const roles = await get(s, userPath('auth0|p1', 'roles'), narrow);
          assert.equal(roles.status, 403);
          assert.deepEqual(roles.body, {
            statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected all of: read:users, read:roles', errorCode: 'insufficient_scope',
          });
        });

        test('errors: bad secret or client 401, bad audience 403, bad grant 403, missing grant 400, bad content type 400', async () => {
          const post = async (params, type = 'application/x-www-form-urlencoded') => {
            const res = await s.fetch(`${s.url}/oauth/token`, {
              method: 'POST', headers: { 'content-type': type }, body: type.includes('json') ? JSON.stringify(params) : new URLSearchParams(params),
            });
            return { status: res.status, body: await res.json() };
          };
          const base = { grant_type: 'client_credentials', client_id: 'cid', client_secret: s.clientSecret, audience: s.audience };
          assert.deepEqual(await post({ ...base, client_secret: 'wrong' }), { status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
          assert.deepEqual(await post({ ...base, client_id: 'other' }), { status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
          const aud = await post({ ...base, audience: 'https://evil.test/api/v2/' });
          assert.equal(aud.status, 403);
          assert.equal(aud.body.error, 'access_denied');
          assert.equal((await post({ ...base, audience: '' })).status, 403);
          assert.equal((await post({ ...base, grant_type: 'password' })).body.error, 'unauthorized_client');
          assert.equal((await post({ ...base, grant_type: '' })).status, 400);
          assert.equal((await post(base, 'text/plain')).status, 400);
          assert.deepEqual(await post({ ...base, scope: 'delete:users' }), {
            status: 403, body: { error: 'access_denied', error_description: 'Client has not been granted scopes: delete:users' },
          });
        });
      });

      describe('GET /api/v2/users/{id}/permissions and /roles', () => {
        for (const n of SIZES) {
          test(`offset pagination over ${n} permissions`, async () => {
            const seen = [];
            for (let page = 0; ; page += 1) {
              const r = await get(s, `${userPath(`auth0|p${n}`, 'permissions')}?per_page=100&page=${page}&include_totals=true`, token);
              assert.equal(r.status, 200);
              assert.deepEqual(Object.keys(r.body), ['start', 'limit', 'total', 'permissions']);
              assert.equal(r.body.start, page * 100);
              assert.equal(r.body.limit, 100);
              assert.equal(r.body.total, n);
              if (r.body.permissions.length === 0) break;
              seen.push(...r.body.permissions.map((p) => p.permission_name));
            }
            assert.deepEqual(seen, names(n));
            const plain = await get(s, `${userPath(`auth0|p${n}`, 'permissions')}?per_page=100&page=0`, token);
            assert.ok(Array.isArray(plain.body));
            assert.equal(plain.body.length, Math.min(n, 100));
            const unpaged = await get(s, userPath(`auth0|p${n}`, 'permissions'), token);
            assert.equal(unpaged.body.length, Math.min(n, 50), 'without paging parameters only the first 50 come back');
          });
        }

        test('item shape: direct and role sources, deduplicated per (API, name)', async () => {
          const r = await get(s, userPath('auth0|mixed', 'permissions'), token);
          assert.deepEqual(r.body.map((p) => `${p.resource_server_identifier} ${p.permission_name}`), [
            `${API} read:a`, `${API} read:b`, `${API} write:a`, `${OTHER} bill`,
          ]);
          assert.deepEqual(r.body[0], {
            permission_name: 'read:a',
            description: 'Read A',
            resource_server_name: 'Test API',
            resource_server_identifier: API,
            sources: [
              { source_id: '', source_name: '', source_type: 'DIRECT' },
              { source_id: 'rol_reader', source_name: 'reader', source_type: 'ROLE' },
              { source_id: 'rol_writer', source_name: 'writer', source_type: 'ROLE' },
            ],
          });
        });

        test('roles: plain array or {start, limit, total, roles}', async () => {
          const plain = await get(s, userPath('auth0|mixed', 'roles'), token);
          assert.deepEqual(plain.body, [
            { id: 'rol_reader', name: 'reader', description: 'Reads' },
            { id: 'rol_writer', name: 'writer', description: 'Writes' },
          ]);
          const paged = await get(s, `${userPath('auth0|mixed', 'roles')}?per_page=1&page=1&include_totals=true`, token);
          assert.deepEqual(paged.body, { start: 1, limit: 1, total: 2, roles: [{ id: 'rol_writer', name: 'writer', description: 'Writes' }] });
        });

        test('bad paging parameters → 400 invalid_query_string', async () => {
          for (const q of ['per_page=0', 'per_page=abc', 'page=-1', 'include_totals=yes']) {
            const r = await get(s, `${userPath('auth0|p1', 'permissions')}?${q}`, token);
            assert.equal(r.status, 400, q);
            assert.equal(r.body.errorCode, 'invalid_query_string', q);
          }
        });

        test('unknown user → 404 inexistent_user', async () => {
          const r = await get(s, userPath('auth0|nobody', 'permissions'), token);
          assert.equal(r.status, 404);
          assert.deepEqual(r.body, { statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' });
          assert.equal((await get(s, userPath('auth0|nobody', 'roles'), token)).body.errorCode, 'inexistent_user');
        });

        test('ids are decoded exactly once: odd characters work when encoded with encodeURIComponent', async () => {
          for (const id of ODD_IDS) {
            const r = await get(s, userPath(id, 'permissions'), token);
            assert.equal(r.status, 200, id);
            assert.deepEqual(r.body.map((p) => p.permission_name), [`for:${id}`], id);
          }
          const raw = await get(s, '/api/v2/users/a/b/permissions', token);
          assert.equal(raw.status, 404);
          assert.equal(raw.body.errorCode, undefined, 'a raw slash matches no route');
          const twice = await get(s, `/api/v2/users/${encodeURIComponent(encodeURIComponent('auth0|x'))}/permissions`, token);
          assert.equal(twice.body.errorCode, 'inexistent_user', 'double encoding is a different id');
          assert.equal((await get(s, '/api/v2/users/%E0%A4%A/permissions', token)).status, 400);
        });
      });

      describe('effective permissions and roles endpoints', () => {
        test('effective-permissions: required resource_server_identifier, groups, cursor paging', async () => {
          const missing = await get(s, userPath('auth0|mixed', 'effective-permissions'), token);
          assert.equal(missing.status, 400);
          const r = await get(s, `${userPath('auth0|mixed', 'effective-permissions')}?resource_server_identifier=${encodeURIComponent(API)}`, token);
          assert.deepEqual(r.body.permissions.map((p) => [p.permission_name, p.sources]), [
            ['group:a', ['groups']], ['read:a', ['direct', 'roles']], ['read:b', ['roles', 'groups']], ['write:a', ['roles']],
          ]);
          assert.equal('next' in r.body, false);
          const all = [];
          let from = '';
          let pages = 0;
          do {
            const q = `resource_server_identifier=${encodeURIComponent(API)}${from ? `&from=${encodeURIComponent(from)}` : ''}`;
            const page = await get(s, `${userPath('auth0|p250', 'effective-permissions')}?${q}`, token);
            assert.equal(page.status, 200);
            assert.ok(page.body.permissions.length <= 50);
            all.push(...page.body.permissions.map((p) => p.permission_name));
            from = page.body.next;
            pages += 1;
          } while (from);
          assert.equal(pages, 5);
          assert.deepEqual(all, names(250));
          const big = await get(s, `${userPath('auth0|p250', 'effective-permissions')}?resource_server_identifier=${encodeURIComponent(API)}&take=100`, token);
          assert.equal(big.body.permissions.length, 100);
          assert.equal((await get(s, `${userPath('auth0|p250', 'effective-permissions')}?resource_server_identifier=x&take=101`, token)).status, 400);
          assert.equal((await get(s, `${userPath('auth0|p250', 'effective-permissions')}?resource_server_identifier=x&from=garbage`, token)).status, 400);
        });

        test('/api/v2/roles with name_filter and /api/v2/roles/{id}/permissions', async () => {
          const all = await get(s, '/api/v2/roles', token);
          assert.deepEqual(all.body.map((r) => r.name), ['reader', 'writer', 'big-role']);
          const filtered = await get(s, '/api/v2/roles?name_filter=WRI&include_totals=true', token);
          assert.deepEqual(filtered.body, { start: 0, limit: 50, total: 1, roles: [{ id: 'rol_writer', name: 'writer', description: 'Writes' }] });
          const perms = await get(s, '/api/v2/roles/rol_big/permissions?per_page=100&page=1&include_totals=true', token);
          assert.equal(perms.body.total, 120);
          assert.equal(perms.body.permissions.length, 20);
          assert.deepEqual(Object.keys(perms.body.permissions[0]), ['permission_name', 'description', 'resource_server_name', 'resource_server_identifier']);
          const none = await get(s, '/api/v2/roles/rol_nope/permissions', token);
          assert.equal(none.status, 404);
          assert.equal(none.body.errorCode, 'inexistent_role');
        });
      });

      describe('auth', () => {
        test('missing, unknown and revoked tokens → 401; missing scope → 403', async () => {
          const none = await get(s, userPath('auth0|p1', 'permissions'));
          assert.equal(none.status, 401);
          assert.equal(none.body.message, 'Missing authentication');
          const bad = await get(s, userPath('auth0|p1', 'permissions'), `${token.slice(0, -4)}AAAA`);
          assert.equal(bad.status, 401);
          assert.equal(bad.body.message, 'Invalid token');
          const narrow = await getToken(s, { scope: 'read:roles' });
          const forbidden = await get(s, userPath('auth0|p1', 'permissions'), narrow);
          assert.equal(forbidden.status, 403);
          assert.equal(forbidden.body.message, 'Insufficient scope, expected any of: read:users');
          const eff = await get(s, `${userPath('auth0|p1', 'effective-permissions')}?resource_server_identifier=x`, narrow);
          assert.equal(eff.status, 403);

          const mine = await start({ fixture: FIXTURE });
          try {
            const t = await getToken(mine);
            assert.equal((await get(mine, userPath('auth0|p1', 'permissions'), t)).status, 200);
            mine.revokeTokens();
            assert.equal((await get(mine, userPath('auth0|p1', 'permissions'), t)).status, 401);
          } finally { await mine.close(); }
        });

        test('tokens expire after tokenLifetimeSec', async () => {
          let now = 1_700_000_000_000;
          const mine = await start({ fixture: FIXTURE, tokenLifetimeSec: 60, now: () => now });
          try {
            const t = await getToken(mine);
            now += 59_000;
            assert.equal((await get(mine, userPath('auth0|p1', 'permissions'), t)).status, 200);
            now += 1_000;
            const expired = await get(mine, userPath('auth0|p1', 'permissions'), t);
            assert.equal(expired.status, 401);
            assert.match(expired.body.message, /Expired token/);
          } finally { await mine.close(); }
        });
      });

      test('maxPerPage 50 caps per_page silently', async () => {
        const capped = await start({ fixture: FIXTURE, maxPerPage: 50 });
        try {
          const t = await getToken(capped);
          const r = await get(capped, `${userPath('auth0|p101', 'permissions')}?per_page=100&include_totals=true`, t);
          assert.equal(r.body.limit, 50);
          assert.equal(r.body.permissions.length, 50);
          assert.equal(r.body.total, 101);
        } finally { await capped.close(); }
      });
    });

    describe('rate limiting', () => {
      test('presets', () => {
        assert.deepEqual(RATE_LIMIT_PRESETS.free, { burst: 2, perSecond: 2 });
        assert.deepEqual(RATE_LIMIT_PRESETS.paid, { burst: 40, perSecond: 500 / 60 });
      });

      test('token bucket: burst, then 429 with headers, then refill (injected clock)', async () => {
        let now = 1_700_000_000_250;
        const s = await start({ fixture: FIXTURE, rateLimit: { burst: 3, perSecond: 2 }, now: () => now });
        try {
          const t = await getToken(s);
          const p = userPath('auth0|p1', 'permissions');
          for (const remaining of ['2', '1', '0']) {
            const r = await get(s, p, t);
            assert.equal(r.status, 200);
            assert.equal(r.headers.get('x-ratelimit-limit'), '3');
            assert.equal(r.headers.get('x-ratelimit-remaining'), remaining);
          }
          const limited = await get(s, p, t);
          assert.equal(limited.status, 429);
          assert.deepEqual(limited.body, { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' });
          assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
          assert.equal(limited.headers.get('x-ratelimit-reset'), String(Math.ceil((now + 500) / 1000)), 'one token after 1/2 s');
          now += 499;
          assert.equal((await get(s, p, t)).status, 429);
          now += 1;
          const back = await get(s, p, t);
          assert.equal(back.status, 200);
          assert.equal(back.headers.get('x-ratelimit-remaining'), '0');
          now += 10_000;
          assert.equal((await get(s, p, t)).headers.get('x-ratelimit-remaining'), '2', 'refills up to the burst only');
          assert.equal(s.counts.byStatus['429'], 2);
        } finally { await s.close(); }
      });

      test('real clock: wait until x-ratelimit-reset and the next request passes', async () => {
        const s = await start({ fixture: FIXTURE, rateLimit: { burst: 1, perSecond: 2 } });
        try {
          const t = await getToken(s);
          const p = userPath('auth0|p1', 'permissions');
          assert.equal((await get(s, p, t)).status, 200);
          const limited = await get(s, p, t);
          assert.equal(limited.status, 429);
          const waitMs = Number(limited.headers.get('x-ratelimit-reset')) * 1000 - Date.now();
          assert.ok(waitMs <= 1500, `reset is ${waitMs} ms away`);
          await new Promise((resolve) => { setTimeout(resolve, Math.max(0, waitMs) + 20); });
          assert.equal((await get(s, p, t)).status, 200);
        } finally { await s.close(); }
      });

      test('/oauth/token has its own bucket', async () => {
        const s = await start({ fixture: FIXTURE, tokenRateLimit: { burst: 1, perSecond: 0.001 } });
        try {
          const t = await getToken(s);
          const again = await s.fetch(`${s.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
          assert.equal(again.status, 429);
          assert.equal(again.headers.get('x-ratelimit-limit'), '1');
          const api = await get(s, userPath('auth0|p1', 'permissions'), t);
          assert.equal(api.status, 200);
          assert.equal(api.headers.get('x-ratelimit-limit'), null, 'no bucket configured for /api/v2');
        } finally { await s.close(); }
      });
    });

    describe('faults', () => {
      let s;
      let token;
      const p = userPath('auth0|p1', 'permissions');
      before(async () => {
        s = await start({ fixture: FIXTURE });
        token = await getToken(s);
      });
      after(() => s.close());

      test('latency: the response still arrives, after the added delay', async () => {
        s.setFaults({ latencyMs: { ms: 150, count: 1 } });
        const t0 = performance.now();
        const r = await get(s, p, token);
        const elapsed = performance.now() - t0;
        assert.equal(r.status, 200);
        assert.equal(r.body.length, 1);
        assert.equal(s.counts.faults.latency, 1);
        assert.ok(elapsed >= 140, `elapsed ${elapsed}`);
        assert.equal((await get(s, p, token)).status, 200);
        assert.equal(s.counts.faults.latency, 1, 'count-based: only the next request');
      });

      test('5xx: the next N requests fail with the given status', async () => {
        s.setFaults({ status5xx: { count: 2, status: 502 } });
        const a = await get(s, p, token);
        assert.equal(a.status, 502);
        assert.equal(a.body.statusCode, 502);
        assert.equal((await get(s, p, token)).status, 502);
        assert.equal((await get(s, p, token)).status, 200);
      });

      test('hang: the client gives up with AbortSignal.timeout; the server serves on', async () => {
        s.setFaults({ hang: { count: 1 } });
        await assert.rejects(s.fetch(`${s.url}${p}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(200) }),
          (e) => e.name === 'TimeoutError' || e.name === 'AbortError');
        assert.equal((await get(s, p, token)).status, 200);
        assert.ok(s.counts.byStatus.hang >= 1);
      });

      test('reset: the connection is destroyed and fetch rejects', async () => {
        s.setFaults({ reset: { count: 1 } });
        await assert.rejects(get(s, p, token), TypeError);
        assert.equal((await get(s, p, token)).status, 200);
      });

      test('malformed JSON: a 200 whose body does not parse', async () => {
        s.setFaults({ malformedJson: { count: 1 } });
        const res = await s.fetch(`${s.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200);
        await assert.rejects(res.json(), SyntaxError);
      });

      test('wrong shape and forced 429', async () => {
        s.setFaults({ wrongShape: { count: 1 }, status429: { count: 1 }, routes: ['userPermissions'] });
        const limited = await get(s, p, token);
        assert.equal(limited.status, 429);
        assert.equal(limited.body.errorCode, 'too_many_requests');
        const shaped = await get(s, p, token);
        assert.equal(shaped.status, 200);
        assert.equal(Array.isArray(shaped.body), false);
        assert.deepEqual(shaped.body.data.map((x) => x.permission_name), ['perm:000']);
      });

      test('route filters leave other routes alone', async () => {
        s.setFaults({ status5xx: { status: 500 }, routes: ['userRoles'] });
        assert.equal((await get(s, userPath('auth0|p1', 'roles'), token)).status, 500);
        assert.equal((await get(s, p, token)).status, 200);
        s.setFaults(null);
        assert.equal((await get(s, userPath('auth0|p1', 'roles'), token)).status, 200);
      });

      test('rate-based faults are reproducible from the seed', async () => {
        const run = async () => {
          s.setFaults({ status5xx: { rate: 0.5 }, seed: 42 });
          const statuses = [];
          for (let i = 0; i < 16; i += 1) statuses.push((await get(s, p, token)).status);
          return statuses;
        };
        const first = await run();
        assert.deepEqual(await run(), first);
        assert.ok(first.includes(503) && first.includes(200), first.join(','));
        s.setFaults(null);
      });

      test('close() ends hung requests and the server promptly', { timeout: 5000 }, async () => {
        const mine = await start({ fixture: FIXTURE, faults: { hang: true } });
        const pending = mine.fetch(`${mine.url}/api/v2/roles`);
        await new Promise((resolve) => { setTimeout(resolve, 50); });
        let timer;
        const tooSlow = new Promise((resolve) => { timer = setTimeout(resolve, 2000, 'timeout'); });
        const closed = await Promise.race([mine.close().then(() => 'closed'), tooSlow]);
        clearTimeout(timer);
        assert.equal(closed, 'closed');
        await assert.rejects(pending, TypeError);
      });
    });

    describe('request counting', () => {
      test('counts every request by route and status; resetCounts zeroes them', async () => {
        const s = await start({ fixture: FIXTURE });
        try {
          const t = await getToken(s);
          await get(s, userPath('auth0|p1', 'permissions'), t);
          await get(s, userPath('auth0|nobody', 'roles'), t);
          await get(s, '/nope', t);
          s.setFaults({ reset: { count: 1 } });
          await assert.rejects(get(s, '/api/v2/roles', t));
          assert.deepEqual(s.counts, {
            total: 5,
            token: 1,
            byRoute: { token: 1, userPermissions: 1, userRoles: 1, unknown: 1, roles: 1 },
            byStatus: { 200: 2, 404: 2, reset: 1 },
            faults: { reset: 1 },
          });
          assert.equal(s.requests[1].path, '/api/v2/users/auth0%7Cp1/permissions');
          const { counts } = s;
          s.resetCounts();
          assert.equal(counts.total, 0, 'the same object is reset');
          assert.deepEqual(s.counts, { total: 0, token: 0, byRoute: {}, byStatus: {}, faults: {} });
          assert.equal(s.requests.length, 0);
        } finally { await s.close(); }
      });
    });
  });
}

// The two transports run side by side.
describe('stand-in transports', { concurrency: true }, () => {
  for (const transport of TRANSPORTS) transportSuite(transport);
});

/** An Action through the host: it calls the global fetch, so these run after the others, one at a time. */
function actionSuite({ name, start }) {
  describe(`an Action through the host against the stand-in (${name})`, () => {
    test('warm instance: the Management API token is cached in api.cache and fetched once', async () => {
      const s = await start({ fixture: FIXTURE, rateLimit: 'free' });
      try {
        const action = {
          async onExecutePostLogin(event, api) {
            const sec = event.secrets;
            let bearer = api.cache.get('mgmt-token')?.value;
            if (!bearer) {
              const res = await fetch(`${sec.managementUrl}/oauth/token`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sec.clientId, client_secret: sec.clientSecret, audience: `https://${sec.domain}/api/v2/` }),
              });
              const body = await res.json();
              bearer = body.access_token;
              const stored = api.cache.set('mgmt-token', bearer, { ttl: body.expires_in * 1000 - 60_000 });
              if (stored.type !== 'success') console.warn(`token not cached: ${stored.code}`);
            }
            const perms = await fetch(`${sec.managementUrl}/api/v2/users/${encodeURIComponent(event.user.user_id)}/permissions?per_page=100`, {
              headers: { authorization: `Bearer ${bearer}` },
            }).then((r) => r.json());
            api.accessToken.setCustomClaim('https://t.example.com/permissions', perms.map((x) => x.permission_name));
          },
        };
        const host = createHost();
        if (s.install) s.install(); // the in-process fetch becomes the global fetch the Action calls
        const secrets = { managementUrl: s.url, domain: s.domain, clientId: s.clientId, clientSecret: s.clientSecret };
        const first = await host.run(action, { user: { user_id: 'auth0|mixed' } }, { secrets });
        assert.equal(first.outcome, 'allowed', first.error);
        assert.deepEqual(first.decoded.accessToken['https://t.example.com/permissions'], ['read:a', 'read:b', 'write:a', 'bill']);
        assert.deepEqual(first.logs, [], 'the ~1 kB token fits in the 4 kB cache value limit');
        await host.run(action, { user: { user_id: 'auth0|mixed' } }, { secrets });
        assert.equal(s.counts.token, 1);
        assert.equal(s.counts.byRoute.userPermissions, 2);
      } finally { await s.close(); }
    });
  });
}

for (const transport of TRANSPORTS) actionSuite(transport);

describe('the model alone: handle() on plain objects', () => {
  test('a token, then a page; latency, resets and hangs are left to the transport', () => {
    const model = createModel({ fixture: FIXTURE, clientId: 'cid', clientSecret: 'secret-value' });
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'secret-value', audience: model.audience }).toString();
    const issued = model.handle({ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(issued.status, 200);
    assert.ok(Buffer.isBuffer(issued.body));
    assert.equal(issued.headers['content-length'], String(issued.body.length));
    const token = JSON.parse(issued.body.toString()).access_token;
    const page = model.handle({ method: 'GET', path: `${userPath('auth0|p1', 'permissions')}?per_page=100`, headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(JSON.parse(page.body.toString()).map((p) => p.permission_name), ['perm:000']);
    assert.equal(page.drop, null);
    model.setFaults({ latencyMs: { ms: 40, count: 1 }, reset: { count: 1 } });
    assert.deepEqual({ ...model.handle({ method: 'GET', path: '/api/v2/roles', headers: {} }), headers: undefined }, {
      status: null, headers: undefined, body: null, chunked: false, delayMs: 40, drop: 'reset',
    });
    assert.deepEqual(model.counts.byStatus, { 200: 2, reset: 1 });
  });

  test('permissionFields: permission items with only those fields', () => {
    const model = createModel({ fixture: FIXTURE, permissionFields: ['resource_server_identifier', 'permission_name'] });
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: model.clientId, client_secret: model.clientSecret, audience: model.audience }).toString();
    const { access_token: token } = JSON.parse(model.handle({ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).body);
    const page = model.handle({ method: 'GET', path: userPath('auth0|mixed', 'permissions'), headers: { authorization: `Bearer ${token}` } });
    assert.equal(JSON.stringify(JSON.parse(page.body)[0]), JSON.stringify({ permission_name: 'read:a', resource_server_identifier: API }), 'in Auth0\'s order');
  });
});

describe('fixture: groups and organizations', () => {
  const ORG = 'org_acme';
  const TENANT = {
    resourceServers: [{ identifier: API, name: 'Test API' }],
    roles: [
      { id: 'rol_a', name: 'alpha', permissions: [perm('read:a')] },
      { id: 'rol_b', name: 'beta', permissions: [perm('read:b'), perm('bill', OTHER)] },
      { id: 'rol_c', name: 'gamma', permissions: [perm('read:c')] },
      { id: 'rol_d', name: 'delta', permissions: [perm('read:d')] },
    ],
    groups: [
      { id: 'grp_1', name: 'Support', roles: ['rol_c', 'rol_a'] },
      { id: 'grp_2', name: 'Readers', roles: ['rol_c'] },
      { id: 'grp_3', name: 'Empty' },
    ],
    organizations: [{ id: ORG, name: 'acme', display_name: 'Acme' }, { id: 'org_other', name: 'other' }],
    users: [
      {
        user_id: 'auth0|u1',
        roles: ['rol_a', 'rol_b'],
        groups: ['grp_1', 'grp_2'],
        organizations: { [ORG]: { roles: ['rol_d', 'rol_c'], groups: ['grp_1'] }, org_other: { roles: [] } },
        permissions: [perm('direct:x')],
      },
      { user_id: 'auth0|plain', roles: ['rol_b'] },
    ],
  };
  const data = indexFixture(TENANT);
  const u1 = data.user('auth0|u1');
  const ids = (list) => list.map((r) => r.id);

  test('unknown role or group ids, duplicate ids and unknown organizations are fixture errors', () => {
    const broken = (patch) => () => indexFixture({ ...TENANT, ...patch });
    assert.throws(broken({ groups: [{ id: 'grp_x', name: 'x', roles: ['rol_nope'] }] }), /group grp_x has unknown role id rol_nope/);
    assert.throws(broken({ groups: [{ id: 'grp_1', roles: [] }, { id: 'grp_1', roles: [] }] }), /duplicate id grp_1/);
    assert.throws(broken({ groups: [{ name: 'no id' }] }), /group without id/);
    assert.throws(broken({ users: [{ user_id: 'u', groups: ['grp_nope'] }] }), /user u has unknown group id grp_nope/);
    assert.throws(broken({ users: [{ user_id: 'u', roles: ['rol_nope'] }] }), /user u has unknown role id rol_nope/);
    assert.throws(broken({ users: [{ user_id: 'u', organizations: { [ORG]: { roles: ['rol_nope'] } } }] }),
      /user u in organization org_acme has unknown role id rol_nope/);
    assert.throws(broken({ users: [{ user_id: 'u', organizations: { org_nope: { roles: [] } } }] }), /unknown organization org_nope/);
    assert.throws(broken({ users: [{ user_id: 'u', organizations: [ORG] }] }), /organizations of user u must be an object/);
    assert.throws(broken({ users: [{ user_id: 'u', organizations: { [ORG]: { roles: [], groups: ['grp_nope'] } } }] }),
      /user u has unknown group id grp_nope in organization org_acme/);
    assert.throws(broken({ organizations: [{ id: ORG }, { id: ORG }] }), /duplicate id org_acme/);
    // Without a top-level list any organization id is allowed; a made user is checked like a listed one.
    assert.doesNotThrow(broken({ organizations: undefined, users: [{ user_id: 'u', organizations: { org_any: { roles: ['rol_a'] } } }] }));
    const made = indexFixture({ ...TENANT, userFor: (id) => ({ user_id: id, groups: ['grp_nope'] }) });
    assert.throws(() => made.user('auth0|made'), /unknown group id grp_nope/);
    // The stand-in refuses such a fixture when it starts.
    assert.throws(() => createModel({ fixture: { ...TENANT, users: [{ user_id: 'u', groups: ['grp_nope'] }] } }), /unknown group id/);
  });

  test('effectiveRoles: direct (or organization member) roles, then group roles, one per id', () => {
    assert.deepEqual(data.effectiveRoles(u1), [
      { id: 'rol_a', name: 'alpha', type: 'role' },
      { id: 'rol_b', name: 'beta', type: 'role' },
      { id: 'rol_c', name: 'gamma', type: 'role' },
    ], 'rol_a is direct and from grp_1, rol_c from two groups: once each');
    assert.deepEqual(ids(data.effectiveRoles(u1, ORG)), ['rol_d', 'rol_c', 'rol_a'], 'member roles of acme first, then the roles of its groups');
    // Scoped to the organization: the user's tenant-wide direct and group roles never count there.
    assert.deepEqual(ids(data.effectiveRoles(u1, 'org_other')), [], 'member without roles or groups there: none');
    assert.deepEqual(ids(data.effectiveRoles(u1, 'org_not_member')), []);
    assert.deepEqual(ids(data.effectiveRoles(u1, '')), ['rol_a', 'rol_b', 'rol_c'], 'an empty org id is no organization');
    assert.deepEqual(ids(data.effectiveRoles(data.user('auth0|plain'))), ['rol_b']);
  });

  test('eventRoles: names of direct or organization member roles, never group roles; userGroups', () => {
    assert.deepEqual(data.eventRoles(u1), ['alpha', 'beta']);
    assert.deepEqual(data.eventRoles(u1, ORG), ['delta', 'gamma']);
    assert.deepEqual(data.eventRoles(u1, 'org_other'), []);
    assert.deepEqual(data.userGroups(u1), [{ id: 'grp_1', name: 'Support' }, { id: 'grp_2', name: 'Readers' }]);
    assert.deepEqual(data.userGroups(data.user('auth0|plain')), []);
  });

  test('directoryFor: the directory option for a login, from a fixture, an indexed fixture or a file', () => {
    const expected = { roles: data.effectiveRoles(u1, ORG), groups: data.userGroups(u1) };
    assert.deepEqual(directoryFor(TENANT, 'auth0|u1', ORG), expected);
    assert.deepEqual(directoryFor(data, 'auth0|u1', ORG), expected);
    assert.deepEqual(directoryFor(data, 'auth0|u1').roles.map((r) => r.name), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(directoryFor(data, 'auth0|nobody'), { roles: [], groups: [] });
    assert.deepEqual(directoryFor(data, undefined), { roles: [], groups: [] });
    const file = directoryFor(require('node:path').join(__dirname, '..', '..', 'examples', 'fixture.json'), 'auth0|64f1c2d8a9b3e7f0c1d2e3f4', 'org_Jq4mX8vN2pK6sL0r');
    assert.deepEqual(file.roles.map((r) => r.name), ['viewer', 'support']);
    assert.deepEqual(file.groups.map((g) => g.name), ['Support team', 'Report readers']);
  });

  test('the Management API: effective permissions and roles include group roles, /permissions and /roles do not', () => {
    const model = createModel({ fixture: TENANT });
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: model.clientId, client_secret: model.clientSecret, audience: model.audience }).toString();
    const { access_token: token } = JSON.parse(model.handle({ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).body);
    const getJson = (p) => {
      const res = model.handle({ method: 'GET', path: p, headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, res.body.toString());
      return JSON.parse(res.body);
    };
    const effective = getJson(`${userPath('auth0|u1', 'effective-permissions')}?resource_server_identifier=${encodeURIComponent(API)}`);
    assert.deepEqual(effective.permissions.map((p) => [p.permission_name, p.sources]), [
      ['direct:x', ['direct']],
      ['read:a', ['roles', 'groups']],
      ['read:b', ['roles']],
      ['read:c', ['groups']],
    ], 'organization member roles (rol_d) are not in it');
    const direct = getJson(userPath('auth0|u1', 'permissions'));
    assert.deepEqual(direct.map((p) => p.permission_name), ['direct:x', 'read:a', 'read:b', 'bill'], 'no read:c: Auth0 leaves group roles out');
    assert.deepEqual(getJson(userPath('auth0|u1', 'roles')).map((r) => r.id), ['rol_a', 'rol_b']);
    assert.deepEqual(getJson(userPath('auth0|u1', 'effective-roles')).roles.map((r) => [r.id, r.sources]), [
      ['rol_a', ['direct', 'groups']], ['rol_b', ['direct']], ['rol_c', ['groups']],
    ]);
  });
});

describe('in-process fetch only', () => {
  let s;
  let token;
  const p = userPath('auth0|p250', 'permissions');
  before(async () => {
    s = createFetchStandIn({ fixture: FIXTURE });
    token = await getToken(s);
  });
  after(() => s.close());

  test('answers are Response objects: a byte stream, content-length, headers, not redirected', async () => {
    const res = await s.fetch(`${s.url}${p}?per_page=100`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    assert.ok(res instanceof Response);
    assert.equal(res.redirected, false);
    const reader = res.body.getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      assert.ok(value instanceof Uint8Array);
      bytes += value.length;
    }
    assert.equal(res.headers.get('content-length'), String(bytes));
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  });

  test('a large answer arrives in chunks of at most 64 kB; chunked: no content-length', async () => {
    s.setFaults({ oversize: { items: 2000, chunked: true }, routes: ['userPermissions'] });
    const res = await s.fetch(`${s.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.headers.get('content-length'), null);
    const sizes = [];
    for await (const chunk of res.body) sizes.push(chunk.length);
    assert.ok(sizes.length > 1 && sizes.every((n) => n <= 64 * 1024), sizes.join(','));
    s.setFaults(null);
  });

  test('redirects: followed within the model by default, given as they are with manual, refused with error', async () => {
    const spec = { redirect: { status: 307, location: '/api/v2/roles' }, routes: ['userPermissions'] };
    const auth = { authorization: `Bearer ${token}` };
    s.setFaults(spec);
    const followed = await s.fetch(`${s.url}${p}`, { headers: auth });
    assert.equal(followed.status, 200);
    assert.equal(followed.redirected, true);
    assert.equal(followed.url, `${s.url}/api/v2/roles`);
    s.setFaults(spec);
    const manual = await s.fetch(`${s.url}${p}`, { headers: auth, redirect: 'manual' });
    assert.deepEqual([manual.status, manual.redirected, manual.headers.get('location')], [307, false, '/api/v2/roles']);
    s.setFaults(spec);
    await assert.rejects(s.fetch(`${s.url}${p}`, { headers: auth, redirect: 'error' }), TypeError);
    s.setFaults(null);
  });

  test('as fetch does: a fired signal rejects at once, an invalid header value is a TypeError', async () => {
    const total = s.counts.total;
    await assert.rejects(s.fetch(`${s.url}${p}`, { signal: AbortSignal.abort() }), (e) => e.name === 'AbortError');
    await assert.rejects(s.fetch(`${s.url}${p}`, { headers: { authorization: 'Bearer a\nb' } }), TypeError);
    assert.equal(s.counts.total, total, 'neither reached the model');
  });

  test('install() replaces the global fetch, uninstall() puts it back unless something replaced it since', () => {
    const original = globalThis.fetch;
    const mine = createFetchStandIn({ fixture: FIXTURE });
    mine.install();
    assert.equal(globalThis.fetch, mine.fetch);
    mine.uninstall();
    assert.equal(globalThis.fetch, original);
    mine.install();
    const wrapper = (url, init) => mine.fetch(url, init);
    globalThis.fetch = wrapper;
    mine.uninstall();
    assert.equal(globalThis.fetch, wrapper, 'a later wrapper is left in place');
    globalThis.fetch = original;
  });
});
