// Stable hashing of resolved server configs (instance keys, manifest cache keys).
import { createHash } from 'node:crypto';

// JSON with object keys sorted at every depth, so equal values always give equal text.
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

// Hex sha256 of the canonical JSON of `value`, cut to `length` characters.
export function hashOf(value: unknown, length: number): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
