'use strict';
/**
 * `make bundle` (after `make build`): ships what pkg/ holds.
 *
 *   dist/rbac-claims-action.js     the single-file Action, to paste into the Auth0 dashboard editor
 *   dist/a0deploy/                 the same file in the Auth0 Deploy CLI directory layout
 *   dist/size.json                 the size figures printed at the end
 *   pkg/                           completed into the npm package `rbac-claims` (js/package.js)
 *
 * The single file is the JS sources listed in BUNDLED (js/action.js, js/entry.js and the wasm-bindgen
 * glue pkg/rbac_claims.js), unchanged, each wrapped as a CommonJS module (js/loader.js), plus
 * pkg/rbac_claims_bg.wasm compressed (gzip or brotli, whichever is smaller) and basE91-encoded in a
 * string (js/base91.js). At load, once per Action instance, the glue's `fs.readFileSync` of the .wasm gets the
 * decompressed bytes and compiles them (again only if js/entry.js replaces a trapped instance): no file
 * system, no `require` outside Node's built-ins. Before writing anything this script loads the new
 * bundle and runs two logins through it (it writes nothing if they fail); it exits non-zero if the file
 * passes 100,000 bytes (the file is still written, to look into). The file is minified with terser
 * (the readable sources are in the repository and in the npm package).
 */
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const { ROOT, wrapModule, createLoader } = require('../js/loader');
const { preparePackage } = require('../js/package');
const { encodeBase91, decodeBase91, assembleDecoder } = require('../js/base91');
const { PARTS } = require('./size');

const REPO = path.join(__dirname, '..');
const PKG = path.join(REPO, 'pkg');
const DIST = path.join(REPO, 'dist');

/** Auth0: an Action's code "should not exceed 100 kB". Read as 100,000 bytes, the stricter reading. */
const LIMIT_BYTES = 100000;
/**
 * The size budget, the one place it is stated: the single file must stay at or under it (a tenth of
 * Auth0's cap kept in reserve, so that a security fix always fits). `make bundle` fails over it, and
 * tests/js/bundle.test.js holds it in `make test`. A feature that needs more makes room first.
 */
const BUDGET_BYTES = 90000;
/** Our goal for the single file. */
const GOAL_BYTES = 60000;
/** Name of the Action in Auth0 (dashboard, Deploy CLI, Terraform). */
const ACTION_NAME = 'rbac-claims';
/** The paste-able file, relative to the repository. */
const BUNDLE_FILE = path.join('dist', 'rbac-claims-action.js');
/**
 * Secrets that the Deploy CLI layout declares, with a0deploy keyword placeholders (`##KEY##` is
 * replaced from AUTH0_KEYWORD_REPLACE_MAPPINGS at import). The optional settings keep their defaults.
 */
const DEPLOY_SECRETS = [
  ['namespace', 'RBAC_CLAIMS_NAMESPACE'],
  ['domain', 'RBAC_CLAIMS_DOMAIN'],
  ['clientId', 'RBAC_CLAIMS_CLIENT_ID'],
  ['clientSecret', 'RBAC_CLAIMS_CLIENT_SECRET'],
];

/** The crate version: the one version of the project (wasm-pack copies it into pkg/package.json). */
function crateVersion() {
  const m = cargoSection('package').match(/^version\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error('Cargo.toml: no [package] version');
  return m[1];
}

/** The text of the Cargo.toml section `[name]` ('' when there is none). */
function cargoSection(name) {
  const toml = fs.readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8');
  return toml.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) || '';
}

/**
 * The wasm features the release build's wasm-opt enables (Cargo.toml, the one place they are stated),
 * for the second wasm-opt pass of the single file.
 */
function wasmOptFeatures() {
  const features = cargoSection('package.metadata.wasm-pack.profile.release').match(/--enable-[a-z-]+/g);
  if (!features) throw new Error('Cargo.toml: no --enable-… flags in [package.metadata.wasm-pack.profile.release] wasm-opt');
  return features;
}

/**
 * Compress the wasm both ways and pick the smaller.
 * @param {Buffer} wasm
 * @returns {{gzip: Buffer, brotli: Buffer, method: 'gzip'|'brotli', data: Buffer}}
 */
function compress(wasm) {
  const gzip = zlib.gzipSync(wasm, { level: 9 });
  const brotli = zlib.brotliCompressSync(wasm, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_LGWIN]: zlib.constants.BROTLI_MAX_WINDOW_BITS,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasm.length,
    },
  });
  const method = brotli.length < gzip.length ? 'brotli' : 'gzip';
  return { gzip, brotli, method, data: method === 'brotli' ? brotli : gzip };
}

