'use strict';
// Permissions end to end: js/action.js (Rust/wasm) in the local host, against the Management API stand-in.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const http = require('node:http');
const { createHost } = require('../../host');
const { startStandIn } = require('../../host/standin');
const { createAction } = require('../../js/entry');

const ACTION = path.join(__dirname, '..', '..', 'js', 'action.js');
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

async function login(host, server, userId, { extra = {}, event = {}, action = ACTION } = {}) {
  const result = await host.run(action, {
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
  assert.ok(result.logs.some((l) => l.includes('404: the user does not exist in this tenant')));
});

test('managementUrl must be https unless it is a loopback host', async () => {
  const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(1) }]));
  const result = await login(createHost(), server, 'auth0|u', { extra: { managementUrl: 'http://example.com' } });
  assert.equal(result.outcome, 'denied');
  assert.ok(result.logs.some((l) => l.includes('setting `managementUrl`') && l.includes('use https:')), result.logs.join('\n'));
  assert.equal(server.counts.total, 0);
});

// ---- Security: credentials reach only managementUrl, no refused or unsendable token sticks ----------

/** A server that must never be reached: it records every request and answers like the Management API. */
async function elsewhereServer() {
  const hits = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      hits.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        access_token: 'stolen', expires_in: 86400, total: 1, permissions: [{ permission_name: 'evil:all', resource_server_identifier: API }],
      }));
    });
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  after(() => new Promise((resolve) => { server.close(resolve); }));
  return { url: `http://127.0.0.1:${server.address().port}`, port: server.address().port, hits };
}

test('redirects are never followed: any 3xx fails that request, reaches no other host, and onError decides', async () => {
  const elsewhere = await elsewhereServer();
  const users = [
    { user_id: 'auth0|a', roles: [], permissions: permissionsOf(1, API, 'mine') },
    { user_id: 'auth0|b', roles: [], permissions: permissionsOf(1, API, 'theirs') },
  ];
  const locations = [
    `${elsewhere.url}/oauth/token`, // another origin on loopback
    `http://0x7f000001:${elsewhere.port}/oauth/token`, // a host the managementUrl rules refuse
    `http://localhost:${elsewhere.port}/steal`,
    '/api/v2/users/auth0%7Cb/permissions?per_page=100&page=0&include_totals=true', // same origin, another user
  ];
  let cells = 0;
  for (const status of [301, 302, 303, 307, 308]) {
    for (const location of locations) {
      for (const route of ['token', 'userPermissions']) {
        // A client id of its own: a port the OS hands out again must not find this instance's token.
        const clientId = `redirect-client-${cells}`;
        const server = await standIn(fixtureWith(users), { clientId, faults: { redirect: { status, location, routes: [route] } } });
        for (const onError of ['deny', 'continue']) {
          server.resetCounts();
          const result = await login(createHost(), server, 'auth0|a', { extra: { onError } });
          const where = `${status} ${route} -> ${location} (onError=${onError})`;
          assert.ok(result.logs.some((l) => l.includes(`status ${status}: redirects are never followed`)), `${where}: ${result.logs.join('\n')}`);
          if (onError === 'deny') assert.equal(result.outcome, 'denied', where);
          else {
            assert.equal(result.outcome, 'allowed', where);
            assert.deepEqual(claim(result, 'idToken', 'roles'), ['reader'], where);
            assert.equal(claim(result, 'idToken', 'permissions'), undefined, where);
          }
          assert.equal(server.counts.byRoute.userPermissions || 0, route === 'token' ? 0 : 1, `${where}: the redirect was not followed to the same origin`);
          cells += 1;
        }
      }
    }
  }
  assert.equal(cells, 80);
  assert.deepEqual(elsewhere.hits, [], 'no request, no client secret, no bearer token reached another host');
});

