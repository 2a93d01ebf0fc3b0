'use strict';
/**
 * Generator of hostile post-login events and `api` objects, each with the outcome the Action must
 * reach (an oracle written from the documented contract: README, src/config.rs, src/auth0/bindings.rs).
 *
 * A case is built from a spec per field the Action reads (event, event.secrets and each setting,
 * event.authorization, its roles and their entries, event.user and user_id, event.resource_server,
 * and the api with its tokens, access and cache), each either valid or hostile. The oracle models the
 * Action's reading of the event (see "how the Action reads the event" below) and gives the exact
 * `api` calls the login must make:
 *   - claims: setCustomClaim calls (ID token first, then access token), nothing else;
 *   - deny:   api.access.deny(<generic reason>) and no claims;
 *   - api threw mid-way: the claims set before the throw, then the deny;
 *   - api unusable (its deny throws too): no recorded call, a "could not deny" log line;
 * and the log lines that depend on the reading (dropped role entries, permissions skipped).
 */
const path = require('node:path');
const { API_A, API_B, ROLES, permissionLists } = require('./stub-fetch');
const { SECRET_MARKER } = require('./leaks');

/**
 * The test build's exports (`make pkg-trap`: `--features test-exports`): `settingsOutcome`, and
 * `claimPlan`, the Rust plan of what this file models of the host (src/auth0/plan_export.rs).
 */
const TEST_EXPORTS = require(path.join(__dirname, '..', '..', '..', 'target', 'pkg-trap', 'rbac_claims.js'));

const MB = 1 << 20;
/** The settings keys the Action reads, from the Rust code (src/config.rs ALL_KEYS). */
const ALL_KEYS = Object.freeze(TEST_EXPORTS.settingKeys());
const READ_EVENT_FIELDS = ['secrets', 'authorization', 'user', 'resource_server', 'organization'];

/** A string with an unpaired surrogate: the Action never takes one as a string (src/auth0/bindings.rs, src/json.rs). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const hasLoneSurrogate = (s) => LONE_SURROGATE.test(s);

/** Rust's `str::trim` (Unicode White_Space) for the strings we generate. */
const rustTrim = (s) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/g, '');

/** Large strings are built once: creating 1 MB strings per case would dominate the run. */
const BIG = {
  mbPlain: 'x'.repeat(MB),
  mbHost: `https://${'n'.repeat(MB)}`,
  mbDomain: `${'d'.repeat(MB)}.example`,
  kb: 'k'.repeat(1024),
  kb64: 'm'.repeat(64 * 1024),
  mbId: `auth0|${'i'.repeat(MB)}`,
};

const thrower = (what) => () => { throw new Error(`hostile getter: ${what}`); };
/** A Proxy whose every trap throws. */
function throwingProxy(target = {}, what = 'proxy') {
  const t = thrower(what);
  return new Proxy(target, {
    get: t, has: t, ownKeys: t, getOwnPropertyDescriptor: t, getPrototypeOf: t, set: t, defineProperty: t, deleteProperty: t, apply: t, construct: t,
  });
}
function revokedProxy(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}
/** Freezes `o` and what it holds; hostile Proxies inside are left as they are. */
function deepFreeze(o, seen = new Set()) {
  if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) return o;
  seen.add(o);
  try {
    for (const k of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d && 'value' in d) deepFreeze(d.value, seen);
    }
    return Object.freeze(o);
  } catch {
    return o; // a Proxy whose traps throw
  }
}
/** `[[[...]]]`, `depth` levels deep. */
function nested(depth) {
  let v = [];
  for (let i = 1; i < depth; i += 1) v = [v];
  return v;
}
function cyclic() {
  const o = { name: 'cycle' };
  o.self = o;
  return o;
}
const setOwn = (o, k, v) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** `{[key]: <itself>}`: a cycle that JSON.stringify(…, ALL_KEYS) walks into when `key` is a setting name. */
function cyclicThrough(key) {
  const o = {};
  o[key] = o;
  return o;
}

/**
 * The binding's reading limits, from the test build (src/auth0/bindings.rs, src/json.rs): the longest
 * `JSON.stringify(event.secrets, ALL_KEYS)` text and `user_id` read (UTF-16 units), and the deepest
 * nesting the JSON reader takes (the secrets object is level 0, a setting value level 1).
 */
const { maxSecretsText: MAX_SECRETS_TEXT, maxUserId: MAX_USER_ID, jsonMaxDepth: JSON_MAX_DEPTH } = JSON.parse(TEST_EXPORTS.readingLimits());

/**
 * A setting value that is not a primitive string, and what `JSON.stringify(event.secrets, ALL_KEYS)`
 * then src/json.rs make of it: 'notText' (a number, boolean, object or array: "must be a string, not
 * …"), 'absent' (left out, or `null`), 'throws' (JSON.stringify throws), 'deep' (src/json.rs refuses
 * the nesting) — both deny the login — or `{text}` (a string in the text, judged like any setting text).
 * Objects keep only the setting names as keys, at every depth.
 */
/**
 * The input pool of a setting. A setting added in Rust and not (yet) given a pool here gets plain
 * words and numbers: the expected outcome comes from the Rust rules either way.
 */
function poolOf(key) {
  return SETTING_POOLS[key] || {
    valid: [['on', 'on'], ['off', 'off'], ['event', 'event'], ['1000', 1000]],
    invalid: ['maybe', '-1', 'x'.repeat(50)],
  };
}

function nonStringValue(r, key) {
  const text = (t) => ({ text: t });
  return r.pick([
    () => [5, 'notText'], () => [0, 'notText'], () => [NaN, 'absent'], () => [-1.5, 'notText'], () => [true, 'notText'], () => [false, 'notText'],
    () => [{}, 'notText'], () => [[], 'notText'], () => [['https://e.com'], 'notText'],
    () => [Symbol('hostile'), 'absent'], () => [10n, 'throws'], () => [new String('https://e.com'), text('https://e.com')],
    () => [() => 'https://e.com', 'absent'], () => [throwingProxy({}, 'setting value'), 'throws'], () => [revokedProxy(), 'throws'],
    () => [Object.freeze({ value: 'x' }), 'notText'], () => [new Date(0), text('1970-01-01T00:00:00.000Z')], () => [new Number(5), 'notText'],
    () => [Object.create(null), 'notText'], () => [new Boolean(false), 'notText'],
    () => [{ toJSON: () => 'https://e.com' }, text('https://e.com')], () => [{ toJSON: () => 7 }, 'notText'],
    () => [{ toJSON() { throw new Error('hostile toJSON'); } }, 'throws'],
    () => [{ [key]: { [key]: 'https://e.com' } }, 'notText'], () => [{ [key]: 12n }, 'throws'], () => [{ otherKey: 12n }, 'notText'],
    () => [cyclicThrough(key), 'throws'], () => [cyclic(), 'notText'], // its keys are not setting names: `{}`
    () => [nested(r.int(2, JSON_MAX_DEPTH)), 'notText'], () => [nested(JSON_MAX_DEPTH), 'notText'],
    () => [nested(JSON_MAX_DEPTH + 1), 'deep'], () => [nested(r.int(JSON_MAX_DEPTH + 1, 200)), 'deep'],
  ])();
}

// ---- settings ---------------------------------------------------------------------------------

const NAMESPACES_VALID = [
  ['https://rbac.example.com', 'https://rbac.example.com'],
  ['https://rbac.example.com/', 'https://rbac.example.com'],
  ['urn:example:claims', 'urn:example:claims'],
  ['  http://example.com/app/  ', 'http://example.com/app'],
  ['https://Example.com/Claims//', 'https://Example.com/Claims'],
  ['https://notauth0.com', 'https://notauth0.com'],
  ['https://auth0.com.example.org', 'https://auth0.com.example.org'],
  ['urn:auth0x:claims', 'urn:auth0x:claims'],
  ['https://xn--nc-dka.example/\u00fcn\u00efc\u00f6de', 'https://xn--nc-dka.example/\u00fcn\u00efc\u00f6de'], // IDN host in its xn-- form
  ['https://e.com/e\ufffdx', 'https://e.com/e\ufffdx'], // a genuine U+FFFD is a valid character
  [`https://${'a'.repeat(300)}.example`, `https://${'a'.repeat(300)}.example`],
];
/** Refused namespaces (those with a lone surrogate are refused as "not a string"). */
const NAMESPACES_INVALID = [
  '', '   ', '\t', 'https://tenant.auth0.com', 'https://TENANT.Auth0.com', 'urn:auth0:x', 'URN:AUTH0', 'http://x.webtask.io',
  'https://webtask.run/', 'https://user@auth0.com:443/x', 'https://auth0.com./x', 'roles', 'permissions', '$claims', '$', '/',
  'ftp://e.com', 'https://', 'https:///x', 'urn:', 'urn:a b', 'https://e.com?x', 'https://e.com#x', 'https://ex ample.com',
  'https://e.com/\u0000', '\ud800', 'https://e\ud800x.com', 'example.com', '__proto__', 'constructor',
  // Auth0's hosts in other spellings (percent-encoded, IDNA dots, full-width), and hosts that are not ASCII.
  'https://auth0%2ecom/x', 'https://auth0\u3002com', 'https://tenant\uff0eauth0\uff0ecom', 'https://\uff41uth0.com', 'https://x.webtask%2Eio',
  'https://\u00fcn\u00efc\u00f6de.example/ns', 'https://e\ufffdx.com',
];

