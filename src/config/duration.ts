// Duration strings used in config.yaml (`500ms`, `30s`, `10m`, `1h`) converted to milliseconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses `500ms` | `30s` | `10m` | `1h` | a non-negative integer (ms) into milliseconds; throws otherwise. */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return v;
    throw new Error(`invalid duration ${v}: expected a non-negative whole number of milliseconds`);
  }
  const m = /^(\d+)(ms|s|m|h)?$/.exec(v.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 'ms']! : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new Error(`invalid duration "${v}": expected e.g. 500ms, 30s, 10m, 1h or a number of milliseconds`);
  }
  return ms;
}
