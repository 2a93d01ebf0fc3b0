'use strict';
// Tests of the local Action host: event, api object, api.cache limits and result codes, Auth0's
// claim rules, signed tokens, execution limit, failure modes, concurrency and the CLI.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');

const {
  createHost: createHostWithOwnKey, createKeyPair, buildEvent, CacheStore, applyClaimRules, CACHE_LIMITS, CACHE_ERROR_CODES, CUSTOM_CLAIMS_LIMIT_BYTES,
  indexFixture,
} = require('../../host');

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'host', 'cli.js');
const HOUR = 60 * 60 * 1000;
const jose = () => import('jose');

// Generating an RSA key takes ~0.1–0.5 s: hosts in these tests share one, except where a test
// checks key handling (createHostWithOwnKey).
let sharedKey;
before(async () => { sharedKey = await createKeyPair(); });
const createHost = (options = {}) => createHostWithOwnKey({ keyPair: sharedKey, ...options });

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  const now = () => t;
  now.advance = (ms) => { t += ms; };
  return now;
}

/** Run an inline Action body through a fresh host. */
function runWith(fn, overrides, options, hostOptions) {
  return createHost(hostOptions).run({ onExecutePostLogin: fn }, overrides, options);
}

describe('buildEvent', () => {
  test('has every always-present event field with realistic values', () => {
    const e = buildEvent();
    for (const k of ['authentication', 'authorization', 'client', 'configuration', 'connection', 'request',
      'resource_server', 'secrets', 'session', 'stats', 'tenant', 'transaction', 'user']) {
      assert.ok(k in e, `missing ${k}`);
    }
    assert.match(e.user.user_id, /^auth0\|[0-9a-f]{24}$/);
    for (const k of ['app_metadata', 'user_metadata', 'created_at', 'updated_at', 'email_verified', 'identities']) assert.ok(k in e.user, k);
    assert.equal(typeof e.client.client_id, 'string');
    assert.deepEqual(e.transaction.metadata, {});
    assert.ok(Array.isArray(e.authorization.roles));
    assert.equal(typeof e.request.ip, 'string');
    assert.equal(typeof e.stats.logins_count, 'number');
  });

  test('deep-merges overrides: arrays replace, null sets null, secrets replace, defaults untouched', () => {
    const e = buildEvent({
      authorization: { roles: ['admin', 'editor'] },
      transaction: { requested_scopes: ['openid'] },
      organization: null,
      request: { geoip: { cityName: 'Oslo' } },
      secrets: { only: 'this' },
    });
    assert.deepEqual(e.authorization.roles, ['admin', 'editor']);
    assert.deepEqual(e.transaction.requested_scopes, ['openid']);
    assert.equal(e.request.query.scope, 'openid', 'derived query scope follows the override');
    assert.equal(e.organization, null);
    assert.equal(e.request.geoip.cityName, 'Oslo');
    assert.equal(e.request.geoip.countryCode, 'DE', 'sibling keys kept');
    assert.deepEqual(e.secrets, { only: 'this' });
    e.user.app_metadata.mutated = true;
    assert.equal(buildEvent().user.app_metadata.mutated, undefined, 'each call returns fresh objects');
    assert.deepEqual(buildEvent().authorization.roles, []);
  });

  test('derived fields follow an overridden user_id', () => {
    const e = buildEvent({ user: { user_id: 'google-oauth2|103547991597142817347' } });
    assert.deepEqual(e.user.identities, [{
      connection: 'Username-Password-Authentication', isSocial: true, provider: 'google-oauth2', user_id: '103547991597142817347',
    }]);
  });
});

