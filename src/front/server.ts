// The loopback HTTP server: /ws for shims, /healthz, /api/status; Host/Origin checks on everything.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { isHello, SHIM_CLOSE_DAEMON_STOPPED, type ShimHello } from '../protocol/shim-hello.js';
import { MAX_FRAME_BYTES } from '../protocol/lines.js';
import { bearerMatches, clientAllowed, hostAllowed, originAllowed } from './auth.js';
import type { HttpSessions } from './http-sessions.js';
import { STATUS_PAGE } from './status-page.js';
import type { AuthConfig } from '../config/types.js';

export interface FrontDeps {
  host: string;
  port: number;
  token: string;
  auth: () => AuthConfig;
  http: HttpSessions;
  log: Logger;
  /** A shim connected and said hello. */
  onShim(socket: WebSocket, hello: ShimHello): void;
  status(): unknown;
  /** Prometheus text for /metrics. */
  metrics(): string;
  /** Recycles a server's instances and resets its breaker; resolves with how many were stopped (undefined: unknown server). */
  restartServer(name: string): Promise<number | undefined>;
}

export interface Front {
  port: number;
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

/** Starts listening; resolves once bound (port 0 picks a free port). */
export function startFront(deps: FrontDeps): Promise<Front> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES * 2 });
  let port = deps.port;
  const server = http.createServer((req, res) => {
    if (!hostAllowed(req, port, deps.host) || !originAllowed(req, port)) return json(res, 403, { error: 'forbidden Host or Origin' });
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Liveness only: it answers anyone, so it says nothing about the daemon.
    if (url.pathname === '/healthz') return json(res, 200, { ok: true });
    void clientAllowed(req, deps.auth(), deps.token).then((allowed) => (allowed ? serve(req, res, url) : unauthorized(res)));
  });
  const serve = (req: http.IncomingMessage, res: http.ServerResponse, url: URL): void => {
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
      if (!bearerMatches(req, deps.token)) return json(res, 401, { error: 'daemon token required' });
      const server = url.searchParams.get('server') ?? '';
      void deps.restartServer(server).then((stopped) =>
        stopped === undefined ? json(res, 404, { error: `unknown server "${server}"` }) : json(res, 200, { server, stopped }),
      );
      return;
    }
    json(res, 404, { error: `no such path ${url.pathname}` });
  };
  server.on('upgrade', async (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (code: number, why: string) => {
      deps.log.warn({ path: url.pathname, why }, 'refused connection');
      socket.end(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\n\r\n`);
    };
    if (!hostAllowed(req, port, deps.host) || !originAllowed(req, port)) return refuse(403, 'Forbidden');
    if (!(await clientAllowed(req, deps.auth(), deps.token))) return refuse(401, 'Unauthorized');
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (!bearerMatches(req, deps.token)) return refuse(401, 'Unauthorized');
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
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      port = (server.address() as AddressInfo).port;
      resolve({
        port,
        close: async () => {
          // Tell shims this is a deliberate stop, so they reconnect only when their client next speaks.
          for (const ws of wss.clients) ws.close(SHIM_CLOSE_DAEMON_STOPPED, 'daemon stopped');
          await new Promise((r) => setTimeout(r, wss.clients.size ? 100 : 0));
          for (const ws of wss.clients) ws.terminate();
          wss.close();
          await deps.http.close();
          server.closeAllConnections();
          await new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