/** Each setting: valid [raw, meaning] pairs and invalid raws (texts that must be refused). */
const SETTING_POOLS = {
  tokens: {
    valid: [['id', { id: true, access: false }], ['access', { id: false, access: true }], ['id,access', { id: true, access: true }],
      [' access , id ', { id: true, access: true }], ['access,access', { id: false, access: true }], ['', { id: true, access: true }]],
    invalid: ['refresh', 'ID', 'id,', 'id;access', ',', 'id access', 'id,\u0000'],
  },
  onError: { valid: [['deny', 'deny'], ['continue', 'continue'], [' continue ', 'continue']], invalid: ['ignore', 'Deny', 'CONTINUE', 'deny,continue'] },
  onOverflow: { valid: [['deny', 'deny'], ['omit', 'omit']], invalid: ['truncate', 'Omit', 'drop'] },
  // Only the default counts as valid here: these hostile api objects need no addScope, which
  // tests/js/support/login-cases.js covers through the built Action; refusals are checked here.
  permissionsAs: { valid: [['claim', 'claim']], invalid: ['scopes', 'Scope', 'claim,scope', 'all'] },
  organizationPermissions: { valid: [['organization', 'organization'], ['tenant', 'tenant']], invalid: ['Tenant', 'org', 'all', 'organization,tenant'] },
  logLine: { valid: [['off', 'off'], ['json', 'json'], [' json ', 'json']], invalid: ['JSON', 'on', 'json,off', 'text'] },
  maxClaimBytes: {
    valid: [['100', 100], ['1000', 1000], ['4096', 4096], ['90000', 90000], ['100000', 100000], [' 5000 ', 5000], ['000500', 500]],
    invalid: ['99', '100001', '1e5', '-1', 'abc', '90 000', '1.5', '9999999999', '+500'],
  },
  permissions: {
    valid: [['user', 'user'], ['effective', 'effective'], ['roles', 'roles'], ['off', 'off']],
    invalid: ['all', 'User', 'roles-ish', 'none'],
  },
  permissionsFor: { valid: [['all', 'all'], ['requested', 'requested']], invalid: ['some', 'Requested', 'any'] },
  // Only the defaults count as valid here: these hostile api objects have no api.roles / api.groups,
  // whose pages, shapes and faults tests/js/roles-groups.test.js covers; refusals are checked here.
  // `metadata` is valid too: it reads event.user.app_metadata (genAppMetadata's shapes), no api.
  roles: { valid: [['event', 'event'], [' event ', 'event'], ['metadata', 'metadata']], invalid: ['Effective', 'groups', 'event,effective', 'none', 'Metadata'] },
  metadataPath: {
    valid: [['roles', 'roles'], ['authorization.roles', 'authorization.roles'], ['a.b.c', 'a.b.c']],
    invalid: ['a..b', '.', 'roles.', 'k'.repeat(65), 'a.b.c.d.e.f.g.h.i'],
  },
  groups: { valid: [['off', 'off']], invalid: ['true', 'On', 'yes', 'off,on'] },
  budgetMs: { valid: [['100', 100], ['2000', 2000], ['15000', 15000], ['5000', 5000]], invalid: ['15001', '99', '0', '-1', '5e3', '1.5', 'abc', '99999999999999999999'] },
  rolesCacheMs: { valid: [['0', 0], ['300000', 300000], ['86400000', 86400000]], invalid: ['86400001', '-5', '1h'] },
  managementUrl: {
    valid: [['https://mgmt.example.com', 1], ['http://127.0.0.1:9', 1], ['http://localhost:1', 1], ['http://[::1]:9000', 1], ['HTTPS://X.example/', 1], ['http://127.255.0.9', 1]],
    invalid: ['http://example.com', 'http://10.0.0.1', 'http://127.0.0.1.evil.com', 'http://localhost.evil.com', 'ftp://x', 'https://x/api', 'https://u@x', 'http://128.0.0.1', '//x', 'https://x?y',
      'http://127.0.0.1:9\\x', 'http://0x7f000001', 'http://127.1', 'http://127.0.0.1:0', 'http://127.0.0.1:65536', 'https://a%2eb'],
  },
  domain: {
    valid: [['tenant.us.auth0.com', 1], ['https://Tenant.Auth0.com/', 1], ['stub.test', 1], ['x', 1]],
    invalid: ['tenant.auth0.com/api', 'http://x', 'a b', '.x', '-x', 'ten\u00e4nt.com', '\ud800.com', 'x\ufffd.com'],
  },
};

/** How a setting text that does not come from a pool (a String object, a Date or a toJSON result, serialized) is judged. */
const EXOTIC_TEXTS = {
  'https://e.com': {
    namespace: ['valid', 'https://e.com'], managementUrl: ['valid', 1], domain: ['valid', 1], clientId: ['valid', 'https://e.com'],
    clientSecret: ['valid', 'https://e.com'],
  },
  '1970-01-01T00:00:00.000Z': { clientId: ['valid', '1970-01-01T00:00:00.000Z'], clientSecret: ['valid', '1970-01-01T00:00:00.000Z'] },
};

/**
 * A setting whose value reaches the settings text as the string `text`: refused as a whole when the
 * text cannot pass the length limit ('fatal'), "not a string" with an unpaired surrogate (src/json.rs
 * keeps no such string), unset when blank, else `cls` (what src/config.rs makes of the text).
 */
function textSetting(value, text, cls, meaning, tags) {
  if (JSON.stringify(text).length > MAX_SECRETS_TEXT) return { present: true, value, text, cls: 'fatal', fatal: 'long', tags: [...tags, 'settings text too long'] };
  if (hasLoneSurrogate(text)) return { present: true, value, text, cls: 'notText', tags: [...tags, 'lone surrogate'] };
  if (rustTrim(text) === '') return { present: true, value, text, cls: 'absent', tags: [...tags, 'blank setting'] };
  return {
    present: true, value, text, cls, meaning, tags: cls === 'invalid' ? [...tags, 'invalid setting value'] : tags,
  };
}

/**
 * A raw setting value and what the Action must make of it.
 * @returns {{present: boolean, value?: unknown, text?: string, cls: 'absent'|'notText'|'valid'|'invalid'|'fatal', meaning?: unknown,
 *   fatal?: 'throws'|'long'|'deep', tags: string[]}} `text`: the string the settings text holds for it; 'fatal': the settings
 *   cannot be read (the login is denied), because JSON.stringify throws, the text is too long or too deeply nested
 */
function genSetting(r, key, { pValid, pInvalid, pWrong }) {
  const x = r.next();
  if (x < pValid) {
    if (key === 'namespace') {
      const [raw, meaning] = r.pick(NAMESPACES_VALID);
      return textSetting(raw, raw, 'valid', meaning, []);
    }
    if (key === 'clientId') {
      const raw = r.pick(['abc', 'client-\u00fcn\u00ef', 'id with spaces', '&client_id=evil', 'c\ud800', 'c\ufffd', 'constructor', '__proto__']);
      return textSetting(raw, raw, 'valid', raw, []);
    }
    if (key === 'clientSecret') {
      const raw = `${SECRET_MARKER}-${r.hex(12)}${r.pick(['', '-&=+%/', '-\u00fc\u00f1\u00ef', '-\ud800', '-\ufffd', ` ${'s'.repeat(r.int(1, 40))}`])}`;
      return { ...textSetting(raw, raw, 'valid', raw, []), secret: raw };
    }
    const [raw, meaning] = r.pick(poolOf(key).valid);
    return textSetting(raw, raw, 'valid', meaning, []);
  }
  if (x < pValid + pInvalid) {
    let raw;
    if (key === 'namespace') raw = r.pick(NAMESPACES_INVALID);
    else if (key === 'clientId' || key === 'clientSecret') raw = r.pick(['', '   ']);
    else raw = r.pick(poolOf(key).invalid);
    return textSetting(raw, raw, 'invalid', undefined, []);
  }
  if (x < pValid + pInvalid + pWrong) {
    const [value, what] = nonStringValue(r, key);
    if (what === 'throws' || what === 'deep') return { present: true, value, cls: 'fatal', fatal: what, tags: ['wrong type'] };
    if (typeof what === 'string') return { present: true, value, cls: what, tags: ['wrong type'] };
    const judged = EXOTIC_TEXTS[what.text] && EXOTIC_TEXTS[what.text][key];
    return judged ? textSetting(value, what.text, judged[0], judged[1], ['wrong type']) : textSetting(value, what.text, 'invalid', undefined, ['wrong type']);
  }
  if (r.chance(0.2)) return { present: true, value: r.pick([undefined, null]), cls: 'absent', tags: ['null'] };
  return { present: false, cls: 'absent', tags: [] };
}

/**
 * The settings the Action must derive from the case's `event.secrets`, or `fatal` (the setting whose
 * config error denies the login). Asked of the Rust rules themselves (the test build's
 * `settingsOutcome`, src/config.rs `outcome_json`) on the text the Action's
 * `JSON.stringify(event.secrets, ALL_KEYS)` gives: no settings rule is restated here. The generator's
 * valid/invalid pools only steer the mix of inputs.
 */
function configOutcome(c, read) {
  const text = read.settings === NO_SETTINGS ? undefined : JSON.stringify(c.secrets.value, ALL_KEYS);
  const settingsText = text === undefined ? 'null' : text;
  // The text goes with the outcome: `claimPlan` reads the same settings.
  return { ...JSON.parse(TEST_EXPORTS.settingsOutcome(settingsText)), text: settingsText };
}

/**
 * Builds the `event.secrets` container around the generated settings. `container` says what the
 * Action's one `JSON.stringify(event.secrets, ALL_KEYS)` makes of the container itself: 'settings'
 * (the settings are read, each as genSetting judged it), 'none' (no settings: the namespace is
 * missing) or 'fatal' (JSON.stringify throws: the login is denied).
 */
