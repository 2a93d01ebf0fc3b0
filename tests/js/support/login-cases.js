'use strict';
/**
 * The end-to-end logins that every shipped form of the Action must pass identically: js/action.js in
 * the local host, the single-file bundle and the installed npm package (tests/js/bundle.test.js,
 * tests/js/package.test.js). Two Management API stand-ins: a healthy one and one whose
 * `/users/{id}/permissions` always answers 503.
 */
const assert = require('node:assert/strict');
const { startStandIn } = require('../../../host/standin');
const { createHost } = require('../../../host');
const { recordingApi } = require('./api');
const { captureConsole } = require('./console');

const NS = 'https://rbac.example.com';
const API = 'https://api.example.com';
const path = require('node:path');

const GENERIC_DENY = /^Sign-in could not be completed/;
/** The deny reason of a configuration error, from the test build (`make pkg-trap`). */
const CONFIG_DENY = require(path.join(__dirname, '..', '..', '..', 'target', 'pkg-trap', 'rbac_claims.js')).configDenyReason();

/** alice: role editor (read, write) and one direct permission (delete): 3 permissions, unsorted here. */
const FIXTURE = {
  resourceServers: [{ identifier: API, name: 'Example API' }],
  roles: [{
    id: 'rol_editor',
    name: 'editor',
    permissions: [
      { permission_name: 'write:reports', resource_server_identifier: API },
      { permission_name: 'read:reports', resource_server_identifier: API },
    ],
  }],
  users: [{
    user_id: 'auth0|alice',
    roles: ['rol_editor'],
    permissions: [{ permission_name: 'delete:reports', resource_server_identifier: API }],
  }],
};

/** Start the two stand-ins; `close()` stops both. */
async function startStandIns() {
  const healthy = await startStandIn({ fixture: FIXTURE });
  const failing = await startStandIn({ fixture: FIXTURE, faults: { status5xx: {}, routes: ['userPermissions'] } });
  return { healthy, failing, close: () => Promise.all([healthy.close(), failing.close()]) };
}

const credentials = (s) => ({ domain: s.domain, clientId: s.clientId, clientSecret: s.clientSecret, managementUrl: s.url });
const EVENT = { user: { user_id: 'auth0|alice' }, authorization: { roles: ['editor'] }, resource_server: { identifier: API } };
/** An organization login: `editor` is her member role there. */
const ORG_EVENT = { ...EVENT, organization: { id: 'org_acme', name: 'acme' } };
/** The event with `app_metadata`, and no roles in `event.authorization` but `reader` (what `onError=continue` falls back to). */
const META_EVENT = (appMetadata) => ({ ...EVENT, user: { user_id: 'auth0|alice', app_metadata: appMetadata }, authorization: { roles: ['reader'] } });

/**
 * The cases, against the stand-ins.
 * @returns {{name: string, event: object, secrets: Record<string, string>}[]}
 */
