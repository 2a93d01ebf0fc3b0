#!/usr/bin/env node
'use strict';
/**
 * Run a post-login Action through the local host and print what Auth0 would do.
 *
 *   node host/cli.js --action js/action.js --event examples/event.json \
 *       --secrets examples/secrets.json [--standin examples/fixture.json] [--json]
 *
 * With --standin the fixture is the tenant for the whole login: the Management API stand-in serves
 * it, and api.roles / api.groups answer from it for the event's user (and organization).
 *
 * Exit status: 0 when the run completed (whatever the outcome), 2 on usage or input errors,
 * 1 on an internal host error.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { createHost, indexFixture, EVENT_SAMPLES } = require('./index');
const { startStandIn, RATE_LIMIT_PRESETS } = require('./standin');
const { formatReport, toJsonReport } = require('./report');

const USAGE = `usage: node host/cli.js [options]
  --action FILE        Action module (default js/action.js)
  --event FILE         JSON deep-merged into the default event (arrays replace, null sets null)
  --secrets FILE       JSON object of secrets (replaces event.secrets)
  --standin FIXTURE    start the Management API stand-in with FIXTURE and inject managementUrl,
                       domain, clientId, clientSecret into the secrets where unset; api.roles and
                       api.groups then answer from FIXTURE too, and event.authorization.roles is
                       taken from it unless the event file sets it
  --rate-limit NAME    stand-in rate limit preset: ${Object.keys(RATE_LIMIT_PRESETS).join(', ')} (default none)
  --faults JSON        stand-in fault spec, e.g. '{"status5xx":{"count":1}}'
  --client-id ID       stand-in client id (default demo-client; the secret is random per run)
  --with LIST          add sample optional event fields: ${Object.keys(EVENT_SAMPLES).join(', ')}
  --repeat N           run N times on one host (a warm instance: the cache persists)
  --cold               drop the cache before each run (a cold instance every time)
  --timeout MS         execution limit (default 20000)
  --echo-logs          print the Action's console output live as well
  --json               print the report as JSON
  -h, --help`;

class UsageError extends Error {}

function readJson(file, what) {
  let text;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new UsageError(`cannot read ${what} ${file}: ${e.code || e.message}`); }
  try { return JSON.parse(text); } catch (e) { throw new UsageError(`${what} ${file} is not valid JSON: ${e.message}`); }
}

function positiveInt(value, name) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        action: { type: 'string', default: 'js/action.js' },
        event: { type: 'string' },
        secrets: { type: 'string' },
        standin: { type: 'string' },
        'rate-limit': { type: 'string' },
        faults: { type: 'string' },
        'client-id': { type: 'string', default: 'demo-client' },
        with: { type: 'string' },
        repeat: { type: 'string', default: '1' },
        cold: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '20000' },
        'echo-logs': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    throw new UsageError(e.message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const actionPath = path.resolve(values.action);
  if (!fs.existsSync(actionPath)) throw new UsageError(`action module not found: ${values.action}`);
  const overrides = values.event ? readJson(values.event, 'event file') : {};
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) throw new UsageError('the event file must hold a JSON object');
  for (const name of (values.with || '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(name in EVENT_SAMPLES)) throw new UsageError(`--with: unknown field ${name}`);
    if (!(name in overrides)) overrides[name] = EVENT_SAMPLES[name];
  }
  const secrets = values.secrets ? readJson(values.secrets, 'secrets file') : (overrides.secrets || {});
  if (!secrets || typeof secrets !== 'object' || Array.isArray(secrets)) throw new UsageError('the secrets file must hold a JSON object');
  const repeat = positiveInt(values.repeat, 'repeat');
  const timeoutMs = positiveInt(values.timeout, 'timeout');
  let faults = null;
  if (values.faults) {
    try { faults = JSON.parse(values.faults); } catch (e) { throw new UsageError(`--faults is not valid JSON: ${e.message}`); }
  }
  if (values['rate-limit'] && !(values['rate-limit'] in RATE_LIMIT_PRESETS)) throw new UsageError(`--rate-limit: unknown preset ${values['rate-limit']}`);
  if ((values['rate-limit'] || values.faults) && !values.standin) throw new UsageError('--rate-limit and --faults need --standin');

  let standIn = null;
  let tenant;
  if (values.standin) {
    const fixture = readJson(values.standin, 'stand-in fixture');
    try {
      tenant = indexFixture(fixture);
      standIn = await startStandIn({ fixture, clientId: values['client-id'], rateLimit: values['rate-limit'] || null, faults });
    } catch (e) {
      throw new UsageError(`cannot start the stand-in: ${e.message}`);
    }
    const inject = { managementUrl: standIn.url, domain: standIn.domain, clientId: standIn.clientId, clientSecret: standIn.clientSecret };
    for (const [k, v] of Object.entries(inject)) if (secrets[k] === undefined || secrets[k] === null || secrets[k] === '') secrets[k] = v;
  }

  try {
    const host = createHost({ timeoutMs, echoLogs: values['echo-logs'] });
    const color = !values.json && process.stdout.isTTY && !process.env.NO_COLOR;
    const reports = [];
    for (let i = 0; i < repeat; i += 1) {
      if (values.cold) host.resetCache();
      const entriesBefore = host.cache.size;
      const result = await host.run(actionPath, overrides, { secrets, fixture: tenant });
      const counts = standIn ? JSON.parse(JSON.stringify(standIn.counts)) : undefined;
      if (values.json) reports.push(toJsonReport(result, counts ? { standIn: counts } : {}));
      else {
        const instance = values.cold ? 'cold instance' : 'warm instance';
        const title = repeat > 1 ? `=== Run ${i + 1}/${repeat} (${instance}: ${entriesBefore} cache entr${entriesBefore === 1 ? 'y' : 'ies'} before the run) ===` : undefined;
        reports.push(formatReport(result, { color, title, standIn: counts }));
      }
    }
    if (values.json) process.stdout.write(`${JSON.stringify(repeat > 1 ? { runs: reports } : reports[0], null, 2)}\n`);
    else process.stdout.write(`${reports.join('\n\n')}\n`);
  } finally {
    if (standIn) await standIn.close();
  }
  return 0;
}

if (require.main === module) {
  // Exit explicitly: an Action that timed out may still hold timers or sockets open.
  const exit = (code) => process.stdout.write('', () => process.exit(code));
  main(process.argv.slice(2)).then(exit, (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
      exit(2);
    } else {
      process.stderr.write(`host error: ${e && e.stack ? e.stack : e}\n`);
      exit(1);
    }
  });
}

module.exports = { main };