function genSecrets(r, settings) {
  const tags = [];
  const entries = [];
  for (const k of ALL_KEYS) if (settings[k].present) entries.push([k, settings[k].value]);
  const plain = () => {
    const o = {};
    for (const [k, v] of entries) setOwn(o, k, v);
    return o;
  };
  const kind = r.weighted([[60, 'plain'], [5, 'nullProto'], [5, 'frozen'], [4, 'inherited'], [4, 'proxyHonest'], [4, 'strictProxy'],
    [3, 'strictProxyToJSON'], [5, 'protoKeys'], [3, 'getterOnKnownKey'], [3, 'getterOnOtherKey'], [2, 'throwingProxy'], [1, 'revoked'],
    [1, 'undefined'], [1, 'null'], [1, 'number'], [1, 'string'], [1, 'array'], [1, 'function'], [1, 'bool'], [4, 'junkKeys']]);
  tags.push(`secrets:${kind}`);
  let value;
  let container = 'settings';
  /** A Proxy that throws on a read of any key but the setting names (and `also`). */
  const strict = (also) => new Proxy(plain(), {
    get(t, k) {
      if (typeof k === 'string' && (ALL_KEYS.includes(k) || also.includes(k))) return t[k];
      throw new Error(`secrets: unexpected read of ${String(k)}`);
    },
  });
  switch (kind) {
    case 'plain': value = plain(); break;
    case 'nullProto': value = Object.assign(Object.create(null), plain()); break;
    case 'frozen': value = Object.freeze(plain()); tags.push('frozen'); break;
    case 'inherited': value = Object.create(plain()); break; // JSON.stringify with a key list reads inherited keys too
    case 'proxyHonest': value = new Proxy(plain(), {}); tags.push('proxy'); break;
    case 'strictProxy': // JSON.stringify looks up `toJSON` on the object it serializes: this Proxy throws on that read
      value = strict([]);
      container = 'fatal';
      tags.push('proxy', 'throwing getter');
      break;
    case 'strictProxyToJSON': value = strict(['toJSON']); tags.push('proxy'); break; // nothing else is read
    case 'protoKeys': {
      value = plain();
      setOwn(value, '__proto__', { namespace: 'https://evil.example', clientSecret: 'x' });
      setOwn(value, 'constructor', { prototype: { namespace: 'https://evil.example' } });
      setOwn(value, 'prototype', 'junk');
      setOwn(value, 'toString', 5);
      tags.push('__proto__/constructor keys');
      break;
    }
    case 'getterOnKnownKey': {
      value = plain();
      const k = r.pick(ALL_KEYS);
      Object.defineProperty(value, k, { get: thrower(`secrets.${k}`), enumerable: true });
      container = 'fatal';
      tags.push('throwing getter');
      break;
    }
    case 'getterOnOtherKey': {
      value = plain();
      Object.defineProperty(value, r.pick(['unknownSetting', 'NAMESPACE', 'namespace ', '__proto__', 'constructor']), { get: thrower('secrets.other'), enumerable: true });
      tags.push('throwing getter');
      break;
    }
    case 'throwingProxy': value = throwingProxy(plain(), 'secrets'); container = 'fatal'; tags.push('proxy', 'throwing getter'); break;
    case 'revoked': value = revokedProxy(plain()); container = 'fatal'; tags.push('proxy'); break;
    case 'undefined': value = undefined; container = 'none'; tags.push('missing object'); break;
    case 'null': value = null; container = 'none'; tags.push('null'); break;
    case 'number': value = 42; container = 'none'; tags.push('wrong type'); break;
    case 'string': value = 'namespace=https://e.com'; container = 'none'; tags.push('wrong type'); break;
    case 'bool': value = true; container = 'none'; tags.push('wrong type'); break;
    case 'array': value = []; container = 'none'; tags.push('wrong type'); break; // no keys: namespace is missing
    case 'function': value = Object.assign(function secrets() {}, plain()); container = 'none'; tags.push('wrong type'); break; // JSON.stringify skips functions
    case 'junkKeys': { // other keys holding what JSON cannot carry, or carries at a cost: never read
      value = plain();
      const junk = r.pick([
        () => 12n, () => nested(r.int(60, 200)), () => cyclic(), () => ({ toJSON() { throw new Error('toJSON'); } }), () => 'j'.repeat(100 * 1024),
        () => 'j'.repeat(MAX_SECRETS_TEXT + 1), () => Symbol('junk'), () => (() => 1), () => new Date(0), () => ({ a: [1, { b: null }] }),
        () => throwingProxy({}, 'other secret'), () => revokedProxy(), () => 'lone \ud800',
      ])();
      setOwn(value, r.pick(['otherSecret', 'NAMESPACE', 'namespace ', 'x'.repeat(200)]), junk);
      tags.push('unknown setting key');
      break;
    }
    default: throw new Error(kind);
  }
  return { value, container, tags };
}

// ---- roles ------------------------------------------------------------------------------------

const ROLE_NAMES = ['admin', 'editor', 'reader', 'billing', 'r\u00f4le-\u00fcn\u00ef', 'a|b', 'empty', 'ghost-role', '', ' spaced ',
  'emoji \ud83d\ude00', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'roles', '$x', '"quoted"\\', 'ctl\n\t\u0000\u001f',
  '\u2028\u2029', 'a\ud800', '\udc00b', '\ud83d', 'R'.repeat(200), 'genuine \ufffd', '\ufffd'];

function genRoleEntry(r, tags) {
  const k = r.next();
  if (k < 0.72) {
    const name = r.pick(ROLE_NAMES);
    if (hasLoneSurrogate(name)) tags.add('lone surrogate');
    return name;
  }
  if (k < 0.74) { tags.add('1 KB string'); return BIG.kb; }
  if (k < 0.745) { tags.add('64 KB string'); return BIG.kb64; }
  tags.add('wrong type');
  return r.pick([() => 5, () => null, () => undefined, () => ({ name: 'admin' }), () => ['admin'], () => new String('admin'), () => Symbol('r'),
    () => 7n, () => (() => 'admin'), () => throwingProxy({}, 'role entry'), () => revokedProxy(), () => true, () => NaN, () => Object.freeze({}),
    () => new Date(0), () => ({ toJSON: () => 'admin' }), () => nested(r.int(60, 100)), () => cyclic(), () => new String('a\ud800'),
  ])();
}

const MORE_THAN = (n) => `event: authorization.roles has ${n} entries, more than 1000`;

/**
 * `event.authorization.roles`: the value, and the entries the Action reads, one per index (or `fatal`:
 * what the "login denied" line says after `login denied: `, or starts with). `throwsAt`: the index
 * whose read throws (the entries before it are read first).
 * @returns {{value: unknown, fatal: string | false, entries?: unknown[], throwsAt?: number, tags: Set<string>}}
 */
