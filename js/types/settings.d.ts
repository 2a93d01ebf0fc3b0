// Generated from src/config/table.rs by `UPDATE_GENERATED=1 cargo test`: edit the table, not this file.
/**
 * rbac-claims settings: the Action secrets it reads (`event.secrets`), and nothing else.
 *
 * Action secrets are strings, so every value here is a string, numbers included. A key that is
 * missing, empty or only white space counts as unset and takes its default. A missing or invalid
 * setting denies the login with a generic reason and logs one precise line naming the key. A secret
 * whose name is no setting but within an edit or two of one (`permisions`, `CLIENT_ID`) is ignored
 * and named in one log line with the setting it meant; other secrets are neither read nor named.
 */
export interface Settings {
  /**
   * Claim namespace: an `http(s)` URL or a URN. Claims are `<namespace>/roles`,
   * `<namespace>/permissions`, `<namespace>/groups` (exactly one `/` between). Refused: namespaces
   * under `auth0.com`, `webtask.io`, `webtask.run`, and `urn:auth0`, whose claims Auth0 silently
   * drops, in any spelling (percent-encoded, IDNA dots, full-width letters); a URL host must be
   * ASCII (an international name in its `xn--` form).
   */
  namespace: string;

  /**
   * Which tokens get the claims: `id`, `access` or `id,access`. Default: `id,access`.
   */
  tokens?: TokenSelection;

  /**
   * Tenant domain for the Management API, e.g. `tenant.eu.auth0.com` (a host name, not an IP
   * address).
   */
  domain?: string;

  /**
   * Client id of the M2M application authorized for the Management API.
   */
  clientId?: string;

  /**
   * Its client secret. Never logged, never in a claim or an error.
   */
  clientSecret?: string;

  /**
   * `user`: `GET /api/v2/users/{id}/permissions` (direct + role-derived; scope `read:users`).
   * `effective`: `GET /api/v2/users/{id}/effective-permissions` for the requested API (also
   * group-derived; scope `read:user_effective_permissions`). `roles`: the union of the permissions
   * of the login's roles, from `GET /api/v2/roles/{id}/permissions` (by the role ids
   * `roles=effective` gives, else by name through the directory `GET /api/v2/roles`; scope
   * `read:roles`), kept in instance memory for `rolesCacheMs`. `off`: no permissions claim. In an
   * organization login (`event.organization.id` set), `user` and `effective` take the `roles` path
   * over the login's roles, which Auth0 has scoped to the organization (`effective`: the requested
   * API's only): the user's tenant-wide permissions are never requested (unless
   * `organizationPermissions=tenant`). Setting only some of the three credentials is an error.
   * Default: `user` when `domain`, `clientId`, `clientSecret` are set, else `off`.
   */
  permissions?: 'user' | 'effective' | 'roles' | 'off';

  /**
   * `all`, or `requested`: only permissions of the requested API
   * (`event.resource_server.identifier`; none when no API was requested). Default: `all`.
   */
  permissionsFor?: 'all' | 'requested';

  /**
   * `claim`: the permissions claim. `scope`: each permission is added to the access token with
   * `api.accessToken.addScope(name)`, and there is no permissions claim. `both`: both. A name that
   * is not an RFC 6749 scope-token (only `!`, `#`-`[` and `]`-`~`: no space, `"`, `\` or non-ASCII
   * character) is not added as a scope (one log line says how many). `scope` and `both` need
   * `tokens` to include `access`. An `addScope` that throws or is missing fails the permissions step
   * (`onError`: `deny`, or `continue` without the permissions claim and without further scopes).
   * Default: `claim`.
   */
  permissionsAs?: 'claim' | 'scope' | 'both';

  /**
   * A failure of the Management API, `api.roles` or `api.groups` (missing on an older host, throws,
   * rejects, answers the wrong shape, more than 50 pages, out of time): `deny` the login, or
   * `continue`: without the permissions claim, with `event.authorization.roles` for the roles,
   * without the groups claim (the cause is logged). Default: `deny`.
   */
  onError?: 'deny' | 'continue';

  /**
   * Time all outside work of one login may take together (`api.roles`, `api.groups` and Management
   * API calls), in milliseconds (always under Auth0's 20 s limit). Every request has a timeout
   * inside it. A whole number from 100 to 15000. Default: `5000`.
   */
  budgetMs?: `${number}`;

