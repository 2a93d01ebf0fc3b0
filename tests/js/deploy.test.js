'use strict';
// The deploy artifacts agree with each other and with the code. The Deploy CLI layout that
// `make bundle` writes, the Terraform example and the snippets of docs/deploy.md name the same secrets,
// which are settings settings.d.ts declares (rendered from the Rust settings table, src/config/table.rs,
// and held equal to it by a native test); the a0deploy code
// file is the bundle; CHANGELOG.md has the crate version.
//
// The real Deploy CLI (auth0-deploy-cli, installed into target/tools/ by scripts/setup.sh at a pinned
// version) parses dist/a0deploy and validates it against its schema, on every Node its `engines` allows
// (Node 20 and 22 in `make test`; not Node 18). `terraform` on PATH also runs `terraform fmt`.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { crateVersion, ACTION_NAME, DEPLOY_SECRETS } = require('../../scripts/bundle');

const REPO = path.join(__dirname, '..', '..');
const read = (f) => fs.readFileSync(path.join(REPO, f), 'utf8');
const A0 = path.join(REPO, 'dist', 'a0deploy');
const ACTION_JSON = path.join(A0, 'actions', `${ACTION_NAME}.json`);
const TERRAFORM = 'deploy/terraform/main.tf';
const A0_CONFIG = 'deploy/a0deploy/config.example.json';

/** The settings settings.d.ts declares. */
function declaredSettings() {
  const dts = read('js/types/settings.d.ts');
  const body = dts.slice(dts.indexOf('export interface Settings {'), dts.indexOf('\n}', dts.indexOf('export interface Settings {')));
  return [...body.matchAll(/^ {2}(\w+)\??: /gm)].map((m) => m[1]);
}

/** Fenced code blocks of a Markdown file: [{lang, text}]. */
function codeBlocks(markdown) {
  return [...markdown.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)]
    .map(([, indent, lang, text]) => ({ lang, text: text.split('\n').map((l) => l.slice(indent.length)).join('\n') }));
}

test('every secret the deploy artifacts set is a setting settings.d.ts declares', () => {
  const declared = declaredSettings();
  assert.ok(declared.length >= 10, `found ${declared.length} settings in settings.d.ts`);
  for (const [name] of DEPLOY_SECRETS) assert.ok(declared.includes(name), name);
});