function genRoles(r, maxChars) {
  const tags = new Set();
  const kind = r.weighted([[58, 'array'], [6, 'empty'], [3, 'undefined'], [3, 'null'], [4, 'sparse'], [3, 'frozen'], [3, 'proxyHonest'],
    [2, 'lyingLength'], [2, 'indexGetterThrows'], [2, 'indexGetterString'], [2, 'proxyThrows'], [1, 'revoked'], [1, 'lengthThrows'],
    [2, 'large'], [1, 'max'], [1, 'tooMany'], [1, 'tenThousand'], [3, 'notArray'], [1, 'subclass'], [1, 'oneMB'], [1, 'manyMB'],
    [2, 'nearLimit'], [2, 'atLimit'], [1, 'protoKeys']]);
  tags.add(`roles:${kind}`);
  const entries = () => Array.from({ length: r.int(0, 12) }, () => genRoleEntry(r, tags));
  switch (kind) {
    case 'array': { const e = entries(); return { value: e, entries: e, fatal: false, tags }; }
    case 'empty': return { value: [], entries: [], fatal: false, tags };
    case 'undefined': tags.add('missing object'); return { value: undefined, entries: [], fatal: false, tags };
    case 'null': tags.add('null'); return { value: null, entries: [], fatal: false, tags };
    case 'sparse': {
      const e = entries();
      const arr = new Array(e.length + r.int(1, 5));
      e.forEach((v, i) => { if (r.chance(0.6)) arr[i * 1] = v; });
      return { value: arr, entries: Array.from(arr), fatal: false, tags };
    }
    case 'frozen': { const e = Object.freeze(entries()); tags.add('frozen'); return { value: e, entries: [...e], fatal: false, tags }; }
    case 'proxyHonest': { const e = entries(); tags.add('proxy'); return { value: new Proxy(e, {}), entries: e, fatal: false, tags }; }
    case 'lyingLength': {
      const e = entries();
      const length = r.pick([2.5, -3, NaN, '2', Infinity, 1e9, 0, null]);
      const value = new Proxy(e, { get: (t, k) => (k === 'length' ? length : t[k]) });
      tags.add('proxy');
      if (typeof length === 'number' && length > 1000) return { value, fatal: MORE_THAN(Math.min(length, 2 ** 32 - 1)), tags };
      const n = typeof length === 'number' && Number.isFinite(length) && length > 0 ? Math.floor(length) : 0;
      return { value, entries: Array.from({ length: n }, (_, i) => e[i]), fatal: false, tags };
    }
    case 'indexGetterThrows': {
      const e = entries();
      e.push('admin');
      const throwsAt = r.int(0, e.length - 1);
      const entriesRead = [...e];
      Object.defineProperty(e, throwsAt, { get: thrower('roles[i]') });
      tags.add('throwing getter');
      return { value: e, entries: entriesRead, throwsAt, fatal: false, tags };
    }
    case 'indexGetterString': {
      const e = entries();
      e.push('x');
      const i = e.length - 1;
      Object.defineProperty(e, i, { get: () => 'from-getter', enumerable: true });
      const expected = [...e.slice(0, i), 'from-getter'];
      return { value: e, entries: expected, fatal: false, tags };
    }
    case 'proxyThrows': // Array.isArray sees through the Proxy; reading `length` throws
      tags.add('proxy').add('throwing getter');
      return { value: throwingProxy(entries(), 'roles'), fatal: 'event.authorization.roles.length threw: ', tags };
    case 'revoked': tags.add('proxy'); return { value: revokedProxy([]), fatal: 'Array.isArray(event.authorization.roles) threw: ', tags };
    case 'lengthThrows': {
      const e = entries();
      tags.add('proxy').add('throwing getter');
      return { value: new Proxy(e, { get: (t, k) => { if (k === 'length') throw new Error('length'); return t[k]; } }), fatal: 'event.authorization.roles.length threw: ', tags };
    }
    case 'large': { const e = Array.from({ length: r.int(100, 999) }, () => genRoleEntry(r, tags)); return { value: e, entries: e, fatal: false, tags }; }
    case 'max': { const e = Array.from({ length: 1000 }, (_, i) => `role-${i}`); return { value: e, entries: e, fatal: false, tags }; }
    case 'tooMany': { const e = Array.from({ length: r.int(1001, 3000) }, () => 'r'); return { value: e, fatal: MORE_THAN(e.length), tags }; }
    case 'tenThousand': { tags.add('10,000 roles'); return { value: new Array(10000).fill('admin'), fatal: MORE_THAN(10000), tags }; }
    case 'notArray': {
      tags.add('wrong type');
      const [value, type] = r.pick([['admin', 'string'], [5, 'number'], [{ length: 1, 0: 'admin' }, 'object'], [new Set(['admin']), 'object'],
        [new Uint8Array(2), 'object'], [{ roles: ['admin'] }, 'object'], [true, 'boolean']]);
      return { value, fatal: `event: authorization.roles is ${type}, not an array`, tags };
    }
    case 'subclass': { class Roles extends Array {} const e = Roles.from(['admin', 'reader']); return { value: e, entries: [...e], fatal: false, tags }; }
    case 'oneMB': { tags.add('1 MB string'); const e = ['admin', BIG.mbPlain]; return { value: e, entries: e, fatal: false, tags }; }
    case 'manyMB': { tags.add('1 MB string'); const e = new Array(r.int(2, 64)).fill(BIG.mbPlain); return { value: e, entries: e, fatal: false, tags }; }
    case 'nearLimit': { // about maxClaimBytes characters in all (the default 90000): the running total decides
      tags.add('64 KB string').add('1 KB string');
      const e = [BIG.kb64];
      for (let n = r.int(18, 30); n > 0; n -= 1) e.push(r.chance(0.8) ? BIG.kb : genRoleEntry(r, tags));
      return { value: e, entries: e, fatal: false, tags };
    }
    case 'atLimit': { // kept entries of exactly `maxChars` characters in all, or one more, among entries that are dropped
      tags.add('1 KB string');
      const e = [];
      for (let left = maxChars + r.pick([0, 1]); left > 0;) {
        const n = Math.min(left, r.int(1, 1024));
        e.push(BIG.kb.slice(0, n));
        left -= n;
        if (r.chance(0.1)) e.push(r.pick([null, 7, new String('x'), '\ud800']));
      }
      if (r.chance(0.3)) e.push(r.pick(['\ud800', 'a\ud800', null])); // past the total, a lone surrogate still counts its length first
      return { value: e, entries: e, fatal: false, tags };
    }
    case 'protoKeys': {
      const e = ['admin'];
      setOwn(e, '__proto__', ['evil']);
      setOwn(e, 'constructor', 'junk');
      tags.add('__proto__/constructor keys');
      return { value: e, entries: ['admin'], fatal: false, tags };
    }
    default: throw new Error(kind);
  }
}

const ROLES_THREW = 'event.authorization.roles threw: ';

/** `event.authorization` around the roles; `fatal`: reading `roles` from it throws (the "login denied" text). */
function genAuthorization(r, roles) {
  const kind = r.weighted([[70, 'plain'], [5, 'undefined'], [4, 'null'], [4, 'frozen'], [3, 'proxyHonest'], [3, 'getterThrows'],
    [2, 'proxyThrows'], [1, 'revoked'], [3, 'primitive'], [2, 'inherited'], [2, 'noRoles'], [1, 'protoKeys']]);
  const tags = [`authorization:${kind}`];
  const withRoles = () => ({ roles: roles.value });
  switch (kind) {
    case 'plain': return { value: withRoles(), roles, fatal: false, tags };
    case 'undefined': tags.push('missing object'); return { value: undefined, roles: null, fatal: false, tags };
    case 'null': tags.push('null'); return { value: null, roles: null, fatal: false, tags };
    case 'frozen': tags.push('frozen'); return { value: Object.freeze(withRoles()), roles, fatal: false, tags };
    case 'proxyHonest': tags.push('proxy'); return { value: new Proxy(withRoles(), {}), roles, fatal: false, tags };
    case 'getterThrows':
      tags.push('throwing getter');
      return { value: Object.defineProperty({}, 'roles', { get: thrower('authorization.roles') }), roles: null, fatal: ROLES_THREW, tags };
    case 'proxyThrows': tags.push('proxy', 'throwing getter'); return { value: throwingProxy(withRoles(), 'authorization'), roles: null, fatal: ROLES_THREW, tags };
    case 'revoked': tags.push('proxy'); return { value: revokedProxy(withRoles()), roles: null, fatal: ROLES_THREW, tags };
    case 'primitive': tags.push('wrong type'); return { value: r.pick([5, 'admin', true, 0n]), roles: null, fatal: false, tags };
    case 'inherited': return { value: Object.create(withRoles()), roles, fatal: false, tags };
    case 'noRoles': tags.push('missing object'); return { value: { role: ['admin'] }, roles: null, fatal: false, tags };
    case 'protoKeys': {
      const v = withRoles();
      setOwn(v, '__proto__', { roles: ['evil'] });
      tags.push('__proto__/constructor keys');
      return { value: v, roles, fatal: false, tags };
    }
    default: throw new Error(kind);
  }
}

// ---- user and resource server ---------------------------------------------------------------------

const USER_IDS = ['auth0|65a1b2c3d4e5f60718293a4b', 'google-oauth2|103547991597142817347', 'adfs|john@fabrikam.com', 'waad|a/b',
  'x|q?x#y%20', 'x|\u00fcn\u00ef', 'x|a+b&c=d', '   ', '__proto__', 'constructor', 'x|\ud800', '\udc00', 'x|\ufffd', 'emoji|\ud83d\ude00',
  '..', '.', '../../roles', 'a/../../roles', `x|${'i'.repeat(MAX_USER_ID - 2)}`, `x|${'i'.repeat(MAX_USER_ID - 1)}`];
/** user_ids that are a URL dot segment: refused before any request (ManagementError::InvalidUserId). */
const DOT_SEGMENT_IDS = new Set(['.', '..']);

/**
 * `event.user`: the value, `read` ('value'; 'missing': no user; 'throws': reading `user_id` throws)
 * and `userId`, the value `user.user_id` reads as. What the Action makes of it: `permissionsStep`.
 */
/** How `roles=metadata` reads a user's app_metadata at a path: `{missing}`, `{fails}` (the error, or how it starts) or `{entries}`. */
const META_MISSING = () => ({ missing: true });
const META_THROWS = () => ({ fails: 'event.user.app_metadata (metadataPath) threw: ' });
const notArray = (at, type) => ({ fails: `event: user.app_metadata.${at} is ${type}, not an array` });

/**
 * A user's `app_metadata` for `roles=metadata`: the Authorization Extension's layout, a flat `roles`,
 * and hostile shapes (100,000 levels deep, a cycle through getters, 100,000 entries, non-objects,
 * throwing getters and Proxies). `read(path)` says what the Action must make of it at the settings'
 * `metadataPath` (the pool's paths: `roles`, `authorization.roles`, `a.b.c`).
 */
