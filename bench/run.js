'use strict';
/**
 * Benchmarks: the Rust/wasm Action against a plain-JS Action with the same settings and
 * behaviour (bench/js-action.js), measured in one run.
 *
 *   node bench/run.js --full     the real numbers; writes BENCHMARKS.md (about 10 minutes on 2 cores)
 *   node bench/run.js --smoke    a few iterations of every measure (CI: proves they run, < 60 s);
 *                                prints the report and writes it to a temporary file, never BENCHMARKS.md
 *   options: --out FILE (write the report there instead), --only 1,4,6 (run some measures),
 *            --report-from RAW.json (rewrite the report from the raw results a run left in the temp dir)
 *
 * Measures: 1 CPU per login (the stand-in's in-process fetch), 2 cold start (fresh node processes),
 * 3 sizes, 4 Management API requests per 1,000 logins (local host + stand-in), 5 sustained logins/s
 * with zero denials (stand-in rate-limited at the Free and a paid plan), 6 latency of 500 concurrent
 * logins with 50 ms Management API latency. See BENCHMARKS.md for what each does exactly.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawn, execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');
const { implementations, loadFresh, ROOT, BUNDLE } = require('./lib/impls');
const { loadFixture } = require('./lib/fixtures');
const { startStandInProcess } = require('./lib/standin-process');
const {
  captured, secretsFor, eventFor, expectations, wrongClaims, directInstance, drainBucket, closedLoop,
} = require('./lib/load');
const { median, quantile, fmt } = require('./lib/stats');
const { createHost } = require('../host');
const { RATE_LIMIT_PRESETS } = require('../host/standin');
const { createFetchStandIn } = require('../host/standin-fetch');

const MODES = ['off', 'user', 'effective', 'roles'];
const MODE_LABEL = {
  off: 'roles only (`permissions=off`)',
  user: '`permissions=user`',
  effective: '`permissions=effective`',
  roles: '`permissions=roles`',
};

const PROFILES = {
  full: {
    cpu: { rounds: 10, roundMs: 300, warmupMs: 1500 },
    cold: { runs: 20 },
    requests: { users: 100, roles: 10, warmupLogins: 100, logins: 1000 },
    sustained: { users: 100, roles: 10, durationMs: 4000, levels: [1, 2, 4, 8, 16, 32, 64, 128, 256], plateau: 2 },
    latency: { users: 100, roles: 10, concurrent: 500, latencyMs: 50, rttSamples: 20, warmLogins: 300 },
    deadlineMs: 15 * 60 * 1000,
  },
  smoke: {
    cpu: { rounds: 2, roundMs: 20, warmupMs: 50 },
    cold: { runs: 2 },
    requests: { users: 20, roles: 4, warmupLogins: 10, logins: 30 },
    // effective behaves as user towards the rate limit; the smoke skips it here to stay under a minute.
    sustained: { users: 20, roles: 4, durationMs: 300, levels: [1, 2], plateau: 1, modes: ['off', 'user', 'roles'] },
    latency: { users: 20, roles: 4, concurrent: 50, latencyMs: 50, rttSamples: 3, warmLogins: 0 },
    deadlineMs: 55 * 1000,
  },
};

const log = (line) => process.stderr.write(`${line}\n`);
const ratio = (a, b) => (a > 0 && b > 0 ? a / b : NaN);

// ---------------------------------------------------------------------------------------------
// Machine and run description

function machine() {
  let cpuModel = os.cpus()[0] ? os.cpus()[0].model : 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch { /* not Linux */ }
  let nproc = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try { nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc; } catch { /* keep */ }
  let commit = 'unknown';
  let dirty = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (changed) dirty = ` + ${changed.split('\n').length} uncommitted paths`;
  } catch { /* no git */ }
  return {
    nproc,
    cpuModel,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    commit: `${commit}${dirty}`,
    loadavg: os.loadavg().map((n) => n.toFixed(2)).join(' '),
  };
}

/** Runs `node args…`, returns {stdout, wallMs, code}. */
function runNode(args, { timeoutMs = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, wallMs: Number(process.hrtime.bigint() - started) / 1e6 });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// 1. CPU per login

