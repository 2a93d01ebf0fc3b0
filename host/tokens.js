'use strict';
/**
 * The tokens Auth0 would issue at the end of a post-login flow, as real RS256 JWTs signed with a
 * generated key (via `jose`), plus the small HS256 helpers behind `api.redirect.encodeToken` /
 * `validateToken` (synchronous in Auth0, so done with node:crypto).
 */
const crypto = require('node:crypto');

let josePromise;
/** @returns {Promise<typeof import('jose')>} jose, loaded once (ESM-only, hence dynamic import) */
function loadJose() {
  // jose 6 uses the global Web Crypto API, which Node 18 only exposes as crypto.webcrypto.
  if (!globalThis.crypto) globalThis.crypto = crypto.webcrypto;
  if (!josePromise) josePromise = import('jose');
  return josePromise;
}

/** Default lifetimes Auth0 uses: ID token 36 000 s, access token 86 400 s. */
const TOKEN_LIFETIMES = Object.freeze({ idToken: 36000, accessToken: 86400 });

/**
 * Generate an RS256 key pair with a `kid` (its JWK thumbprint).
 * @returns {Promise<{privateKey: CryptoKey, publicKey: CryptoKey, publicJwk: object, kid: string}>}
 */
async function createKeyPair() {
  const jose = await loadJose();
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const publicJwk = await jose.exportJWK(publicKey);
  const kid = await jose.calculateJwkThumbprint(publicJwk);
  return { privateKey, publicKey, publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' }, kid };
}

/** The issuer Auth0 would use: the login hostname (custom domain or tenant domain). */
function issuerFor(event) {
  const host = (event.custom_domain && event.custom_domain.domain)
    || (event.request && event.request.hostname)
    || `${(event.tenant && event.tenant.id) || 'tenant'}.local.auth0`;
  return `https://${host}/`;
}

/** Initial access-token scopes: the requested scopes of the transaction (or the query `scope`). */
function requestedScopes(event) {
  const t = event.transaction;
  if (t && Array.isArray(t.requested_scopes)) return [...t.requested_scopes];
  const q = event.request && event.request.query && event.request.query.scope;
  return typeof q === 'string' ? q.split(/\s+/).filter(Boolean) : [];
}

/**
 * The claims Auth0 itself puts in each token (no custom claims).
 * @param {object} event
 * @param {{nowSec: number, scopes: string[]}} opts
 * @returns {{idToken: object, accessToken: object, audience: string|undefined, opaqueAccessToken: boolean}}
 */
function standardClaims(event, { nowSec, scopes }) {
  const iss = issuerFor(event);
  const user = event.user || {};
  const clientId = event.client && event.client.client_id;
  const audience = event.resource_server && event.resource_server.identifier;
  const idToken = { iss, sub: user.user_id, aud: clientId, iat: nowSec, exp: nowSec + TOKEN_LIFETIMES.idToken };
  if (event.session && event.session.id) idToken.sid = event.session.id;
  const nonce = event.request && event.request.query && event.request.query.nonce;
  if (nonce) idToken.nonce = nonce;
  if (scopes.includes('profile')) {
    for (const k of ['given_name', 'family_name', 'nickname', 'name', 'picture', 'updated_at']) {
      if (user[k] !== undefined) idToken[k] = user[k];
    }
  }
  if (scopes.includes('email')) {
    for (const k of ['email', 'email_verified']) if (user[k] !== undefined) idToken[k] = user[k];
  }
  const accessToken = {
    iss,
    sub: user.user_id,
    aud: audience ? (scopes.includes('openid') ? [audience, `${iss}userinfo`] : audience) : `${iss}userinfo`,
    iat: nowSec,
    exp: nowSec + TOKEN_LIFETIMES.accessToken,
    scope: scopes.join(' '),
    azp: clientId,
  };
  if (event.organization && event.organization.id) {
    idToken.org_id = event.organization.id;
    accessToken.org_id = event.organization.id;
    if (event.organization.name) {
      idToken.org_name = event.organization.name;
      accessToken.org_name = event.organization.name;
    }
  }
  return { idToken, accessToken, audience, opaqueAccessToken: !audience };
}

/**
 * Sign both tokens.
 * @param {{standard: {idToken: object, accessToken: object}, custom: {idToken: object, accessToken: object},
 *   keyPair: {privateKey: CryptoKey, kid: string}}} input
 * @returns {Promise<{idToken: string, accessToken: string, decoded: {idToken: object, accessToken: object}}>}
 */
async function mintTokens({ standard, custom, keyPair }) {
  const jose = await loadJose();
  const sign = (payload, typ) => new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ, kid: keyPair.kid })
    .sign(keyPair.privateKey);
  // Custom claims first, standard claims last: a standard claim can never be overwritten.
  const idPayload = { ...custom.idToken, ...standard.idToken };
  const atPayload = { ...custom.accessToken, ...standard.accessToken };
  const [idToken, accessToken] = await Promise.all([sign(idPayload, 'JWT'), sign(atPayload, 'JWT')]);
  return { idToken, accessToken, decoded: { idToken: jose.decodeJwt(idToken), accessToken: jose.decodeJwt(accessToken) } };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** HS256-sign a payload synchronously (for `api.redirect.encodeToken`). */
function signHs256(payload, secret) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const sig = crypto.createHmac('sha256', String(secret)).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/**
 * Verify an HS256 JWT synchronously.
 * @returns {{valid: true, payload: object} | {valid: false, reason: string}}
 */
function verifyHs256(token, secret, { nowSec = Math.floor(Date.now() / 1000) } = {}) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return { valid: false, reason: 'malformed token' };
  const expected = crypto.createHmac('sha256', String(secret)).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    return { valid: false, reason: 'invalid signature' };
  }
  let payload;
  try { payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')); } catch {
    return { valid: false, reason: 'malformed payload' };
  }
  if (typeof payload.exp === 'number' && payload.exp <= nowSec) return { valid: false, reason: 'token expired' };
  return { valid: true, payload };
}

module.exports = {
  loadJose, createKeyPair, issuerFor, requestedScopes, standardClaims, mintTokens, signHs256, verifyHs256, TOKEN_LIFETIMES,
};
