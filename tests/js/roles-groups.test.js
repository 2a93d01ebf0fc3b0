'use strict';
// Roles through groups, the groups claim and organization logins (issue #13), end to end: every login
// goes through the built Action (js/action.js → pkg/, and a few through dist/) in the local host, with
// the Management API stand-in where permissions are read. The host's `api.roles` / `api.groups` page
// the `directory` of a run; a fault replaces them inside the run (see `patched`) before the Action
// sees the api object.
//
// Covered, each as a class: `roles=effective` (paging, dedup, dropped entries, tokens, group-derived
// role permissions without a role directory request), `groups=on|off`, every way `api.roles` and
// `api.groups` can fail under `onError=deny` and `continue`, organization logins in every `permissions`
// mode, and the size guard with the groups claim. Every login must end in a defined outcome (never a
// thrown error, never a rejection left unhandled, never past its budget).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { createAction } = require('../../js/entry');
const { newHost, sharedKeyPair, startStandIn } = require('./support/host-run');
const { watchProcess } = require('./support/console');

const REPO = path.join(__dirname, '..', '..');
const GLUE = path.join(REPO, 'pkg', 'rbac_claims.js');
const BUNDLE = path.join(REPO, 'dist', 'rbac-claims-action.js');
/** The deny reason of a configuration error, from the test build (`make pkg-trap`). */
const CONFIG_REASON = require(path.join(REPO, 'target', 'pkg-trap', 'rbac_claims.js')).configDenyReason();
const NS = 'https://rbac.example.com';
const API = 'https://api.example.com';
const OTHER_API = 'https://other.example.com';
const USER = 'auth0|rg-user';
const EVENT_ROLES = ['reader', 'writer'];
const ORG = { id: 'org_1', name: 'acme' };
/** A hung login must end well before this, whatever its budget (300 ms in these tests). */
const HANG_BOUND_MS = 1500;

const CALL = {
  roles: 'roles.getUserEffectiveRoles',
  groups: 'groups.getUserGroups',
};

const processEvents = watchProcess();
const servers = [];
let REASON;

before(async () => {
  await sharedKeyPair();
  REASON = freshGlue().denyReason();
});
after(async () => {
  processEvents.stop();
  await Promise.all(servers.map((s) => s.close()));
});

/** A fresh copy of the wasm-bindgen glue: a fresh wasm instance. */
function freshGlue() {
  delete require.cache[require.resolve(GLUE)];
  return require(GLUE);
}

/** A new Action instance (cold: no role data, token or once-per-instance log line yet). */
function freshAction() {
  const { onExecutePostLogin } = createAction(freshGlue);
  return { onExecutePostLogin };
}

/** A new instance of the single-file Action. */
function freshBundle() {
  delete require.cache[require.resolve(BUNDLE)];
  return require(BUNDLE);
}

/** The Action, with `patch(api, event)` applied to each run's api before the Action sees it. */
function patched(action, patch) {
  return {
    onExecutePostLogin: async function onExecutePostLogin(event, api) {
      patch(api, event);
      return action.onExecutePostLogin(event, api);
    },
  };
}

async function standIn(fixture, options = {}) {
  const server = await startStandIn({ fixture, ...options });
  servers.push(server);
  return server;
}

function credentials(server) {
  return {
    domain: server.domain, clientId: server.clientId, clientSecret: server.clientSecret, managementUrl: server.url,
  };
}

/**
 * One login through `action` in `host`. Checks what every login must satisfy: it ended (no throw, no
 * unhandled rejection, no execution limit), with log lines of ours of at most 256 characters.
 */
async function login(host, action, {
  secrets = {}, event = {}, directory, patch, label = '',
} = {}) {
  const mod = patch ? patched(action, patch) : action;
  const result = await host.run(mod, {
    user: { user_id: USER },
    authorization: { roles: EVENT_ROLES },
    resource_server: { identifier: API },
    ...event,
  }, { secrets: { namespace: NS, ...secrets }, directory });
  const where = `${label}: ${result.logs.join(' | ')}`;
  assert.notEqual(result.outcome, 'failed', `${where}: ${result.error}`);
  for (const line of result.logs) {
    assert.ok(line.startsWith('rbac-claims: '), `foreign log line: ${where}`);
    assert.ok(line.length <= 256, `a log line of ${line.length} characters: ${where}`);
    assert.ok(!line.includes('internal failure') && !line.includes('trapped'), where);
  }
  return result;
}

const claim = (result, token, name) => result.claims[token][`${NS}/${name}`];
const callsTo = (result, p) => result.calls.filter((c) => c.path === p);
const claimCalls = (result) => result.calls.filter((c) => c.path.endsWith('setCustomClaim'));
const linesWith = (result, text) => result.logs.filter((l) => l.includes(text));
const show = (result) => result.logs.join('\n');

/** Claims of both tokens are exactly `expected` (claim name without namespace → value). */
function assertClaims(result, expected, label, tokens = ['idToken', 'accessToken']) {
  const full = Object.fromEntries(Object.entries(expected).map(([k, v]) => [`${NS}/${k}`, v]));
  for (const token of ['idToken', 'accessToken']) {
    assert.deepEqual(result.claims[token], tokens.includes(token) ? full : {}, `${label} (${token}): ${show(result)}`);
  }
}

/** Denied with the generic reason (or `reason`), nothing set, one `login denied:` line holding every `part`. */
function assertDenied(result, parts, label, reason = REASON) {
  assert.equal(result.outcome, 'denied', `${label}: ${show(result)}`);
  assert.equal(result.denyReason, reason, label);
  assert.equal(callsTo(result, 'access.deny').length, 1, label);
  assert.deepEqual(claimCalls(result), [], `${label}: no claim may be set on a denied login`);
  const denied = linesWith(result, 'login denied: ');
  assert.equal(denied.length, 1, `${label}: one "login denied" line: ${show(result)}`);
  for (const part of parts) assert.ok(denied[0].includes(part), `${label}: "${part}" missing from ${denied[0]}`);
}