function cases({ healthy, failing }) {
  return [
    { name: 'roles', event: { ...EVENT, authorization: { roles: ['admin', 'editor'] } }, secrets: { namespace: NS } },
    { name: 'permissions', event: EVENT, secrets: { namespace: NS, ...credentials(healthy) } },
    { name: 'permissions from roles', event: EVENT, secrets: { namespace: NS, ...credentials(healthy), permissions: 'roles' } },
    { name: 'config error', event: EVENT, secrets: { namespace: 'https://tenant.auth0.com' } },
    { name: '5xx, onError=continue', event: EVENT, secrets: { namespace: NS, ...credentials(failing), onError: 'continue', budgetMs: '4000' } },
    { name: '5xx, onError=deny', event: EVENT, secrets: { namespace: NS, ...credentials(failing), budgetMs: '4000' } },
    { name: 'permissionsAs=scope', event: EVENT, secrets: { namespace: NS, ...credentials(healthy), permissionsAs: 'scope' } },
    { name: 'permissionsAs=both', event: EVENT, secrets: { namespace: NS, ...credentials(healthy), permissionsAs: 'both' } },
    { name: 'permissionsAs=scope, 5xx, onError=continue', event: EVENT, secrets: { namespace: NS, ...credentials(failing), permissionsAs: 'scope', onError: 'continue', budgetMs: '4000' } },
    { name: 'permissionsAs=both, no addScope, onError=continue', event: EVENT, directory: { omit: ['addScope'] }, secrets: { namespace: NS, ...credentials(healthy), permissionsAs: 'both', onError: 'continue', logLine: 'json' } },
    { name: 'permissionsAs=both, no addScope, onError=deny', event: EVENT, directory: { omit: ['addScope'] }, secrets: { namespace: NS, ...credentials(healthy), permissionsAs: 'both' } },
    { name: 'permissionsAs=scope, tokens=id', event: EVENT, secrets: { namespace: NS, ...credentials(healthy), permissionsAs: 'scope', tokens: 'id' } },
    { name: 'roles=metadata (Authorization Extension layout), permissions=roles', event: META_EVENT({ authorization: { roles: ['editor', '', 7, 'editor'] } }), secrets: { namespace: NS, ...credentials(healthy), roles: 'metadata', metadataPath: 'authorization.roles', permissions: 'roles' } },
    { name: 'roles=metadata, no app_metadata', event: { ...EVENT, user: { user_id: 'auth0|alice' } }, secrets: { namespace: NS, roles: 'metadata' } },
    { name: 'roles=metadata, not an array, onError=continue', event: META_EVENT({ roles: { editor: true } }), secrets: { namespace: NS, roles: 'metadata', onError: 'continue', logLine: 'json' } },
    { name: 'roles=metadata, not an array, onError=deny', event: META_EVENT({ roles: 'editor' }), secrets: { namespace: NS, roles: 'metadata' } },
    { name: 'roles=metadata, metadataPath invalid', event: META_EVENT({ roles: ['editor'] }), secrets: { namespace: NS, roles: 'metadata', metadataPath: 'a..b' } },
    { name: 'organization login, organizationPermissions default', event: ORG_EVENT, secrets: { namespace: NS, ...credentials(failing) } },
    { name: 'organization login, organizationPermissions=tenant', event: ORG_EVENT, secrets: { namespace: NS, ...credentials(healthy), organizationPermissions: 'tenant' } },
    { name: 'organization login, tenant, 5xx, onError=continue', event: ORG_EVENT, secrets: { namespace: NS, ...credentials(failing), organizationPermissions: 'tenant', onError: 'continue', budgetMs: '4000' } },
    { name: 'organization login, tenant, 5xx, onError=deny', event: ORG_EVENT, secrets: { namespace: NS, ...credentials(failing), organizationPermissions: 'tenant', budgetMs: '4000' } },
    { name: 'logLine, permissions', event: EVENT, secrets: { namespace: NS, ...credentials(healthy), logLine: 'json' } },
    { name: 'logLine, 5xx, onError=continue', event: EVENT, secrets: { namespace: NS, ...credentials(failing), onError: 'continue', budgetMs: '4000', logLine: 'json' } },
    { name: 'logLine, 5xx, onError=deny', event: EVENT, secrets: { namespace: NS, ...credentials(failing), budgetMs: '4000', logLine: 'json' } },
  ];
}

const claim = (r, token, name) => r.claims[token][`${NS}/${name}`];

/**
 * Assert what each case must give.
 * @param {{name: string, outcome: string, denyReason?: string, claims: object, logs: string[]}[]} results
 */
