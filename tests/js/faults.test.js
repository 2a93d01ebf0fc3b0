'use strict';
// Fault matrix: every fault kind of the Management API stand-in × onError deny|continue ×
// a small and a large budget, each login through the local host (js/action.js → pkg/). Each cell must
// end within budgetMs + 1 s with the configured outcome: the permissions when the fault fits in the
// budget, else a deny (onError=deny) or the roles without permissions (onError=continue); never a
// failed login (throw, timeout, Auth0's 100 KB rule). The cells run concurrently, one stand-in each.
//
// Also here: the claim size guard end to end (5,000 long permission names, both onOverflow modes) and
// the secrets scan of everything these logins produced.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { createLeakScanner, captureIssuedTokens } = require('./support/leaks');
const {
  ACTION, NS, API, newHost, sharedKeyPair, permissionsOf, fixtureWith, secretsFor, scanResult, claim, startStandIn,
} = require('./support/host-run');
const { writeSection, table, today } = require('./support/report');

const SMALL = 1000;
const LARGE = 5000;
const SLACK_MS = 1000;
const CELL_CONCURRENCY = 16;
const USER = 'auth0|fault-user';
const PERMS = permissionsOf(3).map((p) => p.permission_name);
const API_ROUTES = ['userPermissions'];

const scanner = createLeakScanner();
let restoreFetch;
const servers = [];
const figures = { cells: [], transient: [], size: [], logins: 0 };

before(async () => {
  restoreFetch = captureIssuedTokens(scanner);
  await sharedKeyPair(); // RSA key generation, once, before anything is timed
});
after(async () => {
  restoreFetch();
  await Promise.all(servers.map((s) => s.close()));
});

async function standIn(options = {}) {
  const server = await startStandIn({
    fixture: fixtureWith([{ user_id: USER, roles: [], permissions: permissionsOf(3) }]),
    ...options,
  });
  scanner.addSecret(server.clientSecret);
  servers.push(server);
  return server;
}

async function login(host, server, extra, event = {}) {
  const secrets = secretsFor(server, extra);
  scanner.addSecret(secrets.clientSecret);
  const result = await host.run(ACTION, {
    user: { user_id: USER }, authorization: { roles: ['reader'] }, resource_server: { identifier: API }, ...event,
  }, { secrets });
  figures.logins += 1;
  scanResult(scanner, result);
  return result;
}

/**
 * Fault kinds: `spec` is the stand-in fault spec, `where` which requests it hits:
 *   'all'   every request of a cold instance (the token request first)
 *   'api'   the permissions requests of a warm instance (token cached)
 * `fits(budget)` says whether the permissions can still arrive within the budget.
 */
const KINDS = [
  { name: 'latency 600 ms on every request', where: 'all', spec: { latencyMs: { ms: 600 } }, fits: (b) => b >= 2000 },
  { name: '429 storm (rate-limit headers)', where: 'all', spec: { status429: {} }, rateLimit: { burst: 100, perSecond: 100 } },
  { name: '429 storm (rate-limit headers)', where: 'api', spec: { status429: {} }, rateLimit: { burst: 100, perSecond: 100 } },
  { name: '5xx (503) on every request', where: 'all', spec: { status5xx: { status: 503 } } },
  { name: '5xx (500) on every request', where: 'api', spec: { status5xx: { status: 500 } } },
  { name: 'hang (no answer)', where: 'all', spec: { hang: {} } },
  { name: 'hang (no answer)', where: 'api', spec: { hang: {} } },
  { name: 'connection reset', where: 'all', spec: { reset: {} } },
  { name: 'connection reset', where: 'api', spec: { reset: {} } },
  { name: 'malformed JSON (cut body)', where: 'all', spec: { malformedJson: {} } },
  { name: 'malformed JSON (cut body)', where: 'api', spec: { malformedJson: {} } },
  { name: 'wrong shape (array/object swapped)', where: 'all', spec: { wrongShape: {} } },
  { name: 'wrong shape (array/object swapped)', where: 'api', spec: { wrongShape: {} } },
  { name: 'redirect 307 to another origin', where: 'all', spec: { redirect: { status: 307, location: 'http://127.0.0.1:9/oauth/token' } } },
  { name: 'redirect 302 to another user (same origin)', where: 'api', spec: { redirect: { status: 302, location: '/api/v2/users/auth0%7Cother/permissions' } } },
  { name: 'a page of 600,000 permissions (88 MB)', where: 'all', spec: { oversize: { items: 600000 } } },
  { name: 'a page of 600,000 permissions (88 MB)', where: 'api', spec: { oversize: { items: 600000 } } },
  { name: '88 MB without a content-length (chunked)', where: 'api', spec: { oversize: { items: 600000, chunked: true } } },
  { name: 'a page of 101 items (100 asked for)', where: 'api', spec: { oversize: { items: 101 } } },
  { name: 'a token that cannot be sent (U+00FF)', where: 'all', spec: { tokenValue: { value: 'tok\u00ffen' } } },
  { name: '401: cached token revoked (recovers)', where: 'revoked', fits: () => true },
  { name: '401: every token rejected', where: 'expired' },
  { name: '401: wrong client secret', where: 'badSecret' },
];

