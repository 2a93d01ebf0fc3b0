'use strict';
/**
 * The smallest post-login `api` the Actions use (idToken/accessToken.setCustomClaim, access.deny,
 * cache), for calling onExecutePostLogin directly without the local host's overhead, and an
 * in-memory `api.cache` with the contract's get/set/delete results.
 */

const DEFAULT_TTL_MS = 15 * 60 * 1000;
const MAX_TTL_MS = 24 * 60 * 60 * 1000;

/** `api.cache` for one Action instance: string values, `ttl`/`expires_at` in ms, earlier wins. */
class MemoryCache {
  constructor() { this.entries = new Map(); }

  get(key) {
    const record = this.entries.get(key);
    if (!record) return undefined;
    if (record.expires_at < Date.now()) { this.entries.delete(key); return undefined; }
    return { value: record.value, expires_at: record.expires_at };
  }

  set(key, value, options = {}) {
    if (typeof key !== 'string' || typeof value !== 'string') throw new TypeError('api.cache: key and value must be strings');
    if (Buffer.byteLength(key) > 64) return { type: 'error', code: 'CacheKeySizeExceeded' };
    if (Buffer.byteLength(value) > 4096) return { type: 'error', code: 'CacheValueSizeExceeded' };
    const now = Date.now();
    let expiresAt;
    if (options.ttl !== undefined) expiresAt = now + Math.floor(options.ttl);
    if (options.expires_at !== undefined) expiresAt = expiresAt === undefined ? Math.floor(options.expires_at) : Math.min(expiresAt, Math.floor(options.expires_at));
    if (expiresAt === undefined) expiresAt = now + DEFAULT_TTL_MS;
    if (!Number.isFinite(expiresAt) || expiresAt - now > MAX_TTL_MS) return { type: 'error', code: 'InvalidExpiry' };
    if (expiresAt <= now) return { type: 'error', code: 'ItemAlreadyExpired' };
    const record = { value, expires_at: expiresAt };
    this.entries.set(key, record);
    return { type: 'success', record: { ...record } };
  }

  delete(key) {
    if (!this.entries.delete(key)) return { type: 'error', code: 'CacheKeyDoesNotExist' };
    return { type: 'success' };
  }
}

/**
 * A recording api for one login.
 * @param {MemoryCache} cache the instance's cache
 * @returns {{api: object, claims: {idToken: object, accessToken: object}, calls: Array, denied: () => string|null}}
 */
function recordingApi(cache) {
  const claims = { idToken: {}, accessToken: {} };
  const calls = [];
  let denied = null;
  const api = {
    idToken: { setCustomClaim(name, value) { claims.idToken[name] = value; calls.push(['idToken', name]); return api; } },
    accessToken: { setCustomClaim(name, value) { claims.accessToken[name] = value; calls.push(['accessToken', name]); return api; } },
    access: { deny(reason) { denied = reason; calls.push(['deny', reason]); return api; } },
    cache,
  };
  return { api, claims, calls, denied: () => denied };
}

/**
 * Replace console.log (and friends) with a capture while `fn` runs; returns fn's result and the lines.
 * The Actions log only on failures and retries; captured lines explain denials in the report.
 */
async function withCapturedConsole(fn, { keep = 200 } = {}) {
  const methods = ['log', 'info', 'warn', 'error'];
  const saved = methods.map((m) => console[m]);
  const lines = [];
  let total = 0;
  for (const m of methods) {
    console[m] = (...args) => { total += 1; if (lines.length < keep) lines.push(args.map(String).join(' ')); };
  }
  try {
    const value = await fn();
    return { value, lines, total };
  } finally {
    methods.forEach((m, i) => { console[m] = saved[i]; });
  }
}

module.exports = { MemoryCache, recordingApi, withCapturedConsole };
