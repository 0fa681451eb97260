// MCP over HTTP: Streamable HTTP at /mcp and legacy HTTP+SSE at /sse + /messages, one mcplex session per HTTP session.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { encodeMessage, errorResponse, idKey, isRequest, parseMessage, RpcCode, type JsonRpcMessage, type JsonRpcResponse } from '../protocol/jsonrpc.js';
import type { MessageTransport } from '../protocol/transport.js';
import type { SessionState } from '../session/client-state.js';
import { SUPPORTED_VERSIONS } from '../session/negotiate.js';
import { MODERN_VERSIONS } from '../protocol/modern.js';
import { ModernHttp } from './modern-http.js';
import { readBody } from './body.js';
import { LegacySseTransport } from './legacy-sse.js';
import { SessionFiles } from './session-files.js';
import { StreamableTransport } from './streamable.js';

/** What the daemon opens for each HTTP session. */
export interface HttpSessionOptions {
  /** From X-Mcplex-Workspace or ?workspace=; absent → the client's roots, else the default. */
  workspace?: string;
  surface?: 'meta' | 'direct' | 'both';
  origin: string;
}

/** The session the daemon opened, as the HTTP front sees it. */
export interface HttpSessionHandle {
  close(): Promise<void>;
  /** What the client told the session (saved so a daemon restart loses none of it). */
  state?(): SessionState | undefined;
  /** Continues a session of an earlier daemon: initialized, with its saved state. */
  restore?(state: SessionState): Promise<void>;
  onstatechange?: () => void;
}

export interface HttpSessionsDeps {
  log: Logger;
  /** Opens an mcplex session over a transport. */
  open(transport: MessageTransport, opts: HttpSessionOptions): HttpSessionHandle;
  /** A session with no request in flight and no open stream for this long is closed (default 2 minutes). */
  idleMs?: number | (() => number);
  /** At most this many HTTP sessions; past it the least recently used is closed. */
  maxSessions?: number;
  /** Where session state is kept across daemon restarts (MCPLEX_HOME/run); none: not kept. */
  stateDir?: string;
}

interface Entry {
  transport: StreamableTransport | LegacySseTransport;
  session: HttpSessionHandle;
  lastSeen: number;
}

/** How often idle sessions are looked for. */
const SWEEP_MS = 5000;
/** How many ids of sessions ended with DELETE are remembered (their requests get 404, not a new session). */
const MAX_ENDED = 10_000;

function json(res: ServerResponse, status: number, body: JsonRpcResponse): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(encodeMessage(body));
}

function badRequest(res: ServerResponse, status: number, message: string, code: number = RpcCode.ConnectionClosed): void {
  json(res, status, errorResponse(null, code, message));
}

function isInitialize(m: JsonRpcMessage): boolean {
  return isRequest(m) && m.method === 'initialize';
}

/** The session options a request carries (workspace header or query, surface query). */
function sessionOptions(req: IncomingMessage, url: URL, origin: string): HttpSessionOptions {
  const workspace = (req.headers['x-mcplex-workspace'] as string | undefined) ?? url.searchParams.get('workspace') ?? undefined;
  const s = url.searchParams.get('surface');
  const surface = s === 'meta' || s === 'direct' || s === 'both' ? s : undefined;
  return { ...(workspace ? { workspace } : {}), ...(surface ? { surface } : {}), origin };
}

/** Routes HTTP MCP traffic to per-session transports. */
export class HttpSessions {
  private readonly entries = new Map<string, Entry>();
  private readonly recreating = new Map<string, Promise<Entry>>();
  private readonly ended = new Set<string>();
  private readonly files: SessionFiles;
  private readonly sweeper: NodeJS.Timeout;
  /** The stateless 2026-07-28 leg, chosen per request. */
  private readonly modern: ModernHttp;