/** Paging calls of a host list: first `{take: 100}` (no `from` key), then `from` = the previous `next`. */
function assertPaging(calls, pages, label) {
  assert.equal(calls.length, pages, `${label}: pages`);
  calls.forEach((c, i) => {
    assert.equal(c.args.length, 1, label);
    if (i === 0) {
      assert.deepEqual(Object.keys(c.args[0]), ['take'], `${label}: first call`);
      assert.equal(c.args[0].take, 100, label);
    } else {
      assert.deepEqual(c.args[0], { take: 100, from: calls[i - 1].result.next }, `${label}: call ${i + 1}`);
    }
  });
  assert.equal(calls[calls.length - 1].result.next, undefined, `${label}: the last page has no next`);
}

const pad = (i, n = 3) => String(i).padStart(n, '0');
const roleEntry = (name, id = `rol_${name}`) => ({ id, name, type: 'role' });
const groupEntry = (name, id = `grp_${name}`) => ({ id, name });

// ---------------------------------------------------------------------------------------------
// roles=effective

test('roles=effective: 0, 1, 100, 101 and 250 roles arrive through every page, in order, in both tokens', async () => {
  const host = await newHost();
  const action = freshAction();
  for (const [n, pages] of [[0, 1], [1, 1], [100, 1], [101, 2], [250, 3]]) {
    const roles = Array.from({ length: n }, (_, i) => roleEntry(`role-${pad(i)}`));
    const result = await login(host, action, { secrets: { roles: 'effective' }, directory: { roles }, label: `n=${n}` });
    assert.equal(result.outcome, 'allowed', `n=${n}: ${show(result)}`);
    assertPaging(callsTo(result, CALL.roles), pages, `n=${n}`);
    // Effective roles replace the event's (EVENT_ROLES are not in this directory).
    assertClaims(result, { roles: roles.map((r) => r.name) }, `n=${n}`);
  }
});

test('roles=effective: names are deduplicated in first-seen order, across pages', async () => {
  const names = Array.from({ length: 230 }, (_, i) => `role-${pad((229 - i) % 70)}`);
  names.splice(5, 0, 'reader', 'writer', 'reader');
  const roles = names.map((name, i) => roleEntry(name, `rol_${i}`));
  const result = await login(await newHost(), freshAction(), { secrets: { roles: 'effective' }, directory: { roles }, label: 'dedup' });
  assert.equal(result.outcome, 'allowed', show(result));
  assertPaging(callsTo(result, CALL.roles), 3, 'dedup');
  assertClaims(result, { roles: [...new Set(names)] }, 'dedup');
});

test('roles=effective: a role given only through a group is in both tokens; api.roles is not asked when roles=event', async () => {
  const host = await newHost();
  const action = freshAction();
  const directory = { roles: [roleEntry('reader'), roleEntry('group-role'), roleEntry('writer')] };
  let result = await login(host, action, { secrets: { roles: 'effective' }, directory, label: 'effective' });
  assertClaims(result, { roles: ['reader', 'group-role', 'writer'] }, 'effective');
  for (const secrets of [{}, { roles: 'event' }]) {
    result = await login(host, action, { secrets, directory, label: JSON.stringify(secrets) });
    assertClaims(result, { roles: EVENT_ROLES }, JSON.stringify(secrets));
    assert.deepEqual(callsTo(result, CALL.roles), [], `${JSON.stringify(secrets)}: no api.roles call`);
  }
});

test('roles=effective: entries without a string name are dropped, with one log line for all pages', async () => {
  const roles = Array.from({ length: 120 }, (_, i) => roleEntry(`role-${pad(i)}`));
  const bad = [{ id: 'rol_x1' }, { id: 'rol_x2', name: 5 }, { id: 'rol_x3', name: null }, { id: 'rol_x4', name: { n: 'a' } }, { id: 'rol_x5', name: ['a'] }, { id: 'rol_x6', name: true }];
  // Three bad entries on page 1, three on page 2.
  const mixed = [...roles.slice(0, 10), ...bad.slice(0, 3), ...roles.slice(10, 110), ...bad.slice(3), ...roles.slice(110)];
  const result = await login(await newHost(), freshAction(), { secrets: { roles: 'effective' }, directory: { roles: mixed }, label: 'dropped' });
  assert.equal(result.outcome, 'allowed', show(result));
  assertClaims(result, { roles: roles.map((r) => r.name) }, 'dropped');
  const lines = linesWith(result, 'role entries without a string name');
  assert.equal(lines.length, 1, show(result));
  assert.ok(lines[0].includes('dropped 6 role entries without a string name'), lines[0]);
});

test('roles=effective: entries that are not objects (null, a number, a string) count as entries without a string name', async () => {
  const roles = [roleEntry('a'), null, 7, 'admin', roleEntry('b')];
  const result = await login(await newHost(), freshAction(), { secrets: { roles: 'effective' }, directory: { roles }, label: 'non-objects' });
  assert.equal(result.outcome, 'allowed', show(result));
  assertClaims(result, { roles: ['a', 'b'] }, 'non-objects');
  assert.equal(linesWith(result, 'dropped 3 role entries without a string name').length, 1, show(result));
});

test('roles=effective and groups=on follow `tokens`', async () => {
  const host = await newHost();
  const action = freshAction();
  const directory = { roles: [roleEntry('group-role')], groups: [groupEntry('g2'), groupEntry('g1')] };
  for (const [tokens, selected] of [['id', ['idToken']], ['access', ['accessToken']], ['id,access', ['idToken', 'accessToken']]]) {
    const result = await login(host, action, { secrets: { roles: 'effective', groups: 'on', tokens }, directory, label: tokens });
    assert.equal(result.outcome, 'allowed', show(result));
    assertClaims(result, { roles: ['group-role'], groups: ['g1', 'g2'] }, `tokens=${tokens}`, selected);
  }
});

