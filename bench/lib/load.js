'use strict';
/**
 * Load helpers for measures 1 and 4–6: logins against the Management API stand-in (real HTTP through
 * the global fetch, or its in-process fetch), either through the local host (createHost) or by calling
 * onExecutePostLogin directly with the host's minimal recording api (host/api.js) and an `api.cache`
 * (host/cache.js), so that the host's own cost (building the event, signing two RS256 tokens per
 * login) does not hide the Actions' cost under load.
 */
const { recordingApi, claimsOf } = require('../../host/api');
const { CacheStore } = require('../../host/cache');
const { withCapturedConsole } = require('../../tests/js/support/console');
const { API, expectedPermissions } = require('./fixtures');

const NS = 'https://rbac.example.com';
/** Auth0's execution limit: a login not done by then counts as failed. */
const EXECUTION_LIMIT_MS = 20000;

/**
 * Run `fn` with the console captured (the Actions log only on failures and retries; captured lines
 * explain denials in the report): resolves with {value, lines (the first 200), total}.
 */
const captured = (fn) => withCapturedConsole(fn, { methods: ['log', 'info', 'warn', 'error'], keep: 200 });

/** Secrets for `mode` ('off' | 'user' | 'effective' | 'roles') against a stand-in. */
function secretsFor(standin, mode) {
  if (mode === 'off') return { namespace: NS, permissions: 'off' };
  return {
    namespace: NS,
    domain: standin.domain,
    clientId: standin.clientId,
    clientSecret: standin.clientSecret,
    managementUrl: standin.url,
    permissions: mode,
  };
}

/** The event fields the Actions read, for one fixture user. */
function eventFor(user) {
  return { user: { user_id: user.user_id }, authorization: { roles: [...user.roleNames] }, resource_server: { identifier: API } };
}

/** Expected claims per user id: roles in event order; permissions sorted (absent when mode is off). */
function expectations(fixture) {
  return new Map(fixture.users.map((u) => [u.user_id, { roles: JSON.stringify(u.roleNames), permissions: JSON.stringify(expectedPermissions(fixture, u)) }]));
}

/** Compares one login's access token claims with what the user should get; null when right. */
function wrongClaims(claims, user, mode, expected) {
  const e = expected.get(user.user_id);
  if (JSON.stringify(claims[`${NS}/roles`]) !== e.roles) return 'roles claim differs';
  const perms = claims[`${NS}/permissions`];
  if (mode === 'off') return perms === undefined ? null : 'unexpected permissions claim';
  return JSON.stringify(perms) === e.permissions ? null : `permissions claim differs (${perms ? perms.length : 'none'} vs ${JSON.parse(e.permissions).length})`;
}

/**
 * One warm Action instance driven directly: `login(user)` → {ok, denied, failed, ms, wrong}.
 * @param {object} action the loaded Action module
 * @param {object} standin stand-in info (url, domain, clientId, clientSecret)
 * @param {string} mode permission mode
 * @param {Map} expected from expectations()
 * @param {{checkEvery?: number, deferCheck?: boolean}} [options] compare claims on every Nth login
 *   (1 = all); with deferCheck the result carries `check()` instead, to run outside a timed section
 */
function directInstance(action, standin, mode, expected, { checkEvery = 1, deferCheck = false } = {}) {
  const cache = new CacheStore();
  const secrets = secretsFor(standin, mode);
  let n = 0;
  return async function login(user) {
    n += 1;
    const api = recordingApi({ cache });
    const started = performance.now();
    let timer;
    const limit = new Promise((resolve) => { timer = setTimeout(resolve, EXECUTION_LIMIT_MS, 'timeout'); });
    let outcome;
    try {
      outcome = await Promise.race([action.onExecutePostLogin({ ...eventFor(user), secrets }, api), limit]);
    } catch (err) {
      outcome = `threw: ${err && err.message}`;
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - started;
    if (outcome !== undefined) return { ok: false, failed: String(outcome), ms };
    const got = claimsOf(api);
    if (got.deny !== undefined) return { ok: false, denied: got.deny, ms };
    if (deferCheck) return { ok: true, ms, check: () => wrongClaims(got.accessToken, user, mode, expected) };
    const wrong = n % checkEvery === 0 ? wrongClaims(got.accessToken, user, mode, expected) : null;
    return { ok: !wrong, wrong, ms };
  };
}

/**
 * Empties the stand-in's /api/v2 token bucket (requests without a token still take from it), so a
 * measurement starts from the sustained rate, not from a full burst. Bounded to 500 requests.
 */
async function drainBucket(url) {
  for (let i = 0; i < 500; i += 1) {
    const res = await fetch(`${url}/api/v2/roles`);  
    await res.arrayBuffer();  
    if (res.status === 429) return i + 1;
  }
  return 500;
}

/**
 * Closed-loop load: `concurrency` workers each run logins back to back for `durationMs`, cycling
 * through `users`. Returns throughput of allowed logins and the count of denied/failed ones.
 * Bounded by time (durationMs, then the in-flight logins, each bounded by the execution limit) and
 * by count (maxLogins).
 */
async function closedLoop(login, users, { concurrency, durationMs, maxLogins = 200000 }) {
  const started = performance.now();
  const stopAt = started + durationMs;
  let next = 0;
  const stats = { allowed: 0, denied: 0, failed: 0, wrong: 0, reasons: [] };
  const worker = async () => {
    while (performance.now() < stopAt && next < maxLogins) {
      const user = users[next % users.length];
      next += 1;
      const r = await login(user);  
      if (r.ok) stats.allowed += 1;
      else if (r.denied) stats.denied += 1;
      else if (r.wrong) stats.wrong += 1;
      else stats.failed += 1;
      if (!r.ok && stats.reasons.length < 3) stats.reasons.push(r.denied ? 'denied' : r.wrong || r.failed);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  return { ...stats, elapsedMs, perSecond: (stats.allowed / elapsedMs) * 1000 };
}

module.exports = {
  NS, captured, secretsFor, eventFor, expectations, wrongClaims, directInstance, drainBucket, closedLoop,
};
