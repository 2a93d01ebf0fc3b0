/**
 * rbac-claims: an Auth0 post-login Action (Rust compiled to WebAssembly) that puts the user's roles
 * and permissions into the ID and access tokens as namespaced custom claims.
 *
 * ```js
 * // The Action's code in Auth0 (with `rbac-claims` added as a dependency):
 * exports.onExecutePostLogin = require('rbac-claims').onExecutePostLogin;
 * ```
 *
 * The types below cover only what the Action reads and calls; Auth0's own `event` and `api` objects
 * (e.g. from `@auth0/actions`) are assignable to them.
 */
import type { Settings } from './settings';

export type { Settings, SettingName, TokenSelection } from './settings';

/** The fields of Auth0's post-login `event` that the Action reads. */
export interface PostLoginEvent {
  /** The Action's secrets: the settings (strings). Other secrets are ignored. */
  secrets: Partial<Settings> & Record<string, string | undefined>;
  /** The user logging in; `user_id` names the user in Management API calls. */
  user: { user_id: string };
  /** The user's role names (`null`/absent means none). */
  authorization?: { roles: string[] } | null;
  /** The API the access token is requested for, if any (`permissionsFor=requested`, `permissions=effective`). */
  resource_server?: { identifier: string } | null;
}

/** Result of `api.cache.set` / `api.cache.delete`. */
export type CacheWriteResult = { type: 'success' } | { type: 'error'; code: string };

/** The parts of Auth0's post-login `api` that the Action calls. */
export interface PostLoginApi {
  idToken: { setCustomClaim(name: string, value: unknown): unknown };
  accessToken: { setCustomClaim(name: string, value: unknown): unknown };
  access: { deny(reason: string): unknown };
  /** Shared across executions on a best-effort basis: holds the Management API token. */
  cache: {
    get(key: string): { value: string; expires_at?: number } | undefined;
    set(key: string, value: string, options?: { ttl?: number; expires_at?: number }): CacheWriteResult;
    delete(key: string): CacheWriteResult;
  };
}

/**
 * The Action entry. Reads the settings from `event.secrets`, sets `<namespace>/roles` (and
 * `<namespace>/permissions` when permissions are on) on the chosen tokens, or denies the login with a
 * generic reason and logs a precise `rbac-claims: …` line. The promise always resolves: it never rejects.
 */
export function onExecutePostLogin(event: PostLoginEvent, api: PostLoginApi): Promise<void>;