test('roles=effective: a `next` of null or "" ends the list', async () => {
  for (const next of [null, '']) {
    const calls = [];
    const result = await login(await newHost(), freshAction(), {
      secrets: { roles: 'effective' },
      label: `next=${JSON.stringify(next)}`,
      patch: (api) => {
        api.roles = { getUserEffectiveRoles: async (params) => { calls.push(params); return { roles: [roleEntry('a')], next }; } };
      },
    });
    assertClaims(result, { roles: ['a'] }, `next=${JSON.stringify(next)}`);
    assert.equal(calls.length, 1, `next=${JSON.stringify(next)}`);
  }
});

// ---------------------------------------------------------------------------------------------
// roles=effective with the Management API (permissions=roles)

function roleFixture() {
  const p = (name, api = API) => ({ permission_name: name, resource_server_identifier: api });
  return {
    resourceServers: [{ identifier: API, name: 'API' }, { identifier: OTHER_API, name: 'Other' }],
    roles: [
      { id: 'rol_reader', name: 'reader', permissions: [p('read:a'), p('read:x', OTHER_API)] },
      { id: 'rol_writer', name: 'writer', permissions: [p('write:a'), p('write:x', OTHER_API)] },
      { id: 'rol_group', name: 'group-role', permissions: [p('group:a')] },
      { id: 'rol_unused', name: 'unused', permissions: [p('unused:a')] },
    ],
    users: [{
      user_id: USER, roles: ['rol_reader'], permissions: [p('direct:a')], groupPermissions: [p('grp:eff')],
    }],
  };
}

test('roles=effective, permissions=roles: a group-only role\'s permissions are in both tokens, by role id, with no role directory request', async () => {
  const server = await standIn(roleFixture());
  const directory = { roles: [roleEntry('reader', 'rol_reader'), roleEntry('group-role', 'rol_group')], groups: [groupEntry('team')] };
  const result = await login(await newHost(), freshAction(), {
    secrets: { ...credentials(server), permissions: 'roles', roles: 'effective', groups: 'on' }, directory, label: 'roles+effective',
  });
  assert.equal(result.outcome, 'allowed', show(result));
  assertClaims(result, { roles: ['reader', 'group-role'], permissions: ['group:a', 'read:a', 'read:x'], groups: ['team'] }, 'roles+effective');
  // Claim order per token: roles, permissions, groups.
  for (const token of ['idToken', 'accessToken']) {
    const names = callsTo(result, `${token}.setCustomClaim`).map((c) => c.args[0]);
    assert.deepEqual(names, [`${NS}/roles`, `${NS}/permissions`, `${NS}/groups`], token);
  }
  const paths = server.requests.map((r) => r.path.split('?')[0]);
  assert.equal(server.counts.byRoute.roles, undefined, `no GET /api/v2/roles: ${paths.join(', ')}`);
  assert.ok(paths.includes('/api/v2/roles/rol_group/permissions'), paths.join(', '));
  assert.ok(paths.includes('/api/v2/roles/rol_reader/permissions'), paths.join(', '));
  assert.equal(server.counts.byRoute.userPermissions, undefined);
});

test('roles=effective, permissions=roles: an effective role without a string id is found by name in the role directory', async () => {
  const server = await standIn(roleFixture());
  const directory = { roles: [roleEntry('reader', 'rol_reader'), { name: 'group-role', type: 'role' }] };
  const result = await login(await newHost(), freshAction(), {
    secrets: { ...credentials(server), permissions: 'roles', roles: 'effective' }, directory, label: 'no id',
  });
  assert.equal(result.outcome, 'allowed', show(result));
  assertClaims(result, { roles: ['reader', 'group-role'], permissions: ['group:a', 'read:a', 'read:x'] }, 'no id');
  assert.ok(server.counts.byRoute.roles >= 1, 'the role directory was read');
});

test('roles=effective, permissions=roles, onError=continue: when api.roles fails, the permissions follow the event roles', async () => {
  const server = await standIn(roleFixture());
  const result = await login(await newHost(), freshAction(), {
    secrets: { ...credentials(server), permissions: 'roles', roles: 'effective', onError: 'continue' },
    label: 'fallback',
    patch: (api) => { api.roles = { getUserEffectiveRoles: async () => { throw boom('roles'); } }; },
  });
  assert.equal(result.outcome, 'allowed', show(result));
  assertClaims(result, { roles: EVENT_ROLES, permissions: ['read:a', 'read:x', 'write:a', 'write:x'] }, 'fallback');
  assert.equal(linesWith(result, STEPS.roles.continued).length, 1, show(result));
  assert.ok(server.counts.byRoute.roles >= 1, 'event roles are found by name in the role directory');
});

test('50 concurrent logins on one instance, pages answered out of order: each gets only its own roles and groups', async () => {
  const host = await newHost();
  const action = freshAction();
  let seed = 7;
  const jitter = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % 25; };
  const later = (value) => new Promise((resolve) => { setTimeout(resolve, jitter(), value); });
  const results = await Promise.all(Array.from({ length: 50 }, (unused, u) => {
    const roles = Array.from({ length: 150 }, (_, i) => roleEntry(`u${u}-role-${pad(i)}`));
    const groups = Array.from({ length: 120 }, (_, i) => groupEntry(`u${u}-group-${pad(119 - i)}`));
    return login(host, action, {
      secrets: { roles: 'effective', groups: 'on' },
      event: { user: { user_id: `auth0|c${u}` } },
      label: `user ${u}`,
      patch: (api) => {
        const page = (list, key) => ({ from } = {}) => {
          const start = from === undefined ? 0 : Number(from.slice(1));
          const body = { [key]: list.slice(start, start + 100) };
          if (start + 100 < list.length) body.next = `o${start + 100}`;
          return later(body);
        };
        api.roles = { getUserEffectiveRoles: page(roles, 'roles') };
        api.groups = { getUserGroups: page(groups, 'groups') };
      },
    }).then((result) => ({ result, roles, groups }));
  }));
  results.forEach(({ result, roles, groups }, u) => {
    assert.equal(result.outcome, 'allowed', `user ${u}: ${show(result)}`);
    assertClaims(result, { roles: roles.map((r) => r.name), groups: groups.map((g) => g.name).sort() }, `user ${u}`);
  });
});