describe('CacheStore (api.cache as Auth0 documents it)', () => {
  const store = () => { const now = fakeClock(); return { now, cache: new CacheStore({ now }) }; };

  test('set/get with the default 15-minute lifetime; records are copies', () => {
    const { now, cache } = store();
    const r = cache.set('k', 'v');
    assert.deepEqual(r, { type: 'success', record: { value: 'v', expires_at: now() + 15 * 60 * 1000 } });
    assert.deepEqual(cache.get('k'), { value: 'v', expires_at: now() + 15 * 60 * 1000 });
    cache.get('k').value = 'changed';
    r.record.value = 'changed';
    assert.equal(cache.get('k').value, 'v');
    assert.equal(cache.get('missing'), undefined);
  });

  test('ttl and expires_at are milliseconds; both given → the earlier wins', () => {
    const { now, cache } = store();
    assert.equal(cache.set('a', 'v', { ttl: 1500 }).record.expires_at, now() + 1500);
    assert.equal(cache.set('b', 'v', { expires_at: now() + 7000 }).record.expires_at, now() + 7000);
    assert.equal(cache.set('c', 'v', { ttl: 1000, expires_at: now() + 5000 }).record.expires_at, now() + 1000);
    assert.equal(cache.set('d', 'v', { ttl: 5000, expires_at: now() + 1000 }).record.expires_at, now() + 1000);
  });

  test('records expire: invisible to get, delete says CacheKeyDoesNotExist, no longer counted', () => {
    const { now, cache } = store();
    cache.set('k', 'v', { ttl: 1000 });
    now.advance(1000);
    assert.equal(cache.get('k').value, 'v', 'alive at exactly expires_at');
    now.advance(1);
    assert.equal(cache.get('k'), undefined);
    assert.deepEqual(cache.delete('k'), { type: 'error', code: 'CacheKeyDoesNotExist' });
    assert.equal(cache.size, 0);
  });

  test('lifetime over 24 h → InvalidExpiry; exactly 24 h is allowed', () => {
    const { now, cache } = store();
    assert.equal(cache.set('a', 'v', { ttl: 24 * HOUR }).type, 'success');
    assert.deepEqual(cache.set('b', 'v', { ttl: 24 * HOUR + 1 }), { type: 'error', code: 'InvalidExpiry' });
    assert.deepEqual(cache.set('c', 'v', { expires_at: now() + 25 * HOUR }), { type: 'error', code: 'InvalidExpiry' });
    assert.equal(cache.set('d', 'v', { ttl: 1000, expires_at: now() + 25 * HOUR }).type, 'success', 'earlier expiry wins first');
  });

  test('expiry at or before now → ItemAlreadyExpired; non-numbers → InvalidExpiry', () => {
    const { now, cache } = store();
    assert.deepEqual(cache.set('a', 'v', { expires_at: now() - 1 }), { type: 'error', code: 'ItemAlreadyExpired' });
    assert.deepEqual(cache.set('a', 'v', { ttl: 0 }), { type: 'error', code: 'ItemAlreadyExpired' });
    assert.deepEqual(cache.set('a', 'v', { ttl: -5 }), { type: 'error', code: 'ItemAlreadyExpired' });
    assert.deepEqual(cache.set('a', 'v', { ttl: '1000' }), { type: 'error', code: 'InvalidExpiry' });
    assert.deepEqual(cache.set('a', 'v', { ttl: Number.NaN }), { type: 'error', code: 'InvalidExpiry' });
    assert.deepEqual(cache.set('a', 'v', { expires_at: Infinity }), { type: 'error', code: 'InvalidExpiry' });
    assert.equal(cache.size, 0);
  });

  test('keys up to 64 bytes (UTF-8), a 65-byte key → CacheKeySizeExceeded', () => {
    const { cache } = store();
    assert.equal(cache.set('k'.repeat(64), 'v').type, 'success');
    assert.deepEqual(cache.set('k'.repeat(65), 'v'), { type: 'error', code: 'CacheKeySizeExceeded' });
    assert.deepEqual(cache.set('ü'.repeat(33), 'v'), { type: 'error', code: 'CacheKeySizeExceeded' }, '33 chars but 66 bytes');
  });

  test('values up to 4096 bytes, a 4097-byte value → CacheValueSizeExceeded', () => {
    const { cache } = store();
    assert.equal(cache.set('a', 'x'.repeat(4096)).type, 'success');
    assert.deepEqual(cache.set('b', 'x'.repeat(4097)), { type: 'error', code: 'CacheValueSizeExceeded' });
    assert.deepEqual(cache.set('b', '€'.repeat(1366)), { type: 'error', code: 'CacheValueSizeExceeded' }, '4098 bytes');
  });

  test('keys + values ≤ 8192 bytes in total → else CacheSizeExceeded; overwrites do not double count', () => {
    const { cache } = store();
    assert.equal(cache.set('a', 'x'.repeat(4095)).type, 'success'); // 4096 bytes
    assert.equal(cache.set('b', 'x'.repeat(4095)).type, 'success'); // 8192 bytes
    assert.equal(cache.totalBytes, CACHE_LIMITS.maxTotalBytes);
    assert.deepEqual(cache.set('c', ''), { type: 'error', code: 'CacheSizeExceeded' });
    assert.equal(cache.set('b', 'y'.repeat(4095)).type, 'success', 'replacing b keeps the total at 8192');
    assert.deepEqual(cache.set('b', 'y'.repeat(4096)), { type: 'error', code: 'CacheSizeExceeded' });
    assert.equal(cache.get('b').value, 'y'.repeat(4095), 'failed write leaves the old value');
  });

  test('20 entries; the 21st → CacheSizeExceeded (documented choice); overwrite and delete free it', () => {
    const { cache } = store();
    for (let i = 0; i < 20; i += 1) assert.equal(cache.set(`k${i}`, 'v').type, 'success');
    assert.deepEqual(cache.set('k20', 'v'), { type: 'error', code: 'CacheSizeExceeded' });
    assert.equal(cache.set('k19', 'again').type, 'success');
    assert.deepEqual(cache.delete('k0'), { type: 'success' });
    assert.equal(cache.set('k20', 'v').type, 'success');
    assert.equal(cache.size, 20);
  });

  test('non-string keys and values throw TypeError (not a result code)', () => {
    const { cache } = store();
    assert.throws(() => cache.set('k', 42), TypeError);
    assert.throws(() => cache.set('k', { a: 1 }), TypeError);
    assert.throws(() => cache.set(1, 'v'), TypeError);
    assert.throws(() => cache.get(undefined), TypeError);
    assert.equal(cache.size, 0);
  });

  test('delete: success, then CacheKeyDoesNotExist', () => {
    const { cache } = store();
    cache.set('k', 'v');
    assert.deepEqual(cache.delete('k'), { type: 'success' });
    assert.equal(cache.get('k'), undefined);
    assert.deepEqual(cache.delete('k'), { type: 'error', code: 'CacheKeyDoesNotExist' });
  });

  test('injected backend failures: MaxSideEffectsExceeded, FailedToSetCacheRecord, FailedToDeleteCacheRecord', () => {
    const { cache } = store();
    cache.failNext('set', 'MaxSideEffectsExceeded');
    cache.failNext('set', 'FailedToSetCacheRecord', 2);
    assert.deepEqual(cache.set('k', 'v'), { type: 'error', code: 'MaxSideEffectsExceeded' });
    assert.deepEqual(cache.set('k', 'v'), { type: 'error', code: 'FailedToSetCacheRecord' });
    assert.deepEqual(cache.set('k', 'v'), { type: 'error', code: 'FailedToSetCacheRecord' });
    assert.equal(cache.get('k'), undefined, 'a failed set stores nothing');
    assert.equal(cache.set('k', 'v').type, 'success');
    cache.failNext('delete', 'FailedToDeleteCacheRecord');
    assert.deepEqual(cache.delete('k'), { type: 'error', code: 'FailedToDeleteCacheRecord' });
    assert.equal(cache.get('k').value, 'v', 'a failed delete keeps the record');
    assert.throws(() => cache.failNext('set', 'NoSuchCode'), TypeError);
  });

  test('every documented error code is reachable', () => {
    const { now, cache } = store();
    const seen = new Set();
    const note = (r) => { if (r.type === 'error') seen.add(r.code); };
    cache.failNext('set', 'MaxSideEffectsExceeded');
    note(cache.set('a', 'v'));
    note(cache.set('k'.repeat(65), 'v'));
    note(cache.set('a', 'x'.repeat(4097)));
    for (let i = 0; i < 21; i += 1) note(cache.set(`e${i}`, 'v'));
    cache.clear();
    note(cache.set('a', 'v', { expires_at: now() - 1 }));
    note(cache.set('a', 'v', { ttl: 25 * HOUR }));
    cache.failNext('set', 'FailedToSetCacheRecord');
    note(cache.set('a', 'v'));
    cache.set('a', 'v');
    cache.failNext('delete', 'FailedToDeleteCacheRecord');
    note(cache.delete('a'));
    note(cache.delete('zzz'));
    assert.deepEqual([...seen].sort(), [...CACHE_ERROR_CODES].sort());
    // The same list the Action logs by name (src/error.rs CACHE_ERROR_CODES, from the test build).
    const rust = require(path.join(ROOT, 'target', 'pkg-trap', 'rbac_claims.js')).cacheErrorCodes();
    assert.deepEqual([...CACHE_ERROR_CODES].sort(), [...rust].sort());
  });
});

