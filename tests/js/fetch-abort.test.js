'use strict';
// A host whose `fetch` ignores its abort signal (a non-standard runtime, a wrapper that drops `signal`)
// must not hang a login: every Management API request ends at its timeout, inside budgetMs, whether
// the fetch itself or the body stream never settles.
const { test, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { recordingApi, claimsOf } = require('./support/api');

const NS = 'https://rbac.example.com';
const BUDGET_MS = 300;
const realFetch = globalThis.fetch;
afterEach(() => { globalThis.fetch = realFetch; });

const { onExecutePostLogin } = require('../../js/action');

/** A login with permissions on against a fetch that `hang`s the way given. */
async function login(onError) {
  const api = recordingApi();
  const event = {
    secrets: {
      namespace: NS, domain: 'tenant.example.com', clientId: 'cid', clientSecret: 'not-a-real-secret', budgetMs: String(BUDGET_MS), onError,
    },
    authorization: { roles: ['reader'] },
    user: { user_id: 'auth0|abort' },
  };
  const started = performance.now();
  await onExecutePostLogin(event, api);
  return { ms: performance.now() - started, got: claimsOf(api) };
}

const hangs = {
  'fetch never settles': () => new Promise(() => {}),
  'the body never ends': async () => new Response(new ReadableStream({ pull() { return new Promise(() => {}); } }), {
    status: 200, headers: { 'content-type': 'application/json' },
  }),
};

for (const [kind, fetchThatIgnoresAbort] of Object.entries(hangs)) {
  for (const onError of ['deny', 'continue']) {
    test(`${kind}, the abort signal ignored, onError=${onError}: the login ends within budgetMs`, async () => {
      let calls = 0;
      globalThis.fetch = (url, init) => { calls += 1; assert.ok(init.signal, 'a signal is passed'); return fetchThatIgnoresAbort(); };
      const { ms, got } = await login(onError);
      assert.ok(calls >= 1, 'the Management API was called');
      assert.ok(ms < BUDGET_MS + 700, `ended after ${Math.round(ms)} ms`);
      if (onError === 'deny') {
        assert.equal(typeof got.deny, 'string');
        assert.deepEqual(got.order, []);
      } else {
        assert.equal(got.deny, undefined);
        assert.deepEqual(got.accessToken, { [`${NS}/roles`]: ['reader'] });
      }
    });
  }
}
