'use strict';
/**
 * Users, roles, groups, organizations and permissions for the Management API stand-in and for the
 * host's `api.roles` / `api.groups` (one tenant, two views of it).
 *
 * Fixture format (see examples/fixture.json):
 *
 *   {
 *     "resourceServers": [{ "identifier": "https://api.example.com", "name": "Example API",
 *                           "scopes": [{ "value": "read:reports", "description": "Read reports" }] }],
 *     "roles": [{ "id": "rol_…", "name": "admin", "description": "…",
 *                 "permissions": [{ "permission_name": "read:reports",
 *                                   "resource_server_identifier": "https://api.example.com" }] }],
 *     "groups": [{ "id": "grp_…", "name": "Support team", "roles": ["rol_…"] }],   // optional
 *     "organizations": [{ "id": "org_…", "name": "acme", "display_name": "Acme Corp" }],  // optional
 *     "users": [{ "user_id": "auth0|…",
 *                 "roles": ["rol_…"],                      // directly assigned role ids
 *                 "groups": ["grp_…"],                     // optional: group ids (member of)
 *                 "organizations": { "org_…": { "roles": ["rol_…"],   // optional: org member roles
 *                                               "groups": ["grp_…"] } },  // and groups giving roles there
 *                 "permissions": [{ "permission_name": "…", "resource_server_identifier": "…" }],  // direct
 *                 "groupPermissions": [ … ],               // optional, only in effective-permissions
 *                 "app_metadata": { … } }]                 // optional: event.user.app_metadata
 *   }
 *
 * `resourceServers[].scopes` and `permissions[].description` are optional (descriptions default
 * to the scope's description, else ""). Fixture errors (thrown by indexFixture): duplicate role,
 * group, organization or user ids; a role id in `groups[].roles`, `users[].roles` or
 * `users[].organizations[*].roles` that is not in `roles`; a group id in `users[].groups` that is not
 * in `groups`; with a top-level `organizations`, an organization id in `users[].organizations` that
 * is not in it.
 *
 * What a user's groups and organizations mean, as Auth0 documents it:
 * - `event.authorization.roles` (eventRoles): the names of the directly assigned roles, or in an
 *   organization login the user's member roles in that organization; never group roles.
 * - `api.roles.getUserEffectiveRoles` (effectiveRoles): those roles plus the roles of the user's
 *   groups (in an organization login: of the groups listed for that organization only, as Auth0 scopes
 *   the answer to the organization), `{id, name, type: 'role'}`, one entry per role id in first-seen order.
 * - `api.groups.getUserGroups` (userGroups): `{id, name}` of each group the user is in.
 * - `GET /users/{id}/permissions`: direct + directly assigned roles only (no groups, no organizations).
 * - `GET /users/{id}/effective-permissions`: also the permissions of the group roles and
 *   `groupPermissions`, with the source "groups". `GET /users/{id}/effective-roles`: the direct roles
 *   (source "direct") and the group roles (source "groups").
 * directoryFor(fixture, userId, orgId) gives the `directory` option of createApi (api.js) for a login.
 *
 * A fixture given as an object (not a file) may also have `userFor(id)`: a function returning the
 * entry of a user not in `users` (same format, `user_id` taken from the argument), or undefined
 * when there is none. It is called on every lookup, nothing is kept: a tenant where any id can
 * exist, with data made from the id (tests that need deterministic data per user).
 */
const fs = require('node:fs');

/** Marks the object indexFixture returns, so functions taking "a fixture or an indexed one" can tell. */
const INDEXED = Symbol.for('auth0-action-host.indexedFixture');

/** @param {object|string} fixture object or path to a JSON file */
function loadFixture(fixture) {
  const fx = typeof fixture === 'string' ? JSON.parse(fs.readFileSync(fixture, 'utf8')) : fixture;
  if (!fx || typeof fx !== 'object') throw new TypeError('fixture must be an object or a path to a JSON file');
  return fx;
}

const permKey = (p) => `${p.resource_server_identifier}\u0000${p.permission_name}`;
const byPermission = (a, b) => (a.resource_server_identifier < b.resource_server_identifier ? -1
  : a.resource_server_identifier > b.resource_server_identifier ? 1
    : a.permission_name < b.permission_name ? -1 : a.permission_name > b.permission_name ? 1 : 0);
const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const listOf = (v, what) => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`fixture: ${what} must be an array`);
  return v;
};
/** One entry per id, first seen first. */
const uniqueById = (list) => {
  const seen = new Set();
  return list.filter((x) => (seen.has(x.id) ? false : (seen.add(x.id), true)));
};

/**
 * Index a fixture for lookups. Throws on inconsistent fixtures (see the module comment).
 * @param {object} fx
 */
