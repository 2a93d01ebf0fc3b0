'use strict';
/**
 * Users, roles and permissions for the Management API stand-in.
 *
 * Fixture format (see examples/fixture.json):
 *
 *   {
 *     "resourceServers": [{ "identifier": "https://api.example.com", "name": "Example API",
 *                           "scopes": [{ "value": "read:reports", "description": "Read reports" }] }],
 *     "roles": [{ "id": "rol_…", "name": "admin", "description": "…",
 *                 "permissions": [{ "permission_name": "read:reports",
 *                                   "resource_server_identifier": "https://api.example.com" }] }],
 *     "users": [{ "user_id": "auth0|…",
 *                 "roles": ["rol_…"],                      // role ids
 *                 "permissions": [{ "permission_name": "…", "resource_server_identifier": "…" }],  // direct
 *                 "groupPermissions": [ … ] }]             // optional, only in effective-permissions
 *   }
 *
 * `resourceServers[].scopes` and `permissions[].description` are optional (descriptions default
 * to the scope's description, else ""). Unknown role ids and duplicate ids are fixture errors.
 *
 * A fixture given as an object (not a file) may also have `userFor(id)`: a function returning the
 * entry of a user not in `users` (same format, `user_id` taken from the argument), or undefined
 * when there is none. It is called on every lookup, nothing is kept: a tenant where any id can
 * exist, with data made from the id (tests that need deterministic data per user).
 */
const fs = require('node:fs');

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

/**
 * Index a fixture for lookups. Throws on inconsistent fixtures.
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
  const indexUser = (u, userId) => {
    for (const id of u.roles || []) if (!roles.has(id)) throw new Error(`fixture: user ${userId} has unknown role id ${id}`);
    return {
      user_id: userId,
      roles: (u.roles || []).map((id) => roles.get(id)),
      direct: (u.permissions || []).map(describe),
      groups: (u.groupPermissions || []).map(describe),
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

  /** `/users/{id}/effective-permissions` for one API: direct, roles and groups. */
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
    for (const p of user.groups) add(p, 'groups');
    return [...out.values()].sort(byPermission);
  }

  const publicRole = (r) => ({ id: r.id, name: r.name, description: r.description });
  return {
    users,
    user: findUser,
    roles,
    userPermissions,
    effectivePermissions,
    userRoles: (user) => user.roles.map(publicRole),
    allRoles: () => [...roles.values()].map(publicRole),
    rolePermissions: (role) => [...role.permissions].sort(byPermission),
  };
}

module.exports = { loadFixture, indexFixture };
