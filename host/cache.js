'use strict';
/**
 * `api.cache` as Auth0 documents it, backed by an in-memory store that a host
 * can keep across runs (a warm Action instance) or drop (a cold one).
 *
 * Decisions where the documentation leaves room (each one is asserted by tests/host.test.js):
 * - Sizes are UTF-8 bytes: key ≤ 64, value ≤ 4096, keys + values of all live entries ≤ 8192.
 * - The 21st distinct live entry is refused with `CacheSizeExceeded`: the entry count is a limit on
 *   the size of the cache, like the byte total. `MaxSideEffectsExceeded` is what Auth0's own SDK
 *   types as an "internal command add error" (too many side-effect commands in one execution);
 *   its threshold is not documented, so the store only returns it when injected with `failNext`.
 *   `FailedToSetCacheRecord` / `FailedToDeleteCacheRecord` are backend failures: same mechanism.
 * - Overwriting a key replaces its old entry, so the old key+value do not count toward the total.
 * - Expired entries are invisible to `get` and do not count toward any limit.
 * - A non-string key or value throws a `TypeError` (Auth0's implementation measures both with
 *   `Buffer.byteLength`, which throws for non-strings); it is not a result code.
 * - `ttl` and `expires_at` must be finite numbers (else `InvalidExpiry`); both given → the earlier
 *   wins; an expiry at or before now → `ItemAlreadyExpired`; more than 24 h ahead → `InvalidExpiry`.
 * - Size checks run before expiry checks (Auth0's order). `get` treats `expires_at === now` as live.
 */

/** Documented limits of the Actions cache. */
const CACHE_LIMITS = Object.freeze({
  maxKeyBytes: 64,
  maxValueBytes: 4096,
  maxTotalBytes: 8192,
  maxEntries: 20,
  defaultTtlMs: 15 * 60 * 1000,
  maxTtlMs: 24 * 60 * 60 * 1000,
});

/** Every `CacheWriteErrorCode` of the typings. */
const CACHE_ERROR_CODES = Object.freeze([
  'MaxSideEffectsExceeded',
  'CacheKeySizeExceeded',
  'CacheValueSizeExceeded',
  'CacheSizeExceeded',
  'ItemAlreadyExpired',
  'InvalidExpiry',
  'FailedToSetCacheRecord',
  'FailedToDeleteCacheRecord',
  'CacheKeyDoesNotExist',
]);

const error = (code) => ({ type: 'error', code });
const bytes = (s) => Buffer.byteLength(s, 'utf8');
const isFiniteNumber = (n) => typeof n === 'number' && Number.isFinite(n);

function assertString(what, v) {
  if (typeof v !== 'string') {
    throw new TypeError(`api.cache: the ${what} must be a string (got ${v === null ? 'null' : typeof v})`);
  }
}

/**
 * In-memory Actions cache with Auth0's limits and result objects. All methods are synchronous.
 */
class CacheStore {
  /**
   * @param {object} [options]
   * @param {() => number} [options.now=Date.now] clock in ms since the epoch
   * @param {Partial<typeof CACHE_LIMITS>} [options.limits] override limits (tests only)
   */
  constructor({ now = Date.now, limits = {} } = {}) {
    this.now = now;
    this.limits = Object.freeze({ ...CACHE_LIMITS, ...limits });
    /** @type {Map<string, {value: string, expires_at: number}>} */
    this._entries = new Map();
    /** @type {{set: {code: string, count: number}[], delete: {code: string, count: number}[]}} */
    this._failures = { set: [], delete: [] };
  }

  /**
   * @param {string} key
   * @returns {{value: string, expires_at: number} | undefined} a copy of the live record
   */
  get(key) {
    assertString('key', key);
    const record = this._live(key, this.now());
    return record ? { value: record.value, expires_at: record.expires_at } : undefined;
  }

