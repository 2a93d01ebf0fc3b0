'use strict';
/**
 * Capture of `console.log` (the Action's only log channel) and of process-level failures while a
 * suite calls the Action directly. The one console capture of the JS suites and the benchmarks.
 */
const util = require('node:util');

/**
 * Replace console.log (or the given methods) until `stop()`; every call becomes one entry of `lines`
 * (one entry per call, even if the text holds a newline: `multiLine` counts those).
 * @param {object} [options]
 * @param {string[]} [options.methods=['log']] console methods to capture
 * @param {number} [options.keep=Infinity] lines kept; later calls are only counted (`stats.total`)
 */
function captureConsole({ methods = ['log'], keep = Infinity } = {}) {
  const originals = methods.map((m) => console[m]);
  const originalLog = console.log;
  const lines = [];
  const stats = { total: 0, multiLine: 0 };
  const capture = (...args) => {
    const text = util.format(...args);
    stats.total += 1;
    if (/[\r\n]/.test(text)) stats.multiLine += 1;
    if (lines.length < keep) lines.push(text);
  };
  for (const m of methods) console[m] = capture;
  return {
    lines,
    stats,
    /** Take (and clear) the lines logged since the last take. */
    take() { return lines.splice(0, lines.length); },
    /** Print through the real console.log (for diagnostics while capturing). */
    print: (...args) => originalLog.apply(console, args),
    stop() { methods.forEach((m, i) => { console[m] = originals[i]; }); },
  };
}

/**
 * Run `fn` with the console captured (captureConsole options); resolves with its value, the lines
 * kept and the number of calls.
 * @template T
 * @param {() => T|Promise<T>} fn
 * @returns {Promise<{value: T, lines: string[], total: number}>}
 */
async function withCapturedConsole(fn, options) {
  const capture = captureConsole(options);
  try {
    const value = await fn();
    return { value, lines: capture.lines, total: capture.stats.total };
  } finally {
    capture.stop();
  }
}

/** Record unhandled rejections and uncaught exceptions until `stop()`. */
function watchProcess() {
  const events = [];
  const onRejection = (reason) => events.push({ kind: 'unhandledRejection', reason: String(reason && reason.stack || reason) });
  const onException = (err) => events.push({ kind: 'uncaughtException', reason: String(err && err.stack || err) });
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    events,
    stop() {
      process.removeListener('unhandledRejection', onRejection);
      process.removeListener('uncaughtException', onException);
    },
  };
}

module.exports = { captureConsole, withCapturedConsole, watchProcess };
