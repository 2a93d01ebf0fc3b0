'use strict';
/**
 * Deterministic fault injection for the Management API stand-in.
 *
 * A fault spec (all keys optional):
 *
 *   {
 *     seed: 1,                    // PRNG seed for `rate` rules (default 1): same requests → same faults
 *     routes: ['userPermissions'],// default route filter for every rule (route names: token,
 *                                 //   userPermissions, userRoles, userEffectivePermissions,
 *                                 //   userEffectiveRoles, roles, rolePermissions, unknown)
 *     latencyMs: 250,             // or { ms: 250, count | rate, routes }: delay, then continue
 *     reset:         { count: 1 }, // destroy the connection without a response (fetch rejects)
 *     hang:          { count: 1 }, // accept, never answer (until the client aborts or close())
 *     status5xx:     { count: 2, status: 503 },   // 5xx with an Auth0-shaped body (default 503)
 *     redirect:      { status: 307, location: 'http://127.0.0.1:9/x' }, // 3xx to `location` (default 307)
 *     status429:     { rate: 0.1 },               // 429 regardless of the token bucket; `reset: s` sends
 *                                                 //   x-ratelimit-reset = the current UNIX second + s
 *     unauthorized:  { count: 1 }, // 401 "Invalid token", as for a token the tenant no longer accepts
 *     malformedJson: { count: 1 }, // 200-range answer cut in half (invalid JSON)
 *     wrongShape:    { count: 1 }, // valid JSON of the wrong shape (array ↔ object wrapped)
 *     oversize:      { items: 600000 }, // 2xx answer: one page of that many permissions (default 600,000);
 *                                       //   `chunked: true` sends it without a content-length
 *     tokenValue:    { value: 'a b' },  // 2xx token answer whose access_token is `value`
 *   }
 *
 * Each rule is `{ count: N }` (the next N matching requests), `{ rate: p }` (each matching request
 * with probability p, drawn from the seeded PRNG), or `{}` / `true` (every matching request), plus
 * an optional `routes` filter overriding the top-level one. Rules are evaluated in the order
 * latency, reset, hang, status5xx, redirect, status429, unauthorized, malformedJson, wrongShape,
 * oversize, tokenValue; the first of reset, hang, status5xx, redirect, status429, unauthorized that
 * fires ends the evaluation, and at most one of malformedJson, wrongShape, oversize, tokenValue fires
 * (rules not reached keep their counts). A new spec (setFaults) replaces the old one;
 * `setFaults(null)` clears it.
 */

const KINDS = ['latency', 'reset', 'hang', 'status5xx', 'redirect', 'status429', 'unauthorized', 'malformedJson', 'wrongShape', 'oversize', 'tokenValue'];
const TERMINAL = new Set(['reset', 'hang', 'status5xx', 'redirect', 'status429', 'unauthorized']);
const MUTATIONS = new Set(['malformedJson', 'wrongShape', 'oversize', 'tokenValue']);