function checkResults(results) {
  const by = Object.fromEntries(results.map((r) => [r.name, r]));
  const why = (r) => `${r.name}: ${r.outcome} ${r.error || ''}\n${r.logs.join('\n')}`;

  let r = by.roles;
  assert.equal(r.outcome, 'allowed', why(r));
  for (const token of ['idToken', 'accessToken']) {
    assert.deepEqual(claim(r, token, 'roles'), ['admin', 'editor'], token);
    assert.equal(claim(r, token, 'permissions'), undefined, `${token}: no permissions without credentials`);
  }

  for (const name of ['permissions', 'permissions from roles']) {
    r = by[name];
    assert.equal(r.outcome, 'allowed', why(r));
    const expected = name === 'permissions' ? ['delete:reports', 'read:reports', 'write:reports'] : ['read:reports', 'write:reports'];
    for (const token of ['idToken', 'accessToken']) {
      assert.deepEqual(claim(r, token, 'roles'), ['editor'], `${name} ${token}`);
      assert.deepEqual(claim(r, token, 'permissions'), expected, `${name} ${token}: sorted`);
    }
  }

  r = by['config error'];
  assert.equal(r.outcome, 'denied', why(r));
  assert.equal(r.denyReason, CONFIG_DENY);
  assert.doesNotMatch(r.denyReason, /auth0\.com|namespace/, 'the user sees nothing of the configuration');
  assert.ok(r.logs.some((l) => l.startsWith('rbac-claims: login denied: configuration: setting `namespace`')), why(r));

  r = by['5xx, onError=continue'];
  assert.equal(r.outcome, 'allowed', why(r));
  assert.deepEqual(claim(r, 'idToken', 'roles'), ['editor']);
  assert.equal(claim(r, 'idToken', 'permissions'), undefined);
  assert.equal(claim(r, 'accessToken', 'permissions'), undefined);
  assert.ok(r.logs.some((l) => l.includes('continuing without permissions')), why(r));

  r = by['5xx, onError=deny'];
  assert.equal(r.outcome, 'denied', why(r));
  assert.match(r.denyReason, GENERIC_DENY);

  // permissionsAs: the permissions as access token scopes (beside the scopes the login asked for), the claim or both.
  const PERMS = ['delete:reports', 'read:reports', 'write:reports'];
  const added = (x) => x.scopes.filter((s) => PERMS.includes(s));
  r = by['permissionsAs=scope'];
  assert.equal(r.outcome, 'allowed', why(r));
  assert.deepEqual(added(r), PERMS, why(r));
  for (const token of ['idToken', 'accessToken']) {
    assert.deepEqual(claim(r, token, 'roles'), ['editor']);
    assert.equal(claim(r, token, 'permissions'), undefined, `${token}: no permissions claim with permissionsAs=scope`);
  }
  r = by['permissionsAs=both'];
  assert.deepEqual(added(r), PERMS, why(r));
  for (const token of ['idToken', 'accessToken']) assert.deepEqual(claim(r, token, 'permissions'), PERMS, token);
  assert.deepEqual(by.permissions.scopes.filter((s) => PERMS.includes(s)), [], 'permissionsAs=claim (the default) adds no scope');
  r = by['permissionsAs=scope, 5xx, onError=continue'];
  assert.equal(r.outcome, 'allowed', why(r));
  assert.deepEqual(added(r), [], why(r));
  assert.ok(r.logs.some((l) => l.includes('continuing without permissions')), why(r));
  r = by['permissionsAs=both, no addScope, onError=continue'];
  assert.equal(r.outcome, 'allowed', why(r));
  assert.deepEqual(added(r), []);
  assert.equal(claim(r, 'idToken', 'permissions'), undefined, 'continue: without the permissions claim too');
  assert.deepEqual(claim(r, 'idToken', 'roles'), ['editor']);
  assert.ok(r.logs.some((l) => l.startsWith('rbac-claims: continuing without permissions (onError=continue): api.accessToken.addScope')), why(r));
  assert.match(r.logs.at(-1), /^rbac-claims \{"outcome":"continued","roles":1,"permissions":null,/);
  r = by['permissionsAs=both, no addScope, onError=deny'];
  assert.equal(r.outcome, 'denied', why(r));
  assert.match(r.denyReason, GENERIC_DENY);
  assert.ok(r.logs.some((l) => l.startsWith('rbac-claims: login denied: api.accessToken.addScope')), why(r));
  r = by['permissionsAs=scope, tokens=id'];
  assert.equal(r.outcome, 'denied', why(r));
  assert.equal(r.denyReason, CONFIG_DENY);
  assert.ok(r.logs.some((l) => l.includes('setting `permissionsAs` needs the access token')), why(r));

  // roles=metadata: the role names from app_metadata, with their permissions through the role directory.
  r = by['roles=metadata (Authorization Extension layout), permissions=roles'];
  assert.equal(r.outcome, 'allowed', why(r));
  for (const token of ['idToken', 'accessToken']) {
    assert.deepEqual(claim(r, token, 'roles'), ['editor'], `${token}: deduplicated, strings only, not the event's roles`);
    assert.deepEqual(claim(r, token, 'permissions'), ['read:reports', 'write:reports'], token);
  }
  assert.ok(r.logs.includes('rbac-claims: dropped 2 app_metadata role entries that were not non-empty strings'), why(r));
  r = by['roles=metadata, no app_metadata'];
  assert.equal(r.outcome, 'allowed', why(r));
  assert.deepEqual(claim(r, 'idToken', 'roles'), []);
  assert.deepEqual(r.logs, [], why(r));
  r = by['roles=metadata, not an array, onError=continue'];
  assert.equal(r.outcome, 'allowed', why(r));
  assert.deepEqual(claim(r, 'accessToken', 'roles'), ['reader'], 'continue: event.authorization.roles');
  assert.ok(r.logs.includes('rbac-claims: continuing with event.authorization.roles (onError=continue): event: user.app_metadata.roles is object, not an array'), why(r));
  assert.match(r.logs.at(-1), /^rbac-claims \{"outcome":"continued","roles":1,/);
  r = by['roles=metadata, not an array, onError=deny'];
  assert.equal(r.outcome, 'denied', why(r));
  assert.match(r.denyReason, GENERIC_DENY);
  assert.ok(r.logs.includes('rbac-claims: login denied: event: user.app_metadata.roles is string, not an array'), why(r));
  r = by['roles=metadata, metadataPath invalid'];
  assert.equal(r.outcome, 'denied', why(r));
  assert.equal(r.denyReason, CONFIG_DENY);
  assert.ok(r.logs.some((l) => l.startsWith('rbac-claims: login denied: configuration: setting `metadataPath` "a..b" must be 1 to 8 keys')), why(r));

  // organizationPermissions: the organization rule by default (the login's roles, never /users/{id}:
  // the failing stand-in's only failing route), the tenant-wide permissions with `tenant`.
  r = by['organization login, organizationPermissions default'];
  assert.equal(r.outcome, 'allowed', why(r));
  for (const token of ['idToken', 'accessToken']) assert.deepEqual(claim(r, token, 'permissions'), ['read:reports', 'write:reports'], token);
  r = by['organization login, organizationPermissions=tenant'];
  assert.equal(r.outcome, 'allowed', why(r));
  for (const token of ['idToken', 'accessToken']) assert.deepEqual(claim(r, token, 'permissions'), PERMS, `${token}: the direct permission too`);
  assert.ok(!r.logs.some((l) => l.includes('organization login')), why(r));
  r = by['organization login, tenant, 5xx, onError=continue'];
  assert.equal(r.outcome, 'allowed', why(r));
  assert.equal(claim(r, 'idToken', 'permissions'), undefined);
  assert.ok(r.logs.some((l) => l.includes('continuing without permissions') && l.includes('/users/{id}/permissions')), why(r));
  r = by['organization login, tenant, 5xx, onError=deny'];
  assert.equal(r.outcome, 'denied', why(r));
  assert.match(r.denyReason, GENERIC_DENY);

  // logLine=json: the same login, its log lines unchanged, and one more line last: `rbac-claims {...}`.
  // One request: the permissions (the Management API token is the one an earlier login got).
  for (const [name, plain, outcome, counts] of [
    ['logLine, permissions', 'permissions', 'set', { roles: 1, permissions: 3, groups: null, requests: 1 }],
    ['logLine, 5xx, onError=continue', '5xx, onError=continue', 'continued', { roles: 1, permissions: null, groups: null }],
    ['logLine, 5xx, onError=deny', '5xx, onError=deny', 'denied', { roles: 0, permissions: null, groups: null }],
  ]) {
    r = by[name];
    assert.equal(r.outcome, by[plain].outcome, why(r));
    assert.deepEqual(r.claims, by[plain].claims, name);
    const lines = r.logs.filter((l) => l.startsWith('rbac-claims {'));
    assert.equal(lines.length, 1, why(r));
    assert.equal(r.logs.at(-1), lines[0], `${name}: the line comes last`);
    assert.deepEqual(comparable([{ ...r, logs: r.logs.slice(0, -1) }])[0].logs, comparable([by[plain]])[0].logs, `${name}: nothing else new`);
    const line = lines[0];
    assert.ok(line.length <= 256, line);
    const parsed = JSON.parse(line.slice('rbac-claims '.length));
    assert.deepEqual(Object.keys(parsed), ['outcome', 'roles', 'permissions', 'groups', 'requests', 'ms'], line);
    assert.equal(parsed.outcome, outcome, line);
    for (const [key, value] of Object.entries(counts)) assert.equal(parsed[key], value, `${name} ${key}: ${line}`);
    assert.ok(Number.isInteger(parsed.requests) && parsed.requests >= 1, line);
    assert.ok(Number.isInteger(parsed.ms) && parsed.ms >= 0, line);
    for (const secret of ['alice', 'editor', 'reports', 'secret', 'token', 'Bearer']) assert.ok(!line.includes(secret), `${secret} in ${line}`);
  }
}

/** What must be equal between two forms of the Action: everything but timings in the logs. */
function comparable(results) {
  return results.map(({ name, outcome, denyReason, claims, scopes, logs }) => ({
    name, outcome, denyReason, claims, scopes, logs: logs.map((l) => l.replace(/\d+(\.\d+)? ?ms\b/g, 'N ms').replace(/"(ms|requests)":\d+/g, '"$1":N')
    // The glue's own variable name in "x.addScope is not a function" (minified in the single file).
      .replace(/\w+\.addScope is not a function/, 'api.accessToken.addScope is not a function')),
  }));
}

/**
 * The reference: the same cases through js/action.js in this process's local host.
 * @returns {Promise<object[]>}
 */
async function referenceResults(standIns) {
  const host = createHost();
  const action = require('../../../js/action');
  const results = [];
  for (const c of cases(standIns)) {
    const r = await host.run(action, c.event, { secrets: c.secrets, directory: c.directory });
    results.push({ name: c.name, outcome: r.outcome, denyReason: r.denyReason, error: r.error, claims: r.claims, scopes: r.scopes, logs: r.logs });
  }
  return results;
}

/**
 * Forces a trap in `wasm` (a test-trap build) and runs two logins through `action`: the first must be
 * denied and the instance replaced. Shared by the bundle and npm package trap tests.
 * @returns {Promise<{calls: Array, lines: string[]}>}
 */
async function loginThroughATrap(action, wasm) {
  const api = recordingApi();
  const event = { secrets: { namespace: 'https://e.com' }, authorization: { roles: ['a'] } };
  const logs = captureConsole();
  try {
    wasm.trapNextPoll();
    await action.onExecutePostLogin(event, api);
    await action.onExecutePostLogin(event, api);
  } finally {
    logs.stop();
  }
  return { calls: api.calls, lines: logs.lines };
}

module.exports = { NS, FIXTURE, startStandIns, cases, checkResults, comparable, referenceResults, loginThroughATrap };
