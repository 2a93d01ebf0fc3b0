'use strict';
// js/types/index.d.ts declares what the Action reads of `event` and calls on `api`; the Rust binding
// (src/auth0/bindings.rs, src/auth0/lists.rs) is what it really does. Logins that between them take
// every path (roles from the event and from api.roles, groups, permissions with an organization, a
// refused token, a configuration error) run js/action.js with `event` and `api` wrapped in recording
// proxies; then tsc checks that, at each level, the keys the types declare are exactly the keys read.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createHost } = require('../../host');
const { startStandIn } = require('../../host/standin');
const { NS, FIXTURE } = require('./support/login-cases');
const { typeCheck } = require('./support/tsc');

const REPO = path.join(__dirname, '..', '..');
const TYPES = path.join(REPO, 'js', 'types', 'index');

/**
 * Wraps `root` so that every property read below it is recorded as a dotted path. Arrays,
 * `event.secrets` (read as a whole, for the setting names) and `event.user.app_metadata` (read at the
 * path a setting names) are not looked into;
 * a function read is a method call, bound to its object.
 */
function recorder() {
  const paths = new Set();
  const wrap = (value, at) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || at === 'event.secrets' || at === 'event.user.app_metadata') return value;
    return new Proxy(value, {
      get(target, key) {
        const v = Reflect.get(target, key, target);
        if (typeof key !== 'string') return v;
        const p = `${at}.${key}`;
        paths.add(p);
        return typeof v === 'function' ? v.bind(target) : wrap(v, p);
      },
    });
  };
  return { paths, wrap };
}

/** Dotted paths as a tree: {event: {user: {user_id: {}}}, …}. */
function tree(paths) {
  const root = {};
  for (const p of paths) {
    let node = root;
    for (const key of p.split('.')) node = node[key] || (node[key] = {});
  }
  return root;
}

/** One tsc line per object in the tree: its declared keys must be exactly the ones read. */
function exactnessChecks(node, type, lines = []) {
  const keys = Object.keys(node).sort();
  if (keys.length === 0) return lines;
  lines.push(`// ${type}\nexport const check${lines.length}: Exact<keyof ${type}, ${keys.map((k) => `'${k}'`).join(' | ')}> = true;`);
  for (const k of keys) exactnessChecks(node[k], `NonNullable<${type}['${k}']>`, lines);
  return lines;
}

let standIns;
let work;
before(async () => {
  assert.ok(fs.existsSync(path.join(REPO, 'pkg', 'rbac_claims.js')), 'missing pkg/: run make build');
  standIns = {
    healthy: await startStandIn({ fixture: FIXTURE }),
    refusing: await startStandIn({ fixture: FIXTURE, faults: { unauthorized: { count: 1 }, routes: ['userPermissions'] } }),
  };
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-claims-types-'));
});
after(async () => {
  if (standIns) await Promise.all(Object.values(standIns).map((s) => s.close()));
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the types declare exactly the event fields the Action reads and the api methods it calls', async () => {
  const action = require('../../js/action');
  const host = createHost();
  const { paths, wrap } = recorder();
  const recorded = { onExecutePostLogin: async (event, api) => action.onExecutePostLogin(wrap(event, 'event'), wrap(api, 'api')) };
  const credentials = (s) => ({ domain: s.domain, clientId: s.clientId, clientSecret: s.clientSecret, managementUrl: s.url });
  const event = { user: { user_id: 'auth0|alice' }, authorization: { roles: ['editor'] }, resource_server: { identifier: 'https://api.example.com' } };
  const logins = [
    // roles from the event; permissions of the user for the requested API; the token goes to api.cache
    [{ ...event, organization: { id: '' } }, { namespace: NS, ...credentials(standIns.healthy), permissionsFor: 'requested' }, 'allowed'],
    // roles from api.roles, groups from api.groups
    [event, { namespace: NS, roles: 'effective', groups: 'on' }, 'allowed', { directory: { groups: [{ id: 'g1', name: 'Support' }] } }],
    // a 401: the token is dropped from api.cache and fetched again
    [event, { namespace: NS, ...credentials(standIns.refusing) }, 'allowed'],
    // roles from app_metadata, permissions as a claim and as scopes (api.accessToken.addScope)
    [{ ...event, user: { user_id: 'auth0|alice', app_metadata: { authorization: { roles: ['editor'] } } } },
      { namespace: NS, ...credentials(standIns.healthy), roles: 'metadata', metadataPath: 'authorization.roles', permissionsAs: 'both' }, 'allowed'],
    // a configuration error: api.access.deny
    [event, { namespace: 'https://tenant.auth0.com' }, 'denied'],
  ];
  for (const [overrides, secrets, outcome, options] of logins) {
    const r = await host.run(recorded, overrides, { secrets, ...options });
    assert.equal(r.outcome, outcome, `settings ${Object.keys(secrets).join(', ')}: ${r.error || ''}\n${r.logs.join('\n')}`);
  }
  const read = tree(paths);
  for (const needed of ['organization', 'resource_server']) assert.ok(read.event[needed], `the logins above read event.${needed}`);
  for (const needed of ['roles', 'groups', 'cache']) assert.ok(read.api[needed], `the logins above call api.${needed}`);
  assert.ok(read.api.cache.delete, 'the 401 login deletes the refused token from api.cache');
  assert.ok(read.api.accessToken.addScope, 'the permissionsAs=both login adds scopes');
  assert.ok(read.event.user.app_metadata, 'the roles=metadata login reads event.user.app_metadata');

  const checks = exactnessChecks(read.api, 'PostLoginApi', exactnessChecks(read.event, 'PostLoginEvent'));
  const file = path.join(work, 'read-and-declared.ts');
  fs.writeFileSync(file, `import type { PostLoginEvent, PostLoginApi } from ${JSON.stringify(TYPES)};
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
${checks.join('\n')}
`);
  fs.writeFileSync(path.join(work, 'package.json'), '{ "private": true }\n');
  const r = typeCheck(work, [path.basename(file)]);
  assert.equal(r.status, 0, `js/types/index.d.ts differs from what the Action reads (${[...paths].sort().join(', ')}):\n${r.output}\n${fs.readFileSync(file, 'utf8')}`);
});