// ---------------------------------------------------------------------------------------------
// groups

test('groups=on: 0, 1, 100, 101 and 230 groups, sorted and deduplicated, through every page, in both tokens', async () => {
  const host = await newHost();
  const action = freshAction();
  for (const [n, pages] of [[0, 1], [1, 1], [100, 1], [101, 2], [230, 3]]) {
    // Reverse order and every name twice (the second copy with another id) when n > 1.
    const names = Array.from({ length: n }, (_, i) => `group-${pad((n - 1 - i) % Math.max(1, Math.ceil(n / 2)))}`);
    const groups = names.map((name, i) => groupEntry(name, `grp_${i}`));
    const result = await login(host, action, { secrets: { groups: 'on' }, directory: { groups }, label: `n=${n}` });
    assert.equal(result.outcome, 'allowed', `n=${n}: ${show(result)}`);
    assertPaging(callsTo(result, CALL.groups), pages, `n=${n}`);
    assertClaims(result, { roles: EVENT_ROLES, groups: [...new Set(names)].sort() }, `n=${n}`);
  }
});

test('groups=on: the claim is sorted as JavaScript sorts ASCII strings', async () => {
  const names = ['zeta', 'Alpha', 'beta', 'alpha', 'Beta', '_x', '10', '9', 'a b', 'a-b', 'a.b', '~', 'A'];
  const result = await login(await newHost(), freshAction(), {
    secrets: { groups: 'on' }, directory: { groups: names.map((n, i) => groupEntry(n, `g${i}`)) }, label: 'sort',
  });
  assertClaims(result, { roles: EVENT_ROLES, groups: [...names].sort() }, 'sort');
});

test('groups=on: entries without a string name are dropped, with one log line', async () => {
  const groups = [groupEntry('b'), { id: 'g1' }, { id: 'g2', name: 3 }, { id: 'g3', name: null }, { id: 'g4', name: {} }, groupEntry('a'), groupEntry('b', 'g5')];
  const result = await login(await newHost(), freshAction(), { secrets: { groups: 'on' }, directory: { groups }, label: 'dropped groups' });
  assert.equal(result.outcome, 'allowed', show(result));
  assertClaims(result, { roles: EVENT_ROLES, groups: ['a', 'b'] }, 'dropped groups');
  const lines = linesWith(result, 'group entries without a string name');
  assert.equal(lines.length, 1, show(result));
  assert.ok(lines[0].includes('dropped 4 group entries without a string name'), lines[0]);
});

test('groups=off (and unset): api.groups is never touched and there is no groups claim', async () => {
  const host = await newHost();
  const action = freshAction();
  for (const secrets of [{}, { groups: 'off' }, { groups: 'off', roles: 'effective' }]) {
    let touched = 0;
    const result = await login(host, action, {
      secrets,
      directory: { roles: [roleEntry('reader')], groups: [groupEntry('g')] },
      label: JSON.stringify(secrets),
      patch: (api) => {
        const original = api.groups;
        Object.defineProperty(api, 'groups', { configurable: true, enumerable: true, get() { touched += 1; return original; } });
      },
    });
    assert.equal(result.outcome, 'allowed', show(result));
    assert.equal(touched, 0, `${JSON.stringify(secrets)}: api.groups was read`);
    assert.deepEqual(callsTo(result, CALL.groups), []);
    for (const token of ['idToken', 'accessToken']) {
      assert.equal(claim(result, token, 'groups'), undefined);
      assert.equal(claim(result, token, 'groups_truncated'), undefined);
    }
  }
});

test('unknown values of `roles` and `groups` deny, naming the setting', async () => {
  const host = await newHost();
  const action = freshAction();
  for (const [secrets, setting] of [[{ roles: 'all' }, 'roles'], [{ roles: 'Effective' }, 'roles'], [{ groups: 'yes' }, 'groups'], [{ groups: 'true' }, 'groups']]) {
    const result = await login(host, action, { secrets, label: JSON.stringify(secrets) });
    assertDenied(result, [`setting \`${setting}\``], JSON.stringify(secrets), CONFIG_REASON);
  }
});

// ---------------------------------------------------------------------------------------------
// Failures of the api.roles / api.groups steps, under onError=deny and continue

const STEPS = {
  roles: {
    object: 'roles', method: 'getUserEffectiveRoles', key: 'roles', setting: { roles: 'effective' },
    entry: (i) => roleEntry(`role-${pad(i)}`), continued: 'continuing with event.authorization.roles (onError=continue)',
  },
  groups: {
    object: 'groups', method: 'getUserGroups', key: 'groups', setting: { groups: 'on' },
    entry: (i) => groupEntry(`group-${pad(i)}`), continued: 'continuing without the groups claim (onError=continue)',
  },
};

const boom = (what) => new Error(`${what} boom`);
const throwingProxy = () => new Proxy({}, Object.fromEntries(
  ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'defineProperty', 'set'].map((trap) => [trap, () => { throw boom(`proxy ${trap}`); }]),
));

/**
 * Ways a step fails. `api(s, calls)` replaces `api[s.object]` (a function of the run's api), or
 * `method(s, calls)` gives the method (recording each call's params in `calls`); `cause` holds the
 * texts the log line must contain besides the call's name (`names: false`: the name of the call may
 * be replaced by the name of the object).
 */
