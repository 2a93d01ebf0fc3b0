'use strict';
// Hostile events: a seeded, reproducible batch of at least 10,000 generated events and api
// objects (valid and hostile shapes for every field the Action reads), each called through the real
// entry (js/action.js → pkg/), each checked against the exact api calls the contract requires.
//
//   HOSTILE_SEED=<n>   another batch (the seed is printed; default fixed)
//   HOSTILE_COUNT=<n>  batch size (default 10000)
//   HOSTILE_CASE=<i>   run only case i of the batch (to reproduce a failure)
//
// Also here: the named cases of the issue, the input the Action must refuse, and the secrets scan.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { isDeepStrictEqual } = require('node:util');

const action = require('../../js/action.js');
const wasm = require('../../pkg/rbac_claims.js'); // the instance js/action.js uses (same require cache)
const { createAction } = require('../../js/entry');
const { createRandom, seedFromEnv } = require('./support/prng');
const { recordingApi, claimsOf, CacheStore } = require('./support/api');
const { captureConsole, watchProcess } = require('./support/console');
const { createLeakScanner, SECRET_MARKER } = require('./support/leaks');
const { installStubFetch, expectedPermissions } = require('./support/stub-fetch');
const {
  generateCase, BIG, throwingProxy, revokedProxy, deepFreeze, ALL_KEYS, MAX_SECRETS_TEXT,
} = require('./support/hostile-gen');
const { writeSection, table, today, mb } = require('./support/report');

const SEED = seedFromEnv('HOSTILE_SEED', 20261126);
const COUNT = Number(process.env.HOSTILE_COUNT || 10000);
const ONLY = process.env.HOSTILE_CASE === undefined ? null : Number(process.env.HOSTILE_CASE);
const REASON = wasm.denyReason();
/** How a login that had to be denied, but whose `api.access.deny` threw, ends: the entry rejects. */
const NOT_DENIED = `rejected: ${wasm.notDeniedMessage()}`;
const LOGIN_BOUND_MS = 5000;
const NS = 'https://rbac.example.com';
const GLUE = path.join(__dirname, '..', '..', 'pkg', 'rbac_claims.js');

const scanner = createLeakScanner();
const figures = {
  generated: 0, tagMs: {}, modelChecked: 0, droppedCases: 0, droppedEntries: 0, skippedLines: 0, named: 0, refusals: 0, outcomes: {}, tags: {}, maxLoginMs: 0,
  slowest: '', maxLogLines: 0, traps: 0, wrongOutcomes: null,
  multiLineLogs: 0, stubRequests: 0, processEvents: 0, wasmBefore: wasm.memoryBytes(), wasmAfter: 0, ms: 0,
};

/** Runs one login through the entry; resolves with how it ended (never throws). */
async function login(event, api) {
  const t0 = performance.now();
  let timer;
  const bound = new Promise((resolve) => { timer = setTimeout(resolve, LOGIN_BOUND_MS, 'timeout'); });
  let settled;
  try {
    settled = await Promise.race([action.onExecutePostLogin(event, api).then(() => 'resolved'), bound]);
  } catch (err) {
    settled = err instanceof Error && err.message === wasm.notDeniedMessage() ? NOT_DENIED : `rejected: ${err && err.stack}`;
  } finally {
    clearTimeout(timer);
  }
  return { settled, ms: performance.now() - t0 };
}

/** Scans what a login produced: log lines, deny reason, every claim value. */
function scanOutputs(lines, calls) {
  for (const line of lines) scanner.scan('log', line);
  for (const call of calls || []) scanner.scan(call[0] === 'deny' ? 'denyReason' : 'claim', call.slice(1));
}

/** Checks common to every login: entry never rejects, logs are ours and one line each (no control character), nothing trapped. */
function checkLogs(lines, where) {
  for (const line of lines) {
    assert.ok(line.startsWith('rbac-claims: ') || line.startsWith(SUMMARY_PREFIX), `${where}: foreign log line ${JSON.stringify(line.slice(0, 200))}`);
    // eslint-disable-next-line no-control-regex -- the point: no control character may reach a log line
    assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f]/, `${where}: a control character in a log line ${JSON.stringify(line.slice(0, 300))}`);
    assert.ok(!line.includes('internal failure') && !line.includes('trapped'), `${where}: ${line.slice(0, 300)}`);
    assert.ok(line.length <= 256, `${where}: a log line of ${line.length} characters (Auth0 keeps 256)`);
  }
}

const SUMMARY_PREFIX = 'rbac-claims {';
const SUMMARY_KEYS = ['outcome', 'roles', 'permissions', 'groups', 'requests', 'ms'];

/** logLine=json: exactly one structured line, the last, with exactly its keys; none with logLine=off. */
function checkSummaryLine(lines, expect) {
  const summaries = lines.filter((l) => l.startsWith(SUMMARY_PREFIX));
  if (!expect.logLine) {
    assert.deepEqual(summaries, [], 'no structured line without logLine=json');
    return;
  }
  assert.equal(summaries.length, 1, `one structured line: ${JSON.stringify(lines.slice(-3))}`);
  assert.equal(lines.at(-1), summaries[0], 'the structured line comes last');
  const line = JSON.parse(summaries[0].slice('rbac-claims '.length));
  assert.deepEqual(Object.keys(line), SUMMARY_KEYS, summaries[0]);
  assert.ok(['set', 'continued', 'denied'].includes(line.outcome), summaries[0]);
  if (expect.outcome.startsWith('deny') || expect.outcome.startsWith('api threw')) assert.equal(line.outcome, 'denied', summaries[0]);
  else if (expect.outcome.startsWith('claims')) assert.equal(line.outcome, expect.continued ? 'continued' : 'set', summaries[0]);
}

const DROPPED_LINE = /^rbac-claims: dropped (\d+) role entries that were not well-formed strings$/;
const DROPPED_METADATA_LINE = /^rbac-claims: dropped (\d+) app_metadata role entries that were not non-empty strings$/;
const SKIPPED_LINE = 'rbac-claims: continuing without permissions (onError=continue): ';
const DENIED_LINE = 'rbac-claims: login denied: ';

/**
 * The log lines that follow from the reading of the event: the dropped role entries (one line with
 * their count), a skipped permissions step (one line with its cause), and the cause in the one
 * "login denied" line when the Action denies.
 */
function checkReadingLogs(lines, expect) {
  const dropped = lines.filter((l) => l.startsWith('rbac-claims: dropped '));
  if (expect.dropped) {
    assert.equal(dropped.length, 1, `one "dropped" line: ${JSON.stringify(dropped)}`);
    const pattern = expect.droppedFrom === 'metadata' ? DROPPED_METADATA_LINE : DROPPED_LINE;
    assert.equal(Number((pattern.exec(dropped[0]) || [])[1]), expect.dropped, dropped[0]);
  } else {
    assert.deepEqual(dropped, [], 'no "dropped" line');
  }
  const skipped = lines.filter((l) => l.startsWith(SKIPPED_LINE));
  assert.equal(skipped.length, expect.permissionsSkipped ? 1 : 0, `"continuing without permissions" lines: ${JSON.stringify(skipped)}`);
  if (expect.permissionsSkipped) assert.ok(skipped[0].startsWith(`${SKIPPED_LINE}${expect.permissionsSkipped}`), `${skipped[0]} (expected ${expect.permissionsSkipped})`);
  if (expect.denyLine) {
    const denied = lines.filter((l) => l.startsWith(DENIED_LINE));
    assert.ok(denied.length === 1 && denied[0].startsWith(`${DENIED_LINE}${expect.denyLine}`), `${JSON.stringify(denied)} (expected ${expect.denyLine})`);
  }
}

function normalLoginWorks() {
  const api = recordingApi();
  return action.onExecutePostLogin({ secrets: { namespace: NS }, authorization: { roles: ['admin', 'reader'] } }, api)
    .then(() => assert.deepEqual(api.calls, [
      ['idToken', `${NS}/roles`, ['admin', 'reader']],
      ['accessToken', `${NS}/roles`, ['admin', 'reader']],
    ], 'a normal login after hostile ones'));
}

