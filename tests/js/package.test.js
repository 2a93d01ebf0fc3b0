'use strict';
// The npm package. `npm pack pkg/` (completed by `make bundle`), installed offline into an empty
// project, required by an Action file as docs/deploy.md shows, passes the same end-to-end logins as
// js/action.js in the local host, in a fresh `node`; it resolves through package.json `exports`; its
// types resolve, and a TypeScript consumer (tests/ts/consumer.ts) type-checks against them and Auth0's
// own (tests/ts/auth0-post-login-v3.d.ts) with the pinned `typescript` devDependency.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { runIsolated } = require('./support/isolated');
const { startStandIns, cases, checkResults, comparable, referenceResults, loginThroughATrap } = require('./support/login-cases');
const { FILES, entrySource, REPOSITORY, EXPORTS } = require('../../js/package');
const { typeCheck } = require('./support/tsc');
const { crateVersion, readSources } = require('../../scripts/bundle');

const REPO = path.join(__dirname, '..', '..');
const PKG = path.join(REPO, 'pkg');
/** The Action's code when the package is a dependency (docs/deploy.md shows this exact line). */
const ACTION_CODE = "exports.onExecutePostLogin = require('rbac-claims').onExecutePostLogin;\n";

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let work;
let project;
let packed;
let standIns;
before(async () => {
  assert.ok(fs.existsSync(path.join(PKG, 'index.js')), 'missing pkg/index.js: run make bundle');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-claims-npm-'));
  [packed] = JSON.parse(npm(['pack', PKG, '--pack-destination', work, '--json'], work));
  project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "consumer", "private": true }\n');
  npm(['install', '--offline', '--no-audit', '--no-fund', path.join(work, packed.filename)], project);
  fs.writeFileSync(path.join(project, 'action.js'), ACTION_CODE);
  standIns = await startStandIns();
});
after(async () => {
  if (standIns) await standIns.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball holds only what an Action needs, at the crate version', () => {
  assert.equal(packed.name, 'rbac-claims');
  assert.equal(packed.version, crateVersion());
  assert.deepEqual(packed.files.map((f) => f.path).sort(), ['LICENSE', 'README.md', 'package.json', ...FILES].sort());
  const manifest = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', 'rbac-claims', 'package.json'), 'utf8'));
  for (const field of ['name', 'version', 'description', 'license', 'repository', 'main', 'types', 'files']) assert.ok(manifest[field], field);
  assert.equal(manifest.license, 'MIT');
  assert.deepEqual(manifest.dependencies, undefined, 'no dependencies: installs offline');
  assert.equal(manifest.repository.url, `git+${REPOSITORY}.git`);
  assert.equal(manifest.homepage, `${REPOSITORY}#readme`);
  assert.equal(manifest.bugs.url, `${REPOSITORY}/issues`);
  assert.match(REPOSITORY, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
  assert.deepEqual(manifest.exports, EXPORTS);
  assert.deepEqual(manifest.exports['.'], { types: './index.d.ts', default: './index.js' }, 'the entry, with its types first');
  for (const target of Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)))) {
    if (target !== null) assert.ok(packed.files.some((f) => `./${f.path}` === target), `exports names ${target}, which the tarball does not hold`);
  }
});

test('the installed package resolves through its exports: the entry only, not its internals', () => {
  const installed = path.join(project, 'node_modules', 'rbac-claims');
  const resolve = (request) => execFileSync(process.execPath, ['-p', `require.resolve(${JSON.stringify(request)})`], { cwd: project, encoding: 'utf8', stdio: 'pipe' }).trim();
  assert.equal(resolve('rbac-claims'), path.join(installed, 'index.js'));
  assert.equal(resolve('rbac-claims/package.json'), path.join(installed, 'package.json'));
  for (const internal of ['rbac-claims/rbac_claims.js', 'rbac-claims/rbac_claims_bg.wasm', 'rbac-claims/settings']) {
    assert.throws(() => resolve(internal), (e) => /ERR_PACKAGE_PATH_NOT_EXPORTED/.test(e.stderr), internal);
  }
});

test('installed into an empty project, an Action requiring it passes the same logins as js/action.js', async () => {
  const reference = await referenceResults(standIns);
  const file = path.join(project, 'action.js');
  const installed = path.join(project, 'node_modules', 'rbac-claims');
  const run = await runIsolated({ cwd: project, action: { file }, readable: [file, `${installed}/`], cases: cases(standIns) });
  assert.equal(run.handlerType, 'AsyncFunction');
  assert.deepEqual(run.loaded.sort(), [file, path.join(installed, 'index.js'), path.join(installed, 'rbac_claims.js')].sort());
  for (const read of run.reads) assert.ok(read.startsWith(project + path.sep), `read outside the project: ${read}`);
  checkResults(run.results);
  assert.deepEqual(comparable(run.results), comparable(reference));
});

test('the types resolve: package.json types, the entry and the settings declarations', () => {
  const installed = path.join(project, 'node_modules', 'rbac-claims');
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  const dts = fs.readFileSync(path.join(installed, manifest.types), 'utf8');
  assert.match(dts, /export function onExecutePostLogin\(event: PostLoginEvent, api: PostLoginApi\): Promise<void>;/);
  assert.match(dts, /from '\.\/settings'/);
  assert.ok(fs.existsSync(path.join(installed, 'settings.d.ts')));
});

test('a TypeScript consumer type-checks against the package and Auth0\'s own post-login types', () => {
  for (const f of ['consumer.ts', 'auth0-post-login-v3.d.ts']) fs.copyFileSync(path.join(REPO, 'tests', 'ts', f), path.join(project, f));
  const r = typeCheck(project, ['consumer.ts']);
  assert.equal(r.status, 0, `tsc:\n${r.output}`);
  // The check can fail: a consumer that misuses the package is refused, with the error tsc gives.
  fs.writeFileSync(path.join(project, 'misuse.ts'), "import { onExecutePostLogin } from 'rbac-claims';\nexport const p = onExecutePostLogin({ secrets: {} }, {});\n");
  const bad = typeCheck(project, ['misuse.ts']);
  assert.notEqual(bad.status, 0, 'tsc accepted an event without user and an empty api');
  assert.match(bad.output, /misuse\.ts\(2,/);
});

test('inside the package, a trapped wasm instance is replaced (test-trap build, make pkg-trap)', async () => {
  const trap = path.join(REPO, 'target', 'pkg-trap');
  assert.ok(fs.existsSync(path.join(trap, 'rbac_claims.js')), `missing ${trap}: run make pkg-trap`);
  const dir = path.join(work, 'trap-package');
  fs.mkdirSync(dir);
  for (const f of ['rbac_claims.js', 'rbac_claims_bg.wasm']) fs.copyFileSync(path.join(trap, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'index.js'), entrySource(crateVersion(), readSources()));
  const action = require(path.join(dir, 'index.js'));
  const glue = path.join(dir, 'rbac_claims.js');
  const first = require(glue); // the instance the entry loaded (Node's module cache)

  const { calls, lines } = await loginThroughATrap(action, first);
  assert.equal(calls[0][0], 'deny', JSON.stringify(calls));
  assert.ok(lines.includes('rbac-claims: the wasm instance trapped and was replaced'), lines.join('\n'));
  assert.notEqual(require(glue), first, 'a fresh glue module');
  assert.deepEqual(calls.slice(1), [['idToken', 'https://e.com/roles', ['a']], ['accessToken', 'https://e.com/roles', ['a']]]);
});