describe('api.cache through the host: warm and cold instances', () => {
  const counter = {
    async onExecutePostLogin(event, api) {
      const prev = api.cache.get('n');
      const n = prev ? Number(prev.value) + 1 : 1;
      api.cache.set('n', String(n));
      api.idToken.setCustomClaim('https://test.example.com/n', n);
    },
  };

  test('one host keeps its cache across runs; resetCache and a new host are cold', async () => {
    const host = createHost();
    assert.equal((await host.run(counter)).claims.idToken['https://test.example.com/n'], 1);
    const warm = await host.run(counter);
    assert.equal(warm.claims.idToken['https://test.example.com/n'], 2);
    assert.deepEqual(warm.calls[0], { path: 'cache.get', args: ['n'], result: { value: '1', expires_at: warm.calls[0].result.expires_at } });
    host.resetCache();
    assert.equal((await host.run(counter)).claims.idToken['https://test.example.com/n'], 1);
    assert.equal((await createHost().run(counter)).claims.idToken['https://test.example.com/n'], 1);
  });

  test('a shared CacheStore can be handed to several hosts', async () => {
    const cache = new CacheStore();
    await createHost({ cache }).run(counter);
    const r = await createHost({ cache }).run(counter);
    assert.equal(r.claims.idToken['https://test.example.com/n'], 2);
  });
});

describe('the api object', () => {
  test('has every post-login api method', async () => {
    const expected = {
      access: ['deny'],
      accessToken: ['setCustomClaim', 'addScope', 'removeScope'],
      idToken: ['setCustomClaim'],
      validation: ['error'],
      rules: ['wasExecuted'],
      multifactor: ['enable'],
      authentication: ['challengeWith', 'challengeWithAny', 'enrollWith', 'enrollWithAny', 'recordMethod', 'setPrimaryUser'],
      redirect: ['sendUserTo', 'encodeToken', 'validateToken', 'canRedirect'],
      prompt: ['render'],
      user: ['setAppMetadata', 'setUserMetadata'],
      transaction: ['setMetadata'],
      cache: ['get', 'set', 'delete'],
      samlResponse: ['setAttribute', 'setAudience', 'setRecipient', 'setCreateUpnClaim', 'setPassthroughClaimsWithNoMapping',
        'setMapUnknownClaimsAsIs', 'setMapIdentities', 'setSignatureAlgorithm', 'setDigestAlgorithm', 'setDestination',
        'setLifetimeInSeconds', 'setSignResponse', 'setNameIdentifierFormat', 'setNameIdentifierProbes',
        'setAuthnContextClassRef', 'setSigningCert', 'setIncludeAttributeNameFormat', 'setTypedAttributes',
        'setEncryptionCert', 'setEncryptionPublicKey', 'setCert', 'setKey', 'setRelayState', 'setIssuer', 'setEncryptionAlgorithm'],
      session: ['revoke', 'setExpiresAt', 'setIdleExpiresAt', 'setCookieMode', 'setMetadata', 'deleteMetadata', 'evictMetadata'],
      refreshToken: ['revoke', 'setExpiresAt', 'setIdleExpiresAt', 'setMetadata', 'deleteMetadata', 'evictMetadata'],
      groups: ['getUserGroups', 'hasGroupMembership'],
      roles: ['getUserEffectiveRoles', 'getUserEffectiveRolesByIds', 'getUserEffectiveRolesByNames'],
    };
    let seen;
    await runWith(async (event, api) => { seen = api; });
    for (const [ns, methods] of Object.entries(expected)) {
      for (const m of methods) assert.equal(typeof seen[ns][m], 'function', `api.${ns}.${m}`);
    }
  });

  test('records every call in order, with args copied at call time; chainable methods return api', async () => {
    const r = await runWith(async (event, api) => {
      const value = ['a'];
      const back = api.idToken.setCustomClaim('https://t.example.com/x', value);
      value.push('mutated later');
      back.accessToken.setCustomClaim('https://t.example.com/y', 1).user.setAppMetadata('seen', true);
      api.accessToken.addScope('read:extra');
      api.accessToken.removeScope('email');
      api.transaction.setMetadata('step', 1);
      if (event.transaction.metadata.step !== 1) throw new Error('transaction metadata must be visible immediately');
      api.multifactor.enable('any', { allowRememberBrowser: true });
      api.rules.wasExecuted('rul_1');
    }, {}, { rulesExecuted: [] });
    assert.equal(r.outcome, 'allowed', r.error);
    assert.deepEqual(r.calls.map((c) => c.path), [
      'idToken.setCustomClaim', 'accessToken.setCustomClaim', 'user.setAppMetadata', 'accessToken.addScope',
      'accessToken.removeScope', 'transaction.setMetadata', 'multifactor.enable', 'rules.wasExecuted',
    ]);
    assert.deepEqual(r.calls[0].args, ['https://t.example.com/x', ['a']]);
    assert.deepEqual(r.claims.idToken['https://t.example.com/x'], ['a']);
    assert.equal(r.calls[7].result, false);
    assert.deepEqual(r.scopes, ['openid', 'profile', 'read:extra']);
    assert.equal(r.decoded.accessToken.scope, 'openid profile read:extra');
    assert.deepEqual(r.effects.appMetadata, { seen: true });
    assert.deepEqual(r.effects.transactionMetadata, { step: 1 });
    assert.ok(r.notes.some((n) => /MFA/.test(n)));
  });

  test('documented argument errors throw inside the Action', async () => {
    const errors = [];
    const r = await runWith(async (event, api) => {
      const attempt = (f) => { try { f(); errors.push(null); } catch (e) { errors.push(e.message); } };
      attempt(() => api.accessToken.addScope('two words'));
      attempt(() => api.transaction.setMetadata('k', { nested: true }));
      attempt(() => api.transaction.setMetadata('k', 2 ** 60));
      attempt(() => api.transaction.setMetadata('k'.repeat(65), 'v'));
      attempt(() => api.multifactor.enable('sms'));
      attempt(() => api.authentication.recordMethod('https://idp.example.com'));
      attempt(() => api.session.setCookieMode('forever'));
      attempt(() => api.authentication.setPrimaryUser('x'.repeat(129)));
      attempt(() => api.transaction.setMetadata('ok', 'fine'));
    });
    assert.equal(r.outcome, 'allowed');
    assert.equal(errors.length, 9);
    assert.ok(errors.slice(0, 8).every((e) => typeof e === 'string'), JSON.stringify(errors));
    assert.equal(errors[8], null);
    assert.ok(r.calls.filter((c) => c.threw).length === 8);
  });

  test('redirect tokens round-trip; a redirect is reported as pending', async () => {
    let token;
    const first = await runWith(async (event, api) => {
      token = api.redirect.encodeToken({ secret: 'shh-shh-shh', payload: { step: 'mfa' } });
      api.redirect.sendUserTo('https://consent.example.com/start', { query: { session_token: token } });
    });
    assert.ok(first.notes.some((n) => n.includes('https://consent.example.com/start?session_token=')));
    const cont = await createHost().run({
      async onContinuePostLogin(event, api) {
        const payload = api.redirect.validateToken({ secret: 'shh-shh-shh' });
        api.idToken.setCustomClaim('https://t.example.com/step', payload.step);
      },
    }, { request: { query: { session_token: token } } }, { entrypoint: 'onContinuePostLogin' });
    assert.equal(cont.outcome, 'allowed', cont.error);
    assert.equal(cont.claims.idToken['https://t.example.com/step'], 'mfa');
    const forged = await createHost().run({
      async onContinuePostLogin(event, api) { api.redirect.validateToken({ secret: 'other' }); },
    }, { request: { query: { session_token: token } } }, { entrypoint: 'onContinuePostLogin' });
    assert.equal(forged.outcome, 'failed');
    assert.match(forged.error, /session token is invalid/);
  });
});

