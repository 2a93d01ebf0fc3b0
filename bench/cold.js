'use strict';
/**
 * Measure 2, the child: a fresh `node` process that loads one Action and runs one login (roles only,
 * no network), then prints its timings as JSON. performance.now() counts from the process's time
 * origin (process start), so `done` is "process start → first login finished".
 *
 *   node bench/cold.js <path-to-action.js>
 */
const bootMs = performance.now();
const path = require('node:path');

const target = path.resolve(process.argv[2]);
const t0 = performance.now();
const action = require(target);
const loadedMs = performance.now();

const claims = {};
let denied = null;
const api = {
  idToken: { setCustomClaim(name, value) { claims[`id:${name}`] = value; return api; } },
  accessToken: { setCustomClaim(name, value) { claims[`access:${name}`] = value; return api; } },
  access: { deny(reason) { denied = reason; return api; } },
  cache: { get() { return undefined; }, set() { return { type: 'error', code: 'FailedToSetCacheRecord' }; }, delete() { return { type: 'success' }; } },
};
const event = {
  user: { user_id: 'auth0|cold-start' },
  authorization: { roles: ['admin', 'editor'] },
  secrets: { namespace: 'https://rbac.example.com' },
};

action.onExecutePostLogin(event, api).then(() => {
  const doneMs = performance.now();
  const ok = !denied && Array.isArray(claims['access:https://rbac.example.com/roles']);
  process.stdout.write(`${JSON.stringify({
    ok, bootMs, requireMs: loadedMs - t0, loginMs: doneMs - loadedMs, doneMs,
  })}\n`);
  process.exitCode = ok ? 0 : 1;
});
