// Auth0's own types for the post-login trigger (v3), cut down to the parts rbac-claims reads and calls, so
// that tests/ts/consumer.ts can show Auth0's real `event` and `api` are assignable to js/types/index.d.ts.
//
// Source: https://github.com/auth0/auth0-actions, the source of the `@auth0/actions` package Auth0 documents
// at https://auth0.com/docs/customize/actions/npm ("Official Auth0 Actions TypeScript definitions"; the public
// npm registry answered 404 for it on 2026-12-07). Copyright 2026 Okta, Inc., Apache License 2.0
// (http://www.apache.org/licenses/LICENSE-2.0). Copied by hand on 2026-12-07 from:
//   - the event: src/post-login/v3/index.d.ts at commit 04f6d0f74fa9cd2527671b11c14717a6112f2913;
//   - the api: src/post-login/v3/test/index.d.ts at commit 09eb3b6e2e81f2bcbf7a2791969a9a30cb186751 (the same
//     PostLoginAPI as index.d.ts plus `roles`, which index.d.ts at 04f6d0f7 does not have yet; Auth0's docs
//     list `api.roles` since July 2026).
// Changed from the original (Apache-2.0 §4b): doc comments dropped; of the event, only `secrets`,
// `configuration`, `user`, `authorization`, `resource_server`, `organization` (and the required `client`,
// `tenant`) are kept, the rest of `user` as its index signature; of the api, only `access`, `accessToken`,
// `idToken`, `cache`, `groups`, `roles`, with their types as written there. Types, names and optionality
// are unchanged. Update by copying the same parts again, with the new commit and date.

type CacheWriteErrorCode =
  | 'MaxSideEffectsExceeded'
  | 'CacheKeySizeExceeded'
  | 'CacheValueSizeExceeded'
  | 'CacheSizeExceeded'
  | 'ItemAlreadyExpired'
  | 'InvalidExpiry'
  | 'FailedToSetCacheRecord'
  | 'FailedToDeleteCacheRecord'
  | 'CacheKeyDoesNotExist';
interface CacheRecord {
  value: string;
  expires_at: number;
}
interface CacheWriteSuccess {
  type: 'success';
  record: CacheRecord;
}
interface CacheWriteError {
  type: 'error';
  code: CacheWriteErrorCode;
}
type CacheWriteResult = CacheWriteSuccess | CacheWriteError;
interface CacheDeleteSuccess {
  type: 'success';
}
type CacheDeleteResult = CacheDeleteSuccess | CacheWriteError;
interface CacheSetOptions {
  expires_at?: number;
  ttl?: number;
}
interface CacheAPI {
  delete(key: string): CacheDeleteResult;
  get(key: string): CacheRecord | undefined;
  set(key: string, value: string, options?: CacheSetOptions): CacheWriteResult;
}

type PostLoginV3Event = {
  authorization?: {
    roles: string[];
  };
  client: {
    client_id: string;
    metadata: {
      [additionalProperties: string]: string;
    };
    name: string;
  };
  organization?: {
    id: string;
    display_name: string;
    metadata: {
      [additionalProperties: string]: string;
    };
    name: string;
  } & {
    [additionalProperties: string]: any;
  };
  resource_server?: {
    identifier: string;
  };
  tenant: {
    id: string;
  };
  user: {
    user_id: string;
  } & {
    [additionalProperties: string]: any;
  };
};
interface Secrets {
  [secretName: string]: string;
}
interface Configuration {}
interface Event extends PostLoginV3Event {
  readonly configuration: Configuration;
  readonly secrets: Secrets;
}

type GetUserGroupsParams = {
  take?: number;
  from?: string;
};
type ListUserGroupsResponse = {
  groups: UserGroupMembership[];
  next?: string;
};
type UserGroupMembership = {
  id: string;
  name: string;
  external_id?: string;
  connection_id?: string;
  tenant_name: string;
  created_at: string;
  updated_at: string;
  membership_created_at: string;
  assignment: string;
};
type CheckGroupMembershipResponse = {
  memberships: {
    [key: string]: {
      is_member: boolean;
      matches?: {
        id: string;
        name: string;
        group_type: string;
      }[];
    };
  };
  errors?: {
    [key: string]: string;
  };
};
type GetUserEffectiveRolesParams = {
  take?: number;
  from?: string;
};
type GetUserEffectiveRolesResponse = {
  roles: Role[];
  next?: string;
};
type FilteredUserEffectiveRolesResponse = {
  roles: Role[];
};
type Role = {
  id: string;
  name: string;
  type: string;
};

interface AccessAPI {
  deny(reason: string): PostLoginAPI;
}
interface AccessTokenAPI {
  setCustomClaim(key: string, value: unknown): PostLoginAPI;
  addScope(scope: string): void;
  removeScope(scope: string): void;
}
interface IdTokenAPI {
  setCustomClaim(key: string, value: unknown): PostLoginAPI;
}
interface GroupsAPI {
  getUserGroups(params?: GetUserGroupsParams): Promise<ListUserGroupsResponse>;
  hasGroupMembership(groups: string[]): Promise<CheckGroupMembershipResponse>;
}
interface RolesAPI {
  getUserEffectiveRoles(params?: GetUserEffectiveRolesParams): Promise<GetUserEffectiveRolesResponse>;
  getUserEffectiveRolesByIds(ids: string[]): Promise<FilteredUserEffectiveRolesResponse>;
  getUserEffectiveRolesByNames(names: string[]): Promise<FilteredUserEffectiveRolesResponse>;
}
interface PostLoginAPI {
  readonly access: AccessAPI;
  readonly accessToken: AccessTokenAPI;
  readonly idToken: IdTokenAPI;
  readonly cache: CacheAPI;
  readonly groups: GroupsAPI;
  readonly roles: RolesAPI;
}
interface PostLoginAction {
  (event: Event, api: PostLoginAPI): Promise<void>;
}
export type { Event, PostLoginAPI, PostLoginAction, Secrets };
