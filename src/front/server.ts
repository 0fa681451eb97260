// The daemon's front door: one HTTP handler served on the owner-only mcplex.sock (shims, the CLI) and on the
// loopback TCP port (HTTP clients). A port that cannot be bound never stops the daemon: shims use the socket.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { isHello, SHIM_CLOSE_DAEMON_STOPPED, type ShimHello } from '../protocol/shim-hello.js';
import { MAX_FRAME_BYTES } from '../protocol/lines.js';
import { bearerMatches, clientAllowed, hostAllowed, originAllowed } from './auth.js';
import type { HttpSessions } from './http-sessions.js';
import { STATUS_PAGE } from './status-page.js';
import type { AuthConfig } from '../config/types.js';
import { acceptShimLines, type LineTransport, SHIM_LINES_PROTOCOL } from './line-transport.js';

export interface FrontDeps {
  host: string;
  port: number;
  /** Where to listen for shims and the CLI (a Unix socket path, or a named pipe on Windows). */
  socketPath: string;
  token: string;
  auth: () => AuthConfig;
  http: HttpSessions;
  log: Logger;
  version: string;
  /** A shim connected over /ws and said hello. */
  onShim(socket: WebSocket, hello: ShimHello): void;
  /** A shim connected over mcplex.sock and said hello; returns the session id. */
  onShimLines(transport: LineTransport, hello: ShimHello): string;
  status(): unknown;
  /** Prometheus text for /metrics. */
  metrics(): string;
  /** Recycles a server's instances and resets its breaker; resolves with how many were stopped (undefined: unknown server). */
  restartServer(name: string): Promise<number | undefined>;
}

export interface Front {
  /** The bound HTTP port, or null when it could not be bound (see portError). */
  port: number | null;
  /** Why the HTTP port could not be bound, and how to choose another. */
  portError?: string;
  socket: string;
  /** Stops accepting and closes every connection. */
  close(): Promise<void>;
}