/** One cell: returns the row for the matrix after asserting the outcome. */
async function cell(kind, budgetMs, onError) {
  const options = {};
  if (kind.rateLimit) options.rateLimit = kind.rateLimit;
  if (kind.where === 'expired') {
    // Each read of this clock is 10^9 ms later: every token has expired by the time it is presented.
    let ticks = 0;
    options.now = () => Date.now() + (ticks++) * 1e9;  
  }
  const server = await standIn(options);
  const host = await newHost();
  const extra = { budgetMs: String(budgetMs), onError };
  if (kind.where === 'api' || kind.where === 'revoked') {
    const warm = await login(host, server, { ...extra, budgetMs: '15000' }); // the budget is per login, not part of the token's key
    assert.equal(warm.outcome, 'allowed', `warm-up: ${warm.logs.join('\n')}`);
    if (kind.where === 'api') server.setFaults({ ...kind.spec, routes: API_ROUTES });
    else server.revokeTokens();
  } else if (kind.where === 'all') {
    server.setFaults(kind.spec);
  } else if (kind.where === 'badSecret') {
    extra.clientSecret = `wrong-${server.clientSecret}`;
  }
  server.resetCounts();
  const result = await login(host, server, extra);
  const label = `${kind.name} [${kind.where}] budget ${budgetMs} onError=${onError}`;
  const fits = kind.fits ? kind.fits(budgetMs) : false;
  assert.notEqual(result.outcome, 'failed', `${label}: ${result.error}`);
  assert.ok(result.durationMs <= budgetMs + SLACK_MS, `${label}: took ${result.durationMs} ms`);
  let shown;
  if (fits) {
    assert.equal(result.outcome, 'allowed', `${label}: ${result.logs.join('\n')}`);
    assert.deepEqual(claim(result, 'idToken', 'permissions'), PERMS, label);
    assert.deepEqual(claim(result, 'accessToken', 'permissions'), PERMS, label);
    shown = 'allowed + permissions';
  } else if (onError === 'deny') {
    assert.equal(result.outcome, 'denied', `${label}: ${result.logs.join('\n')}`);
    assert.match(result.denyReason, /^Sign-in could not be completed because authorization data is unavailable/);
    assert.equal(result.logs.filter((l) => l.startsWith('rbac-claims: login denied: management API: ')).length, 1, `${label}: ${result.logs.join('\n')}`);
    shown = 'denied';
  } else {
    assert.equal(result.outcome, 'allowed', `${label}: ${result.logs.join('\n')}`);
    assert.deepEqual(claim(result, 'idToken', 'roles'), ['reader']);
    assert.equal(claim(result, 'idToken', 'permissions'), undefined, label);
    assert.equal(claim(result, 'accessToken', 'permissions'), undefined, label);
    assert.ok(result.logs.some((l) => l.startsWith('rbac-claims: continuing without permissions (onError=continue): ')), label);
    shown = 'allowed, roles only';
  }
  const cause = (result.logs.find((l) => /login denied: |continuing without permissions/.test(l)) || '')
    .replace(/^.*?management API: /, '');
  return {
    kind, budgetMs, onError, shown, ms: Math.round(result.durationMs), requests: server.counts.total, cause,
  };
}

test(`fault matrix: ${KINDS.length} faults × onError deny|continue × budget ${SMALL}|${LARGE} ms, each within budget + ${SLACK_MS} ms`, async (t) => {
  const jobs = [];
  for (const kind of KINDS) {
    for (const budgetMs of [SMALL, LARGE]) {
      for (const onError of ['deny', 'continue']) {
        const estimate = kind.spec && (kind.spec.hang || kind.spec.status429) ? budgetMs : 1000;
        jobs.push({ estimate, run: () => cell(kind, budgetMs, onError) });
      }
    }
  }
  jobs.sort((a, b) => b.estimate - a.estimate);
  // Longest first, CELL_CONCURRENCY at a time: short enough in all, without so much contention that a
  // 1000 ms budget measures the test machine rather than the Action.
  const settled = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: CELL_CONCURRENCY }, async () => {
    while (next < jobs.length) {
      const i = next;
      next += 1;
      try {
        settled[i] = { status: 'fulfilled', value: await jobs[i].run() };  
      } catch (reason) {
        settled[i] = { status: 'rejected', reason };
      }
    }
  }));
  const failures = settled.filter((s) => s.status === 'rejected').map((s) => s.reason.message);
  figures.cells = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const md = matrixMarkdown(figures.cells);
  for (const line of md.split('\n')) t.diagnostic(line);
  assert.deepEqual(failures, []);
  assert.equal(figures.cells.length, KINDS.length * 4);
});

