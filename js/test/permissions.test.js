'use strict';
// Issue 4 end to end: js/action.js (Rust/wasm) in the local host, against the Management API stand-in.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { createHost } = require('../host');
const { startStandIn } = require('../host/standin');

const ACTION = path.join(__dirname, '..', 'action.js');
const NS = 'https://rbac.example.com';
const API = 'https://api.example.com';
const OTHER_API = 'https://other.example.com';

/** Every piece of text any test saw, scanned for secrets at the end. */
const seen = [];
const secretsUsed = new Set();

function permissionsOf(count, api = API, prefix = 'perm') {
  return Array.from({ length: count }, (_, i) => ({
    permission_name: `${prefix}:${String(i).padStart(4, '0')}`,
    resource_server_identifier: api,
  }));
}

function fixtureWith(users, roles = []) {
  return {
    resourceServers: [{ identifier: API, name: 'API' }, { identifier: OTHER_API, name: 'Other' }],
    roles,
    users,
  };
}

async function standIn(fixture, options = {}) {
  const server = await startStandIn({ fixture, ...options });
  secretsUsed.add(server.clientSecret);
  after(() => server.close());
  return server;
}

function secretsFor(server, extra = {}) {
  return {
    namespace: NS,
    domain: server.domain,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    managementUrl: server.url,
    ...extra,
  };
}

async function login(host, server, userId, { extra = {}, event = {} } = {}) {
  const result = await host.run(ACTION, {
    user: { user_id: userId },
    authorization: { roles: ['reader'] },
    resource_server: { identifier: API },
    ...event,
  }, { secrets: secretsFor(server, extra) });
  seen.push(JSON.stringify({ calls: result.calls, logs: result.logs, denyReason: result.denyReason, error: result.error, claims: result.claims }));
  return result;
}

function claim(result, token, name) {
  return result.claims[token][`${NS}/${name}`];
}

test('pagination: 0, 1, 100, 101, 250 and 1000 permissions all arrive, sorted, in both tokens', async () => {
  const sizes = [0, 1, 100, 101, 250, 1000];
  const users = sizes.map((n) => ({ user_id: `auth0|user-${n}`, roles: [], permissions: permissionsOf(n) }));
  const server = await standIn(fixtureWith(users));
  const host = createHost();
  for (const n of sizes) {
    server.resetCounts();
    const result = await login(host, server, `auth0|user-${n}`);
    assert.equal(result.outcome, 'allowed', result.logs.join('\n'));
    const expected = permissionsOf(n).map((p) => p.permission_name);
    assert.deepEqual(claim(result, 'idToken', 'permissions'), expected, `n=${n}`);
    assert.deepEqual(claim(result, 'accessToken', 'permissions'), expected, `n=${n}`);
    assert.deepEqual(claim(result, 'accessToken', 'roles'), ['reader']);
    assert.equal(server.counts.byRoute.userPermissions, Math.max(1, Math.ceil(n / 100)), `pages for n=${n}`);
  }
});

test('pages shorter than asked for (tenants capped at 50) are followed', async () => {
  const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(120) }]), { maxPerPage: 50 });
  const result = await login(createHost(), server, 'auth0|u');
  assert.equal(claim(result, 'accessToken', 'permissions').length, 120);
  assert.equal(server.counts.byRoute.userPermissions, 3);
});

test('odd user ids survive as one path segment', async () => {
  const ids = ['google-oauth2|103547991597142817347', 'adfs|john@fabrikam.com', 'waad|a/b', 'x|q?x', 'x|h#x', 'x|p%20', 'x|ünï', 'x|a+b&c=d'];
  const users = ids.map((id, i) => ({ user_id: id, roles: [], permissions: permissionsOf(1, API, `only-${i}`) }));
  const server = await standIn(fixtureWith(users));
  const host = createHost();
  for (const [i, id] of ids.entries()) {
    const result = await login(host, server, id);
    assert.equal(result.outcome, 'allowed', `${id}: ${result.logs.join('\n')}`);
    assert.deepEqual(claim(result, 'idToken', 'permissions'), [`only-${i}:0000`], id);
  }
});

test('permissionsFor=requested keeps only the requested API; none requested gives [] without a call', async () => {
  const server = await standIn(fixtureWith([{
    user_id: 'auth0|u', roles: [], permissions: [...permissionsOf(2, API, 'api'), ...permissionsOf(2, OTHER_API, 'other')],
  }]));
  const host = createHost();
  let result = await login(host, server, 'auth0|u', { extra: { permissionsFor: 'requested' } });
  assert.deepEqual(claim(result, 'accessToken', 'permissions'), ['api:0000', 'api:0001']);
  result = await login(host, server, 'auth0|u', { extra: { permissionsFor: 'all' } });
  assert.deepEqual(claim(result, 'accessToken', 'permissions'), ['api:0000', 'api:0001', 'other:0000', 'other:0001']);
  server.resetCounts();
  result = await login(host, server, 'auth0|u', { extra: { permissionsFor: 'requested' }, event: { resource_server: null } });
  assert.deepEqual(claim(result, 'idToken', 'permissions'), []);
  assert.equal(server.counts.total, 0);
});

