'use strict';
/**
 * The charts of BENCHMARKS.md, as plain SVG text rendered from one run's results (bench/report.js
 * writes them next to the document): no library, readable in a browser and on GitHub (a white
 * background, so the text stays legible on a dark theme).
 *
 * - sizeBudget: the single file's bytes by part, one stacked bar, against the size budget and Auth0's cap
 * - cpuRatios: measure 1's wasm/JS CPU ratio per scenario, with reference lines at 1.0 and 2.0
 */

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (x) => Math.round(x).toLocaleString('en-US');
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

function svg(width, height, title, body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">\n`
    + `<title>${esc(title)}</title>\n<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>\n${body.join('\n')}\n</svg>\n`;
}

/**
 * The single file's parts: the JS (everything but the inlined text) and the wasm module's parts from
 * dist/size.json, each scaled to the inlined text (part bytes / parts total × inlined characters);
 * parts under 3 % of the file, and any past the seventh, are grouped as "other".
 * @param {{raw: number}} bundle results.sizes.bundle
 * @param {object|null} dist results.sizes.dist (dist/size.json of the build measured)
 * @returns {{part: string, bytes: number}[]}
 */
function bundleParts(bundle, dist) {
  if (!dist || !dist.parts || !dist.partsTotal || !dist.wasmInlined) return [{ part: 'single file', bytes: bundle.raw }];
  const js = { part: 'JS: entry, glue, loader, decoder', bytes: bundle.raw - dist.wasmInlined };
  const scaled = dist.parts.map((p) => ({ part: `wasm: ${p.part}`, bytes: (p.bytes / dist.partsTotal) * dist.wasmInlined })).sort((a, b) => b.bytes - a.bytes);
  const kept = [];
  let other = 0;
  for (const p of scaled) {
    if (kept.length < 7 && p.bytes >= 0.03 * bundle.raw && p.part !== 'wasm: other') kept.push(p);
    else other += p.bytes;
  }
  return [js, ...kept, ...(other > 0 ? [{ part: 'wasm: other parts', bytes: other }] : [])];
}

/**
 * @param {{raw: number}} bundle results.sizes.bundle
 * @param {object|null} dist results.sizes.dist
 * @param {{budgetBytes: number, limitBytes: number, goalBytes: number}} lines
 * @returns {string} SVG
 */
