// MCP over HTTP: Streamable HTTP at /mcp and legacy HTTP+SSE at /sse + /messages, one mcplex session per HTTP session.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { MAX_FRAME_BYTES } from '../protocol/lines.js';
import type { MessageTransport } from '../protocol/transport.js';

/** What the daemon opens for each HTTP session. */
export interface HttpSessionOptions {
  /** From X-Mcplex-Workspace or ?workspace=; absent → the client's roots, else the default. */
  workspace?: string;
  surface?: 'meta' | 'direct' | 'both';
  origin: string;
}

export interface HttpSessionsDeps {
  log: Logger;
  /** Opens an mcplex session over a transport; returns a function that closes it. */
  open(transport: MessageTransport, opts: HttpSessionOptions): { close(): Promise<void> };
  /** Abandoned sessions (no request for this long) are closed. */
  idleMs?: number;
  /** At most this many HTTP sessions; past it the least recently used is closed. */
  maxSessions?: number;
}

/** The SDK's HTTP server transports, loaded on the first HTTP session (a daemon serving only shims never pays for them). */
const sdk = {
  streamable: () => import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
  sse: () => import('@modelcontextprotocol/sdk/server/sse.js'),
};

interface Entry {
  transport: StreamableHTTPServerTransport | SSEServerTransport;
  kind: 'streamable' | 'sse';
  session: { close(): Promise<void> };
  lastSeen: number;
}

class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_FRAME_BYTES) {
        reject(new BodyError(413, `request body over the ${MAX_FRAME_BYTES / 1048576} MiB limit`));
        req.destroy();
      } else parts.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString('utf8')));
      } catch (err) {
        reject(new BodyError(400, `Parse error: ${(err as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}

function isInitialize(body: unknown): boolean {
  return !!body && typeof body === 'object' && !Array.isArray(body) && (body as { method?: unknown }).method === 'initialize';
}

/** The session options a request carries (workspace header or query, surface query). */
function sessionOptions(req: IncomingMessage, url: URL, origin: string): HttpSessionOptions {
  const workspace = (req.headers['x-mcplex-workspace'] as string | undefined) ?? url.searchParams.get('workspace') ?? undefined;
  const s = url.searchParams.get('surface');
  const surface = s === 'meta' || s === 'direct' || s === 'both' ? s : undefined;
  return { ...(workspace ? { workspace } : {}), ...(surface ? { surface } : {}), origin };
}

/** Routes HTTP MCP traffic to per-session SDK transports. */
export class HttpSessions {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: HttpSessionsDeps) {
    const idle = deps.idleMs ?? 30 * 60 * 1000;
    this.sweeper = setInterval(() => {
      const cutoff = Date.now() - idle;
      for (const [id, e] of this.entries) if (e.lastSeen < cutoff) void this.drop(id, 'idle');
    }, Math.min(idle, 60_000));
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  private async drop(id: string, why: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.deps.log.info({ httpSession: id, why }, 'http session closed');
    await e.session.close().catch(() => undefined);
  }

  private admit(id: string, entry: Entry): void {
    this.entries.set(id, entry);
    const max = this.deps.maxSessions ?? 500;
    if (this.entries.size <= max) return;
    const oldest = [...this.entries].sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0];
    if (oldest) void this.drop(oldest[0], 'too many http sessions');
  }

  private async newStreamable(opts: HttpSessionOptions, id?: string): Promise<StreamableHTTPServerTransport> {
    const { StreamableHTTPServerTransport } = await sdk.streamable();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id ?? crypto.randomUUID(),
      onsessioninitialized: (sid: string): void => this.admit(sid, { transport, kind: 'streamable', session, lastSeen: Date.now() }),
    });
    const session = this.deps.open(transport as unknown as MessageTransport, opts);
    transport.onclose = () => {
      const sid = transport.sessionId;
      if (sid && this.entries.get(sid)?.transport === transport) this.entries.delete(sid);
      void session.close();
    };
    if (id) {
      // A session id from before a daemon restart: re-create it as already initialized (Claude Code never
      // re-initializes after a 404). The SDK offers no public way to do this, hence the private fields.
      const inner = (transport as unknown as { _webStandardTransport: { sessionId?: string; _initialized: boolean } })._webStandardTransport;
      inner.sessionId = id;
      inner._initialized = true;
      this.admit(id, { transport, kind: 'streamable', session, lastSeen: Date.now() });
    }
    return transport;
  }

  /** POST/GET/DELETE /mcp. */
  async handleStreamable(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = await readBody(req);
      } catch (err) {
        const e = err as BodyError;
        return rpcError(res, e.status ?? 400, e.status === 413 ? -32600 : -32700, e.message);
      }
    }
    const sid = req.headers['mcp-session-id'] as string | undefined;
    let entry = sid ? this.entries.get(sid) : undefined;
    if (!entry) {
      if (sid) {
        if (req.method === 'DELETE') return void res.writeHead(404).end();
        this.deps.log.info({ httpSession: sid }, 're-creating an unknown http session (daemon restarted?)');
        await this.newStreamable(sessionOptions(req, url, 'http'), sid);
        entry = this.entries.get(sid);
      } else if (req.method === 'POST' && isInitialize(body)) {
        const transport = await this.newStreamable(sessionOptions(req, url, 'http'));
        await transport.handleRequest(req, res, body);
        return;
      } else {
        return rpcError(res, 400, -32000, 'Bad Request: send initialize first, or an Mcp-Session-Id header');
      }
    }
    if (!entry) return rpcError(res, 500, -32603, 'could not open a session');
    entry.lastSeen = Date.now();
    await (entry.transport as StreamableHTTPServerTransport).handleRequest(req, res, body);
  }

  /** GET /sse: a legacy SSE session; messages come back on POST /messages?sessionId=…. */
  async handleSse(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { SSEServerTransport } = await sdk.sse();
    const transport = new SSEServerTransport('/messages', res);
    const session = this.deps.open(transport as unknown as MessageTransport, sessionOptions(req, url, 'sse'));
    this.admit(transport.sessionId, { transport, kind: 'sse', session, lastSeen: Date.now() });
    res.on('close', () => void this.drop(transport.sessionId, 'sse stream closed'));
  }

  /** POST /messages?sessionId=…. */
  async handleMessages(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const entry = this.entries.get(url.searchParams.get('sessionId') ?? '');
    if (!entry || entry.kind !== 'sse') return rpcError(res, 404, -32001, 'unknown sessionId; open GET /sse first');
    entry.lastSeen = Date.now();
    let body: unknown;
    try {
      body = await readBody(req);
    } catch (err) {
      const e = err as BodyError;
      return rpcError(res, e.status ?? 400, -32700, e.message);
    }
    await (entry.transport as SSEServerTransport).handlePostMessage(req, res, body);
  }

  /** Closes every HTTP session (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.entries.keys()].map((id) => this.drop(id, 'daemon stopping')));
  }
}
