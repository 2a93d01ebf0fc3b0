'use strict';
// js/action.js loaded as Auth0 loads it: require once, call onExecutePostLogin per login.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { recordingApi } = require('./support/api');
const path = require('node:path');

const action = require(path.join(__dirname, '..', '..', 'js', 'action.js'));
const { createAction } = require('../../js/entry');
const { captureConsole } = require('./support/console');

const GLUE = path.join(__dirname, '..', '..', 'pkg', 'rbac_claims.js');
/** The deny reason of a configuration error, from the test build (`make pkg-trap`). */
const CONFIG_REASON = require(path.join(__dirname, '..', '..', 'target', 'pkg-trap', 'rbac_claims.js')).configDenyReason();

/** A new Action instance: a fresh copy of the wasm-bindgen glue, so a fresh wasm instance. */
function freshAction() {
  return createAction(() => {
    delete require.cache[require.resolve(GLUE)];
    return require(GLUE);
  });
}


test('the entry exports an async onExecutePostLogin', () => {
  assert.equal(typeof action.onExecutePostLogin, 'function');
});

test('roles reach both tokens under the namespace', async () => {
  const api = recordingApi();
  await action.onExecutePostLogin(
    { secrets: { namespace: 'https://rbac.example.com/' }, authorization: { roles: ['admin', 'editor'] } },
    api,
  );
  assert.deepEqual(api.calls, [
    ['idToken', 'https://rbac.example.com/roles', ['admin', 'editor']],
    ['accessToken', 'https://rbac.example.com/roles', ['admin', 'editor']],
  ]);
});

test('a broken config denies with the configuration reason (no "try again") and resolves', async () => {
  const api = recordingApi();
  await action.onExecutePostLogin({ secrets: { namespace: 'https://x.auth0.com' } }, api);
  assert.equal(api.calls.length, 1);
  assert.deepEqual(api.calls[0], ['deny', CONFIG_REASON]);
  assert.doesNotMatch(CONFIG_REASON, /try again|auth0\.com|namespace/i);
});

test('a secret that misspells a setting is named once per instance, with the setting, never its value', async () => {
  const VALUE = 'value-never-logged-7f3a9c';
  const secrets = () => {
    const s = { namespace: 'https://rbac.example.com', permisions: VALUE, SLACK_WEBHOOK: `https://hooks.example/${VALUE}` };
    // Its value is never read: a getter that throws on a read would deny the login.
    Object.defineProperty(s, 'Tokens', { get() { throw new Error(`read ${VALUE}`); }, enumerable: true });
    return s;
  };
  const expected = [
    'rbac-claims: secret "permisions" is not a setting and is ignored; did you mean "permissions"?',
    'rbac-claims: secret "Tokens" is not a setting and is ignored; did you mean "tokens"?',
  ];
  for (const instance of ['first', 'second']) {
    const { onExecutePostLogin } = freshAction();
    const logs = captureConsole();
    try {
      for (let i = 0; i < 3; i += 1) {
        const api = recordingApi();
        await onExecutePostLogin({ secrets: secrets(), authorization: { roles: ['admin'] } }, api);
        assert.deepEqual(api.calls, [
          ['idToken', 'https://rbac.example.com/roles', ['admin']],
          ['accessToken', 'https://rbac.example.com/roles', ['admin']],
        ], `${instance} instance, login ${i}`);
      }
    } finally {
      logs.stop();
    }
    assert.deepEqual(logs.lines, expected, `${instance} instance: one line per misspelled secret, for three logins`);
    assert.ok(logs.lines.every((l) => !l.includes(VALUE)), 'no value in the log');
  }
});

test('the module instance is reused across many logins', async () => {
  for (let i = 0; i < 200; i += 1) {
    const api = recordingApi();
    await action.onExecutePostLogin({ secrets: { namespace: 'urn:example:rbac' }, authorization: { roles: [`r${i}`] } }, api);
    assert.deepEqual(api.calls[0], ['idToken', 'urn:example:rbac/roles', [`r${i}`]]);
  }
});