test('the Deploy CLI layout: an action JSON a0deploy reads, whose code file is the bundle', () => {
  const action = JSON.parse(fs.readFileSync(ACTION_JSON, 'utf8'));
  assert.equal(action.name, ACTION_NAME);
  assert.equal(action.runtime, 'node22');
  assert.deepEqual(action.supported_triggers, [{ id: 'post-login', version: 'v3' }]);
  assert.deepEqual(action.dependencies, []);
  assert.equal(action.deployed, true);
  // a0deploy (8.x) resolves `code` against the input directory, as its own export writes it.
  const code = fs.readFileSync(path.resolve(A0, action.code), 'utf8');
  assert.equal(code, read('dist/rbac-claims-action.js'));
  const names = action.secrets.map((s) => s.name);
  assert.deepEqual(names, ['namespace', 'domain', 'clientId', 'clientSecret']);
  for (const name of names) assert.ok(declaredSettings().includes(name), name);
  assert.deepEqual(action.secrets.map((s) => s.value), DEPLOY_SECRETS.map(([, k]) => `##${k}##`));

  // Keyword replacement as a0deploy does it (##KEY## in every file): the code must come through intact.
  const config = JSON.parse(read(A0_CONFIG));
  const mappings = { ...config.AUTH0_KEYWORD_REPLACE_MAPPINGS, RBAC_CLAIMS_CLIENT_SECRET: 'from-the-environment' };
  const replace = (text) => Object.entries(mappings).reduce((t, [k, v]) => t.split(`##${k}##`).join(v), text);
  assert.equal(replace(code), code);
  const resolved = JSON.parse(replace(fs.readFileSync(ACTION_JSON, 'utf8')));
  for (const s of resolved.secrets) assert.doesNotMatch(s.value, /##/, `${s.name} has a mapping`);
  assert.deepEqual(config.AUTH0_INCLUDED_ONLY, ['actions']);
  assert.equal(config.AUTH0_ALLOW_DELETE, false);
});

const A0DEPLOY = path.join(REPO, 'target', 'tools', 'node_modules', 'auth0-deploy-cli');

/** Whether this Node satisfies an `engines.node` of the form `>=X.Y.Z` (the Deploy CLI's form). */
function nodeSatisfies(range) {
  const m = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  assert.ok(m, `engines.node "${range}": a form this check does not read`);
  const have = process.versions.node.split('.').map(Number);
  const need = m.slice(1).map(Number);
  for (let i = 0; i < 3; i += 1) if (have[i] !== need[i]) return have[i] > need[i];
  return true;
}

const a0deployEngines = fs.existsSync(A0DEPLOY) ? JSON.parse(fs.readFileSync(path.join(A0DEPLOY, 'package.json'), 'utf8')).engines.node : null;

test('docs/deploy.md states the Node the Deploy CLI needs, as its own engines field says', () => {
  assert.ok(a0deployEngines, `missing ${A0DEPLOY}: run scripts/setup.sh`);
  const [, major, minor] = /^>=\s*(\d+)\.(\d+)\.0$/.exec(a0deployEngines) || [];
  assert.ok(major, `engines.node "${a0deployEngines}": a form this check does not read`);
  const guide = read('docs/deploy.md');
  assert.match(guide, new RegExp(`The Deploy CLI \\(npm \`auth0-deploy-cli\`\\) needs Node\\.js ${major}\\.${minor} or later`));
  assert.match(guide, new RegExp(`Node\\.js 22 \\(${major}\\.${minor} or later`), 'section 1 asks for a Node the Deploy CLI runs on');
});
test('the real Deploy CLI parses dist/a0deploy (auth0-deploy-cli in target/tools/)', {
  skip: a0deployEngines && !nodeSatisfies(a0deployEngines) && `auth0-deploy-cli needs Node ${a0deployEngines}; this is ${process.version}`,
}, async () => {
  assert.ok(a0deployEngines, `missing ${A0DEPLOY}: run scripts/setup.sh`);
  const Context = require(path.join(A0DEPLOY, 'lib', 'context', 'directory')).default;
  const { schema } = require(path.join(A0DEPLOY, 'lib', 'tools', 'auth0', 'handlers', 'actions'));
  const Ajv = require(require.resolve('ajv', { paths: [A0DEPLOY] }));
  const mappings = Object.fromEntries(DEPLOY_SECRETS.map(([name, k]) => [k, `value-of-${name}`]));
  const ctx = new Context({ AUTH0_INPUT_FILE: A0, AUTH0_INCLUDED_ONLY: ['actions'], AUTH0_KEYWORD_REPLACE_MAPPINGS: mappings }, {});
  await ctx.loadAssetsFromLocal();
  const [action, ...more] = ctx.assets.actions;
  assert.equal(more.length, 0);
  assert.equal(action.code, read('dist/rbac-claims-action.js'));
  assert.deepEqual(action.secrets, DEPLOY_SECRETS.map(([name]) => ({ name, value: `value-of-${name}` })));
  const ajv = new Ajv({ useDefaults: true, strict: false });
  assert.ok(ajv.validate(schema, ctx.assets.actions), JSON.stringify(ajv.errors));
});

test('the Terraform example: node22, post-login v3, the bundle, the same secrets', () => {
  const tf = read(TERRAFORM);
  const resource = tf.slice(tf.indexOf('resource "auth0_action"'), tf.indexOf('\n}\n', tf.indexOf('resource "auth0_action"')));
  assert.match(resource, /^ {2}runtime = "node22"$/m);
  assert.match(resource, /supported_triggers \{\s+id\s+= "post-login"\s+version = "v3"\s+\}/);
  const file = resource.match(/code\s+= file\("\$\{path\.module\}\/([^"]+)"\)/)[1];
  assert.equal(path.resolve(REPO, path.dirname(TERRAFORM), file), path.join(REPO, 'dist', 'rbac-claims-action.js'));
  const names = [...resource.matchAll(/secrets_wo \{\s+name\s+= "(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(names, DEPLOY_SECRETS.map(([name]) => name), 'the secrets of the Deploy CLI layout');
  assert.match(tf, /resource "auth0_trigger_action" "rbac_claims" \{\s+trigger\s+= "post-login"/);
});

const TF_ENV = { ...process.env, CHECKPOINT_DISABLE: '1' };
const terraform = spawnSync('terraform', ['version'], { stdio: 'ignore', env: TF_ENV }).status === 0;
test('terraform fmt accepts the example', { skip: !terraform && 'terraform is not on PATH' }, () => {
  const r = spawnSync('terraform', ['fmt', '-check', '-diff', path.dirname(TERRAFORM)], { cwd: REPO, encoding: 'utf8', env: TF_ENV });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('docs/deploy.md: its JSON and HCL snippets are the files, its commands exist', () => {
  const blocks = codeBlocks(read('docs/deploy.md'));
  const json = blocks.filter((b) => b.lang === 'json').map((b) => JSON.parse(b.text));
  assert.deepEqual(json, [JSON.parse(fs.readFileSync(ACTION_JSON, 'utf8')), JSON.parse(read(A0_CONFIG))]);
  const hcl = blocks.filter((b) => b.lang === 'hcl');
  assert.ok(hcl.length > 0);
  for (const b of hcl) assert.ok(read(TERRAFORM).includes(b.text), `not in ${TERRAFORM}:\n${b.text}`);
  const makefile = read('Makefile');
  const sh = blocks.filter((b) => b.lang === 'sh').map((b) => b.text).join('\n');
  for (const [, target] of sh.matchAll(/\bmake (\w[\w-]*)/g)) assert.match(makefile, new RegExp(`^${target}:`, 'm'), `make ${target}`);
  for (const [, file] of sh.matchAll(/\b((?:dist|deploy|pkg)\/[\w./-]*)/g)) assert.ok(fs.existsSync(path.join(REPO, file)), file);
  assert.match(sh, /--input_file dist\/a0deploy\b/);
  assert.match(sh, /cd deploy\/terraform/);
});

test('docs/deploy.md types no build sizes by hand: only Auth0\'s 100 kB limit and the size budget (figures come from dist/size.json)', () => {
  const { BUDGET_BYTES } = require('../../scripts/bundle');
  const budget = BUDGET_BYTES.toLocaleString('en-US');
  const figures = [...read('docs/deploy.md').matchAll(/\b\d[\d,.]*(?:\s|-)?(?:B|bytes?|kB|KB|MB)\b/g)].map((m) => m[0]);
  assert.ok(figures.length > 0, 'the guide states the limit');
  for (const f of figures) {
    assert.ok(/^100(?:,000(?:\s|-)bytes?| kB)$/.test(f) || new RegExp(`^${budget}(?:\\s|-)bytes?$`).test(f), `a size typed by hand in docs/deploy.md: ${f}`);
  }
});

test('CHANGELOG.md has a section for the crate version, which the package carries', () => {
  const version = crateVersion();
  assert.match(read('CHANGELOG.md'), new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\]`, 'm'));
  assert.equal(JSON.parse(read('pkg/package.json')).version, version);
});
