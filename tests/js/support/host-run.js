'use strict';
/** Shared by the fault and load suites: the local host, the stand-in, one signing key, result scanning. */
const path = require('node:path');
const { createHost, createKeyPair } = require('../../../host');
const { startStandIn } = require('../../../host/standin');

const ACTION = path.join(__dirname, '..', '..', '..', 'js', 'action.js');
const NS = 'https://rbac.example.com';
const API = 'https://api.example.com';

let keyPair;
/** One RS256 key for every host of a suite (key generation is slow). */
async function sharedKeyPair() {
  if (!keyPair) keyPair = createKeyPair();
  return keyPair;
}

async function newHost(options = {}) {
  return createHost({ keyPair: await sharedKeyPair(), ...options });
}

/** `count` permissions of API `api`, named `<prefix>:<0000>` (sorted as Rust sorts them). */
function permissionsOf(count, prefix = 'perm', api = API) {
  return Array.from({ length: count }, (_, i) => ({ permission_name: `${prefix}:${String(i).padStart(4, '0')}`, resource_server_identifier: api }));
}

function fixtureWith(users, roles = []) {
  return { resourceServers: [{ identifier: API, name: 'API' }], roles, users };
}

/** The secrets that point the Action at `server`. */
function secretsFor(server, extra = {}) {
  return {
    namespace: NS, domain: server.domain, clientId: server.clientId, clientSecret: server.clientSecret, managementUrl: server.url, ...extra,
  };
}

/** Feeds everything a host run produced that must not hold a secret into `scanner`. */
function scanResult(scanner, result) {
  for (const line of result.logs) scanner.scan('log', line);
  if (result.denyReason !== undefined) scanner.scan('denyReason', result.denyReason);
  if (result.error !== undefined) scanner.scan('error', result.error);
  scanner.scan('claim', result.claims);
  for (const call of result.calls) {
    if (/setCustomClaim$|^access\.deny$/.test(call.path)) scanner.scan('api call', call.args);
  }
}

const claim = (result, token, name) => result.claims[token][`${NS}/${name}`];

module.exports = {
  ACTION, NS, API, sharedKeyPair, newHost, permissionsOf, fixtureWith, secretsFor, scanResult, claim, startStandIn,
};
