'use strict';
/**
 * The Management API stand-in (host/standin.js) in its own Node process, so that its HTTP
 * handling runs on the other core and does not compete with the Actions for this event loop.
 * Same options as startStandIn (fixture must be an object or a path); counts and controls go over IPC.
 *
 *   const s = await startStandInProcess({ fixture, rateLimit: 'free' });
 *   s.url, s.domain, s.clientId, s.clientSecret
 *   await s.counts(); await s.resetCounts(); await s.setFaults({ latencyMs: 50 }); await s.close();
 */
const { fork } = require('node:child_process');

if (require.main === module) {
  // Child side.
  const { startStandIn } = require('../../host/standin');
  let server = null;
  process.on('message', async ({ id, cmd, arg }) => {
    try {
      let value = null;
      if (cmd === 'start') {
        server = await startStandIn(arg);
        value = { url: server.url, domain: server.domain, clientId: server.clientId, clientSecret: server.clientSecret };
      } else if (cmd === 'counts') value = JSON.parse(JSON.stringify(server.counts));
      else if (cmd === 'resetCounts') server.resetCounts();
      else if (cmd === 'setFaults') server.setFaults(arg);
      else if (cmd === 'close') { await server.close(); process.send({ id, value: null }); process.disconnect(); return; }
      process.send({ id, value });
    } catch (err) {
      process.send({ id, error: String(err && err.stack ? err.stack : err) });
    }
  });
} else {
  module.exports.startStandInProcess = async function startStandInProcess(options) {
    const child = fork(__filename, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pending = new Map();
    let nextId = 0;
    child.on('message', ({ id, value, error }) => {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (error) p.reject(new Error(error)); else p.resolve(value);
    });
    child.on('exit', (code) => {
      for (const p of pending.values()) p.reject(new Error(`stand-in process exited (${code})`));
      pending.clear();
    });
    const call = (cmd, arg) => new Promise((resolve, reject) => {
      nextId += 1;
      pending.set(nextId, { resolve, reject });
      child.send({ id: nextId, cmd, arg });
    });
    const info = await call('start', options);
    return {
      ...info,
      counts: () => call('counts'),
      resetCounts: () => call('resetCounts'),
      setFaults: (spec) => call('setFaults', spec),
      async close() {
        if (!child.connected) return;
        const exited = new Promise((resolve) => { child.once('exit', resolve); });
        await call('close').catch(() => {});
        const timer = setTimeout(() => child.kill(), 2000);
        await exited;
        clearTimeout(timer);
      },
    };
  };
}
