'use strict';
// The benchmarks compare like with like: the plain-JS baseline (bench/js-action.js) must give the same
// claims, deny the same way and make the same Management API requests as the Rust/wasm Action
// (the single-file bundle when built, else js/action.js) for the same event and the same Management API
// (the stand-in's in-process fetch, as in measure 1).
const { test, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { implementations, loadFresh } = require('../../bench/lib/impls');
const { perms, roleId, API } = require('../../bench/lib/fixtures');
const { captured } = require('../../bench/lib/load');
const { createFetchStandIn } = require('../../host/standin-fetch');
const { recordingApi, claimsOf, CacheStore } = require('./support/api');

const NS = 'https://rbac.example.com';
const OTHER_API = 'https://other.example.com';

function fixture() {
  const shared = perms(10, 'read:common');
  const roles = [
    { id: roleId('admin'), name: 'admin', permissions: [...shared, ...perms(60, 'admin')] },
    { id: roleId('editor'), name: 'editor', permissions: [...shared, ...perms(30, 'editor'), ...perms(5, 'other', OTHER_API)] },
    { id: roleId('viewer'), name: 'viewer', permissions: perms(5, 'viewer') },
  ];
  return {
    resourceServers: [{ identifier: API, name: 'API' }, { identifier: OTHER_API, name: 'Other' }],
    roles,
    users: [
      // 150 direct permissions, plus a role that repeats 10 of them: 150 distinct names, 2 pages.
      { user_id: 'auth0|two-pages', roles: [roleId('viewer')], permissions: [...perms(145, 'direct'), ...perms(5, 'viewer')] },
      { user_id: 'auth0|roles-only', roles: [roleId('admin'), roleId('editor')], permissions: [] },
      { user_id: 'google-oauth2|1035|x', roles: [], permissions: [...perms(3, 'z'), ...perms(2, 'a', OTHER_API)] },
    ],
  };
}

let standIn = null;
afterEach(() => { if (standIn) standIn.uninstall(); standIn = null; });

/** Secrets that point both Actions at the stand-in. */
const secretsFor = (s, extra) => ({
  namespace: NS, domain: s.domain, clientId: s.clientId, clientSecret: s.clientSecret, managementUrl: s.url, ...extra,
});

/**
 * Runs the same logins on a fresh instance of each implementation against its own fresh stand-in.
 * @param {object[]} events
 * @param {{secrets?: object, faults?: object, rateLimit?: object}} [options] stand-in faults and rate limit
 * @returns {Promise<Record<'wasm'|'js', {results: object[], requests: string[], logs: string[]}>>}
 */
async function onBoth(events, { secrets = {}, faults = null, rateLimit = null } = {}) {
  const out = {};
  for (const impl of implementations()) {
    standIn = createFetchStandIn({ fixture: fixture(), faults, rateLimit });
    standIn.install();
    const action = loadFresh(impl);
    const cache = new CacheStore();
    const results = [];
    const { lines } = await captured(async () => {  
      for (const event of events) {
        const api = recordingApi({ cache });
        await action.onExecutePostLogin({ resource_server: { identifier: API }, ...event, secrets: secretsFor(standIn, secrets) }, api);  
        const got = claimsOf(api);
        results.push({ claims: { idToken: got.idToken, accessToken: got.accessToken }, calls: api.calls, denied: got.deny === undefined ? null : got.deny });
      }
    });
    out[impl.name] = { results, requests: standIn.requests.map((r) => `${r.route} ${r.status} ${r.path}`), logs: lines };
    standIn.uninstall();
    standIn = null;
  }
  return out;
}

const login = (userId, roles) => ({ user: { user_id: userId }, authorization: { roles } });

test('roles only: the same claims, in event order, on both tokens, with no request', async () => {
  const both = await onBoth([login('auth0|x', ['editor', 'admin', 7, 'viewer'])], { secrets: { domain: '', clientId: '', clientSecret: '' } });
  for (const [name, { results, requests }] of Object.entries(both)) {
    assert.equal(results[0].denied, null, name);
    assert.deepEqual(results[0].claims.idToken, { [`${NS}/roles`]: ['editor', 'admin', 'viewer'] }, name);
    assert.deepEqual(results[0].claims.accessToken, { [`${NS}/roles`]: ['editor', 'admin', 'viewer'] }, name);
    assert.deepEqual(requests, [], name);
  }
  assert.deepEqual(both.js.results[0].calls, both.wasm.results[0].calls, 'same api calls in the same order');
});

test('150 permissions over 2 pages: same sorted, deduplicated claim and the same requests', async () => {
  const both = await onBoth([login('auth0|two-pages', ['viewer']), login('auth0|two-pages', ['viewer'])], { secrets: { permissions: 'user' } });
  const expected = [...perms(145, 'direct'), ...perms(5, 'viewer')].map((p) => p.permission_name).sort();
  assert.equal(expected.length, 150);
  for (const [name, { results, requests }] of Object.entries(both)) {
    for (const r of results) {
      assert.equal(r.denied, null, name);
      assert.deepEqual(r.claims.accessToken[`${NS}/permissions`], expected, name);
      assert.deepEqual(r.claims.idToken[`${NS}/permissions`], expected, name);
    }
    // One token for the instance, then two pages per login.
    assert.deepEqual(requests, [
      'token 200 /oauth/token',
      'userPermissions 200 /api/v2/users/auth0%7Ctwo-pages/permissions?per_page=100&page=0&include_totals=true',
      'userPermissions 200 /api/v2/users/auth0%7Ctwo-pages/permissions?per_page=100&page=1&include_totals=true',
      'userPermissions 200 /api/v2/users/auth0%7Ctwo-pages/permissions?per_page=100&page=0&include_totals=true',
      'userPermissions 200 /api/v2/users/auth0%7Ctwo-pages/permissions?per_page=100&page=1&include_totals=true',
    ], name);
  }
  assert.deepEqual(both.js.results[0].calls, both.wasm.results[0].calls);
});

test('effective mode and permissionsFor=requested give the same claims', async () => {
  const events = [login('google-oauth2|1035|x', []), { ...login('google-oauth2|1035|x', []), resource_server: { identifier: OTHER_API } }];
  const effective = await onBoth(events, { secrets: { permissions: 'effective' } });
  assert.deepEqual(effective.js.results.map((r) => r.claims), effective.wasm.results.map((r) => r.claims));
  assert.deepEqual(effective.wasm.results[0].claims.accessToken[`${NS}/permissions`], ['z:0000', 'z:0001', 'z:0002']);
  assert.deepEqual(effective.wasm.results[1].claims.accessToken[`${NS}/permissions`], ['a:0000', 'a:0001']);
  assert.deepEqual(effective.js.requests, effective.wasm.requests);
  const requested = await onBoth(events, { secrets: { permissions: 'user', permissionsFor: 'requested' } });
  assert.deepEqual(requested.js.results.map((r) => r.claims), requested.wasm.results.map((r) => r.claims));
  assert.deepEqual(requested.js.results[1].claims.idToken[`${NS}/permissions`], ['a:0000', 'a:0001']);
});

test('permissions=roles: the union of the roles\' permissions, cached for every later login', async (t) => {
  const events = [login('auth0|roles-only', ['admin', 'editor']), login('auth0|two-pages', ['editor', 'unknown-role']), login('auth0|roles-only', ['admin', 'editor'])];
  const both = await onBoth(events, { secrets: { permissions: 'roles' } });
  const wasm = both.wasm;
  if (wasm.results[0].denied && wasm.logs.some((l) => l.includes('permissions'))) {
    t.skip(`the Rust Action in pkg/ does not support permissions=roles yet: ${wasm.logs.find((l) => l.includes('permissions'))}`);
    return;
  }
  const admin = [...perms(10, 'read:common'), ...perms(60, 'admin')];
  const editor = [...perms(10, 'read:common'), ...perms(30, 'editor'), ...perms(5, 'other', OTHER_API)];
  const union = [...new Set([...admin, ...editor].map((p) => p.permission_name))].sort();
  const editorOnly = [...new Set(editor.map((p) => p.permission_name))].sort();
  for (const [name, { results, requests }] of Object.entries(both)) {
    assert.deepEqual(results.map((r) => r.denied), [null, null, null], name);
    assert.deepEqual(results[0].claims.accessToken[`${NS}/permissions`], union, name);
    assert.deepEqual(results[1].claims.accessToken[`${NS}/permissions`], editorOnly, `${name}: an unknown role adds nothing`);
    assert.deepEqual(results[1].claims.accessToken[`${NS}/roles`], ['editor', 'unknown-role'], name);
    assert.deepEqual(results[2].claims, results[0].claims, name);
    // token + directory + one page per role, all during the first login; nothing after.
    assert.equal(requests.length, 4, `${name}: ${requests.join('\n')}`);
    assert.deepEqual(requests.map((r) => r.split(' ')[0]).sort(), ['roles', 'rolePermissions', 'rolePermissions', 'token'].sort(), name);
  }
  assert.deepEqual(both.js.results.map((r) => r.claims), wasm.results.map((r) => r.claims));
});

test('429, 503 and a rejected token are retried the same way and end in the same claims', async () => {
  // In this order on the first three page requests: 503, 429 (reset: the current second), 401.
  const faults = {
    status5xx: { count: 1, status: 503 }, status429: { count: 1, reset: 0 }, unauthorized: { count: 1 }, routes: ['userPermissions'],
  };
  const both = await onBoth([login('google-oauth2|1035|x', ['a'])], { secrets: { permissions: 'user' }, faults });
  for (const [name, { results, requests }] of Object.entries(both)) {
    assert.equal(results[0].denied, null, name);
    assert.deepEqual(results[0].claims.idToken[`${NS}/permissions`], ['a:0000', 'a:0001', 'z:0000', 'z:0001', 'z:0002'], name);
    assert.deepEqual(requests.map((r) => r.split(' ').slice(0, 2).join(' ')), [
      'token 200', 'userPermissions 503', 'userPermissions 429', 'userPermissions 401', 'token 200', 'userPermissions 200',
    ], name);
  }
});

test('failures: onError=continue keeps the roles claim only; deny uses the same generic reason', async () => {
  const faults = { status5xx: { count: 100, status: 500 }, routes: ['userPermissions'] };
  const cont = await onBoth([login('auth0|x', ['a'])], { secrets: { permissions: 'user', onError: 'continue', budgetMs: '300' }, faults });
  for (const [name, { results }] of Object.entries(cont)) {
    assert.equal(results[0].denied, null, name);
    assert.deepEqual(results[0].claims.accessToken, { [`${NS}/roles`]: ['a'] }, name);
  }
  const deny = await onBoth([login('auth0|x', ['a'])], { secrets: { permissions: 'user', budgetMs: '300' }, faults });
  assert.match(deny.wasm.results[0].denied, /^Sign-in could not be completed/);
  assert.equal(deny.js.results[0].denied, deny.wasm.results[0].denied);
  assert.deepEqual(deny.js.results[0].claims, { idToken: {}, accessToken: {} });
  const badConfig = await onBoth([login('auth0|x', ['a'])], { secrets: { namespace: 'https://tenant.auth0.com' } });
  assert.equal(badConfig.js.results[0].denied, badConfig.wasm.results[0].denied);
  assert.ok(badConfig.js.results[0].denied);
});

// The report's tables and charts from a small synthetic results object (no measuring): the charts are
// well-formed SVG with the budget line, the new tables are there, and the files land next to the output.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const report = require('../../bench/report');

function syntheticRun() {
  const cpuRow = (id, label, wasm, js) => ({ id, label, impls: { wasm: { usPerLogin: wasm, rounds: [wasm, wasm], loginsPerRound: 10 }, js: { usPerLogin: js, rounds: [js, js], loginsPerRound: 10 } } });
  const phase = (median) => ({ median, min: median * 0.9, max: median * 1.2 });
  const variant = (name, label, text, compressedBytes, textChars, decodeMs, decompressMs) => ({
    name, label, text, compressedBytes, textChars, runs: 2, decodeMs, decompressMs, totalMs: decodeMs + decompressMs,
  });
  return {
    profile: 'smoke',
    machine: { cpuModel: 'test CPU', nproc: 2, memory: '1 GiB', os: 'test', node: process.version, date: 'now', commit: 'abc', loadavg: '0', buildAtStart: 'x', buildAtEnd: 'x' },
    impls: [{ name: 'wasm', label: 'Rust/wasm', source: 'dist/rbac-claims-action.js' }, { name: 'js', label: 'plain JS', source: 'bench/js-action.js' }],
    elapsedMs: 1000,
    errors: [],
    results: {
      cpu: {
        results: [
          cpuRow('roles-only', 'roles only (permissions=off)', 8, 4),
          cpuRow('user-100', 'roles + 100 permissions (permissions=user, 1 page)', 330, 300),
          cpuRow('user-1000', 'roles + 1000 permissions (permissions=user, 10 pages)', 3000, 2500),
          cpuRow('roles-100', 'roles + 100 permissions (permissions=roles, 2 roles, warm)', 60, 50),
          { id: 'effective-groups-100', label: 'groups <&> (Rust only)', impls: { wasm: { usPerLogin: 70 } } },
        ],
      },
      cold: {
        wasm: { runs: 2, doneMs: 60, wallMs: 70, bootMs: 45, requireMs: 11, loginMs: 4, actionMs: 15 },
        js: { runs: 2, doneMs: 47, wallMs: 55, bootMs: 45, requireMs: 0.5, loginMs: 0.7, actionMs: 1.2 },
      },
      phases: {
        runs: 2, fileBytes: 84000, textChars: 74834, compressedBytes: 60849, wasmBytes: 159994, method: 'brotli',
        phases: { readMs: phase(0.1), zlibMs: phase(1.3), decodeMs: phase(3.5), decompressMs: phase(1.8), compileMs: phase(2.4) },
        sumMs: 9.1,
        variants: [
          variant('shipped', 'brotli q11 + basE91 (what ships)', 'base91', 60849, 74834, 3.5, 1.8),
          variant('base64', 'brotli q11 + base64', 'base64', 60849, 81132, 0.1, 1.8),
          variant('gzip9', 'gzip -9 + basE91', 'base91', 70659, 86899, 3.9, 1.5),
        ],
      },
      sizes: {
        wasm: { file: 'pkg/rbac_claims_bg.wasm', raw: 164338, gzip: 72542 },
        glue: { file: 'pkg/rbac_claims.js', raw: 25240, gzip: 5055 },
        bundle: { file: 'dist/rbac-claims-action.js', raw: 84000, gzip: 65616 },
        js: { file: 'bench/js-action.js', raw: 18212, gzip: 5872 },
        dist: {
          wasmRaw: 164338, wasmShortNames: 159994, wasmGzip: 70659, wasmBrotli: 60849, method: 'brotli', wasmInlined: 74834, bundleBytes: 84000,
          partsTotal: 164338, parts: [{ part: 'rbac_claims::auth0', bytes: 100000 }, { part: 'core', bytes: 60000 }, { part: 'other', bytes: 4338 }],
          limitBytes: 100000, budgetBytes: 90000, goalBytes: 60000,
        },
      },
    },
  };
}

/** A minimal well-formedness check: one <svg> root, every tag closed in order, no stray `<` or `&`. */
function assertWellFormedSvg(text, name) {
  assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/, `${name}: starts with <svg xmlns=…>`);
  assert.match(text, /<\/svg>\s*$/, `${name}: ends with </svg>`);
  const stack = [];
  let roots = 0;
  const rest = text.replace(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, (tag, close, name2, attrs, self) => {
    if (close) assert.equal(stack.pop(), name2, `${name}: </${name2}> closes the open tag`);
    else if (!self) { if (stack.length === 0) roots += 1; stack.push(name2); } else if (stack.length === 0) roots += 1;
    return '';
  });
  assert.deepEqual(stack, [], `${name}: every tag closed`);
  assert.equal(roots, 1, `${name}: one root element`);
  assert.doesNotMatch(rest, /[<>]/, `${name}: no stray angle brackets in text`);
  assert.doesNotMatch(rest, /&(?!(amp|lt|gt|quot|apos);)/, `${name}: & only in entities`);
}