test('effective mode adds group-derived permissions for the requested API', async () => {
  const server = await standIn(fixtureWith([{
    user_id: 'auth0|u', roles: [], permissions: permissionsOf(150, API, 'direct'), groupPermissions: permissionsOf(3, API, 'group'),
  }]), { scopes: ['read:users', 'read:roles', 'read:user_effective_permissions'] });
  const result = await login(createHost(), server, 'auth0|u', { extra: { permissions: 'effective' } });
  assert.equal(result.outcome, 'allowed', result.logs.join('\n'));
  const names = claim(result, 'accessToken', 'permissions');
  assert.equal(names.length, 153);
  assert.ok(names.includes('group:0002') && names.includes('direct:0149'));
  assert.ok(server.counts.byRoute.userEffectivePermissions >= 2, 'followed the cursor');
});

test('one token request serves 50 logins on a warm instance', async () => {
  const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(3) }]));
  const host = createHost();
  for (let i = 0; i < 50; i += 1) {
    const result = await login(host, server, 'auth0|u');
    assert.equal(claim(result, 'idToken', 'permissions').length, 3);
  }
  assert.equal(server.counts.token, 1);
  assert.equal(server.counts.byRoute.userPermissions, 50);
});

test('200 concurrent logins of different users: each gets only its own permissions, one token request', async () => {
  const users = Array.from({ length: 200 }, (_, i) => ({ user_id: `auth0|c${i}`, roles: [], permissions: permissionsOf(2, API, `u${i}`) }));
  const server = await standIn(fixtureWith(users));
  const host = createHost();
  const results = await Promise.all(users.map((u) => login(host, server, u.user_id)));
  results.forEach((result, i) => {
    assert.equal(result.outcome, 'allowed');
    assert.deepEqual(claim(result, 'idToken', 'permissions'), [`u${i}:0000`, `u${i}:0001`]);
    assert.deepEqual(claim(result, 'accessToken', 'permissions'), [`u${i}:0000`, `u${i}:0001`]);
  });
  assert.equal(server.counts.token, 1);
});

test('a 429 whose reset fits in the budget is waited out', async () => {
  const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(1) }]), { rateLimit: { burst: 1, perSecond: 1 } });
  const host = createHost();
  await login(host, server, 'auth0|u'); // takes the only token of the bucket
  const result = await login(host, server, 'auth0|u', { extra: { budgetMs: '5000' } });
  assert.equal(result.outcome, 'allowed', result.logs.join('\n'));
  assert.ok((server.counts.byStatus['429'] || 0) >= 1, 'was rate limited at least once');
});

test('a 429 whose reset does not fit in the budget fails fast (deny) or continues', async () => {
  const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(1) }]), { rateLimit: { burst: 1, perSecond: 0.01 } });
  const host = createHost();
  await login(host, server, 'auth0|u');
  let result = await login(host, server, 'auth0|u', { extra: { budgetMs: '1000' } });
  assert.equal(result.outcome, 'denied');
  assert.ok(result.durationMs < 1000 + 1000, `took ${result.durationMs} ms`);
  assert.ok(result.logs.some((l) => l.includes('rate limited (429)')), result.logs.join('\n'));
  result = await login(host, server, 'auth0|u', { extra: { budgetMs: '1000', onError: 'continue' } });
  assert.equal(result.outcome, 'allowed');
  assert.deepEqual(claim(result, 'idToken', 'roles'), ['reader']);
  assert.equal(claim(result, 'idToken', 'permissions'), undefined);
  assert.ok(result.logs.some((l) => l.includes('continuing without permissions')));
});

for (const [name, faults] of [
  ['5xx', { status5xx: { count: 2, status: 503 }, routes: ['userPermissions'] }],
  ['connection reset', { reset: { count: 2 }, routes: ['userPermissions'] }],
  ['hang', { hang: { count: 1 }, routes: ['userPermissions'] }],
]) {
  test(`a transient ${name} is retried and the login succeeds`, async () => {
    const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(2) }]));
    const host = createHost();
    await login(host, server, 'auth0|u'); // warm the token
    server.setFaults(faults);
    // A hang is cut by the per-request timeout (the budget's remainder, at most 8 s): give it room.
    const budgetMs = name === 'hang' ? '3000' : '5000';
    const result = await login(host, server, 'auth0|u', { extra: { budgetMs } });
    if (name === 'hang') {
      // The hung request used the whole per-request timeout, i.e. the whole budget: the login is denied in time.
      assert.ok(result.durationMs < 3000 + 1000, `took ${result.durationMs} ms`);
    } else {
      assert.equal(result.outcome, 'allowed', result.logs.join('\n'));
      assert.equal(claim(result, 'idToken', 'permissions').length, 2);
    }
  });
}