function indexFixture(fx) {
  const servers = new Map();
  for (const rs of fx.resourceServers || []) {
    if (!rs.identifier) throw new Error('fixture: resource server without identifier');
    servers.set(rs.identifier, rs);
  }
  const describe = (p) => {
    if (typeof p.permission_name !== 'string' || typeof p.resource_server_identifier !== 'string') {
      throw new Error(`fixture: permission needs permission_name and resource_server_identifier: ${JSON.stringify(p)}`);
    }
    const rs = servers.get(p.resource_server_identifier);
    const scope = rs && (rs.scopes || []).find((s) => s.value === p.permission_name);
    return {
      permission_name: p.permission_name,
      description: p.description !== undefined && p.description !== null ? p.description : (scope && scope.description) || '',
      resource_server_name: rs && rs.name ? rs.name : p.resource_server_identifier,
      resource_server_identifier: p.resource_server_identifier,
    };
  };
  const roles = new Map();
  for (const r of fx.roles || []) {
    if (!r.id || roles.has(r.id)) throw new Error(`fixture: role without id or duplicate id ${r.id}`);
    roles.set(r.id, { id: r.id, name: r.name, description: r.description || '', permissions: (r.permissions || []).map(describe) });
  }
  const rolesOf = (ids, owner) => listOf(ids, `roles of ${owner}`).map((id) => {
    if (!roles.has(id)) throw new Error(`fixture: ${owner} has unknown role id ${id}`);
    return roles.get(id);
  });
  const groups = new Map();
  for (const g of listOf(fx.groups, 'groups')) {
    if (!isPlainObject(g) || !g.id || groups.has(g.id)) throw new Error(`fixture: group without id or duplicate id ${g && g.id}`);
    groups.set(g.id, { id: g.id, name: g.name, roles: rolesOf(g.roles, `group ${g.id}`) });
  }
  const organizations = new Map();
  for (const o of listOf(fx.organizations, 'organizations')) {
    if (!isPlainObject(o) || !o.id || organizations.has(o.id)) throw new Error(`fixture: organization without id or duplicate id ${o && o.id}`);
    organizations.set(o.id, { id: o.id, name: o.name, display_name: o.display_name });
  }
  const orgsListed = fx.organizations !== undefined && fx.organizations !== null;

  const indexUser = (u, userId) => {
    const memberOf = listOf(u.groups, `groups of user ${userId}`).map((id) => {
      if (!groups.has(id)) throw new Error(`fixture: user ${userId} has unknown group id ${id}`);
      return groups.get(id);
    });
    const orgRoles = new Map();
    const orgGroups = new Map();
    if (u.organizations !== undefined && u.organizations !== null) {
      if (!isPlainObject(u.organizations)) throw new Error(`fixture: organizations of user ${userId} must be an object {"<org_id>": {"roles": [...]}}`);
      for (const [orgId, membership] of Object.entries(u.organizations)) {
        if (orgsListed && !organizations.has(orgId)) throw new Error(`fixture: user ${userId} is a member of unknown organization ${orgId}`);
        if (!isPlainObject(membership)) throw new Error(`fixture: membership of user ${userId} in ${orgId} must be an object {"roles": [...]}`);
        orgRoles.set(orgId, rolesOf(membership.roles, `user ${userId} in organization ${orgId}`));
        orgGroups.set(orgId, listOf(membership.groups, `groups of user ${userId} in organization ${orgId}`).map((id) => {
          if (!groups.has(id)) throw new Error(`fixture: user ${userId} has unknown group id ${id} in organization ${orgId}`);
          return groups.get(id);
        }));
      }
    }
    if (u.app_metadata !== undefined && !isPlainObject(u.app_metadata)) throw new Error(`fixture: app_metadata of user ${userId} must be an object`);
    return {
      user_id: userId,
      app_metadata: u.app_metadata,
      roles: rolesOf(u.roles, `user ${userId}`),
      direct: (u.permissions || []).map(describe),
      groupPermissions: (u.groupPermissions || []).map(describe),
      groups: memberOf,
      orgRoles,
      orgGroups,
    };
  };
  const users = new Map();
  for (const u of fx.users || []) {
    if (typeof u.user_id !== 'string' || users.has(u.user_id)) throw new Error(`fixture: user without user_id or duplicate ${u.user_id}`);
    users.set(u.user_id, indexUser(u, u.user_id));
  }
  if (fx.userFor !== undefined && typeof fx.userFor !== 'function') throw new Error('fixture: userFor must be a function');
  /** The user with this id: listed, else made by `userFor`, else undefined. */
  const findUser = (id) => {
    const listed = users.get(id);
    if (listed || !fx.userFor) return listed;
    const made = fx.userFor(id);
    return made ? indexUser(made, id) : undefined;
  };

  const publicRole = (r) => ({ id: r.id, name: r.name, description: r.description });
  /** The roles a login gets in event.authorization.roles: direct, or the member roles of `orgId`. */
  const loginRoles = (user, orgId) => uniqueById(
    typeof orgId === 'string' && orgId !== '' ? user.orgRoles.get(orgId) || [] : user.roles,
  );
  /** The roles of the user's groups, one entry per role. */
  const groupRoles = (user) => uniqueById(user.groups.flatMap((g) => g.roles));
  /** The roles of the groups through which the user holds roles in organization `orgId`. */
  const orgGroupRoles = (user, orgId) => uniqueById((user.orgGroups.get(orgId) || []).flatMap((g) => g.roles));
  const isOrgLogin = (orgId) => typeof orgId === 'string' && orgId !== '';

  /** `/users/{id}/permissions`: direct + from roles, one entry per (API, name), with `sources`. */
  function userPermissions(user) {
    const out = new Map();
    const add = (p, source) => {
      const k = permKey(p);
      if (!out.has(k)) out.set(k, { ...p, sources: [] });
      out.get(k).sources.push(source);
    };
    for (const p of user.direct) add(p, { source_id: '', source_name: '', source_type: 'DIRECT' });
    for (const r of user.roles) for (const p of r.permissions) add(p, { source_id: r.id, source_name: r.name, source_type: 'ROLE' });
    return [...out.values()].sort(byPermission);
  }

  /** `/users/{id}/effective-permissions` for one API: direct, roles and groups (group roles and groupPermissions). */
  function effectivePermissions(user, resourceServer) {
    const out = new Map();
    const add = (p, source) => {
      if (p.resource_server_identifier !== resourceServer) return;
      const k = permKey(p);
      if (!out.has(k)) out.set(k, { ...p, sources: [] });
      const e = out.get(k);
      if (!e.sources.includes(source)) e.sources.push(source);
    };
    for (const p of user.direct) add(p, 'direct');
    for (const r of user.roles) for (const p of r.permissions) add(p, 'roles');
    for (const r of groupRoles(user)) for (const p of r.permissions) add(p, 'groups');
    for (const p of user.groupPermissions) add(p, 'groups');
    return [...out.values()].sort(byPermission);
  }

  /** `/users/{id}/effective-roles`: direct roles (source "direct") and group roles (source "groups"). */
  function effectiveRoleEntries(user) {
    const out = new Map();
    const add = (r, source) => {
      if (!out.has(r.id)) out.set(r.id, { ...publicRole(r), sources: [] });
      const e = out.get(r.id);
      if (!e.sources.includes(source)) e.sources.push(source);
    };
    for (const r of user.roles) add(r, 'direct');
    for (const r of groupRoles(user)) add(r, 'groups');
    return [...out.values()];
  }

  const indexed = {
    users,
    user: findUser,
    roles,
    groups,
    organizations,
    userPermissions,
    effectivePermissions,
    effectiveRoleEntries,
    userRoles: (user) => user.roles.map(publicRole),
    allRoles: () => [...roles.values()].map(publicRole),
    rolePermissions: (role) => [...role.permissions].sort(byPermission),
    /** `api.groups.getUserGroups` entries: `{id, name}` of each of the user's groups. */
    userGroups: (user) => uniqueById(user.groups).map((g) => ({ id: g.id, name: g.name })),
    /**
     * `api.roles.getUserEffectiveRoles` entries, scoped to the login's organization as Auth0 scopes
     * them: in an organization login the member roles of `orgId` plus the roles of the groups listed
     * for that organization (`users[].organizations[orgId].groups`), never tenant-wide roles; else the
     * directly assigned roles plus the roles of the user's groups. One per id, first seen first.
     */
    effectiveRoles: (user, orgId) => uniqueById(isOrgLogin(orgId)
      ? [...loginRoles(user, orgId), ...orgGroupRoles(user, orgId)]
      : [...loginRoles(user, orgId), ...groupRoles(user)])
      .map((r) => ({ id: r.id, name: r.name, type: 'role' })),
    /** `event.authorization.roles`: names of the login's roles (no group roles). */
    eventRoles: (user, orgId) => loginRoles(user, orgId).map((r) => r.name),
  };
  Object.defineProperty(indexed, INDEXED, { value: true });
  return indexed;
}

/** An indexed fixture as it is, else the fixture (object or path) indexed. */
function asIndexed(fixture) {
  return fixture && fixture[INDEXED] ? fixture : indexFixture(loadFixture(fixture));
}

/**
 * What createApi's `directory` option (api.js) holds for one login of this tenant: `roles` (the
 * effective roles, with the member roles of `orgId` in an organization login) and `groups`. A user
 * the fixture does not have gets `{roles: [], groups: []}`.
 * @param {object|string} fixture a fixture (object or path) or what indexFixture returned
 * @param {string} userId `event.user.user_id`
 * @param {string} [orgId] `event.organization.id` in an organization login
 * @returns {{roles: {id: string, name: string, type: 'role'}[], groups: {id: string, name: string}[]}}
 */
function directoryFor(fixture, userId, orgId) {
  const data = asIndexed(fixture);
  const user = typeof userId === 'string' ? data.user(userId) : undefined;
  if (!user) return { roles: [], groups: [] };
  return { roles: data.effectiveRoles(user, orgId), groups: data.userGroups(user) };
}

module.exports = { loadFixture, indexFixture, asIndexed, directoryFor };
