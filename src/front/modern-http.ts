// The stateless 2026-07-28 leg of /mcp: each POST is one request (no Mcp-Session-Id), answered on its own response
// (an event stream when it may carry progress, logs or listen notifications, else plain JSON). Requests of one client
// in one workspace share a session object, so a retry finds the call it resumes and `sharing: session` holds.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeMessage, errorResponse, idKey, isRequest, isResponse, type JsonRpcId, type JsonRpcMessage, type JsonRpcRequest } from '../protocol/jsonrpc.js';
import type { MessageTransport } from '../protocol/transport.js';
import { ModernCode } from '../protocol/modern.js';
import { headerRejection } from './modern-headers.js';
import { SseStream } from './sse-stream.js';

/** The SDK's dual-era request classifier, loaded with the first HTTP request (a daemon serving only shims never pays for it). */
let sdk: Promise<typeof import('@modelcontextprotocol/server')> | undefined;

/** The session a modern client's requests go to, as the HTTP front sees it. */
export interface ModernSessionHandle {
  close(): Promise<void>;
}

export interface ModernHttpDeps {
  /** Opens a session for one client key (workspace, surface and client name) over the given transport. */
  open(transport: MessageTransport, key: ModernKey): ModernSessionHandle;
  /** A client unseen for this long has its session closed. */
  idleMs(): number;
}

/** What tells two modern HTTP clients apart (nothing in the protocol does: it is stateless). */
export interface ModernKey {
  workspace?: string;
  surface?: 'meta' | 'direct' | 'both';
  client: string;
}

/** How a POST was classified: served by the modern leg (done), or left to the 2025 session leg. */
export type Routed = 'modern' | 'legacy';

/** Routes each message of one modern session to the HTTP response of the request it answers or belongs to. */
class PerRequestTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly open = new Map<string, { res: ServerResponse; sse?: SseStream }>();

  async start(): Promise<void> {}

  get busy(): boolean {
    return this.open.size > 0;
  }

  /** Serves one request: the session's answer (and what belongs to it) goes to `res`; a dropped response cancels it. */
  serve(message: JsonRpcRequest, res: ServerResponse, stream: boolean): void {
    const key = idKey(message.id);
    const entry: { res: ServerResponse; sse?: SseStream } = { res };
    if (stream) entry.sse = new SseStream(res, {});
    this.open.set(key, entry);
    res.on('close', () => {
      if (this.open.get(key) !== entry) return;
      this.open.delete(key);
      // A broken response stream loses its request (2026-07-28): the work stops.
      this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: message.id, reason: 'the HTTP response was closed' } });
    });
    this.onmessage?.(message);
  }

  async send(message: JsonRpcMessage, options?: { relatedRequestId?: JsonRpcId }): Promise<void> {
    const answers = isResponse(message) && message.id !== null ? message.id : undefined;
    const key = answers ?? options?.relatedRequestId;
    const entry = key === undefined ? undefined : this.open.get(idKey(key));
    if (!entry) return; // nothing waits for it: a stateless client gets messages only on its requests' responses
    const text = encodeMessage(message);
    if (entry.sse) entry.sse.write({ event: 'message', data: text });
    else if (answers === undefined) return; // a JSON response carries only the answer
    if (answers === undefined) return;
    this.open.delete(idKey(answers));
    if (entry.sse) entry.sse.end();
    else entry.res.writeHead(statusOf(message), { 'content-type': 'application/json' }).end(text);
  }

  async close(): Promise<void> {
    for (const { res } of this.open.values()) res.destroy();
    this.open.clear();
    this.onclose?.();
  }
}

/** Errors a modern client gets with HTTP 400 (the request could not be taken up); every other answer is 200. */
const BAD_REQUEST_CODES: ReadonlySet<number> = new Set([ModernCode.HeaderMismatch, ModernCode.MissingRequiredClientCapability, ModernCode.UnsupportedProtocolVersion]);

