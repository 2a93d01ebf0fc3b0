'use strict';
/**
 * Local Auth0 post-login Action host.
 *
 *   const { createHost } = require('./host');
 *   const host = createHost();
 *   const result = await host.run('js/action.js', { authorization: { roles: ['admin'] } },
 *                                 { secrets: { namespace: 'https://rbac.example.com' } });
 *
 * One host models one warm Action instance: its cache (and the `require` cache of the Action
 * module, which is process-wide) persist across runs. `host.resetCache()` or a new host models a
 * cold instance's cache. Runs may overlap; each gets its own event, api, call log and logs.
 */
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { buildEvent, cloneData, isPlainObject, EVENT_SAMPLES } = require('./event');
const { CacheStore, CACHE_LIMITS, CACHE_ERROR_CODES } = require('./cache');
const { applyClaimRules, RESTRICTED_CLAIMS, CUSTOM_CLAIMS_LIMIT_BYTES } = require('./rules');
const { createApi } = require('./api');
const { asIndexed, indexFixture, directoryFor } = require('./fixture');
const { createKeyPair, standardClaims, mintTokens, issuerFor, loadJose } = require('./tokens');
const { enterRun } = require('./runtime');

/** Auth0's execution limit for one trigger execution. */
const DEFAULT_TIMEOUT_MS = 20000;
const METADATA_LIMIT_BYTES = 32 * 1024;

function hostOf(url) {
  try { return new URL(url).host; } catch { return undefined; }
}

function describeError(e) {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  try { return `non-Error value thrown: ${JSON.stringify(e)}`; } catch { return `non-Error value thrown: ${String(e)}`; }
}

/**
 * Find the handler the way Auth0 does: the module must export an object whose entrypoint is an
 * `async function` (Auth0 rejects plain functions, even ones returning promises).
 */
function resolveHandler(actionModuleOrPath, entrypoint, strictSignature) {
  const mod = typeof actionModuleOrPath === 'string'
    ? require(path.resolve(actionModuleOrPath))
    : actionModuleOrPath;
  if (mod === null || typeof mod !== 'object') throw new Error('The Action must export an object.');
  const fn = mod[entrypoint];
  if (typeof fn !== 'function') throw new Error(`The Action does not export ${entrypoint}.`);
  if (strictSignature && !(fn.constructor && fn.constructor.name === 'AsyncFunction')) {
    throw new Error(`Invalid function signature for the "${entrypoint}" handler. Use "exports.${entrypoint} = async function(event, api) { }" as the signature.`);
  }
  return fn;
}

