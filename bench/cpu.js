'use strict';
/**
 * Measure 1: CPU per login, Management API answered in-process: the stand-in's in-process fetch
 * (host/standin-fetch.js: real Response objects, no sockets, each URL's answer serialized once).
 *
 *   node --expose-gc bench/cpu.js [--rounds N] [--round-ms MS] [--warmup-ms MS] [--json]
 *
 * Both Actions are loaded in this process; onExecutePostLogin is called directly with the host's
 * minimal recording api (host/api.js) and an api.cache (host/cache.js), one login at a time
 * (awaited). Per scenario: warm-up
 * (alternating, by time), then `rounds` rounds per implementation, interleaved wasm, js, wasm, js, …; a round is N logins
 * and its CPU time is the process.cpuUsage() delta (user + system). Reported: the median of the
 * rounds in µs per login. With --expose-gc a full GC runs before each round, so garbage left by one
 * implementation is not collected on the other's time. Every round's last login is checked.
 */
const { parseArgs } = require('node:util');
const { implementations, loadFresh } = require('./lib/impls');
const { createFetchStandIn } = require('../host/standin-fetch');
const { recordingApi, claimsOf } = require('../host/api');
const { CacheStore } = require('../host/cache');
const { cpuFixture, roleId, API } = require('./lib/fixtures');
const { captured, secretsFor } = require('./lib/load');
const { median } = require('./lib/stats');

const NS = 'https://rbac.example.com';

/** Scenarios: `id` is stable (used by run.js); `perms` is the expected permissions claim length. */
function scenarios(standIn) {
  const base = (user, roles) => ({ user: { user_id: user }, authorization: { roles }, resource_server: { identifier: API } });
  const big = Array.from({ length: 10 }, (_, i) => `cpu-big-${i}`);
  return [
    { id: 'roles-only', label: 'roles only (permissions=off)', event: base('auth0|cpu-0', ['admin', 'editor']), secrets: { namespace: NS }, perms: null },
    { id: 'user-100', label: 'roles + 100 permissions (permissions=user, 1 page)', event: base('auth0|cpu-100', ['admin', 'editor']), secrets: secretsFor(standIn, 'user'), perms: 100 },
    { id: 'user-1000', label: 'roles + 1000 permissions (permissions=user, 10 pages)', event: base('auth0|cpu-1000', ['admin', 'editor']), secrets: secretsFor(standIn, 'user'), perms: 1000 },
    { id: 'effective-100', label: 'roles + 100 permissions (permissions=effective, 1 page)', event: base('auth0|cpu-100', ['admin', 'editor']), secrets: secretsFor(standIn, 'effective'), perms: 100 },
    { id: 'roles-100', label: 'roles + 100 permissions (permissions=roles, 2 roles, warm)', event: base('auth0|cpu-0', ['cpu-small-a', 'cpu-small-b']), secrets: secretsFor(standIn, 'roles'), perms: 100 },
    { id: 'roles-1000', label: 'roles + 1000 permissions (permissions=roles, 10 roles, warm)', event: base('auth0|cpu-0', big), secrets: secretsFor(standIn, 'roles'), perms: 1000 },
    // The cost of a group-derived role: the roles-100 login, with its second role coming through a group
    // (roles=effective: one api.roles page) and a groups claim (groups=on: one api.groups page). Rust only:
    // the plain-JS Action has no such settings.
    {
      id: 'effective-groups-100',
      label: 'roles + 100 permissions (permissions=roles, roles=effective with 1 of 2 roles through a group, groups=on, warm)',
      event: base('auth0|cpu-0', ['cpu-small-a']),
      secrets: { ...secretsFor(standIn, 'roles'), roles: 'effective', groups: 'on' },
      directory: {
        roles: [{ id: roleId('cpu-small-a'), name: 'cpu-small-a', type: 'role' }, { id: roleId('cpu-small-b'), name: 'cpu-small-b', type: 'role' }],
        groups: [{ id: 'grp_cpu', name: 'cpu-group' }],
      },
      roles: 2,
      groups: 1,
      perms: 100,
      only: 'wasm',
    },
  ];
}

const cpuNow = () => { const u = process.cpuUsage(); return u.user + u.system; };

/** One login; returns the api so the caller can check what it recorded. */
async function login(action, cache, scenario) {
  const api = recordingApi({ cache });
  const { directory } = scenario;
  if (directory) { // api.roles / api.groups as Auth0 answers them: one page, a promise each
    api.roles = { getUserEffectiveRoles: async () => ({ roles: directory.roles.map((r) => ({ ...r })) }) };
    api.groups = { getUserGroups: async () => ({ groups: directory.groups.map((g) => ({ ...g })) }) };
  }
  await action.onExecutePostLogin({ ...scenario.event, secrets: scenario.secrets }, api);
  return api;
}