function matrixMarkdown(cells) {
  const rows = [];
  for (const kind of KINDS) {
    const row = [kind.name, { all: 'every request, cold', api: 'permissions requests, warm', revoked: 'permissions request, warm', expired: 'every API request', badSecret: 'token request' }[kind.where]];
    for (const budgetMs of [SMALL, LARGE]) {
      for (const onError of ['deny', 'continue']) {
        const c = cells.find((x) => x.kind === kind && x.budgetMs === budgetMs && x.onError === onError);
        row.push(c ? `${c.shown}, ${c.ms} ms, ${c.requests} req` : 'FAILED');
      }
    }
    const cause = cells.find((x) => x.kind === kind && x.cause);
    row.push(cause ? cause.cause.slice(0, 90) : '');
    rows.push(row);
  }
  return table(['fault', 'hits', `${SMALL} ms, deny`, `${SMALL} ms, continue`, `${LARGE} ms, deny`, `${LARGE} ms, continue`, 'logged cause (one cell)'], rows);
}

// Transient faults (then the stand-in answers): retried inside the budget.
const TRANSIENT = [
  { name: '5xx ×2', spec: { status5xx: { count: 2, status: 503 } }, recovers: true },
  { name: 'connection reset ×2', spec: { reset: { count: 2 } }, recovers: true },
  { name: '429 ×2 (rate-limit headers)', spec: { status429: { count: 2 } }, rateLimit: { burst: 100, perSecond: 100 }, recovers: true },
  { name: 'latency 2 s ×1', spec: { latencyMs: { ms: 2000, count: 1 } }, recovers: true },
  { name: 'malformed JSON ×1', spec: { malformedJson: { count: 1 } }, recovers: false },
  { name: 'hang ×1', spec: { hang: { count: 1 } }, recovers: false },
];

test(`transient faults on the permissions request (budget ${LARGE} ms): retried within the budget`, async (t) => {
  const rows = await Promise.all(TRANSIENT.flatMap((kind) => ['deny', 'continue'].map(async (onError) => {
    const server = await standIn(kind.rateLimit ? { rateLimit: kind.rateLimit } : {});
    const host = await newHost();
    const extra = { budgetMs: String(LARGE), onError };
    const warm = await login(host, server, { ...extra, budgetMs: '15000' });
    assert.equal(warm.outcome, 'allowed');
    server.setFaults({ ...kind.spec, routes: API_ROUTES });
    server.resetCounts();
    const result = await login(host, server, extra);
    assert.notEqual(result.outcome, 'failed', result.error);
    assert.ok(result.durationMs <= LARGE + SLACK_MS, `${kind.name}: ${result.durationMs} ms`);
    const gotPermissions = claim(result, 'idToken', 'permissions') !== undefined;
    if (kind.recovers) {
      assert.equal(result.outcome, 'allowed', `${kind.name}: ${result.logs.join('\n')}`);
      assert.deepEqual(claim(result, 'accessToken', 'permissions'), PERMS);
    } else {
      assert.equal(result.outcome, onError === 'deny' ? 'denied' : 'allowed', `${kind.name}/${onError}`);
      assert.equal(gotPermissions, false);
    }
    return { kind, onError, outcome: result.outcome, gotPermissions, ms: Math.round(result.durationMs), requests: server.counts.total };
  })));
  figures.transient = rows;
  const md = transientMarkdown(rows);
  for (const line of md.split('\n')) t.diagnostic(line);
});

function transientMarkdown(rows) {
  return table(['transient fault (then answers)', 'onError=deny', 'onError=continue'], TRANSIENT.map((kind) => [kind.name,
    ...['deny', 'continue'].map((onError) => {
      const r = rows.find((x) => x.kind === kind && x.onError === onError);
      return `${r.outcome}${r.gotPermissions ? ' + permissions' : r.outcome === 'allowed' ? ', roles only' : ''}, ${r.ms} ms, ${r.requests} req`;
    })]));
}

// ---- claim size guard, end to end ------------------------------------------------------------------