function statusOf(message: JsonRpcMessage): number {
  return 'error' in message && message.error && BAD_REQUEST_CODES.has(message.error.code) ? 400 : 200;
}

/** Whether a request's answer should stream: it may carry progress, logs or (listen) notifications before it. */
function streams(message: JsonRpcRequest): boolean {
  const meta = message.params?._meta as Record<string, unknown> | undefined;
  return message.method === 'subscriptions/listen' || meta?.progressToken !== undefined || meta?.['io.modelcontextprotocol/logLevel'] !== undefined;
}

/** The modern leg's sessions, one per client key, closed when idle. */
export class ModernHttp {
  private readonly sessions = new Map<string, { transport: PerRequestTransport; session: ModernSessionHandle; lastSeen: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: ModernHttpDeps) {
    this.sweeper = setInterval(() => this.sweep(), 5000);
    this.sweeper.unref();
  }

  /**
   * Classifies a POST with the SDK's dual-era ladder: a modern request is served here (or rejected as the spec says:
   * -32020 header mismatch, -32022 unsupported version, 400s); anything else goes to the 2025 leg.
   */
  async route(message: JsonRpcMessage, req: IncomingMessage, res: ServerResponse, key: Omit<ModernKey, 'client'>): Promise<Routed> {
    const { classifyInboundRequest } = await (sdk ??= import('@modelcontextprotocol/server'));
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const outcome = classifyInboundRequest({
      httpMethod: 'POST',
      ...(header('mcp-protocol-version') ? { protocolVersionHeader: header('mcp-protocol-version')! } : {}),
      ...(header('mcp-method') ? { mcpMethodHeader: header('mcp-method')! } : {}),
      ...(header('mcp-name') ? { mcpNameHeader: header('mcp-name')! } : {}),
      body: message,
    });
    if (outcome.kind === 'legacy') return 'legacy';
    if (outcome.kind === 'reject') {
      const id = isRequest(message) ? message.id : null;
      res.writeHead(outcome.httpStatus, { 'content-type': 'application/json' });
      res.end(encodeMessage(errorResponse(id, outcome.code, outcome.message, outcome.data)));
      return 'modern';
    }
    const refused = outcome.messageKind === 'request' ? headerRejection(message as JsonRpcRequest, header) : undefined;
    if (refused) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(encodeMessage(errorResponse((message as JsonRpcRequest).id, refused.code, refused.message, refused.data)));
      return 'modern';
    }
    const entry = this.session({ ...key, client: clientName(message) });
    entry.lastSeen = Date.now();
    if (outcome.messageKind === 'notification') {
      res.writeHead(202).end();
      entry.transport.onmessage?.(message);
    } else entry.transport.serve(message as JsonRpcRequest, res, streams(message as JsonRpcRequest));
    return 'modern';
  }

  private session(key: ModernKey): { transport: PerRequestTransport; session: ModernSessionHandle; lastSeen: number } {
    const id = JSON.stringify([key.workspace ?? null, key.surface ?? null, key.client]);
    let entry = this.sessions.get(id);
    if (!entry) {
      const transport = new PerRequestTransport();
      entry = { transport, session: this.deps.open(transport, key), lastSeen: Date.now() };
      this.sessions.set(id, entry);
    }
    return entry;
  }

  private sweep(): void {
    const cutoff = Date.now() - this.deps.idleMs();
    for (const [id, e] of this.sessions) {
      if (e.transport.busy || e.lastSeen >= cutoff) continue;
      this.sessions.delete(id);
      void e.session.close();
    }
  }

  /** Closes every modern session (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((e) => e.session.close()));
    this.sessions.clear();
  }
}

/** The client's self-reported name from a modern request's envelope (it only tells sessions apart, never grants). */
function clientName(message: JsonRpcMessage): string {
  const meta = (message as { params?: { _meta?: Record<string, unknown> } }).params?._meta;
  const info = meta?.['io.modelcontextprotocol/clientInfo'] as { name?: unknown } | undefined;
  return typeof info?.name === 'string' ? info.name : '';
}