function check(api, scenario, implName) {
  const got = claimsOf(api);
  if (got.deny !== undefined) return `${implName}: login denied`;
  const roles = got.accessToken[`${NS}/roles`];
  if (!Array.isArray(roles) || roles.length !== (scenario.roles || scenario.event.authorization.roles.length)) return `${implName}: roles claim missing`;
  const groups = got.accessToken[`${NS}/groups`];
  if (scenario.groups !== undefined && (!Array.isArray(groups) || groups.length !== scenario.groups)) return `${implName}: groups claim missing`;
  const perms = got.accessToken[`${NS}/permissions`];
  if (scenario.perms === null ? perms !== undefined : (!Array.isArray(perms) || perms.length !== scenario.perms)) {
    return `${implName}: permissions claim has ${perms ? perms.length : 'none'}, expected ${scenario.perms}`;
  }
  return null;
}

async function round(action, cache, scenario, n) {
  if (typeof global.gc === 'function' && n > 20) global.gc(); // each round pays for its own garbage
  const start = cpuNow();
  let rec;
  for (let i = 0; i < n; i += 1) rec = await login(action, cache, scenario);  
  return { us: (cpuNow() - start) / n, rec };
}

async function measure({ rounds = 10, roundMs = 200, warmupMs = 1000 } = {}) {
  const standIn = createFetchStandIn({ fixture: cpuFixture(), cacheAnswers: true });
  standIn.install();
  const impls = implementations().map((impl) => ({ ...impl, action: loadFresh(impl), cache: new CacheStore() }));
  const results = [];
  try {
    for (const scenario of scenarios(standIn)) {
      const row = { id: scenario.id, label: scenario.label, impls: {} };
      // Warm-up and support check: a few logins each (first: token, role caches, JIT), then calibrate N.
      const usable = [];
      for (const impl of impls) {
        if (scenario.only && impl.name !== scenario.only) {
          row.impls[impl.name] = { error: 'no such setting' };
          continue;
        }
        const { value: rec, lines } = await captured(() => login(impl.action, impl.cache, scenario));  
        const problem = check(rec, scenario, impl.name);
        if (problem) {
          row.impls[impl.name] = { error: problem, log: lines.slice(0, 2).join(' | ') };
          continue;
        }
        usable.push(impl);
      }
      if (usable.length === 0) { results.push(row); continue; }
      // Warm-up by time (V8 keeps tiering up for a while), alternating, then calibrate N from the last chunk.
      const perImpl = {};
      const until = Date.now() + warmupMs;
      do {
        for (const impl of usable) {
          const { us } = await round(impl.action, impl.cache, scenario, 20);  
          perImpl[impl.name] = us;
        }
      } while (Date.now() < until);
      const slowest = Math.max(...Object.values(perImpl));
      const n = Math.max(10, Math.min(100000, Math.round((roundMs * 1000) / Math.max(slowest, 0.5))));
      const samples = Object.fromEntries(usable.map((impl) => [impl.name, []]));
      for (let r = 0; r < rounds; r += 1) {
        const order = r % 2 === 0 ? usable : [...usable].reverse();
        for (const impl of order) {
          const { us, rec } = await round(impl.action, impl.cache, scenario, n);  
          const problem = check(rec, scenario, impl.name);
          if (problem) throw new Error(`${scenario.id}: ${problem}`);
          samples[impl.name].push(us);
        }
      }
      for (const impl of usable) {
        row.impls[impl.name] = { usPerLogin: median(samples[impl.name]), rounds: samples[impl.name], loginsPerRound: n };
      }
      results.push(row);
    }
  } finally {
    standIn.uninstall();
  }
  return { results, requests: standIn.counts, impls: impls.map(({ name, source }) => ({ name, source })) };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '10' }, 'round-ms': { type: 'string', default: '200' }, 'warmup-ms': { type: 'string', default: '1000' }, json: { type: 'boolean' },
    },
  });
  measure({ rounds: Number(values.rounds), roundMs: Number(values['round-ms']), warmupMs: Number(values['warmup-ms']) }).then((out) => {
    if (values.json) { process.stdout.write(`${JSON.stringify(out)}\n`); return; }
    for (const row of out.results) {
      const cell = (name) => (row.impls[name] && row.impls[name].usPerLogin !== undefined ? `${row.impls[name].usPerLogin.toFixed(1)} µs` : (row.impls[name] && row.impls[name].error) || 'n/a');
      process.stdout.write(`${row.label}: wasm ${cell('wasm')}, js ${cell('js')}\n`);
    }
  }).catch((err) => { process.stderr.write(`${err.stack || err}\n`); process.exit(1); });
}

module.exports = { measure, scenarios };
