'use strict';
/** Recording post-login `api` objects for calling the Action directly (without the host). */
const { CacheStore } = require('../../../host/cache');

/**
 * @param {object} [options]
 * @param {CacheStore|object|null} [options.cache] `api.cache` (default: none, like an api without a cache)
 * @returns {object} api with `calls`: ['idToken'|'accessToken', name, value] and ['deny', reason], in order
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

/** The claims an api recorded, per token: {idToken: {name: value}, accessToken: {...}}, plus the deny. */
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

module.exports = { recordingApi, claimsOf, CacheStore };