  /**
   * Base URL override (tests, the local stand-in): a scheme, a host and an optional port only.
   * `http:` only for loopback hosts. Default: `https://{domain}`.
   */
  managementUrl?: string;

  /**
   * `permissions=roles`: how long role data is kept in instance memory, in milliseconds. A whole
   * number from 0 to 86400000. Default: `300000`.
   */
  rolesCacheMs?: `${number}`;

  /**
   * Largest JSON size of one token's custom claims, in bytes (Auth0 fails a login over 100 KB). A
   * whole number from 100 to 100000. Default: `90000`.
   */
  maxClaimBytes?: `${number}`;

  /**
   * Over `maxClaimBytes`: `deny`, or `omit`: drop the permissions claim and set
   * `<namespace>/permissions_truncated: true`; if still too large, drop the groups claim and set
   * `<namespace>/groups_truncated: true`; if still too large, deny. Default: `deny`.
   */
  onOverflow?: 'deny' | 'omit';

  /**
   * Where the role names come from. `event`: `event.authorization.roles` (directly assigned roles;
   * in an organization login, the organization member roles). `effective`:
   * `api.roles.getUserEffectiveRoles({ take: 100, from })`, every page: roles assigned directly or
   * through a group, scoped by Auth0 to the login's organization; deduplicated, first-seen order;
   * with `permissions=roles` their role ids are used directly (no role directory request for a role
   * that comes with an id). `metadata`: the array at `metadataPath` inside `event.user.app_metadata`
   * (e.g. the Authorization Extension's `authorization.roles`): a missing path (or no
   * `app_metadata`) is no roles, and each key on it must be the object's own (never inherited from a
   * prototype); a value there that is not an array fails the roles step (`onError`: `deny`, or
   * `continue` with `event.authorization.roles`); entries that are not non-empty strings are dropped
   * (one log line); deduplicated, first-seen order; with `permissions=roles` looked up by name in
   * the role directory. These are tenant-wide roles: in an organization login they give no
   * permissions (the permissions step fails, `onError` decides) unless
   * `organizationPermissions=tenant`. Default: `event`.
   */
  roles?: 'event' | 'effective' | 'metadata';

  /**
   * `roles=metadata`: where the role names are inside `event.user.app_metadata`, as dot-separated
   * keys, e.g. `authorization.roles` (the Authorization Extension's layout). 1 to 8 keys of 1 to 64
   * characters each, no empty key. Read only with `roles=metadata`. Default: `roles`.
   */
  metadataPath?: string;

  /**
   * `on`: add the claim `<namespace>/groups`: the names of the user's groups from
   * `api.groups.getUserGroups({ take: 100, from })` (every page), deduplicated and sorted, `[]` when
   * none; entries without a string `name` are dropped (logged). It goes to the same tokens and
   * counts toward `maxClaimBytes`. `off`: no groups claim, `api.groups` is not called. Default:
   * `off`.
   */
  groups?: 'off' | 'on';

  /**
   * `json`: one line per login with `console.log` (for log streams): `rbac-claims ` and a JSON
   * object with exactly the keys `outcome` (`"set"`, `"continued"`: a step failed and
   * `onError=continue` went on, `"denied"`), `roles` (role names in the claim), `permissions`
   * (permissions set as claim or scopes, `null` when there is neither), `groups` (`null` without a
   * groups claim), `requests` (Management API requests and `api.roles`/`api.groups` calls of this
   * login) and `ms` (whole milliseconds of outside work). At most 256 characters; never a user id, a
   * name, a secret or a token. `off`: no such line. Other log lines are the same either way.
   * Default: `off`.
   */
  logLine?: 'off' | 'json';

  /**
   * In an organization login (`event.organization.id` set), with `permissions=user` or `effective`:
   * `organization`: the permissions of the login's roles, which Auth0 scoped to the organization
   * (the `roles` path; see `permissions`). `tenant`: the user's tenant-wide permissions, requested
   * as outside organizations (`GET /api/v2/users/{id}/permissions` or `effective-permissions`). No
   * effect outside organization logins or with `permissions=roles`. Default: `organization`.
   */
  organizationPermissions?: 'organization' | 'tenant';
}

/** `id`, `access` or both, comma-separated. */
export type TokenSelection = 'id' | 'access' | 'id,access' | 'access,id';

/** Every setting name. */
export type SettingName = keyof Settings;
