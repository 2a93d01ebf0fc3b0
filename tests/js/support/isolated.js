'use strict';
/**
 * Run an Action module in a fresh `node` process, as a shipped file would run: used by
 * tests/js/bundle.test.js and tests/js/package.test.js. (Not a `*.test.js` file: the runner only
 * runs those.)
 *
 * Parent side, `runIsolated(...)`: spawns `node <this file>` with the job on stdin, in the given working
 * directory, with NODE_PATH and NODE_OPTIONS removed and, where the child's Node has the permission model
 * (20 and 22), with file system reads allowed only for this file, host/ (and the claim rules it reads),
 * the repository's node_modules/ (the host's JWT library) and the Action's own files, and no writes at all (Node 22
 * Actions have a read-only file system). The Management API stand-in runs in the parent.
 *
 * Child side (this file as the main module): loads the local host (host, by absolute path: it is the
 * test harness, not part of the Action), then the Action, and records which module files and which
 * file reads loading the Action caused; runs each case through `host.run`; prints one JSON line.
 */
const path = require('node:path');

const HOST = path.join(__dirname, '..', '..', '..', 'host');
const NODE_MODULES = path.join(__dirname, '..', '..', '..', 'node_modules');
/** Auth0's claim rules, which the host reads (one data file, shared with the Rust crate). */
const CLAIM_RULES = path.join(__dirname, '..', '..', '..', 'data', 'auth0-claim-rules.json');

/**
 * @typedef {object} Case
 * @property {string} name
 * @property {object} [event] deep-merged into the host's default event
 * @property {Record<string, string>} secrets the settings
 */

/**
 * @typedef {object} IsolatedRun
 * @property {string} node the child's `process.version`
 * @property {boolean} permission whether the permission model was on (fs reads limited, writes denied)
 * @property {string} target the module file that was required
 * @property {string[]} loaded module files added to `require.cache` by loading the Action
 * @property {string[]} reads files read (fs.readFileSync, readFile, openSync, createReadStream) while loading it
 * @property {string} handlerType constructor name of the exported onExecutePostLogin
 * @property {{name: string, outcome: string, denyReason?: string, error?: string, claims: object, scopes: string[], logs: string[]}[]} results
 */

const permissionSupport = new Map();
/** Whether a Node binary has `--experimental-permission` (Node 20 and 22 do; 18 does not). */
function hasPermissionModel(node) {
  if (!permissionSupport.has(node)) {
    const { spawnSync } = require('node:child_process');
    const r = spawnSync(node, ['-p', "process.allowedNodeEnvironmentFlags.has('--experimental-permission')"], { encoding: 'utf8' });
    permissionSupport.set(node, r.stdout.trim() === 'true');
  }
  return permissionSupport.get(node);
}

/**
 * Run logins through an Action in a fresh process.
 * @param {object} options
 * @param {string} options.cwd the child's working directory (an empty temporary folder)
 * @param {{file: string}|{package: string}} options.action a module file, or a package name resolved from `cwd`
 * @param {string[]} options.readable the Action's files or folders (a folder ends with `/`)
 * @param {Case[]} options.cases
 * @param {string} [options.node] the Node binary (default: this process's)
 * @returns {Promise<IsolatedRun>}
 */
function runIsolated({ cwd, action, readable, cases, node = process.execPath }) {
  const { spawn } = require('node:child_process');
  const env = { ...process.env };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  const permission = hasPermissionModel(node);
  const flags = permission
    ? ['--experimental-permission', '--no-warnings', ...[__filename, `${HOST}/`, `${NODE_MODULES}/`, CLAIM_RULES, ...readable].map((p) => `--allow-fs-read=${p}`)]
    : [];
  return new Promise((resolve, reject) => {
    const proc = spawn(node, [...flags, __filename], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('error', reject);
    proc.on('close', (code) => {
      const last = out.trim().split('\n').pop();
      if (code !== 0 || !last) {
        reject(new Error(`isolated run failed (exit ${code}):\n${err}\n${out}`));
        return;
      }
      resolve({ ...JSON.parse(last), permission });
    });
    proc.stdin.end(JSON.stringify({ action, cases }));
  });
}

/** Child side: see the file comment. */
async function child() {
  const fs = require('node:fs');
  const { performance } = require('node:perf_hooks');
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const job = JSON.parse(input);
  const { createHost } = require(HOST);
  const host = createHost();

  // Record the file reads that loading the Action causes (Node's loader reads module files through fs).
  const reads = [];
  const originals = {};
  for (const name of ['readFileSync', 'readFile', 'openSync', 'createReadStream']) {
    originals[name] = fs[name];
    fs[name] = function recorded(file, ...rest) {
      reads.push(String(file));
      return originals[name].call(this, file, ...rest);
    };
  }
  const before = new Set(Object.keys(require.cache));
  const target = job.action.file || require.resolve(job.action.package, { paths: [process.cwd()] });
  const t0 = performance.now();
  const mod = require(target);
  const loadMs = performance.now() - t0;
  Object.assign(fs, originals);
  const loaded = Object.keys(require.cache).filter((k) => !before.has(k));

  const results = [];
  for (const c of job.cases) {
    const r = await host.run(mod, c.event || {}, { secrets: c.secrets, directory: c.directory });
    results.push({ name: c.name, outcome: r.outcome, denyReason: r.denyReason, error: r.error, claims: r.claims, scopes: r.scopes, logs: r.logs });
  }
  const handlerType = mod.onExecutePostLogin && mod.onExecutePostLogin.constructor.name;
  process.stdout.write(`${JSON.stringify({ node: process.version, target, loaded, reads, loadMs, handlerType, results })}\n`);
}

if (require.main === module) {
  child().catch((e) => {
    process.stderr.write(`${e.stack || e}\n`);
    process.exitCode = 1;
  });
}

module.exports = { runIsolated, hasPermissionModel };
