// What the shim remembers about its client: the handshake, log level and resource subscriptions (to replay after a
// daemon restart) and the requests in flight.
import { encodeMessage, errorResponse, isJsonRpcId, RpcCode, type JsonRpcId } from '../protocol/jsonrpc.js';
import { TopLevelIdScanner } from '../protocol/json-scan.js';
import { MAX_FRAME_BYTES } from '../protocol/lines.js';

interface Frame {
  id?: JsonRpcId | null;
  method?: string;
  params?: unknown;
}

const REPLAY_PREFIX = 'mcplex-replay-';

const LOST_MESSAGE = 'mcplex daemon connection lost while this request was in flight; retry it (the shim is reconnecting)';
const CLIENT_GONE_MESSAGE = 'the mcplex session ended while this request was in flight: the client had closed its input';

function peek(text: string): Frame | undefined {
  try {
    const v = JSON.parse(text) as Frame;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The exact source text of a frame's id, the key of a pending request: an integer beyond 2^53 must come back to the
 * client as it sent it, and JSON.parse would round it.
 */
function idText(text: string, id: JsonRpcId): string {
  if (typeof id === 'string' || Number.isSafeInteger(id)) return JSON.stringify(id);
  const scanner = new TopLevelIdScanner();
  scanner.push(Buffer.from(text));
  return scanner.idText ?? JSON.stringify(id);
}

/** The daemon writes responses as {"jsonrpc":"2.0","id":…,"result"|"error":…}: read the id without parsing the body. */
const RESPONSE_HEAD = /^\{"jsonrpc":"2\.0","id":("(?:[^"\\]|\\.)*"|-?\d+),"(?:result|error)"/;

/** The id text of a response frame from the daemon, or undefined for requests and notifications. */
function responseId(text: string): string | undefined {
  const head = RESPONSE_HEAD.exec(text);
  if (head) return head[1]!;
  if (text.startsWith('{"jsonrpc":"2.0","method"') || text.startsWith('{"jsonrpc":"2.0","id":')) return undefined;
  const f = peek(text); // not in the daemon's own key order: parse it
  return f && !f.method && f.id !== undefined && f.id !== null ? idText(text, f.id) : undefined;
}

const REPLAY_ID_PREFIX = JSON.stringify(REPLAY_PREFIX).slice(0, -1);

/** Tracks the client's handshake and pending requests so a lost daemon costs only the requests in flight. */
export class ShimState {
  private initializeParams?: unknown;
  private initialized = false;
  /** The client's last logging/setLevel params. */
  private logLevel?: unknown;
  /** Resource URIs the client subscribed to (and has not unsubscribed from). */
  private readonly subscriptions = new Set<string>();
  /** Exact id texts of the client's requests in flight. */
  private readonly pending = new Set<string>();
  private lost = false;
  private replaySeq = 0;

  constructor(private readonly out: (line: string) => void) {}

  /** Records a client frame; returns what to send to the daemon. */
  fromClient(text: string): string {
    const f = peek(text);
    // Only a valid id is pending: the daemon answers a request with any other id at once, under a null id.
    if (f?.method && isJsonRpcId(f.id)) {
      this.pending.add(idText(text, f.id));
      this.remember(f);
    } else if (f?.method === 'notifications/initialized') {
      this.initialized = true;
    }
    return text;
  }

  /** Notes the session state a new daemon must be told again. */
  private remember(f: Frame): void {
    const uri = (f.params as { uri?: unknown } | undefined)?.uri;
    if (f.method === 'initialize') this.initializeParams = f.params;
    else if (f.method === 'logging/setLevel') this.logLevel = f.params;
    else if (f.method === 'resources/subscribe' && typeof uri === 'string') this.subscriptions.add(uri);
    else if (f.method === 'resources/unsubscribe' && typeof uri === 'string') this.subscriptions.delete(uri);
  }

  /** Passes a daemon frame to the client, swallowing replies to replayed handshakes. */
  fromDaemon(text: string): void {
    const id = responseId(text);
    if (id !== undefined) {
      if (id.startsWith(REPLAY_ID_PREFIX)) return;
      this.pending.delete(id);
    }
    this.out(text);
  }

  /**
   * The connection dropped: every request in flight gets an error, and the next connection replays the handshake.
   * After the client closed its input the shim is ending, not reconnecting, and says so.
   */
  connectionLost(clientGone = false): void {
    this.lost = true;
    this.failPending(clientGone ? CLIENT_GONE_MESSAGE : LOST_MESSAGE);
  }

  /**
   * Frames to send first on a new connection after a loss: the client's initialize and initialized, its log
   * level and its resource subscriptions (their replies are swallowed).
   */
  replayFrames(): string[] {
    if (!this.lost || this.initializeParams === undefined) return [];
    this.lost = false;
    const request = (method: string, params: unknown) => JSON.stringify({ jsonrpc: '2.0', id: `${REPLAY_PREFIX}${++this.replaySeq}`, method, params });
    const frames = [request('initialize', this.initializeParams)];
    if (this.initialized) frames.push(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    if (this.logLevel !== undefined) frames.push(request('logging/setLevel', this.logLevel));
    for (const uri of this.subscriptions) frames.push(request('resources/subscribe', { uri }));
    return frames;
  }

  /** Answers every pending request with an error, under its id exactly as the client wrote it. */
  failPending(message: string): void {
    const error = JSON.stringify({ code: -32000, message });
    for (const id of this.pending) this.out(`{"jsonrpc":"2.0","id":${id},"error":${error}}`);
    this.pending.clear();
  }

  /** A daemon line too large to relay: if it answered a pending request, that request gets an error instead. */
  dropOversizedAnswer(bytes: number, id: JsonRpcId | null, request: boolean): void {
    if (request || id === null) return;
    const text = encodeMessage({ jsonrpc: '2.0', id, result: null });
    const key = responseId(text);
    if (key === undefined || !this.pending.delete(key)) return;
    this.out(encodeMessage(errorResponse(id, RpcCode.InternalError, `the answer was ${bytes} bytes, too large for the shim to relay; it was dropped`)));
  }

  /** A client line over the frame cap: answered with an error (to its id when recoverable), never forwarded. */
  rejectOversize(bytes: number, id: JsonRpcId | null, request: boolean): void {
    if (!request) return;
    this.out(encodeMessage(errorResponse(id, RpcCode.InvalidRequest, `message of ${bytes} bytes exceeds the ${MAX_FRAME_BYTES / 1048576} MiB frame limit; it was dropped`)));
  }
}
