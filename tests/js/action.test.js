'use strict';
// js/action.js loaded as Auth0 loads it: require once, call onExecutePostLogin per login.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { recordingApi } = require('./support/api');
const path = require('node:path');

const action = require(path.join(__dirname, '..', '..', 'js', 'action.js'));


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

test('a broken config denies with the generic reason and resolves', async () => {
  const api = recordingApi();
  await action.onExecutePostLogin({ secrets: { namespace: 'https://x.auth0.com' } }, api);
  assert.equal(api.calls.length, 1);
  assert.equal(api.calls[0][0], 'deny');
  assert.match(api.calls[0][1], /^Sign-in could not be completed/);
  assert.doesNotMatch(api.calls[0][1], /auth0\.com|namespace/);
});

test('the module instance is reused across many logins', async () => {
  for (let i = 0; i < 200; i += 1) {
    const api = recordingApi();
    await action.onExecutePostLogin({ secrets: { namespace: 'urn:example:rbac' }, authorization: { roles: [`r${i}`] } }, api);
    assert.deepEqual(api.calls[0], ['idToken', 'urn:example:rbac/roles', [`r${i}`]]);
  }
});
