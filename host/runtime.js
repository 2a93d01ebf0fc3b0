'use strict';
/**
 * Per-run process plumbing shared by concurrent runs: which run is executing (AsyncLocalStorage),
 * console capture, and attribution of unhandled rejections.
 *
 * Attribution: console output and unhandled rejections are attributed to the run in whose async
 * context they happen (the context follows promises, timers and I/O callbacks started by the Action).
 * Console output outside any run passes through untouched. An unhandled rejection outside any run
 * context while runs are active fails every active run, which is what a real Node process does (it
 * crashes, and every execution in flight on that instance fails). While at least one run is active
 * the console methods are wrapped and an `unhandledRejection` listener is installed; both are removed
 * when the last run ends (unless something else wrapped the console after us, then ours stays as a
 * transparent pass-through).
 */
const { AsyncLocalStorage } = require('node:async_hooks');
const util = require('node:util');

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
const storage = new AsyncLocalStorage();
/** @type {Set<RunContext>} */
const active = new Set();
let originals = null;
let wrappers = null;

/**
 * @typedef {object} RunContext
 * @property {string[]} logs captured console lines
 * @property {boolean} echo also print captured lines through the original console
 * @property {(err: unknown) => void} onUnhandledRejection
 */

function onUnhandledRejection(reason) {
  const run = storage.getStore();
  if (run && active.has(run)) {
    run.onUnhandledRejection(reason);
    return;
  }
  for (const r of active) r.onUnhandledRejection(reason);
}

function install() {
  originals = {};
  wrappers = {};
  for (const m of CONSOLE_METHODS) {
    const original = console[m];
    originals[m] = original;
    wrappers[m] = function captured(...args) {
      const run = storage.getStore();
      if (!run || !active.has(run)) return original.apply(console, args);
      const text = m === 'trace' ? `Trace: ${util.format(...args)}` : util.format(...args);
      run.logs.push(text);
      if (run.echo) original.apply(console, args);
      return undefined;
    };
    console[m] = wrappers[m];
  }
  process.on('unhandledRejection', onUnhandledRejection);
}

function uninstall() {
  process.removeListener('unhandledRejection', onUnhandledRejection);
  let ours = true;
  for (const m of CONSOLE_METHODS) if (console[m] !== wrappers[m]) ours = false;
  if (ours) {
    for (const m of CONSOLE_METHODS) console[m] = originals[m];
    originals = null;
    wrappers = null;
  }
}

/**
 * Run `fn` as run `ctx`: console output and unhandled rejections in its async context go to `ctx`.
 * Call the returned `end()` once the run is over.
 * @template T
 * @param {RunContext} ctx
 * @param {() => T} fn
 * @returns {{value: T, end: () => void}}
 */
function enterRun(ctx, fn) {
  if (active.size === 0 && !wrappers) install();
  else if (active.size === 0) process.on('unhandledRejection', onUnhandledRejection);
  active.add(ctx);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    active.delete(ctx);
    if (active.size === 0) uninstall();
  };
  try {
    return { value: storage.run(ctx, fn), end };
  } catch (e) {
    end();
    throw e;
  }
}

/** Number of runs in progress (for tests). */
function activeRuns() {
  return active.size;
}

module.exports = { enterRun, activeRuns, CONSOLE_METHODS };
