// DNS-rebinding guards (Host and Origin) and bearer-token checks for the loopback HTTP surface.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthConfig } from '../config/types.js';

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
  return equal(/^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '', expected);
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** True if the host name is a loopback name or address. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function loopbackPeer(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '::1' || /^(::ffff:)?127\./.test(a);
}

/**
 * Whether an HTTP client may use the MCP and API endpoints: the daemon token always; in `localhost` mode any
 * loopback peer; in `token` mode a bearer from auth.tokens or an X-API-Key from auth.apiKeys.
 */
export function clientAllowed(req: IncomingMessage, auth: AuthConfig, daemonToken: string): boolean {
  if (bearerMatches(req, daemonToken)) return true;
  if (auth.mode === 'localhost') return loopbackPeer(req);
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const apiKey = req.headers['x-api-key'];
  if (bearer && auth.tokens.some((t) => equal(t, bearer))) return true;
  return typeof apiKey === 'string' && auth.apiKeys.some((k) => equal(k, apiKey));
}
