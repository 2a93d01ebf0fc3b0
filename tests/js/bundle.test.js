'use strict';
// The single-file Action (dist/rbac-claims-action.js, written by `make bundle`), copied alone
// into an empty folder and loaded by a fresh `node` with no node_modules, passes the same end-to-end
// logins as js/action.js in the local host; it stays within the size budget (scripts/bundle.js); a trapped wasm instance is
// replaced inside the bundle as it is in js/action.js.
//
// Extra Node binaries (e.g. 18 and 22 beside this 20): RBAC_CLAIMS_TEST_NODES=/path/node18:/path/node22.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { builtinModules } = require('node:module');
const { runIsolated } = require('./support/isolated');
const { startStandIns, cases, checkResults, comparable, referenceResults, loginThroughATrap } = require('./support/login-cases');
const { ROOT, wrapModule, createLoader } = require('../../js/loader');
const { readSources, BUNDLED, LIMIT_BYTES, BUDGET_BYTES } = require('../../scripts/bundle');

const REPO = path.join(__dirname, '..', '..');
const BUNDLE = path.join(REPO, 'dist', 'rbac-claims-action.js');
const SIZE = path.join(REPO, 'dist', 'size.json');
const TRAP_PKG = path.join(REPO, 'target', 'pkg-trap');
const EXTRA_NODES = (process.env.RBAC_CLAIMS_TEST_NODES || '').split(':').filter(Boolean);

let standIns;
let reference;
before(async () => {
  assert.ok(fs.existsSync(BUNDLE), `missing ${BUNDLE}: run make bundle`);
  standIns = await startStandIns();
  reference = await referenceResults(standIns);
});
after(() => standIns && standIns.close());

test('the bundle is within the size budget (90,000 B, under Auth0\'s 100,000) and dist/size.json has its figures', () => {
  assert.ok(BUDGET_BYTES <= 0.9 * LIMIT_BYTES, 'a tenth of Auth0\'s cap stays in reserve');
  const bytes = fs.statSync(BUNDLE).size;
  assert.ok(bytes <= BUDGET_BYTES, `${bytes} bytes: over the size budget of ${BUDGET_BYTES}; make room first`);
  const size = JSON.parse(fs.readFileSync(SIZE, 'utf8'));
  assert.equal(size.bundleBytes, bytes);
  assert.equal(size.wasmRaw, fs.statSync(path.join(REPO, 'pkg', 'rbac_claims_bg.wasm')).size);
  assert.equal(size.method, size.wasmBrotli < size.wasmGzip ? 'brotli' : 'gzip', 'the smaller compression is inlined');
});

test("README's Size section is the one `make size` renders from this build's dist/size.json", () => {
  const { renderReadme, BEGIN, END } = require('../../scripts/size');
  const size = JSON.parse(fs.readFileSync(SIZE, 'utf8'));
  assert.ok(Array.isArray(size.parts) && size.parts.length > 5, 'dist/size.json has the parts of the build');
  assert.equal(size.parts.reduce((sum, p) => sum + p.bytes, 0), size.wasmRaw, 'the parts add up to the module');
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END) + END.length);
  const rendered = renderReadme(size);
  // The same text; figures may differ by a rounding step or a few bytes of toolchain drift (the build
  // of a fresh machine), never more: run `make size` after any change that moves them.
  const shape = (text) => text.replace(/\d[\d,.]*/g, '#');
  assert.equal(shape(section), shape(rendered), 'README.md Size section: run make size');
  const numbers = (text) => [...text.matchAll(/\d[\d,.]*/g)].map((m) => Number(m[0].replace(/,/g, '')));
  const want = numbers(rendered);
  numbers(section).forEach((got, i) => {
    assert.ok(Math.abs(got - want[i]) <= Math.max(64, 0.01 * want[i]), `README.md Size section says ${got} where this build gives ${want[i]}: run make size`);
  });
});