async function measureCpu(cfg) {
  const r = await runNode(['--expose-gc', path.join(__dirname, 'cpu.js'), '--json',
    '--rounds', String(cfg.rounds), '--round-ms', String(cfg.roundMs), '--warmup-ms', String(cfg.warmupMs)], { timeoutMs: 600000 });
  if (r.code !== 0) throw new Error(`bench/cpu.js failed (${r.code}): ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// ---------------------------------------------------------------------------------------------
// 2. Cold start

async function measureCold(cfg, impls) {
  const samples = Object.fromEntries(impls.map((i) => [i.name, []]));
  for (let run = 0; run < cfg.runs; run += 1) {
    const order = run % 2 === 0 ? impls : [...impls].reverse();
    for (const impl of order) {
      const r = await runNode([path.join(__dirname, 'cold.js'), impl.path], { timeoutMs: 30000 }); // eslint-disable-line no-await-in-loop
      if (r.code !== 0) throw new Error(`cold start of ${impl.name} failed: ${r.stderr.slice(0, 1000)} ${r.stdout}`);
      samples[impl.name].push({ ...JSON.parse(r.stdout.trim()), wallMs: r.wallMs });
    }
  }
  const out = {};
  for (const impl of impls) {
    const s = samples[impl.name];
    const m = (k) => median(s.map((x) => x[k]));
    out[impl.name] = {
      runs: s.length, doneMs: m('doneMs'), wallMs: m('wallMs'), bootMs: m('bootMs'), requireMs: m('requireMs'), loginMs: m('loginMs'),
      actionMs: median(s.map((x) => x.requireMs + x.loginMs)),
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 3. Sizes

function measureSizes(impls) {
  const size = (file) => {
    if (!fs.existsSync(file)) return null;
    const raw = fs.readFileSync(file);
    return { file: path.relative(ROOT, file), raw: raw.length, gzip: zlib.gzipSync(raw, { level: 9 }).length };
  };
  return {
    wasm: size(path.join(ROOT, 'pkg', 'rbac_claims_bg.wasm')),
    glue: size(path.join(ROOT, 'pkg', 'rbac_claims.js')),
    bundle: size(BUNDLE),
    js: size(impls.find((i) => i.name === 'js').path),
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Management API requests per 1,000 logins (local host, stand-in)

async function measureRequests(cfg, impls) {
  const fixture = loadFixture(cfg.users, cfg.roles);
  const expected = expectations(fixture);
  const standin = await startStandInProcess({ fixture });
  const rows = [];
  try {
    for (const mode of MODES) {
      for (const impl of impls) {
        const action = loadFresh(impl);
        const host = createHost();
        await standin.resetCounts(); // eslint-disable-line no-await-in-loop
        const secrets = secretsFor(standin, mode);
        let first = null;
        let warm = null;
        const problems = [];
        const total = cfg.warmupLogins + cfg.logins;
        for (let i = 0; i < total; i += 1) {
          const user = fixture.users[i % fixture.users.length];
          const r = await host.run(action, eventFor(user), { secrets }); // eslint-disable-line no-await-in-loop
          if (r.outcome !== 'allowed') problems.push(`${r.outcome}: ${r.logs.join(' ')}`.slice(0, 300));
          else {
            const wrong = wrongClaims(r.claims.accessToken, user, mode, expected);
            if (wrong) problems.push(wrong);
          }
          if (i + 1 === cfg.warmupLogins) warm = await standin.counts(); // eslint-disable-line no-await-in-loop
          if (i + 1 === cfg.logins) first = await standin.counts(); // eslint-disable-line no-await-in-loop
        }
        const end = await standin.counts(); // eslint-disable-line no-await-in-loop
        rows.push({
          mode,
          impl: impl.name,
          logins: cfg.logins,
          fresh: { total: first.total, token: first.token, byRoute: first.byRoute },
          warm: { total: end.total - warm.total, token: end.token - warm.token },
          problems: problems.length,
          firstProblem: problems[0],
        });
        log(`  4. ${mode}/${impl.name}: fresh ${first.total}, warm ${end.total - warm.total} requests per ${cfg.logins} logins${problems.length ? `, ${problems.length} problems: ${problems[0]}` : ''}`);
      }
    }
  } finally {
    await standin.close();
  }
  return { rows, users: fixture.users.length, distinctRoles: new Set(fixture.users.flatMap((u) => u.roleNames)).size, logins: cfg.logins, warmupLogins: cfg.warmupLogins };
}

// ---------------------------------------------------------------------------------------------
// 5. Sustained logins/s with zero denials

/** Warm-up per mode: the token (one login); for roles, one login per user until every role was seen. */
function warmupUsers(fixture, mode) {
  if (mode !== 'roles') return fixture.users.slice(0, 1);
  const seen = new Set();
  const picked = [];
  for (const u of fixture.users) {
    if (u.roleNames.some((r) => !seen.has(r))) { picked.push(u); u.roleNames.forEach((r) => seen.add(r)); }
  }
  return picked;
}

async function warmUp(login, users) {
  const out = { logins: users.length, denied: 0, reasons: [] };
  for (const u of users) {
    const r = await login(u); // eslint-disable-line no-await-in-loop
    if (!r.ok) { out.denied += 1; out.reasons.push(r.denied ? 'denied' : r.wrong || r.failed); }
  }
  return out;
}

async function measureSustained(cfg, impls, deadline) {
  const fixture = loadFixture(cfg.users, cfg.roles);
  const expected = expectations(fixture);
  const rows = [];
  for (const plan of ['free', 'paid']) {
    const standin = await startStandInProcess({ fixture, rateLimit: plan }); // eslint-disable-line no-await-in-loop
    try {
      for (const mode of cfg.modes || MODES) {
        if (mode === 'off' && plan !== 'free') continue; // no Management API: the plan cannot matter
        for (const impl of impls) {
          if (Date.now() > deadline) { rows.push({ plan, mode, impl: impl.name, skipped: 'time limit of the run reached' }); continue; }
          const action = loadFresh(impl);
          const login = directInstance(action, standin, mode, expected, { checkEvery: 25 });
          const { value: row, lines } = await captured(async () => { // eslint-disable-line no-await-in-loop
            const warm = await warmUp(login, warmupUsers(fixture, mode));
            const levels = [];
            let best = null;
            let flat = 0;
            let firstDenial = null;
            for (const concurrency of cfg.levels) {
              if (Date.now() > deadline) break;
              await drainBucket(standin.url); // eslint-disable-line no-await-in-loop
              await standin.resetCounts(); // eslint-disable-line no-await-in-loop
              const r = await closedLoop(login, fixture.users, { concurrency, durationMs: cfg.durationMs }); // eslint-disable-line no-await-in-loop
              const counts = await standin.counts(); // eslint-disable-line no-await-in-loop
              const level = { concurrency, ...r, requests: counts.total, rate429: counts.byStatus['429'] || 0 };
              levels.push(level);
              if (r.denied + r.failed + r.wrong > 0) { firstDenial = level; break; }
              if (best && r.perSecond < best.perSecond * 1.15) flat += 1; else flat = 0;
              if (!best || r.perSecond > best.perSecond) best = level;
              if (flat >= cfg.plateau) break;
            }
            return { plan, mode, impl: impl.name, warm, levels, best, firstDenial };
          });
          row.logLines = lines.slice(0, 3);
          rows.push(row);
          log(`  5. ${plan}/${mode}/${impl.name}: ${row.best ? `${fmt(row.best.perSecond)} logins/s at concurrency ${row.best.concurrency}` : 'no zero-denial level'}${row.firstDenial ? `; denials at concurrency ${row.firstDenial.concurrency}` : ''}${row.warm.denied ? `; warm-up denied ${row.warm.denied}/${row.warm.logins}` : ''}`);
        }
      }
    } finally {
      await standin.close(); // eslint-disable-line no-await-in-loop
    }
  }
  return { rows, presets: RATE_LIMIT_PRESETS, durationMs: cfg.durationMs, users: fixture.users.length, roles: cfg.roles };
}

// ---------------------------------------------------------------------------------------------
// 6. Latency of N concurrent logins with Management API latency

async function mgmtToken(standin) {
  const res = await fetch(`${standin.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: standin.clientId, client_secret: standin.clientSecret, audience: `https://${standin.domain}/api/v2/`,
    }).toString(),
  });
  return (await res.json()).access_token;
}

