'use strict';
// Trap recovery: a real wasm trap (`unreachable`, from the test-trap build in target/pkg-trap) during a
// login is caught by the entry, logged, answered with a deny, and the instance is replaced so that
// every later login works again.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const { recordingApi, CacheStore } = require('./support/api');
const { captureConsole } = require('./support/console');
const { createAction } = require('../../js/entry');
const { createFetchStandIn } = require('../../host/standin-fetch');

const GLUE = path.join(__dirname, '..', '..', 'target', 'pkg-trap', 'rbac_claims.js');

const EVENT = { secrets: { namespace: 'https://e.com' }, authorization: { roles: ['a'] } };

assert.ok(fs.existsSync(GLUE), `missing ${GLUE}: run make pkg-trap`);

test('a trap denies that login, replaces the instance, and the next logins work', async () => {
  const instances = [];
  const action = createAction(() => {
    delete require.cache[require.resolve(GLUE)];
    const wasm = require(GLUE);
    instances.push(wasm);
    return wasm;
  });
  let api = recordingApi();
  await action.onExecutePostLogin(EVENT, api);
  assert.deepEqual(api.calls[0], ['idToken', 'https://e.com/roles', ['a']]);
  assert.equal(instances.length, 1);

  instances[0].trapNextPoll();
  api = recordingApi();
  const logs = captureConsole();
  try {
    await action.onExecutePostLogin(EVENT, api);
  } finally {
    logs.stop();
  }
  assert.equal(api.calls.length, 1);
  assert.equal(api.calls[0][0], 'deny');
  assert.match(api.calls[0][1], /^Sign-in could not be completed/);
  assert.ok(logs.lines.some((l) => l.startsWith('rbac-claims: internal failure: RuntimeError: unreachable')), logs.lines.join('\n'));
  assert.ok(logs.lines.includes('rbac-claims: the wasm instance trapped and was replaced'));
  assert.equal(instances.length, 2, 'a fresh instance was loaded');
  assert.notEqual(instances[0], instances[1]);

  for (let i = 0; i < 100; i += 1) {
    api = recordingApi();
    await action.onExecutePostLogin(EVENT, api);
    assert.deepEqual(api.calls[0], ['idToken', 'https://e.com/roles', ['a']], `login ${i} after the trap`);
  }
  assert.equal(instances.length, 2, 'no further replacement');
});

test('a trap in a login whose deny throws too fails that login by rejecting, never half-applied', async () => {
  const action = createAction(() => {
    delete require.cache[require.resolve(GLUE)];
    return require(GLUE);
  });
  const wasm = require(GLUE);
  wasm.trapNextPoll();
  const api = recordingApi();
  api.access = { deny() { throw new Error('deny refused'); } };
  const logs = captureConsole();
  let rejected;
  try {
    await action.onExecutePostLogin(EVENT, api);
  } catch (err) {
    rejected = err;
  } finally {
    logs.stop();
  }
  assert.ok(rejected instanceof Error, 'the login rejects');
  assert.equal(rejected.message, wasm.notDeniedMessage());
  assert.ok(logs.lines.some((l) => l.startsWith('rbac-claims: could not deny the login')), logs.lines.join('\n'));
});

test('logins in flight on the trapped instance end in a deny, not a hang or a rejection', async () => {
  const action = createAction(() => {
    delete require.cache[require.resolve(GLUE)];
    return require(GLUE);
  });
  // A login that waits on fetch (permissions) keeps its task alive across the trap of another login:
  // the Management API stand-in holds its first request for 250 ms, and every request ends in a 503.
  const standIn = createFetchStandIn({ fixture: { users: [] }, faults: { latencyMs: { ms: 250, count: 1 }, status5xx: {} } });
  standIn.install();
  const logs = captureConsole();
  try {
    const waiting = recordingApi({ cache: new CacheStore() });
    const pending = action.onExecutePostLogin({
      secrets: { namespace: 'https://e.com', domain: 't.example.com', clientId: 'c', clientSecret: 's3cr3t-x', budgetMs: '2000' },
      user: { user_id: 'auth0|1' },
      authorization: { roles: [] },
    }, waiting);
    await new Promise((r) => setImmediate(r));
    require(GLUE).trapNextPoll();
    const trapped = recordingApi();
    await action.onExecutePostLogin(EVENT, trapped);
    assert.equal(trapped.calls[0][0], 'deny');
    await pending; // resolves: the entry never rejects
    assert.deepEqual(waiting.calls.map((c) => c[0]), ['deny'], 'the waiting login was denied (503s)');
    assert.ok(standIn.counts.faults.latency === 1 && standIn.counts.byStatus['503'] >= 1, JSON.stringify(standIn.counts));
  } finally {
    logs.stop();
    await standIn.close();
  }
});