/** The wasm-bindgen glue among {@link BUNDLED}. */
const GLUE = 'pkg/rbac_claims.js';

/**
 * Shorten the wasm module's import and export names (wasm-opt
 * `--minify-imports-and-exports-and-modules`, from the npm package binaryen) and rewrite the glue to
 * match, from the mapping wasm-opt prints: the glue's import object (module and keys) and its `wasm.X`
 * uses of the exports. The hashed wasm-bindgen names are about 4 kB of the single file. Throws if any
 * name is not found exactly where expected, so a changed glue shape fails the build, not a login.
 * @param {Buffer} wasm
 * @param {string} glue
 * @returns {{wasm: Buffer, glue: string}}
 */
function minifyNames(wasm, glue) {
  const { execFileSync } = require('node:child_process');
  const os = require('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-claims-names-'));
  try {
    const input = path.join(dir, 'in.wasm');
    const output = path.join(dir, 'out.wasm');
    fs.writeFileSync(input, wasm);
    const features = wasmOptFeatures();
    const mapping = JSON.parse(execFileSync(path.join(REPO, 'node_modules', '.bin', 'wasm-opt'), [input, ...features, '--minify-imports-and-exports-and-modules', '-o', output], { encoding: 'utf8' }));
    const small = fs.readFileSync(output);
    const modules = new Set(WebAssembly.Module.imports(new WebAssembly.Module(small)).map((i) => i.module));
    const oldModules = new Set(mapping.imports.map(([module]) => module));
    if (modules.size !== 1 || oldModules.size !== 1) throw new Error(`expected one import module, found ${[...modules]} / ${[...oldModules]}`);
    const replaceOnce = (text, from, to) => {
      const parts = text.split(from);
      if (parts.length !== 2) throw new Error(`minifyNames: ${JSON.stringify(from)} occurs ${parts.length - 1} times in the glue, not once`);
      return parts.join(to);
    };
    let out = replaceOnce(glue, `${JSON.stringify([...oldModules][0])}: import0`, `${JSON.stringify([...modules][0])}: import0`);
    for (const [, from, to] of mapping.imports) out = replaceOnce(out, `
        ${from}: function(`, `
        ${JSON.stringify(to)}: function(`);
    const exported = new Map(mapping.exports);
    out = out.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
      if (!exported.has(name)) throw new Error(`minifyNames: the glue uses wasm.${name}, which the module does not export`);
      return `wasm[${JSON.stringify(exported.get(name))}]`;
    });
    return { wasm: small, glue: out };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The JS files the single file holds, unchanged, by path in the repository; the entry first. */
const BUNDLED = ['js/action.js', 'js/entry.js', GLUE];

/** Read the bundled sources. @returns {Record<string, string>} source text by repository path */
function readSources() {
  return Object.fromEntries(BUNDLED.map((f) => [f, fs.readFileSync(path.join(REPO, f), 'utf8')]));
}

/**
 * The single-file Action's source.
 * @param {object} input
 * @param {string} input.version
 * @param {Record<string, string>} input.sources JS sources by repository path; the first is the entry
 * @param {Buffer} input.wasm pkg/rbac_claims_bg.wasm, which the glue (pkg/rbac_claims.js) reads
 * @returns {{source: string, sizes: object}}
 */
function makeBundle({ version, sources, wasm }) {
  const { gzip, brotli, method, data } = compress(wasm);
  const decompress = method === 'brotli' ? 'brotliDecompressSync' : 'gunzipSync';
  const sha256 = crypto.createHash('sha256').update(wasm).digest('hex');
  const inlined = encodeBase91(data);
  const decoder = assembleDecoder();
  const entry = Object.keys(sources)[0];
  const modules = Object.entries(sources).map(([f, text]) => `  '${ROOT}/${f}': ${wrapModule(text)},\n`).join('');
  const source = `/*! rbac-claims ${version}: Auth0 post-login Action (Rust/WebAssembly) in one file; settings are Action
 * secrets (docs/deploy.md). Generated by scripts/bundle.js (wasm sha256 ${sha256.slice(0, 16)}): do not edit. MIT,
 * https://github.com/rbac-claims/rbac-claims */

// pkg/rbac_claims_bg.wasm (${wasm.length} bytes): ${method}-compressed (${data.length} bytes), basE91.
const WASM = '${inlined}';
// js/base91-decode.wat, assembled: the basE91 decoder as a ${decoder.length}-byte wasm module.
const DECODER = Buffer.from('${decoder.toString('base64')}', 'base64');

${decodeBase91.toString()}

// The bundled modules, unchanged, each wrapped as Node wraps a CommonJS module file.
const MODULES = {
${modules}};

// The one file the modules read: the glue's fs.readFileSync of the .wasm, decompressed on each read
// (once per Action instance, and again only if a trapped instance is replaced).
const FILES = {
  '${ROOT}/pkg/rbac_claims_bg.wasm': () => require('node:zlib').${decompress}(decodeBase91(WASM, ${data.length}, DECODER)),
};

${createLoader.toString()}

// Module scope: runs once per Action instance (decompress, compile and instantiate the wasm); every
// login on this instance reuses it.
const action = createLoader(MODULES, FILES, require)('${ROOT}/${entry}');

/** Auth0 calls this at every login (${entry}): it never rejects; failures are logged and deny. */
exports.onExecutePostLogin = action.onExecutePostLogin;
`;
  return {
    source,
    sizes: { wasmRaw: wasm.length, wasmGzip: gzip.length, wasmBrotli: brotli.length, method, wasmInlined: inlined.length },
  };
}