test('the bundle requires nothing but Node built-ins and the modules it carries', () => {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  // Literal ids: built-ins, or relative ids of bundled modules (served from memory by js/loader.js).
  // The one non-literal require (js/action.js: require(GLUE)) is proved by the isolated run below.
  const ids = [...source.matchAll(/\brequire\(\s*(['"`])([^'"`]+)\1\s*\)/g)].map((m) => m[2]);
  assert.ok(ids.length > 0);
  for (const id of ids) {
    const builtin = builtinModules.includes(id.replace(/^node:/, ''));
    assert.ok(builtin || id.startsWith('./') || id.startsWith('../'), `require('${id}')`);
  }
  assert.match(source, /(^|[;}\n])exports\.onExecutePostLogin\s*=/, 'the handler is assigned where Auth0 looks for it');
  assert.doesNotMatch(source, /##\w+##|@@\w+@@/, 'no a0deploy keyword markers');
  // Minified: each bundled module is still a CommonJS wrapper function (terser writes it as a method)
  // under its repository path.
  for (const f of BUNDLED) assert.match(source, new RegExp(`["']${ROOT}/${f}["'](:function)?\\(\\w+,\\w+,\\w+,\\w+,\\w+\\)\\{`), f);
});

test('copied alone into an empty folder, a fresh node passes the same logins as js/action.js', async () => {
  checkResults(reference);
  for (const node of [process.execPath, ...EXTRA_NODES]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-claims-bundle-'));
    try {
      const file = path.join(dir, 'rbac-claims-action.js');
      fs.copyFileSync(BUNDLE, file);
      assert.deepEqual(fs.readdirSync(dir), ['rbac-claims-action.js'], 'nothing else in the folder');
      const run = await runIsolated({ cwd: dir, action: { file }, readable: [file], cases: cases(standIns), node });
      const label = `node ${run.node}`;
      assert.equal(run.handlerType, 'AsyncFunction', label);
      assert.deepEqual(run.loaded, [file], `${label}: loading the bundle loaded no other module file`);
      assert.deepEqual([...new Set(run.reads)], [file], `${label}: loading the bundle read no other file`);
      if (node === process.execPath && /^v(20|22)\./.test(process.version)) assert.ok(run.permission, 'the permission model was on');
      checkResults(run.results);
      assert.deepEqual(comparable(run.results), comparable(reference), `${label}: same results as js/action.js`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('inside the bundle, a trapped wasm instance is replaced (test-trap build, make pkg-trap)', async () => {
  const glue = path.join(TRAP_PKG, 'rbac_claims.js');
  assert.ok(fs.existsSync(glue), `missing ${glue}: run make pkg-trap`);
  // The bundle's own loader over the bundle's own sources, with the test-trap glue and wasm.
  const sources = { ...readSources(), 'pkg/rbac_claims.js': fs.readFileSync(glue, 'utf8') };
  const modules = {};
  for (const [f, text] of Object.entries(sources)) modules[`${ROOT}/${f}`] = (0, eval)(`(${wrapModule(text)})`);  
  let reads = 0;
  const files = { [`${ROOT}/pkg/rbac_claims_bg.wasm`]: () => { reads += 1; return fs.readFileSync(path.join(TRAP_PKG, 'rbac_claims_bg.wasm')); } };
  const load = createLoader(modules, files, require);
  const action = load(`${ROOT}/${BUNDLED[0]}`);
  const first = load(`${ROOT}/pkg/rbac_claims.js`);
  assert.equal(reads, 1, 'one instance at load');

  const { calls, lines } = await loginThroughATrap(action, first);
  assert.equal(calls[0][0], 'deny', JSON.stringify(calls));
  assert.ok(lines.includes('rbac-claims: the wasm instance trapped and was replaced'), lines.join('\n'));
  assert.equal(reads, 2, 'the wasm was read (decompressed) again for the new instance');
  assert.notEqual(load(`${ROOT}/pkg/rbac_claims.js`), first, 'a fresh glue module');
  assert.deepEqual(calls.slice(1), [['idToken', 'https://e.com/roles', ['a']], ['accessToken', 'https://e.com/roles', ['a']]]);
});

test('the glue of pkg/ and of the test build catches in place: no handleError left, the rewrite is exact', () => {
  const { catchInPlace } = require('../../scripts/glue');
  for (const dir of [path.join(REPO, 'pkg'), TRAP_PKG]) {
    const glue = fs.readFileSync(path.join(dir, 'rbac_claims.js'), 'utf8');
    assert.ok(!glue.includes('handleError('), `${dir}: a handleError( call is left (make build runs scripts/glue.js)`);
    assert.ok(/catch \(e\) \{ storeException\(e\); \}/.test(glue), `${dir}: no import catches in place`);
    assert.deepEqual(catchInPlace(glue), { glue, rewritten: 0 }, 'a rewritten glue is left as it is');
  }
  // The shape wasm-bindgen writes, and one it does not: the first is rewritten, the second fails the build.
  const handler = '\nfunction handleError(f, args) {\n    try {\n        return f.apply(this, args);\n    } catch (e) {\n        store(e);\n    }\n}\n';
  const wrapped = '        a: function() { return handleError(function (arg0) {\n            return arg0.x;\n        }, arguments); },';
  const { glue, rewritten } = catchInPlace(`${handler}${wrapped}\n`);
  assert.equal(rewritten, 1);
  assert.ok(glue.includes('a: function(arg0) { try {\n            return arg0.x;\n        } catch (e) { storeException(e); } }'), glue);
  assert.ok(glue.includes('function storeException(e) {\n        store(e);\n}'), glue);
  assert.throws(() => catchInPlace(`${handler}        b: function() { return handleError(g, arguments); },\n`), /handleError\( call is left/);
  assert.throws(() => catchInPlace('function handleError(f) { return f(); }\nhandleError(x);'), /not the function this rewrite expects/);
});