test('report: both SVG charts are well-formed and drawn from the results (budget and cap lines, ratios)', () => {
  const svgs = report.renderCharts(syntheticRun());
  assert.deepEqual(Object.keys(svgs).sort(), ['cpu-ratios', 'size-budget']);
  for (const [name, text] of Object.entries(svgs)) assertWellFormedSvg(text, name);
  const size = svgs['size-budget'];
  assert.match(size, /budget 90,000 B/);
  assert.match(size, /Auth0 cap 100,000 B/);
  assert.match(size, /84,000 B/);
  assert.match(size, /JS: entry, glue, loader, decoder: 9,166 B/, 'the JS part is the file less the inlined text');
  assert.match(size, /wasm: rbac_claims::auth0: 45,537 B/, 'a wasm part is scaled to the inlined text');
  const cpu = svgs['cpu-ratios'];
  for (const r of ['2.00', '1.10', '1.20']) assert.ok(cpu.includes(`>${r}</text>`), `ratio ${r} drawn`);
  assert.doesNotMatch(cpu, /groups &lt;&amp;&gt;/, 'a scenario without the JS Action has no ratio bar');
  assert.match(cpu, />1\.0<\/text>/);
  assert.match(cpu, />2\.0<\/text>/);
});

test('report: phases, alternatives and the as-filed size and cold-start goals, with links to the charts', () => {
  const text = report.render(syntheticRun());
  assert.match(text, /## Size and cold-start goals \(as filed\)/);
  assert.match(text, /\| Single file, bytes \| 98,587 \| ≤ 85,000 \| ≤ 60,000 \| 84,000 \| \*\*met\*\* \| not met, by 24,000 \|/);
  assert.match(text, /\| CPU per login, wasm\/JS, roles only \| 3\.11 \| ≤ 2\.0 \| ≤ 1\.50 \| 2\.00 \| \*\*met\*\* \| not met, by 0\.50 \|/);
  assert.match(text, /`permissions=roles` warm \(2 roles\) \| 1\.15 \| ≤ 1\.26 \(1\.15 \+ 10 % noise\) \| — \| 1\.20 \| \*\*met\*\* \| no goal \|/);
  assert.match(text, /own cold start \(`require` \+ first roles-only login\), ms \| 16\.4–19\.4 \(19\.4 used\) \| ≤ 14 \| ≤ 6\.0 \| 15\.0 \| \*\*not met\*\* \| not met, by 9\.0 \|/);
  assert.match(text, /\| text decode: basE91, 74,834 characters → 60,849 B \| 3\.50 \|/);
  assert.match(text, /\| instantiate \+ glue evaluation \(`require` above − the sum\) \| 1\.90 \|/);
  assert.match(text, /\| brotli q11 \+ base64 \| 60,849 \| 81,132 \| 90,298 \| \*\*no\*\* \| 0\.10 \| 1\.80 \| 1\.90 \| −3\.40 ms, \+6,298 B \|/);
  assert.match(text, /!\[[^\]]+\]\(docs\/bench\/size-budget\.svg\)/);
  assert.match(text, /!\[[^\]]+\]\(docs\/bench\/cpu-ratios\.svg\)/);
  assert.doesNotMatch(text, /base64-encoded/, 'the file carries basE91 text');
  assert.match(text, /## Boundary goals/, 'the earlier as-filed table stays');
});