const FAULTS = [
  { name: 'api object missing', api: (s) => (api) => { delete api[s.object]; }, cause: ['is not available on this host'] },
  { name: 'api object null', api: (s) => (api) => { api[s.object] = null; }, cause: ['is not available on this host'] },
  { name: 'api object a string', api: (s) => (api) => { api[s.object] = 'roles'; }, cause: ['is not available on this host'] },
  {
    name: 'reading the api object throws',
    api: (s) => (api) => { Object.defineProperty(api, s.object, { configurable: true, get() { throw boom('getter'); } }); },
    cause: [],
    names: false,
  },
  { name: 'method missing', api: (s) => (api) => { api[s.object] = {}; }, cause: ['is not available on this host'] },
  { name: 'method not a function (a string)', api: (s) => (api) => { api[s.object] = { [s.method]: 'yes' }; }, cause: ['is not available on this host'] },
  { name: 'method not a function (an object)', api: (s) => (api) => { api[s.object] = { [s.method]: {} }; }, cause: ['is not available on this host'] },
  {
    name: 'reading the method throws',
    api: (s) => (api) => { api[s.object] = Object.defineProperty({}, s.method, { get() { throw boom('method getter'); } }); },
    cause: [],
  },
  { name: 'method throws synchronously', method: () => () => { throw boom('sync'); }, cause: [] },
  { name: 'method throws a string', method: () => () => { throw 'a thrown string'; }, cause: [] },
  { name: 'method rejects', method: () => async () => { throw boom('async'); }, cause: [] },
  { name: 'method rejects with undefined', method: () => () => Promise.reject(undefined), cause: [] },
  { name: 'method never settles', method: () => () => new Promise(() => {}), budgetMs: 300, cause: ['time budget (budgetMs) ran out'] },
  {
    name: 'method rejects after the budget ran out',
    method: () => () => new Promise((resolve, reject) => { setTimeout(reject, 450, boom('late')); }),
    budgetMs: 300,
    cause: ['time budget (budgetMs) ran out'],
    settleMs: 400,
  },
  { name: 'answer undefined', method: () => async () => undefined, cause: [] },
  { name: 'answer null', method: () => async () => null, cause: [] },
  { name: 'answer a string', method: (s) => async () => s.key, cause: [] },
  { name: 'answer an array', method: (s) => async () => [s.entry(0)], cause: [] },
  { name: 'list missing ({})', method: () => async () => ({}), cause: [] },
  { name: 'list a string', method: (s) => async () => ({ [s.key]: 'x' }), cause: [] },
  { name: 'list an object', method: (s) => async () => ({ [s.key]: { 0: s.entry(0), length: 1 } }), cause: [] },
  { name: 'a page of 101 entries', method: (s) => async () => ({ [s.key]: Array.from({ length: 101 }, (_, i) => s.entry(i)) }), cause: [] },
  { name: 'next: 42', method: (s) => async () => ({ [s.key]: [s.entry(0)], next: 42 }), cause: [] },
  { name: 'next: an object', method: (s) => async () => ({ [s.key]: [s.entry(0)], next: { from: 'x' } }), cause: [] },
  { name: 'next: true', method: (s) => async () => ({ [s.key]: [s.entry(0)], next: true }), cause: [] },
  {
    name: 'a getter for the list throws',
    method: (s) => async () => Object.defineProperty({}, s.key, { enumerable: true, get() { throw boom('list getter'); } }),
    cause: [],
  },
  {
    name: 'a getter for next throws',
    method: (s) => async () => Object.defineProperty({ [s.key]: [s.entry(0)] }, 'next', { enumerable: true, get() { throw boom('next getter'); } }),
    cause: [],
  },
  { name: 'answer a Proxy that throws on every access', method: () => () => throwingProxy(), cause: [] },
  {
    name: 'more than 50 pages (always a next)',
    method: (s) => {
      let n = 0;
      return async () => { n += 1; return { [s.key]: [s.entry(n)], next: `page-${n}` }; };
    },
    cause: ['more than 50 pages'],
    calls: [50, 51],
  },
  {
    name: 'names and ids over 2 × maxClaimBytes characters',
    method: (s) => async () => ({ [s.key]: Array.from({ length: 25 }, (_, i) => ({ ...s.entry(i), name: `${pad(i)}-${'n'.repeat(96)}` })) }),
    secrets: { maxClaimBytes: '1000' },
    cause: [],
  },
];

/** One shared warm instance for the whole fault matrix: it must survive every fault. */
let faultAction;

for (const [stepName, step] of Object.entries(STEPS)) {
  const call = `api.${step.object}.${step.method}`;
  for (const fault of FAULTS) {
    test(`${stepName} step fails: ${fault.name}; onError=deny denies, onError=continue ${stepName === 'roles' ? 'falls back to event roles' : 'omits the groups claim'}`, async () => {
      if (!faultAction) faultAction = freshAction();
      const host = await newHost();
      for (const onError of ['deny', 'continue']) {
        const label = `${stepName}/${fault.name}/onError=${onError}`;
        const calls = [];
        let patch;
        if (fault.api) {
          patch = fault.api(step);
        } else {
          const impl = fault.method(step);
          patch = (api) => {
            api[step.object] = { [step.method]: (params) => { calls.push(params); return impl(params); } };
          };
        }
        const secrets = { ...step.setting, onError, ...(fault.secrets || {}) };
        if (fault.budgetMs) secrets.budgetMs = String(fault.budgetMs);
        const eventsBefore = processEvents.events.length;
        const result = await login(host, faultAction, { secrets, patch, label });
        if (fault.budgetMs) assert.ok(result.durationMs < HANG_BOUND_MS, `${label}: took ${result.durationMs} ms`);
        if (fault.calls) {
          assert.ok(calls.length >= fault.calls[0] && calls.length <= fault.calls[1], `${label}: ${calls.length} calls`);
        }
        if (fault.method && calls.length > 0) {
          assert.deepEqual(calls[0], { take: 100 }, `${label}: first call`);
          assert.ok(!('from' in calls[0]), label);
        }
        const parts = [fault.names === false ? `api.${step.object}` : call, ...fault.cause];
        if (onError === 'deny') {
          assertDenied(result, parts, label);
        } else {
          assert.equal(result.outcome, 'allowed', `${label}: ${show(result)}`);
          assertClaims(result, { roles: EVENT_ROLES }, label);
          const lines = linesWith(result, step.continued);
          assert.equal(lines.length, 1, `${label}: one "${step.continued}" line: ${show(result)}`);
          for (const part of parts) assert.ok(lines[0].includes(part), `${label}: "${part}" missing from ${lines[0]}`);
          assert.deepEqual(linesWith(result, 'login denied'), [], label);
        }
        // A late settlement must find its handler: wait for it inside this test.
        if (fault.settleMs) await new Promise((resolve) => { setTimeout(resolve, fault.settleMs); });
        assert.deepEqual(processEvents.events.slice(eventsBefore), [], `${label}: unhandled rejection or uncaught exception`);
      }
    });
  }
}