function sizeBudget(bundle, dist, { budgetBytes, limitBytes, goalBytes }) {
  const parts = bundleParts(bundle, dist);
  const width = 860;
  const left = 20;
  const right = 30;
  const top = 84;
  const barH = 44;
  const legendTop = top + barH + 50;
  const height = legendTop + Math.ceil(parts.length / 2) * 22 + 16;
  const max = Math.ceil(Math.max(limitBytes * 1.15, bundle.raw * 1.05) / 10000) * 10000;
  const x = (b) => left + (b / max) * (width - left - right);
  const title = `Single file: ${n(bundle.raw)} B by part, against the ${n(budgetBytes)} B budget and Auth0's ${n(limitBytes)} B cap`;
  const body = [`<text x="${left}" y="24" ${FONT} font-size="15" font-weight="bold" fill="#222">${esc(title)}</text>`];
  body.push(`<text x="${left}" y="44" ${FONT} font-size="12" fill="#555">${esc(dist && dist.parts ? 'wasm parts from dist/size.json, scaled to the inlined text (an estimate: parts do not compress alike)' : 'no dist/size.json in this run: the file as one part')}</text>`);
  for (let t = 0; t <= max; t += 10000) {
    body.push(`<line x1="${x(t).toFixed(1)}" y1="${top + barH}" x2="${x(t).toFixed(1)}" y2="${top + barH + 5}" stroke="#888"/>`);
    body.push(`<text x="${x(t).toFixed(1)}" y="${top + barH + 18}" ${FONT} font-size="11" fill="#555" text-anchor="middle">${t / 1000}k</text>`);
  }
  let at = 0;
  parts.forEach((p, i) => {
    const color = COLORS[i % COLORS.length];
    body.push(`<rect x="${x(at).toFixed(1)}" y="${top}" width="${Math.max(0, x(at + p.bytes) - x(at)).toFixed(1)}" height="${barH}" fill="${color}" stroke="#ffffff" stroke-width="1"><title>${esc(`${p.part}: ${n(p.bytes)} B`)}</title></rect>`);
    at += p.bytes;
    const lx = left + (i % 2) * ((width - left - right) / 2);
    const ly = legendTop + Math.floor(i / 2) * 22;
    body.push(`<rect x="${lx}" y="${ly - 11}" width="12" height="12" fill="${color}"/>`);
    body.push(`<text x="${lx + 18}" y="${ly}" ${FONT} font-size="12" fill="#222">${esc(`${p.part}: ${n(p.bytes)} B (${((100 * p.bytes) / bundle.raw).toFixed(1)} %)`)}</text>`);
  });
  const marks = [
    [goalBytes, `goal ${n(goalBytes)} B`, '#59a14f', '5,4'],
    [budgetBytes, `budget ${n(budgetBytes)} B`, '#e15759', ''],
    [limitBytes, `Auth0 cap ${n(limitBytes)} B`, '#222222', ''],
  ];
  marks.forEach(([bytes, label, color, dash], i) => {
    if (!Number.isFinite(bytes)) return;
    body.push(`<line x1="${x(bytes).toFixed(1)}" y1="${top - 20}" x2="${x(bytes).toFixed(1)}" y2="${top + barH + 6}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    // The cap's label to the right of its line, the others to the left, so that none overlap.
    const last = i === marks.length - 1;
    body.push(`<text x="${(x(bytes) + (last ? 4 : -4)).toFixed(1)}" y="${top - 8}" ${FONT} font-size="11" fill="${color}" text-anchor="${last ? 'start' : 'end'}">${esc(label)}</text>`);
  });
  body.push(`<text x="${(x(bundle.raw) + 4).toFixed(1)}" y="${top + barH / 2 + 4}" ${FONT} font-size="12" font-weight="bold" fill="#222">${n(bundle.raw)} B</text>`);
  return svg(width, height, title, body);
}

/**
 * @param {{id: string, label: string, impls: object}[]} scenarios results.cpu.results
 * @returns {string} SVG
 */
function cpuRatios(scenarios) {
  const rows = scenarios
    .map((r) => ({ label: r.label, ratio: r.impls.wasm && r.impls.js ? r.impls.wasm.usPerLogin / r.impls.js.usPerLogin : NaN }))
    .filter((r) => Number.isFinite(r.ratio) && r.ratio > 0);
  const width = 860;
  const labelW = 420;
  const right = 60;
  const top = 56;
  const rowH = 30;
  const height = top + Math.max(1, rows.length) * rowH + 34;
  const max = Math.max(2.5, ...rows.map((r) => r.ratio * 1.1));
  const x = (v) => labelW + (v / max) * (width - labelW - right);
  const title = 'CPU per login, Rust/wasm ÷ plain JS, by scenario (measure 1)';
  const body = [`<text x="16" y="24" ${FONT} font-size="15" font-weight="bold" fill="#222">${esc(title)}</text>`];
  body.push(`<text x="16" y="42" ${FONT} font-size="12" fill="#555">lower is better; 1.0 = the plain-JS Action's CPU; 2.0 = issue #17's Must for roles only</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    body.push(`<text x="${labelW - 8}" y="${y + 19}" ${FONT} font-size="12" fill="#222" text-anchor="end">${esc(r.label)}</text>`);
    body.push(`<rect x="${labelW}" y="${y + 5}" width="${(x(r.ratio) - labelW).toFixed(1)}" height="${rowH - 10}" fill="${r.ratio <= 1 ? '#59a14f' : r.ratio <= 2 ? '#4e79a7' : '#e15759'}"><title>${esc(`${r.label}: ${r.ratio.toFixed(2)}`)}</title></rect>`);
    body.push(`<text x="${(x(r.ratio) + 5).toFixed(1)}" y="${y + 19}" ${FONT} font-size="12" fill="#222">${r.ratio.toFixed(2)}</text>`);
  });
  const bottom = top + Math.max(1, rows.length) * rowH;
  for (const [v, color, dash] of [[1, '#222222', '4,3'], [2, '#e15759', '']]) {
    body.push(`<line x1="${x(v).toFixed(1)}" y1="${top - 4}" x2="${x(v).toFixed(1)}" y2="${bottom + 4}" stroke="${color}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    body.push(`<text x="${x(v).toFixed(1)}" y="${bottom + 20}" ${FONT} font-size="11" fill="${color}" text-anchor="middle">${v.toFixed(1)}</text>`);
  }
  if (!rows.length) body.push(`<text x="${labelW}" y="${top + 19}" ${FONT} font-size="12" fill="#555">no scenario with both implementations in this run</text>`);
  return svg(width, height, title, body);
}

module.exports = { sizeBudget, cpuRatios, bundleParts, esc };