describe('api.roles / api.groups: the directory option', () => {
  const role = (i) => ({ id: `rol_${String(i).padStart(3, '0')}`, name: `role-${i}`, type: 'role' });

  /** Every page of getUserEffectiveRoles, the way the spec walks them. */
  async function allPages(api, take = 100) {
    const pages = [];
    let from;
    do {
      const answer = await api.roles.getUserEffectiveRoles(from === undefined ? { take } : { take, from });
      pages.push(answer);
      from = answer.next;
    } while (typeof from === 'string' && from !== '' && pages.length < 10);
    return pages;
  }

  test('arrays are paged with cursors: at most 100 per page, next on every page but the last', async () => {
    const roles = Array.from({ length: 250 }, (_, i) => role(i));
    let pages;
    let defaults;
    let capped;
    const r = await runWith(async (event, api) => {
      pages = await allPages(api);
      defaults = await api.roles.getUserEffectiveRoles();
      capped = await api.roles.getUserEffectiveRoles({ take: 150 });
    }, {}, { directory: { roles } });
    assert.equal(r.outcome, 'allowed', r.error);
    assert.deepEqual(pages.map((p) => p.roles.length), [100, 100, 50]);
    assert.equal(typeof pages[0].next, 'string');
    assert.equal(typeof pages[1].next, 'string');
    assert.ok(!('next' in pages[2]), 'the last page has no next key');
    assert.deepEqual(pages.flatMap((p) => p.roles), roles);
    assert.equal(defaults.roles.length, 50, 'take defaults to 50');
    assert.equal(capped.roles.length, 100, 'take above 100 is capped');
    const paged = r.calls.filter((c) => c.path === 'roles.getUserEffectiveRoles');
    assert.deepEqual(paged[1].args, [{ take: 100, from: pages[0].next }]);
    assert.equal(paged[2].result.roles.length, 50, 'answers are recorded');

    // Groups page the same way; exactly 100 entries are one page without next.
    const groups = Array.from({ length: 100 }, (_, i) => ({ id: `grp_${i}`, name: `g${i}` }));
    let one;
    await runWith(async (event, api) => { one = await api.groups.getUserGroups({ take: 100 }); }, {}, { directory: { groups } });
    assert.equal(one.groups.length, 100);
    assert.ok(!('next' in one));
  });

  test('without a directory: roles are the event roles with made-up ids, groups none', async () => {
    let roles;
    let groups;
    await runWith(async (event, api) => {
      roles = await api.roles.getUserEffectiveRoles({ take: 100 });
      groups = await api.groups.getUserGroups({ take: 100 });
    }, { authorization: { roles: ['admin', 'editor'] } });
    assert.deepEqual(roles.roles.map((x) => [x.name, x.type, typeof x.id]), [['admin', 'role', 'string'], ['editor', 'role', 'string']]);
    assert.deepEqual(groups, { groups: [] });
  });

  test('a function answers the paged method: its value, throw, rejection or hang is what the Action gets', async () => {
    const answer = { roles: 'not an array', next: 42 };
    const thenable = { then(resolve) { resolve({ roles: [] }); } };
    const failure = new Error('directory down');
    const seen = {};
    const gotParams = [];
    const directory = {
      roles: (params) => {
        gotParams.push(params);
        if (params && params.mode === 'value') return answer;
        if (params && params.mode === 'thenable') return thenable;
        if (params && params.mode === 'throw') throw failure;
        if (params && params.mode === 'reject') return Promise.reject(failure);
        return new Promise(() => {});
      },
      groups: async () => ({ groups: [{ id: 'g', name: 'from a function' }] }),
    };
    const params = { mode: 'value' };
    const r = await runWith(async (event, api) => {
      seen.value = api.roles.getUserEffectiveRoles(params);
      seen.thenable = api.roles.getUserEffectiveRoles({ mode: 'thenable' });
      try { api.roles.getUserEffectiveRoles({ mode: 'throw' }); } catch (e) { seen.thrown = e; }
      seen.rejected = await api.roles.getUserEffectiveRoles({ mode: 'reject' }).then(() => 'resolved', (e) => e);
      seen.hang = await Promise.race([api.roles.getUserEffectiveRoles({ mode: 'hang' }), new Promise((res) => { setTimeout(res, 30, 'still pending'); })]);
      seen.groups = await api.groups.getUserGroups({ take: 100 });
      seen.byIds = await api.roles.getUserEffectiveRolesByIds(['x']).then(() => 'resolved', (e) => e.message);
      seen.membership = await api.groups.hasGroupMembership(['x']).then(() => 'resolved', (e) => e.message);
    }, {}, { directory });
    assert.equal(r.outcome, 'allowed', r.error);
    assert.equal(seen.value, answer, 'a plain value is handed over as it is, not wrapped in a promise');
    assert.equal(seen.thenable, thenable, 'a thenable is handed over as it is');
    assert.equal(gotParams[0], params, 'the Action\'s argument reaches the function as it is');
    assert.equal(seen.thrown, failure, 'a synchronous throw reaches the Action synchronously');
    assert.equal(seen.rejected, failure);
    assert.equal(seen.hang, 'still pending');
    assert.deepEqual(seen.groups, { groups: [{ id: 'g', name: 'from a function' }] });
    assert.match(seen.byIds, /directory\.roles is a function/);
    assert.match(seen.membership, /directory\.groups is a function/);
    const calls = r.calls.filter((c) => c.path === 'roles.getUserEffectiveRoles');
    assert.equal(calls.length, 5, 'every call is recorded');
    assert.deepEqual(calls[0].result, answer);
    assert.equal(calls[2].threw, 'directory down');
    assert.equal(calls[3].rejected, 'directory down');
    assert.ok(!('result' in calls[4]) && !('rejected' in calls[4]), 'a hang has no answer');
  });

  test('a rejection from a function that the Action leaves unhandled still fails the login', async () => {
    // In a child process: the test runner would count the unhandled rejection against this test.
    const script = `
      const { createHost } = require(${JSON.stringify(path.join(ROOT, 'host'))});
      createHost().run({ onExecutePostLogin: async (event, api) => {
        api.roles.getUserEffectiveRoles({ take: 100 });
        await new Promise((res) => { setTimeout(res, 10); });
      } }, {}, { directory: { roles: () => Promise.reject(new Error('nobody listened')) } })
        .then((r) => process.stdout.write(JSON.stringify({ outcome: r.outcome, error: r.error, call: r.calls[0] })));`;
    const out = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { cwd: ROOT, timeout: 20000 }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))));
    });
    assert.equal(out.outcome, 'failed');
    assert.match(out.error, /Unhandled promise rejection: Error: nobody listened/);
    assert.equal(out.call.rejected, 'nobody listened');
  });

  test('omit leaves api.roles / api.groups undefined, as on an older host', async () => {
    const shapes = async (directory) => {
      let seen;
      await runWith(async (event, api) => { seen = [typeof api.roles, typeof api.groups, typeof api.cache]; }, {}, { directory });
      return seen;
    };
    assert.deepEqual(await shapes({ omit: ['roles'] }), ['undefined', 'object', 'object']);
    assert.deepEqual(await shapes({ omit: ['groups'] }), ['object', 'undefined', 'object']);
    assert.deepEqual(await shapes({ omit: ['roles', 'groups'], roles: [] }), ['undefined', 'undefined', 'object']);
  });

  test('a directory of the wrong shape is a host usage error', async () => {
    await assert.rejects(runWith(async () => {}, {}, { directory: { roles: 'admin' } }), /directory\.roles must be an array or a function/);
    await assert.rejects(runWith(async () => {}, {}, { directory: { omit: ['permissions'] } }), /directory\.omit must be/);
    await assert.rejects(runWith(async () => {}, {}, { directory: [] }), /directory must be an object/);
  });
});

