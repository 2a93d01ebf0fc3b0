'use strict';
/**
 * The post-login `api` object: every method, argument checks where Auth0 documents
 * them, and a log of every call in order. Effects are collected in a per-run `state`; nothing here
 * decides the outcome (see index.js).
 *
 * Also here: `recordingApi`, the smallest api for calling an Action directly (the JS suites and the
 * benchmarks use it), and `claimsOf`, which reads what it recorded.
 */
const { signHs256, verifyHs256, requestedScopes } = require('./tokens');
const { setOwn } = require('./event');
const { encodeCursor, decodeCursor } = require('./cursor');

const MFA_PROVIDERS = ['none', 'guardian', 'google-authenticator', 'duo', 'any'];
const NO_REDIRECT_PROTOCOLS = ['oauth2-resource-owner', 'oauth2-refresh-token', 'oauth2-password', 'oauth2-webauthn'];
const COOKIE_MODES = ['persistent', 'non-persistent'];
const TX_METADATA = { maxKeyChars: 64, maxValueBytes: 8 * 1024, maxTotalBytes: 16 * 1024 };
const SESSION_METADATA = { maxKeys: 25, maxChars: 255, keyPattern: /^[a-zA-Z0-9_-]{1,255}$/ };
const MAX_PRIMARY_USER_ID = 128;
const MAX_SAML_ATTRIBUTES = 100;

/** Copy of an argument as it was at call time (functions and other uncloneables are described). */
function snapshot(v) {
  if (v === undefined || v === null || typeof v !== 'object') {
    return typeof v === 'function' ? `[Function ${v.name || 'anonymous'}]` : v;
  }
  try { return structuredClone(v); } catch { return `[uncloneable ${Object.prototype.toString.call(v)}]`; }
}

/** Keep the value for the token, copied at call time so later mutation by the Action has no effect. */
function claimValue(v) {
  if (v !== null && typeof v === 'object') {
    try { return structuredClone(v); } catch { return v; }
  }
  return v;
}

const isThenable = (v) => v !== null && typeof v === 'object' && typeof v.then === 'function';

function requireString(what, v) {
  if (typeof v !== 'string') throw new TypeError(`${what} must be a string`);
}

function checkMetadataMap(label, map) {
  const entries = Object.entries(map);
  if (entries.length > SESSION_METADATA.maxKeys) throw new Error(`Invalid ${label} metadata: more than ${SESSION_METADATA.maxKeys} entries`);
  for (const [k, v] of entries) {
    if (!SESSION_METADATA.keyPattern.test(k)) throw new Error(`Invalid ${label} metadata: keys may only include letters, numbers, underscores, or hyphens (max ${SESSION_METADATA.maxChars})`);
    if (v.length > SESSION_METADATA.maxChars) throw new Error(`Invalid ${label} metadata: values must be at most ${SESSION_METADATA.maxChars} characters long`);
  }
}

/**
 * What `api.roles` and `api.groups` answer in one execution.
 *
 * `roles` / `groups`, each one of:
 * - unset (or null): roles are `event.authorization.roles` with made-up ids (`{id, name, type: 'role'}`),
 *   groups are none;
 * - an array of entries (roles `{id, name, type}`, groups `{id, name}`; nothing is checked, so odd
 *   entries reach the Action as they are): `getUserEffectiveRoles` / `getUserGroups` page them with
 *   cursors (`take` 1..100, default 50, larger values capped at 100; `from` the `next` of the previous
 *   page; the last page has no `next`), and `getUserEffectiveRolesByIds` / `ByNames` /
 *   `hasGroupMembership` look in them;
 * - a function `(params) => answer`: replaces `getUserEffectiveRoles` / `getUserGroups` entirely. It
 *   gets the Action's arguments as they are, nothing is checked; what it returns is what the Action
 *   gets, what it throws is thrown to the Action. A native Promise it returns reaches the Action as a
 *   promise that settles the same way, at the same time (so the answer, or `rejected`, is recorded in
 *   the call log; a promise that never settles never settles); any other value, thenables included,
 *   reaches it as it is. The other methods of that namespace then reject (they have no list to look in).
 *
 * `omit`: any of `'roles'`, `'groups'`: `api.roles` / `api.groups` is undefined, as on a host
 * older than those namespaces; `'addScope'`: `api.accessToken.addScope` is undefined.
 *
 * Every call is recorded in the call log whatever the form.
 * @typedef {object} Directory
 * @property {null|object[]|((params?: {take?: number, from?: string}) => any)} [roles]
 * @property {null|object[]|((params?: {take?: number, from?: string}) => any)} [groups]
 * @property {('roles'|'groups'|'addScope')[]} [omit]
 */