/**
 * Minify the single file with terser (the header comment, `/*!`, is kept; property names such as the
 * glue's exports are never mangled). The readable sources are in the repository and the npm package.
 * @param {string} source
 * @returns {Promise<string>}
 */
async function minify(source) {
  const { minify: terser } = require('terser');
  const result = await terser(source, {
    ecma: 2020,
    compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true },
    mangle: true,
    toplevel: true,
    format: { comments: /^!/ },
  });
  if (typeof result.code !== 'string') throw new Error('terser returned no code');
  return `${result.code}\n`;
}

/**
 * Load a bundle from its text (as Node loads a file) and run two logins: roles into both tokens, and a
 * configuration error that must deny with the generic reason. Throws on any difference.
 * @param {string} source
 */
async function smokeTest(source) {
  const mod = { exports: {} };
   
  new Function('exports', 'require', 'module', '__filename', '__dirname', source)(mod.exports, require, mod, 'bundle.js', '.');
  const fn = mod.exports.onExecutePostLogin;
  if (!fn || fn.constructor.name !== 'AsyncFunction') throw new Error('the bundle does not export an async onExecutePostLogin');
  const calls = [];
  const api = {
    idToken: { setCustomClaim: (k, v) => { calls.push(['id', k, v]); } },
    accessToken: { setCustomClaim: (k, v) => { calls.push(['access', k, v]); } },
    access: { deny: (r) => { calls.push(['deny', r]); } },
    cache: { get: () => undefined, set: () => ({ type: 'success' }), delete: () => ({ type: 'success' }) },
  };
  const log = console.log;
  console.log = () => {}; // the denied login logs one line; keep the build output clean
  try {
    await fn({ secrets: { namespace: 'https://smoke.example' }, authorization: { roles: ['a'] }, user: { user_id: 'auth0|smoke' } }, api);
    await fn({ secrets: { namespace: 'https://x.auth0.com' }, authorization: { roles: ['a'] }, user: { user_id: 'auth0|smoke' } }, api);
  } finally {
    console.log = log;
  }
  const want = JSON.stringify([['id', 'https://smoke.example/roles', ['a']], ['access', 'https://smoke.example/roles', ['a']]]);
  if (JSON.stringify(calls.slice(0, 2)) !== want || calls.length !== 3 || calls[2][0] !== 'deny') {
    throw new Error(`the bundle's smoke logins went wrong: ${JSON.stringify(calls)}`);
  }
}

/**
 * Write the Auth0 Deploy CLI (a0deploy) directory layout: `actions/<name>.json` and
 * `actions/<name>/code.js`; the code path is relative to the input directory, as a0deploy writes it.
 * @param {string} dir output folder
 * @param {string} source the bundle
 */
function writeDeployLayout(dir, source) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'actions', ACTION_NAME), { recursive: true });
  fs.writeFileSync(path.join(dir, 'actions', ACTION_NAME, 'code.js'), source);
  const action = {
    name: ACTION_NAME,
    code: `./actions/${ACTION_NAME}/code.js`,
    runtime: 'node22',
    dependencies: [],
    secrets: DEPLOY_SECRETS.map(([name, keyword]) => ({ name, value: `##${keyword}##` })),
    supported_triggers: [{ id: 'post-login', version: 'v3' }],
    deployed: true,
  };
  fs.writeFileSync(path.join(dir, 'actions', `${ACTION_NAME}.json`), `${JSON.stringify(action, null, 2)}\n`);
}

