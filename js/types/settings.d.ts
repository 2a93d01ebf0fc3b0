/**
 * rbac-claims settings: the Action secrets it reads (`event.secrets`), and nothing else.
 *
 * Action secrets are strings, so every value here is a string, numbers included. A key that is
 * missing, empty or only white space counts as unset and takes its default. A missing or invalid
 * setting denies the login with a generic reason and logs one precise line naming the key.
 *
 * Permissions are read from the Management API when `domain`, `clientId` and `clientSecret` are all
 * set (or `permissions` asks for them); setting only some of the three is an error.
 */
export interface Settings {
  /**
   * Required. Claim namespace: an `http(s)` URL or a URN; claims are `<namespace>/roles` and
   * `<namespace>/permissions` (a trailing `/` is dropped). Namespaces under `auth0.com`, `webtask.io`,
   * `webtask.run` and `urn:auth0` are refused (Auth0 would drop their claims silently).
   * @example "https://rbac.example.com"
   */
  namespace: string;

  /** Which tokens get the claims. Default `"id,access"`. */
  tokens?: TokenSelection;

  /** Auth0 tenant domain for the Management API, e.g. `"tenant.eu.auth0.com"`. */
  domain?: string;

  /** Client id of the machine-to-machine application authorized for the Management API. */
  clientId?: string;

  /** Client secret of that application. Never logged. */
  clientSecret?: string;

  /**
   * Where permissions come from. Default `"user"` when the credentials are set, else `"off"`.
   * - `user`: `GET /api/v2/users/{id}/permissions` (scope `read:users`): direct and role-derived.
   * - `effective`: `GET /api/v2/users/{id}/effective-permissions` (scope
   *   `read:user_effective_permissions`): also group-derived, for the requested API only.
   * - `roles`: from the login's `event.authorization.roles` and `GET /api/v2/roles`,
   *   `GET /api/v2/roles/{id}/permissions` (scope `read:roles`), kept in instance memory for `rolesCacheMs`.
   * - `off`: no permissions claim, no Management API call.
   */
  permissions?: 'user' | 'effective' | 'roles' | 'off';

  /** Which permissions: `"all"` (default) or `"requested"` (only the requested API's, `event.resource_server`). */
  permissionsFor?: 'all' | 'requested';

  /** What a Management API failure does: `"deny"` the login (default) or `"continue"` without the permissions claim. */
  onError?: 'deny' | 'continue';

  /** Time budget for all Management API work in one login, in milliseconds: a whole number, 100 to 15000. Default `"5000"`. */
  budgetMs?: `${number}`;

  /** Base URL of the Management API instead of `https://<domain>`: `https:` (or `http:` on a loopback host). For tests. */
  managementUrl?: string;

  /** How long `permissions=roles` keeps role data in instance memory, in milliseconds: 0 to 86400000. Default `"300000"`. */
  rolesCacheMs?: `${number}`;

  /** Largest JSON size of one token's custom claims, in bytes: 100 to 100000. Default `"90000"`. */
  maxClaimBytes?: `${number}`;

  /**
   * What happens when the claims would pass `maxClaimBytes`: `"deny"` the login (default), or `"omit"`
   * the permissions claim and set `<namespace>/permissions_truncated: true` instead.
   */
  onOverflow?: 'deny' | 'omit';
}

/** `id`, `access` or both, comma-separated. */
export type TokenSelection = 'id' | 'access' | 'id,access' | 'access,id';

/** Every setting name. */
export type SettingName = keyof Settings;