  constructor(private readonly deps: HttpSessionsDeps) {
    this.files = new SessionFiles(deps.stateDir);
    this.modern = new ModernHttp({
      open: (transport, key) => deps.open(transport, { ...(key.workspace ? { workspace: key.workspace } : {}), ...(key.surface ? { surface: key.surface } : {}), origin: 'http 2026-07-28' }),
      idleMs: () => this.idleMs(),
    });
    this.sweeper = setInterval(() => this.sweep(), Math.min(SWEEP_MS, this.idleMs()));
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  private idleMs(): number {
    const v = this.deps.idleMs;
    return (typeof v === 'function' ? v() : v) ?? 2 * 60 * 1000;
  }

  /** Closes idle sessions (their state stays on disk: the client may come back). */
  private sweep(): void {
    const now = Date.now();
    const cutoff = now - this.idleMs();
    for (const [id, e] of this.entries) {
      if (!(e.transport instanceof StreamableTransport)) continue;
      if (e.transport.busy) e.lastSeen = now;
      else if (e.lastSeen < cutoff) void this.drop(id, 'idle');
    }
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

  /** Opens a session over a new /mcp transport; its state is saved whenever it changes. */
  private open(id: string, opts: HttpSessionOptions): Entry {
    const transport = new StreamableTransport(id);
    const session = this.deps.open(transport, opts);
    session.onstatechange = () => this.files.save(id, session.state?.());
    const entry: Entry = { transport, session, lastSeen: Date.now() };
    this.admit(id, entry);
    transport.onclose = ((close) => () => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
      close?.();
    })(transport.onclose);
    return entry;
  }

  /**
   * The live session `id`, else — unless the client ended it with DELETE — the same session re-created with the
   * state it had (the daemon restarted, or the session idled out; Claude Code never re-initializes after a 404).
   */
  private async find(id: string, req: IncomingMessage, url: URL): Promise<Entry | undefined> {
    let pending = this.recreating.get(id);
    const live = this.entries.get(id);
    if (!pending && (live || this.ended.has(id))) return live;
    if (!pending) {
      this.deps.log.info({ httpSession: id }, 're-creating an unknown http session (daemon restarted, or it idled out)');
      const entry = this.open(id, sessionOptions(req, url, 'http'));
      pending = (async () => {
        await entry.session.restore?.(this.files.load(id) ?? { capabilities: {}, subscriptions: [] });
        return entry;
      })().finally(() => this.recreating.delete(id));
      this.recreating.set(id, pending);
    }
    return pending;
  }

  /** POST/GET/DELETE /mcp. */
  async handleStreamable(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const sid = req.headers['mcp-session-id'] as string | undefined;
    const version = req.headers['mcp-protocol-version'];
    const known: readonly string[] = [...MODERN_VERSIONS, ...SUPPORTED_VERSIONS];
    if (typeof version === 'string' && !known.includes(version) && req.method !== 'POST') {
      return badRequest(res, 400, `Bad Request: unsupported MCP-Protocol-Version ${version} (supported: ${known.join(', ')})`);
    }
    if (req.method === 'POST') return this.post(req, res, url, sid);
    if (req.method === 'GET') {
      if (!String(req.headers.accept ?? '').includes('text/event-stream')) return badRequest(res, 406, 'Not Acceptable: GET /mcp needs Accept: text/event-stream');
      if (!sid) return badRequest(res, 400, 'Bad Request: GET /mcp needs an Mcp-Session-Id header (initialize first)');
      const entry = await this.find(sid, req, url);
      if (!entry) return badRequest(res, 404, 'Session not found: it was ended with DELETE; initialize a new one', -32001);
      entry.lastSeen = Date.now();
      return (entry.transport as StreamableTransport).handleGet(req, res);
    }
    if (req.method === 'DELETE') {
      if (!sid) return badRequest(res, 400, 'Bad Request: DELETE /mcp needs an Mcp-Session-Id header');
      const live = this.entries.has(sid);
      this.remember(sid);
      this.files.remove(sid);
      if (!live) return badRequest(res, 404, 'Session not found', -32001);
      await this.drop(sid, 'ended by the client (DELETE)');
      return void res.writeHead(200).end();
    }
    res.writeHead(405, { allow: 'GET, POST, DELETE' }).end();
  }

  private async post(req: IncomingMessage, res: ServerResponse, url: URL, sid: string | undefined): Promise<void> {
    const accept = String(req.headers.accept ?? '');
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return badRequest(res, 406, 'Not Acceptable: POST /mcp needs Accept: application/json, text/event-stream');
    }
    if (!String(req.headers['content-type'] ?? '').includes('application/json')) {
      return badRequest(res, 415, 'Unsupported Media Type: POST /mcp needs Content-Type: application/json');
    }
    const text = await readBody(req, res);
    if (text === undefined) return;
    const parsed = parseMessage(text);
    if ('error' in parsed) return json(res, 400, errorResponse(parsed.id, parsed.error.code, parsed.error.message, parsed.error.data));
    const message = parsed.message;
    if (!sid && (await this.modern.route(message, req, res, sessionOptions(req, url, 'http'))) === 'modern') return;
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !(SUPPORTED_VERSIONS as readonly string[]).includes(version) && !MODERN_VERSIONS.includes(version)) {
      return badRequest(res, 400, `Bad Request: unsupported MCP-Protocol-Version ${version} (supported: ${[...MODERN_VERSIONS, ...SUPPORTED_VERSIONS].join(', ')})`);
    }
    let entry: Entry | undefined;
    if (isInitialize(message) && !(sid && this.entries.has(sid))) entry = this.open(crypto.randomUUID(), sessionOptions(req, url, 'http'));
    else if (sid) entry = await this.find(sid, req, url);
    else return this.sessionless(message, req, res, url);
    if (!entry) return badRequest(res, 404, 'Session not found: it was ended with DELETE; initialize a new one', -32001);
    entry.lastSeen = Date.now();
    (entry.transport as StreamableTransport).handlePost(message, req, res);
  }

  /**
   * A request without a session (server/discover, ping, or one sent before initialize): answered by a session that
   * lives for this one request, so /mcp answers exactly as the shim does; an error comes with status 400.
   */
  private async sessionless(message: JsonRpcMessage, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!isRequest(message)) return badRequest(res, 400, 'Bad Request: send initialize first, or an Mcp-Session-Id header');
    const key = idKey(message.id);
    let answered!: (r: JsonRpcResponse) => void;
    const answer = new Promise<JsonRpcResponse>((resolve) => (answered = resolve));
    const transport: MessageTransport = {
      start: async () => undefined,
      close: async () => undefined,
      send: async (m) => {
        if (!('method' in m) && m.id !== null && idKey(m.id) === key) answered(m);
      },
    };
    const session = this.deps.open(transport, sessionOptions(req, url, 'http'));
    transport.onmessage?.(message);
    const reply = await answer;
    await session.close();
    json(res, reply.error ? 400 : 200, reply);
  }

  private remember(id: string): void {
    this.ended.add(id);
    if (this.ended.size > MAX_ENDED) this.ended.delete(this.ended.values().next().value!);
  }

  /** GET /sse: a legacy SSE session; messages come back on POST /messages?sessionId=…. */
  async handleSse(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const transport = new LegacySseTransport(res, '/messages');
    const session = this.deps.open(transport, sessionOptions(req, url, 'sse'));
    this.admit(transport.sessionId, { transport, session, lastSeen: Date.now() });
    res.on('close', () => void this.drop(transport.sessionId, 'sse stream closed'));
  }

  /** POST /messages?sessionId=…. */
  async handleMessages(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const entry = this.entries.get(url.searchParams.get('sessionId') ?? '');
    if (!entry || !(entry.transport instanceof LegacySseTransport)) return badRequest(res, 404, 'unknown sessionId; open GET /sse first', -32001);
    entry.lastSeen = Date.now();
    const text = await readBody(req, res);
    if (text === undefined) return;
    const parsed = parseMessage(text);
    if ('error' in parsed) return json(res, 400, errorResponse(parsed.id, parsed.error.code, parsed.error.message, parsed.error.data));
    res.writeHead(202).end('Accepted');
    entry.transport.receive(parsed.message);
  }

  /** Closes every HTTP session (shutdown); their state stays on disk for the next daemon. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.modern.close();
    await Promise.all([...this.entries.keys()].map((id) => this.drop(id, 'daemon stopping')));
  }
}
