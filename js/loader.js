'use strict';
/**
 * The tiny CommonJS loader that the generated files embed (scripts/bundle.js: the single-file Action;
 * js/package.js: the npm package's entry).
 *
 * Each source file goes in unchanged, wrapped in a function exactly as Node wraps a module file
 * (`exports, require, module, __filename, __dirname`), under a virtual absolute path that keeps the
 * repository layout (`/rbac-claims/js/action.js`, `/rbac-claims/pkg/rbac_claims.js`). The loader then
 * gives each module a `require` that resolves relative ids against that layout, so js/action.js's
 * `require('../pkg/rbac_claims.js')` and the wasm-bindgen glue's
 * `require('fs').readFileSync(`${__dirname}/rbac_claims_bg.wasm`)` are served from memory. Nothing is
 * edited in the sources: a glue whose shape changes either still works or fails loudly, because the
 * loader throws on anything it does not serve.
 */

/** Virtual root of the bundled files (no file system behind it). */
const ROOT = '/rbac-claims';

/**
 * Wrap a CommonJS source as Node does, as the text of a function expression.
 * @param {string} source the module's source text
 * @returns {string} `function (exports, require, module, __filename, __dirname) {…}`
 */
function wrapModule(source) {
  if (source.startsWith('#!')) throw new Error('a bundled module must not start with a shebang line');
  // The newline before `}` keeps a final `// comment` from swallowing the closing brace.
  return `function (exports, require, module, __filename, __dirname) {\n${source}\n}`;
}

/**
 * Create the loader. Copied verbatim into the generated files by `createLoader.toString()`, so it
 * must stay self-contained and use only what Node 18, 20 and 22 all have. Each module's `require`
 * behaves like Node's for what the bundled sources use: relative and absolute ids (with `.js` and
 * `/index.js` tried), built-in modules, `require.resolve(id)` and `require.cache` (deleting an entry
 * makes the next `require` run that module again, e.g. a fresh wasm instance after a trap).
 * @param {Record<string, Function>} modules wrapped modules by virtual absolute path
 * @param {Record<string, () => Buffer>} files virtual files by absolute path, read through `fs.readFileSync`
 * @param {NodeRequire} nodeRequire the real `require`, used for Node's built-in modules only
 * @returns {(file: string) => any} `load(path)`: that module's `module.exports`
 */
function createLoader(modules, files, nodeRequire) {
  // eslint-disable-next-line strict -- copied alone into generated files (toString): it carries its own
  'use strict';

  const path = nodeRequire('node:path').posix;
  const builtins = new Set(nodeRequire('node:module').builtinModules);
  const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
  const cache = Object.create(null);
  const fail = (what) => {
    throw new Error(`rbac-claims bundle: ${what} (the bundled sources changed shape: update scripts/bundle.js or js/loader.js)`);
  };
  // The only `fs` the bundled modules see: `readFileSync` of a bundled file, nothing else.
  const fs = new Proxy({
    readFileSync(file, options) {
      const key = path.resolve(String(file));
      if (!has(files, key)) fail(`fs.readFileSync(${JSON.stringify(key)}) is not a bundled file`);
      const encoding = typeof options === 'string' ? options : options && options.encoding;
      const bytes = files[key]();
      return encoding ? bytes.toString(encoding) : bytes;
    },
  }, {
    get: (target, name) => (typeof name === 'symbol' || name in target ? target[name] : fail(`fs.${name} is not served`)),
  });

  function resolve(dir, id) {
    const base = path.resolve(dir, id);
    const found = [base, `${base}.js`, `${base}/index.js`].find((f) => has(modules, f));
    return found || fail(`no bundled module ${base}`);
  }

  function load(file) {
    if (cache[file]) return cache[file].exports;
    if (!has(modules, file)) fail(`no bundled module ${file}`);
    const module = { exports: {}, id: file, filename: file, loaded: false };
    cache[file] = module;
    const dir = path.dirname(file);
    const require = (id) => {
      if (typeof id !== 'string') return fail('require() of a non-string');
      if (id === 'fs' || id === 'node:fs') return fs;
      if (/^(node:)?fs\//.test(id)) return fail(`require(${JSON.stringify(id)}): only fs.readFileSync is served`);
      if (/^\.{0,2}\//.test(id)) return load(resolve(dir, id));
      if (builtins.has(id.replace(/^node:/, ''))) return nodeRequire(id);
      return fail(`require(${JSON.stringify(id)}) is neither bundled nor built into Node`);
    };
    require.resolve = (id) => {
      if (/^\.{0,2}\//.test(id)) return resolve(dir, id);
      return builtins.has(String(id).replace(/^node:/, '')) ? id : fail(`require.resolve(${JSON.stringify(id)}) is not bundled`);
    };
    require.cache = cache;
    try {
      modules[file].call(module.exports, module.exports, require, module, file, dir);
    } catch (err) {
      delete cache[file]; // as Node does: a module that threw is loaded afresh next time
      throw err;
    }
    module.loaded = true;
    return module.exports;
  }
  return load;
}

module.exports = { ROOT, wrapModule, createLoader };