test('both steps fail under onError=continue: event roles, no groups claim, one line for each', async () => {
  const result = await login(await newHost(), freshAction(), {
    secrets: { roles: 'effective', groups: 'on', onError: 'continue' },
    label: 'both',
    patch: (api) => {
      api.roles = { getUserEffectiveRoles: async () => { throw boom('roles'); } };
      delete api.groups;
    },
  });
  assert.equal(result.outcome, 'allowed', show(result));
  assertClaims(result, { roles: EVENT_ROLES }, 'both');
  assert.equal(linesWith(result, STEPS.roles.continued).length, 1, show(result));
  assert.equal(linesWith(result, STEPS.groups.continued).length, 1, show(result));
});

test('the warm instance that went through every fault still serves normal logins', async () => {
  if (!faultAction) faultAction = freshAction();
  const result = await login(await newHost(), faultAction, {
    secrets: { roles: 'effective', groups: 'on' },
    directory: { roles: [roleEntry('group-role')], groups: [groupEntry('team')] },
    label: 'after faults',
  });
  assert.equal(result.outcome, 'allowed', show(result));
  assertClaims(result, { roles: ['group-role'], groups: ['team'] }, 'after faults');
});

test('budgetMs bounds the api.roles / api.groups calls and the Management API calls together', async () => {
  const budgetMs = 1000;
  // Two ways to spend one budget twice: a slow step (700 ms) then a Management API that never
  // answers, or a slow Management API (600 ms) then a step that never settles. With a budget per
  // kind of call either would take over 1,600 ms. Which one exercises both parts depends on the
  // order of the steps, so each step must have both parts run in at least one variant.
  const variants = [
    { name: 'slow step, hung Management API', faults: { hang: {} }, step: 'slow' },
    { name: 'slow Management API, hung step', faults: { latencyMs: { ms: 600 }, routes: ['userPermissions'] }, step: 'hang' },
  ];
  for (const stepName of ['roles', 'groups']) {
    const step = STEPS[stepName];
    let bothRan = 0;
    for (const v of variants) {
      const label = `${stepName}: ${v.name}`;
      const server = await standIn(roleFixture());
      const host = await newHost();
      const action = freshAction();
      const secrets = { ...credentials(server), ...step.setting, permissions: 'user', budgetMs: String(budgetMs) };
      const warm = await login(host, action, { secrets, directory: { roles: [roleEntry('reader')], groups: [] }, label: `${label} (warm-up)` });
      assert.equal(warm.outcome, 'allowed', `${label} (warm-up): ${show(warm)}`);
      server.setFaults(v.faults);
      server.resetCounts();
      let called = 0;
      const result = await login(host, action, {
        secrets,
        label,
        patch: (api) => {
          api[step.object] = {
            [step.method]: () => {
              called += 1;
              return v.step === 'slow'
                ? new Promise((resolve) => { setTimeout(resolve, 700, { [step.key]: [step.entry(1)] }); })
                : new Promise(() => {});
            },
          };
        },
      });
      assert.equal(result.outcome, 'denied', `${label}: ${show(result)}`);
      assert.ok(result.durationMs < budgetMs + 400, `${label}: took ${result.durationMs} ms (budget ${budgetMs})`);
      if (called === 1 && server.counts.byRoute.userPermissions >= 1) bothRan += 1;
    }
    assert.ok(bothRan >= 1, `${stepName}: no variant ran both the step and the Management API`);
  }
});

// ---------------------------------------------------------------------------------------------
// Organization logins

const USER_PERMISSION_ROUTES = ['userPermissions', 'userEffectivePermissions'];
const assertNoUserPermissionRequests = (server, label) => {
  for (const r of USER_PERMISSION_ROUTES) assert.equal(server.counts.byRoute[r], undefined, `${label}: ${r} requested: ${server.requests.map((q) => q.path).join(', ')}`);
};

