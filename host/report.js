'use strict';
/**
 * Human and JSON reports of a host run. Secret values never appear: the event's secrets are shown
 * by name only, and the values (8+ characters) of credential-like secrets (name contains secret,
 * password, passwd, credential, private, key, token — but not exactly "tokens" —, bearer, auth)
 * are masked as `[secret:NAME]` wherever they occur (call log, logs, errors, effects, notes).
 * Other secrets (a claim namespace, a list of token names) are configuration that the tokens
 * themselves reveal, so masking them would only garble the claim names.
 */
const util = require('node:util');
const { setOwn } = require('./event');

const SENSITIVE_NAME = /secret|passw(or)?d|credential|private|key|token(?!s$)|bearer|auth/i;
const MIN_MASKED_LENGTH = 8;

/** @returns {[string, string][]} [name, value] of secrets whose values must be masked */
function sensitiveSecrets(secrets) {
  return Object.entries(secrets || {})
    .filter(([name, value]) => typeof value === 'string' && value.length >= MIN_MASKED_LENGTH && SENSITIVE_NAME.test(name))
    .sort((a, b) => b[1].length - a[1].length);
}

/** Deep copy of `value` with every occurrence of a sensitive secret value replaced by `[secret:NAME]`. */
function maskSecrets(value, secrets) {
  const pairs = sensitiveSecrets(secrets);
  if (pairs.length === 0) return value;
  const maskString = (s) => pairs.reduce((acc, [name, v]) => acc.split(v).join(`[secret:${name}]`), s);
  const walk = (v) => {
    if (typeof v === 'string') return maskString(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out = {};
      for (const [k, x] of Object.entries(v)) setOwn(out, maskString(k), walk(x));
      return out;
    }
    return v;
  };
  return walk(value);
}

/** JWT-shaped strings (e.g. a Management API token the Action caches) in the call log and logs. */
const BEARER_TOKEN = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g;

/** Deep copy of `value` with every JWT-shaped string shortened to `[token: N chars]`. */
function maskTokens(value) {
  if (typeof value === 'string') return value.replace(BEARER_TOKEN, (m) => `[token: ${m.length} chars]`);
  if (Array.isArray(value)) return value.map(maskTokens);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(value)) setOwn(out, k, maskTokens(x));
    return out;
  }
  return value;
}

/**
 * The run result as a JSON-safe object for scripts (secrets masked; tokens other than the two the host
 * minted are masked in the call log and logs).
 * @param {import('./index').RunResult} result
 * @param {object} [extra] merged in (e.g. `{standIn: counts}`)
 */
function toJsonReport(result, extra = {}) {
  const secrets = (result.event && result.event.secrets) || {};
  const event = { ...result.event, secrets: Object.keys(secrets) };
  const report = {
    outcome: result.outcome,
    ...(result.denyReason !== undefined ? { denyReason: result.denyReason } : {}),
    ...(result.validationError ? { validationError: result.validationError } : {}),
    ...(result.error ? { error: result.error } : {}),
    durationMs: result.durationMs,
    loadMs: result.loadMs,
    dropped: result.dropped,
    warnings: result.warnings || [],
    notes: result.notes,
    claims: result.claims,
    claimSizes: result.claimSizes,
    scopes: result.scopes,
    idToken: result.idToken,
    accessToken: result.accessToken,
    decoded: result.decoded,
    accessTokenOpaque: result.accessTokenOpaque,
    calls: maskTokens(result.calls),
    lateCalls: maskTokens(result.lateCalls),
    logs: maskTokens(result.logs),
    effects: result.effects,
    secretNames: Object.keys(secrets),
    event,
    ...extra,
  };
  return maskSecrets(report, secrets);
}

const paint = (on) => (code, s) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
const fmt = (v) => util.inspect(v, { depth: 6, breakLength: 100, compact: 3, colors: false });
const indent = (s, n = 4) => s.split('\n').map((l) => ' '.repeat(n) + l).join('\n');