/** GET of a user's first permissions page, timed; what one Management API round trip costs. */
async function timedPage(standin, token, user, t0 = performance.now()) {
  const res = await fetch(`${standin.url}/api/v2/users/${encodeURIComponent(user.user_id)}/permissions?per_page=100&page=0&include_totals=true`, { headers: { authorization: `Bearer ${token}` } });
  await res.json();
  return performance.now() - t0;
}

/** The burst without any Action: n concurrent bare page requests. Also fills the connection pool. */
async function bareBurst(standin, token, users, n) {
  const t0 = performance.now();
  const times = await Promise.all(Array.from({ length: n }, (_, i) => timedPage(standin, token, users[i % users.length], t0)));
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/** A full garbage collection, so that a timed burst does not pay for garbage made before it. */
const collectGarbage = (() => {
  try {
    require('node:v8').setFlagsFromString('--expose-gc');
    return require('node:vm').runInNewContext('gc');
  } catch {
    return () => {};
  }
})();

/**
 * n logins started at once on `action`, latency from the burst start to each end. Warm-up first: the
 * caches (token; for roles every role), then `warmLogins` more logins in batches of 50 so that V8 has
 * optimised the Action's code as on an instance that has been serving logins; then a GC and a pause.
 * Claims are checked after the burst, outside the timed section.
 */
async function burst(action, target, c, fixture, expected, n, { warmLogins = 0, afterWarmUp = async () => {} } = {}) {
  const warmMode = c.coldRoles ? 'user' : c.mode;
  const warmLogin = directInstance(action, target, warmMode, expected);
  const warm = await warmUp(warmLogin, warmupUsers(fixture, warmMode));
  for (let done = 0; done < warmLogins; done += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, warmLogins - done) }, (_, i) => warmLogin(fixture.users[(done + i) % fixture.users.length]))); // eslint-disable-line no-await-in-loop
    warm.logins += batch.length;
    for (const r of batch) if (!r.ok) { warm.denied += 1; warm.reasons.push(r.denied ? 'denied' : r.wrong || r.failed); }
  }
  await afterWarmUp();
  collectGarbage();
  await new Promise((resolve) => { setTimeout(resolve, 200); });
  const login = directInstance(action, target, c.mode, expected, { deferCheck: true });
  const t0 = performance.now();
  const done = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const r = await login(fixture.users[i % fixture.users.length]);
    return { ...r, sinceStart: performance.now() - t0 };
  }));
  for (const d of done) {
    const wrong = d.check && d.check();
    if (wrong) { d.ok = false; d.wrong = wrong; }
  }
  const times = done.map((d) => d.sinceStart);
  return {
    warm,
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    denied: done.filter((d) => d.denied).length,
    failed: done.filter((d) => !d.ok && !d.denied).length,
    reasons: [...new Set(done.filter((d) => !d.ok).map((d) => (d.denied ? 'denied' : d.wrong || d.failed)))].slice(0, 3),
  };
}