function genAppMetadata(r) {
  const kind = r.weighted([[30, 'empty'], [15, 'flat'], [15, 'extension'], [5, 'deep'], [5, 'cyclic'], [4, 'huge'], [6, 'nonObject'],
    [4, 'throwing'], [4, 'getterThrows'], [6, 'nonArray'], [3, 'inherited']]);
  const tags = [`app_metadata:${kind}`];
  const entries = () => {
    const pool = ['admin', 'editor', 'admin', '', 5, null, {}, 'x\ud800', new String('s'), ['admin'], 'viewer'];
    return Array.from({ length: r.int(0, 6) }, () => r.pick(pool));
  };
  const at = (map) => (key) => (Object.prototype.hasOwnProperty.call(map, key) ? map[key] : { missing: true });
  switch (kind) {
    case 'empty': return { value: {}, read: META_MISSING, tags };
    case 'flat': { const e = entries(); return { value: { roles: e, plan: 'team' }, read: at({ roles: { entries: e } }), tags }; }
    case 'extension': {
      const e = entries();
      return { value: { authorization: { groups: ['g'], roles: e, permissions: ['read:x'] } }, read: at({ 'authorization.roles': { entries: e } }), tags };
    }
    case 'deep': {
      let deep = {};
      for (let i = 0; i < 100000; i += 1) deep = { roles: deep };
      tags.push('app_metadata deep');
      return { value: { roles: deep, authorization: { roles: deep } }, read: at({ roles: notArray('roles', 'object'), 'authorization.roles': notArray('authorization.roles', 'object') }), tags };
    }
    case 'cyclic': { // every key is its own and gives the object again
      const o = new Proxy({}, {
        get: () => o,
        getOwnPropertyDescriptor: () => ({ value: o, writable: true, enumerable: true, configurable: true }),
      });
      tags.push('proxy');
      return { value: o, read: (key) => notArray(key, 'object'), tags };
    }
    case 'huge': {
      const big = new Array(100000).fill('admin');
      const fails = (key) => ({ fails: `event: user.app_metadata.${key} has 100000 entries, more than 1000` });
      return { value: { roles: big, authorization: { roles: big } }, read: at({ roles: fails('roles'), 'authorization.roles': fails('authorization.roles') }), tags };
    }
    case 'inherited': { // the path is on the prototype only: the metadata lacks it
      const e = entries();
      tags.push('inherited keys');
      return { value: Object.create({ roles: e, authorization: { roles: e } }), read: META_MISSING, tags };
    }
    case 'nonObject': tags.push('wrong type'); return { value: r.pick(['roles', 5, true, null, undefined, 1n]), read: META_MISSING, tags };
    case 'throwing': tags.push('proxy', 'throwing getter'); return { value: throwingProxy({}, 'app_metadata'), read: META_THROWS, tags };
    case 'getterThrows': {
      const throws = () => { throw new Error('app_metadata getter'); };
      tags.push('throwing getter');
      return { value: Object.defineProperties({}, { roles: { get: throws }, authorization: { get: throws } }), read: at({ roles: META_THROWS(), 'authorization.roles': META_THROWS() }), tags };
    }
    case 'nonArray': {
      const [value, type] = r.pick([['admin', 'string'], [{ 0: 'admin', length: 1 }, 'object'], [5, 'number'], [new Date(0), 'object']]);
      return { value: { roles: value, authorization: { roles: value } }, read: at({ roles: notArray('roles', type), 'authorization.roles': notArray('authorization.roles', type) }), tags };
    }
    default: throw new Error(kind);
  }
}

function genUser(r) {
  const kind = r.weighted([[70, 'plain'], [4, 'undefined'], [3, 'null'], [3, 'frozen'], [3, 'proxyThrows'], [2, 'primitive'],
    [3, 'getter'], [5, 'badId'], [1, 'mbId'], [2, 'revoked'], [2, 'protoKeys']]);
  const tags = [`user:${kind}`];
  const id = r.pick(USER_IDS);
  if (hasLoneSurrogate(id)) tags.push('lone surrogate');
  switch (kind) {
    case 'plain': {
      const meta = genAppMetadata(r);
      tags.push(...meta.tags);
      return { value: { user_id: id, app_metadata: meta.value, email: 'x@example.com' }, userId: id, meta: meta.read, tags };
    }
    case 'undefined': tags.push('missing object'); return { value: undefined, read: 'missing', userId: null, tags };
    case 'null': tags.push('null'); return { value: null, read: 'missing', userId: null, tags };
    case 'frozen': tags.push('frozen'); return { value: deepFreeze({ user_id: id }), userId: id, tags };
    case 'proxyThrows': tags.push('proxy', 'throwing getter'); return { value: throwingProxy({ user_id: id }, 'user'), read: 'throws', meta: META_THROWS, userId: null, tags };
    case 'primitive': tags.push('wrong type'); return { value: r.pick([5, 'auth0|1', true]), read: 'throws', userId: null, tags }; // Reflect.get throws
    case 'getter': return { value: Object.defineProperty({}, 'user_id', { get: () => id, enumerable: true }), userId: id, tags };
    case 'badId': {
      tags.push('wrong type');
      const bad = r.pick(['', 5, null, undefined, ['auth0|1'], new String('auth0|1'), {}, { toString: () => 'auth0|1' }, 1n]);
      return { value: { user_id: bad }, userId: bad, tags };
    }
    case 'mbId': tags.push('1 MB string'); return { value: { user_id: BIG.mbId }, userId: BIG.mbId, tags };
    case 'revoked': tags.push('proxy'); return { value: revokedProxy({ user_id: id }), read: 'throws', meta: META_THROWS, userId: null, tags };
    case 'protoKeys': {
      const v = {};
      setOwn(v, '__proto__', { user_id: 'auth0|evil' });
      setOwn(v, 'user_id', id);
      tags.push('__proto__/constructor keys');
      return { value: v, userId: id, tags };
    }
    default: throw new Error(kind);
  }
}

function genResourceServer(r) {
  const kind = r.weighted([[45, 'apiA'], [10, 'apiB'], [5, 'unknownApi'], [8, 'undefined'], [4, 'null'], [3, 'emptyId'], [3, 'badId'],
    [3, 'primitive'], [2, 'proxyThrows'], [2, 'frozen'], [1, 'revoked']]);
  const tags = [`resource_server:${kind}`];
  switch (kind) {
    case 'apiA': return { value: { identifier: API_A }, api: API_A, ok: true, tags };
    case 'apiB': return { value: { identifier: API_B }, api: API_B, ok: true, tags };
    case 'unknownApi': return { value: { identifier: 'https://unknown.example.com' }, api: 'https://unknown.example.com', ok: true, tags };
    case 'undefined': tags.push('missing object'); return { value: undefined, api: null, ok: true, tags };
    case 'null': tags.push('null'); return { value: null, api: null, ok: true, tags };
    case 'emptyId': return { value: { identifier: '' }, api: null, ok: true, tags };
    case 'badId': tags.push('wrong type'); return { value: { identifier: r.pick([5, null, [API_A], {}, new String(API_A)]) }, api: null, ok: true, tags };
    case 'primitive': tags.push('wrong type'); return { value: r.pick([5, API_A, true]), api: null, ok: false, tags };
    case 'proxyThrows': tags.push('proxy', 'throwing getter'); return { value: throwingProxy({ identifier: API_A }, 'resource_server'), api: null, ok: false, tags };
    case 'frozen': tags.push('frozen'); return { value: Object.freeze({ identifier: API_A }), api: API_A, ok: true, tags };
    case 'revoked': tags.push('proxy'); return { value: revokedProxy({ identifier: API_A }), api: null, ok: false, tags };
    default: throw new Error(kind);
  }
}

// ---- the event ------------------------------------------------------------------------------------

/**
 * `event.organization`: read only with permissions=user|effective. `isOrg`: an organization login (its
 * `id` is set), which takes the roles path; `fails`: how reading it fails (the login's permissions step).
 */
function genOrganization(r) {
  const kind = r.weighted([[82, 'absent'], [6, 'member'], [2, 'numberId'], [2, 'emptyId'], [2, 'noId'], [2, 'null'], [2, 'string'], [2, 'idThrows']]);
  const tags = kind === 'absent' ? [] : [`organization:${kind}`];
  switch (kind) {
    case 'absent': return { value: undefined, isOrg: false, tags };
    case 'member': return { value: { id: 'org_h1', name: 'acme' }, isOrg: true, tags };
    case 'numberId': return { value: { id: 7 }, isOrg: true, tags: [...tags, 'wrong type'] };
    case 'emptyId': return { value: { id: '' }, isOrg: false, tags };
    case 'noId': return { value: { name: 'acme' }, isOrg: false, tags };
    case 'null': return { value: null, isOrg: false, tags: [...tags, 'null'] };
    case 'string': return { value: 'org_h1', fails: 'event: organization is string, not an object', tags: [...tags, 'wrong type'] };
    case 'idThrows': return { value: { get id() { throw new Error('organization id'); } }, fails: 'event.organization.id threw: ', tags: [...tags, 'throwing getter'] };
    default: throw new Error(kind);
  }
}

/** Wraps the four fields the Action reads into a (possibly hostile) event object. */
function genEventContainer(r, fields) {
  const kind = r.weighted([[70, 'plain'], [5, 'frozen'], [4, 'proxyHonest'], [5, 'strictProxy'], [4, 'getters'], [3, 'getterThrows'],
    [1, 'undefined'], [1, 'null'], [1, 'number'], [1, 'string'], [1, 'throwingProxy'], [1, 'revoked'], [3, 'protoKeys'], [1, 'symbol']]);
  const tags = [`event:${kind}`];
  const plain = () => {
    const e = {
      client: { client_id: 'c', name: 'App' }, connection: { name: 'db', strategy: 'auth0' }, request: { ip: '1.2.3.4', query: {} },
      stats: { logins_count: 1 }, tenant: { id: 't' }, transaction: { metadata: {} },
    };
    for (const k of READ_EVENT_FIELDS) if (fields[k] !== undefined || r.chance(0.5)) setOwn(e, k, fields[k]);
    return e;
  };
  let fatalField = null; // a field whose read throws
  let value;
  switch (kind) {
    case 'plain': value = plain(); break;
    case 'frozen': value = Object.freeze(plain()); tags.push('frozen'); break;
    case 'proxyHonest': value = new Proxy(plain(), {}); tags.push('proxy'); break;
    case 'strictProxy': {
      const target = plain();
      value = new Proxy(target, {
        get(t, k) {
          if (typeof k === 'string' && READ_EVENT_FIELDS.includes(k)) return t[k];
          throw new Error(`event: unexpected read of ${String(k)}`);
        },
      });
      tags.push('proxy');
      break;
    }
    case 'getters': {
      value = {};
      for (const k of READ_EVENT_FIELDS) Object.defineProperty(value, k, { get: () => fields[k], enumerable: true });
      break;
    }
    case 'getterThrows': {
      value = plain();
      fatalField = r.pick(READ_EVENT_FIELDS);
      Object.defineProperty(value, fatalField, { get: thrower(`event.${fatalField}`) });
      tags.push('throwing getter');
      break;
    }
    case 'undefined': value = undefined; fatalField = '*'; tags.push('missing object'); break;
    case 'null': value = null; fatalField = '*'; tags.push('null'); break;
    case 'number': value = 7; fatalField = 'noSecrets'; tags.push('wrong type'); break;
    case 'string': value = '{"secrets":{}}'; fatalField = 'noSecrets'; tags.push('wrong type'); break;
    case 'symbol': value = Symbol('event'); fatalField = 'noSecrets'; tags.push('wrong type'); break;
    case 'throwingProxy': value = throwingProxy(plain(), 'event'); fatalField = '*'; tags.push('proxy', 'throwing getter'); break;
    case 'revoked': value = revokedProxy(plain()); fatalField = '*'; tags.push('proxy'); break;
    case 'protoKeys': {
      value = plain();
      setOwn(value, '__proto__', { secrets: { namespace: 'https://evil.example' }, authorization: { roles: ['evil'] } });
      setOwn(value, 'constructor', { name: 'evil' });
      tags.push('__proto__/constructor keys');
      break;
    }
    default: throw new Error(kind);
  }
  return { value, fatalField, tags };
}

