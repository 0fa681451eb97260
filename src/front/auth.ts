// Who may use the HTTP surface: DNS-rebinding guards (Host and Origin), tokens, and the peer's OS user (owner mode).
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AuthConfig } from '../config/types.js';
import { tcpPeerUid, type TcpEnds } from './peer-uid.js';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when Host names this daemon on a loopback name (or the configured host), or the request came over mcplex.sock. */
export function hostAllowed(req: IncomingMessage, port: number, bindHost: string): boolean {
  if (viaUnixSocket(req)) return true;
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

/** True if the host name is a loopback name or address. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** True if a peer address is on loopback (IPv4, IPv6 or v4-mapped). */
function loopbackAddress(a: string): boolean {
  return a === '::1' || /^(::ffff:)?127\./i.test(a);
}

/** The other end of a connection, worked out once per connection (keep-alive requests reuse it). */
interface Peer {
  /** Came in over a Unix domain socket. */
  unix: boolean;
  /** Both TCP ends, when the client is on loopback. */
  loopback?: TcpEnds;
  /** The client's uid, looked up on first need: requests with a valid token never need it. */
  uid?: Promise<number | undefined>;
}

const peers = new WeakMap<Socket, Peer>();

/**
 * The peer of a connection. A socket with neither a remote nor a local TCP address is a Unix domain socket
 * (mcplex.sock: 0600 in a 0700 directory, so only the owner can connect). A TCP socket keeps its local address
 * even after its client reset it, so a vanished client is never mistaken for a Unix peer; a destroyed socket is
 * nobody.
 */
function peerOf(socket: Socket): Peer | undefined {
  const known = peers.get(socket);
  if (known) return known;
  if (socket.destroyed) return undefined;
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  const peer: Peer = { unix: remoteAddress === undefined && localAddress === undefined };
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
 * Whether an HTTP client may use the daemon: a valid token (the daemon token, a bearer from auth.tokens or an
 * X-API-Key from auth.apiKeys) in every mode, and a Unix-socket peer (only the owner can open mcplex.sock).
 * Without either: in `owner` mode a loopback peer the OS shows to run as this daemon's user; in `localhost`
 * mode any loopback peer; in `token` mode nobody.
 */
export async function clientAllowed(req: IncomingMessage, auth: AuthConfig, daemonToken: string): Promise<boolean> {
  const peer = peerOf(req.socket);
  if (!peer) return false;
  if (peer.unix || tokenMatches(req, auth, daemonToken)) return true;
  if (auth.mode === 'localhost') return peer.loopback !== undefined;
  if (auth.mode !== 'owner' || !peer.loopback || process.getuid === undefined) return false;
  peer.uid ??= tcpPeerUid(peer.loopback);
  return (await peer.uid) === process.getuid();
}

/** True when the connection came in over a Unix domain socket (mcplex.sock), where Host names nothing. */
export function viaUnixSocket(req: IncomingMessage): boolean {
  return peerOf(req.socket)?.unix === true;
}