const DIRECTORY_KEYS = ['roles', 'groups'];
const OMITTABLE = [...DIRECTORY_KEYS, 'addScope'];

/** Throws a TypeError when `directory` is not a Directory (a host usage error, not the Action's). */
function checkDirectory(directory) {
  if (directory === null || typeof directory !== 'object' || Array.isArray(directory)) {
    throw new TypeError('directory must be an object {roles?, groups?, omit?}');
  }
  for (const key of DIRECTORY_KEYS) {
    const v = directory[key];
    if (v !== undefined && v !== null && !Array.isArray(v) && typeof v !== 'function') {
      throw new TypeError(`directory.${key} must be an array or a function (params) => answer`);
    }
  }
  const { omit } = directory;
  if (omit !== undefined && (!Array.isArray(omit) || omit.some((k) => !OMITTABLE.includes(k)))) {
    throw new TypeError(`directory.omit must be an array of ${OMITTABLE.map((k) => `'${k}'`).join(', ')}`);
  }
}

/**
 * Create the `api` object for one execution.
 *
 * @param {object} opts
 * @param {object} opts.event the run's event (transaction metadata updates are written into it)
 * @param {import('./cache').CacheStore} opts.cache shared cache store
 * @param {() => number} [opts.now] clock (ms)
 * @param {'onExecutePostLogin'|'onContinuePostLogin'} [opts.entrypoint]
 * @param {string[]} [opts.rulesExecuted] rule ids `api.rules.wasExecuted` reports as executed
 * @param {Directory} [opts.directory] what `api.roles` / `api.groups` answer (see Directory)
 * @returns {{api: object, state: object}}
 */
