'use strict';
/**
 * Capture of `console.log` (the Action's only log channel) and of process-level failures while a
 * suite calls the Action directly.
 */
const util = require('node:util');

/**
 * Replace console.log until `stop()`; every call becomes one entry of `lines` (one entry per call,
 * even if the text holds a newline: `multiLine` counts those).
 */
function captureConsole() {
  const original = console.log;
  const lines = [];
  const stats = { total: 0, multiLine: 0 };
  console.log = (...args) => {
    const text = util.format(...args);
    stats.total += 1;
    if (/[\r\n]/.test(text)) stats.multiLine += 1;
    lines.push(text);
  };
  return {
    lines,
    stats,
    /** Take (and clear) the lines logged since the last take. */
    take() { return lines.splice(0, lines.length); },
    /** Print through the real console (for diagnostics while capturing). */
    print: (...args) => original.apply(console, args),
    stop() { console.log = original; },
  };
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

module.exports = { captureConsole, watchProcess };