test('a 403 (missing scope) leaves no token behind: once the scope is granted the next login works, on warm and cold instances', async () => {
  for (const [mode, scope, route] of [
    ['user', 'read:users', 'userPermissions'],
    ['roles', 'read:roles', 'roles'],
    ['effective', 'read:user_effective_permissions', 'userEffectivePermissions'],
  ]) {
    const server = await standIn(fixtureWith(
      [{ user_id: 'auth0|u', roles: ['rol_reader'], permissions: permissionsOf(2), groupPermissions: [] }],
      [{ id: 'rol_reader', name: 'reader', permissions: permissionsOf(2) }],
    ), { scopes: ['read:users', 'read:roles', 'read:user_effective_permissions'].filter((s) => s !== scope) });
    const host = createHost();
    const extra = { permissions: mode };
    let result = await login(host, server, 'auth0|u', { extra });
    assert.equal(result.outcome, 'denied', mode);
    const line = result.logs.find((l) => l.includes('status 403'));
    assert.ok(line && line.includes(scope), `${mode}: the log names ${scope}: ${result.logs.join('\n')}`);
    for (const other of ['read:users', 'read:roles', 'read:user_effective_permissions'].filter((s) => s !== scope)) {
      assert.ok(!line.includes(other), `${mode}: the log does not send the operator to ${other}`);
    }
    assert.equal(server.counts.byStatus['403'], 2, `${mode}: tried once more with a fresh token`);
    server.scopes.push(scope); // the operator grants the missing scope
    result = await login(host, server, 'auth0|u', { extra });
    assert.equal(result.outcome, 'allowed', `${mode} warm: ${result.logs.join('\n')}`);
    assert.equal(claim(result, 'accessToken', 'permissions').length, 2, mode);
    assert.ok(server.counts.byRoute[route] >= 1);
    // A cold instance (fresh wasm memory) sharing api.cache also works at once.
    result = await login(host, server, 'auth0|u', { extra, action: coldAction() });
    assert.equal(result.outcome, 'allowed', `${mode} cold: ${result.logs.join('\n')}`);
  }
});

test('a token that cannot be sent as a bearer token is refused when issued and never cached', async () => {
  const bad = ['tok en', 'tok\u007fen', 'tök-\u00ff', 'eyJ\u2028x', 'x'.repeat(17 * 1024), 'a\r\nx-injected: 1'];
  for (const value of bad) {
    const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(1) }]), { faults: { tokenValue: { value, count: 1 } } });
    const host = createHost();
    let result = await login(host, server, 'auth0|u');
    assert.equal(result.outcome, 'denied', JSON.stringify(value.slice(0, 20)));
    assert.ok(result.logs.some((l) => l.includes('POST /oauth/token: unexpected response: access_token')), result.logs.join('\n'));
    assert.equal(server.counts.byRoute.userPermissions || 0, 0, 'no request carried it');
    assert.deepEqual(host.cache.snapshot(), {}, 'nothing in api.cache');
    // The server issues good tokens again: the next login fetches one at once (nothing stuck).
    result = await login(host, server, 'auth0|u');
    assert.equal(result.outcome, 'allowed', result.logs.join('\n'));
    assert.equal(server.counts.token, 2);
  }
});

/** A cold Action instance: a fresh wasm instance (empty instance memory), as a module object. */
function coldAction() {
  const glue = path.join(__dirname, '..', '..', 'pkg', 'rbac_claims.js');
  return createAction(() => {
    delete require.cache[require.resolve(glue)];
    return require(glue);
  });
}

test('an unsendable token found in api.cache is deleted, not sent', async () => {
  const server = await standIn(fixtureWith([{ user_id: 'auth0|u', roles: [], permissions: permissionsOf(1) }]));
  const host = createHost();
  await login(host, server, 'auth0|u'); // puts a token into api.cache
  const key = Object.keys(host.cache.snapshot()).find((k) => k.endsWith('/token'));
  assert.ok(key, 'the token is in api.cache');
  for (const value of ['bad token', 'tök', 'x\ny']) {
    host.cache.set(key, value, { expires_at: Date.now() + 3_600_000 });
    server.resetCounts();
    const result = await login(host, server, 'auth0|u', { action: coldAction() });
    assert.equal(result.outcome, 'allowed', result.logs.join('\n'));
    assert.ok(result.logs.some((l) => l.includes('api.cache held a Management API token that') && l.includes('deleted')), result.logs.join('\n'));
    assert.equal(server.counts.byStatus['401'] || 0, 0, 'the bad token was never sent');
    assert.notEqual(host.cache.get(key).value, value, 'replaced in api.cache');
    assert.equal(server.counts.token, 1, 'a new token was fetched');
  }
});

test('permissions=roles never sends the user id: "." and ".." log in like any id', async () => {
  const server = await standIn(fixtureWith([], [{ id: 'rol_reader', name: 'reader', permissions: permissionsOf(2) }]));
  for (const id of ['.', '..']) {
    const result = await login(createHost(), server, id, { extra: { permissions: 'roles' } });
    assert.equal(result.outcome, 'allowed', `${id}: ${result.logs.join('\n')}`);
    assert.equal(claim(result, 'idToken', 'permissions').length, 2);
  }
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
  const result = await login(host, server, 'auth0|r0', { extra, event: { authorization: { roles: ['reader', 'admin'] } } });
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