describe('the fixture option: one tenant for the event and api.roles / api.groups', () => {
  const ORG = 'org_acme';
  const FIXTURE = {
    roles: [
      { id: 'rol_admin', name: 'admin' }, { id: 'rol_support', name: 'support' }, { id: 'rol_viewer', name: 'viewer' },
    ],
    groups: [{ id: 'grp_support', name: 'Support team', roles: ['rol_support'] }, { id: 'grp_view', name: 'Viewers', roles: ['rol_viewer'] }],
    organizations: [{ id: ORG, name: 'acme', display_name: 'Acme' }],
    users: [{
      user_id: 'auth0|maria', roles: ['rol_admin'], groups: ['grp_support', 'grp_view'], organizations: { [ORG]: { roles: ['rol_viewer'], groups: ['grp_support'] } },
    }],
  };
  const probe = async (event, api) => {
    const roles = await api.roles.getUserEffectiveRoles({ take: 100 });
    const groups = await api.groups.getUserGroups({ take: 100 });
    api.idToken.setCustomClaim('https://t.example.com/seen', {
      event: event.authorization.roles, roles: roles.roles.map((x) => x.name), groups: groups.groups.map((x) => x.name),
    });
  };
  const seenOf = (r) => {
    assert.equal(r.outcome, 'allowed', r.error);
    return r.claims.idToken['https://t.example.com/seen'];
  };
  const maria = { user: { user_id: 'auth0|maria' } };

  test('outside an organization: direct roles in the event, direct + group roles from api.roles', async () => {
    assert.deepEqual(seenOf(await runWith(probe, maria, { fixture: FIXTURE })), {
      event: ['admin'], roles: ['admin', 'support', 'viewer'], groups: ['Support team', 'Viewers'],
    });
  });

  test('in an organization login: the member roles of that organization, plus the roles of its groups, one per id', async () => {
    const r = await runWith(probe, { ...maria, organization: { id: ORG, name: 'acme', display_name: 'Acme' } }, { fixture: indexFixture(FIXTURE) });
    assert.deepEqual(seenOf(r), { event: ['viewer'], roles: ['viewer', 'support'], groups: ['Support team', 'Viewers'] });
    assert.deepEqual(r.event.authorization.roles, ['viewer'], 'the reported event is the one the Action got');
  });

  test('what the caller sets wins: event roles, and the directory\'s roles or groups', async () => {
    const given = await runWith(probe, { ...maria, authorization: { roles: ['from-the-event'] } }, {
      fixture: FIXTURE, directory: { roles: [{ id: 'rol_x', name: 'given', type: 'role' }] },
    });
    assert.deepEqual(seenOf(given), { event: ['from-the-event'], roles: ['given'], groups: ['Support team', 'Viewers'] });
    let shape;
    await runWith(async (event, api) => { shape = typeof api.groups; }, maria, { fixture: FIXTURE, directory: { omit: ['groups'] } });
    assert.equal(shape, 'undefined');
  });

  test('a user the fixture does not have gets no roles and no groups', async () => {
    assert.deepEqual(seenOf(await runWith(probe, { user: { user_id: 'auth0|stranger' } }, { fixture: FIXTURE })), { event: [], roles: [], groups: [] });
  });
});

