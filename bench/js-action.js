'use strict';
/**
 * Baseline for the benchmarks: the same Action as rbac-claims, written in plain JavaScript the way a
 * competent Auth0 user would write it (global fetch, no npm dependencies, one file).
 *
 * Settings (Action secrets, strings; blank = unset), same names and defaults as the Rust Action:
 *   namespace       required; claims are `<namespace>/roles` and `<namespace>/permissions`
 *   tokens          `id,access` (default), `id` or `access`
 *   domain, clientId, clientSecret   M2M application for the Management API; all three turn permissions on
 *   permissions     `user` (default with credentials) | `effective` | `roles` | `off`
 *   permissionsFor  `all` (default) | `requested` (only the requested API's permissions)
 *   onError         `deny` (default) | `continue` (roles claim only when the Management API fails)
 *   budgetMs        time budget for all Management API work of one login (default 5000, 100..15000)
 *   managementUrl   base URL override for /oauth/token and /api/v2 (local stand-in)
 *   rolesCacheMs    permissions=roles: how long role → permissions lookups are kept (default 300000)
 *   maxClaimBytes   largest JSON size of the claims (default 90000, 100..100000), under Auth0's 100 KB
 *   onOverflow      `deny` (default) | `omit` (replace the permissions by `<namespace>/permissions_truncated: true`)
 *
 * Behaviour matched to the Rust Action: the Management API token is kept in module scope (this
 * instance) and in api.cache (other instances) with `expires_at` in ms and refresh ahead of expiry,
 * one token request in flight at a time; a 401 drops the token and retries once with a new one;
 * offset pagination (per_page=100, include_totals) or cursor pagination (effective); retries: 429
 * waits for x-ratelimit-reset when that fits in the budget, 5xx and network errors back off
 * 200 ms · 2^n with jitter, at most 4 attempts; each request times out after min(8 s, budget left).
 * Roles are written in the event's order; permissions deduplicated and sorted. Any failure denies
 * the login with one generic reason and logs the precise cause.
 */

const DENY_REASON = 'Sign-in could not be completed because authorization data is unavailable. Please try again later.';
/** A configuration error's reason: a retry cannot help (as src/error.rs CONFIG_DENY_REASON). */
const CONFIG_DENY_REASON = "Sign-in is not available right now because of a configuration problem; please contact the site's administrator.";
const PER_PAGE = 100;
const MAX_PAGES = 200;
const MAX_ATTEMPTS = 4;
const REQUEST_TIMEOUT_MS = 8000;
const MIN_REQUEST_MS = 50;
const REFRESH_AHEAD_MS = 300000;
const CACHE_MAX_LIFETIME_MS = 24 * 3600000 - 60000;

// Module scope: lives as long as this Action instance, shared by every login it runs.
const tokens = new Map(); // cache key -> { value, usableUntil } | { pending: Promise }
const roleDirectory = { byName: null, loadedAt: 0, pending: null }; // role name -> id
const rolePermissions = new Map(); // role id -> { at, list } | { pending: Promise }

class ConfigError extends Error {}