test('organization logins in every permissions mode: the login\'s roles decide, tenant-wide permissions are never requested', async () => {
  const server = await standIn(roleFixture());
  const orgEvent = { organization: ORG, authorization: { roles: ['writer'] } };
  const cases = [
    { mode: 'user', permissions: ['write:a', 'write:x'] },
    { mode: 'user', extra: { permissionsFor: 'requested' }, permissions: ['write:a'] },
    { mode: 'effective', permissions: ['write:a'] },
    { mode: 'effective', event: { resource_server: null }, permissions: [] },
    { mode: 'roles', permissions: ['write:a', 'write:x'] },
    { mode: 'off', permissions: undefined },
    // Effective roles (a group-derived one) in an organization login: by role id, no directory request.
    {
      mode: 'user', extra: { roles: 'effective' }, roles: ['writer', 'group-role'], permissions: ['group:a', 'write:a', 'write:x'], noDirectory: true,
    },
    {
      mode: 'effective', extra: { roles: 'effective' }, roles: ['writer', 'group-role'], permissions: ['group:a', 'write:a'], noDirectory: true,
    },
  ];
  const directory = { roles: [roleEntry('writer', 'rol_writer'), roleEntry('group-role', 'rol_group')] };
  for (const c of cases) {
    const label = `permissions=${c.mode} ${JSON.stringify(c.extra || {})} ${JSON.stringify(c.event || {})}`;
    server.resetCounts();
    const result = await login(await newHost(), freshAction(), {
      secrets: { ...credentials(server), permissions: c.mode, ...(c.extra || {}) },
      event: { ...orgEvent, ...(c.event || {}) },
      directory,
      label,
    });
    assert.equal(result.outcome, 'allowed', `${label}: ${show(result)}`);
    const expected = { roles: c.roles || ['writer'] };
    if (c.permissions !== undefined) expected.permissions = c.permissions;
    assertClaims(result, expected, label);
    assertNoUserPermissionRequests(server, label);
    if (c.mode === 'off') assert.equal(server.counts.total, 0, `${label}: no Management API request`);
    if (c.noDirectory) assert.equal(server.counts.byRoute.roles, undefined, `${label}: no role directory request`);
    if (c.mode !== 'off' && c.permissions.length > 0) assert.ok(server.counts.byRoute.rolePermissions >= 1, `${label}: the role path`);
    if (c.mode === 'user' || c.mode === 'effective') {
      assert.equal(linesWith(result, 'organization login').length, 1, `${label}: first organization login of an instance: ${show(result)}`);
    }
  }
});

