'use strict';
/**
 * The tenant of the hostile and load suites, served by the in-process Management API stand-in
 * (host/standin-fetch.js over the one model, host/standin-model.js): every user id exists, and what a
 * user has is a function of the id only, so a test knows what the stand-in answers a login
 * (`permissionLists`) without asking it, and the permissions the login must end with
 * (`expectedPermissions`: those answers through the Rust code's own filtering, deduplication and order,
 * exported by the test build) without restating those rules. Any client id and secret get a token, for any
 * tenant domain; unknown bearer tokens get 401.
 *
 * This file holds the tenant's data (ROLES, `defaultUserPermissions`, group permissions), its fixture
 * (`tenantFixture`, with `userFor`) and `installStubFetch`, a thin wrapper that installs the stand-in as
 * `globalThis.fetch`.
 */
const path = require('node:path');
const { createFetchStandIn } = require('../../../host/standin-fetch');
const { fnv32 } = require('./prng');

const API_A = 'https://api.example.com';
const API_B = 'https://other.example.com';
/** The APIs of the tenant; a user has one group permission in each. */
const APIS = [API_A, API_B];

/** Role directory of the tenant: names include the odd ones a hostile event may carry. */
const ROLES = [
  { id: 'rol_admin', name: 'admin', permissions: ['admin:all', 'read:reports', 'write:reports'] },
  { id: 'rol_editor', name: 'editor', permissions: ['write:reports', 'read:reports'] },
  { id: 'rol_reader', name: 'reader', permissions: ['read:reports'] },
  { id: 'rol_billing', name: 'billing', permissions: ['read:invoices'] },
  { id: 'rol_unicode', name: 'r\u00f4le-\u00fcn\u00ef', permissions: ['read:unicode'] },
  { id: 'rol/odd?#', name: 'a|b', permissions: ['read:odd'] },
  { id: 'rol_empty', name: 'empty', permissions: [] },
].map((r) => ({ ...r, permissions: r.permissions.map((p) => ({ permission_name: p, resource_server_identifier: API_A })) }));

/** Default permissions of a user id: a function of the id only. */
function defaultUserPermissions(userId) {
  const h = fnv32(userId);
  const count = (h % 5) + (h % 13 === 0 ? 150 : 0);
  const out = [];
  for (let j = 0; j < count; j += 1) out.push({ permission_name: `p${h % 1000}:${String(j).padStart(3, '0')}`, resource_server_identifier: API_A });
  out.push({ permission_name: `q${h % 7}`, resource_server_identifier: API_B });
  return out;
}

/** The group-derived permission of a user in `api` (only in effective permissions). */
function groupPermission(userId, api) {
  return { permission_name: `group:${fnv32(userId) % 10}`, resource_server_identifier: api };
}

/**
 * The stand-in fixture of the tenant: the role directory, and every user made from the id by
 * `userFor` (direct permissions from `userPermissions`, one group permission per API, no roles).
 */
function tenantFixture(userPermissions = defaultUserPermissions) {
  return {
    resourceServers: APIS.map((identifier) => ({ identifier, name: identifier })),
    roles: ROLES,
    users: [],
    userFor: (id) => ({
      user_id: id, roles: [], permissions: userPermissions(id), groupPermissions: APIS.map((api) => groupPermission(id, api)),
    }),
  };
}

/** A JWT-shaped token numbered `serial` (short signature: the leak scan finds it by its shape). */
function numberedToken(serial) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: 'stub@clients', n: serial, exp: 9999999999 })}.${fnv32(String(serial)).toString(36)}sig`;
}

/**
 * Install the stand-in as `globalThis.fetch`.
 * @param {object} [options]
 * @param {(userId: string) => {permission_name: string, resource_server_identifier: string}[]} [options.userPermissions]
 * @param {(token: string) => void} [options.onToken] called with every issued token
 * @param {(clientId: string, clientSecret: string) => boolean} [options.acceptClient] default: any
 * @returns {{restore: () => void, counts: {total: number, token: number, userPermissions: number, effective: number,
 *   roles: number, rolePermissions: number, unauthorized: number, other: number}, standIn: object}}
 */
function installStubFetch({ userPermissions = defaultUserPermissions, onToken = () => {}, acceptClient = () => true } = {}) {
  let serial = 0;
  const standIn = createFetchStandIn({
    fixture: tenantFixture(userPermissions),
    domain: 'stub.test',
    acceptClient,
    acceptAudience: () => true,
    mintToken: () => {
      serial += 1;
      const token = numberedToken(serial);
      onToken(token);
      return token;
    },
    // Every few requests, answer in a later turn of the event loop, as a socket would, so that timers
    // (AbortSignal.timeout) keep firing during long runs; the others answer at once, for speed.
    yieldEvery: 8,
    cacheAnswers: true, // the same URL always gets the same answer: serialized once
    // Only the fields the Action reads: pages as large as this tenant's always were (the load suite's
    // memory test takes the wasm Action's linear memory at 50 concurrent logins, which page size moves).
    permissionFields: ['permission_name', 'resource_server_identifier'],
  });
  standIn.install();
  const c = standIn.counts;
  const route = (name) => () => c.byRoute[name] || 0;
  const counts = Object.defineProperties({}, {
    total: { get: () => c.total, enumerable: true },
    token: { get: () => c.token, enumerable: true },
    userPermissions: { get: route('userPermissions'), enumerable: true },
    effective: { get: route('userEffectivePermissions'), enumerable: true },
    roles: { get: route('roles'), enumerable: true },
    rolePermissions: { get: route('rolePermissions'), enumerable: true },
    unauthorized: { get: () => c.byStatus['401'] || 0, enumerable: true },
    other: { get: route('unknown'), enumerable: true },
  });
  return { counts, standIn, restore: standIn.uninstall };
}

/** The test build's exports (`make pkg-trap`): `permissionNames`, the Rust rules for the claim's names. */
const TEST_EXPORTS = require(path.join(__dirname, '..', '..', '..', 'target', 'pkg-trap', 'rbac_claims.js'));

/**
 * What the tenant answers a login's permission requests: one list per answer, as the Management API
 * gives them (a user's permissions; their effective permissions for the requested API, with the group
 * permission; each named role's permissions). Only the tenant's data: no claim rule.
 * `source`: 'user' | 'effective' | 'roles'.
 * @returns {{permission_name: string, resource_server_identifier: string}[][]}
 */
function permissionLists({ source, userId, api, roleNames, userPermissions = defaultUserPermissions }) {
  if (source === 'user') return [userPermissions(userId)];
  if (source === 'effective') {
    // Auth0 filters effective permissions by the audience asked for; no API, no request.
    if (!api) return [];
    return [[...userPermissions(userId).filter((p) => p.resource_server_identifier === api), ...(APIS.includes(api) ? [groupPermission(userId, api)] : [])]];
  }
  return roleNames.flatMap((name) => ROLES.filter((r) => r.name === name).map((r) => r.permissions));
}

/**
 * The permissions claim a login must end with: the tenant's answers (`permissionLists`) through the
 * Rust code's own rules (the test build's `permissionNames`). `scope`: 'all' | 'requested'.
 * @returns {string[]}
 */
function expectedPermissions({ scope, api, ...request }) {
  return TEST_EXPORTS.permissionNames(permissionLists({ api, ...request }), scope === 'requested', api);
}

module.exports = {
  installStubFetch, expectedPermissions, permissionLists, defaultUserPermissions, tenantFixture, ROLES, API_A, API_B,
};
