// Removal of secret values from text and structured data (logs, status, audit, errors).

const MIN_SECRET_LENGTH = 4;
const MARK = '[redacted]';

// Builds a function replacing every occurrence of each secret (length >= 4, longest first) with `[redacted]`.
export function redactor(secrets: Iterable<string>): (text: string) => string {
  const unique = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH);
  if (unique.length === 0) return (text) => text;
  unique.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(unique.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, MARK);
}

// Deep-maps every string in `v` (objects, arrays, Error messages) through `redact`; other values are returned as is.
export function redactValue<T>(v: T, redact: (text: string) => string): T {
  return walk(v, redact, new WeakMap()) as T;
}

function walk(v: unknown, redact: (text: string) => string, seen: WeakMap<object, unknown>): unknown {
  if (typeof v === 'string') return redact(v);
  if (v === null || typeof v !== 'object') return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const item of v) out.push(walk(item, redact, seen));
    return out;
  }
  if (v instanceof Error) {
    const out = new Error(redact(v.message));
    seen.set(v, out);
    out.name = v.name;
    if (v.stack !== undefined) out.stack = redact(v.stack);
    for (const [key, item] of Object.entries(v)) (out as unknown as Record<string, unknown>)[key] = walk(item, redact, seen);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const [key, item] of Object.entries(v)) out[key] = walk(item, redact, seen);
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
