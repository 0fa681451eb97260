// DNS-rebinding guards (Host and Origin) and bearer-token checks for the loopback HTTP surface.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when Host names this daemon on a loopback name (or the configured host). */
export function hostAllowed(req: IncomingMessage, port: number, bindHost: string): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!m) return false;
  const name = m[1]!.toLowerCase();
  const p = m[2] ? Number(m[2]) : 80;
  return p === port && (LOOPBACK_NAMES.has(name) || name === bindHost);
}

/** True when there is no Origin (non-browser client) or it is a loopback origin of this daemon. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    const u = new URL(origin);
    return LOOPBACK_NAMES.has(u.hostname) && Number(u.port || 80) === port;
  } catch {
    return false;
  }
}

/** Constant-time comparison of the bearer token in Authorization against the expected one. */
export function bearerMatches(req: IncomingMessage, expected: string): boolean {
  const got = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