async function measureLatency(cfg, impls, deadline) {
  const fixture = loadFixture(cfg.users, cfg.roles);
  const expected = expectations(fixture);
  const cases = [...MODES.map((mode) => ({ mode, label: MODE_LABEL[mode] })), { mode: 'roles', coldRoles: true, label: '`permissions=roles`, role cache cold (token warm)' }];
  const rows = [];
  const floors = [];
  let rttMs;
  // a) Against the stand-in (real HTTP, its own process).
  const standin = await startStandInProcess({ fixture });
  try {
    await standin.setFaults({ latencyMs: cfg.latencyMs });
    const token = await mgmtToken(standin);
    const rtts = [];
    for (let i = 0; i < cfg.rttSamples; i += 1) rtts.push(await timedPage(standin, token, fixture.users[i % fixture.users.length])); // eslint-disable-line no-await-in-loop
    rttMs = median(rtts);
    for (const c of cases) {
      for (const impl of impls) {
        if (Date.now() > deadline) { rows.push({ ...c, impl: impl.name, skipped: 'time limit of the run reached' }); continue; }
        const action = loadFresh(impl);
        // The same burst of bare requests first: fills the client's connection pool (a warm instance keeps
        // its connections) and measures what HTTP plus the stand-in cost at this concurrency, no Action.
        floors.push(await bareBurst(standin, token, fixture.users, cfg.concurrent)); // eslint-disable-line no-await-in-loop
        const { value: r, lines } = await captured(() => burst(action, standin, c, fixture, expected, cfg.concurrent, { warmLogins: cfg.warmLogins, afterWarmUp: () => standin.resetCounts() })); // eslint-disable-line no-await-in-loop
        const counts = await standin.counts(); // eslint-disable-line no-await-in-loop
        rows.push({ ...c, impl: impl.name, ...r, requests: counts.total, logLines: lines.slice(0, 3) });
        log(`  6. ${c.label}/${impl.name}: p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, ${counts.total} requests${r.denied + r.failed ? `, ${r.denied} denied, ${r.failed} failed` : ''}`);
      }
    }
  } finally {
    await standin.close();
  }
  // b) The same bursts against the stand-in's in-process fetch with the same latency (a timer, no
  // sockets): what the Actions themselves add when the network stack is not the bottleneck.
  const target = createFetchStandIn({ fixture, faults: { latencyMs: cfg.latencyMs }, cacheAnswers: true });
  target.install();
  try {
    for (const c of cases) {
      for (const impl of impls) {
        const row = rows.find((x) => x.label === c.label && x.impl === impl.name);
        if (!row || row.skipped || Date.now() > deadline) continue;
        const { value: r } = await captured(() => burst(loadFresh(impl), target, c, fixture, expected, cfg.concurrent, { warmLogins: cfg.warmLogins })); // eslint-disable-line no-await-in-loop
        row.inProcess = r;
      }
    }
  } finally {
    target.uninstall();
  }
  return {
    rows,
    rttMs,
    floor: floors.length ? { p50: median(floors.map((f) => f.p50)), p99: median(floors.map((f) => f.p99)) } : null,
    concurrent: cfg.concurrent,
    latencyMs: cfg.latencyMs,
    warmLogins: cfg.warmLogins,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const met = (ok) => (ok === null || ok === undefined ? 'n/a' : ok ? '**met**' : '**not met**');
const kB = (n) => (n === null || n === undefined ? 'n/a' : `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(1)} KiB)`);

function report({ profile, results, m, impls, elapsedMs, errors }) {
  const wasm = impls.find((i) => i.name === 'wasm');
  const js = impls.find((i) => i.name === 'js');
  const out = [];
  const goals = [];
  out.push('# Benchmarks');
  out.push('');
  out.push(`Rust/wasm Action (\`${wasm.source}\`) against a plain-JS Action with the same settings and behaviour (\`${js.source}\`), `
    + `all measures from **one run** of \`node bench/run.js --${profile}\` (${fmt(elapsedMs / 1000, 0)} s). `
    + '**These numbers come from one run on a shared, noisy 2-core virtual machine** (other jobs were running on it): '
    + 'treat differences under ~20 % as noise; ratios from interleaved rounds are steadier than absolute values.');
  out.push('');
  out.push('## Machine and commands');
  out.push('');
  out.push(table(['', ''], [
    ['CPU', `${m.cpuModel}, \`nproc\` = ${m.nproc}`],
    ['Memory', m.memory],
    ['OS', m.os],
    ['Node', m.node],
    ['Date', m.date],
    ['Commit', m.commit],
    ['Actions under test (sha256 of bundle, wasm, JS Action)', m.buildAtStart ? `\`${m.buildAtStart}\`${m.buildAtEnd && m.buildAtEnd !== m.buildAtStart ? ` at start, \`${m.buildAtEnd}\` at end (changed during the run)` : ', unchanged during the run'}` : 'not recorded'],
    ['Load average at start', m.loadavg],
  ]));
  out.push('');
  out.push('```sh');
  out.push('make bench                         # make bundle, then node bench/run.js --full: writes this file');
  out.push('make bench-smoke                   # CI: node bench/run.js --smoke, a few iterations of each measure, prints the tables');
  out.push('node --test tests/js/bench.test.js  # the plain-JS baseline gives the same claims and requests as the Rust Action');
  out.push('node --expose-gc bench/cpu.js      # measure 1 alone');
  out.push('```');
  out.push('');
  out.push('The plain-JS baseline (`bench/js-action.js`) is written as a competent Auth0 user would: global `fetch`, no npm '
    + 'dependencies, token in module scope and in `api.cache` (`expires_at` in ms, refresh ahead, one request in flight), '
    + '401 → new token once, offset pagination (`per_page=100`, `include_totals`) and cursor pagination (`effective`), '
    + 'retries (429 waits for `x-ratelimit-reset` within the budget; 5xx/network: 200 ms·2^n with jitter; at most 4 attempts; '
    + 'per-request timeout min(8 s, budget left) with `AbortSignal.timeout`), `permissions=user|effective|roles|off`, '
    + '`permissionsFor`, `onError`, `budgetMs`, `rolesCacheMs`, `maxClaimBytes`/`onOverflow`. Same claims: roles in event '
    + 'order, permissions deduplicated and sorted (checked by `tests/js/bench.test.js`, on every login of measures 4 and 6 and on every 25th of measure 5). '
    + 'One difference of style: in `permissions=roles` it loads the permissions of a login\'s uncached roles in parallel '
    + '(`Promise.all`), the Rust Action one after the other.');
  out.push('');
  if (errors.length) {
    out.push('## Errors in this run');
    out.push('');
    for (const e of errors) out.push(`- measure ${e.measure}: ${e.message}`);
    out.push('');
  }

  // 1. CPU
  const cpu = results.cpu;
  if (cpu) {
    out.push('## 1. CPU per login (Management API answered in-process)');
    out.push('');
    out.push('`bench/cpu.js`, in its own `node --expose-gc` process: both Actions loaded side by side, `onExecutePostLogin` '
      + 'called directly with a minimal recording `api` and an in-memory `api.cache`, one login at a time. The global `fetch` '
      + 'is the Management API stand-in\'s in-process fetch, answering from a fixture without sockets (`host/standin-fetch.js`: '
      + 'real `Response` objects, read as network answers are, each URL\'s answer serialized once; reading and parsing the '
      + 'body is included for both). The token is cached after the first login. Per '
      + `scenario: ${profile === 'full' ? '1.5 s' : 'a short'} warm-up alternating the two, then ${cpu.results[0] && cpu.results[0].impls.wasm && cpu.results[0].impls.wasm.rounds ? cpu.results[0].impls.wasm.rounds.length : '?'} `
      + 'rounds each, interleaved (wasm, js, js, wasm, …), a full GC before each round; a round is N logins, its CPU time the '
      + '`process.cpuUsage()` delta (user + system). Reported: median of the rounds, µs per login.');
    out.push('');
    const rows = cpu.results.map((r) => {
      const w = r.impls.wasm || {};
      const j = r.impls.js || {};
      const q = ratio(w.usPerLogin, j.usPerLogin);
      const goal = r.id === 'roles-only' ? 1.5 : 1.0;
      const isGoalRow = ['roles-only', 'user-100', 'user-1000'].includes(r.id);
      const ok = Number.isFinite(q) ? q <= goal : null;
      if (isGoalRow) {
        goals.push({
          measure: '1', what: `CPU wasm/JS, ${r.label}`, goal: `≤ ${goal.toFixed(1)}`, result: Number.isFinite(q) ? `${q.toFixed(2)} (${fmt(w.usPerLogin)} vs ${fmt(j.usPerLogin)} µs)` : 'n/a', ok,
          cause: 'the JS↔wasm boundary: each value crosses once as JSON text (secrets, roles, each response reduced to the fields used, each claim) and is read again in Rust; the JS Action uses the objects `JSON.parse` made, in place (§1)',
        });
      }
      const cell = (x) => (x.usPerLogin !== undefined ? fmt(x.usPerLogin) : (x.error ? `n/a (${x.error})` : 'n/a'));
      return [r.label, cell(w), cell(j), Number.isFinite(q) ? q.toFixed(2) : 'n/a', isGoalRow ? `≤ ${goal.toFixed(1)}: ${met(ok)}` : '(extra)', String(w.loginsPerRound || j.loginsPerRound || '')];
    });
    out.push(table(['Scenario', 'Rust/wasm µs/login', 'plain JS µs/login', 'wasm/JS', 'Goal', 'N per round'], rows));
    out.push('');
    const byId = Object.fromEntries(cpu.results.map((r) => [r.id, r]));
    const us = (id, name) => (byId[id] && byId[id].impls[name] ? byId[id].impls[name].usPerLogin : NaN);
    const perPermWasm = (us('user-1000', 'wasm') - us('user-100', 'wasm')) / 900;
    const perPermJs = (us('user-1000', 'js') - us('user-100', 'js')) / 900;
    out.push(`Cost split (from the rows above): fixed cost per login (roles only) ${fmt(us('roles-only', 'wasm'))} µs wasm vs `
      + `${fmt(us('roles-only', 'js'))} µs JS; each additional permission read from the Management API ${fmt(perPermWasm, 2)} µs wasm vs `
      + `${fmt(perPermJs, 2)} µs JS (slope between 100 and 1000 permissions; it includes \`JSON.parse\` of the page, the same in both).`);
    out.push('');
    out.push('**Cause of the gap.** CPU profiles (`node --cpu-prof`) put the wasm Action\'s extra time at the JS↔wasm boundary, '
      + 'not in the policy code. The first version read every field with its own glue call (`Reflect.get` per setting key, role, '
      + '`permission_name` and `resource_server_identifier`, each string copied into linear memory and back): 31.3 µs vs 5.7 µs '
      + 'roles only, 2.7× with 100 permissions, in the first full run of this harness. The current version crosses once per value: '
      + '`JSON.stringify(event.secrets)` (parsed and validated once per distinct secrets text, then cached), one '
      + '`JSON.stringify` of the roles, each response body parsed natively (`response.json()`) and reduced natively to the fields '
      + 'used (`JSON.stringify(body, fields)`) before it enters wasm as one string, and each claim value returned by one '
      + '`JSON.parse` shared by both tokens; logins are task ids with no exported class, so no `FinalizationRegistry` work. What '
      + 'remains is that extra JSON pass per value (the replacer form of `JSON.stringify` is not V8\'s fast path) and its UTF-8 '
      + 'copy, which the JS Action, working on the parsed objects in place, never pays. This workload is almost all moving '
      + 'strings around, where wasm has nothing to gain. In absolute terms the gap is µs per login without permissions and well '
      + 'under one Management API round trip with them.');
    out.push('');
  }

  // 2. Cold start
  const cold = results.cold;
  if (cold) {
    const w = cold.wasm;
    const j = cold.js;
    const q = ratio(w.doneMs, j.doneMs);
    const qa = ratio(w.actionMs, j.actionMs);
    goals.push({
      measure: '2', what: 'Cold start (process start → first login done), wasm/JS', goal: '≤ 1.5×', result: `${fmt(w.doneMs)} ms vs ${fmt(j.doneMs)} ms = ${q.toFixed(2)}×`, ok: q <= 1.5,
      cause: `compiling and instantiating the wasm module and first calls: ${fmt(w.actionMs)} ms vs ${fmt(j.actionMs)} ms (§2)`,
    });
    out.push('## 2. Cold start');
    out.push('');
    out.push(`\`bench/cold.js\` in a fresh \`node\` process per sample, ${w.runs} samples each, interleaved: require the Action `
      + '(wasm: the bundle when built, else `js/action.js` + `pkg/`), run one login (roles only, no network), print '
      + '`performance.now()` (milliseconds since the process started). Medians.');
    out.push('');
    out.push(table(['', 'Rust/wasm', 'plain JS', 'wasm/JS'], [
      ['process start → first login done (ms)', fmt(w.doneMs), fmt(j.doneMs), `${q.toFixed(2)}×`],
      ['spawn → exit, wall clock (ms)', fmt(w.wallMs), fmt(j.wallMs), `${ratio(w.wallMs, j.wallMs).toFixed(2)}×`],
      ['of which Node start-up before the Action (ms)', fmt(w.bootMs), fmt(j.bootMs), ''],
      ['of which `require` of the Action (ms)', fmt(w.requireMs), fmt(j.requireMs), `${ratio(w.requireMs, j.requireMs).toFixed(1)}×`],
      ['of which the first login (ms)', fmt(w.loginMs), fmt(j.loginMs), `${ratio(w.loginMs, j.loginMs).toFixed(1)}×`],
      ['the Action\'s own part: require + first login (ms)', fmt(w.actionMs), fmt(j.actionMs), `${qa.toFixed(1)}×`],
    ]));
    out.push('');
    out.push(`Goal ≤ 1.5× the JS Action's cold start: ${met(q <= 1.5)} (${q.toFixed(2)}×). `
      + `The Action's own part is ${qa.toFixed(1)}× the JS one (${fmt(w.actionMs)} ms vs ${fmt(j.actionMs)} ms): compiling and `
      + 'instantiating the wasm module and the first, not yet optimised, calls through the glue. It is small next to Node\'s '
      + `own start-up (${fmt(j.bootMs)} ms here), which both pay, so the whole cold start stays within the goal`
      + `${q <= 1.5 ? '' : ' — except in this run, where it did not'}.`);
    out.push('');
  }

  // 3. Sizes
  const sizes = results.sizes;
  if (sizes) {
    out.push('## 3. Sizes');
    out.push('');
    const row = (label, s) => [label, s ? `\`${s.file}\`` : 'not built', s ? kB(s.raw) : 'n/a', s ? kB(s.gzip) : 'n/a'];
    out.push(table(['Artifact', 'File', 'Raw', 'gzip -9'], [
      row('wasm module', sizes.wasm),
      row('wasm-bindgen glue', sizes.glue),
      row('single-file bundle (what is deployed)', sizes.bundle),
      row('plain-JS Action', sizes.js),
    ]));
    out.push('');
    const deployed = sizes.bundle ? sizes.bundle.raw : null;
    goals.push({ measure: '3', what: 'Sizes (no goal in the issue; Auth0: an Action "should not exceed 100 kB")', goal: 'bundle ≤ 100 kB', result: sizes.bundle ? `bundle ${kB(sizes.bundle.raw)}` : 'bundle not built', ok: deployed === null ? null : deployed <= 100 * 1000 });
    out.push(sizes.bundle
      ? `The bundle is what goes into Auth0: the JS entry and the glue, plus the wasm module compressed (brotli or gzip) and base64-encoded in a string, decompressed once per instance at load (included in measure 2). Auth0's limit: an Action "should not exceed 100 kB", read as 100,000 bytes: ${met(deployed <= 100 * 1000)}. The plain-JS Action is ${(sizes.bundle.raw / sizes.js.raw).toFixed(1)}× smaller.`
      : 'The single-file bundle (`dist/rbac-claims-action.js`, `make bundle`) did not exist at the time of this run; it holds the glue and the wasm module compressed and base64-encoded.');
    out.push('');
  }

  // 4. Requests per 1,000 logins
  const req = results.requests;
  if (req) {
    out.push(`## 4. Management API requests per ${req.logins.toLocaleString('en-US')} logins (warm instance, ${req.users} distinct users)`);
    out.push('');
    out.push(`Through the local host (\`createHost()\`: one host = one instance with its \`api.cache\`; one fresh module instance `
      + `per row) against the stand-in (\`host/standin.js\`, in its own process, no rate limit). ${req.users} users with 1–2 `
      + `of ${req.distinctRoles} roles each (each role ≤ 100 permissions, 10 shared by all; 20 % of users have > 100 permissions, `
      + `2 pages in \`user\` mode), logins sequential, users in turn. "Fresh instance": the first ${req.logins} logins of a new `
      + `instance, cold caches included. "Warm": the ${req.logins} logins after a warm-up of ${req.warmupLogins} logins (one per user). `
      + 'Requests counted by the stand-in, `POST /oauth/token` included (shown apart). Every login was checked: allowed, exact claims.');
    out.push('');
    const rows = req.rows.map((r) => {
      const routes = Object.entries(r.fresh.byRoute).map(([k, v]) => `${k} ${v}`).join(', ');
      return [MODE_LABEL[r.mode], r.impl === 'wasm' ? 'Rust/wasm' : 'plain JS', fmt(r.fresh.total, 0), fmt(r.fresh.token, 0), routes || '—', fmt(r.warm.total, 0), r.problems ? `${r.problems} (${r.firstProblem})` : '0'];
    });
    const n = req.logins.toLocaleString('en-US');
    out.push(table(['Mode', 'Implementation', `Fresh instance: requests in its first ${n} logins`, 'of which /oauth/token', 'by route (fresh)', `Warm: requests in ${n} logins`, 'Logins not allowed or wrong claims'], rows));
    out.push('');
    const limit = req.distinctRoles + 2;
    for (const impl of impls) {
      const r = req.rows.find((x) => x.mode === 'roles' && x.impl === impl.name);
      if (!r) continue;
      const ok = r.problems === 0 && r.fresh.total <= limit && r.warm.total === 0;
      goals.push({
        measure: '4', what: `permissions=roles, Management API requests per ${req.logins.toLocaleString('en-US')} logins, ${impl.label}`, goal: `≤ ${req.distinctRoles} distinct roles + 2 = ${limit}`, result: `fresh instance ${fmt(r.fresh.total, 0)}, warm ${fmt(r.warm.total, 0)}`, ok,
        cause: r.problems ? `${r.problems} logins not allowed or with wrong claims: ${r.firstProblem}` : 'more requests than one token, one directory page and one page per role (§4)',
      });
    }
    out.push(`Goal for \`permissions=roles\`: ≤ distinct roles + 2 = ${limit} per ${n} logins, counted from a fresh instance (and zero once warm). `
      + 'The fresh-instance count is 1 token + 1 role directory page + 1 page per role (each role here has ≤ 100 permissions; '
      + 'a role with more adds one request per extra page). `user` and `effective` pay one request per page on every login '
      + '(1.2 per login here); the token is fetched once per instance by both implementations.');
    out.push('');
  }

  // 5. Sustained
  const sus = results.sustained;
  if (sus) {
    out.push('## 5. Logins per second sustained with zero denials (stand-in rate-limited)');
    out.push('');
    out.push(`Stand-in in its own process with the /api/v2 token bucket of the Free plan (burst ${sus.presets.free.burst}, `
      + `${sus.presets.free.perSecond}/s) or a paid plan (burst ${sus.presets.paid.burst}, 500/min). One warm instance per row `
      + '(warm-up: one login for the token; for `roles` one login per user until every role was seen, against the same '
      + `limit). \`onExecutePostLogin\` called directly (minimal \`api\`, real HTTP), closed loop: C concurrent callers, each `
      + `logging in back to back for ${fmt(sus.durationMs / 1000, 1)} s, C = 1, 2, 4, 8, …; the bucket is emptied before each `
      + 'level, so bursts do not count. A level counts if no login was denied (or failed, or got wrong claims); the ladder stops '
      + 'at the first denial or when the rate stops growing. Reported: the best zero-denial rate (allowed logins/s).');
    out.push('');
    const rows = sus.rows.map((r) => {
      const why = (r.logLines || []).map((line) => line.replace(/^rbac-claims: login denied: (management API: )?/, '')).find((line) => line.includes('GET') || line.includes('POST'));
      const lvl = (l) => (l ? `C=${l.concurrency}: ${fmt(l.perSecond)} /s, ${l.denied} denied${l.failed ? `, ${l.failed} failed` : ''}${l.wrong ? `, ${l.wrong} wrong` : ''}, ${l.rate429} × 429${why ? ` (${why})` : ''}` : '—');
      if (r.skipped) return [r.plan === 'free' && r.mode === 'off' ? 'any' : r.plan, MODE_LABEL[r.mode], r.impl === 'wasm' ? 'Rust/wasm' : 'plain JS', `skipped: ${r.skipped}`, '', '', ''];
      return [
        r.mode === 'off' ? 'any (no Management API)' : r.plan === 'free' ? 'Free' : 'paid',
        MODE_LABEL[r.mode],
        r.impl === 'wasm' ? 'Rust/wasm' : 'plain JS',
        r.best ? `**${fmt(r.best.perSecond)}**` : '0',
        r.best ? `C=${r.best.concurrency}, ${r.best.requests} requests` : '—',
        lvl(r.firstDenial),
        r.warm.denied ? `${r.warm.denied}/${r.warm.logins} denied` : `${r.warm.logins} ok`,
      ];
    });
    out.push(table(['Plan', 'Mode', 'Implementation', 'Logins/s, zero denied', 'At', 'First level with denials', 'Warm-up'], rows));
    out.push('');
    for (const impl of impls) {
      const r = sus.rows.find((x) => x.plan === 'free' && x.mode === 'roles' && x.impl === impl.name);
      if (!r || r.skipped) continue;
      const rate = r.best ? r.best.perSecond : 0;
      goals.push({
        measure: '5', what: `permissions=roles on the Free plan, zero denials, ${impl.label}`, goal: '≥ 200 logins/s', result: `${fmt(rate)} logins/s`, ok: rate >= 200 && r.warm.denied === 0,
        cause: r.warm.denied ? `warm-up logins denied on the Free plan: ${r.warm.reasons[0]}` : (r.firstDenial ? `denials at concurrency ${r.firstDenial.concurrency}` : 'CPU per login (§1, §5)'),
      });
    }
    out.push('In `user` and `effective` mode every login makes 1–2 Management API requests, so the plan\'s refill rate is the '
      + `ceiling: about ${sus.presets.free.perSecond}/s ÷ 1.2 requests per login on Free and ${fmt(sus.presets.paid.perSecond)}/s ÷ 1.2 on the paid plan, `
      + 'whatever the implementation; more concurrency only makes logins wait for `x-ratelimit-reset` until the 5 s budget '
      + 'or the 4 attempts run out, and then logins are denied. That is the point of `permissions=roles`: a warm instance '
      + 'makes no request at all, so its rate is bounded by CPU only (one event loop here), not by the plan. `roles only` '
      + '(no Management API) is the same bound and is shown once.');
    out.push('');
  }

  // 6. Latency
  const lat = results.latency;
  if (lat) {
    const limit = 3 * lat.rttMs;
    out.push(`## 6. Latency of ${lat.concurrent} concurrent logins, Management API latency ${lat.latencyMs} ms`);
    out.push('');
    out.push(`Stand-in in its own process, no rate limit, every request delayed ${lat.latencyMs} ms (\`setFaults({latencyMs})\`). `
      + 'One Management API round trip (a user\'s first permissions page, requested alone from this process, median): '
      + `**${fmt(lat.rttMs)} ms**; goal: p99 ≤ 3 × that = **${fmt(limit)} ms**. Per row: a fresh instance, warmed up `
      + `(token cached; for \`roles\` also every role; then ${lat.warmLogins} more logins so that V8 has optimised the code, a full GC `
      + `and a 200 ms pause), then ${lat.concurrent} logins started at once (\`onExecutePostLogin\` `
      + 'called directly, users in turn), latency from the start of the burst to each login\'s end; claims checked after. Before each row the same '
      + `number of bare page requests (no Action) is sent at once: it fills the connection pool as on a warm instance and `
      + `measures the floor that HTTP and the stand-in impose at this concurrency on this machine: p50 ${lat.floor ? fmt(lat.floor.p50) : 'n/a'} ms, `
      + `**p99 ${lat.floor ? fmt(lat.floor.p99) : 'n/a'} ms** (median over the rows). The last two columns repeat each burst against the `
      + `in-process stub with the same ${lat.latencyMs} ms latency (a timer, no sockets): what the Action itself adds.`);
    out.push('');
    const rows = lat.rows.map((r) => {
      const name = r.impl === 'wasm' ? 'Rust/wasm' : 'plain JS';
      if (r.skipped) return [r.label, name, `skipped: ${r.skipped}`, '', '', '', '', '', '', ''];
      const ok = r.p99 <= limit && r.denied + r.failed === 0;
      if (!r.coldRoles) {
        const networked = r.mode === 'user' || r.mode === 'effective';
        goals.push({
          measure: '6',
          what: `p99 latency, ${lat.concurrent} concurrent, ${r.label.replace(/`/g, '')}, ${name}`,
          goal: `≤ 3 RTT = ${fmt(limit)} ms`,
          result: `${fmt(r.p99)} ms${r.inProcess ? ` (in-process: ${fmt(r.inProcess.p99)} ms)` : ''}`,
          ok,
          note: r.inProcess && (r.p99 <= limit) !== (r.inProcess.p99 <= limit) ? `marginal: in-process ${fmt(r.inProcess.p99)} ms` : undefined,
          cause: r.denied + r.failed ? `${r.denied} denied, ${r.failed} failed: ${r.reasons[0]}`
            : networked ? `the test bed: ${lat.concurrent} bare requests with no Action already have p99 ${lat.floor ? fmt(lat.floor.p99) : 'n/a'} ms on this machine; plus 1–2 sequential pages per login and CPU queueing (§6)`
              : `no request: CPU queueing of ${lat.concurrent} logins on one event loop, ≈ ${fmt((r.p99 * 1000) / lat.concurrent, 0)} µs each (§1, §6)`,
        });
      }
      const ip = r.inProcess;
      return [r.label, name, fmt(r.p50), `**${fmt(r.p99)}**`, (r.p99 / lat.rttMs).toFixed(1), String(r.requests), `${r.denied}/${r.failed}`,
        r.coldRoles ? '(extra)' : met(ok), ip ? fmt(ip.p50) : 'n/a', ip ? fmt(ip.p99) : 'n/a'];
    });
    out.push(table(['Mode', 'Implementation', 'p50 ms', 'p99 ms', 'p99 / RTT', 'Requests', 'Denied/failed', 'Goal p99 ≤ 3 RTT', 'in-process p50 ms', 'in-process p99 ms'], rows));
    out.push('');
    const straddling = lat.rows.filter((r) => !r.skipped && !r.coldRoles && r.inProcess && (r.p99 <= limit) !== (r.inProcess.p99 <= limit));
    if (straddling.length) {
      out.push(`**Marginal:** ${straddling.map((r) => `${r.label} (${r.impl === 'wasm' ? 'Rust/wasm' : 'plain JS'}): ${fmt(r.p99)} ms against the stand-in, ${fmt(r.inProcess.p99)} ms in-process`).join('; ')} `
        + `— one measurement is on each side of the ${fmt(limit)} ms line, so on this machine the result is within noise of the goal; the status above uses the stand-in measurement.`);
      out.push('');
    }
    const floorP99 = lat.floor ? lat.floor.p99 : NaN;
    out.push(`**Causes.** Where the goal is not met, the floor explains it: ${lat.concurrent} bare requests at once, with no Action at all, `
      + `already take p99 ${fmt(floorP99)} ms (${(floorP99 / lat.rttMs).toFixed(1)} RTT) here, because the client's HTTP stack and the `
      + 'single stand-in process each get one core of this 2-core machine and spend it on connection handling, JSON '
      + 'serialisation and parsing of 100-permission pages; `user` and `effective` logins make 1–2 such requests each, one '
      + 'after the other (20 % of the users need a second page, whose existence is known only from the first). The '
      + 'in-process columns remove the network stack: there the Actions\' own cost shows, which is CPU queueing on one event '
      + 'loop (see measure 1: every µs per login is paid ' + lat.concurrent + ' times in a burst), so the wasm Action\'s higher CPU per '
      + 'login becomes higher tail latency. `roles` (and roles only) on a warm instance make no request, so all '
      + `${lat.concurrent} logins share one event loop and finish together: p50 ≈ p99 ≈ ${lat.concurrent} × the CPU of one login `
      + '(measure 1 runs one login at a time; in a burst GC and promise bookkeeping add to it). With a cold role cache the '
      + 'burst waits for the one shared directory load and the role loads (single flight: ' + (lat.rows.find((x) => x.coldRoles && x.requests) || { requests: '?' }).requests
      + ' requests for the whole burst): the Rust Action loads the roles of a login one after the other, the JS one in parallel.');
    out.push('');
  }

  // Summary first.
  const summary = [];
  summary.push('## Goals');
  summary.push('');
  summary.push(table(['#', 'Measure', 'Goal', 'This run', 'Status', 'Cause of the gap'], goals.map((g) => [g.measure, g.what, g.goal, g.result, `${met(g.ok)}${g.note ? ` (${g.note})` : ''}`, g.ok === false || g.note ? g.cause || '' : ''])));
  summary.push('');
  const firstSection = out.findIndex((l) => l === '## Machine and commands');
  out.splice(firstSection, 0, ...summary);
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean' }, smoke: { type: 'boolean' }, out: { type: 'string' }, only: { type: 'string' }, 'report-from': { type: 'string' },
    },
  });
  if (values['report-from']) {
    // Rewrite the report from the raw results of an earlier run (same numbers, new wording).
    const saved = JSON.parse(fs.readFileSync(values['report-from'], 'utf8'));
    const text = report({ ...saved, m: saved.machine });
    const target = values.out || (saved.profile === 'full' ? path.join(ROOT, 'BENCHMARKS.md') : path.join(os.tmpdir(), 'rbac-claims-bench-smoke.md'));
    fs.writeFileSync(target, text);
    log(`report rewritten to ${target} from ${values['report-from']}`);
    return;
  }
  if (values.full === values.smoke) {
    process.stderr.write('usage: node bench/run.js --full | --smoke [--out FILE] [--only 1,2,...] | --report-from RAW.json [--out FILE]\n');
    process.exit(2);
  }
  const profile = values.full ? 'full' : 'smoke';
  const cfg = PROFILES[profile];
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null;
  const want = (n) => !only || only.has(String(n));
  const started = Date.now();
  const deadline = started + cfg.deadlineMs;
  const m = machine();
  const impls = implementations();
  const buildHash = () => {
    const h = require('node:crypto').createHash('sha256');
    for (const f of [impls[0].path, path.join(ROOT, 'pkg', 'rbac_claims_bg.wasm'), impls[1].path]) if (fs.existsSync(f)) h.update(fs.readFileSync(f));
    return h.digest('hex').slice(0, 16);
  };
  m.buildAtStart = buildHash();
  log(`bench --${profile}: wasm = ${impls[0].source}; js = ${impls[1].source}`);
  const results = {};
  const errors = [];
  const step = async (n, name, fn) => {
    if (!want(n)) return;
    const t = Date.now();
    log(`${n}. ${name}…`);
    try {
      results[name] = await fn();
    } catch (err) {
      errors.push({ measure: n, message: String(err && err.stack ? err.stack : err).split('\n').slice(0, 3).join(' ') });
      log(`   failed: ${err && err.stack ? err.stack : err}`);
    }
    log(`   ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  await step(1, 'cpu', () => measureCpu(cfg.cpu));
  await step(2, 'cold', () => measureCold(cfg.cold, impls));
  await step(3, 'sizes', () => measureSizes(impls));
  await step(4, 'requests', () => measureRequests(cfg.requests, impls));
  await step(5, 'sustained', () => measureSustained(cfg.sustained, impls, deadline));
  await step(6, 'latency', () => measureLatency(cfg.latency, impls, deadline));
  // Wrong claims or unexpected denials where none may happen are errors, not numbers.
  for (const r of (results.requests && results.requests.rows) || []) {
    if (r.problems) errors.push({ measure: 4, message: `${r.mode}/${r.impl}: ${r.problems} logins not allowed or with wrong claims: ${r.firstProblem}` });
  }
  for (const r of (results.latency && results.latency.rows) || []) {
    if (r.denied || r.failed) errors.push({ measure: 6, message: `${r.label}/${r.impl}: ${r.denied} denied, ${r.failed} failed: ${r.reasons.join('; ')}` });
  }

  m.buildAtEnd = buildHash();
  if (m.buildAtEnd !== m.buildAtStart) errors.push({ measure: 'all', message: 'the Actions under test (bundle, pkg/ or bench/js-action.js) changed during the run: measures may mix two builds; run again' });
  const elapsedMs = Date.now() - started;
  const text = report({ profile, results, m, impls, elapsedMs, errors });
  const target = values.out || (profile === 'full' ? path.join(ROOT, 'BENCHMARKS.md') : path.join(os.tmpdir(), 'rbac-claims-bench-smoke.md'));
  fs.writeFileSync(target, text);
  const raw = path.join(os.tmpdir(), `rbac-claims-bench-${profile}.json`);
  fs.writeFileSync(raw, JSON.stringify({ profile, machine: m, impls, results, errors, elapsedMs }, null, 1));
  process.stdout.write(text);
  log(`report written to ${target}, raw results to ${raw} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (errors.length) process.exitCode = 1;
}

main().catch((err) => { process.stderr.write(`${err.stack || err}\n`); process.exit(1); });
