'use strict';
/**
 * Auth0's custom-claim rules, applied to the claims an Action set, as Auth0 does
 * when it builds the tokens at the end of the flow. Pure functions, no I/O.
 */

// Auth0's claim rules live in one data file, which the Rust crate reads too (its build.rs).
const CLAIM_RULES = require('../data/auth0-claim-rules.json');

/** Claim names Auth0 silently ignores in `setCustomClaim`. */
const RESTRICTED_CLAIMS = Object.freeze(new Set(CLAIM_RULES.restrictedClaimNames));

/** Namespaces owned by Auth0: a claim whose namespace host equals or ends with one is ignored. */
const AUTH0_NAMESPACE_HOSTS = Object.freeze([...CLAIM_RULES.reservedNamespaceHosts]);

/** Custom-claims payload limit per token: 100 KB of names + values (CCM). */
const CUSTOM_CLAIMS_LIMIT_BYTES = 100 * 1024;

/** OIDC profile claims and the scope each needs when added to an access token (CCM, CC). */
const OIDC_CLAIM_SCOPES = Object.freeze({
  name: 'profile', family_name: 'profile', given_name: 'profile', middle_name: 'profile',
  nickname: 'profile', preferred_username: 'profile', profile: 'profile', picture: 'profile',
  website: 'profile', gender: 'profile', birthdate: 'profile', zoneinfo: 'profile', locale: 'profile',
  updated_at: 'profile', email: 'email', email_verified: 'email', address: 'address',
  phone_number: 'phone', phone_number_verified: 'phone',
});

const { setOwn } = require('./event');

const TOKENS = ['idToken', 'accessToken'];

/** @returns {string|null} the host of a namespaced claim name (`https://host/...`, `host/...`) */
function namespaceHost(name) {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(name);
  if (scheme) {
    const authority = scheme[1].replace(/^[^@]*@/, '').replace(/:\d*$/, '');
    return authority.toLowerCase().replace(/\.$/, '');
  }
  const bare = /^([a-z0-9-]+(?:\.[a-z0-9-]+)+)\//i.exec(name);
  return bare ? bare[1].toLowerCase() : null;
}

/** @returns {boolean} whether the claim name carries a namespace (URL or URN) */
function isNamespaced(name) {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(name) || /^urn:/i.test(name) || namespaceHost(name) !== null;
}

/**
 * Why Auth0 would ignore this claim name on any token, or null if the name is allowed.
 * @param {string} name
 * @returns {string|null}
 */
function restrictedNameReason(name) {
  if (typeof name !== 'string' || name.length === 0) return 'claim name is not a non-empty string';
  if (name.startsWith(CLAIM_RULES.restrictedClaimPrefix)) return `claim names starting with "${CLAIM_RULES.restrictedClaimPrefix}" are restricted`;
  if (RESTRICTED_CLAIMS.has(name)) {
    return `"${name}" is a restricted claim name; Auth0 ignores it silently `
      + `(use a namespaced name such as https://example.com/${name})`;
  }
  const urn = /^urn:([^:]*)(?::|$)/i.exec(name);
  if (urn && CLAIM_RULES.reservedUrnNamespaces.includes(urn[1].toLowerCase())) return `the urn:${urn[1].toLowerCase()} namespace is reserved by Auth0`;
  const host = namespaceHost(name);
  if (host) {
    const owned = AUTH0_NAMESPACE_HOSTS.find((d) => host === d || host.endsWith(`.${d}`));
    if (owned) return `namespace ${host} belongs to Auth0 (${owned}); Auth0 ignores the claim silently`;
  }
  return null;
}

/** @returns {string|null} where in `value` a Map or Set hides (they serialize as `{}`) */
function findMapOrSet(value, at = '', seen = new Set()) {
  if (value === null || typeof value !== 'object' || seen.has(value)) return null;
  seen.add(value);
  if (value instanceof Map || value instanceof Set) return `${at || 'the value'} is a ${value.constructor.name}`;
  if (typeof value.toJSON === 'function') return null;
  for (const [k, v] of Object.entries(value)) {
    const found = findMapOrSet(v, `${at}${Array.isArray(value) ? `[${k}]` : `.${k}`}`, seen);
    if (found) return found;
  }
  return null;
}

/** @returns {{ok: true, json: string} | {ok: false, reason: string}} */
function serialize(value) {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    return { ok: false, reason: `value of type ${typeof value} has no JSON form; the claim would be absent` };
  }
  try {
    const json = JSON.stringify(value);
    if (json === undefined) return { ok: false, reason: 'value has no JSON form; the claim would be absent' };
    return { ok: true, json };
  } catch (e) {
    return { ok: false, reason: `value cannot be serialized to JSON (${e.message})` };
  }
}