/**
 * The run as text, for a terminal.
 * @param {import('./index').RunResult} result
 * @param {{color?: boolean, title?: string, standIn?: object}} [options]
 * @returns {string}
 */
function formatReport(result, { color = false, title, standIn } = {}) {
  const r = toJsonReport(result, standIn ? { standIn } : {});
  const c = paint(color);
  const lines = [];
  if (title) lines.push(c('1', title));
  const outcome = {
    allowed: c('32;1', 'ALLOWED'),
    denied: c('33;1', `DENIED: ${r.denyReason}`),
    failed: c('31;1', `FAILED: ${r.error}`),
  }[r.outcome];
  lines.push(`Outcome:     ${outcome}`);
  if (r.validationError) lines.push(`             (api.validation.error code ${r.validationError.errorCode})`);
  lines.push(`Action time: ${r.durationMs} ms (module resolve/load ${r.loadMs} ms)`);
  if (r.dropped.length) {
    lines.push('', c('31;1', `!!! ${r.dropped.length} CLAIM(S) DROPPED — Auth0 would silently leave these out of the tokens:`));
    for (const d of r.dropped) lines.push(c('31', `  - ${d.token} "${d.claim}": ${d.reason}`));
  }
  if (r.warnings.length) {
    lines.push('', c('31;1', `!!! ${r.warnings.length} CLAIM(S) LOSE DATA in the token:`));
    for (const w of r.warnings) lines.push(c('31', `  - ${w.token} "${w.claim}": ${w.reason}`));
  }
  if (r.notes.length) {
    lines.push('', c('33;1', 'Notes:'));
    for (const n of r.notes) lines.push(`  - ${n}`);
  }
  for (const token of ['idToken', 'accessToken']) {
    const label = token === 'idToken' ? 'ID token' : 'Access token';
    lines.push('', c('1', `${label}${token === 'accessToken' && r.accessTokenOpaque ? ' (Auth0 would issue an OPAQUE token: no audience)' : ''}:`));
    if (r[token]) {
      lines.push(indent(r[token], 2), indent(fmt(r.decoded[token]), 2));
    } else {
      lines.push(`  (not issued: login ${r.outcome}); custom claims after Auth0 rules: ${fmt(r.claims[token])}`);
    }
    lines.push(`  custom claims: ${Object.keys(r.claims[token]).length}, ${r.claimSizes[token]} bytes of 102400`);
  }
  lines.push('', c('1', `Scopes: ${r.scopes.join(' ') || '(none)'}`));
  lines.push('', c('1', `Call log (${r.calls.length} call${r.calls.length === 1 ? '' : 's'}):`));
  r.calls.forEach((call, i) => {
    const args = call.args.map((a) => fmt(maskTokens(a))).join(', ');
    lines.push(`  ${String(i + 1).padStart(3)}. api.${call.path}(${args})`);
    if ('result' in call) lines.push(`       → ${fmt(maskTokens(call.result))}`);
    if (call.threw) lines.push(c('31', `       threw ${call.threw}`));
  });
  if (r.lateCalls.length) lines.push(c('33', `  + ${r.lateCalls.length} call(s) after the run ended (ignored)`));
  lines.push('', c('1', `Console output (${r.logs.length} line${r.logs.length === 1 ? '' : 's'}; Auth0 keeps the first 256 characters):`));
  for (const l of r.logs) lines.push(indent(l, 2));
  lines.push('', `Secrets given: ${r.secretNames.length ? r.secretNames.join(', ') : '(none)'} (values not shown)`);
  if (standIn) {
    lines.push(`Management API stand-in: ${standIn.total} request(s) — ${fmt(standIn.byRoute)}, statuses ${fmt(standIn.byStatus)}`);
  }
  return lines.join('\n');
}

module.exports = { formatReport, toJsonReport, maskSecrets, maskTokens, sensitiveSecrets };
