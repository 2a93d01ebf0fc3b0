// A TypeScript consumer of the installed npm package, type-checked by tests/js/package.test.js with the
// pinned `typescript` (strict, module nodenext: `rbac-claims` resolves through package.json `exports`).
// Auth0's own post-login types (./auth0-post-login-v3.d.ts, a dated copy) must be assignable to what the
// package declares: an Action module typed with Auth0's types can export our entry as it is.
import { onExecutePostLogin } from 'rbac-claims';
import type { EffectiveRolesPage, PostLoginApi, PostLoginEvent, Settings, UserGroupsPage } from 'rbac-claims';
import type { SettingName } from 'rbac-claims/settings';
import type { Event, PostLoginAPI, PostLoginAction } from './auth0-post-login-v3';

// Auth0's event and api, as Auth0 types them, go straight in.
declare const event: Event;
declare const api: PostLoginAPI;
export const done: Promise<void> = onExecutePostLogin(event, api);
export const asAction: PostLoginAction = onExecutePostLogin;

// Auth0's published index.d.ts has no `api.roles` yet: an api typed with it goes in too.
declare const apiWithoutRoles: Omit<PostLoginAPI, 'roles'>;
export const older: Promise<void> = onExecutePostLogin(event, apiWithoutRoles);

// What Auth0's list methods answer is what the Action reads.
export const rolesPage = async (): Promise<EffectiveRolesPage> => api.roles.getUserEffectiveRoles({ take: 100 });
export const groupsPage = async (): Promise<UserGroupsPage> => api.groups.getUserGroups({ take: 100, from: 'cursor' });

// Settings are Action secrets: strings, checked by name and value.
const settings: Settings = { namespace: 'https://rbac.example.com', permissions: 'roles', budgetMs: '5000', onOverflow: 'omit', groups: 'on' };
const ownEvent: PostLoginEvent = {
  secrets: { ...settings, other: 'not a setting' },
  user: { user_id: 'auth0|1' },
  authorization: { roles: ['admin'] },
  organization: { id: 'org_1' },
};
declare const ownApi: PostLoginApi;
export const mine: Promise<void> = onExecutePostLogin(ownEvent, ownApi);
export const name: SettingName = 'rolesCacheMs';

// The checks above can fail: each line below must be an error, or tsc fails on the unused directive.
// @ts-expect-error: 'all' is not a permissions mode
export const bad: Settings = { namespace: 'x', permissions: 'all' };
// @ts-expect-error: settings are strings
export const notString: Settings = { namespace: 'x', budgetMs: 5000 };
// @ts-expect-error: the Action calls api.cache, so an api without it is refused
export const noCache: Promise<void> = onExecutePostLogin(event, {} as Omit<PostLoginAPI, 'cache'>);
// @ts-expect-error: the Action reads event.user.user_id
export const noUser: Promise<void> = onExecutePostLogin({ secrets: {} }, api);
// @ts-expect-error: the promise resolves to nothing
export const value: Promise<string> = onExecutePostLogin(event, api);
