'use strict';
/**
 * Benchmarks: the Rust/wasm Action against a plain-JS Action with the same settings and
 * behaviour (bench/js-action.js), measured in one run. This file measures and writes the results
 * (JSON: target/bench/results.json for --full, target/bench/results-smoke.json for --smoke);
 * bench/report.js renders BENCHMARKS.md from them (again at any time: node bench/report.js).
 *
 *   node bench/run.js --full     the real numbers; writes the results and BENCHMARKS.md (about 6 minutes on 2 cores)
 *   node bench/run.js --smoke    a few iterations of every measure (CI: proves they run, < 60 s);
 *                                prints the report and writes it to a temporary file, never BENCHMARKS.md
 *   options: --out FILE (write the report there instead), --results FILE (write the results there instead),
 *            --only 1,4,6 (run some measures), --report-from RESULTS.json (only render: as bench/report.js)
 *
 * Measures: 1 CPU per login (the stand-in's in-process fetch), 2 cold start (fresh node processes) and
 * the phases of loading the single file (bench/phases.js), 3 sizes (with dist/size.json), 4 Management
 * API requests per 1,000 logins (local host + stand-in), 5 sustained logins/s
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
const { MODES, MODE_LABEL } = require('./lib/modes');
const { writeReport, renderFile, resultsFile, documentFile } = require('./report');
const { createHost } = require('../host');
const { RATE_LIMIT_PRESETS } = require('../host/standin');
const { createFetchStandIn } = require('../host/standin-fetch');

const PROFILES = {
  full: {
    cpu: { rounds: 10, roundMs: 300, warmupMs: 1500 },
    cold: { runs: 20 },
    phases: { runs: 10 },
    requests: { users: 100, roles: 10, warmupLogins: 100, logins: 1000 },
    sustained: { users: 100, roles: 10, durationMs: 4000, levels: [1, 2, 4, 8, 16, 32, 64, 128, 256], plateau: 2 },
    latency: { users: 100, roles: 10, concurrent: 500, latencyMs: 50, rttSamples: 20, warmLogins: 300 },
    deadlineMs: 15 * 60 * 1000,
  },
  smoke: {
    cpu: { rounds: 2, roundMs: 20, warmupMs: 50 },
    cold: { runs: 2 },
    phases: { runs: 2 },
    requests: { users: 20, roles: 4, warmupLogins: 10, logins: 30 },
    // effective behaves as user towards the rate limit; the smoke skips it here to stay under a minute.
    sustained: { users: 20, roles: 4, durationMs: 300, levels: [1, 2], plateau: 1, modes: ['off', 'user', 'roles'] },
    latency: { users: 20, roles: 4, concurrent: 50, latencyMs: 50, rttSamples: 3, warmLogins: 0 },
    deadlineMs: 55 * 1000,
  },
};

const log = (line) => process.stderr.write(`${line}\n`);

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
      const r = await runNode([path.join(__dirname, 'cold.js'), impl.path], { timeoutMs: 30000 });  
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

/**
 * Where the single file's `require` goes (bench/phases.js): per sample, one fresh process times the
 * phases on the file itself, then one fresh process per encoding/compression variant (order rotated
 * per sample) decodes and decompresses the same module. Medians; min and max of the file's phases.
 */
async function measurePhases(cfg, impls) {
  const wasm = impls.find((i) => i.name === 'wasm');
  const sizeJson = path.join(ROOT, 'dist', 'size.json');
  if (wasm.path !== BUNDLE || !fs.existsSync(sizeJson)) throw new Error('no single file (dist/rbac-claims-action.js, dist/size.json): make bundle');
  const { prepareVariants, VARIANTS } = require('./phases');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-claims-phases-'));
  try {
    const manifest = prepareVariants(BUNDLE, sizeJson, dir);
    const file = [];
    const variants = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
    const json = (r, what) => {
      if (r.code !== 0) throw new Error(`bench/phases.js ${what} failed (${r.code}): ${r.stderr.slice(0, 1000)}`);
      return JSON.parse(r.stdout.trim());
    };
    const script = path.join(__dirname, 'phases.js');
    for (let run = 0; run < cfg.runs; run += 1) {
      file.push(json(await runNode([script, 'file', BUNDLE, sizeJson], { timeoutMs: 30000 }), 'file'));
      const order = VARIANTS.map((_, i) => VARIANTS[(i + run) % VARIANTS.length]);
      for (const v of order) variants[v.name].push(json(await runNode([script, 'variant', dir, v.name], { timeoutMs: 30000 }), v.name));
    }
    const phase = (k) => ({ median: median(file.map((x) => x[k])), min: Math.min(...file.map((x) => x[k])), max: Math.max(...file.map((x) => x[k])) });
    const { fileBytes, textChars, compressedBytes, wasmBytes, method } = file[0];
    return {
      runs: file.length,
      fileBytes,
      textChars,
      compressedBytes,
      wasmBytes,
      method,
      phases: Object.fromEntries(['readMs', 'zlibMs', 'decodeMs', 'decompressMs', 'compileMs'].map((k) => [k, phase(k)])),
      sumMs: median(file.map((x) => x.readMs + x.zlibMs + x.decodeMs + x.decompressMs + x.compileMs)),
      variants: manifest.variants.map((v) => {
        const s = variants[v.name];
        return {
          ...v,
          runs: s.length,
          decodeMs: median(s.map((x) => x.decodeMs)),
          decompressMs: median(s.map((x) => x.decompressMs)),
          totalMs: median(s.map((x) => x.decodeMs + x.decompressMs)),
        };
      }),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
    // The build's own figures (scripts/bundle.js): parts of the module, the budget, the cap.
    dist: fs.existsSync(path.join(ROOT, 'dist', 'size.json')) ? JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'size.json'), 'utf8')) : null,
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
        await standin.resetCounts();  
        const secrets = secretsFor(standin, mode);
        let first = null;
        let warm = null;
        const problems = [];
        const total = cfg.warmupLogins + cfg.logins;
        for (let i = 0; i < total; i += 1) {
          const user = fixture.users[i % fixture.users.length];
          const r = await host.run(action, eventFor(user), { secrets });  
          if (r.outcome !== 'allowed') problems.push(`${r.outcome}: ${r.logs.join(' ')}`.slice(0, 300));
          else {
            const wrong = wrongClaims(r.claims.accessToken, user, mode, expected);
            if (wrong) problems.push(wrong);
          }
          if (i + 1 === cfg.warmupLogins) warm = await standin.counts();  
          if (i + 1 === cfg.logins) first = await standin.counts();  
        }
        const end = await standin.counts();  
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
    const r = await login(u);  
    if (!r.ok) { out.denied += 1; out.reasons.push(r.denied ? 'denied' : r.wrong || r.failed); }
  }
  return out;
}

