'use strict';
/**
 * Post-login `event` objects: a complete, realistic default for a browser login
 * through a database connection with an API audience, deep-merged with caller overrides.
 */

/**
 * Realistic values for the optional top-level fields that a plain login does not carry
 * (Early Access, Enterprise, Cloudflare-only, organization or custom-domain logins). Add one with
 * `buildEvent({ organization: EVENT_SAMPLES.organization })`.
 */
const EVENT_SAMPLES = Object.freeze({
  agent: { agent_id: 'agt_9Xk2LpQ7vR3sT1uW', agent_metadata: { team: 'support' }, name: 'Support Assistant' },
  custom_domain: { domain: 'login.example.com', domain_metadata: { environment: 'production' } },
  organization: {
    id: 'org_Jq4mX8vN2pK6sL0r', display_name: 'Acme Corp', name: 'acme', metadata: { tier: 'gold' },
  },
  prompt: { id: 'ap_5d8s2kF7', fields: { accepted_terms: 'true' }, vars: {} },
  refresh_token: {
    id: 'rt_7Ghs2LmQx9PvT4Ka',
    client_id: 'Yl3qU8cN5ZsV2hTj6fWx1RkD9mGpA4eB',
    created_at: '2025-05-02T08:14:22.118Z',
    device: {
      initial_asn: 'AS3320', initial_ip: '93.184.216.34', initial_user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
      last_asn: 'AS3320', last_ip: '93.184.216.34', last_user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
    },
    expires_at: '2025-07-31T08:14:22.118Z',
    idle_expires_at: '2025-06-01T08:14:22.118Z',
    last_exchanged_at: '2025-05-20T10:02:11.500Z',
    metadata: {},
    resource_servers: [{ audience: 'https://api.example.com', scopes: 'openid profile email offline_access' }],
    rotating: true,
    session_id: 'sess_Lq8wX2vB6nM4kT0p',
    user_id: 'auth0|65a1b2c3d4e5f60718293a4b',
  },
  security_context: { ja3: '771,4865-4866-4867,0-23-65281,29-23-24,0', ja4: 't13d1516h2_8daaf6152771_b186095e22b6' },
  session_transfer_token: {
    client_id: 'Yl3qU8cN5ZsV2hTj6fWx1RkD9mGpA4eB',
    request: { ip: '93.184.216.34', asn: 'AS3320', user_agent: 'ExampleApp/3.2 (Android 14)' },
    scope: ['openid', 'profile'],
  },
});

/** The default event; a new object each call, with timestamps relative to `nowMs`. */
function defaultEvent(nowMs = Date.now()) {
  const iso = (offsetMs) => new Date(nowMs + offsetMs).toISOString();
  const day = 24 * 60 * 60 * 1000;
  const clientId = 'Yl3qU8cN5ZsV2hTj6fWx1RkD9mGpA4eB';
  const userId = 'auth0|65a1b2c3d4e5f60718293a4b';
  const scopes = ['openid', 'profile', 'email'];
  const audience = 'https://api.example.com';
  return {
    authentication: {
      methods: [{ name: 'pwd', timestamp: iso(-2000) }],
      riskAssessment: {
        assessments: {
          ImpossibleTravel: { code: 'minimal_travel_from_last_login', confidence: 'high' },
          NewDevice: { code: 'match', confidence: 'high', details: { device: 'known', useragent: 'known' } },
          UntrustedIP: { code: 'not_found_on_deny_list', confidence: 'high' },
        },
        confidence: 'high',
        version: '1',
      },
    },
    authorization: { roles: [] },
    client: { client_id: clientId, name: 'Example Web App', metadata: {} },
    configuration: {},
    connection: { id: 'con_8sQwL3fN1vTz5KpR', name: 'Username-Password-Authentication', strategy: 'auth0', metadata: {} },
    request: {
      asn: 'AS3320',
      body: {},
      geoip: {
        cityName: 'Berlin', continentCode: 'EU', countryCode: 'DE', countryCode3: 'DEU', countryName: 'Germany',
        latitude: 52.5244, longitude: 13.4105, subdivisionCode: 'BE', subdivisionName: 'Land Berlin',
        timeZone: 'Europe/Berlin',
      },
      hostname: 'dev-rbac.local.auth0',
      ip: '93.184.216.34',
      language: 'en-US',
      method: 'GET',
      query: {
        audience,
        client_id: clientId,
        protocol: 'oauth2',
        redirect_uri: 'https://app.example.com/callback',
        response_type: 'code',
        scope: scopes.join(' '),
        state: 'eyJyZXR1cm5UbyI6Ii8ifQ',
      },
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    },
    resource_server: { identifier: audience },
    secrets: {},
    session: { id: 'sess_Lq8wX2vB6nM4kT0p' },
    stats: { logins_count: 42 },
    tenant: { id: 'dev-rbac' },
    transaction: {
      id: 'txn_Wm3Qy7Lr2Xs9Vk5N',
      acr_values: [],
      locale: 'en',
      prompt: [],
      protocol: 'oidc-basic-profile',
      redirect_uri: 'https://app.example.com/callback',
      requested_scopes: scopes,
      response_mode: 'query',
      response_type: ['code'],
      state: 'eyJyZXR1cm5UbyI6Ii8ifQ',
      ui_locales: ['en-US'],
      metadata: {},
    },
    user: {
      user_id: userId,
      app_metadata: {},
      user_metadata: {},
      created_at: iso(-200 * day),
      updated_at: iso(-2000),
      email: 'jane.doe@example.com',
      email_verified: true,
      family_name: 'Doe',
      given_name: 'Jane',
      identities: [{ connection: 'Username-Password-Authentication', isSocial: false, provider: 'auth0', user_id: '65a1b2c3d4e5f60718293a4b' }],
      last_password_reset: iso(-30 * day),
      name: 'Jane Doe',
      nickname: 'jane.doe',
      picture: 'https://s.gravatar.com/avatar/2bfa2d6b0c6e7f1b2c5d9f6a3e1b4c7d?s=480&r=pg&d=identicon',
      enrolledFactors: [],
      multifactor: [],
    },
  };
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

/** Assign an own enumerable property, even for names like `__proto__`. */
function setOwn(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  return obj;
}

/** Deep copy of JSON-like data (keeps `undefined` members out). */
function cloneData(v) {
  if (Array.isArray(v)) return v.map(cloneData);
  if (isPlainObject(v)) {
    const out = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) setOwn(out, k, cloneData(x));
    return out;
  }
  return v;
}

