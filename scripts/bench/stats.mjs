// Percentiles and small numeric helpers.

/** Nearest-rank percentile (p in 0..100) of a list of numbers. */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const p50 = (v) => percentile(v, 50);
export const p99 = (v) => percentile(v, 99);

export function mean(values) {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Rounds to `digits` decimals (numbers only; NaN and null pass through as null). */
export function round(v, digits = 2) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** a / b, or null when either is missing. */
export function ratio(a, b, digits = 3) {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return round(a / b, digits);
}

/** p50, p99 and mean of latencies in ms, rounded. */
export function summary(ms) {
  return { n: ms.length, p50: round(p50(ms), 3), p99: round(p99(ms), 3), mean: round(mean(ms), 3) };
}