/** Small seeded PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalizeRule(kind, raw, defaultRoutes) {
  if (raw === undefined || raw === null || raw === false) return null;
  let rule = raw === true ? {} : raw;
  if (kind === 'latency' && typeof raw === 'number') rule = { ms: raw };
  if (typeof rule !== 'object') throw new TypeError(`fault ${kind}: expected an object, got ${JSON.stringify(raw)}`);
  const out = { routes: rule.routes || defaultRoutes || null };
  if (rule.count !== undefined) {
    if (!Number.isInteger(rule.count) || rule.count < 0) throw new TypeError(`fault ${kind}: count must be a non-negative integer`);
    out.remaining = rule.count;
  } else if (rule.rate !== undefined) {
    if (typeof rule.rate !== 'number' || rule.rate < 0 || rule.rate > 1) throw new TypeError(`fault ${kind}: rate must be within 0..1`);
    out.rate = rule.rate;
  }
  if (kind === 'latency') {
    if (typeof rule.ms !== 'number' || rule.ms < 0) throw new TypeError('fault latency: ms must be a non-negative number');
    out.ms = rule.ms;
  }
  if (kind === 'redirect') {
    out.status = rule.status === undefined ? 307 : rule.status;
    if (!Number.isInteger(out.status) || out.status < 300 || out.status > 399) throw new TypeError('fault redirect: status must be 300..399');
    if (typeof rule.location !== 'string') throw new TypeError('fault redirect: location must be a string');
    out.location = rule.location;
  }
  if (kind === 'oversize') {
    out.items = rule.items === undefined ? 600000 : rule.items;
    if (!Number.isInteger(out.items) || out.items < 1) throw new TypeError('fault oversize: items must be a positive integer');
    out.chunked = rule.chunked === true;
  }
  if (kind === 'tokenValue') {
    if (typeof rule.value !== 'string') throw new TypeError('fault tokenValue: value must be a string');
    out.value = rule.value;
  }
  if (kind === 'status429' && rule.reset !== undefined) {
    if (!Number.isInteger(rule.reset) || rule.reset < 0) throw new TypeError('fault status429: reset must be a non-negative integer (seconds)');
    out.reset = rule.reset;
  }
  if (kind === 'status5xx') {
    out.status = rule.status === undefined ? 503 : rule.status;
    if (!Number.isInteger(out.status) || out.status < 500 || out.status > 599) throw new TypeError('fault status5xx: status must be 500..599');
  }
  return out;
}

/**
 * Compile a fault spec into a `decide(route)` function.
 * @param {object|null} spec see the module comment
 * @returns {{decide: (route: string) => {latencyMs: number, terminal: null|{kind: string, status?: number, location?: string, reset?: number},
 *   mutate: null|{kind: 'malformedJson'|'wrongShape'|'oversize'|'tokenValue', items?: number, value?: string}, fired: string[]}}}
 */
function compileFaults(spec) {
  const s = spec || {};
  const rng = prng(s.seed === undefined ? 1 : s.seed);
  const rules = {
    latency: normalizeRule('latency', s.latencyMs, s.routes),
    reset: normalizeRule('reset', s.reset, s.routes),
    hang: normalizeRule('hang', s.hang, s.routes),
    status5xx: normalizeRule('status5xx', s.status5xx, s.routes),
    redirect: normalizeRule('redirect', s.redirect, s.routes),
    status429: normalizeRule('status429', s.status429, s.routes),
    unauthorized: normalizeRule('unauthorized', s.unauthorized, s.routes),
    malformedJson: normalizeRule('malformedJson', s.malformedJson, s.routes),
    wrongShape: normalizeRule('wrongShape', s.wrongShape, s.routes),
    oversize: normalizeRule('oversize', s.oversize, s.routes),
    tokenValue: normalizeRule('tokenValue', s.tokenValue, s.routes || ['token']),
  };
  const fires = (rule, route) => {
    if (!rule || (rule.routes && !rule.routes.includes(route))) return false;
    if (rule.remaining !== undefined) {
      if (rule.remaining <= 0) return false;
      rule.remaining -= 1;
      return true;
    }
    if (rule.rate !== undefined) return rng() < rule.rate;
    return true;
  };
  return {
    decide(route) {
      const d = { latencyMs: 0, terminal: null, mutate: null, fired: [] };
      for (const kind of KINDS) {
        const rule = rules[kind];
        if (d.mutate && MUTATIONS.has(kind)) continue;
        if (!fires(rule, route)) continue;
        d.fired.push(kind);
        if (kind === 'latency') d.latencyMs = rule.ms;
        else if (TERMINAL.has(kind)) {
          d.terminal = {
            kind, status: rule.status, location: rule.location, reset: rule.reset,
          };
          break;
        } else d.mutate = { kind, items: rule.items, chunked: rule.chunked, value: rule.value };
      }
      return d;
    },
  };
}

module.exports = { compileFaults, prng, FAULT_KINDS: KINDS };