  /**
   * @param {string} key
   * @param {string} value
   * @param {{ttl?: number, expires_at?: number}} [options] both in milliseconds
   * @returns {{type: 'success', record: {value: string, expires_at: number}} | {type: 'error', code: string}}
   */
  set(key, value, options) {
    assertString('key', key);
    assertString('value', value);
    const now = this.now();
    this._purge(now);
    const { limits } = this;
    const keyBytes = bytes(key);
    const valueBytes = bytes(value);
    if (keyBytes > limits.maxKeyBytes) return error('CacheKeySizeExceeded');
    if (valueBytes > limits.maxValueBytes) return error('CacheValueSizeExceeded');
    const replacing = this._entries.get(key);
    const entriesAfter = this._entries.size + (replacing ? 0 : 1);
    const otherBytes = this.totalBytes - (replacing ? bytes(key) + bytes(replacing.value) : 0);
    if (entriesAfter > limits.maxEntries) return error('CacheSizeExceeded');
    if (otherBytes + keyBytes + valueBytes > limits.maxTotalBytes) return error('CacheSizeExceeded');

    const given = options !== undefined && options !== null;
    const ttl = given ? options.ttl : undefined;
    const expiresAtOpt = given ? options.expires_at : undefined;
    let expiresAt;
    if (ttl !== undefined) {
      if (!isFiniteNumber(ttl)) return error('InvalidExpiry');
      expiresAt = now + Math.floor(ttl);
    }
    if (expiresAtOpt !== undefined) {
      if (!isFiniteNumber(expiresAtOpt)) return error('InvalidExpiry');
      const abs = Math.floor(expiresAtOpt);
      expiresAt = expiresAt === undefined ? abs : Math.min(expiresAt, abs);
    }
    if (expiresAt === undefined) expiresAt = now + limits.defaultTtlMs;
    if (expiresAt <= now) return error('ItemAlreadyExpired');
    if (!Number.isSafeInteger(expiresAt) || expiresAt - now > limits.maxTtlMs) return error('InvalidExpiry');

    const injected = this._takeFailure('set');
    if (injected) return error(injected);
    const record = { value, expires_at: expiresAt };
    this._entries.set(key, record);
    return { type: 'success', record: { ...record } };
  }

  /**
   * @param {string} key
   * @returns {{type: 'success'} | {type: 'error', code: string}}
   */
  delete(key) {
    assertString('key', key);
    if (!this._live(key, this.now())) return error('CacheKeyDoesNotExist');
    const injected = this._takeFailure('delete');
    if (injected) return error(injected);
    this._entries.delete(key);
    return { type: 'success' };
  }

  /**
   * Make the next `count` calls of `op` fail with `code` (after validation passes), to test how an
   * Action handles backend failures. Queued injections are consumed in order.
   * @param {'set'|'delete'} op
   * @param {'MaxSideEffectsExceeded'|'FailedToSetCacheRecord'|'FailedToDeleteCacheRecord'|string} code
   * @param {number} [count=1]
   */
  failNext(op, code, count = 1) {
    if (op !== 'set' && op !== 'delete') throw new TypeError(`failNext: op must be 'set' or 'delete'`);
    if (!CACHE_ERROR_CODES.includes(code)) throw new TypeError(`failNext: unknown code ${code}`);
    this._failures[op].push({ code, count });
  }

  /** Drop every entry (a cold instance) and pending injected failures. */
  clear() {
    this._entries.clear();
    this._failures = { set: [], delete: [] };
  }

  /** Number of live entries. */
  get size() {
    this._purge(this.now());
    return this._entries.size;
  }

  /** UTF-8 bytes of the keys and values of live entries. */
  get totalBytes() {
    this._purge(this.now());
    let n = 0;
    for (const [k, r] of this._entries) n += bytes(k) + bytes(r.value);
    return n;
  }

  /** @returns {Record<string, {value: string, expires_at: number}>} snapshot of live entries */
  snapshot() {
    this._purge(this.now());
    const out = {};
    for (const [k, r] of this._entries) out[k] = { ...r };
    return out;
  }

  _live(key, now) {
    const record = this._entries.get(key);
    if (!record) return undefined;
    if (record.expires_at < now) {
      this._entries.delete(key);
      return undefined;
    }
    return record;
  }

  _purge(now) {
    for (const [k, r] of this._entries) if (r.expires_at < now) this._entries.delete(k);
  }

  _takeFailure(op) {
    const queue = this._failures[op];
    if (queue.length === 0) return null;
    const head = queue[0];
    head.count -= 1;
    if (head.count <= 0) queue.shift();
    return head.code;
  }
}

module.exports = { CacheStore, CACHE_LIMITS, CACHE_ERROR_CODES };
