// Who may use the HTTP surface: DNS-rebinding guards (Host and Origin), tokens, and the peer's OS user (owner mode).
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AuthConfig } from '../config/types.js';
import { LOOPBACK_NAMES } from '../config/loopback.js';
import { tcpPeerUid, type TcpEnds } from './peer-uid.js';

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
  return equal(bearerOf(req) ?? '', expected);
}

function bearerOf(req: IncomingMessage): string | undefined {
  return /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** True if a peer address is on loopback (IPv4, IPv6 or v4-mapped). */
function loopbackAddress(a: string): boolean {
  return a === '::1' || /^(::ffff:)?127\./i.test(a);
}

/** The TCP client of a connection, worked out once per connection (keep-alive requests reuse it). */
interface Peer {
  /** Both TCP ends, when the client is on loopback. */
  loopback?: TcpEnds;
  /** The client's uid, looked up on first need: requests with a valid token never need it. */
  uid?: Promise<number | undefined>;
}

const peers = new WeakMap<Socket, Peer>();

/** The peer of a TCP connection; its ends are read while the socket is open (a destroyed socket is nobody). */
function peerOf(socket: Socket): Peer | undefined {
  const known = peers.get(socket);
  if (known) return known;
  if (socket.destroyed) return undefined;
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  const peer: Peer = {};
  if (remoteAddress !== undefined && remotePort !== undefined && localAddress !== undefined && localPort !== undefined && loopbackAddress(remoteAddress)) {
    peer.loopback = { remoteAddress, remotePort, localAddress, localPort };
  }
  peers.set(socket, peer);
  return peer;
}

function tokenMatches(req: IncomingMessage, auth: AuthConfig, daemonToken: string): boolean {
  const bearer = bearerOf(req);
  if (bearer && (equal(bearer, daemonToken) || auth.tokens.some((t) => equal(t, bearer)))) return true;
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' && auth.apiKeys.some((k) => equal(k, apiKey));
}

/**
 * Whether a TCP client may use the daemon (mcplex.sock peers are the owner and are not asked): a valid token (the
 * daemon token, a bearer from auth.tokens or an X-API-Key from auth.apiKeys) in every mode. Without one: in
 * `owner` mode a loopback peer the OS shows to run as this daemon's user; in `localhost` mode any loopback peer;
 * in `token` mode nobody. A client whose connection is already gone (so its address is unknown) is nobody.
 */
export async function clientAllowed(req: IncomingMessage, auth: AuthConfig, daemonToken: string): Promise<boolean> {
  const peer = peerOf(req.socket);
  if (!peer) return false;
  if (tokenMatches(req, auth, daemonToken)) return true;
  if (auth.mode === 'localhost') return peer.loopback !== undefined;
  if (auth.mode !== 'owner' || !peer.loopback || process.getuid === undefined) return false;
  peer.uid ??= tcpPeerUid(peer.loopback);
  return (await peer.uid) === process.getuid();
}