function createApi({ event, cache, now = Date.now, entrypoint = 'onExecutePostLogin', rulesExecuted = [], directory = {} }) {
  checkDirectory(directory);
  const state = {
    calls: [],
    lateCalls: [],
    sealed: false,
    claims: { idToken: {}, accessToken: {} },
    claimWrites: { idToken: new Map(), accessToken: new Map() },
    scopes: requestedScopes(event),
    deny: null,
    validationError: null,
    abort: null,
    effects: {
      appMetadata: {},
      userMetadata: {},
      multifactor: null,
      authentication: [],
      primaryUser: null,
      redirect: null,
      prompt: null,
      samlResponse: { attributes: {}, configuration: {} },
      session: {},
      refreshToken: {},
    },
  };
  const api = {};

  /** Wrap an implementation so each call is recorded; `chain` methods return `api`. */
  const method = (path, impl, { chain = false, recordResult = false, late } = {}) => function recorded(...args) {
    const entry = { path, args: args.map(snapshot) };
    if (state.sealed) {
      entry.afterEnd = true;
      state.lateCalls.push(entry);
      return chain ? api : late;
    }
    state.calls.push(entry);
    let result;
    try {
      result = impl(...args);
    } catch (e) {
      entry.threw = e && e.message ? e.message : String(e);
      throw e;
    }
    if (recordResult === 'native') {
      // Only a native Promise is followed (as a new promise that settles the same way); anything
      // else, thenables included, is handed over untouched.
      if (result instanceof Promise) result = result.then(recordAnswer(entry), recordRejection(entry));
      else entry.result = snapshot(result);
    } else if (recordResult) {
      if (isThenable(result)) {
        result = Promise.resolve(result).then(recordAnswer(entry), recordRejection(entry));
      } else {
        entry.result = snapshot(result);
      }
    }
    return chain ? api : result;
  };

  const recordAnswer = (entry) => (r) => { entry.result = snapshot(r); return r; };
  // The derived promise rejects with the same reason, so an Action that leaves it unhandled is still
  // caught as an unhandled rejection.
  const recordRejection = (entry) => (e) => { entry.rejected = e && e.message ? e.message : String(e); throw e; };

  const setClaim = (token) => (key, value) => {
    requireString(`api.${token}.setCustomClaim: key`, key);
    const writes = state.claimWrites[token];
    writes.set(key, (writes.get(key) || 0) + 1);
    setOwn(state.claims[token], key, claimValue(value));
  };

  const checkScope = (fn) => (scope) => {
    if (typeof scope !== 'string' || scope.length === 0 || /\s/.test(scope)) {
      throw new Error(`api.accessToken.${fn}: invalid scope ${JSON.stringify(scope)} (a non-empty string without spaces)`);
    }
    return scope;
  };

  api.access = {
    deny: method('access.deny', (reason) => {
      if (!state.deny) state.deny = { reason: String(reason) };
    }, { chain: true }),
  };

  api.accessToken = {
    setCustomClaim: method('accessToken.setCustomClaim', setClaim('accessToken'), { chain: true }),
    addScope: method('accessToken.addScope', (scope) => {
      checkScope('addScope')(scope);
      if (!state.scopes.includes(scope)) state.scopes.push(scope);
    }),
    removeScope: method('accessToken.removeScope', (scope) => {
      checkScope('removeScope')(scope);
      state.scopes = state.scopes.filter((s) => s !== scope);
    }),
  };

  if ((directory.omit || []).includes('addScope')) delete api.accessToken.addScope;

  api.idToken = { setCustomClaim: method('idToken.setCustomClaim', setClaim('idToken'), { chain: true }) };

  api.validation = {
    error: method('validation.error', (errorCode, errorMessage) => {
      requireString('api.validation.error: errorCode', errorCode);
      requireString('api.validation.error: errorMessage', errorMessage);
      if (!state.validationError) state.validationError = { errorCode, errorMessage };
    }, { chain: true }),
  };

  api.rules = {
    wasExecuted: method('rules.wasExecuted', (ruleId) => rulesExecuted.includes(ruleId), { recordResult: true, late: false }),
  };

  api.multifactor = {
    enable: method('multifactor.enable', (provider, options) => {
      if (!MFA_PROVIDERS.includes(provider)) throw new Error(`api.multifactor.enable: unknown provider ${JSON.stringify(provider)} (one of ${MFA_PROVIDERS.join(', ')})`);
      state.effects.multifactor = { provider, allowRememberBrowser: Boolean(options && options.allowRememberBrowser), ...(options && options.providerOptions ? { providerOptions: '[set]' } : {}) };
    }, { chain: true }),
  };

  const factorCheck = (what, f) => {
    if (!f || typeof f !== 'object' || typeof f.type !== 'string') throw new TypeError(`api.authentication.${what}: a factor is {type: string, options?}`);
  };
  const factorsCheck = (what, fs) => {
    if (!Array.isArray(fs) || fs.length === 0) throw new TypeError(`api.authentication.${what}: expects a non-empty array of factors`);
    fs.forEach((f) => factorCheck(what, f));
  };
  api.authentication = {
    challengeWith: method('authentication.challengeWith', (factor, options) => {
      factorCheck('challengeWith', factor);
      state.effects.authentication.push({ kind: 'challengeWith', factor: snapshot(factor), options: snapshot(options) });
    }),
    challengeWithAny: method('authentication.challengeWithAny', (factors) => {
      factorsCheck('challengeWithAny', factors);
      state.effects.authentication.push({ kind: 'challengeWithAny', factors: snapshot(factors) });
    }),
    enrollWith: method('authentication.enrollWith', (factor, options) => {
      factorCheck('enrollWith', factor);
      state.effects.authentication.push({ kind: 'enrollWith', factor: snapshot(factor), options: snapshot(options) });
    }),
    enrollWithAny: method('authentication.enrollWithAny', (factors) => {
      factorsCheck('enrollWithAny', factors);
      state.effects.authentication.push({ kind: 'enrollWithAny', factors: snapshot(factors) });
    }),
    recordMethod: method('authentication.recordMethod', (providerUrl) => {
      if (entrypoint !== 'onContinuePostLogin') throw new Error('api.authentication.recordMethod can only be used in onContinuePostLogin');
      requireString('api.authentication.recordMethod: provider_url', providerUrl);
      state.effects.authentication.push({ kind: 'recordMethod', providerUrl });
    }, { chain: true }),
    setPrimaryUser: method('authentication.setPrimaryUser', (primaryUserId) => {
      if (state.effects.primaryUser) throw new Error('The primary user can only be altered once per transaction');
      if (typeof primaryUserId !== 'string' || primaryUserId.length === 0) throw new Error('The provided primary_user_id must be a non-empty string');
      if (primaryUserId.length > MAX_PRIMARY_USER_ID) throw new Error('The provided primary_user_id exceeds the maximum length.');
      state.effects.primaryUser = primaryUserId;
    }),
  };

  const redirectParams = () => ({ ...((event.request && event.request.query) || {}), ...((event.request && event.request.body) || {}) });
  api.redirect = {
    sendUserTo: method('redirect.sendUserTo', (url, options) => {
      if (state.effects.prompt) {
        state.abort = state.abort || 'Redirect and render commands cannot be used in the same action.';
        return;
      }
      const target = new URL(url);
      const query = options && options.query;
      if (query) for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
      state.effects.redirect = target.href;
    }, { chain: true }),
    encodeToken: method('redirect.encodeToken', ({ secret, payload = {}, expiresInSeconds = 900 } = {}) => {
      requireString('api.redirect.encodeToken: secret', secret);
      const iat = Math.floor(now() / 1000);
      return signHs256({
        iat, iss: event.request && event.request.hostname, sub: event.user && event.user.user_id,
        exp: iat + expiresInSeconds, ip: event.request && event.request.ip, ...payload,
      }, secret);
    }, { recordResult: true, late: '' }),
    validateToken: method('redirect.validateToken', ({ secret, tokenParameterName = 'session_token' } = {}) => {
      const token = redirectParams()[tokenParameterName];
      if (!token) throw new Error(`There is no parameter called '${tokenParameterName}' available in either the POST body or query string.`);
      const r = verifyHs256(token, secret, { nowSec: Math.floor(now() / 1000) });
      if (!r.valid) throw new Error(`The session token is invalid: ${r.reason}`);
      return r.payload;
    }, { recordResult: true }),
    canRedirect: method('redirect.canRedirect', () => {
      if (redirectParams().prompt === 'none') return false;
      const protocol = event.transaction && event.transaction.protocol;
      return !NO_REDIRECT_PROTOCOLS.includes(protocol || 'unknown-protocol');
    }, { recordResult: true, late: false }),
  };

  api.prompt = {
    render: method('prompt.render', (promptId, promptOptions = {}) => {
      if (state.effects.redirect) {
        state.abort = state.abort || 'Redirect and render commands cannot be used in the same action.';
        return;
      }
      if (state.effects.prompt) {
        state.abort = state.abort || 'Only 1 render command per action is allowed.';
        return;
      }
      requireString('api.prompt.render: promptId', promptId);
      state.effects.prompt = { promptId, promptOptions: snapshot(promptOptions) };
    }),
  };

  const setMetadata = (field) => (key, value) => {
    requireString(`api.user.${field === 'appMetadata' ? 'setAppMetadata' : 'setUserMetadata'}: key`, key);
    setOwn(state.effects[field], key, value === undefined ? undefined : snapshot(value));
  };
  api.user = {
    setAppMetadata: method('user.setAppMetadata', setMetadata('appMetadata'), { chain: true }),
    setUserMetadata: method('user.setUserMetadata', setMetadata('userMetadata'), { chain: true }),
  };

  api.transaction = {
    setMetadata: method('transaction.setMetadata', (key, value) => {
      requireString('api.transaction.setMetadata: key', key);
      if (key.length > TX_METADATA.maxKeyChars) throw new Error(`api.transaction.setMetadata: key longer than ${TX_METADATA.maxKeyChars} characters`);
      const t = typeof value;
      if (value !== null && t !== 'string' && t !== 'number' && t !== 'boolean') throw new TypeError('api.transaction.setMetadata: value must be a string, number, boolean or null');
      if (t === 'number' && (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)))) throw new RangeError('api.transaction.setMetadata: unsafe or non-finite number');
      if (t === 'string' && Buffer.byteLength(value, 'utf8') > TX_METADATA.maxValueBytes) throw new RangeError(`api.transaction.setMetadata: value larger than ${TX_METADATA.maxValueBytes} bytes`);
      if (!event.transaction) event.transaction = { metadata: {} };
      const next = { ...(event.transaction.metadata || {}) };
      if (value === null) delete next[key]; else next[key] = value;
      if (Buffer.byteLength(JSON.stringify(next), 'utf8') > TX_METADATA.maxTotalBytes) throw new RangeError(`api.transaction.setMetadata: metadata larger than ${TX_METADATA.maxTotalBytes} bytes`);
      event.transaction.metadata = next;
    }),
  };

  api.cache = {
    get: method('cache.get', (key) => cache.get(key), { recordResult: true, late: undefined }),
    set: method('cache.set', (key, value, options) => cache.set(key, value, options), { recordResult: true, late: { type: 'error', code: 'FailedToSetCacheRecord' } }),
    delete: method('cache.delete', (key) => cache.delete(key), { recordResult: true, late: { type: 'error', code: 'FailedToDeleteCacheRecord' } }),
  };

  const saml = state.effects.samlResponse;
  const samlConfig = (name, configKey) => method(`samlResponse.${name}`, (value) => { saml.configuration[configKey] = snapshot(value); });
  api.samlResponse = {
    setAttribute: method('samlResponse.setAttribute', (attribute, value) => {
      requireString('api.samlResponse.setAttribute: attribute', attribute);
      if (!(attribute in saml.attributes) && Object.keys(saml.attributes).length >= MAX_SAML_ATTRIBUTES) throw new Error(`api.samlResponse.setAttribute: more than ${MAX_SAML_ATTRIBUTES} attributes`);
      saml.attributes[attribute] = value === undefined ? null : snapshot(value);
    }),
  };
  for (const [name, key] of [
    ['setAudience', 'audience'], ['setRecipient', 'recipient'], ['setCreateUpnClaim', 'createUpnClaim'],
    ['setPassthroughClaimsWithNoMapping', 'passthroughClaimsWithNoMapping'], ['setMapUnknownClaimsAsIs', 'mapUnknownClaimsAsIs'],
    ['setMapIdentities', 'mapIdentities'], ['setSignatureAlgorithm', 'signatureAlgorithm'], ['setDigestAlgorithm', 'digestAlgorithm'],
    ['setDestination', 'destination'], ['setLifetimeInSeconds', 'lifetimeInSeconds'], ['setSignResponse', 'signResponse'],
    ['setNameIdentifierFormat', 'nameIdentifierFormat'], ['setNameIdentifierProbes', 'nameIdentifierProbes'],
    ['setAuthnContextClassRef', 'authnContextClassRef'], ['setSigningCert', 'signingCert'],
    ['setIncludeAttributeNameFormat', 'includeAttributeNameFormat'], ['setTypedAttributes', 'typedAttributes'],
    ['setEncryptionCert', 'encryptionCert'], ['setEncryptionPublicKey', 'encryptionPublicKey'], ['setCert', 'cert'],
    ['setKey', 'key'], ['setRelayState', 'RelayState'], ['setIssuer', 'issuer'], ['setEncryptionAlgorithm', 'encryptionAlgorithm'],
  ]) api.samlResponse[name] = samlConfig(name, key);

  const metadataApi = (label, target, initial) => {
    const current = { ...(initial || {}) };
    target.metadata = current;
    return {
      setMetadata: method(`${label}.setMetadata`, (key, value) => {
        requireString(`api.${label}.setMetadata: key`, key);
        if (value === null) { delete current[key]; return; }
        requireString(`api.${label}.setMetadata: value`, value);
        const next = { ...current, [key]: value };
        checkMetadataMap(label, next);
        current[key] = value;
      }),
      deleteMetadata: method(`${label}.deleteMetadata`, (key) => { delete current[key]; }),
      evictMetadata: method(`${label}.evictMetadata`, () => { for (const k of Object.keys(current)) delete current[k]; }),
    };
  };
  const sess = state.effects.session;
  api.session = {
    revoke: method('session.revoke', (reason, options) => { sess.revoked = { reason: String(reason), options: snapshot(options) }; }),
    setExpiresAt: method('session.setExpiresAt', (ms) => { sess.expiresAt = Math.min(ms, sess.expiresAt === undefined ? Infinity : sess.expiresAt); }),
    setIdleExpiresAt: method('session.setIdleExpiresAt', (ms) => { sess.idleExpiresAt = Math.min(ms, sess.idleExpiresAt === undefined ? Infinity : sess.idleExpiresAt); }),
    setCookieMode: method('session.setCookieMode', (mode) => {
      if (!COOKIE_MODES.includes(mode)) throw new Error(`Invalid cookie mode: ${mode}. Valid values are 'persistent' and 'non-persistent'.`);
      sess.cookieMode = mode;
    }),
    ...metadataApi('session', sess, event.session && event.session.metadata),
  };
  const rt = state.effects.refreshToken;
  api.refreshToken = {
    revoke: method('refreshToken.revoke', (reason) => {
      // Documented to act only in a refresh token exchange; elsewhere it is recorded as not applying.
      const protocol = event.transaction && event.transaction.protocol;
      rt.revoked = { reason: String(reason), applies: protocol === 'oauth2-refresh-token' };
    }),
    setExpiresAt: method('refreshToken.setExpiresAt', (ms) => { rt.expiresAt = ms; }),
    setIdleExpiresAt: method('refreshToken.setIdleExpiresAt', (ms) => { rt.idleExpiresAt = ms; }),
    ...metadataApi('refreshToken', rt, event.refresh_token && event.refresh_token.metadata),
  };

  const page = (items, { take, from } = {}) => {
    if (from !== undefined && typeof from !== 'string') throw new Error('The "from" parameter must be a string if provided.');
    if (take !== undefined && (!Number.isInteger(take) || take <= 0)) throw new Error('The "take" parameter must be a positive integer if provided.');
    const start = from ? decodeCursor(from) || 0 : 0;
    const n = Math.min(take || 50, 100);
    const slice = items.slice(start, start + n);
    const next = start + n < items.length ? encodeCursor(start + n) : undefined;
    return { slice, next };
  };
  const userRoles = () => (Array.isArray(directory.roles) ? directory.roles
    : ((event.authorization && event.authorization.roles) || []).map((name) => ({
      id: `rol_${Buffer.from(name).toString('base64url').slice(0, 16)}`, name, type: 'role',
    })));
  const groups = () => (Array.isArray(directory.groups) ? directory.groups : []);
  const nonEmptyArray = (what, v) => {
    if (!Array.isArray(v) || v.length === 0) throw new Error(`The "${what}" parameter must be a non-empty array of strings.`);
  };
  const omitted = new Set(directory.omit || []);
  const answeredBy = (key) => (typeof directory[key] === 'function' ? directory[key] : null);
  /** A lookup method of a namespace whose pages a function answers: there is no list to look in. */
  const noList = (key, name) => async () => {
    throw new Error(`api.${key}.${name}: the host's directory.${key} is a function, which answers only the paged method`);
  };

  if (!omitted.has('groups')) {
    const byFunction = answeredBy('groups');
    api.groups = {
      getUserGroups: byFunction
        ? method('groups.getUserGroups', (...args) => byFunction(...args), { recordResult: 'native' })
        : method('groups.getUserGroups', async (params = {}) => {
          const { slice, next } = page(groups(), params);
          return next ? { groups: slice, next } : { groups: slice };
        }, { recordResult: true }),
      hasGroupMembership: method('groups.hasGroupMembership', byFunction ? noList('groups', 'hasGroupMembership') : async (names) => {
        nonEmptyArray('groups', names);
        const mine = new Set(groups().map((g) => g && g.name));
        return { memberships: Object.fromEntries(names.map((n) => [n, mine.has(n)])) };
      }, { recordResult: true }),
    };
  }
  if (!omitted.has('roles')) {
    const byFunction = answeredBy('roles');
    api.roles = {
      getUserEffectiveRoles: byFunction
        ? method('roles.getUserEffectiveRoles', (...args) => byFunction(...args), { recordResult: 'native' })
        : method('roles.getUserEffectiveRoles', async (params = {}) => {
          const { slice, next } = page(userRoles(), params);
          return next ? { roles: slice, next } : { roles: slice };
        }, { recordResult: true }),
      getUserEffectiveRolesByIds: method('roles.getUserEffectiveRolesByIds', byFunction ? noList('roles', 'getUserEffectiveRolesByIds') : async (ids) => {
        nonEmptyArray('ids', ids);
        if (ids.length > 100) throw new Error('The "ids" parameter accepts at most 100 ids.');
        return { roles: userRoles().filter((r) => r && ids.includes(r.id)) };
      }, { recordResult: true }),
      getUserEffectiveRolesByNames: method('roles.getUserEffectiveRolesByNames', byFunction ? noList('roles', 'getUserEffectiveRolesByNames') : async (names) => {
        nonEmptyArray('names', names);
        if (names.length > 50) throw new Error('The "names" parameter accepts at most 50 names.');
        return { roles: userRoles().filter((r) => r && names.includes(r.name)) };
      }, { recordResult: true }),
    };
  }

  return { api, state };
}