// ---- the api --------------------------------------------------------------------------------------

/**
 * A recording api with hostile variations. `calls` lives outside the api so that frozen and proxied
 * apis still record. Returns the api and what the oracle needs to know about it.
 */
function genApi(r, { cacheStore, sharedCache, onReenter }) {
  const calls = [];
  const kind = r.weighted([[62, 'normal'], [4, 'frozen'], [4, 'proxyHonest'], [3, 'noIdToken'], [3, 'noAccessToken'], [3, 'idTokenPrimitive'],
    [3, 'idThrows'], [3, 'accessThrows'], [4, 'throwAt'], [2, 'notFunction'], [3, 'denyThrows'], [2, 'noAccess'], [1, 'throwingProxy'],
    [1, 'revoked'], [1, 'null'], [1, 'undefined'], [1, 'reentrant'], [2, 'weirdReturns']]);
  const tags = [`api:${kind}`];
  let callIndex = 0;
  const throwAt = kind === 'throwAt' ? r.int(0, 4) : -1;
  // Values used while the Action runs are drawn now, so the PRNG stream does not depend on the run.
  const idThrown = r.pick([() => new Error('id setCustomClaim'), () => 'a thrown string', () => 5, () => undefined, () => ({ message: 'obj' }),
    () => throwingProxy({}, 'thrown'), () => new Error('multi\nline')])();
  const weird = r.pick([undefined, null, 5, throwingProxy({}, 'return'), { then: 5 }]);
  const setter = (token) => (k, v) => {
    const i = callIndex;
    callIndex += 1;
    if (i === throwAt) throw new Error('api: setCustomClaim refused');
    if (kind === 'idThrows' && token === 'idToken') throw idThrown;
    if (kind === 'accessThrows' && token === 'accessToken') throw new TypeError('access setCustomClaim');
    calls.push([token, k, v]);
    if (kind === 'reentrant' && i === 0) onReenter();
    if (kind === 'weirdReturns') return weird;
    return api;  
  };
  const deny = (reason) => {
    if (kind === 'denyThrows') throw new Error('api: deny refused');
    calls.push(['deny', reason]);
    return api;  
  };
  let api = {
    idToken: { setCustomClaim: setter('idToken') },
    accessToken: { setCustomClaim: setter('accessToken') },
    access: { deny },
  };
  const cache = genCache(r, { cacheStore, sharedCache, tags });
  if (cache.present) api.cache = cache.value;
  const broken = { id: false, access: false, deny: false, all: false };
  switch (kind) {
    case 'normal': case 'throwAt': case 'reentrant': case 'weirdReturns': break;
    case 'frozen': api = deepFreeze(api); tags.push('frozen'); break;
    case 'proxyHonest': api = new Proxy(api, {}); tags.push('proxy'); break;
    case 'noIdToken': delete api.idToken; broken.id = true; tags.push('missing object'); break;
    case 'noAccessToken': api.accessToken = null; broken.access = true; tags.push('null'); break;
    case 'idTokenPrimitive': api.idToken = r.pick([5, 'idToken', true]); broken.id = true; tags.push('wrong type'); break;
    case 'idThrows': broken.id = true; break;
    case 'accessThrows': broken.access = true; break;
    case 'notFunction': api.idToken = { setCustomClaim: 'not a function' }; broken.id = true; tags.push('wrong type'); break;
    case 'denyThrows': broken.deny = true; break;
    case 'noAccess': delete api.access; broken.deny = true; tags.push('missing object'); break;
    case 'throwingProxy': api = throwingProxy(api, 'api'); broken.all = true; tags.push('proxy', 'throwing getter'); break;
    case 'revoked': api = revokedProxy(api); broken.all = true; tags.push('proxy'); break;
    case 'null': api = null; broken.all = true; tags.push('null'); break;
    case 'undefined': api = undefined; broken.all = true; tags.push('missing object'); break;
    default: throw new Error(kind);
  }
  return { api, calls, broken, throwAt, tags, kind };
}

/** `api.cache`: absent, a real CacheStore (fresh or shared across cases), or hostile. Never changes the outcome. */
function genCache(r, { cacheStore, sharedCache, tags }) {
  const kind = r.weighted([[25, 'none'], [30, 'fresh'], [25, 'shared'], [2, 'getterThrows'], [2, 'getThrows'], [2, 'getJunk'], [3, 'bogusToken'],
    [2, 'setThrows'], [2, 'setJunk'], [2, 'deleteThrows'], [1, 'primitive'], [1, 'frozenEmpty'], [1, 'throwingProxy'], [1, 'getRevoked']]);
  tags.push(`cache:${kind}`);
  const store = kind === 'shared' ? sharedCache : cacheStore();
  const real = {
    get: (k) => store.get(k), set: (k, v, o) => store.set(k, v, o), delete: (k) => store.delete(k),
  };
  switch (kind) {
    case 'none': return { present: false };
    case 'fresh': case 'shared': return { present: true, value: real };
    case 'getterThrows': return { present: true, value: Object.defineProperty({}, 'get', { get: thrower('cache.get') }) };
    case 'getThrows': return { present: true, value: { ...real, get: thrower('cache.get()') } };
    case 'getJunk': return { present: true, value: { ...real, get: () => r.pick([5, 'token', { value: 5, expires_at: 'x' }, { value: 'eyJx' }, [], throwingProxy({}, 'record')]) } };
    case 'bogusToken': return { present: true, value: { ...real, get: () => ({ value: 'not-a-valid-token', expires_at: Date.now() + 3600e3 }) } };
    case 'setThrows': return { present: true, value: { ...real, set: thrower('cache.set()') } };
    case 'setJunk': return { present: true, value: { ...real, set: () => r.pick([undefined, 5, { type: 'error' }, { type: 5 }, throwingProxy({}, 'set result')]) } };
    case 'deleteThrows': return { present: true, value: { ...real, delete: thrower('cache.delete()') } };
    case 'primitive': return { present: true, value: r.pick([5, 'cache', true]) };
    case 'frozenEmpty': return { present: true, value: Object.freeze({}) };
    case 'throwingProxy': return { present: true, value: throwingProxy(real, 'cache') };
    case 'getRevoked': return { present: true, value: { ...real, get: () => revokedProxy({}) } };
    default: throw new Error(kind);
  }
}

// ---- how the Action reads the event -----------------------------------------------------------------
//
// src/auth0/bindings.rs, src/json.rs, src/config.rs, src/login.rs:
//   - event.secrets: `undefined`/`null` → no settings. Else one `JSON.stringify(event.secrets, ALL_KEYS)`:
//     only the 13 setting names are read, at every depth (plus `toJSON`, which JSON.stringify looks up on
//     every object it serializes); a throw (a throwing getter or Proxy, a BigInt or a cycle under a
//     setting name) denies the login; no text (a function, a symbol) → no settings; a text longer than
//     256 Ki UTF-16 units, or nested deeper than 64 levels, denies the login. Under each setting name:
//     a string is the setting (one with an unpaired surrogate is "not a string"), `null` is unset, a
//     number, boolean, object or array is "must be a string, not …" (a configuration error).
//   - event.authorization.roles: absent/`null` → no roles; not an array, more than 1000 entries, or a
//     throwing read (of `authorization`, `roles`, `length` or an index) → deny. Each index is read once;
//     an entry is kept only if it is a primitive string without an unpaired surrogate, the others are
//     dropped (and counted in one log line). The kept entries' UTF-16 lengths may not pass
//     `maxClaimBytes` in all: the first entry that would denies the login.
//   - event.user.user_id (only with permissions): a primitive string, not empty, at most 1024 UTF-16
//     units, without an unpaired surrogate; "." and ".." are refused before any request (unless no
//     request is due: permissionsFor=requested without a requested API). Any failure of the permissions
//     step follows onError.
// The oracle below applies these rules to what the generator built. `jsonSettingsCheck` checks the
// settings part against the real `JSON.stringify(event.secrets, ALL_KEYS)` and a model of src/json.rs.

/** Whether src/json.rs reads `v` (a JSON.parse result at nesting level `depth`) without passing its limit. */
function jsonDepthOk(v, depth = 0) {
  if (depth > JSON_MAX_DEPTH) return false;
  if (Array.isArray(v)) return v.every((x) => jsonDepthOk(x, depth + 1));
  if (v !== null && typeof v === 'object') return Object.values(v).every((x) => jsonDepthOk(x, depth + 1));
  return true;
}

