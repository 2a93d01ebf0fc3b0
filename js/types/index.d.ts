/**
 * rbac-claims: an Auth0 post-login Action (Rust compiled to WebAssembly) that puts the user's roles
 * and permissions (and, with `groups=on`, group names) into the ID and access tokens as namespaced
 * custom claims.
 *
 * ```js
 * // The Action's code in Auth0 (with `rbac-claims` added as a dependency):
 * exports.onExecutePostLogin = require('rbac-claims').onExecutePostLogin;
 * ```
 *
 * The types below declare every field of `event` the Action reads and every `api` method it calls,
 * and nothing else; Auth0's own post-login `Event` and `PostLoginAPI` (v3) are assignable to them
 * (tests/ts/consumer.ts checks this against our declaration of Auth0's documented v3 types). The Action also calls the
 * global `fetch` (the Management API) and `console.log` (one `rbac-claims: …` line per problem).
 */
import type { Settings } from './settings';

export type { Settings, SettingName, TokenSelection } from './settings';

/** The fields of Auth0's post-login `event` that the Action reads. */
export interface PostLoginEvent {
  /**
   * The Action's secrets, all strings: the settings ({@link Settings}) are read from here and
   * checked when the login runs; other secrets are never read.
   */
  readonly secrets: { readonly [name: string]: string | undefined };
  /**
   * The user logging in: `user_id`, read when permissions are on; `app_metadata`, read with
   * `roles=metadata` (only the keys of `metadataPath`, then the array of role names there).
   */
  user: { user_id: string; app_metadata?: { readonly [key: string]: unknown } | null };
  /**
   * The names of the user's directly assigned roles (in an organization login, the organization
   * member roles): the roles with `roles=event`, the default (`null`/absent means none).
   */
  authorization?: { roles: readonly string[] } | null;
  /** The API the access token is requested for, if any (`permissionsFor=requested`, `permissions=effective`). */
  resource_server?: { identifier: string } | null;
  /**
   * The organization of an organization login: `id` set (not empty) makes `permissions=user` and
   * `effective` take the permissions of the login's roles. Read only in those two modes.
   */
  organization?: { id?: string | null } | null;
}

/** `{ take, from }`: one page of a list (`take` is 100; `from` the previous page's `next`). */
export interface PageParams {
  take: number;
  from?: string;
}

/** One page of `api.roles.getUserEffectiveRoles`. Entries without a string `name` are dropped (logged). */
export interface EffectiveRolesPage {
  roles: ReadonlyArray<{ name?: string; id?: string }>;
  next?: string | null;
}

/** One page of `api.groups.getUserGroups`. Entries without a string `name` are dropped (logged). */
export interface UserGroupsPage {
  groups: ReadonlyArray<{ name?: string }>;
  next?: string | null;
}

/** Result of `api.cache.set`. */
export type CacheWriteResult = { type: 'success' } | { type: 'error'; code: string };

/** The parts of Auth0's post-login `api` that the Action calls. */
export interface PostLoginApi {
  /** `setCustomClaim`: `<namespace>/roles`, `/permissions`, `/groups` (or their `…_truncated` flags). */
  idToken: { setCustomClaim(name: string, value: unknown): unknown };
  /**
   * The same claims as on the ID token, for the tokens the `tokens` setting names; `addScope` once per
   * permission with `permissionsAs=scope` or `both` (a host without it fails the permissions step,
   * which `onError` handles).
   */
  accessToken: { setCustomClaim(name: string, value: unknown): unknown; addScope?(scope: string): unknown };
  /** `deny` with one generic reason on any failure (the cause goes to the log). */
  access: { deny(reason: string): unknown };
  /** Shared across executions on a best-effort basis: holds the Management API token. */
  cache: {
    get(key: string): { value: string; expires_at: number } | undefined;
    set(key: string, value: string, options: { expires_at: number }): CacheWriteResult;
    delete(key: string): unknown;
  };
  /**
   * Called only with `roles=effective`, every page. A host without it fails the roles step, which
   * `onError` handles.
   */
  roles?: { getUserEffectiveRoles(params: PageParams): PromiseLike<EffectiveRolesPage> | EffectiveRolesPage };
  /**
   * Called only with `groups=on`, every page. A host without it fails the groups step, which
   * `onError` handles.
   */
  groups?: { getUserGroups(params: PageParams): PromiseLike<UserGroupsPage> | UserGroupsPage };
}

/**
 * The Action entry. Reads the settings from `event.secrets`, sets `<namespace>/roles` (and
 * `<namespace>/permissions` when permissions are on, `<namespace>/groups` with `groups=on`) on the
 * chosen tokens, or denies the login with a generic reason and logs a precise `rbac-claims: …` line.
 *
 * The promise resolves once the claims are set or the login is denied. It rejects only when the login
 * had to be denied and `api.access.deny` itself threw: Auth0 then fails the login, so that it never
 * goes on half-applied.
 */
export function onExecutePostLogin(event: PostLoginEvent, api: PostLoginApi): Promise<void>;
