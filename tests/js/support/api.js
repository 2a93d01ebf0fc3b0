'use strict';
/**
 * Recording post-login `api` objects for calling the Action directly (without the host): the one
 * recording api is host/api.js's `recordingApi` (the benchmarks use it too); `api.cache` is backed by
 * the host's CacheStore (host/cache.js).
 */
const { recordingApi, claimsOf } = require('../../../host/api');
const { CacheStore } = require('../../../host/cache');

module.exports = { recordingApi, claimsOf, CacheStore };
