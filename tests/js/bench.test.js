'use strict';
// The benchmarks compare like with like: the plain-JS baseline (bench/js-action.js) must give the same
// claims, deny the same way and make the same Management API requests as the Rust/wasm Action
// (the single-file bundle when built, else js/action.js) for the same event and the same Management API
// (the stand-in's in-process fetch, as in measure 1).
const { test, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { implementations, loadFresh } = require('../../bench/lib/impls');
const { perms, roleId, API } = require('../../bench/lib/fixtures');
const { captured } = require('../../bench/lib/load');
const { createFetchStandIn } = require('../../host/standin-fetch');
const { recordingApi, claimsOf, CacheStore } = require('./support/api');

const NS = 'https://rbac.example.com';
const OTHER_API = 'https://other.example.com';

function fixture() {
  const shared = perms(10, 'read:common');
  const roles = [
    { id: roleId('admin'), name: 'admin', permissions: [...shared, ...perms(60, 'admin')] },
    { id: roleId('editor'), name: 'editor', permissions: [...shared, ...perms(30, 'editor'), ...perms(5, 'other', OTHER_API)] },
    { id: roleId('viewer'), name: 'viewer', permissions: perms(5, 'viewer') },
  ];
  return {
    resourceServers: [{ identifier: API, name: 'API' }, { identifier: OTHER_API, name: 'Other' }],
    roles,
    users: [
      // 150 direct permissions, plus a role that repeats 10 of them: 150 distinct names, 2 pages.
      { user_id: 'auth0|two-pages', roles: [roleId('viewer')], permissions: [...perms(145, 'direct'), ...perms(5, 'viewer')] },
      { user_id: 'auth0|roles-only', roles: [roleId('admin'), roleId('editor')], permissions: [] },
      { user_id: 'google-oauth2|1035|x', roles: [], permissions: [...perms(3, 'z'), ...perms(2, 'a', OTHER_API)] },
    ],
  };
}

let standIn = null;
afterEach(() => { if (standIn) standIn.uninstall(); standIn = null; });

/** Secrets that point both Actions at the stand-in. */
const secretsFor = (s, extra) => ({
  namespace: NS, domain: s.domain, clientId: s.clientId, clientSecret: s.clientSecret, managementUrl: s.url, ...extra,
});

/**
 * Runs the same logins on a fresh instance of each implementation against its own fresh stand-in.
 * @param {object[]} events
 * @param {{secrets?: object, faults?: object, rateLimit?: object}} [options] stand-in faults and rate limit
 * @returns {Promise<Record<'wasm'|'js', {results: object[], requests: string[], logs: string[]}>>}
 */
async function onBoth(events, { secrets = {}, faults = null, rateLimit = null } = {}) {
  const out = {};
  for (const impl of implementations()) {
    standIn = createFetchStandIn({ fixture: fixture(), faults, rateLimit });
    standIn.install();
    const action = loadFresh(impl);
    const cache = new CacheStore();
    const results = [];
    const { lines } = await captured(async () => {  
      for (const event of events) {
        const api = recordingApi({ cache });
        await action.onExecutePostLogin({ resource_server: { identifier: API }, ...event, secrets: secretsFor(standIn, secrets) }, api);  
        const got = claimsOf(api);
        results.push({ claims: { idToken: got.idToken, accessToken: got.accessToken }, calls: api.calls, denied: got.deny === undefined ? null : got.deny });
      }
    });
    out[impl.name] = { results, requests: standIn.requests.map((r) => `${r.route} ${r.status} ${r.path}`), logs: lines };
    standIn.uninstall();
    standIn = null;
  }
  return out;
}

const login = (userId, roles) => ({ user: { user_id: userId }, authorization: { roles } });

test('roles only: the same claims, in event order, on both tokens, with no request', async () => {
  const both = await onBoth([login('auth0|x', ['editor', 'admin', 7, 'viewer'])], { secrets: { domain: '', clientId: '', clientSecret: '' } });
  for (const [name, { results, requests }] of Object.entries(both)) {
    assert.equal(results[0].denied, null, name);
    assert.deepEqual(results[0].claims.idToken, { [`${NS}/roles`]: ['editor', 'admin', 'viewer'] }, name);
    assert.deepEqual(results[0].claims.accessToken, { [`${NS}/roles`]: ['editor', 'admin', 'viewer'] }, name);
    assert.deepEqual(requests, [], name);
  }
  assert.deepEqual(both.js.results[0].calls, both.wasm.results[0].calls, 'same api calls in the same order');
});

test('150 permissions over 2 pages: same sorted, deduplicated claim and the same requests', async () => {
  const both = await onBoth([login('auth0|two-pages', ['viewer']), login('auth0|two-pages', ['viewer'])], { secrets: { permissions: 'user' } });
  const expected = [...perms(145, 'direct'), ...perms(5, 'viewer')].map((p) => p.permission_name).sort();
  assert.equal(expected.length, 150);
  for (const [name, { results, requests }] of Object.entries(both)) {
    for (const r of results) {
      assert.equal(r.denied, null, name);
      assert.deepEqual(r.claims.accessToken[`${NS}/permissions`], expected, name);
      assert.deepEqual(r.claims.idToken[`${NS}/permissions`], expected, name);
    }
    // One token for the instance, then two pages per login.
    assert.deepEqual(requests, [
      'token 200 /oauth/token',
      'userPermissions 200 /api/v2/users/auth0%7Ctwo-pages/permissions?per_page=100&page=0&include_totals=true',
      'userPermissions 200 /api/v2/users/auth0%7Ctwo-pages/permissions?per_page=100&page=1&include_totals=true',
      'userPermissions 200 /api/v2/users/auth0%7Ctwo-pages/permissions?per_page=100&page=0&include_totals=true',
      'userPermissions 200 /api/v2/users/auth0%7Ctwo-pages/permissions?per_page=100&page=1&include_totals=true',
    ], name);
  }
  assert.deepEqual(both.js.results[0].calls, both.wasm.results[0].calls);
});

test('effective mode and permissionsFor=requested give the same claims', async () => {
  const events = [login('google-oauth2|1035|x', []), { ...login('google-oauth2|1035|x', []), resource_server: { identifier: OTHER_API } }];
  const effective = await onBoth(events, { secrets: { permissions: 'effective' } });
  assert.deepEqual(effective.js.results.map((r) => r.claims), effective.wasm.results.map((r) => r.claims));
  assert.deepEqual(effective.wasm.results[0].claims.accessToken[`${NS}/permissions`], ['z:0000', 'z:0001', 'z:0002']);
  assert.deepEqual(effective.wasm.results[1].claims.accessToken[`${NS}/permissions`], ['a:0000', 'a:0001']);
  assert.deepEqual(effective.js.requests, effective.wasm.requests);
  const requested = await onBoth(events, { secrets: { permissions: 'user', permissionsFor: 'requested' } });
  assert.deepEqual(requested.js.results.map((r) => r.claims), requested.wasm.results.map((r) => r.claims));
  assert.deepEqual(requested.js.results[1].claims.idToken[`${NS}/permissions`], ['a:0000', 'a:0001']);
});

test('permissions=roles: the union of the roles\' permissions, cached for every later login', async (t) => {
  const events = [login('auth0|roles-only', ['admin', 'editor']), login('auth0|two-pages', ['editor', 'unknown-role']), login('auth0|roles-only', ['admin', 'editor'])];
  const both = await onBoth(events, { secrets: { permissions: 'roles' } });
  const wasm = both.wasm;
  if (wasm.results[0].denied && wasm.logs.some((l) => l.includes('permissions'))) {
    t.skip(`the Rust Action in pkg/ does not support permissions=roles yet: ${wasm.logs.find((l) => l.includes('permissions'))}`);
    return;
  }
  const admin = [...perms(10, 'read:common'), ...perms(60, 'admin')];
  const editor = [...perms(10, 'read:common'), ...perms(30, 'editor'), ...perms(5, 'other', OTHER_API)];
  const union = [...new Set([...admin, ...editor].map((p) => p.permission_name))].sort();
  const editorOnly = [...new Set(editor.map((p) => p.permission_name))].sort();
  for (const [name, { results, requests }] of Object.entries(both)) {
    assert.deepEqual(results.map((r) => r.denied), [null, null, null], name);
    assert.deepEqual(results[0].claims.accessToken[`${NS}/permissions`], union, name);
    assert.deepEqual(results[1].claims.accessToken[`${NS}/permissions`], editorOnly, `${name}: an unknown role adds nothing`);
    assert.deepEqual(results[1].claims.accessToken[`${NS}/roles`], ['editor', 'unknown-role'], name);
    assert.deepEqual(results[2].claims, results[0].claims, name);
    // token + directory + one page per role, all during the first login; nothing after.
    assert.equal(requests.length, 4, `${name}: ${requests.join('\n')}`);
    assert.deepEqual(requests.map((r) => r.split(' ')[0]).sort(), ['roles', 'rolePermissions', 'rolePermissions', 'token'].sort(), name);
  }
  assert.deepEqual(both.js.results.map((r) => r.claims), wasm.results.map((r) => r.claims));
});

test('429, 503 and a rejected token are retried the same way and end in the same claims', async () => {
  // In this order on the first three page requests: 503, 429 (reset: the current second), 401.
  const faults = {
    status5xx: { count: 1, status: 503 }, status429: { count: 1, reset: 0 }, unauthorized: { count: 1 }, routes: ['userPermissions'],
  };
  const both = await onBoth([login('google-oauth2|1035|x', ['a'])], { secrets: { permissions: 'user' }, faults });
  for (const [name, { results, requests }] of Object.entries(both)) {
    assert.equal(results[0].denied, null, name);
    assert.deepEqual(results[0].claims.idToken[`${NS}/permissions`], ['a:0000', 'a:0001', 'z:0000', 'z:0001', 'z:0002'], name);
    assert.deepEqual(requests.map((r) => r.split(' ').slice(0, 2).join(' ')), [
      'token 200', 'userPermissions 503', 'userPermissions 429', 'userPermissions 401', 'token 200', 'userPermissions 200',
    ], name);
  }
});

test('failures: onError=continue keeps the roles claim only; deny uses the same generic reason', async () => {
  const faults = { status5xx: { count: 100, status: 500 }, routes: ['userPermissions'] };
  const cont = await onBoth([login('auth0|x', ['a'])], { secrets: { permissions: 'user', onError: 'continue', budgetMs: '300' }, faults });
  for (const [name, { results }] of Object.entries(cont)) {
    assert.equal(results[0].denied, null, name);
    assert.deepEqual(results[0].claims.accessToken, { [`${NS}/roles`]: ['a'] }, name);
  }
  const deny = await onBoth([login('auth0|x', ['a'])], { secrets: { permissions: 'user', budgetMs: '300' }, faults });
  assert.match(deny.wasm.results[0].denied, /^Sign-in could not be completed/);
  assert.equal(deny.js.results[0].denied, deny.wasm.results[0].denied);
  assert.deepEqual(deny.js.results[0].claims, { idToken: {}, accessToken: {} });
  const badConfig = await onBoth([login('auth0|x', ['a'])], { secrets: { namespace: 'https://tenant.auth0.com' } });
  assert.equal(badConfig.js.results[0].denied, badConfig.wasm.results[0].denied);
  assert.ok(badConfig.js.results[0].denied);
});
