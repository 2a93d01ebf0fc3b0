'use strict';
/**
 * The secrets scan: every log line, deny reason, claim value and error a suite produces goes through
 * `scan(where, value)`; each is checked against every client secret and Management API token known at
 * that moment (a secret or token can only leak after it was handed to the Action, so checking as the
 * text arrives is complete), against a partial prefix of each, and against shape markers that no
 * legitimate output contains: a JWT (`eyJ….eyJ…`), a bearer header, a token response field.
 */

const JWT_SHAPE = /eyJ[\w-]{4,}\.eyJ[\w-]{4,}/;
const BEARER = /Bearer\s+\S{8,}/i;
const TOKEN_FIELD = /"?access_token"?\s*[:=]/;
/** Every generated client secret in the hostile suite contains this marker. */
const SECRET_MARKER = 'S3CR3T';
const PREFIX_CHARS = 16;

function textOf(value) {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? `${v}n` : v)) || String(value);
  } catch {
    try { return String(value); } catch { return '[unprintable]'; }
  }
}

function createLeakScanner() {
  const secrets = new Set();
  const tokens = new Set();
  const state = {
    scanned: 0, bytes: 0, leaks: [], secretsKnown: 0, tokensKnown: 0,
  };
  // Needles searched for verbatim. Values the shape checks already catch wherever they appear (a
  // secret with the marker, a JWT) are searched by their distinctive tail (the JWT signature) only, so
  // a batch with thousands of secrets and tokens stays fast.
  const needles = new Map(); // needle -> kind

  /** @param {string} secret a client secret handed to the Action */
  function addSecret(secret) {
    if (typeof secret !== 'string' || secret.trim() === '' || secrets.has(secret)) return;
    secrets.add(secret);
    state.secretsKnown += 1;
    if (!secret.includes(SECRET_MARKER)) {
      needles.set(secret, 'client secret');
      if (secret.length > PREFIX_CHARS) needles.set(secret.slice(0, PREFIX_CHARS), 'client secret prefix');
    }
  }

  /** @param {string} token a Management API token issued to the Action */
  function addToken(token) {
    if (typeof token !== 'string' || token === '' || tokens.has(token)) return;
    tokens.add(token);
    state.tokensKnown += 1;
    const tail = token.slice(token.lastIndexOf('.') + 1);
    if (!JWT_SHAPE.test(token)) needles.set(token, 'Management API token');
    if (tail.length >= PREFIX_CHARS) needles.set(tail.slice(-PREFIX_CHARS * 2), 'Management API token signature');
  }

  /**
   * @param {string} where what the text is (e.g. 'log', 'denyReason', 'claim', 'error')
   * @param {unknown} value text or JSON-able value
   */
  function scan(where, value) {
    const text = textOf(value);
    state.scanned += 1;
    state.bytes += text.length;
    const found = [];
    if (text.includes(SECRET_MARKER)) found.push('secret marker');
    if (JWT_SHAPE.test(text)) found.push('JWT-shaped string');
    if (BEARER.test(text)) found.push('bearer header');
    if (TOKEN_FIELD.test(text)) found.push('access_token field');
    for (const [needle, kind] of needles) if (text.includes(needle)) found.push(kind);
    if (found.length) state.leaks.push({ where, found: [...new Set(found)], excerpt: text.slice(0, 200) });
  }

  return {
    addSecret,
    addToken,
    scan,
    get state() { return state; },
    /** A one-line summary for reports. */
    summary() {
      return `${state.scanned} texts (${state.bytes} chars) scanned against ${state.secretsKnown} client secrets and ${state.tokensKnown} tokens: ${state.leaks.length} leaks`;
    },
  };
}

/**
 * Wrap `globalThis.fetch` so every access token that a /oauth/token response carries is registered
 * with `scanner` before the Action sees it. Returns `restore()`.
 */
function captureIssuedTokens(scanner) {
  const original = globalThis.fetch;
  const wrapped = async function fetchCapturingTokens(url, init) {
    const res = await original(url, init);
    const length = Number(res && res.headers && res.headers.get('content-length'));
    // A body over 64 kB is no token the Action accepts (it refuses bodies over its cap): not read here.
    const small = Number.isFinite(length) && length <= 64 * 1024;
    if (String(url).endsWith('/oauth/token') && small && typeof res.clone === 'function' && res.status === 200) {
      try {
        const body = await res.clone().text();
        const m = /"access_token"\s*:\s*"([^"]+)"/.exec(body);
        if (m) scanner.addToken(m[1]);
      } catch {
        // a cut or aborted body carries no usable token
      }
    }
    return res;
  };
  globalThis.fetch = wrapped;
  return () => {
    if (globalThis.fetch === wrapped) globalThis.fetch = original;
  };
}

module.exports = {
  createLeakScanner, captureIssuedTokens, SECRET_MARKER, JWT_SHAPE,
};
