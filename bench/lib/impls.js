'use strict';
/**
 * The two implementations under test and how to load a fresh instance of each.
 *
 * - wasm: the shipped Action. The single-file bundle dist/rbac-claims-action.js once it exists
 *   (`make bundle`), else js/action.js, which loads pkg/ (`make build`).
 * - js: bench/js-action.js, the plain-JavaScript baseline with the same settings and behaviour.
 *
 * A "fresh instance" is a new module evaluation: the require cache entries are dropped, so module
 * scope (the wasm instance and its token memory; the JS Action's Maps) starts empty, as on a new
 * Auth0 Action instance.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, 'dist', 'rbac-claims-action.js');
const ENTRY = path.join(ROOT, 'js', 'action.js');
const PKG = path.join(ROOT, 'pkg');
const JS_ACTION = path.join(ROOT, 'bench', 'js-action.js');

/** @returns {{name: 'wasm'|'js', label: string, path: string, source: string}[]} */
function implementations() {
  const bundled = fs.existsSync(BUNDLE);
  return [
    {
      name: 'wasm',
      label: 'Rust/wasm',
      path: bundled ? BUNDLE : ENTRY,
      source: bundled ? 'dist/rbac-claims-action.js (single-file bundle)' : 'js/action.js + pkg/ (bundle not built yet)',
    },
    { name: 'js', label: 'plain JS', path: JS_ACTION, source: 'bench/js-action.js' },
  ];
}

/** Drop every cached module of `impl` (and pkg/ glue) so the next require evaluates it again. */
function forget(impl) {
  for (const key of Object.keys(require.cache)) {
    const ours = key === impl.path || key === BUNDLE || key.startsWith(PKG + path.sep)
      || (path.dirname(key) === path.join(ROOT, 'js')); // js/action.js and the modules it loads (js/entry.js)
    if (ours) delete require.cache[key];
  }
}

/** A new instance of `impl`'s Action module. */
function loadFresh(impl) {
  forget(impl);
  return require(impl.path);
}

module.exports = { implementations, loadFresh, forget, ROOT, BUNDLE, ENTRY, PKG, JS_ACTION };