test('secret names that cannot be listed, or are not well-formed, never stop a login nor reach the log', async () => {
  const { onExecutePostLogin } = freshAction();
  const ownKeysThrows = new Proxy({ namespace: 'https://rbac.example.com', permisions: 'x' }, {
    ownKeys() { throw new Error('ownKeys'); },
  });
  const odd = { namespace: 'https://rbac.example.com', 'permisions\ud800': 'x', [`permisions${' '.repeat(100)}`]: 'x', [Symbol('permisions')]: 'x' };
  for (let i = 0; i < 150; i += 1) odd[`other${i}`] = 'x';
  odd.permisions = 'x'; // the 154th name: past the names listed, so not named
  for (const [why, secrets] of [['ownKeys throws', ownKeysThrows], ['lone surrogate, too long, symbol, past the limit', odd]]) {
    const logs = captureConsole();
    const api = recordingApi();
    try {
      await onExecutePostLogin({ secrets, authorization: { roles: ['admin'] } }, api);
    } finally {
      logs.stop();
    }
    assert.deepEqual(api.calls, [
      ['idToken', 'https://rbac.example.com/roles', ['admin']],
      ['accessToken', 'https://rbac.example.com/roles', ['admin']],
    ], why);
    assert.deepEqual(logs.lines, [], why);
  }
});

test('each login gets the settings of its own event.secrets, whatever the login before it read', async () => {
  const act = freshAction();
  const roles = { authorization: { roles: ['r'] } };
  const claimsOf = async (secrets) => {
    const api = recordingApi();
    const capture = captureConsole();
    try {
      await act.onExecutePostLogin({ ...roles, secrets }, api);
    } finally {
      capture.stop();
    }
    return api.calls.map(([token, name]) => (token === 'deny' ? 'deny' : `${token} ${name}`)).join(', ');
  };
  const a = { namespace: 'https://a.example' };
  assert.equal(await claimsOf(a), 'idToken https://a.example/roles, accessToken https://a.example/roles');
  // A value JSON cannot write (the login is denied), then the same again: denied again, never A's claims.
  const b = { namespace: 'https://b.example', maxClaimBytes: 5000n };
  for (let i = 0; i < 2; i += 1) assert.equal(await claimsOf(b), 'deny', `login ${i + 1} with the BigInt`);
  // A function value whose toJSON changes between logins: each login writes what it gives then.
  let tokens = 'access';
  const c = { namespace: 'https://c.example', tokens: Object.assign(() => {}, { toJSON: () => tokens }) };
  assert.equal(await claimsOf(c), 'accessToken https://c.example/roles');
  tokens = 'id';
  assert.equal(await claimsOf(c), 'idToken https://c.example/roles');
  // The same values in a new object, after all that: A's settings again.
  assert.equal(await claimsOf({ ...a }), 'idToken https://a.example/roles, accessToken https://a.example/roles');
});

test('a console.log that throws loses the line, never the login', async () => {
  const act = freshAction();
  const log = console.log;
  let tried = 0;
  console.log = () => { tried += 1; throw new Error('console broken'); };
  try {
    for (let i = 0; i < 2; i += 1) {
      const api = recordingApi();
      // A dropped role entry and logLine=json: two lines the Action tries to write in this login.
      await act.onExecutePostLogin({ secrets: { namespace: 'https://a.example', logLine: 'json' }, authorization: { roles: ['r', 5] } }, api);
      assert.deepEqual(api.calls, [['idToken', 'https://a.example/roles', ['r']], ['accessToken', 'https://a.example/roles', ['r']]], `login ${i + 1}`);
    }
  } finally {
    console.log = log;
  }
  assert.ok(tried >= 4, `the Action tried to log (${tried} calls)`);
});