const NO_SETTINGS = Object.fromEntries(ALL_KEYS.map((k) => [k, { present: false, cls: 'absent', tags: [] }]));

const STRINGIFY_THREW = 'JSON.stringify(event.secrets) threw: ';
/** What the "login denied" line says (after `login denied: `, or starts with) when the settings cannot be read. */
const SETTINGS_UNREADABLE = {
  throws: STRINGIFY_THREW, long: 'event: the settings in event.secrets are too long', deep: 'event: event.secrets: invalid JSON at byte ',
};

/**
 * The settings the Action reads: `{fatal}` (the login is denied; `fatal` is what the "login denied"
 * line says, or starts with) or `{settings}` (each as genSetting judged it).
 */
function readSettings(c) {
  const field = c.event.fatalField;
  if (field === '*' || field === 'secrets') return { fatal: 'event.secrets threw: ' };
  if (field === 'noSecrets') return { settings: NO_SETTINGS };
  if (c.secrets.container === 'fatal') return { fatal: STRINGIFY_THREW };
  if (c.secrets.container === 'none') return { settings: NO_SETTINGS };
  // JSON.stringify throws before there is a text; the text's length is checked before it is parsed.
  for (const why of ['throws', 'long', 'deep']) {
    if (ALL_KEYS.some((k) => c.settings[k].cls === 'fatal' && c.settings[k].fatal === why)) return { fatal: SETTINGS_UNREADABLE[why] };
  }
  return { settings: c.settings };
}

/**
 * The settings part the Action's way: the real `JSON.stringify(secrets, ALL_KEYS)`, its length limit,
 * then src/json.rs (nesting, strings with an unpaired surrogate, `get`). Returns a message when it
 * disagrees with `readSettings` (the generator's judgement), null when it agrees, undefined when the
 * generated secrets are not what the Action reads (the event does not give them).
 */
function jsonSettingsCheck(c) {
  const field = c.event.fatalField;
  if (field === '*' || field === 'secrets' || field === 'noSecrets') return undefined;
  const expected = readSettings(c);
  const value = c.secrets.value;
  let view;
  let text;
  if (value === undefined || value === null) view = { none: true };
  else {
    try {
      text = JSON.stringify(value, ALL_KEYS);
    } catch {
      view = { fatal: SETTINGS_UNREADABLE.throws };
    }
    if (!view && text === undefined) view = { none: true };
    else if (!view && text.length > MAX_SECRETS_TEXT) view = { fatal: SETTINGS_UNREADABLE.long };
    else if (!view) {
      const parsed = JSON.parse(text);
      if (!jsonDepthOk(parsed)) view = { fatal: SETTINGS_UNREADABLE.deep };
      else {
        const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
        view = { keys: {} };
        for (const key of ALL_KEYS) {
          const v = isObject && Object.prototype.hasOwnProperty.call(parsed, key) ? parsed[key] : null;
          if (v === null) view.keys[key] = { cls: 'absent' };
          else if (typeof v !== 'string' || hasLoneSurrogate(v)) view.keys[key] = { cls: 'notText' };
          else if (rustTrim(v) === '') view.keys[key] = { cls: 'absent' };
          else view.keys[key] = { cls: 'text', text: v };
        }
      }
    }
  }
  if (expected.fatal || view.fatal) {
    return expected.fatal === view.fatal ? null
      : `settings refused: generator ${JSON.stringify(expected.fatal || 'no')}, JSON reading ${JSON.stringify(view.fatal || view).slice(0, 300)}`;
  }
  for (const key of ALL_KEYS) {
    const s = expected.settings[key];
    const got = view.none ? { cls: 'absent' } : view.keys[key];
    const want = s.cls === 'valid' || s.cls === 'invalid' ? 'text' : s.cls;
    if (got.cls !== want || (want === 'text' && got.text !== s.text)) {
      return `setting ${key}: generator ${s.cls}${want === 'text' ? ` ${JSON.stringify(s.text).slice(0, 80)}` : ''}, JSON reading ${got.cls}`
        + `${got.cls === 'text' ? ` ${JSON.stringify(got.text).slice(0, 80)}` : ''}`;
    }
  }
  return null;
}

/**
 * `roles=metadata`: `{names, dropped, metadata: true}` from the user's app_metadata at `config.metadataPath`;
 * when it fails, `onError` decides: `{fatal}` (deny) or the event's roles (continue).
 */
function metadataRoles(c, config) {
  const maxChars = config.maxClaimBytes;
  let read;
  if (c.event.fatalField === 'user') read = { fails: 'event.user threw: ' };
  else read = (c.user.meta || META_MISSING)(config.metadataPath);
  // onError=continue: the event's roles, and the login counts as continued.
  const fallBack = () => ({ ...readRoles(c, maxChars), continued: true });
  if (read.fails) return config.onError === 'deny' ? { fatal: read.fails } : fallBack();
  if (read.missing) return { entries: [], metadata: true };
  const entries = readEntries(read.entries, maxChars);
  if (!entries) {
    const fatal = `event: user.app_metadata.${config.metadataPath} holds more than ${maxChars} characters: the claim cannot fit maxClaimBytes`;
    return config.onError === 'deny' ? { fatal } : fallBack();
  }
  return { entries, metadata: true };
}

/**
 * The host's side of reading a list of role entries: each entry as the binding takes it (a string, or
 * null for one that is not a primitive string or has an unpaired surrogate); null when the strings
 * pass `maxChars` UTF-16 units in all (checked before anything is copied, and before the surrogate
 * check). What the names are made of them (drops, repeats) is the Rust plan's (`claimPlan`).
 */
function readEntries(list, maxChars) {
  const entries = [];
  let left = maxChars;
  for (const entry of list) {
    if (typeof entry !== 'string') entries.push(null);
    else if (entry.length > left) return null;
    else if (hasLoneSurrogate(entry)) entries.push(null);
    else {
      entries.push(entry);
      left -= entry.length;
    }
  }
  return entries;
}

/** The role entries the Action reads: `{fatal}` (what the "login denied" line says, or starts with) or `{entries}`. */
function readRoles(c, maxChars) {
  if (c.event.fatalField === 'authorization') return { fatal: 'event.authorization threw: ' };
  if (c.auth.fatal) return { fatal: c.auth.fatal };
  const { roles } = c.auth;
  if (!roles) return { entries: [] };
  if (roles.fatal) return { fatal: roles.fatal };
  // The entries before the one whose read throws are read first: too many characters among them wins.
  const thrown = roles.throwsAt !== undefined && roles.throwsAt >= 0 && roles.throwsAt < roles.entries.length;
  const entries = readEntries(thrown ? roles.entries.slice(0, roles.throwsAt) : roles.entries, maxChars);
  if (!entries) return { fatal: `event: authorization.roles holds more than ${maxChars} characters: the claim cannot fit maxClaimBytes` };
  if (thrown) return { fatal: 'event.authorization.roles[i] threw: ' };
  return { entries };
}

/**
 * The permissions step (settings.perms set): `{permissions}` (the stand-in's answers and the scope the
 * login applies to them, for `claimPlan`) or `{fails}` (then onError decides; `fails` is the error as
 * logged, or how it starts).
 */
function permissionsStep(c, perms, roleNames, tenantWideRoles) {
  let { source, scope } = perms;
  const id = c.user.userId;
  // An organization login takes the roles path (effective: the requested API's only), unless
  // organizationPermissions=tenant, which never reads the organization. Roles from app_metadata are
  // tenant-wide: an organization login refuses them in every mode (a configuration error).
  if ((source !== 'roles' || tenantWideRoles) && !perms.tenant) {
    if (c.event.fatalField === 'organization') return { fails: 'event.organization threw: ' };
    if (c.org.fails) return { fails: c.org.fails };
    if (c.org.isOrg && tenantWideRoles) return { fails: 'configuration: setting `roles` is `metadata`', config: true };
    if (c.org.isOrg) {
      if (source === 'effective') scope = 'requested';
      source = 'roles';
    }
  }
  if (source !== 'roles') { // the user id is read only where it is sent
    if (c.event.fatalField === 'user') return { fails: 'event.user threw: ' };
    if (c.user.read === 'missing') return { fails: 'event: user is missing' };
    if (c.user.read === 'throws') return { fails: 'event.user.user_id threw: ' };
    if (typeof id !== 'string') return { fails: 'event: user.user_id is not a string' };
    if (id.length > MAX_USER_ID) return { fails: 'event: user.user_id is too long' };
    if (hasLoneSurrogate(id)) return { fails: 'event: user.user_id is a string with an unpaired surrogate' };
    if (id === '') return { fails: 'event: user.user_id is empty' };
  }
  if (c.event.fatalField === 'resource_server') return { fails: 'event.resource_server threw: ' };
  if (!c.rs.ok) return { fails: 'event.resource_server.identifier threw: ' };
  const requestedOnly = scope === 'requested';
  if (requestedOnly && !c.rs.api) return { permissions: { lists: [], requestedOnly, api: null } }; // no request at all
  // The id is part of a URL only where it is sent: `user`, and `effective` for a requested API.
  const sent = source === 'user' || (source === 'effective' && c.rs.api);
  if (sent && DOT_SEGMENT_IDS.has(id)) return { fails: 'management API: user_id "." or ".." cannot be sent as a URL path segment' };
  const lists = permissionLists({
    source, userId: c.user.userId, api: c.rs.api, roleNames,
  });
  return { permissions: { lists, requestedOnly, api: c.rs.api || null } };
}

// ---- the oracle ---------------------------------------------------------------------------------

