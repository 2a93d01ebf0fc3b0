'use strict';
/**
 * Fixtures for the benchmarks, in the stand-in's format (host/fixture.js).
 *
 * loadFixture(): 100 users over 10 roles (one tenant-wide API). Every role has at most 100
 * permissions (one page of GET /roles/{id}/permissions); 10 permissions are shared by every role,
 * so unions need deduplication. Users hold 1 or 2 roles and no direct permissions, so all three
 * permission modes (user, effective, roles) give every user the same permissions claim; users
 * holding `admin` and a larger second role have more than 100 permissions (2 pages in user mode).
 *
 * cpuFixture(): users with 0, 100 and 1000 direct permissions, and roles for permissions=roles
 * (2 roles × 50 = 100 permissions; 10 roles × 100 = 1000 permissions).
 */

const API = 'https://api.example.com';
const ROLE_NAMES = ['admin', 'editor', 'viewer', 'billing', 'support', 'auditor', 'ops', 'developer', 'sales', 'hr'];
const OWN_PERMISSIONS = [80, 40, 15, 30, 20, 35, 45, 60, 25, 10];
const SHARED = 10;

const pad = (n, w = 4) => String(n).padStart(w, '0');
const perms = (count, prefix, api = API) => Array.from({ length: count }, (_, i) => ({
  permission_name: `${prefix}:${pad(i)}`, resource_server_identifier: api,
}));

/** Role ids look like Auth0's (`rol_` + 16 characters). */
const roleId = (name) => `rol_${require('node:crypto').createHash('sha256').update(name).digest('base64url').slice(0, 16)}`;

function loadFixture(userCount = 100, roleCount = ROLE_NAMES.length) {
  const shared = perms(SHARED, 'read:common');
  const names = ROLE_NAMES.slice(0, roleCount);
  const roles = names.map((name, i) => ({
    id: roleId(name),
    name,
    description: `${name} role`,
    permissions: [...shared, ...perms(OWN_PERMISSIONS[i], `${name}`)],
  }));
  const users = Array.from({ length: userCount }, (_, k) => {
    const held = [...new Set([names[k % roleCount], names[(3 * k + 1) % roleCount]])];
    return { user_id: `auth0|bench-user-${pad(k)}`, roles: held.map(roleId), roleNames: held, permissions: [] };
  });
  return {
    resourceServers: [{ identifier: API, name: 'Bench API' }],
    roles,
    // roleNames is what event.authorization.roles holds for that user; the stand-in ignores it.
    users,
  };
}

/** The permissions claim a user of `fixture` should get: union of their roles' and direct permissions. */
function expectedPermissions(fixture, user) {
  const byId = new Map(fixture.roles.map((r) => [r.id, r]));
  const names = new Set((user.permissions || []).map((p) => p.permission_name));
  for (const id of user.roles) for (const p of byId.get(id).permissions) names.add(p.permission_name);
  return [...names].sort();
}

function cpuFixture() {
  const small = ['cpu-small-a', 'cpu-small-b'].map((name) => ({ id: roleId(name), name, permissions: perms(50, name) }));
  const big = Array.from({ length: 10 }, (_, i) => `cpu-big-${i}`).map((name) => ({ id: roleId(name), name, permissions: perms(100, name) }));
  return {
    resourceServers: [{ identifier: API, name: 'Bench API' }],
    roles: [...small, ...big],
    users: [
      { user_id: 'auth0|cpu-0', roles: [], permissions: [] },
      { user_id: 'auth0|cpu-100', roles: [], permissions: perms(100, 'perm') },
      { user_id: 'auth0|cpu-1000', roles: [], permissions: perms(1000, 'perm') },
    ],
  };
}

module.exports = { API, ROLE_NAMES, loadFixture, cpuFixture, expectedPermissions, perms, roleId };
