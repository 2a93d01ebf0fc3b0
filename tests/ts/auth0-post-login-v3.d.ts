// Our declaration of Auth0's documented post-login trigger (v3) `event` and `api`, limited to the parts
// rbac-claims reads and calls. Only the TypeScript consumer test uses it: tests/ts/consumer.ts (type-checked
// by tests/js/package.test.js) shows that an `event` and `api` of these shapes can be handed to the package's
// onExecutePostLogin (js/types/index.d.ts) as they are.
//
// Written by us on 2026-12-07 from the project's contract notes (/work/shared/docs/auth0-post-login-contract.md)
// and the public Auth0 documentation they cite:
//   https://auth0.com/docs/actions/reference/post-login/post-login-event-object
//   https://auth0.com/docs/actions/reference/post-login/post-login-api-object
//   https://auth0.com/docs/customize/actions/explore-triggers/post-login
//   https://auth0.com/docs/customize/actions/limitations (api.cache limits)
//   https://auth0.com/docs/customize/actions/actions-npm (Auth0's typings are the `@auth0/actions` package)
// Field names, optionality, method signatures and the cache error codes were checked against Auth0's published
// type definitions in github.com/auth0/auth0-actions, src/post-login/v3 (index.d.ts for the event and api;
// test/index.d.ts for `api.roles`, which Auth0 documents since July 2026). When Auth0 changes the contract,
// update the shapes here from the docs and note the new date.

// ---------------------------------------------------------------------------------------------------------
// event

/** Action secrets by name; every value is a string. */
interface Secrets {
  [secretName: string]: string;
}

/** Per-Action configuration values; Auth0 declares no fields for it. */
interface ActionConfiguration {}

/** String-valued metadata as Auth0 keeps it on clients and organizations. */
type StringMetadata = { [key: string]: string };

/** The logging-in user: only `user_id` is guaranteed; the rest of the profile may or may not be there. */
type LoginUser = { user_id: string } & { [profileField: string]: any };

/** Event context present on every login. */
type AlwaysPresent = {
  client: { client_id: string; name: string; metadata: StringMetadata };
  tenant: { id: string };
  user: LoginUser;
};

/** Event context that depends on the login (RBAC on, an API audience, an organization login). */
type SometimesPresent = {
  authorization?: { roles: string[] };
  resource_server?: { identifier: string };
  organization?: { id: string; name: string; display_name: string; metadata: StringMetadata } & { [other: string]: any };
};

/** The `event` a post-login Action receives (read-only context). */
interface Event extends AlwaysPresent, SometimesPresent {
  readonly secrets: Secrets;
  readonly configuration: ActionConfiguration;
}

// ---------------------------------------------------------------------------------------------------------
// api

/** Deny the login; the reason may be shown to the end user. Chainable. */
interface AccessMethods {
  deny(reason: string): PostLoginAPI;
}

/** Claims (chainable) and scopes of the access token; the scope methods throw on an invalid scope. */
interface AccessTokenMethods {
  setCustomClaim(key: string, value: unknown): PostLoginAPI;
  addScope(scope: string): void;
  removeScope(scope: string): void;
}

/** Claims of the ID token. Chainable. */
interface IdTokenMethods {
  setCustomClaim(key: string, value: unknown): PostLoginAPI;
}

// api.cache: synchronous, string values only; `ttl` is in milliseconds and `expires_at` in milliseconds since
// the epoch (default lifetime 15 minutes, at most 24 hours; entries may disappear earlier).

/** Why a cache write or delete failed. */
type CacheFailureCode =
  | 'MaxSideEffectsExceeded'
  | 'CacheKeySizeExceeded'
  | 'CacheValueSizeExceeded'
  | 'CacheSizeExceeded'
  | 'ItemAlreadyExpired'
  | 'InvalidExpiry'
  | 'FailedToSetCacheRecord'
  | 'FailedToDeleteCacheRecord'
  | 'CacheKeyDoesNotExist';

type CacheEntry = { value: string; expires_at: number };
type CacheFailure = { type: 'error'; code: CacheFailureCode };
type CacheLifetime = { ttl?: number; expires_at?: number };

interface CacheMethods {
  get(key: string): CacheEntry | undefined;
  set(key: string, value: string, options?: CacheLifetime): { type: 'success'; record: CacheEntry } | CacheFailure;
  delete(key: string): { type: 'success' } | CacheFailure;
}

/** Cursor paging shared by api.roles and api.groups: `take` entries from the cursor `from`. */
type CursorParams = { take?: number; from?: string };

/** A role the user has directly or through a group (optionally scoped to the login's organization). */
type EffectiveRole = { id: string; name: string; type: string };

interface RoleMethods {
  getUserEffectiveRoles(params?: CursorParams): Promise<{ roles: EffectiveRole[]; next?: string }>;
  getUserEffectiveRolesByIds(ids: string[]): Promise<{ roles: EffectiveRole[] }>;
  getUserEffectiveRolesByNames(names: string[]): Promise<{ roles: EffectiveRole[] }>;
}

/** One group the user belongs to, with how and since when. */
type GroupMembership = {
  id: string;
  name: string;
  external_id?: string;
  connection_id?: string;
  tenant_name: string;
  assignment: string;
  created_at: string;
  updated_at: string;
  membership_created_at: string;
};

/** Per group asked about: whether the user is a member and, optionally, the groups that matched. */
type MembershipAnswer = {
  is_member: boolean;
  matches?: Array<{ id: string; name: string; group_type: string }>;
};

interface GroupMethods {
  getUserGroups(params?: CursorParams): Promise<{ groups: GroupMembership[]; next?: string }>;
  hasGroupMembership(groups: string[]): Promise<{
    memberships: { [group: string]: MembershipAnswer };
    errors?: { [group: string]: string };
  }>;
}

/** The `api` a post-login Action receives: the namespaces rbac-claims uses. */
interface PostLoginAPI {
  readonly access: AccessMethods;
  readonly accessToken: AccessTokenMethods;
  readonly idToken: IdTokenMethods;
  readonly cache: CacheMethods;
  readonly roles: RoleMethods;
  readonly groups: GroupMethods;
}

/** The shape of `exports.onExecutePostLogin`. */
type PostLoginAction = (event: Event, api: PostLoginAPI) => Promise<void>;

export type { Event, PostLoginAPI, PostLoginAction, Secrets };