test('organization logins: one log line per instance; outside them user and effective modes are unchanged', async () => {
  const server = await standIn(roleFixture());
  for (const mode of ['user', 'effective']) {
    const host = await newHost();
    const action = freshAction();
    const secrets = { ...credentials(server), permissions: mode };
    const org = { organization: ORG, authorization: { roles: ['writer'] } };
    const orgPermissions = mode === 'user' ? ['write:a', 'write:x'] : ['write:a'];
    server.resetCounts();
    let result = await login(host, action, { secrets, event: org, label: `${mode} first` });
    assertClaims(result, { roles: ['writer'], permissions: orgPermissions }, `${mode} first`);
    assert.equal(linesWith(result, 'organization login').length, 1, `${mode} first: ${show(result)}`);
    result = await login(host, action, { secrets, event: { ...org, organization: { id: 'org_2', name: 'other' } }, label: `${mode} second` });
    assertClaims(result, { roles: ['writer'], permissions: orgPermissions }, `${mode} second`);
    assert.deepEqual(linesWith(result, 'organization login'), [], `${mode} second org login of a warm instance`);
    assertNoUserPermissionRequests(server, mode);

    // Not organization logins: no organization, null, no id, an empty id.
    const tenantWide = mode === 'user' ? ['direct:a', 'read:a', 'read:x'] : ['direct:a', 'grp:eff', 'read:a'];
    const route = mode === 'user' ? 'userPermissions' : 'userEffectivePermissions';
    for (const organization of [undefined, null, { name: 'acme' }, { id: '' }]) {
      const label = `${mode}, organization ${JSON.stringify(organization)}`;
      server.resetCounts();
      result = await login(host, action, { secrets, event: { organization, authorization: { roles: ['reader'] } }, label });
      assert.equal(result.outcome, 'allowed', `${label}: ${show(result)}`);
      assertClaims(result, { roles: ['reader'], permissions: tenantWide }, label);
      assert.equal(server.counts.byRoute[route], 1, `${label}: ${route}`);
      assert.deepEqual(linesWith(result, 'organization login'), [], label);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// The size guard with the groups claim

test('size guard with groups: omit drops permissions first, then groups, then denies; onOverflow=deny denies', async () => {
  const long = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}:${pad(i)}:${'x'.repeat(30)}`);
  const perms = (names) => names.map((n) => ({ permission_name: n, resource_server_identifier: API }));
  const bigPerms = long('perm', 60); // ~2,600 bytes of JSON
  const bigGroups = long('group', 60);
  const smallGroups = ['g-a', 'g-b'];
  const fixture = {
    resourceServers: [{ identifier: API, name: 'API' }],
    roles: [],
    users: [
      { user_id: 'auth0|big-perms', roles: [], permissions: perms(bigPerms) },
      { user_id: 'auth0|small-perms', roles: [], permissions: perms(['p:a', 'p:b']) },
    ],
  };
  const server = await standIn(fixture);
  const host = await newHost();
  const action = freshAction();
  const maxClaimBytes = 2000;
  // Roles that fit alone (and fit the event's character limit) but not with the two *_truncated flags.
  const tightRoles = Array.from({ length: 110 }, (_, i) => `role-${pad(i)}-abcde`);
  const bytes = (claims) => Buffer.byteLength(JSON.stringify(Object.fromEntries(Object.entries(claims).map(([k, v]) => [`${NS}/${k}`, v]))));
  assert.ok(bytes({ roles: tightRoles }) < 2 * maxClaimBytes && tightRoles.join('').length < maxClaimBytes);
  assert.ok(bytes({ roles: tightRoles, permissions_truncated: true, groups_truncated: true }) > maxClaimBytes);
  assert.ok(bytes({ roles: EVENT_ROLES, permissions: bigPerms }) > maxClaimBytes);
  assert.ok(bytes({ roles: EVENT_ROLES, permissions_truncated: true, groups: bigGroups }) > maxClaimBytes);
  assert.ok(bytes({ roles: EVENT_ROLES, permissions_truncated: true, groups: smallGroups }) < maxClaimBytes);

  const cases = [
    { user: 'auth0|big-perms', groups: smallGroups, omit: { roles: EVENT_ROLES, permissions_truncated: true, groups: smallGroups } },
    { user: 'auth0|big-perms', groups: bigGroups, omit: { roles: EVENT_ROLES, permissions_truncated: true, groups_truncated: true } },
    // Permissions go first even when the groups are what is large.
    { user: 'auth0|small-perms', groups: bigGroups, omit: { roles: EVENT_ROLES, permissions_truncated: true, groups_truncated: true } },
    { user: 'auth0|small-perms', groups: bigGroups, roles: tightRoles, omit: 'deny' },
  ];
  for (const c of cases) {
    for (const onOverflow of ['omit', 'deny']) {
      const label = `${c.user}, ${c.groups.length} groups, ${(c.roles || EVENT_ROLES).length} roles, onOverflow=${onOverflow}`;
      const result = await login(host, action, {
        secrets: { ...credentials(server), permissions: 'user', groups: 'on', onOverflow, maxClaimBytes: String(maxClaimBytes) },
        event: { user: { user_id: c.user }, authorization: { roles: c.roles || EVENT_ROLES } },
        directory: { groups: c.groups.map((n, i) => groupEntry(n, `g${i}`)) },
        label,
      });
      if (onOverflow === 'deny' || c.omit === 'deny') {
        assertDenied(result, ['maxClaimBytes'], label);
      } else {
        assert.equal(result.outcome, 'allowed', `${label}: ${show(result)}`);
        assertClaims(result, c.omit, label);
        for (const token of ['idToken', 'accessToken']) assert.ok(result.claimSizes[token] <= maxClaimBytes, `${label}: ${result.claimSizes[token]} bytes`);
      }
    }
  }
});

test('size guard with groups follows `tokens`: the unselected token gets nothing', async () => {
  const groups = Array.from({ length: 60 }, (_, i) => groupEntry(`group:${pad(i)}:${'y'.repeat(30)}`, `g${i}`));
  const result = await login(await newHost(), freshAction(), {
    secrets: { groups: 'on', onOverflow: 'omit', maxClaimBytes: '2000', tokens: 'access' },
    directory: { groups },
    label: 'tokens=access',
  });
  assert.equal(result.outcome, 'allowed', show(result));
  // permissions=off: no permissions claim to drop; the groups claim goes.
  assert.deepEqual(result.claims.idToken, {});
  assert.equal(claim(result, 'accessToken', 'groups'), undefined);
  assert.equal(claim(result, 'accessToken', 'groups_truncated'), true);
  assert.deepEqual(claim(result, 'accessToken', 'roles'), EVENT_ROLES);
});

// ---------------------------------------------------------------------------------------------
// The single-file Action

test('the single-file Action (dist/) behaves the same: effective roles, groups, organization logins, a failing step', async () => {
  const server = await standIn(roleFixture());
  const bundle = freshBundle();
  const host = await newHost();
  const directory = { roles: [roleEntry('reader', 'rol_reader'), roleEntry('group-role', 'rol_group')], groups: [groupEntry('b'), groupEntry('a')] };
  let result = await login(host, bundle, {
    secrets: { ...credentials(server), permissions: 'roles', roles: 'effective', groups: 'on' }, directory, label: 'dist roles',
  });
  assertClaims(result, { roles: ['reader', 'group-role'], permissions: ['group:a', 'read:a', 'read:x'], groups: ['a', 'b'] }, 'dist roles');
  assert.equal(server.counts.byRoute.roles, undefined, 'dist: no role directory request');

  server.resetCounts();
  result = await login(host, bundle, {
    secrets: { ...credentials(server), permissions: 'user' }, event: { organization: ORG, authorization: { roles: ['writer'] } }, label: 'dist org',
  });
  assertClaims(result, { roles: ['writer'], permissions: ['write:a', 'write:x'] }, 'dist org');
  assertNoUserPermissionRequests(server, 'dist org');
  assert.equal(linesWith(result, 'organization login').length, 1, show(result));

  for (const onError of ['deny', 'continue']) {
    result = await login(host, bundle, {
      secrets: { roles: 'effective', groups: 'on', onError }, label: `dist missing api.roles ${onError}`, patch: (api) => { delete api.roles; },
    });
    if (onError === 'deny') assertDenied(result, ['api.roles.getUserEffectiveRoles', 'is not available on this host'], 'dist deny');
    else assertClaims(result, { roles: EVENT_ROLES, groups: [] }, 'dist continue');
  }
});

// Last: nothing any login above started may surface as an unhandled rejection or exception.
test('no unhandled rejection and no uncaught exception during the suite', async () => {
  await new Promise((resolve) => { setTimeout(resolve, 100); });
  assert.deepEqual(processEvents.events, []);
});

test('memory: 20,000 logins with roles=effective and groups=on whose api.roles never answers, 1,000 at a time: wasm linear memory flat after the first 5,000', async () => {
  // Every login's roles page is raced against the budget and given up; its groups page comes first
  // and drops its timer. Neither a wait given up on a promise that never settles, nor a timer dropped
  // early, may leave anything behind in wasm memory (about 100 bytes a login would show here as
  // megabytes).
  delete require.cache[require.resolve(GLUE)];
  const wasm = require(GLUE);
  const action = createAction(() => wasm);
  const secrets = { namespace: NS, roles: 'effective', groups: 'on', budgetMs: '100', onError: 'continue' };
  const samples = [];
  for (let batch = 0; batch < 20; batch += 1) {
    await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
      const api = {
        idToken: { setCustomClaim() {} },
        accessToken: { setCustomClaim() {} },
        access: { deny() {} },
        roles: { getUserEffectiveRoles: () => new Promise(() => {}) },
        groups: { getUserGroups: async () => ({ groups: [{ id: 'g', name: `group-${i % 3}` }] }) },
      };
      await action.onExecutePostLogin({ secrets, authorization: { roles: ['event'] }, user: { user_id: `auth0|m${i % 50}` } }, api);
    }));
    if (batch >= 4 && (batch + 1) % 5 === 0) samples.push(wasm.memoryBytes());
  }
  assert.equal(samples.length, 4);
  assert.deepEqual(samples, samples.map(() => samples[0]), `wasm linear memory after 5,000, 10,000, 15,000 and 20,000 logins: ${samples.join(', ')}`);
});