const n = (x) => x.toLocaleString('en-US');

async function main() {
  const version = crateVersion();
  const pkgJson = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));
  if (pkgJson.version !== version) {
    throw new Error(`pkg/package.json is version ${pkgJson.version}, Cargo.toml ${version}: run make build`);
  }
  const sources = readSources();
  const wasm = fs.readFileSync(path.join(PKG, 'rbac_claims_bg.wasm'));

  // The single file gets short wasm names (its glue rewritten to match); pkg/ keeps the readable ones.
  const small = minifyNames(wasm, sources[GLUE]);
  const { source: readable, sizes: inlined } = makeBundle({ version, sources: { ...sources, [GLUE]: small.glue }, wasm: small.wasm });
  const { wasmRaw: partsTotal, parts } = JSON.parse(fs.readFileSync(PARTS, 'utf8'));
  if (partsTotal !== wasm.length) throw new Error(`${PARTS} is for a ${partsTotal}-byte wasm, pkg/ has ${wasm.length} B: run make build`);
  const sizes = { ...inlined, wasmRaw: wasm.length, wasmShortNames: small.wasm.length, partsTotal, parts };
  const source = await minify(readable);
  sizes.readableBytes = Buffer.byteLength(readable);
  // a0deploy replaces ##KEY## and @@KEY@@ in code files too: the bundle must not contain such markers.
  if (/##\w+##|@@\w+@@/.test(source)) throw new Error('the bundle contains an a0deploy keyword marker');
  await smokeTest(source);

  const bundleBytes = Buffer.byteLength(source);
  fs.mkdirSync(DIST, { recursive: true });
  fs.writeFileSync(path.join(REPO, BUNDLE_FILE), source);
  writeDeployLayout(path.join(DIST, 'a0deploy'), source);
  const pkgFiles = preparePackage({ version, sources });
  const figures = { version, ...sizes, bundleBytes, limitBytes: LIMIT_BYTES, budgetBytes: BUDGET_BYTES, goalBytes: GOAL_BYTES, overGoalBytes: bundleBytes - GOAL_BYTES };
  fs.writeFileSync(path.join(DIST, 'size.json'), `${JSON.stringify(figures, null, 2)}\n`);

  const over = bundleBytes - GOAL_BYTES;
  const lines = [
    `rbac-claims ${version}`,
    `  wasm raw          ${n(sizes.wasmRaw).padStart(8)} B   pkg/rbac_claims_bg.wasm`,
    `  short names       ${n(sizes.wasmShortNames).padStart(8)} B   the same with short import/export names (compressed below)`,
    `  wasm gzip 9       ${n(sizes.wasmGzip).padStart(8)} B${sizes.method === 'gzip' ? '   <- inlined' : ''}`,
    `  wasm brotli q11   ${n(sizes.wasmBrotli).padStart(8)} B${sizes.method === 'brotli' ? '   <- inlined' : ''} (basE91: ${n(sizes.wasmInlined)} B)`,
    `  bundle            ${n(bundleBytes).padStart(8)} B   ${BUNDLE_FILE} (and dist/a0deploy/actions/${ACTION_NAME}/code.js), minified from ${n(sizes.readableBytes)} B`,
    `  limit             ${n(LIMIT_BYTES).padStart(8)} B   ${bundleBytes <= LIMIT_BYTES ? `ok, ${n(LIMIT_BYTES - bundleBytes)} B to spare` : 'EXCEEDED'}`,
    `  budget            ${n(BUDGET_BYTES).padStart(8)} B   ${bundleBytes <= BUDGET_BYTES ? `ok, ${n(BUDGET_BYTES - bundleBytes)} B to spare` : 'EXCEEDED: make room first'}`,
    `  goal              ${n(GOAL_BYTES).padStart(8)} B   ${over > 0 ? `${n(over)} B over` : `met, ${n(-over)} B under`}`,
    `  npm package       pkg/ (${pkgFiles.join(', ')})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (bundleBytes > BUDGET_BYTES) {
    process.stderr.write(`bundle: ${BUNDLE_FILE} is ${n(bundleBytes)} bytes, over the ${n(BUDGET_BYTES)}-byte size budget (Auth0's limit: ${n(LIMIT_BYTES)})\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`bundle: ${e.stack || e}\n`);
    process.exitCode = 1;
  });
}

module.exports = { makeBundle, minifyNames, minify, readSources, compress, crateVersion, BUNDLED, LIMIT_BYTES, BUDGET_BYTES, GOAL_BYTES, ACTION_NAME, BUNDLE_FILE, DEPLOY_SECRETS };