/** JSON bytes of one token's custom claims, as Auth0 (and the Action) count them. */
function claimsBytes(roles, permissions) {
  const o = { [`${NS}/roles`]: roles };
  if (permissions) o[`${NS}/permissions`] = permissions;
  return Buffer.byteLength(JSON.stringify(o), 'utf8');
}

/** Sorted, unique permission names whose claims take exactly `target` bytes with `roles`. */
function namesOfSize(target, roles, length = 60) {
  const name = (i) => `permission:${String(i).padStart(5, '0')}:${'x'.repeat(length - 17)}`;
  const names = Array.from({ length: Math.floor((target - claimsBytes(roles, [])) / (length + 3)) }, (_, i) => name(i));
  while (claimsBytes(roles, names) > target) names.pop();
  while (claimsBytes(roles, [...names, name(names.length)]) <= target) names.push(name(names.length));
  const missing = target - claimsBytes(roles, names);
  if (missing > 0) names.push(`${names.pop()}${'y'.repeat(missing)}`); // the last name stays last in sorted order
  assert.equal(claimsBytes(roles, names), target);
  return names;
}

test('claim size guard: 5,000 long permission names for one user, onOverflow deny and omit, never failed by Auth0\'s 100 KB rule', async (t) => {
  const roles = ['reader'];
  const long = Array.from({ length: 5000 }, (_, i) => `permission:${String(i).padStart(5, '0')}:${'x'.repeat(40)}`);
  const toPerms = (names) => names.map((n) => ({ permission_name: n, resource_server_identifier: API }));
  const users = [{ user_id: 'auth0|five-thousand', roles: [], permissions: toPerms(long) }];
  const boundary = [];
  for (const limit of [90000, 100000]) {
    for (const delta of [0, 1]) {
      const id = `auth0|size-${limit}-${delta}`;
      const names = namesOfSize(limit + delta, roles);
      users.push({ user_id: id, roles: [], permissions: toPerms(names) });
      boundary.push({ id, limit, delta, names });
    }
  }
  const server = await standIn({ fixture: fixtureWith(users) });
  const host = await newHost();
  const rows = [];
  const check = async (id, extra, expectFull, names, label) => {
    const result = await login(host, server, { budgetMs: '15000', ...extra }, { user: { user_id: id } });
    assert.notEqual(result.outcome, 'failed', `${label}: ${result.error}`);
    assert.ok(result.claimSizes.idToken <= 100000 && result.claimSizes.accessToken <= 100000, `${label}: ${JSON.stringify(result.claimSizes)}`);
    const mode = extra.onOverflow || 'deny';
    let shown;
    if (expectFull) {
      assert.equal(result.outcome, 'allowed', `${label}: ${result.logs.join('\n')}`);
      assert.deepEqual(claim(result, 'idToken', 'permissions'), names, label);
      assert.deepEqual(claim(result, 'accessToken', 'permissions'), names, label);
      shown = 'allowed, all permissions';
    } else if (mode === 'deny') {
      assert.equal(result.outcome, 'denied', label);
      assert.ok(result.logs.some((l) => /login denied: claim plan: claims take \d+ bytes, over maxClaimBytes \d+/.test(l)), `${label}: ${result.logs.join('\n')}`);
      shown = 'denied';
    } else {
      assert.equal(result.outcome, 'allowed', `${label}: ${result.logs.join('\n')}`);
      for (const token of ['idToken', 'accessToken']) {
        assert.deepEqual(result.claims[token], { [`${NS}/roles`]: roles, [`${NS}/permissions_truncated`]: true }, label);
      }
      shown = 'allowed, permissions_truncated: true';
    }
    rows.push([label, mode, result.outcome === 'allowed' ? `${result.claimSizes.idToken} B` : '—', shown, `${Math.round(result.durationMs)} ms`]);
  };
  for (const onOverflow of ['deny', 'omit']) {
    await check('auth0|five-thousand', { onOverflow }, false, long, `5,000 names (${claimsBytes(roles, long)} B of claims), default limit`);
    await check('auth0|five-thousand', { onOverflow, maxClaimBytes: '100000' }, false, long, '5,000 names, maxClaimBytes 100000');
    for (const b of boundary) {
      await check(b.id, { onOverflow, maxClaimBytes: String(b.limit) }, b.delta === 0, b.names, `claims of exactly ${b.limit + b.delta} B, maxClaimBytes ${b.limit}`);
    }
  }
  // Roles alone over the limit: omit cannot help, the login is denied (not failed by Auth0).
  const manyRoles = Array.from({ length: 1000 }, (_, i) => `role-${String(i).padStart(4, '0')}-${'r'.repeat(110)}`);
  for (const onOverflow of ['deny', 'omit']) {
    const result = await login(host, server, { onOverflow, permissions: 'off' }, { authorization: { roles: manyRoles } });
    assert.equal(result.outcome, 'denied', `1000 long roles, ${onOverflow}`);
    rows.push([`1000 roles of 120 chars (${claimsBytes(manyRoles)} B), no permissions`, onOverflow, '—', 'denied', `${Math.round(result.durationMs)} ms`]);
  }
  figures.size = rows;
  const md = table(['claims', 'onOverflow', 'ID token claims', 'outcome', 'time'], rows);
  for (const line of md.split('\n')) t.diagnostic(line);
});