test(`generated hostile events: ${COUNT} cases, seed ${SEED} (HOSTILE_SEED), each ends in its defined outcome`, async (t) => {
  t.diagnostic(`HOSTILE_SEED=${SEED} HOSTILE_COUNT=${COUNT}${ONLY === null ? '' : ` HOSTILE_CASE=${ONLY}`}`);
  const stub = installStubFetch({ onToken: (tok) => scanner.addToken(tok) });
  const sharedCache = new CacheStore();
  const inner = [];
  const ctx = {
    cacheStore: () => new CacheStore(),
    sharedCache,
    denyReason: REASON,
    onReenter: () => {
      // A hostile api that starts another login from inside setCustomClaim.
      const api = recordingApi();
      inner.push(action.onExecutePostLogin({ secrets: { namespace: NS }, authorization: { roles: ['inner'] } }, api).then(() => api));
    },
  };
  const logs = captureConsole();
  const proc = watchProcess();
  const failures = [];
  const t0 = performance.now();
  try {
    for (let i = 0; i < COUNT; i += 1) {
      if (ONLY !== null && i !== ONLY) continue;
      const r = createRandom((SEED ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
      const c = generateCase(r, ctx);
      if (c.secret) scanner.addSecret(c.secret);
      const processEventsBefore = proc.events.length;
      const { settled, ms } = await login(c.event, c.api);
      const lines = logs.take();
      figures.generated += 1;
      figures.traps += lines.filter((l) => l.includes('internal failure') || l.includes('trapped')).length;
      for (const tag of c.tags) {
        figures.tags[tag] = (figures.tags[tag] || 0) + 1;
        figures.tagMs[tag] = (figures.tagMs[tag] || 0) + ms;
      }
      if (ms > figures.maxLoginMs) { figures.maxLoginMs = ms; figures.slowest = `case ${i}: ${c.tags.filter((x) => /MB|roles:/.test(x)).join(', ')}`; }
      figures.maxLogLines = Math.max(figures.maxLogLines, lines.length);
      scanOutputs(lines, c.calls);
      try {
        assert.equal(settled, c.expect.rejects ? NOT_DENIED : 'resolved', 'the entry settles as it must, within the bound');
        checkLogs(lines, `case ${i}`);
        if (c.modelCheck !== undefined) {
          assert.equal(c.modelCheck, null, 'the settings model agrees with JSON.stringify(event.secrets, ALL_KEYS) read as src/json.rs does');
          figures.modelChecked += 1;
        }
        if (c.expect.expectedCalls === null) assert.deepEqual(c.calls, [], `api calls (${c.expect.outcome})`);
        else assert.deepEqual(c.calls, c.expect.expectedCalls, `api calls (${c.expect.outcome})`);
        figures.outcomes[c.expect.outcome] = (figures.outcomes[c.expect.outcome] || 0) + 1;
        checkReadingLogs(lines, c.expect);
        checkSummaryLine(lines, c.expect);
        if (c.expect.dropped) { figures.droppedCases += 1; figures.droppedEntries += c.expect.dropped; }
        if (c.expect.permissionsSkipped) figures.skippedLines += 1;
        const denied = lines.filter((l) => l.startsWith('rbac-claims: login denied: '));
        if (c.expect.outcome.startsWith('deny') || c.expect.outcome.startsWith('api threw')) {
          assert.equal(denied.length, 1, 'one "login denied" line');
        } else if (c.expect.outcome.startsWith('claims')) {
          assert.equal(denied.length, 0, 'no "login denied" line');
        }
        if (c.expect.couldNotDeny || c.expect.outcome.includes('unusable')) {
          assert.ok(lines.some((l) => l.startsWith('rbac-claims: could not deny the login')), 'logs that it could not deny');
        }
        assert.equal(proc.events.length, processEventsBefore, `process events: ${JSON.stringify(proc.events.slice(processEventsBefore))}`);
      } catch (err) {
        failures.push({ i, tags: c.tags, outcome: c.expect.outcome, message: err.message.slice(0, 1500), logs: lines.slice(0, 5).map((l) => l.slice(0, 300)) });
        if (failures.length >= Number(process.env.HOSTILE_MAX_FAILURES || 8)) break;
      }
      if (i % 1000 === 999) {
        await normalLoginWorks();
        logs.take();
      }
    }
    const innerApis = await Promise.all(inner);
    for (const api of innerApis) assert.deepEqual(claimsOf(api).idToken, { [`${NS}/roles`]: ['inner'] }, 'a login started from inside another one');
    await new Promise((resolve) => { setImmediate(resolve); });
  } finally {
    figures.ms = performance.now() - t0;
    figures.multiLineLogs = logs.stats.multiLine;
    figures.stubRequests = stub.counts.total;
    figures.processEvents = proc.events.length;
    figures.wrongOutcomes = failures.length;
    logs.stop();
    proc.stop();
    stub.restore();
  }
  if (process.env.HOSTILE_PROFILE) {
    for (const [tag, ms] of Object.entries(figures.tagMs).sort((a, b) => b[1] - a[1]).slice(0, 15)) t.diagnostic(`${tag}: ${Math.round(ms)} ms in ${figures.tags[tag]} cases`);
  }
  t.diagnostic(`role entries dropped in ${figures.droppedCases} cases (${figures.droppedEntries} entries); permissions skipped (onError=continue) in ${figures.skippedLines}`);
  t.diagnostic(`${figures.generated} cases in ${Math.round(figures.ms)} ms; slowest login ${Math.round(figures.maxLoginMs)} ms (${figures.slowest}); ${figures.stubRequests} Management API requests (stubbed)`);
  assert.deepEqual(failures, [], `reproduce with HOSTILE_SEED=${SEED} HOSTILE_CASE=<i>`);
  assert.equal(figures.processEvents, 0, 'no unhandled rejection or uncaught exception');
  // 1 MB inputs grow linear memory once (it never shrinks); it must stay far from what huge inputs could do.
  assert.ok(wasm.memoryBytes() < 64 * 1024 * 1024, `wasm linear memory is ${mb(wasm.memoryBytes())} after the batch`);
  if (ONLY === null) {
    assert.ok(figures.generated >= Math.min(COUNT, 10000));
    // Every hostile shape the issue names was generated many times.
    for (const tag of ['wrong type', 'missing object', 'null', '10,000 roles', '1 MB string', 'lone surrogate', '__proto__/constructor keys',
      'proxy', 'throwing getter', 'frozen', 'app_metadata deep', 'app_metadata:cyclic', 'app_metadata:huge', 'app_metadata:nonObject']) {
      assert.ok((figures.tags[tag] || 0) >= Math.min(20, COUNT / 500), `tag "${tag}" generated ${figures.tags[tag] || 0} times`);
    }
  }
  await normalLoginWorks();
});

// ---- the hostile shapes the issue names, one by one -------------------------------------------

/** Runs `event` with `api` (recording by default) and returns what happened. */
function callsOf(api) {
  try {
    return Array.isArray(api.calls) ? api.calls : undefined;
  } catch {
    return undefined; // a hostile api
  }
}

async function named(event, options = {}) {
  const api = 'api' in options ? options.api : recordingApi(); // an explicit `api: undefined` is a case
  const { secret, calls = callsOf(api), rejects = false } = options;
  if (secret) scanner.addSecret(secret);
  const logs = captureConsole();
  const proc = watchProcess();
  let out;
  try {
    out = await login(event, api);
    await new Promise((resolve) => { setImmediate(resolve); });
  } finally {
    logs.stop();
    proc.stop();
  }
  figures.named += 1;
  scanOutputs(logs.lines, calls);
  assert.equal(out.settled, rejects ? NOT_DENIED : 'resolved');
  assert.deepEqual(proc.events, []);
  checkLogs(logs.lines, 'named case');
  return { calls, lines: logs.lines, ms: out.ms };
}

const DENY = [['deny', REASON]];
/** A configuration error's deny: its own reason (a retry cannot help), from the test build (`make pkg-trap`). */
const CONFIG_DENY = [['deny', require(path.join(__dirname, '..', '..', 'target', 'pkg-trap', 'rbac_claims.js')).configDenyReason()]];
const rolesCalls = (roles, ns = NS) => [['idToken', `${ns}/roles`, roles], ['accessToken', `${ns}/roles`, roles]];
/** `[[[...]]]`, `depth` levels deep. */
const nestedArray = (depth) => { let v = []; for (let i = 1; i < depth; i += 1) v = [v]; return v; };

test('named: 10,000 roles deny (more than Auth0\'s 1000 per tenant)', async () => {
  const { calls, lines } = await named({ secrets: { namespace: NS }, authorization: { roles: new Array(10000).fill('admin') } });
  assert.deepEqual(calls, DENY);
  assert.ok(lines.some((l) => l.includes('10000 entries, more than 1000')), lines.join('\n'));
});

test('named: 1 MB strings (role, namespace, setting, user_id) end in a deny or in claims, quickly', async () => {
  const denied = (lines) => lines.filter((l) => l.startsWith('rbac-claims: login denied: '));
  let r = await named({ secrets: { namespace: NS }, authorization: { roles: ['admin', BIG.mbPlain] } });
  assert.deepEqual(r.calls, DENY, '1 MB role: more characters than maxClaimBytes');
  assert.deepEqual(denied(r.lines), ['rbac-claims: login denied: event: authorization.roles holds more than 90000 characters: the claim cannot fit maxClaimBytes']);
  for (const [why, secrets] of [['1 MB namespace that is not a URL', { namespace: BIG.mbPlain }], ['1 MB namespace URL', { namespace: BIG.mbHost }],
    ['1 MB setting', { namespace: NS, tokens: BIG.mbPlain }]]) {
    r = await named({ secrets, authorization: { roles: ['a'] } });
    assert.deepEqual(r.calls, DENY, why);
    assert.deepEqual(denied(r.lines), ['rbac-claims: login denied: event: the settings in event.secrets are too long'], why);
    assert.ok(r.lines.every((l) => l.length < 400), `${why}: short log lines`);
    assert.ok(r.ms < 500, `${why}: took ${r.ms} ms`);
  }
  const stub = installStubFetch({ onToken: (tok) => scanner.addToken(tok) });
  try {
    // A 1 MB client secret makes the settings text too long: refused before any request.
    const secret = `${SECRET_MARKER}-mb-${'z'.repeat(BIG.mbPlain.length)}`;
    r = await named({
      secrets: { namespace: NS, domain: 'stub.test', clientId: 'c', clientSecret: secret }, user: { user_id: 'auth0|1' }, authorization: { roles: ['reader'] },
    }, { api: recordingApi({ cache: new CacheStore() }), secret });
    assert.deepEqual(r.calls, DENY, '1 MB client secret');
    assert.deepEqual(denied(r.lines), ['rbac-claims: login denied: event: the settings in event.secrets are too long']);
    assert.ok(r.ms < 500, `1 MB client secret: took ${r.ms} ms`);
    // A 1 MB user_id (over 1024 characters) fails the permissions step before any request: onError decides.
    const creds = { namespace: NS, domain: 'stub.test', clientId: 'c', clientSecret: `${SECRET_MARKER}-mb-id-0123456789` };
    r = await named({ secrets: creds, user: { user_id: BIG.mbId }, authorization: { roles: ['reader'] } }, { api: recordingApi({ cache: new CacheStore() }) });
    assert.deepEqual(r.calls, DENY, '1 MB user_id, onError=deny');
    assert.deepEqual(denied(r.lines), ['rbac-claims: login denied: event: user.user_id is too long']);
    r = await named({ secrets: { ...creds, onError: 'continue' }, user: { user_id: BIG.mbId }, authorization: { roles: ['reader'] } },
      { api: recordingApi({ cache: new CacheStore() }) });
    assert.deepEqual(r.calls, rolesCalls(['reader']), '1 MB user_id, onError=continue: the roles claim only');
    assert.deepEqual(r.lines, ['rbac-claims: continuing without permissions (onError=continue): event: user.user_id is too long']);
    assert.ok(r.ms < 500, `1 MB user_id: took ${r.ms} ms`);
    // 1024 characters is the longest user_id taken.
    for (const [id, taken] of [[`auth0|${'i'.repeat(1018)}`, true], [`auth0|${'i'.repeat(1019)}`, false]]) {
      r = await named({ secrets: creds, user: { user_id: id }, authorization: { roles: ['reader'] } }, { api: recordingApi({ cache: new CacheStore() }) });
      const perms = expectedPermissions({ source: 'user', scope: 'all', userId: id });
      assert.deepEqual(r.calls, taken ? [['idToken', `${NS}/roles`, ['reader']], ['idToken', `${NS}/permissions`, perms],
        ['accessToken', `${NS}/roles`, ['reader']], ['accessToken', `${NS}/permissions`, perms]] : DENY, `user_id of ${id.length} characters`);
    }
    assert.equal(stub.counts.userPermissions, 1, 'only the user_id of 1024 characters was looked up');
  } finally {
    stub.restore();
  }
});

test('named: lone surrogates are never rewritten: role entries dropped (and logged), a setting or a user_id refused', async () => {
  // Role entries with an unpaired surrogate are dropped; a genuine U+FFFD is a character like any other.
  let r = await named({ secrets: { namespace: NS }, authorization: { roles: ['a\ud800b', '\udc00', 'ok \ud83d\ude00', '\ufffd', 'x\ufffdy', '\ud83d'] } });
  assert.deepEqual(r.calls, rolesCalls(['ok \ud83d\ude00', '\ufffd', 'x\ufffdy']));
  assert.deepEqual(r.lines, ['rbac-claims: dropped 3 role entries that were not well-formed strings']);
  // A setting with one: "must be a string" (src/json.rs keeps no such string), whatever the setting.
  for (const [key, secrets] of [['namespace', { namespace: 'https://e\ud800x.com' }], ['tokens', { namespace: NS, tokens: 'id\udc00' }],
    ['clientSecret', { namespace: NS, domain: 'stub.test', clientId: 'c', clientSecret: `${SECRET_MARKER}-lone-\ud800` }]]) {
    r = await named({ secrets, user: { user_id: 'auth0|1' }, authorization: { roles: ['a'] } }, { secret: secrets.clientSecret });
    assert.deepEqual(r.calls, CONFIG_DENY, key);
    assert.deepEqual(r.lines, [`rbac-claims: login denied: configuration: setting \`${key}\` must be a string, not string with an unpaired surrogate`]);
  }
  r = await named({ secrets: { namespace: 'https://e.com/\ufffdx' }, authorization: { roles: ['a'] } });
  assert.deepEqual(r.calls, rolesCalls(['a'], 'https://e.com/\ufffdx'), 'a genuine U+FFFD in a setting');
  // A user_id with one fails the permissions step before any request: onError decides.
  const stub = installStubFetch({ onToken: (tok) => scanner.addToken(tok) });
  try {
    const creds = { namespace: NS, domain: 'stub.test', clientId: 'c', clientSecret: `${SECRET_MARKER}-lone-0123456789` };
    for (const id of ['auth0|\ud800', '\udc00']) {
      r = await named({ secrets: creds, user: { user_id: id }, authorization: { roles: ['a'] } });
      assert.deepEqual(r.calls, DENY, `${JSON.stringify(id)}, onError=deny`);
      assert.deepEqual(r.lines, ['rbac-claims: login denied: event: user.user_id is a string with an unpaired surrogate']);
      r = await named({ secrets: { ...creds, onError: 'continue' }, user: { user_id: id }, authorization: { roles: ['a'] } });
      assert.deepEqual(r.calls, rolesCalls(['a']), `${JSON.stringify(id)}, onError=continue`);
      assert.deepEqual(r.lines, ['rbac-claims: continuing without permissions (onError=continue): event: user.user_id is a string with an unpaired surrogate']);
    }
    assert.equal(stub.counts.total, 0, 'no request for a user_id with a lone surrogate');
    r = await named({ secrets: creds, user: { user_id: 'auth0|\ufffd' }, authorization: { roles: ['a'] } }, { api: recordingApi({ cache: new CacheStore() }) });
    const perms = expectedPermissions({ source: 'user', scope: 'all', userId: 'auth0|\ufffd' });
    assert.deepEqual(r.calls, [['idToken', `${NS}/roles`, ['a']], ['idToken', `${NS}/permissions`, perms],
      ['accessToken', `${NS}/roles`, ['a']], ['accessToken', `${NS}/permissions`, perms]], 'a genuine U+FFFD in a user_id');
  } finally {
    stub.restore();
  }
});

test('named: event.secrets is read as one JSON.stringify(event.secrets, ALL_KEYS), parsed in Rust', async () => {
  const denied = (lines) => lines.filter((l) => l.startsWith('rbac-claims: login denied: '));
  const run = async (secrets) => named({ secrets, authorization: { roles: ['a'] } });
  // Values under a setting name: what JSON.stringify makes of them.
  for (const [why, value, tokens] of [['String object', new String('id'), 'id'], ['toJSON', { toJSON: () => 'access' }, 'access'],
    ['undefined', undefined, 'id,access'], ['null', null, 'id,access'], ['symbol', Symbol('s'), 'id,access'], ['function', () => 'id', 'id,access'],
    ['NaN (null in JSON)', NaN, 'id,access']]) {
    const { calls } = await run({ namespace: NS, tokens: value });
    const want = [];
    if (tokens.includes('id')) want.push(['idToken', `${NS}/roles`, ['a']]);
    if (tokens.includes('access')) want.push(['accessToken', `${NS}/roles`, ['a']]);
    assert.deepEqual(calls, want, why);
  }
  for (const [kind, value] of [['number', 5], ['boolean', false], ['object', { tokens: 'id' }], ['array', ['id']], ['number', new Number(1)],
    ['string', new Date(0)] /* its toJSON text, an unknown token */, ['array', nestedArray(64)]]) {
    const { calls, lines } = await run({ namespace: NS, tokens: value });
    assert.deepEqual(calls, CONFIG_DENY, kind);
    if (kind === 'string') assert.match(denied(lines)[0], /setting `tokens` has unknown token "1970-01-01T00:00:00\.000Z"/);
    else assert.deepEqual(denied(lines), [`rbac-claims: login denied: configuration: setting \`tokens\` must be a string, not ${kind}`], kind);
  }
  // What cannot be serialized under a setting name denies the login; nothing else is read.
  const cycle = {};
  cycle.tokens = cycle;
  for (const [why, value, line] of [['BigInt', 1n, 'JSON.stringify(event.secrets) threw: TypeError'], ['cycle', cycle, 'JSON.stringify(event.secrets) threw: TypeError'],
    ['throwing toJSON', { toJSON() { throw new Error('no'); } }, 'JSON.stringify(event.secrets) threw: Error: no'],
    ['BigInt under a setting name, nested', { tokens: 1n }, 'JSON.stringify(event.secrets) threw: TypeError'],
    ['65 levels of nesting', nestedArray(65), 'event: event.secrets: invalid JSON at byte '],
  ]) {
    const { calls, lines } = await run({ namespace: NS, tokens: value });
    assert.deepEqual(calls, DENY, why);
    assert.equal(denied(lines).length, 1, why);
    assert.ok(denied(lines)[0].startsWith(`rbac-claims: login denied: ${line}`), `${why}: ${denied(lines)[0]}`);
  }
  assert.deepEqual((await run({ namespace: NS, tokens: { otherKey: 1n, tokens: 'id' } })).calls, CONFIG_DENY, 'an object is not a string, whatever it holds');
  const reads = [];
  const watched = new Proxy({ namespace: NS, otherSecret: 'x' }, { get(t, k) { reads.push(String(k)); return t[k]; } });
  assert.deepEqual((await run(watched)).calls, rolesCalls(['a']));
  assert.deepEqual([...new Set(reads)].sort(), [...ALL_KEYS, 'toJSON'].sort(), 'the settings, and toJSON (JSON.stringify looks it up)');
  // The text of the settings: at most 256 Ki UTF-16 units.
  const padded = (n) => {
    const secrets = { namespace: NS, tokens: 'id' };
    secrets.tokens = `id${' '.repeat(n - JSON.stringify(secrets, ALL_KEYS).length)}`;
    assert.equal(JSON.stringify(secrets, ALL_KEYS).length, n);
    return secrets;
  };
  assert.deepEqual((await run(padded(MAX_SECRETS_TEXT))).calls, [['idToken', `${NS}/roles`, ['a']]], 'a settings text of 256 Ki characters');
  const { calls, lines } = await run(padded(MAX_SECRETS_TEXT + 1));
  assert.deepEqual(calls, DENY, 'one character more');
  assert.deepEqual(denied(lines), ['rbac-claims: login denied: event: the settings in event.secrets are too long']);
  // No settings: the namespace is missing.
  for (const secrets of [undefined, null, 42, 'namespace=x', [], () => ({ namespace: NS })]) {
    const r = await run(secrets);
    assert.deepEqual(r.calls, CONFIG_DENY, typeof secrets);
    assert.deepEqual(denied(r.lines), ['rbac-claims: login denied: configuration: setting `namespace` is required (e.g. https://example.com)'], String(secrets));
  }
});

test('named: __proto__ and constructor keys are plain data, never a prototype', async () => {
  const event = JSON.parse('{"__proto__": {"secrets": {"namespace": "https://evil.example"}}, "constructor": {"prototype": {"x": 1}},'
    + '"secrets": {"namespace": "https://rbac.example.com", "__proto__": {"tokens": "id"}, "constructor": "x"},'
    + '"authorization": {"roles": ["admin", "__proto__", "constructor"], "__proto__": {"roles": ["evil"]}}}');
  const { calls } = await named(event);
  assert.deepEqual(calls, rolesCalls(['admin', '__proto__', 'constructor']));
  assert.equal({}.namespace, undefined, 'Object.prototype untouched');
  const { calls: inheritedOnly } = await named(JSON.parse('{"__proto__": {"secrets": {"namespace": "https://evil.example"}}}'));
  assert.deepEqual(inheritedOnly, CONFIG_DENY, 'an own __proto__ key is not a prototype: no secrets, no namespace');
});

test('named: frozen event and frozen api', async () => {
  const calls = [];
  const api = deepFreeze({
    idToken: { setCustomClaim: (k, v) => { calls.push(['idToken', k, v]); } },
    accessToken: { setCustomClaim: (k, v) => { calls.push(['accessToken', k, v]); } },
    access: { deny: (reason) => { calls.push(['deny', reason]); } },
  });
  await named(deepFreeze({ secrets: { namespace: NS }, authorization: { roles: ['a', 'b'] } }), { api, calls });
  assert.deepEqual(calls, rolesCalls(['a', 'b']));
});

test('named: Proxies whose getters throw, revoked Proxies, null and undefined, in the event', async () => {
  for (const event of [throwingProxy({}, 'event'), revokedProxy({}), null, undefined, 5, 'event', Symbol('e'),
    { secrets: throwingProxy({}, 'secrets') }, { get secrets() { throw new Error('secrets getter'); } },
    { secrets: { namespace: NS }, authorization: throwingProxy({ roles: [] }, 'authorization') },
    { secrets: { namespace: NS }, authorization: { roles: throwingProxy(['a'], 'roles') } },
    { secrets: { namespace: NS }, authorization: { get roles() { throw new Error('roles getter'); } } },
    { secrets: { namespace: NS }, authorization: { roles: Object.defineProperty(['a', 'b'], 1, { get() { throw new Error('roles[1]'); } }) } },
  ]) {
    const { calls } = await named(event);
    // A number, a string or a symbol has no `secrets`: no settings, so the namespace is missing.
    assert.deepEqual(calls, ['number', 'string', 'symbol'].includes(typeof event) ? CONFIG_DENY : DENY, String(typeof event));
  }
});

test('named: hostile app_metadata with roles=metadata (deep, cyclic getters, huge arrays, non-objects, throwing Proxies), both onError values', async () => {
  /** An object whose every key is a getter that counts its reads and gives the object again: a cycle. */
  const cyclic = () => {
    const reads = { n: 0 };
    // Every key is its own (the metadata path reads own properties only), and every value is itself.
    const o = new Proxy({}, {
      get: (_t, k) => { if (typeof k === 'string') reads.n += 1; return o; },
      getOwnPropertyDescriptor: () => ({ value: o, writable: true, enumerable: true, configurable: true }),
    });
    return { o, reads };
  };
  let deep = {};
  for (let i = 0; i < 100000; i += 1) deep = { roles: deep };
  const lyingArray = new Proxy([], { get: (t, k) => (k === 'length' ? 2 ** 32 - 1 : 'a') });
  const manyChars = new Array(1000).fill(0).map((_, i) => `${i}-${'x'.repeat(100)}`);
  const failing = {
    'a value deep in nested objects': deep,
    'a cycle through getters': null, // cyclic(), below
    'a million entries': new Array(1e6).fill('a'),
    'a Proxy whose length lies': lyingArray,
    'more characters than maxClaimBytes': manyChars,
    'a throwing Proxy': throwingProxy({}, 'app_metadata roles'),
    'a revoked Proxy': revokedProxy([]),
    'a string': 'admin',
    'a Date': new Date(0),
  };
  for (const onError of ['deny', 'continue']) {
    const secrets = { namespace: NS, roles: 'metadata', metadataPath: 'authorization.roles', onError };
    const expected = onError === 'deny' ? DENY : rolesCalls(['fallback']);
    for (const [why, value] of Object.entries(failing)) {
      const c = why === 'a cycle through getters' ? cyclic() : null;
      const appMetadata = c ? c.o : { authorization: { roles: value } };
      const r = await named({ secrets, user: { user_id: 'auth0|1', app_metadata: appMetadata }, authorization: { roles: ['fallback'] } });
      assert.deepEqual(r.calls, expected, `${why}, onError=${onError}`);
      assert.ok(r.lines.some((l) => l.includes('user.app_metadata')), `${why}: ${r.lines.join('\n')}`);
      assert.ok(r.ms < 1000, `${why}: took ${r.ms} ms`);
      if (c) assert.equal(c.reads.n, 2, 'only the path\'s two keys are read, once each');
    }
    // A getter that throws on the way: the same failure of the roles step.
    const thrower = { get authorization() { throw new Error('app_metadata getter'); } };
    let r = await named({ secrets, user: { user_id: 'auth0|1', app_metadata: thrower }, authorization: { roles: ['fallback'] } });
    assert.deepEqual(r.calls, expected, `throwing getter, onError=${onError}`);
    r = await named({ secrets, user: { user_id: 'auth0|1', get app_metadata() { throw new Error('no'); } }, authorization: { roles: ['fallback'] } });
    assert.deepEqual(r.calls, expected, `throwing app_metadata getter, onError=${onError}`);
    // No app_metadata, or something on the way that is not an object: the path is missing, no roles.
    for (const user of [{ user_id: 'auth0|1' }, { app_metadata: null }, { app_metadata: 'roles' }, { app_metadata: 42 }, { app_metadata: true },
      { app_metadata: Symbol('m') }, { app_metadata: { authorization: 'roles' } }, { app_metadata: { authorization: null } },
      { app_metadata: { authorization: { roles: null } } }, { app_metadata: () => ['admin'] }, 'user', null]) {
      r = await named({ secrets, user, authorization: { roles: ['fallback'] } });
      assert.deepEqual(r.calls, rolesCalls([]), `${JSON.stringify(String(user && user.app_metadata))}, onError=${onError}`);
      assert.deepEqual(r.lines, []);
    }
    // A key on the path that the metadata lacks is missing even when a prototype has it: a polluted
    // Object.prototype (or a metadata object's own prototype) gives no roles.
    for (const key of ['app_metadata', 'authorization', 'roles']) {
      const inherited = { app_metadata: { authorization: { roles: ['admin'] } }, authorization: { roles: ['admin'] }, roles: ['admin'] }[key];
      Object.prototype[key] = inherited;
      try {
        const users = key === 'app_metadata' ? [{ user_id: 'auth0|1' }] : key === 'authorization'
          ? [{ user_id: 'auth0|1', app_metadata: {} }, { user_id: 'auth0|1', app_metadata: Object.create({ authorization: { roles: ['admin'] } }) }]
          : [{ user_id: 'auth0|1', app_metadata: { authorization: {} } }];
        for (const user of users) {
          r = await named({ secrets, user, authorization: { roles: ['fallback'] } });
          assert.deepEqual(r.calls, rolesCalls([]), `inherited ${key}, onError=${onError}`);
        }
      } finally {
        delete Object.prototype[key];
      }
    }
    // Entries that are not non-empty strings are dropped (one line), never converted.
    const toStringer = { toString: () => 'admin', toJSON: () => 'admin' };
    r = await named({ secrets, user: { app_metadata: { authorization: { roles: [toStringer, 1, null, '', 'ok', new String('s'), throwingProxy({}, 'entry'), 'ok'] } } } });
    assert.deepEqual(r.calls, rolesCalls(['ok']));
    assert.deepEqual(r.lines, ['rbac-claims: dropped 6 app_metadata role entries that were not non-empty strings']);
  }
});

test('named: a body chunk that lies about its length, or throws reading it, is refused without a trap; the next login gets its token', async () => {
  const stub = installStubFetch();
  const real = globalThis.fetch;
  const N = 4096;
  const proxy = (lengths) => {
    let reads = 0;
    return new Proxy(new Uint8Array(N).fill(0x41), {
      get(t, k) {
        if (k === 'length') { reads += 1; return lengths(reads); }
        const v = Reflect.get(t, k);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  };
  const chunks = {
    'a Proxy whose length grows after two reads': () => proxy((reads) => (reads <= 2 ? 4 : N)),
    'a Proxy whose length shrinks after one read': () => proxy((reads) => (reads <= 1 ? N : 4)),
    'a Proxy whose length is not a number': () => proxy(() => 'lots'),
    'a subclass whose length getter throws': () => new (class extends Uint8Array { get length() { throw new Error('length getter'); } })(8),
    'a subclass longer than its length says': () => new (class extends Uint8Array { get length() { return 4; } })(N),
    'a subclass shorter than its length says': () => new (class extends Uint8Array { get length() { return N; } })(4),
    'a subclass whose length is negative': () => new (class extends Uint8Array { get length() { return -1; } })(4),
  };
  const perms = expectedPermissions({ source: 'user', scope: 'all', userId: 'auth0|1' });
  try {
    for (const [i, [why, make]] of Object.entries(chunks).entries()) {
      // A client of its own: this instance has no token for it, so the first login asks for one.
      const creds = { namespace: NS, domain: 'stub.test', clientId: `lying-chunk-${i}`, clientSecret: `${SECRET_MARKER}-chunk-0123456789` };
      let lied = false;
      globalThis.fetch = async (url, init) => {
        if (lied || !String(url).endsWith('/oauth/token')) return real(url, init);
        lied = true;
        let sent = false;
        const chunk = make();
        const reader = { read: async () => (sent ? { done: true } : (sent = true, { done: false, value: chunk })), cancel: async () => {} };
        return { status: 200, redirected: false, type: 'basic', headers: { get: () => null }, body: { getReader: () => reader } };
      };
      const event = { secrets: creds, user: { user_id: 'auth0|1' }, authorization: { roles: ['reader'] } };
      let r = await named(event, { api: recordingApi({ cache: new CacheStore() }) });
      assert.deepEqual(r.calls, DENY, why);
      assert.ok(r.lines.some((l) => l.startsWith('rbac-claims: login denied: management API: POST /oauth/token')), `${why}: ${r.lines.join('\n')}`);
      assert.ok(!r.lines.some((l) => l.includes('internal failure') || l.includes('trapped')), `${why}: ${r.lines.join('\n')}`);
      r = await named(event, { api: recordingApi({ cache: new CacheStore() }) });
      assert.deepEqual(r.calls, [['idToken', `${NS}/roles`, ['reader']], ['idToken', `${NS}/permissions`, perms],
        ['accessToken', `${NS}/roles`, ['reader']], ['accessToken', `${NS}/permissions`, perms]], `${why}: the next login`);
    }
  } finally {
    globalThis.fetch = real;
    stub.restore();
  }
});

test('named: an api method that returns a promise whose catch throws is no failure: the login goes on, and so does the next', async () => {
  const stub = installStubFetch();
  const promiseWithThrowingCatch = () => {
    const p = Promise.resolve();
    p.catch = () => { throw new Error('catch trap'); };
    return p;
  };
  try {
    for (const where of ['setCustomClaim', 'deny', 'addScope']) {
      const api = recordingApi({ cache: new CacheStore() });
      const calls = callsOf(api);
      const { setCustomClaim } = api.idToken;
      const { deny } = api.access;
      if (where === 'setCustomClaim') api.idToken.setCustomClaim = (k, v) => { setCustomClaim(k, v); return promiseWithThrowingCatch(); };
      if (where === 'deny') api.access.deny = (reason) => { deny(reason); return promiseWithThrowingCatch(); };
      if (where === 'addScope') api.accessToken.addScope = (scope) => { calls.push(['addScope', scope]); return promiseWithThrowingCatch(); };
      const secrets = where === 'deny' ? { namespace: 'bad' }
        : where === 'addScope' ? { namespace: NS, domain: 'stub.test', clientId: 'c', clientSecret: `${SECRET_MARKER}-catch-0123456789`, permissionsAs: 'scope' }
          : { namespace: NS };
      const r = await named({ secrets, user: { user_id: 'auth0|1' }, authorization: { roles: ['reader'] } }, { api, calls });
      assert.ok(!r.lines.some((l) => l.includes('internal failure')), `${where}: ${r.lines.join('\n')}`);
      if (where === 'deny') assert.deepEqual(r.calls, CONFIG_DENY, 'denied once');
      else assert.ok(r.calls.some(([token, name]) => token === 'idToken' && name === `${NS}/roles`), `${where}: ${JSON.stringify(r.calls)}`);
    }
    const r = await named({ secrets: { namespace: NS }, authorization: { roles: ['after'] } });
    assert.deepEqual(r.calls, rolesCalls(['after']));
  } finally {
    stub.restore();
  }
});

test('named: a login started from inside another login (an event.secrets getter) leaves each its own settings', async () => {
  for (const key of ['tokens', 'namespace', 'onError']) {
    const innerApi = recordingApi();
    let inner;
    const secrets = { namespace: `${NS}/outer` };
    const value = secrets[key] ?? (key === 'tokens' ? 'id,access' : 'deny');
    Object.defineProperty(secrets, key, {
      enumerable: true,
      get() {
        inner = login({ secrets: { namespace: `${NS}/inner` }, authorization: { roles: ['inner'] } }, innerApi);
        return value;
      },
    });
    // Twice: the second outer login reads the same values as the first (the reader's unchanged path).
    for (let round = 0; round < 2; round += 1) {
      const r = await named({ secrets, authorization: { roles: ['outer'] } });
      await inner;
      assert.deepEqual(r.calls, rolesCalls(['outer'], `${NS}/outer`), `${key}, round ${round}: the outer login`);
      assert.deepEqual(callsOf(innerApi).splice(0), rolesCalls(['inner'], `${NS}/inner`), `${key}, round ${round}: the inner login`);
    }
  }
});

test('named: an api whose every getter throws, or null, cannot deny: the login is failed by rejecting', async () => {
  for (const api of [throwingProxy({}, 'api'), revokedProxy({}), null, undefined]) {
    for (const event of [{ secrets: { namespace: NS } }, { secrets: {} }, { secrets: { namespace: NS }, authorization: { roles: ['a'] } }]) {
      const { lines } = await named(event, { api, rejects: true });
      assert.ok(lines.some((l) => l.startsWith('rbac-claims: could not deny the login: ')), lines.join('\n'));
    }
  }
});

test('named: no half-applied login: the ID token got its claims, the access token threw, the deny threw: it rejects', async () => {
  for (const broken of ['accessToken', 'idToken']) {
    const api = recordingApi();
    api[broken] = { setCustomClaim() { throw new TypeError(`${broken} refused`); } };
    api.access = { deny() { throw new Error('deny refused'); } };
    const { calls, lines } = await named({ secrets: { namespace: NS }, authorization: { roles: ['a'] } }, { api, rejects: true });
    assert.deepEqual(calls, broken === 'accessToken' ? [['idToken', `${NS}/roles`, ['a']]] : [], broken);
    assert.ok(lines.some((l) => l.includes(`api.${broken}.setCustomClaim threw`)), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('rbac-claims: could not deny the login: api.access.deny threw')), lines.join('\n'));
  }
});

test('named: the api throwing mid-way (access token) is followed by a deny', async () => {
  const api = recordingApi();
  api.accessToken = { setCustomClaim() { throw new TypeError('access token refused'); } };
  const { calls, lines } = await named({ secrets: { namespace: NS }, authorization: { roles: ['a'] } }, { api });
  assert.deepEqual(calls, [['idToken', `${NS}/roles`, ['a']], ['deny', REASON]]);
  assert.ok(lines.some((l) => l.includes('api.accessToken.setCustomClaim threw: TypeError: access token refused')));
});

test('named: a fetch or api.cache error whose message quotes the request never reaches a log line', async () => {
  // Node's fetch quotes a header it refuses (the whole Authorization value); a host may quote anything.
  const original = globalThis.fetch;
  const token = 'eyJhbGciOiJSUzI1NiJ9.quoted-token-body.sig';
  scanner.addToken(token);
  const secret = `${SECRET_MARKER}-quoted-0123456789`;
  const creds = { namespace: NS, domain: 'stub.test', clientId: 'c', clientSecret: secret, budgetMs: '300' };
  try {
    for (const thrower of [
      (url, init) => { throw new TypeError(`Headers.append: "${init.headers.authorization || ''}" is an invalid header value. ${init.body || ''}`); },
      async (url, init) => {
        if (url.endsWith('/oauth/token')) return new Response(JSON.stringify({ access_token: token, expires_in: 86400 }), { status: 200 });
        const err = new TypeError(`fetch failed for ${init.headers.authorization}`);
        err.cause = Object.assign(new Error(`socket sent ${init.headers.authorization}`), { code: `E ${token}` });
        throw err;
      },
    ]) {
      globalThis.fetch = thrower;
      for (const onError of ['deny', 'continue']) {
        const cache = new CacheStore();
        const r = await named({ secrets: { ...creds, onError }, user: { user_id: 'auth0|q' }, authorization: { roles: ['a'] } }, { api: recordingApi({ cache }), secret });
        const text = r.lines.join('\n');
        assert.ok(!text.includes(token) && !text.includes(secret) && !text.includes('quoted-token-body'), text);
        assert.ok(r.lines.some((l) => /fetch failed: TypeError/.test(l)), text);
      }
    }
  } finally {
    globalThis.fetch = original;
  }
  // api.cache.set throwing with the value in its message: the token does not reach the log.
  const stub = installStubFetch({ onToken: (tok) => scanner.addToken(tok) });
  try {
    const cache = new CacheStore();
    cache.set = (key, value) => { throw new Error(`cannot store ${value}`); };
    const r = await named({ secrets: { ...creds, budgetMs: '5000' }, user: { user_id: 'auth0|q2' }, authorization: { roles: ['a'] } }, { api: recordingApi({ cache }) });
    assert.ok(r.lines.some((l) => l.includes('api.cache.set failed: Error')), r.lines.join('\n'));
    for (const line of r.lines) assert.doesNotMatch(line, /cannot store/);
  } finally {
    stub.restore();
  }
});

test('named: logins started from inside api.cache.get and setCustomClaim of another login (same tenant) all get their claims', async () => {
  const stub = installStubFetch({ onToken: (tok) => scanner.addToken(tok) });
  const secret = `${SECRET_MARKER}-reentrant-0123456789`;
  scanner.addSecret(secret);
  const secrets = { namespace: NS, domain: 'stub.test', clientId: 'reentrant', clientSecret: secret };
  const event = (id) => ({ secrets, user: { user_id: id }, authorization: { roles: ['reader'] } });
  const expected = (id) => {
    const perms = expectedPermissions({ source: 'user', scope: 'all', userId: id });
    return [['idToken', `${NS}/roles`, ['reader']], ['idToken', `${NS}/permissions`, perms],
      ['accessToken', `${NS}/roles`, ['reader']], ['accessToken', `${NS}/permissions`, perms]];
  };
  const inner = [];
  const startInner = (id) => {
    const api = recordingApi({ cache: new CacheStore() });
    inner.push(action.onExecutePostLogin(event(id), api).then(() => [id, api.calls]));
  };
  const logs = captureConsole();
  const proc = watchProcess();
  const outer = recordingApi({ cache: new CacheStore() });
  const get = outer.cache.get;
  let nested = 0;
  outer.cache.get = (key) => { if (nested++ < 3) startInner(`auth0|inner-${nested}`); return get(key); };
  outer.idToken.setCustomClaim = ((set) => (k, v) => { startInner('auth0|from-claim'); return set(k, v); })(outer.idToken.setCustomClaim);
  try {
    await login(event('auth0|outer'), outer);
    for (const [id, calls] of await Promise.all(inner)) assert.deepEqual(calls, expected(id), id);
    await new Promise((resolve) => { setImmediate(resolve); });
  } finally {
    logs.stop();
    proc.stop();
    stub.restore();
  }
  assert.deepEqual(outer.calls, expected('auth0|outer'));
  assert.ok(inner.length >= 2, `${inner.length} nested logins`);
  assert.deepEqual(proc.events, []);
  checkLogs(logs.lines, 'reentrant');
  scanOutputs(logs.lines, outer.calls);
});

// ---- input the Action must refuse ---------------------------------------------------------------

const CREDS = { domain: 'tenant.example.com', clientId: 'client', clientSecret: `${SECRET_MARKER}-refusal-0123456789` };
const REFUSALS = [
  // [setting named in the log, secrets (beyond the namespace unless set), why]
  ['managementUrl', { ...CREDS, managementUrl: 'http://example.com' }, 'non-loopback http:'],
  ['managementUrl', { ...CREDS, managementUrl: 'http://10.0.0.1:8080' }, 'non-loopback http: (private address)'],
  ['managementUrl', { ...CREDS, managementUrl: 'http://127.0.0.1.evil.com' }, 'loopback look-alike'],
  ['managementUrl', { ...CREDS, managementUrl: 'http://localhost.evil.com' }, 'loopback look-alike'],
  ['managementUrl', { ...CREDS, managementUrl: 'http://128.0.0.1' }, 'outside 127/8'],
  ['managementUrl', { ...CREDS, managementUrl: 'http://[::2]' }, 'IPv6 non-loopback'],
  ['managementUrl', { ...CREDS, managementUrl: 'http://127.0.0.1:4010\\evil' }, 'backslash (a path separator to a URL parser)'],
  ['managementUrl', { ...CREDS, managementUrl: 'http://0x7f000001' }, 'a host a URL parser reads as a number'],
  ['managementUrl', { ...CREDS, managementUrl: 'http://127.0.0.1:0' }, 'port 0'],
  ['managementUrl', { ...CREDS, managementUrl: 'http://127.0.0.1:65536' }, 'port over 65535'],
  ['namespace', { namespace: 'https://auth0%2ecom/x' }, 'namespace Auth0 ignores (percent-encoded dot)'],
  ['namespace', { namespace: 'https://auth0\u3002com' }, 'namespace Auth0 ignores (IDNA full stop)'],
  ['namespace', { namespace: 'https://\uff21\uff35\uff34\uff28\uff10.com' }, 'namespace Auth0 ignores (full-width letters)'],
  ['namespace', { namespace: 'https://tenant.auth0.com' }, 'namespace Auth0 ignores (auth0.com)'],
  ['namespace', { namespace: 'https://TENANT.Auth0.com/claims' }, 'namespace Auth0 ignores (case)'],
  ['namespace', { namespace: 'http://x.webtask.io' }, 'namespace Auth0 ignores (webtask.io)'],
  ['namespace', { namespace: 'https://webtask.run/' }, 'namespace Auth0 ignores (webtask.run)'],
  ['namespace', { namespace: 'https://auth0.com./x' }, 'namespace Auth0 ignores (trailing dot)'],
  ['namespace', { namespace: 'https://user@auth0.com:443/x' }, 'namespace Auth0 ignores (userinfo, port)'],
  ['namespace', { namespace: 'urn:auth0:claims' }, 'reserved URN'],
  ['namespace', { namespace: 'roles' }, 'claim name on the restricted list (roles/roles)'],
  ['namespace', { namespace: 'permissions' }, 'claim name on the restricted list'],
  ['namespace', { namespace: '$claims' }, 'claim names starting with $'],
  ['namespace', { namespace: '/' }, 'would make the bare restricted name "roles"'],
  ['namespace', { namespace: '' }, 'would make the bare restricted name "roles"'],
  ['namespace', { namespace: 'groups' }, 'restricted name'],
  ['budgetMs', { ...CREDS, budgetMs: '15001' }, 'over 15000'],
  ['budgetMs', { ...CREDS, budgetMs: '20000' }, 'over Auth0\'s 20 s limit'],
  ['budgetMs', { ...CREDS, budgetMs: '99' }, 'under 100'],
  ['budgetMs', { ...CREDS, budgetMs: '5e3' }, 'not a whole number'],
  ['tokens', { tokens: 'refresh' }, 'unknown value'],
  ['onError', { onError: 'ignore' }, 'unknown value'],
  ['permissions', { ...CREDS, permissions: 'all' }, 'unknown value'],
  ['permissionsFor', { ...CREDS, permissionsFor: 'some' }, 'unknown value'],
  ['onOverflow', { onOverflow: 'truncate' }, 'unknown value'],
  ['maxClaimBytes', { maxClaimBytes: '100001' }, 'over Auth0\'s 100 KB'],
  ['rolesCacheMs', { ...CREDS, rolesCacheMs: '86400001' }, 'over 24 h'],
  ['domain', { ...CREDS, domain: 'http://tenant.example.com' }, 'http: domain'],
  ['clientSecret', { domain: CREDS.domain, clientId: CREDS.clientId }, 'partial credentials'],
  ['tokens', { tokens: 5 }, 'not a string'],
];

test('input it must refuse: each denied with a log line naming the setting (and the unknown value)', async () => {
  const stub = installStubFetch({ onToken: (tok) => scanner.addToken(tok) });
  const rows = [];
  try {
    for (const [key, extra, why] of REFUSALS) {
      const secrets = { namespace: NS, ...extra };
      const { calls, lines } = await named({ secrets, user: { user_id: 'auth0|1' }, authorization: { roles: ['a'] } }, { secret: secrets.clientSecret });
      figures.refusals += 1;
      assert.deepEqual(calls, CONFIG_DENY, `${key}: ${why}`);
      const line = lines.find((l) => l.startsWith('rbac-claims: login denied: configuration: '));
      assert.ok(line && line.includes(`setting \`${key}\``), `${key} (${why}): ${lines.join('\n')}`);
      const value = extra[key];
      if (typeof value === 'string' && value.trim() !== '' && !['namespace', 'managementUrl', 'domain'].includes(key) && !/^\d/.test(value)) {
        assert.ok(line.includes(`"${value}"`), `${key}: the unknown value is named: ${line}`);
      }
      rows.push([key, why, line.slice('rbac-claims: login denied: configuration: '.length)]);
    }
    assert.equal(stub.counts.total, 0, 'a refused configuration makes no request');
    // And the limits themselves are accepted.
    for (const extra of [{ ...CREDS, budgetMs: '15000' }, { ...CREDS, budgetMs: '100' }, { ...CREDS, managementUrl: 'http://127.0.0.1:9' },
      { ...CREDS, managementUrl: 'http://localhost:9' }, { ...CREDS, managementUrl: 'http://[::1]:9' }, { maxClaimBytes: '100000' },
      { namespace: 'https://notauth0.com' }, { namespace: 'urn:auth0x:claims' }]) {
      const secrets = { namespace: NS, ...extra };
      const api = recordingApi();
      const { calls } = await named({ secrets, user: { user_id: 'auth0|1' }, authorization: { roles: ['a'] } }, { api, secret: secrets.clientSecret });
      assert.equal(calls[0][0], 'idToken', `accepted: ${JSON.stringify(extra)}`);
    }
  } finally {
    stub.restore();
  }
  figures.refusalTable = table(['setting', 'refused input', 'operator log (after "login denied: configuration: ")'], rows);
});

// ---- failures found on the way (all fixed in src/; each kept as a regression test) ----------------

/** A fresh wasm instance (its own linear memory), without disturbing the one js/action.js uses. */
function freshInstance() {
  const key = require.resolve(GLUE);
  const saved = require.cache[key];
  delete require.cache[key];
  let module;
  try {
    module = require(GLUE);
  } finally {
    require.cache[key] = saved;
  }
  return { module, action: createAction(() => module) };
}

test('regression: many huge role entries are refused without copying them all into wasm memory', async () => {
  const { module, action: fresh } = freshInstance();
  const before = module.memoryBytes();
  const api = recordingApi();
  const logs = captureConsole();
  const t0 = performance.now();
  try {
    await fresh.onExecutePostLogin({ secrets: { namespace: NS }, authorization: { roles: new Array(32).fill(BIG.mbPlain) } }, api);
  } finally {
    logs.stop();
  }
  const ms = performance.now() - t0;
  const grown = module.memoryBytes() - before;
  assert.deepEqual(api.calls, DENY);
  assert.ok(ms < 500 && grown < 16 * 1024 * 1024, `took ${Math.round(ms)} ms, wasm linear memory grew by ${mb(grown)}`);
});

test('regression: a role name with a lone surrogate is not silently rewritten', async () => {
  const api = recordingApi();
  const logs = captureConsole();
  try {
    await action.onExecutePostLogin({ secrets: { namespace: NS }, authorization: { roles: ['ok', 'a\ud800'] } }, api);
  } finally {
    logs.stop();
  }
  const roles = claimsOf(api).idToken[`${NS}/roles`];
  assert.ok(roles && (JSON.stringify(roles) === JSON.stringify(['ok', 'a\ud800']) || JSON.stringify(roles) === JSON.stringify(['ok'])), JSON.stringify(roles));
});

test('regression: a user_id of "." or ".." never sends the permissions request outside /api/v2/users/{id}/', async () => {
  const original = globalThis.fetch;
  const stub = installStubFetch({ onToken: (tok) => scanner.addToken(tok) });
  const stubbed = globalThis.fetch;
  const paths = [];
  globalThis.fetch = (url, init) => { paths.push(new URL(url).pathname); return stubbed(url, init); };
  const logs = captureConsole();
  try {
    for (const id of ['.', '..']) {
      await action.onExecutePostLogin({
        secrets: { namespace: NS, domain: 'stub.test', clientId: 'dots', clientSecret: `${SECRET_MARKER}-dots-0123456789` }, user: { user_id: id },
      }, recordingApi());
    }
  } finally {
    logs.stop();
    globalThis.fetch = original;
    stub.restore();
  }
  for (const p of paths.filter((x) => x !== '/oauth/token')) {
    assert.match(p, /^\/api\/v2\/users\/[^/]+\/permissions$/, `request path ${p}`);
  }
});

test('regression: a thrown message with a line break still gives one log line', async () => {
  const logs = captureConsole();
  try {
    await action.onExecutePostLogin({ secrets: { namespace: NS }, get authorization() { throw new Error('first line\nrbac-claims: forged line'); } }, recordingApi());
  } finally {
    logs.stop();
  }
  assert.ok(logs.lines.length > 0);
  for (const line of logs.lines) assert.doesNotMatch(line, /[\r\n]/, JSON.stringify(line));
});

test('regression: permissions=roles with many role names missing from the directory logs a bounded number of lines', async () => {
  const stub = installStubFetch({ onToken: (tok) => scanner.addToken(tok) });
  const logs = captureConsole();
  const api = recordingApi();
  try {
    await action.onExecutePostLogin({
      secrets: { namespace: NS, domain: 'stub.test', clientId: 'ghosts', clientSecret: `${SECRET_MARKER}-ghosts-0123456789`, permissions: 'roles' },
      user: { user_id: 'auth0|1' },
      authorization: { roles: ['admin', ...Array.from({ length: 999 }, (_, i) => `ghost-${i}`)] },
    }, api);
  } finally {
    logs.stop();
    stub.restore();
  }
  assert.equal(api.calls[0][0], 'idToken', 'the login gets its claims');
  assert.ok(logs.lines.length <= 3, `${logs.lines.length} log lines for one login`);
});


async function callsFor(event, api = recordingApi()) {
  const logs = captureConsole();
  try {
    await action.onExecutePostLogin(event, api);
  } finally {
    logs.stop();
  }
  return { calls: api.calls, lines: logs.lines };
}

test('regression: only the known settings of event.secrets are read; other keys cannot deny the login', async () => {
  const withOther = (define) => { const secrets = { namespace: NS }; define(secrets); return secrets; };
  const cases = [
    ['throwing getter', withOther((o) => Object.defineProperty(o, 'otherSecret', { enumerable: true, get() { throw new Error('not ours'); } }))],
    ['BigInt', withOther((o) => { o.otherSecret = 12n; })],
    ['cycle', withOther((o) => { o.otherSecret = o; })],
    ['100 levels of nesting', withOther((o) => { o.otherSecret = nestedArray(100); })],
  ];
  const wrong = [];
  for (const [why, secrets] of cases) {
    const { calls, lines } = await callsFor({ secrets, authorization: { roles: ['a'] } });
    if (!isDeepStrictEqual(calls, rolesCalls(['a']))) wrong.push(`${why}: ${JSON.stringify(calls[0])} ${lines.join(' ')}`);
  }
  assert.deepEqual(wrong, []);
});

test('regression: role entries that are not strings are dropped, never a role and never a deny', async () => {
  const cases = [
    ['Date', new Date(0)], ['toJSON object', { toJSON: () => 'root' }], ['BigInt', 7n], ['throwing Proxy', throwingProxy({}, 'entry')],
    ['100 levels of nesting', nestedArray(100)],
  ];
  const wrong = [];
  for (const [why, entry] of cases) {
    const { calls } = await callsFor({ secrets: { namespace: NS }, authorization: { roles: ['admin', entry] } });
    if (!isDeepStrictEqual(calls, rolesCalls(['admin']))) wrong.push(`${why}: ${JSON.stringify(calls[0])}`);
  }
  assert.deepEqual(wrong, []);
});

test('regression: the ID token and the access token get separate claim values', async () => {
  const api = recordingApi();
  const setId = api.idToken.setCustomClaim;
  api.idToken.setCustomClaim = (k, v) => { setId(k, [...v]); v.push('changed after the ID token'); return api; };
  await callsFor({ secrets: { namespace: NS }, authorization: { roles: ['a'] } }, api);
  assert.deepEqual(api.calls, rolesCalls(['a']));
});

// ---- secrets scan and the report ------------------------------------------------------------------

test('secrets scan: no client secret or Management API token in any log line, deny reason or claim', () => {
  const { state } = scanner;
  assert.ok(state.scanned > COUNT, `scanned ${state.scanned}`);
  assert.ok(state.tokensKnown > 0 && state.secretsKnown > 0, 'the scan knew secrets and tokens');
  assert.deepEqual(state.leaks, []);
});

test('report: figures for docs/reliability.md (RELIABILITY_REPORT=1 writes them), each checked before it is written', (t) => {
  figures.wasmAfter = wasm.memoryBytes();
  // The report states what the run measured; it must not claim a clean run that did not happen.
  assert.equal(figures.generated, ONLY === null ? COUNT : 1, 'every generated case ran');
  assert.equal(figures.wrongOutcomes, 0, 'wrong outcomes');
  assert.equal(figures.traps, 0, 'traps');
  assert.equal(figures.processEvents, 0, 'unhandled rejections/exceptions');
  assert.ok(figures.named > 100 && figures.refusals > 30, `${figures.named} named cases, ${figures.refusals} refusals ran`);
  const outcomes = Object.entries(figures.outcomes).sort((a, b) => b[1] - a[1]);
  const listed = ['wrong type', 'missing object', 'null', '10,000 roles', '1 MB string', '64 KB string', '1 KB string', 'lone surrogate',
    '__proto__/constructor keys', 'proxy', 'throwing getter', 'frozen', 'invalid setting value', 'blank setting'];
  const md = [
    `Last run: ${today()}, Node ${process.version}, seed \`HOSTILE_SEED=${SEED}\`: **${figures.generated} generated cases** in ${(figures.ms / 1000).toFixed(1)} s`
      + ` (slowest login ${Math.round(figures.maxLoginMs)} ms), ${figures.named} named cases, ${figures.refusals} refusals.`
      + ` Failures: ${figures.processEvents} unhandled rejections/exceptions, ${figures.traps} traps, ${figures.wrongOutcomes} wrong outcomes.`,
    '',
    `Reading of the event (see "How the Action reads the event" above): the settings model agreed with`
      + ` \`JSON.stringify(event.secrets, ALL_KEYS)\` read as \`src/json.rs\` does in all ${figures.modelChecked} cases that read event.secrets;`
      + ` role entries were dropped in ${figures.droppedCases} cases (${figures.droppedEntries} entries, one "dropped N role entries" line each,`
      + ` checked); the permissions step was skipped under onError=continue in ${figures.skippedLines} cases (its line checked).`,
    '',
    table(['outcome (exact api calls checked)', 'cases'], outcomes),
    '',
    table(['hostile shape (cases containing it)', 'cases'], listed.map((tag) => [tag, figures.tags[tag] || 0])),
    '',
    `Secrets scan: ${scanner.summary()}. Wasm linear memory ${mb(figures.wasmBefore)} before, ${mb(figures.wasmAfter)} after the batch`
      + ` (1 MB inputs grow it once). Most log lines for one login: ${figures.maxLogLines}; log lines with a line break: ${figures.multiLineLogs}.`,
    '',
    figures.refusalTable || '',
  ].join('\n');
  writeSection('hostile', md);
  for (const line of md.split('\n')) t.diagnostic(line);
});