/**
 * The claim plan, from the Rust code (`claimPlan`) given what the host gave: `{claims: [[name, value],
 * ...], truncated}` or `{deny: 'size'}`.
 * @param {string} settings the settings text the Action reads
 * @param {{entries: (string|null)[], metadata?: boolean}} roles the role entries read
 * @param {object|null} permissions the permissions step's answers (`permissionsStep`), null for none
 */
function rustPlan(settings, roles, permissions) {
  const answer = TEST_EXPORTS.claimPlan({
    settings, roleEntries: roles.entries, rolesFromMetadata: Boolean(roles.metadata), permissions, groups: null,
  });
  if (!answer.plan) return { deny: 'size', dropped: answer.dropped, roleNames: answer.roles };
  const claims = answer.plan.claims.map(({ name, value }) => [name, value]);
  return { claims, truncated: claims.some(([name]) => name.endsWith('_truncated')), dropped: answer.dropped, roleNames: answer.roles };
}

/**
 * @returns {{expectedCalls: unknown[][] | null, outcome: string, dropped: number | null, permissionsSkipped: string | false,
 *   denyLine: string | null}}
 *   expectedCalls null when the api is unusable (nothing can be recorded); dropped: the role entries the
 *   "dropped N role entries" log line counts (null when the roles are not read, 0 when no line is due);
 *   permissionsSkipped: the error the "continuing without permissions" line gives (or starts with);
 *   denyLine: what the "login denied" line says (or starts with) when the Action itself denies
 */
function oracle(c) {
  let plan;
  let dropped = null;
  let droppedFrom = null;
  let rolesContinued = false;
  let permissionsSkipped = false;
  const read = readSettings(c);
  const config = read.fatal ? null : configOutcome(c, read);
  if (read.fatal) plan = { deny: 'event', line: read.fatal };
  else if (config.fatal) plan = { deny: 'config', line: `configuration: setting \`${config.fatal}\` ` };
  else {
    const roles = config.roles === 'metadata' ? metadataRoles(c, config) : readRoles(c, config.maxClaimBytes);
    if (roles.fatal) plan = { deny: 'event', line: roles.fatal };
    else {
      // The role names and the entries dropped: the Rust plan's, from the entries read.
      const rolesOnly = rustPlan(config.text, roles, null);
      dropped = rolesOnly.dropped;
      droppedFrom = roles.metadata ? 'metadata' : 'event';
      rolesContinued = Boolean(roles.continued);
      let permissions = null;
      if (config.perms) {
        const step = permissionsStep(c, config.perms, rolesOnly.roleNames, Boolean(roles.metadata && !roles.continued));
        if (!step.fails) ({ permissions } = step);
        else if (config.onError === 'deny') plan = { deny: step.config ? 'config' : 'permissions', line: step.fails };
        else permissionsSkipped = step.fails;
      }
      if (!plan) {
        plan = permissions ? rustPlan(config.text, roles, permissions) : rolesOnly;
        if (plan.deny) plan.line = 'claim plan: ';
        plan.tokens = config.tokens;
        if (plan.claims) plan.withPermissions = Boolean(permissions) && !plan.truncated;
      }
    }
  }
  // logLine=json: one structured line last, whenever the settings were read and accepted.
  // continued: a step failed and onError=continue went on (the structured line's outcome).
  const logs = { dropped, droppedFrom, continued: rolesContinued || Boolean(permissionsSkipped), permissionsSkipped, denyLine: plan.deny ? plan.line : null, logLine: Boolean(config && !config.fatal && config.logLine) };
  // A configuration error has its own reason (a retry cannot help), from the test build.
  const deny = ['deny', plan.deny === 'config' ? TEST_EXPORTS.configDenyReason() : c.denyReason];
  const { broken, throwAt } = c.apiInfo;
  // A login that must be denied and cannot be (its deny throws) is failed by rejecting.
  if (broken.all) return { expectedCalls: null, outcome: plan.deny ? `deny:${plan.deny}/api unusable` : 'api unusable', rejects: true, ...logs };
  if (plan.deny) {
    return broken.deny ? { expectedCalls: [], outcome: `deny:${plan.deny}/deny threw`, couldNotDeny: true, rejects: true, ...logs }
      : { expectedCalls: [deny], outcome: `deny:${plan.deny}`, ...logs };
  }
  const sequence = [];
  if (plan.tokens.id) for (const [k, v] of plan.claims) sequence.push(['idToken', k, v]);
  if (plan.tokens.access) for (const [k, v] of plan.claims) sequence.push(['accessToken', k, v]);
  const done = [];
  for (let i = 0; i < sequence.length; i += 1) {
    const [token] = sequence[i];
    const fails = i === throwAt || (token === 'idToken' && broken.id) || (token === 'accessToken' && broken.access);
    if (fails) {
      const partial = done.length > 0;
      if (broken.deny) return { expectedCalls: done, outcome: 'api threw/deny threw', couldNotDeny: true, rejects: true, ...logs };
      return { expectedCalls: [...done, deny], outcome: partial ? 'api threw mid-way: partial claims + deny' : 'api threw: deny', ...logs };
    }
    done.push(sequence[i]);
  }
  let outcome = plan.truncated ? 'claims: roles + permissions_truncated' : plan.withPermissions ? 'claims: roles + permissions' : 'claims: roles';
  if (permissionsSkipped) outcome += ' (permissions skipped, onError=continue)';
  return { expectedCalls: done, outcome, ...logs };
}

// ---- one case -------------------------------------------------------------------------------------

/**
 * Generate case `i`.
 * @param {ReturnType<import('./prng').createRandom>} r
 * @param {object} ctx {cacheStore: () => CacheStore, sharedCache, denyReason, onReenter}
 */
function generateCase(r, ctx) {
  const tags = new Set();
  // Settings: mostly valid so that many cases reach the claims; credentials in about a third.
  const withCreds = r.chance(0.35);
  const settings = {};
  for (const key of ALL_KEYS) {
    let p;
    if (key === 'namespace') p = { pValid: 0.85, pInvalid: 0.08, pWrong: 0.04 };
    else if (['domain', 'clientId', 'clientSecret'].includes(key)) p = withCreds ? { pValid: 0.97, pInvalid: 0.01, pWrong: 0.01 } : { pValid: 0, pInvalid: 0.01, pWrong: 0.005 };
    else if (key === 'permissions') p = withCreds ? { pValid: 0.5, pInvalid: 0.02, pWrong: 0.01 } : { pValid: 0.02, pInvalid: 0.01, pWrong: 0.005 };
    else p = { pValid: 0.3, pInvalid: 0.015, pWrong: 0.01 };
    settings[key] = genSetting(r, key, p);
    // 1 MB setting texts: the settings text passes its limit, the login is denied before any setting is judged.
    if (key === 'domain' && settings[key].cls === 'valid' && r.chance(0.002)) settings[key] = textSetting(BIG.mbDomain, BIG.mbDomain, 'valid', 1, ['1 MB string']);
    if (key === 'namespace' && settings[key].cls === 'valid' && r.chance(0.003)) settings[key] = textSetting(BIG.mbHost, BIG.mbHost, 'valid', BIG.mbHost, ['1 MB string']);
    if (key === 'namespace' && r.chance(0.002)) settings[key] = textSetting(BIG.mbPlain, BIG.mbPlain, 'invalid', undefined, ['1 MB string']);
    for (const t of settings[key].tags) tags.add(t);
    if (settings[key].cls === 'notText') tags.add(`setting ${key}: not a string`);
    if (settings[key].cls === 'invalid') tags.add(`setting ${key}: invalid`);
    if (settings[key].cls === 'fatal') tags.add(`setting ${key}: settings unreadable`);
  }
  if (withCreds && r.chance(0.1)) {
    // A small limit with omit: the permissions claim gives way to permissions_truncated.
    const limit = r.pick([100, 120, 140]);
    settings.maxClaimBytes = textSetting(String(limit), String(limit), 'valid', limit, []);
    settings.onOverflow = textSetting('omit', 'omit', 'valid', 'omit', []);
  }
  const user = genUser(r);
  // A 1 MB domain or user_id is refused before any request; were one ever sent (URLs of 1 MB are slow), the default budget.
  if (user.tags.includes('1 MB string') || settings.domain.value === BIG.mbDomain) {
    settings.budgetMs = { present: false, cls: 'absent', tags: [] };
  }
  const secrets = genSecrets(r, settings);
  // The roles are generated knowing maxClaimBytes (the cap on their characters in all) to probe it.
  const roles = genRoles(r, settings.maxClaimBytes.cls === 'valid' ? settings.maxClaimBytes.meaning : 90000);
  const auth = genAuthorization(r, roles);
  const rs = genResourceServer(r);
  const org = genOrganization(r);
  const event = genEventContainer(r, {
    secrets: secrets.value, authorization: auth.value, user: user.value, resource_server: rs.value, organization: org.value,
  });
  const apiInfo = genApi(r, ctx);
  for (const t of [...secrets.tags, ...roles.tags, ...auth.tags, ...user.tags, ...rs.tags, ...org.tags, ...event.tags, ...apiInfo.tags]) tags.add(t);
  const c = {
    settings, secrets, auth, user, rs, org, event, apiInfo, denyReason: ctx.denyReason,
  };
  const expect = oracle(c);
  const secret = settings.clientSecret.present && typeof settings.clientSecret.value === 'string' ? settings.clientSecret.value : null;
  return {
    event: event.value, api: apiInfo.api, calls: apiInfo.calls, expect, modelCheck: jsonSettingsCheck(c), tags: [...tags], secret,
  };
}

module.exports = {
  generateCase, hasLoneSurrogate, throwingProxy, revokedProxy, deepFreeze, ALL_KEYS, BIG, ROLES, MAX_SECRETS_TEXT,
};