test('single flight: a login waiting on another login\'s fetch is not failed by that login\'s own budget', async () => {
  const slow = (route) => ({ latencyMs: { ms: 700, count: 1, routes: [route] } });
  const late503 = (route) => ({ latencyMs: { ms: 250, count: 1, routes: [route] }, status5xx: { count: 1, routes: [route] } });
  for (const [mode, route, faults] of [
    ['user', 'token', slow], ['roles', 'roles', slow], ['user', 'token', late503], ['roles', 'roles', late503],
  ]) {
    // The first request on `route` takes 700 ms, or answers 503 after 250 ms: login A (budget 300 ms)
    // leads it and its budget runs out (no time to try again); login B (budget 5 s) joined A's flight
    // 50 ms later and must fetch for itself, within its own budget.
    const server = await standIn({
      fixture: fixtureWith([{ user_id: USER, roles: ['rol_reader'], permissions: permissionsOf(3) }], [{ id: 'rol_reader', name: 'reader', permissions: permissionsOf(3) }]),
      faults: faults(route),
    });
    const host = await newHost();
    if (route !== 'token') await login(host, server, { budgetMs: '5000' }); // the token is warm; the role data is not
    const extra = mode === 'roles' ? { permissions: 'roles', budgetMs: '5000' } : { budgetMs: '5000' };
    const a = login(host, server, { ...extra, budgetMs: '300' });
    await new Promise((resolve) => { setTimeout(resolve, 50); });
    const b = login(host, server, extra);
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.outcome, 'denied', `${mode}: A ran out of its own budget: ${ra.logs.join('\n')}`);
    assert.ok(ra.logs.some((l) => /time budget \(budgetMs\) ran out/.test(l)), ra.logs.join('\n'));
    assert.equal(rb.outcome, 'allowed', `${mode}: B fetched for itself: ${rb.logs.join('\n')}`);
    assert.deepEqual(claim(rb, 'accessToken', 'permissions'), PERMS, mode);
    assert.ok(rb.logs.some((l) => l.includes('fetching it here')), rb.logs.join('\n'));
  }
});

test('secrets scan: no client secret or Management API token in any log line, deny reason, claim or error', () => {
  const { state } = scanner;
  assert.ok(state.tokensKnown >= 10, `tokens seen: ${state.tokensKnown}`);
  assert.ok(state.secretsKnown >= KINDS.length * 4, `secrets: ${state.secretsKnown}`);
  assert.deepEqual(state.leaks, []);
});

test('report: figures for docs/reliability.md (RELIABILITY_REPORT=1 writes them), each checked before it is written', (t) => {
  const survived = figures.cells.length + figures.transient.length;
  // The report states what the run measured; it must not claim a clean run that did not happen.
  const failed = KINDS.length * 4 - figures.cells.length;
  assert.equal(failed, 0, 'fault cells that failed');
  const md = [
    `Last run: ${today()}, Node ${process.version}: **${figures.cells.length} fault cells** (${KINDS.length} faults × 2 onError × 2 budgets)`
      + ` and ${figures.transient.length} transient-fault logins, all within budget + ${SLACK_MS} ms with the configured outcome`
      + ` (${survived} faults survived, ${failed} cells failed). ${figures.logins} logins in all.`,
    '',
    '"req" counts the requests the stand-in saw during the faulted login (retries included).',
    '',
    figures.cells.length ? matrixMarkdown(figures.cells) : '',
    '',
    figures.transient.length ? transientMarkdown(figures.transient) : '',
    '',
    'Claim size guard (host + stand-in, both tokens, host checks Auth0\'s 100 KB rule):',
    '',
    table(['claims', 'onOverflow', 'ID token claims', 'outcome', 'time'], figures.size),
    '',
    `Secrets scan: ${scanner.summary()}.`,
  ].join('\n');
  writeSection('faults', md);
  t.diagnostic(`secrets scan: ${scanner.summary()}`);
});