/**
 * Deep merge: plain objects merge key by key; arrays, `null` and scalars in `overrides` replace;
 * `undefined` in `overrides` leaves the base value. Returns a new object; inputs are untouched.
 */
function deepMerge(base, overrides) {
  if (overrides === undefined) return cloneData(base);
  if (!isPlainObject(base) || !isPlainObject(overrides)) return cloneData(overrides);
  const out = cloneData(base);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    setOwn(out, k, deepMerge(Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined, v));
  }
  return out;
}

const has = (obj, ...path) => {
  let cur = obj;
  for (const p of path) {
    if (!isPlainObject(cur) || !(p in cur)) return false;
    cur = cur[p];
  }
  return true;
};

const SOCIAL = new Set(['google-oauth2', 'facebook', 'github', 'twitter', 'apple', 'linkedin', 'windowslive', 'amazon']);

/**
 * Build a complete post-login event.
 *
 * Fields derived from others (identities, session user, query client id and audience, query scope)
 * follow the overrides unless the overrides set them too, so `buildEvent({user: {user_id: 'github|1'}})`
 * stays self-consistent.
 *
 * @param {object} [overrides] deep-merged into the default: arrays replace, `null` sets null;
 *   `overrides.secrets` replaces the secrets object as a whole
 * @param {{now?: number}} [options] `now` in ms for the default timestamps
 * @returns {object} a fresh event object
 */
function buildEvent(overrides = {}, { now = Date.now() } = {}) {
  const o = overrides || {};
  const event = deepMerge(defaultEvent(now), o);
  if ('secrets' in o) event.secrets = cloneData(o.secrets);

  const user = isPlainObject(event.user) ? event.user : null;
  if (user && typeof user.user_id === 'string' && has(o, 'user', 'user_id')) {
    const [provider, ...rest] = user.user_id.split('|');
    if (!has(o, 'user', 'identities')) {
      const connection = isPlainObject(event.connection) ? event.connection.name : provider;
      user.identities = [{
        connection, isSocial: SOCIAL.has(provider), provider, user_id: rest.length ? rest.join('|') : user.user_id,
      }];
    }
    if (isPlainObject(event.session) && !has(o, 'session', 'user_id') && 'user_id' in event.session) {
      event.session.user_id = user.user_id;
    }
  }
  const query = event.request && event.request.query;
  if (isPlainObject(query)) {
    if (has(o, 'client', 'client_id') && !has(o, 'request', 'query', 'client_id')) query.client_id = event.client.client_id;
    if ('resource_server' in o && !has(o, 'request', 'query', 'audience')) {
      if (isPlainObject(event.resource_server) && event.resource_server.identifier) query.audience = event.resource_server.identifier;
      else delete query.audience;
    }
    if (has(o, 'transaction', 'requested_scopes') && !has(o, 'request', 'query', 'scope')
      && Array.isArray(event.transaction.requested_scopes)) {
      query.scope = event.transaction.requested_scopes.join(' ');
    }
  }
  return event;
}

module.exports = { buildEvent, defaultEvent, deepMerge, cloneData, isPlainObject, setOwn, EVENT_SAMPLES };