async function measureSustained(cfg, impls, deadline) {
  const fixture = loadFixture(cfg.users, cfg.roles);
  const expected = expectations(fixture);
  const rows = [];
  for (const plan of ['free', 'paid']) {
    const standin = await startStandInProcess({ fixture, rateLimit: plan });  
    try {
      for (const mode of cfg.modes || MODES) {
        if (mode === 'off' && plan !== 'free') continue; // no Management API: the plan cannot matter
        for (const impl of impls) {
          if (Date.now() > deadline) { rows.push({ plan, mode, impl: impl.name, skipped: 'time limit of the run reached' }); continue; }
          const action = loadFresh(impl);
          const login = directInstance(action, standin, mode, expected, { checkEvery: 25 });
          const { value: row, lines } = await captured(async () => {  
            const warm = await warmUp(login, warmupUsers(fixture, mode));
            const levels = [];
            let best = null;
            let flat = 0;
            let firstDenial = null;
            for (const concurrency of cfg.levels) {
              if (Date.now() > deadline) break;
              await drainBucket(standin.url);  
              await standin.resetCounts();  
              const r = await closedLoop(login, fixture.users, { concurrency, durationMs: cfg.durationMs });  
              const counts = await standin.counts();  
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
      await standin.close();  
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
    const batch = await Promise.all(Array.from({ length: Math.min(50, warmLogins - done) }, (_, i) => warmLogin(fixture.users[(done + i) % fixture.users.length])));  
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
    for (let i = 0; i < cfg.rttSamples; i += 1) rtts.push(await timedPage(standin, token, fixture.users[i % fixture.users.length]));  
    rttMs = median(rtts);
    for (const c of cases) {
      for (const impl of impls) {
        if (Date.now() > deadline) { rows.push({ ...c, impl: impl.name, skipped: 'time limit of the run reached' }); continue; }
        const action = loadFresh(impl);
        // The same burst of bare requests first: fills the client's connection pool (a warm instance keeps
        // its connections) and measures what HTTP plus the stand-in cost at this concurrency, no Action.
        floors.push(await bareBurst(standin, token, fixture.users, cfg.concurrent));  
        const { value: r, lines } = await captured(() => burst(action, standin, c, fixture, expected, cfg.concurrent, { warmLogins: cfg.warmLogins, afterWarmUp: () => standin.resetCounts() }));  
        const counts = await standin.counts();  
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
        const { value: r } = await captured(() => burst(loadFresh(impl), target, c, fixture, expected, cfg.concurrent, { warmLogins: cfg.warmLogins }));  
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

async function main() {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean' }, smoke: { type: 'boolean' }, out: { type: 'string' }, results: { type: 'string' }, only: { type: 'string' }, 'report-from': { type: 'string' },
    },
  });
  if (values['report-from']) {
    // Render the report again from the results of an earlier run (same numbers, new wording).
    const { target } = renderFile(values['report-from'], values.out);
    log(`report rewritten to ${target} from ${values['report-from']}`);
    return;
  }
  if (values.full === values.smoke) {
    process.stderr.write('usage: node bench/run.js --full | --smoke [--out FILE] [--results FILE] [--only 1,2,...] | --report-from RESULTS.json [--out FILE]\n');
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
  await step(2, 'phases', () => measurePhases(cfg.phases, impls));
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
  // Measuring ends here: the results file holds everything the document is rendered from.
  const run = {
    profile, machine: m, impls, results, errors, elapsedMs,
  };
  const raw = values.results || resultsFile(profile);
  fs.mkdirSync(path.dirname(raw), { recursive: true });
  fs.writeFileSync(raw, JSON.stringify(run, null, 1));
  const { target, text, charts } = writeReport(run, values.out || documentFile(profile));
  process.stdout.write(text);
  log(`results written to ${raw}, report to ${target}${charts.length ? `, charts to ${charts.join(', ')}` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (errors.length) process.exitCode = 1;
}

main().catch((err) => { process.stderr.write(`${err.stack || err}\n`); process.exit(1); });