function json(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** 401 with nothing but how to authenticate. */
function unauthorized(res: http.ServerResponse): void {
  res.setHeader('www-authenticate', 'Bearer');
  json(res, 401, { error: 'unauthorized: this daemon serves only its owner; send Authorization: Bearer <token> or X-API-Key (see gateway.auth)' });
}

/** Connections that arrived on mcplex.sock: only the owner can open it, and no browser can reach it. */
const socketPeers = new WeakSet<object>();

/** True if the request came over the owner-only socket rather than TCP. */
function viaSocket(req: http.IncomingMessage): boolean {
  return socketPeers.has(req.socket);
}

/** Starts listening on the socket (required) and the TCP port (best effort). */
export async function startFront(deps: FrontDeps): Promise<Front> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES * 2 });
  const lineShims = new Set<LineTransport>();
  let port = deps.port;
  const server = http.createServer((req, res) => {
    const local = viaSocket(req);
    if (!local && (!hostAllowed(req, port, deps.host) || !originAllowed(req, port))) return json(res, 403, { error: 'forbidden Host or Origin' });
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Liveness only: it answers anyone, so it says nothing about the daemon.
    if (url.pathname === '/healthz') return json(res, 200, { ok: true });
    if (local) return serve(req, res, url, true);
    void clientAllowed(req, deps.auth(), deps.token).then((allowed) => (allowed ? serve(req, res, url, false) : unauthorized(res)));
  });
  /** Answers a request from someone allowed in; `local`: it came over mcplex.sock. */
  const serve = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, local: boolean): void => {
    const fail = (err: Error) => {
      deps.log.error({ err: err.message, path: url.pathname }, 'http request failed');
      if (!res.headersSent) json(res, 500, { error: err.message });
    };
    if (url.pathname === '/mcp') return void deps.http.handleStreamable(req, res, url).catch(fail);
    if (url.pathname === '/sse' && req.method === 'GET') return void deps.http.handleSse(req, res, url).catch(fail);
    if (url.pathname === '/messages' && req.method === 'POST') return void deps.http.handleMessages(req, res, url).catch(fail);
    if (url.pathname === '/api/status') return json(res, 200, deps.status());
    if (url.pathname === '/metrics') return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(deps.metrics());
    if (url.pathname === '/' && req.method === 'GET') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(STATUS_PAGE);
    if (url.pathname === '/api/restart' && req.method === 'POST') {
      if (!local && !bearerMatches(req, deps.token)) return json(res, 401, { error: 'daemon token required' });
      const name = url.searchParams.get('server') ?? '';
      void deps.restartServer(name).then((stopped) =>
        stopped === undefined ? json(res, 404, { error: `unknown server "${name}"` }) : json(res, 200, { server: name, stopped }),
      );
      return;
    }
    json(res, 404, { error: `no such path ${url.pathname}` });
  };
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (code: number, why: string) => {
      deps.log.warn({ path: url.pathname, why }, 'refused connection');
      socket.end(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\n\r\n`);
    };
    const local = viaSocket(req);
    if (!local && (!hostAllowed(req, port, deps.host) || !originAllowed(req, port))) return refuse(403, 'Forbidden');
    if (!bearerMatches(req, deps.token)) return refuse(401, 'Unauthorized');
    if (url.pathname === '/shim' && local && req.headers.upgrade === SHIM_LINES_PROTOCOL) {
      const t = acceptShimLines(socket as net.Socket, head, {
        log: deps.log,
        version: deps.version,
        hello: (transport, hello) => deps.onShimLines(transport, hello),
      });
      lineShims.add(t);
      socket.once('close', () => lineShims.delete(t));
      return;
    }
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('message', (data) => {
        let hello: unknown;
        try {
          hello = JSON.parse(data.toString());
        } catch {
          hello = undefined;
        }
        if (!isHello(hello)) {
          ws.close(4400, 'expected a hello frame first');
          return;
        }
        deps.onShim(ws, hello);
      });
    });
  });

  const local = await listenSocket(deps.socketPath, (sock) => {
    socketPeers.add(sock);
    server.emit('connection', sock);
  });
  const tcp = await listenTcp(server, deps.port, deps.host);
  if ('port' in tcp) port = tcp.port;
  else deps.log.warn({ port: deps.port, err: tcp.error }, 'HTTP port unavailable; shims still work over the socket');

  return {
    port: 'port' in tcp ? tcp.port : null,
    ...('error' in tcp ? { portError: tcp.error } : {}),
    socket: deps.socketPath,
    close: async () => {
      // Tell shims this is a deliberate stop, so they reconnect only when their client next speaks.
      for (const t of lineShims) t.stopping();
      for (const ws of wss.clients) ws.close(SHIM_CLOSE_DAEMON_STOPPED, 'daemon stopped');
      await new Promise((r) => setTimeout(r, wss.clients.size || lineShims.size ? 100 : 0));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await deps.http.close();
      server.closeAllConnections();
      await Promise.all([
        new Promise<void>((done) => local.close(() => done())),
        'port' in tcp ? new Promise<void>((done) => server.close(() => done())) : Promise.resolve(),
      ]);
      if (process.platform !== 'win32') fs.rmSync(deps.socketPath, { force: true });
    },
  };
}

/** Binds the loopback TCP port; a port that is taken (or forbidden) is reported, not thrown. */
function listenTcp(server: http.Server, port: number, host: string): Promise<{ port: number } | { error: string }> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use (another mcplex daemon with a different MCPLEX_HOME, or another program)`
          : `cannot listen on ${host}:${port}: ${err.message}`;
      resolve({ error: `${why}; HTTP clients cannot connect until you choose another port: set gateway.port in the config or MCPLEX_PORT (0 picks a free one), then \`mcplex restart\`` });
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve({ port: (server.address() as AddressInfo).port });
    });
  });
}

/**
 * Listens on the shims' socket, readable and writable by the owner only. The caller holds the daemon lock, so a
 * socket file left by a killed daemon is stale and is replaced.
 */
async function listenSocket(socketPath: string, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  if (process.platform !== 'win32') {
    const dir = path.dirname(socketPath);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o077) !== 0)) {
      fs.chmodSync(dir, 0o700);
      if (fs.statSync(dir).uid !== process.getuid()) throw new Error(`${dir} belongs to another user; set MCPLEX_HOME to a directory of your own`);
    }
    if (fs.lstatSync(socketPath, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`cannot listen on ${socketPath}: a directory is in the way; remove it (mcplex creates its socket there)`);
    }
    fs.rmSync(socketPath, { force: true });
  }
  const listener = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', (err: Error) => reject(new Error(`cannot listen on ${socketPath}: ${err.message}`)));
    listener.listen(socketPath, () => resolve());
  });
  if (process.platform !== 'win32') fs.chmodSync(socketPath, 0o600);
  return listener;
}