test('persistent faults end in the configured outcome within the budget', async () => {
  for (const faults of [
    { status5xx: {} }, { reset: {} }, { malformedJson: {} }, { wrongShape: {} }, { hang: {} },
  ]) {
    const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(2) }]));
    server.setFaults({ ...faults, routes: ['userPermissions'] });
    for (const onError of ['deny', 'continue']) {
      const result = await login(createHost(), server, 'auth0|u', { extra: { budgetMs: '1500', onError } });
      const kind = Object.keys(faults)[0];
      assert.ok(result.durationMs < 1500 + 1000, `${kind}/${onError} took ${result.durationMs} ms`);
      if (onError === 'deny') {
        assert.equal(result.outcome, 'denied', `${kind}: ${result.logs.join('\n')}`);
        assert.match(result.denyReason, /^Sign-in could not be completed/);
      } else {
        assert.equal(result.outcome, 'allowed', `${kind}: ${result.logs.join('\n')}`);
        assert.equal(claim(result, 'idToken', 'permissions'), undefined);
      }
    }
  }
});

test('an expired (revoked) token gets a 401, is dropped and replaced once', async () => {
  const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(1) }]));
  const host = createHost();
  await login(host, server, 'auth0|u');
  assert.equal(server.counts.token, 1);
  server.revokeTokens();
  const result = await login(host, server, 'auth0|u');
  assert.equal(result.outcome, 'allowed', result.logs.join('\n'));
  assert.equal(server.counts.token, 2);
  assert.equal(server.counts.byStatus['401'], 1);
  await login(host, server, 'auth0|u');
  assert.equal(server.counts.token, 2, 'the new token is reused');
});

test('wrong client credentials deny with a generic reason and a precise log', async () => {
  const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(1) }]));
  const result = await login(createHost(), server, 'auth0|u', { extra: { clientSecret: 'wrong-secret-value' } });
  secretsUsed.add('wrong-secret-value');
  assert.equal(result.outcome, 'denied');
  assert.ok(result.logs.some((l) => l.includes('POST /oauth/token: status 401')), result.logs.join('\n'));
});

test('an unknown user (404) denies', async () => {
  const server = await standIn(fixtureWith([]));
  const result = await login(createHost(), server, 'auth0|ghost');
  assert.equal(result.outcome, 'denied');
  assert.ok(result.logs.some((l) => l.includes('404: user not found')));
});

test('managementUrl must be https unless it is a loopback host', async () => {
  const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(1) }]));
  const result = await login(createHost(), server, 'auth0|u', { extra: { managementUrl: 'http://example.com' } });
  assert.equal(result.outcome, 'denied');
  assert.ok(result.logs.some((l) => l.includes('setting `managementUrl`') && l.includes('use https:')), result.logs.join('\n'));
  assert.equal(server.counts.total, 0);
});

test('no client secret or Management API token appears in any claim, log, deny reason or error', () => {
  assert.ok(seen.length > 250, `scanned ${seen.length} logins`);
  const text = seen.join('\n');
  for (const secret of secretsUsed) assert.ok(!text.includes(secret), 'a client secret leaked');
  assert.ok(!/Bearer\s+ey/.test(text) && !/"access_token"/.test(text), 'a token leaked');
});

test('permissions=roles: role-derived permissions, zero Management API calls on a warm instance', async () => {
  const roles = [
    { id: 'rol_admin', name: 'admin', description: '', permissions: [...permissionsOf(2, API, 'admin'), ...permissionsOf(1, OTHER_API, 'x')] },
    { id: 'rol_reader', name: 'reader', description: '', permissions: permissionsOf(1, API, 'read') },
  ];
  const users = Array.from({ length: 100 }, (_, i) => ({ user_id: `auth0|r${i}`, roles: ['rol_reader'], permissions: permissionsOf(1, API, 'direct') }));
  const server = await standIn(fixtureWith(users, roles), { rateLimit: 'free' });
  const host = createHost();
  const extra = { permissions: 'roles' };
  let result = await login(host, server, 'auth0|r0', { extra, event: { authorization: { roles: ['reader', 'admin'] } } });
  assert.equal(result.outcome, 'allowed', result.logs.join('\n'));
  assert.deepEqual(claim(result, 'accessToken', 'permissions'), ['admin:0000', 'admin:0001', 'read:0000', 'x:0000']);
  const answered = server.counts.total - (server.counts.byStatus['429'] || 0); // Free plan: burst 2, then 429s
  assert.equal(answered, 4, 'token + role directory + 2 roles = distinct roles + 2');
  server.resetCounts();
  const results = await Promise.all(users.map((u) => login(host, server, u.user_id, { extra })));
  for (const r of results) {
    assert.equal(r.outcome, 'allowed');
    assert.deepEqual(claim(r, 'idToken', 'permissions'), ['read:0000'], 'directly assigned permissions are not included');
  }
  assert.equal(server.counts.total, 0, 'a warm instance asks nothing');
});