function setting(secrets, key) {
  const value = secrets && secrets[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigError(`setting \`${key}\` must be a string`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function oneOf(secrets, key, allowed, fallback) {
  const value = setting(secrets, key);
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new ConfigError(`setting \`${key}\` has unknown value "${value}": use ${allowed.join(', ')}`);
  return value;
}

function readSettings(secrets) {
  const namespace = setting(secrets, 'namespace');
  if (!namespace) throw new ConfigError('setting `namespace` is required');
  if (!/^(https?:\/\/[^\s/?#]+|urn:[a-z0-9-]+:)/i.test(namespace) || /(^|[./@])(auth0\.com|webtask\.io|webtask\.run)([:/]|$)|^urn:auth0(:|$)/i.test(namespace)) {
    throw new ConfigError('setting `namespace` must be an http(s) URL or URN outside Auth0\'s namespaces');
  }
  const tokenList = (setting(secrets, 'tokens') || 'id,access').split(',').map((t) => t.trim());
  if (tokenList.some((t) => t !== 'id' && t !== 'access')) throw new ConfigError('setting `tokens` has an unknown token: use id, access or id,access');
  const settings = {
    namespace: namespace.replace(/\/+$/, ''),
    idToken: tokenList.includes('id'),
    accessToken: tokenList.includes('access'),
    onError: oneOf(secrets, 'onError', ['deny', 'continue'], 'deny'),
    onOverflow: oneOf(secrets, 'onOverflow', ['deny', 'omit'], 'deny'),
    maxClaimBytes: 90000,
    permissions: null,
  };
  const maxClaimBytes = setting(secrets, 'maxClaimBytes');
  if (maxClaimBytes !== undefined) {
    if (!/^\d+$/.test(maxClaimBytes) || Number(maxClaimBytes) < 100 || Number(maxClaimBytes) > 100000) {
      throw new ConfigError('setting `maxClaimBytes` must be a whole number from 100 to 100000');
    }
    settings.maxClaimBytes = Number(maxClaimBytes);
  }
  let mode = oneOf(secrets, 'permissions', ['user', 'effective', 'roles', 'off'], undefined);
  if (mode === 'off') return settings;
  const domain = setting(secrets, 'domain');
  const clientId = setting(secrets, 'clientId');
  const clientSecret = setting(secrets, 'clientSecret');
  if (!domain && !clientId && !clientSecret && mode === undefined) return settings;
  if (!domain || !clientId || !clientSecret) throw new ConfigError('settings `domain`, `clientId` and `clientSecret` are required to read permissions');
  mode = mode || 'user';
  const host = domain.replace(/^https:\/\//, '').replace(/\/+$/, '').toLowerCase();
  const number = (key, fallback, min, max) => {
    const value = setting(secrets, key);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new ConfigError(`setting \`${key}\` must be whole milliseconds from ${min} to ${max}`);
    return n;
  };
  const managementUrl = setting(secrets, 'managementUrl');
  if (managementUrl && !/^(https:\/\/[^/?#@\s]+|http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?)\/*$/i.test(managementUrl)) {
    throw new ConfigError('setting `managementUrl` must be https://host (http:// only for loopback)');
  }
  settings.permissions = {
    mode,
    domain: host,
    clientId,
    clientSecret,
    scope: oneOf(secrets, 'permissionsFor', ['all', 'requested'], 'all'),
    budgetMs: number('budgetMs', 5000, 100, 15000),
    rolesCacheMs: number('rolesCacheMs', 300000, 0, 86400000),
    baseUrl: managementUrl ? managementUrl.replace(/\/+$/, '') : `https://${host}`,
  };
  return settings;
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

class ManagementError extends Error {}

/** One Management API client per login: the deadline is this login's budget. */
function client(p, cache) {
  const deadline = Date.now() + p.budgetMs;
  const remaining = () => deadline - Date.now();
  const cacheKey = `mgmt-token:${p.clientId}`;

  async function send(what, url, init) {
    for (let attempt = 1; ; attempt += 1) {
      if (remaining() < MIN_REQUEST_MS) throw new ManagementError(`${what}: time budget ran out`);
      let response;
      let wait;
      try {
        response = await fetch(url, { ...init, signal: AbortSignal.timeout(Math.floor(Math.min(REQUEST_TIMEOUT_MS, remaining()))) });
      } catch (err) {
        if (remaining() < MIN_REQUEST_MS) throw new ManagementError(`${what}: time budget ran out`);
        console.log(`rbac-claims: ${what}: attempt ${attempt}: ${err.message}`);
      }
      const backoff = 200 * 2 ** (attempt - 1) * (0.5 + Math.random());
      if (response && response.status === 429) {
        const reset = Number(response.headers.get('x-ratelimit-reset'));
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isInteger(reset) && reset > 0) wait = Math.max(0, reset * 1000 - Date.now());
        else if (Number.isInteger(retryAfter) && retryAfter >= 0) wait = retryAfter * 1000;
        else wait = backoff;
        await response.text();
      } else if (response && response.status >= 500) {
        wait = backoff;
        await response.text();
      } else if (response) {
        return response;
      } else {
        wait = backoff;
      }
      if (attempt >= MAX_ATTEMPTS || wait + MIN_REQUEST_MS > remaining()) {
        const why = !response ? 'no response after retries' : response.status === 429 ? 'rate limited (429) beyond the time budget' : `status ${response.status}`;
        throw new ManagementError(`${what}: ${why}`);
      }
      await sleep(wait);
    }
  }

  async function fetchToken() {
    const response = await send('POST /oauth/token', `${p.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: p.clientId,
        client_secret: p.clientSecret,
        audience: `https://${p.domain}/api/v2/`,
      }).toString(),
    });
    if (!response.ok) {
      await response.text();
      throw new ManagementError(`POST /oauth/token: status ${response.status}`);
    }
    const body = await response.json();
    if (typeof body.access_token !== 'string' || !body.access_token || !(body.expires_in > 0)) {
      throw new ManagementError('POST /oauth/token: unexpected response');
    }
    const lifetimeMs = body.expires_in * 1000; // expires_in is in seconds
    const issued = { value: body.access_token, usableUntil: Date.now() + lifetimeMs - Math.min(REFRESH_AHEAD_MS, lifetimeMs / 10) };
    if (issued.value.length <= 4096) {
      const stored = cache.set(cacheKey, issued.value, { expires_at: Math.floor(Math.min(issued.usableUntil, Date.now() + CACHE_MAX_LIFETIME_MS)) });
      if (stored && stored.type === 'error') console.log(`rbac-claims: api.cache.set failed (${stored.code}): token kept in memory only`);
    }
    return issued;
  }

  async function token(rejected) {
    const held = tokens.get(cacheKey);
    if (held && held.pending) return (await held.pending).value;
    if (held && held.usableUntil > Date.now() && held.value !== rejected) return held.value;
    const cached = cache.get(cacheKey);
    if (cached && cached.value && cached.value !== rejected && cached.expires_at > Date.now()) {
      tokens.set(cacheKey, { value: cached.value, usableUntil: cached.expires_at });
      return cached.value;
    }
    const pending = fetchToken();
    tokens.set(cacheKey, { pending });
    try {
      const fresh = await pending;
      tokens.set(cacheKey, fresh);
      return fresh.value;
    } catch (err) {
      if (tokens.get(cacheKey) && tokens.get(cacheKey).pending === pending) tokens.delete(cacheKey);
      throw err;
    }
  }

  async function getJson(what, url) {
    let rejected;
    for (;;) {
      const bearer = await token(rejected);
      const response = await send(what, url, { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } });
      if (response.status === 401 && rejected === undefined) {
        console.log(`rbac-claims: ${what}: token rejected (401); fetching a new one`);
        await response.text();
        cache.delete(cacheKey);
        rejected = bearer;
        continue;
      }
      if (!response.ok) {
        await response.text();
        throw new ManagementError(`${what}: status ${response.status}`);
      }
      return response.json();
    }
  }

  /** Offset pagination: `?per_page=100&page=N&include_totals=true` until the total is reached. */
  async function allPages(what, url, key) {
    const all = [];
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const body = await getJson(what, `${url}${url.includes('?') ? '&' : '?'}per_page=${PER_PAGE}&page=${page}&include_totals=true`);
      if (!body || !Array.isArray(body[key]) || typeof body.total !== 'number') throw new ManagementError(`${what}: unexpected response`);
      all.push(...body[key]);
      if (body[key].length === 0 || all.length >= body.total) return all;
    }
    throw new ManagementError(`${what}: more than ${MAX_PAGES} pages`);
  }

  async function userPermissions(userId) {
    return allPages('GET /api/v2/users/{id}/permissions', `${p.baseUrl}/api/v2/users/${encodeURIComponent(userId)}/permissions`, 'permissions');
  }

  /** Cursor pagination: `?resource_server_identifier=…&take=100[&from=…]` until there is no `next`. */
  async function effectivePermissions(userId, api) {
    const all = [];
    let from;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      let url = `${p.baseUrl}/api/v2/users/${encodeURIComponent(userId)}/effective-permissions?resource_server_identifier=${encodeURIComponent(api)}&take=${PER_PAGE}`;
      if (from) url += `&from=${encodeURIComponent(from)}`;
      const body = await getJson('GET /api/v2/users/{id}/effective-permissions', url);
      if (!body || !Array.isArray(body.permissions)) throw new ManagementError('GET /api/v2/users/{id}/effective-permissions: unexpected response');
      all.push(...body.permissions);
      if (body.permissions.length === 0 || typeof body.next !== 'string' || !body.next) return all;
      from = body.next;
    }
    throw new ManagementError(`GET /api/v2/users/{id}/effective-permissions: more than ${MAX_PAGES} pages`);
  }

  /** Role names → ids for the whole tenant, kept in module scope for rolesCacheMs; one load at a time. */
  async function roleIds() {
    if (roleDirectory.byName && Date.now() - roleDirectory.loadedAt < p.rolesCacheMs) return roleDirectory.byName;
    if (!roleDirectory.pending) {
      roleDirectory.pending = allPages('GET /api/v2/roles', `${p.baseUrl}/api/v2/roles`, 'roles')
        .then((roles) => {
          roleDirectory.byName = new Map(roles.map((r) => [r.name, r.id]));
          roleDirectory.loadedAt = Date.now();
          return roleDirectory.byName;
        })
        .finally(() => { roleDirectory.pending = null; });
    }
    return roleDirectory.pending;
  }

  /** One role's permissions, kept in module scope for rolesCacheMs; one load per role at a time. */
  async function permissionsOfRole(id) {
    const held = rolePermissions.get(id);
    if (held && held.pending) return held.pending;
    if (held && Date.now() - held.at < p.rolesCacheMs) return held.list;
    const pending = allPages('GET /api/v2/roles/{id}/permissions', `${p.baseUrl}/api/v2/roles/${encodeURIComponent(id)}/permissions`, 'permissions');
    rolePermissions.set(id, { pending });
    try {
      const list = await pending;
      rolePermissions.set(id, { at: Date.now(), list });
      return list;
    } catch (err) {
      rolePermissions.delete(id);
      throw err;
    }
  }

  async function permissionsFromRoles(roleNames) {
    if (roleNames.length === 0) return [];
    const ids = await roleIds();
    const known = roleNames.filter((name) => ids.has(name)).map((name) => ids.get(name));
    const lists = await Promise.all([...new Set(known)].map(permissionsOfRole));
    return lists.flat();
  }

  return { userPermissions, effectivePermissions, permissionsFromRoles };
}

async function permissionNames(event, api, p, roles) {
  const requested = event.resource_server && typeof event.resource_server.identifier === 'string' && event.resource_server.identifier
    ? event.resource_server.identifier : undefined;
  if (p.scope === 'requested' && !requested) return [];
  const userId = event.user && event.user.user_id;
  if (typeof userId !== 'string' || !userId) throw new Error('user.user_id is missing');
  const mgmt = client(p, api.cache);
  let found;
  if (p.mode === 'roles') found = await mgmt.permissionsFromRoles(roles);
  else if (p.mode === 'effective') found = requested ? await mgmt.effectivePermissions(userId, requested) : [];
  else found = await mgmt.userPermissions(userId);
  const names = found
    .filter((perm) => p.scope === 'all' || perm.resource_server_identifier === requested)
    .map((perm) => perm.permission_name);
  return [...new Set(names)].sort();
}

/**
 * @param {Event} event
 * @param {PostLoginAPI} api
 */
exports.onExecutePostLogin = async (event, api) => {
  try {
    const settings = readSettings(event.secrets);
    const rawRoles = (event.authorization && event.authorization.roles) || [];
    if (!Array.isArray(rawRoles)) throw new Error('authorization.roles is not an array');
    const roles = rawRoles.filter((r) => typeof r === 'string');
    const claims = { [`${settings.namespace}/roles`]: roles };
    if (settings.permissions) {
      try {
        claims[`${settings.namespace}/permissions`] = await permissionNames(event, api, settings.permissions, roles);
      } catch (err) {
        if (settings.onError !== 'continue' || err instanceof ConfigError) throw err;
        console.log(`rbac-claims: continuing without permissions (onError=continue): ${err.message}`);
      }
    }
    const size = Buffer.byteLength(JSON.stringify(claims));
    if (size > settings.maxClaimBytes) {
      const permissionsClaim = `${settings.namespace}/permissions`;
      if (settings.onOverflow !== 'omit' || !(permissionsClaim in claims)) throw new Error(`claims take ${size} bytes, over maxClaimBytes ${settings.maxClaimBytes}`);
      delete claims[permissionsClaim];
      claims[`${settings.namespace}/permissions_truncated`] = true;
      const smaller = Buffer.byteLength(JSON.stringify(claims));
      if (smaller > settings.maxClaimBytes) throw new Error(`claims take ${smaller} bytes, over maxClaimBytes ${settings.maxClaimBytes}`);
    }
    // The ID token's claims first, then the access token's, each once, after everything is known.
    for (const [name, value] of Object.entries(claims)) if (settings.idToken) api.idToken.setCustomClaim(name, value);
    for (const [name, value] of Object.entries(claims)) if (settings.accessToken) api.accessToken.setCustomClaim(name, value);
  } catch (err) {
    console.log(`rbac-claims: login denied: ${err.message}`);
    api.access.deny(err instanceof ConfigError ? CONFIG_DENY_REASON : DENY_REASON);
  }
};