describe('outcomes', () => {
  test('a small Action setting claims is allowed and gets signed tokens', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
    const timersBefore = timers();
    const r = await runWith(async (event, api) => {
      api.idToken.setCustomClaim('https://rbac.example.com/roles', event.authorization.roles);
      api.accessToken.setCustomClaim('https://rbac.example.com/roles', event.authorization.roles);
      console.log('roles', event.authorization.roles.join(','));
    }, { authorization: { roles: ['admin', 'editor'] } });
    assert.equal(r.outcome, 'allowed');
    assert.deepEqual(r.decoded.idToken['https://rbac.example.com/roles'], ['admin', 'editor']);
    assert.deepEqual(r.decoded.accessToken['https://rbac.example.com/roles'], ['admin', 'editor']);
    assert.deepEqual(r.logs, ['roles admin,editor']);
    assert.deepEqual(r.dropped, []);
    assert.equal(typeof r.durationMs, 'number');
    assert.equal(timers(), timersBefore, 'the 20 s limit timer is cleared after the run');
  });

  test('api.access.deny → denied with the reason, no tokens', async () => {
    const r = await runWith(async (event, api) => { api.access.deny('No roles assigned'); api.user.setUserMetadata('x', 1); });
    assert.equal(r.outcome, 'denied');
    assert.equal(r.denyReason, 'No roles assigned');
    assert.equal(r.idToken, null);
    assert.equal(r.accessToken, null);
    assert.ok(r.notes.some((n) => /does not cancel metadata/.test(n)));
  });

  test('api.validation.error → denied with its message', async () => {
    const r = await runWith(async (event, api) => { api.validation.error('invalid_roles', 'Roles are invalid'); });
    assert.equal(r.outcome, 'denied');
    assert.equal(r.denyReason, 'Roles are invalid');
    assert.deepEqual(r.validationError, { errorCode: 'invalid_roles', errorMessage: 'Roles are invalid' });
  });

  test('a thrown error fails the login, even after deny', async () => {
    const r = await runWith(async (event, api) => { api.access.deny('x'); throw new RangeError('boom'); });
    assert.equal(r.outcome, 'failed');
    assert.match(r.error, /RangeError: boom/);
    assert.equal(r.idToken, null);
  });

  test('a non-async handler is rejected as Auth0 does (unless strictSignature is off)', async () => {
    const action = { onExecutePostLogin: (event, api) => { api.idToken.setCustomClaim('https://t.example.com/a', 1); return Promise.resolve(); } };
    const strict = await createHost().run(action);
    assert.equal(strict.outcome, 'failed');
    assert.match(strict.error, /Invalid function signature/);
    const lax = await createHost({ strictSignature: false }).run(action);
    assert.equal(lax.outcome, 'allowed');
  });

  test('a missing handler or module fails the run, not the host', async () => {
    assert.match((await createHost().run({})).error, /does not export onExecutePostLogin/);
    assert.match((await createHost().run('/nonexistent/action.js')).error, /Cannot find module/);
  });

  test('the execution limit fails the login; later api calls are ignored and listed', async () => {
    const host = createHost({ timeoutMs: 80 });
    const r = await host.run({
      async onExecutePostLogin(event, api) {
        await new Promise((resolve) => { setTimeout(resolve, 150); });
        api.idToken.setCustomClaim('https://t.example.com/late', true);
      },
    });
    assert.equal(r.outcome, 'failed');
    assert.match(r.error, /80 ms execution limit/);
    assert.ok(r.durationMs >= 70, `durationMs ${r.durationMs}`);
    assert.equal(r.calls.length, 0);
    await new Promise((resolve) => { setTimeout(resolve, 120); });
    assert.deepEqual(r.lateCalls.map((c) => c.path), ['idToken.setCustomClaim']);
    assert.equal(createHost().timeoutMs, 20000, 'Auth0 default');
  });

  test('an Action that never settles is cut at the limit', async () => {
    const r = await createHost({ timeoutMs: 50 }).run({ async onExecutePostLogin() { await new Promise(() => {}); } });
    assert.equal(r.outcome, 'failed');
    assert.match(r.error, /execution limit/);
  });
});