/**
 * Whether an access token audience is an Auth0 API (Management API, MFA API, `*.auth0app.com`),
 * on which private non-namespaced claims are ignored. `/userinfo` is exempt.
 * @param {string|undefined} audience
 * @param {string} [tenantHost] the tenant's own domain, e.g. `dev.us.auth0.com`
 */
function isAuth0ApiAudience(audience, tenantHost) {
  if (typeof audience !== 'string') return false;
  let url;
  try { url = new URL(audience); } catch { return false; }
  const host = url.hostname.toLowerCase();
  const path = url.pathname;
  if (/^\/userinfo\/?$/.test(path)) return false;
  if (host === 'auth0app.com' || host.endsWith('.auth0app.com')) return true;
  const ownHost = host === 'auth0.com' || host.endsWith('.auth0.com') || (tenantHost && host === tenantHost.toLowerCase());
  return Boolean(ownHost) && /^\/(api|mfa)(\/|$)/.test(path);
}

/**
 * Apply Auth0's claim rules to the custom claims of each token.
 *
 * @param {{idToken?: Record<string, unknown>, accessToken?: Record<string, unknown>}} claimsByToken
 *   custom claims as the Action set them (last write per name wins)
 * @param {object} [options]
 * @param {Record<string, string[]>} [options.standardClaims] per token, claim names Auth0 itself puts
 *   in the token; a custom claim with one of these names collides and is ignored
 * @param {string} [options.accessTokenAudience] the access token `aud`; an Auth0 API audience drops
 *   non-namespaced claims from the access token
 * @param {string} [options.tenantHost] tenant domain, to recognise its own APIs as Auth0 APIs
 * @param {string[]} [options.scopes] scopes granted to the access token (OIDC claims need theirs)
 * @returns {{claims: {idToken: object, accessToken: object}, dropped: {token: string, claim: string, reason: string}[],
 *   warnings: {token: string, claim: string, reason: string}[], sizes: {idToken: number, accessToken: number}, error?: string}}
 *   `error` is set when a token's custom claims exceed 100 KB: Auth0 then fails the login.
 *   `warnings` lists kept claims whose JSON form loses data (a Map or Set becomes `{}`).
 */
function applyClaimRules(claimsByToken, options = {}) {
  const { standardClaims = {}, accessTokenAudience, tenantHost, scopes } = options;
  const claims = { idToken: {}, accessToken: {} };
  const dropped = [];
  const warnings = [];
  const sizes = { idToken: 0, accessToken: 0 };
  const errors = [];
  const auth0Audience = isAuth0ApiAudience(accessTokenAudience, tenantHost);

  for (const token of TOKENS) {
    const input = (claimsByToken && claimsByToken[token]) || {};
    const standard = new Set(standardClaims[token] || []);
    const kept = {};
    for (const name of Object.keys(input)) {
      const value = input[name];
      let reason = restrictedNameReason(name);
      if (!reason && standard.has(name)) {
        reason = `collides with the "${name}" claim Auth0 sets in the ${token}; Auth0 keeps its own and ignores the custom claim`;
      }
      if (!reason && token === 'accessToken' && auth0Audience && !isNamespaced(name)) {
        reason = `non-namespaced claims are ignored on access tokens for Auth0 APIs (audience ${accessTokenAudience})`;
      }
      if (!reason && token === 'accessToken' && Array.isArray(scopes) && OIDC_CLAIM_SCOPES[name]
        && !scopes.includes(OIDC_CLAIM_SCOPES[name])) {
        reason = `OIDC claim "${name}" needs scope "${OIDC_CLAIM_SCOPES[name]}" in an access token`;
      }
      let serialized;
      if (!reason) {
        serialized = serialize(value);
        if (!serialized.ok) reason = serialized.reason;
      }
      if (reason) {
        dropped.push({ token, claim: name, reason });
        continue;
      }
      const lossy = findMapOrSet(value);
      if (lossy) warnings.push({ token, claim: name, reason: `${lossy}, which JSON (and so the token) renders as {}` });
      setOwn(kept, name, JSON.parse(serialized.json));
    }
    sizes[token] = Buffer.byteLength(JSON.stringify(kept), 'utf8');
    if (sizes[token] > CUSTOM_CLAIMS_LIMIT_BYTES) {
      errors.push(`custom claims of the ${token} take ${sizes[token]} bytes, over Auth0's `
        + `${CUSTOM_CLAIMS_LIMIT_BYTES}-byte (100 KB) limit: Auth0 fails the login`);
    }
    claims[token] = kept;
  }
  const result = { claims, dropped, warnings, sizes };
  if (errors.length) result.error = errors.join('; ');
  return result;
}

module.exports = {
  applyClaimRules,
  restrictedNameReason,
  isAuth0ApiAudience,
  isNamespaced,
  RESTRICTED_CLAIMS,
  AUTH0_NAMESPACE_HOSTS,
  CUSTOM_CLAIMS_LIMIT_BYTES,
  OIDC_CLAIM_SCOPES,
};