test('report: the charts are written next to an output file; for BENCHMARKS.md into docs/bench/', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-claims-report-'));
  try {
    const out = path.join(dir, 'report.md');
    const { charts, text } = report.writeReport(syntheticRun(), out);
    assert.deepEqual(charts.map((f) => path.basename(f)).sort(), ['report.cpu-ratios.svg', 'report.size-budget.svg']);
    for (const f of charts) assert.ok(fs.statSync(f).size > 500);
    assert.match(text, /\]\(report\.size-budget\.svg\)/);
    assert.equal(fs.readFileSync(out, 'utf8'), text);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const files = report.chartFiles(path.join(__dirname, '..', '..', 'BENCHMARKS.md'));
  assert.equal(files['size-budget'].link, 'docs/bench/size-budget.svg');
  assert.equal(files['cpu-ratios'].link, 'docs/bench/cpu-ratios.svg');
});

test('BENCHMARKS.md, its charts and the README\'s figures are what the kept results of the last full run render', (t) => {
  if (!fs.existsSync(report.KEPT_RESULTS)) {
    t.skip('no docs/bench/results.json yet: make bench writes it');
    return;
  }
  const run = JSON.parse(fs.readFileSync(report.KEPT_RESULTS, 'utf8'));
  const benchmarks = path.join(__dirname, '..', '..', 'BENCHMARKS.md');
  const text = report.render(run, { chartLinks: { 'size-budget': 'docs/bench/size-budget.svg', 'cpu-ratios': 'docs/bench/cpu-ratios.svg' } });
  assert.equal(fs.readFileSync(benchmarks, 'utf8'), text, 'BENCHMARKS.md: run make bench (or node bench/report.js)');
  const svgs = report.renderCharts(run);
  for (const [name, svg] of Object.entries(svgs)) {
    assert.equal(fs.readFileSync(path.join(path.dirname(report.KEPT_RESULTS), `${name}.svg`), 'utf8'), svg, `docs/bench/${name}.svg`);
  }
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = report.readmeSection(run, text);
  assert.ok(section.includes('## Size and cold-start goals'), 'the README shows the as-filed goals');
  assert.equal(report.withReadmeSection(readme, section), readme, 'README.md Benchmarks figures: run make bench');
});