describe("Auth0's claim rules", () => {
  test('a bare `roles` claim is dropped and reported; the namespaced one is kept', async () => {
    const r = await runWith(async (event, api) => {
      api.accessToken.setCustomClaim('roles', ['admin']);
      api.accessToken.setCustomClaim('https://rbac.example.com/roles', ['admin']);
    });
    assert.equal(r.outcome, 'allowed');
    assert.deepEqual(r.dropped.map((d) => [d.token, d.claim]), [['accessToken', 'roles']]);
    assert.match(r.dropped[0].reason, /restricted claim name/);
    assert.equal('roles' in r.decoded.accessToken, false);
    assert.deepEqual(r.decoded.accessToken['https://rbac.example.com/roles'], ['admin']);
  });

  test('restricted names, $-names and Auth0 namespaces are dropped; look-alikes are kept', () => {
    const names = {
      permissions: false, groups: false, sub: false, 'x5t#S256': false, $internal: false,
      'https://auth0.com/roles': false, 'http://tenant.auth0.com/x': false, 'https://a.webtask.io/x': false,
      'https://x.webtask.run/y': false, 'urn:auth0:roles': false, 'auth0.com/roles': false,
      'https://myauth0.com/roles': true, 'https://auth0.com.example.org/roles': true, favorite_color: true,
      'urn:example:roles': true, Roles: true,
    };
    const claims = Object.fromEntries(Object.keys(names).map((n) => [n, 1]));
    const r = applyClaimRules({ idToken: claims, accessToken: {} });
    for (const [name, kept] of Object.entries(names)) {
      assert.equal(name in r.claims.idToken, kept, name);
      assert.equal(r.dropped.some((d) => d.claim === name), !kept, name);
    }
  });

  test('collisions, Auth0-API audiences, OIDC scopes and non-JSON values', async () => {
    const r = await runWith(async (event, api) => {
      api.idToken.setCustomClaim('name', 'Someone Else');
      api.accessToken.setCustomClaim('email', 'x@example.com');
      api.accessToken.setCustomClaim('https://t.example.com/undef', undefined);
      api.accessToken.setCustomClaim('https://t.example.com/big', 10n);
      api.accessToken.setCustomClaim('scope', 'admin');
    }, { transaction: { requested_scopes: ['openid', 'profile'] } });
    const reasons = Object.fromEntries(r.dropped.map((d) => [`${d.token}:${d.claim}`, d.reason]));
    assert.match(reasons['idToken:name'], /collides/);
    assert.match(reasons['accessToken:email'], /needs scope "email"/);
    assert.match(reasons['accessToken:https://t.example.com/undef'], /no JSON form/);
    assert.match(reasons['accessToken:https://t.example.com/big'], /cannot be serialized/);
    assert.match(reasons['accessToken:scope'], /collides/);
    assert.equal(r.decoded.idToken.name, 'Jane Doe');

    const mgmt = applyClaimRules({ accessToken: { plain: 1, 'https://t.example.com/ns': 1 } },
      { accessTokenAudience: 'https://dev.eu.auth0.com/api/v2/' });
    assert.deepEqual(Object.keys(mgmt.claims.accessToken), ['https://t.example.com/ns']);
  });

  test('a Map or Set claim value (serde-wasm-bindgen default) is kept as {} and flagged', async () => {
    const r = await runWith(async (event, api) => {
      api.accessToken.setCustomClaim('https://t.example.com/m', { perms: new Map([['read', true]]) });
      api.accessToken.setCustomClaim('https://t.example.com/ok', { perms: { read: true } });
    });
    assert.equal(r.outcome, 'allowed');
    assert.deepEqual(r.decoded.accessToken['https://t.example.com/m'], { perms: {} });
    assert.deepEqual(r.warnings.map((w) => [w.claim, w.reason]), [['https://t.example.com/m', '.perms is a Map, which JSON (and so the token) renders as {}']]);
  });

  test('custom claims over 100 KB in one token fail the login; exactly 100 KB passes', async () => {
    const name = 'https://t.example.com/blob';
    const overhead = Buffer.byteLength(JSON.stringify({ [name]: '' }));
    const fits = 'x'.repeat(CUSTOM_CLAIMS_LIMIT_BYTES - overhead);
    const ok = await runWith(async (event, api) => { api.accessToken.setCustomClaim(name, fits); });
    assert.equal(ok.outcome, 'allowed', ok.error);
    assert.equal(ok.claimSizes.accessToken, 102400);
    const over = await runWith(async (event, api) => {
      api.accessToken.setCustomClaim(name, `${fits}x`);
      api.idToken.setCustomClaim(name, 'small');
    });
    assert.equal(over.outcome, 'failed');
    assert.match(over.error, /accessToken.*102401 bytes.*100 KB/);
    assert.equal(over.idToken, null);
    const pure = applyClaimRules({ idToken: { [name]: `${fits}x` } });
    assert.match(pure.error, /idToken/);
  });

  test('without an audience the access token is flagged as opaque', async () => {
    const r = await runWith(async (event, api) => { api.accessToken.setCustomClaim('https://t.example.com/a', 1); }, { resource_server: null });
    assert.equal(r.accessTokenOpaque, true);
    assert.ok(r.notes.some((n) => /opaque access token/.test(n)));
    assert.equal(r.decoded.accessToken.aud, 'https://dev-rbac.local.auth0/userinfo');
  });
});

describe('tokens', () => {
  test('RS256 JWTs verify with the host key; standard claims as Auth0 issues them', async () => {
    const { jwtVerify, createLocalJWKSet } = await jose();
    const now = fakeClock(1_800_000_000_000);
    const host = createHostWithOwnKey({ now });
    const action = {
      async onExecutePostLogin(event, api) { api.idToken.setCustomClaim('https://t.example.com/r', ['a']); },
    };
    const r = await host.run(action, { resource_server: { identifier: 'https://api.test' }, client: { client_id: 'cid123' } });
    const { publicKey, kid } = await host.getKeyPair();
    const id = await jwtVerify(r.idToken, publicKey, { issuer: 'https://dev-rbac.local.auth0/', audience: 'cid123', currentDate: new Date(now()) });
    assert.equal(id.protectedHeader.alg, 'RS256');
    assert.equal(id.protectedHeader.kid, kid);
    assert.equal(id.payload.sub, r.event.user.user_id);
    assert.equal(id.payload.iat, 1_800_000_000);
    assert.equal(id.payload.exp, 1_800_000_000 + 36000);
    assert.deepEqual(id.payload['https://t.example.com/r'], ['a']);
    const at = await jwtVerify(r.accessToken, createLocalJWKSet(await host.jwks()), { audience: 'https://api.test', currentDate: new Date(now()) });
    assert.equal(at.payload.scope, 'openid profile email');
    assert.equal(at.payload.azp, 'cid123');
    const other = createHostWithOwnKey({ now });
    await assert.rejects(jwtVerify(r.idToken, (await other.getKeyPair()).publicKey, { currentDate: new Date(now()) }));
    const again = await host.run({ async onExecutePostLogin() {} });
    assert.equal((await jwtVerify(again.idToken, publicKey, { currentDate: new Date(now()) })).protectedHeader.kid, kid, 'key cached per host');
  });
});

describe('concurrency and logs', () => {
  test('200 concurrent logins through one host share its cache; logs are per run', async () => {
    const host = createHost();
    const action = {
      async onExecutePostLogin(event, api) {
        console.log(`start ${event.user.user_id}`);
        await new Promise((resolve) => { setTimeout(resolve, Math.random() * 20); });
        if (!api.cache.get('shared')) api.cache.set('shared', event.user.user_id);
        console.warn(`end ${event.user.user_id}`);
        api.idToken.setCustomClaim('https://t.example.com/u', event.user.user_id);
      },
    };
    const originalLog = console.log;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => host.run(action, { user: { user_id: `auth0|user${i}` } })));
    results.forEach((r, i) => {
      assert.equal(r.outcome, 'allowed');
      assert.deepEqual(r.logs, [`start auth0|user${i}`, `end auth0|user${i}`]);
      assert.equal(r.decoded.idToken['https://t.example.com/u'], `auth0|user${i}`);
    });
    assert.equal(host.cache.size, 1);
    assert.equal(console.log, originalLog, 'console restored after the last run');
  });
});