async function normalizeKeyPair(kp) {
  if (kp.kid && kp.publicJwk) return kp;
  const jose = await loadJose();
  const jwk = await jose.exportJWK(kp.publicKey);
  const kid = kp.kid || await jose.calculateJwkThumbprint(jwk);
  return { ...kp, kid, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
}

function metadataNotes(event, effects) {
  const notes = [];
  for (const [field, updates] of [['app_metadata', effects.appMetadata], ['user_metadata', effects.userMetadata]]) {
    if (Object.keys(updates).length === 0) continue;
    const merged = { ...((event.user && event.user[field]) || {}) };
    for (const [k, v] of Object.entries(updates)) if (v === null) delete merged[k]; else merged[k] = v;
    const size = Buffer.byteLength(JSON.stringify(merged), 'utf8');
    if (size > METADATA_LIMIT_BYTES) notes.push(`${field} would be ${size} bytes, over Auth0's 32 kB per-session limit`);
  }
  return notes;
}

/**
 * @typedef {object} RunResult
 * @property {'allowed'|'denied'|'failed'} outcome
 * @property {string} [denyReason] from `api.access.deny` or `api.validation.error`
 * @property {{errorCode: string, errorMessage: string}} [validationError]
 * @property {string} [error] why the login failed (throw, rejection, timeout, abort, 100 KB limit)
 * @property {{path: string, args: unknown[], result?: unknown, threw?: string}[]} calls every api call, in order
 * @property {object[]} lateCalls api calls made after the run ended (live array; they have no effect)
 * @property {{idToken: object, accessToken: object}} claims custom claims after Auth0's rules
 * @property {{token: string, claim: string, reason: string}[]} dropped claims Auth0 would ignore
 * @property {{token: string, claim: string, reason: string}[]} warnings kept claims whose token form loses data
 * @property {{idToken: number, accessToken: number}} claimSizes JSON bytes of the kept custom claims
 * @property {string[]} scopes final access token scopes
 * @property {string|null} idToken signed JWT, or null unless allowed
 * @property {string|null} accessToken signed JWT, or null unless allowed
 * @property {{idToken: object|null, accessToken: object|null}} decoded JWT payloads
 * @property {boolean} accessTokenOpaque no audience: Auth0 would issue an opaque token without custom claims
 * @property {object} effects other side effects (metadata, MFA, redirect, prompt, session, …)
 * @property {string[]} notes things Auth0 would do differently from what the token shows
 * @property {number} durationMs time the handler took
 * @property {number} loadMs time to resolve (and on first use, require) the Action module
 * @property {string[]} logs console output of the Action during the run
 * @property {object} event the event the Action received (before it ran)
 */

/** `event.organization.id` when the login is an organization login, else undefined. */
function organizationId(event) {
  const org = event.organization;
  return isPlainObject(org) && typeof org.id === 'string' && org.id !== '' ? org.id : undefined;
}

/**
 * The run's directory from a fixture (the given directory's roles/groups win where set), and
 * `event.authorization.roles` filled in from it unless the overrides set them.
 */
function fromFixture(fixture, event, eventOverrides, directory) {
  const data = asIndexed(fixture);
  const userId = isPlainObject(event.user) ? event.user.user_id : undefined;
  const orgId = organizationId(event);
  const derived = directoryFor(data, userId, orgId);
  const out = { ...directory };
  for (const key of ['roles', 'groups']) if (out[key] === undefined || out[key] === null) out[key] = derived[key];
  const auth = eventOverrides.authorization;
  const rolesGiven = auth !== undefined && (!isPlainObject(auth) || Object.prototype.hasOwnProperty.call(auth, 'roles'));
  const user = typeof userId === 'string' ? data.user(userId) : undefined;
  if (!rolesGiven && isPlainObject(event.authorization)) {
    event.authorization.roles = user ? data.eventRoles(user, orgId) : [];
  }
  // The fixture user's app_metadata, unless the overrides set one.
  const given = eventOverrides.user;
  const metadataGiven = isPlainObject(given) && Object.prototype.hasOwnProperty.call(given, 'app_metadata');
  if (!metadataGiven && user && isPlainObject(user.app_metadata) && isPlainObject(event.user)) {
    event.user.app_metadata = structuredClone(user.app_metadata);
  }
  return out;
}

/**
 * Create a host.
 * @param {object} [options]
 * @param {CacheStore} [options.cache] cache store to use (default: a new one on `now`)
 * @param {number} [options.timeoutMs=20000] execution limit; longer runs fail like in Auth0
 * @param {() => number} [options.now=Date.now] clock for the event, cache default and tokens
 * @param {{privateKey: CryptoKey|KeyObject, publicKey: CryptoKey|KeyObject, kid?: string}} [options.keyPair]
 *   signing key (default: an RS256 pair generated on first use, kept for the host's lifetime)
 * @param {boolean} [options.echoLogs=false] also print the Action's console output while capturing it
 * @param {boolean} [options.strictSignature=true] require an `async function` handler, as Auth0 does
 */
function createHost({
  cache, timeoutMs = DEFAULT_TIMEOUT_MS, now = Date.now, keyPair, echoLogs = false, strictSignature = true,
} = {}) {
  const store = cache || new CacheStore({ now });
  let keyPromise = keyPair ? normalizeKeyPair(keyPair) : null;
  const getKeyPair = () => {
    if (!keyPromise) keyPromise = createKeyPair();
    return keyPromise;
  };

  /**
   * Run an Action once.
   * @param {string|object} actionModuleOrPath module path (resolved from cwd, `require`d) or module object
   * @param {object} [eventOverrides] deep-merged into the default event (see buildEvent)
   * @param {object} [options]
   * @param {Record<string,string>} [options.secrets] replaces `event.secrets`
   * @param {'onExecutePostLogin'|'onContinuePostLogin'} [options.entrypoint]
   * @param {string[]} [options.rulesExecuted] for `api.rules.wasExecuted`
   * @param {import('./api').Directory} [options.directory] what `api.roles` / `api.groups` answer
   *   (arrays, functions, `omit`; see api.js)
   * @param {object|string} [options.fixture] the tenant (a fixture object, a path, or what indexFixture
   *   returned; see fixture.js). For the event's `user.user_id` and, in an organization login,
   *   `organization.id`, it gives `directory.roles` / `directory.groups` where `directory` leaves them
   *   unset (directoryFor: effective roles with group roles, the user's groups), and
   *   `event.authorization.roles` (the direct or organization member role names) when
   *   `eventOverrides` does not set `authorization` or `authorization.roles`, and
   *   `event.user.app_metadata` (the fixture user's `app_metadata`, when it has one) when
   *   `eventOverrides` does not set `user.app_metadata`. A user the fixture does
   *   not have gets no roles and no groups.
   * @returns {Promise<RunResult>}
   */
  async function run(actionModuleOrPath, eventOverrides = {}, {
    secrets, entrypoint = 'onExecutePostLogin', rulesExecuted = [], directory: givenDirectory = {}, fixture,
  } = {}) {
    const overrides = secrets === undefined ? (eventOverrides || {}) : { ...(eventOverrides || {}), secrets };
    const event = buildEvent(overrides, { now: now() });
    const directory = fixture === undefined || fixture === null ? givenDirectory : fromFixture(fixture, event, eventOverrides || {}, givenDirectory);
    const eventBefore = cloneData(event);
    const logs = [];
    let failure = null;
    const fail = (msg) => { if (!failure) failure = msg; };
    const ctx = { logs, echo: echoLogs, onUnhandledRejection: (e) => fail(`Unhandled promise rejection: ${describeError(e)}`) };
    const { api, state } = createApi({ event, cache: store, now, entrypoint, rulesExecuted, directory });
    const TIMED_OUT = Symbol('timeout');
    let loadMs = 0;
    let t0 = 0;
    let t1 = 0;

    const exec = async () => {
      const tl = performance.now();
      const handler = resolveHandler(actionModuleOrPath, entrypoint, strictSignature);
      loadMs = performance.now() - tl;
      let timer;
      const limit = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs, TIMED_OUT); });
      t0 = performance.now();
      try {
        return await Promise.race([(async () => handler(event, api))(), limit]);
      } finally {
        t1 = performance.now();
        clearTimeout(timer);
      }
    };

    const { value, end } = enterRun(ctx, exec);
    try {
      const v = await value;
      if (v === TIMED_OUT) fail(`Action exceeded the ${timeoutMs} ms execution limit (Auth0: "Request to Webtask exceeded allowed execution time"); the login fails`);
    } catch (e) {
      fail(`Action failed: ${describeError(e)}`);
    }
    // Let rejections the Action left unhandled surface before the run is closed.
    await new Promise((resolve) => { setImmediate(resolve); });
    end();
    state.sealed = true;
    if (state.abort) fail(`Action aborted: ${state.abort}`);

    const notes = [];
    const nowSec = Math.floor(now() / 1000);
    const standard = standardClaims(eventBefore, { nowSec, scopes: state.scopes });
    const ruled = applyClaimRules(state.claims, {
      standardClaims: { idToken: Object.keys(standard.idToken), accessToken: Object.keys(standard.accessToken) },
      accessTokenAudience: standard.audience,
      tenantHost: hostOf(issuerFor(eventBefore)),
      scopes: state.scopes,
    });

    let outcome = 'allowed';
    let denyReason;
    if (failure) outcome = 'failed';
    else if (state.validationError) { outcome = 'denied'; denyReason = state.validationError.errorMessage; }
    else if (state.deny) { outcome = 'denied'; denyReason = state.deny.reason; }
    if (outcome === 'allowed' && ruled.error) { outcome = 'failed'; fail(ruled.error); }

    for (const token of ['idToken', 'accessToken']) {
      for (const [claim, n] of state.claimWrites[token]) {
        if (n > 1) notes.push(`${token} claim "${claim}" was set ${n} times; the last value is used (Auth0 does not document this case)`);
      }
    }
    if (standard.opaqueAccessToken) {
      notes.push('no resource_server (audience): Auth0 would issue an opaque access token for /userinfo, without custom claims; the access token shown is for inspection only');
    }
    const { effects } = state;
    if (effects.redirect) notes.push(`Auth0 would redirect the user to ${effects.redirect} and issue tokens only after onContinuePostLogin`);
    if (effects.prompt) notes.push(`Auth0 would render prompt ${effects.prompt.promptId} before issuing tokens`);
    if (effects.multifactor && effects.multifactor.provider !== 'none') notes.push(`Auth0 would require MFA (${effects.multifactor.provider}) before issuing tokens`);
    if (effects.authentication.length) notes.push('Auth0 would run the requested authentication challenge/enrollment before issuing tokens');
    if (effects.primaryUser && Object.keys(effects.userMetadata).length) {
      notes.push('setPrimaryUser was called: user_metadata changes made in this Action are discarded');
      effects.userMetadata = {};
    }
    notes.push(...metadataNotes(eventBefore, effects));
    if (outcome === 'denied' && Object.keys(effects.appMetadata).length + Object.keys(effects.userMetadata).length) {
      notes.push('api.access.deny does not cancel metadata updates: Auth0 still writes them');
    }

    const result = {
      outcome,
      calls: state.calls,
      lateCalls: state.lateCalls,
      claims: ruled.claims,
      dropped: ruled.dropped,
      warnings: ruled.warnings,
      claimSizes: ruled.sizes,
      scopes: [...state.scopes],
      idToken: null,
      accessToken: null,
      decoded: { idToken: null, accessToken: null },
      accessTokenOpaque: standard.opaqueAccessToken,
      effects: { ...effects, transactionMetadata: event.transaction ? event.transaction.metadata : undefined },
      notes,
      durationMs: Math.round((t1 - t0) * 1000) / 1000,
      loadMs: Math.round(loadMs * 1000) / 1000,
      logs,
      event: eventBefore,
    };
    if (denyReason !== undefined) result.denyReason = denyReason;
    if (state.validationError) result.validationError = { ...state.validationError };
    if (failure) result.error = failure;
    if (outcome === 'allowed') {
      const minted = await mintTokens({ standard, custom: ruled.claims, keyPair: await getKeyPair() });
      result.idToken = minted.idToken;
      result.accessToken = minted.accessToken;
      result.decoded = minted.decoded;
    }
    return result;
  }

  return {
    cache: store,
    timeoutMs,
    run,
    /** Drop every cache entry: the next run sees a cold instance's cache. */
    resetCache() { store.clear(); },
    /** @returns {Promise<{privateKey, publicKey, publicJwk, kid}>} the host's signing key */
    getKeyPair,
    /** @returns {Promise<{keys: object[]}>} JWKS with the host's public key, to verify its tokens */
    async jwks() { return { keys: [(await getKeyPair()).publicJwk] }; },
  };
}

module.exports = {
  createHost,
  indexFixture,
  directoryFor,
  createKeyPair,
  buildEvent,
  CacheStore,
  applyClaimRules,
  EVENT_SAMPLES,
  CACHE_LIMITS,
  CACHE_ERROR_CODES,
  RESTRICTED_CLAIMS,
  CUSTOM_CLAIMS_LIMIT_BYTES,
  DEFAULT_TIMEOUT_MS,
};