/**
 * The smallest post-login `api` for calling an Action's handler directly, without a host (tests,
 * benchmarks): `idToken.setCustomClaim`, `accessToken.setCustomClaim`, `access.deny` and, when a
 * cache is given, `cache`. Every call is appended to `api.calls` in order, as
 * `['idToken'|'accessToken', name, value]` or `['deny', reason]`; nothing is checked or copied.
 * @param {object} [options]
 * @param {import('./cache').CacheStore|object|null} [options.cache] backs `api.cache` (default: none,
 *   like an api without a cache)
 * @returns {object} the api, with `calls`
 */
function recordingApi({ cache = null } = {}) {
  const calls = [];
  const api = {
    calls,
    idToken: { setCustomClaim: (k, v) => { calls.push(['idToken', k, v]); return api; } },
    accessToken: { setCustomClaim: (k, v) => { calls.push(['accessToken', k, v]); return api; } },
    access: { deny: (reason) => { calls.push(['deny', reason]); return api; } },
  };
  if (cache) {
    api.cache = {
      get: (key) => cache.get(key),
      set: (key, value, options) => cache.set(key, value, options),
      delete: (key) => cache.delete(key),
    };
  }
  return api;
}

/**
 * What a recordingApi recorded: the claims per token, the deny reason (undefined when none), and
 * the order of the claim calls as `token:name`.
 * @returns {{idToken: object, accessToken: object, deny: string|undefined, order: string[]}}
 */
function claimsOf(api) {
  const out = { idToken: {}, accessToken: {}, deny: undefined, order: [] };
  for (const call of api.calls) {
    if (call[0] === 'deny') out.deny = call[1];
    else {
      out[call[0]][call[1]] = call[2];
      out.order.push(`${call[0]}:${call[1]}`);
    }
  }
  return out;
}

module.exports = {
  createApi, recordingApi, claimsOf, snapshot, MFA_PROVIDERS,
};