describe('CLI', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-host-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (name, text) => { const p = path.join(tmp, name); fs.writeFileSync(p, text); return p; };
  const cli = (args) => new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 20000 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });

  test('an unhandled rejection fails the login; exit status 0 because the run completed', async () => {
    const action = write('reject.js', `exports.onExecutePostLogin = async (event, api) => {
      api.idToken.setCustomClaim('https://t.example.com/a', 1);
      Promise.reject(new Error('forgot to await'));
    };`);
    const { code, stdout } = await cli(['--action', action, '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.outcome, 'failed');
    assert.match(report.error, /Unhandled promise rejection: Error: forgot to await/);
  });

  test('the report runs against the stand-in and never prints secret values', async () => {
    const action = write('mgmt.js', `exports.onExecutePostLogin = async (event, api) => {
      const s = event.secrets;
      const res = await fetch(s.managementUrl + '/oauth/token', { method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: s.clientId,
          client_secret: s.clientSecret, audience: 'https://' + s.domain + '/api/v2/' }) });
      const { access_token } = await res.json();
      const perms = await fetch(s.managementUrl + '/api/v2/users/' + encodeURIComponent(event.user.user_id) + '/permissions',
        { headers: { authorization: 'Bearer ' + access_token } }).then((r) => r.json());
      console.log('secret is ' + s.clientSecret);
      api.accessToken.setCustomClaim(s.namespace + '/permissions', perms.map((p) => p.permission_name));
    };`);
    const { code, stdout } = await cli(['--action', action, '--event', 'examples/event.json', '--secrets', 'examples/secrets.json',
      '--standin', 'examples/fixture.json', '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.outcome, 'allowed', report.error);
    assert.ok(report.decoded.accessToken['https://rbac.example.com/permissions'].includes('manage:users'));
    assert.deepEqual(report.logs, ['secret is [secret:clientSecret]']);
    assert.deepEqual(report.event.secrets, ['namespace', 'tokens', 'logLine', 'managementUrl', 'domain', 'clientId', 'clientSecret']);
    assert.equal(report.standIn.byRoute.token, 1);
    assert.equal(report.standIn.byRoute.userPermissions, 1);
    const text = await cli(['--action', action, '--event', 'examples/event.json', '--secrets', 'examples/secrets.json', '--standin', 'examples/fixture.json']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /Outcome: +ALLOWED/);
    assert.match(text.stdout, /secret is \[secret:clientSecret\]/);
  });

  test('with --standin, a fixture user\'s app_metadata is event.user.app_metadata (the demo\'s third login, roles=metadata), unless the event sets it', async () => {
    const probe = write('meta.js', `exports.onExecutePostLogin = async (event, api) => {
      api.idToken.setCustomClaim('https://t.example.com/meta', event.user.app_metadata);
    };`);
    let { code, stdout } = await cli(['--action', probe, '--event', 'examples/metadata-event.json', '--secrets', 'examples/metadata-secrets.json',
      '--standin', 'examples/fixture.json', '--json']);
    assert.equal(code, 0);
    let report = JSON.parse(stdout);
    assert.deepEqual(report.claims.idToken['https://t.example.com/meta'].authorization.roles, ['editor']);
    const event = write('meta-event.json', JSON.stringify({ user: { user_id: 'auth0|7c3e9a1f5b2d4068a1e2f3c4', app_metadata: { roles: ['own'] } } }));
    ({ code, stdout } = await cli(['--action', probe, '--event', event, '--secrets', 'examples/metadata-secrets.json', '--standin', 'examples/fixture.json', '--json']));
    assert.equal(code, 0);
    report = JSON.parse(stdout);
    assert.deepEqual(report.claims.idToken['https://t.example.com/meta'], { roles: ['own'] }, 'the event file wins');
    // The Action itself: the role from app_metadata, its permissions through the role directory, in both tokens.
    ({ code, stdout } = await cli(['--action', 'js/action.js', '--event', 'examples/metadata-event.json', '--secrets', 'examples/metadata-secrets.json',
      '--standin', 'examples/fixture.json', '--json']));
    assert.equal(code, 0);
    report = JSON.parse(stdout);
    assert.equal(report.outcome, 'allowed', report.error);
    for (const token of ['idToken', 'accessToken']) {
      assert.deepEqual(report.decoded[token]['https://rbac.example.com/roles'], ['editor'], token);
      assert.ok(report.decoded[token]['https://rbac.example.com/permissions'].includes('write:reports'), token);
    }
  });

  test('with --standin, api.roles / api.groups and the event roles come from the fixture (the demo\'s organization login)', async () => {
    const action = write('probe.js', `exports.onExecutePostLogin = async (event, api) => {
      const roles = await api.roles.getUserEffectiveRoles({ take: 100 });
      const groups = await api.groups.getUserGroups({ take: 100 });
      api.idToken.setCustomClaim('https://t.example.com/seen',
        { event: event.authorization.roles, roles: roles.roles.map((r) => r.name), groups: groups.groups.map((g) => g.name) });
    };`);
    const { code, stdout } = await cli(['--action', action, '--event', 'examples/org-event.json', '--secrets', 'examples/org-secrets.json',
      '--standin', 'examples/fixture.json', '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.outcome, 'allowed', report.error);
    assert.deepEqual(report.claims.idToken['https://t.example.com/seen'], {
      event: ['viewer'], roles: ['viewer', 'support'], groups: ['Support team', 'Report readers'],
    });
    assert.deepEqual(report.calls.map((c) => c.path).slice(0, 2), ['roles.getUserEffectiveRoles', 'groups.getUserGroups']);
    const text = await cli(['--action', action, '--event', 'examples/org-event.json', '--standin', 'examples/fixture.json']);
    assert.match(text.stdout, /api\.roles\.getUserEffectiveRoles\(\{ take: 100 \}\)/, 'the text report lists the call');
    assert.match(text.stdout, /name: 'support'/, 'and its answer');
    // Without --standin the host keeps its defaults: the event file's roles, no groups.
    const plain = JSON.parse((await cli(['--action', action, '--event', 'examples/event.json', '--json'])).stdout);
    assert.deepEqual(plain.claims.idToken['https://t.example.com/seen'], { event: ['admin', 'editor'], roles: ['admin', 'editor'], groups: [] });
  });

  test('a dropped claim is reported loudly in the text report', async () => {
    const action = write('bare.js', "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('roles', ['admin']); };");
    const { code, stdout } = await cli(['--action', action]);
    assert.equal(code, 0);
    assert.match(stdout, /!!! 1 CLAIM\(S\) DROPPED/);
    assert.match(stdout, /idToken "roles": "roles" is a restricted claim name/);
  });

  test('usage errors exit with status 2', async () => {
    const missing = await cli(['--action', path.join(tmp, 'nope.js')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /action module not found/);
    const badJson = await cli(['--action', write('ok.js', 'exports.onExecutePostLogin = async () => {};'), '--event', write('bad.json', '{')]);
    assert.equal(badJson.code, 2);
    assert.match(badJson.stderr, /not valid JSON/);
  });
});
