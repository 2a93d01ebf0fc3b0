'use strict';
// Small statistics helpers for the benchmarks.

/** The q-quantile (0..1) of `values` by linear interpolation between closest ranks. */
function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const median = (values) => quantile(values, 0.5);

/** Round to `digits` significant decimals for display. */
function fmt(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return 'n/a';
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

module.exports = { quantile, median, fmt };
