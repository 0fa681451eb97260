// What the shim remembers about its client: the handshake, log level and resource subscriptions (to replay after a
// daemon restart) and the requests in flight.
import { idFromHead, type JsonRpcId } from '../protocol/jsonrpc.js';
import { MAX_FRAME_BYTES } from '../protocol/lines.js';

interface Frame {
  id?: JsonRpcId | null;
  method?: string;
  params?: unknown;
}

const REPLAY_PREFIX = 'mcplex-replay-';

function peek(text: string): Frame | undefined {
  try {
    const v = JSON.parse(text) as Frame;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function key(id: JsonRpcId): string {
  return `${typeof id}:${id}`;
}

/** The daemon writes responses as {"jsonrpc":"2.0","id":…,"result"|"error":…}: read the id without parsing the body. */
const RESPONSE_HEAD = /^\{"jsonrpc":"2\.0","id":("(?:[^"\\]|\\.)*"|-?\d+),"(?:result|error)"/;

/** The id of a response frame from the daemon, or undefined for requests and notifications. */
function responseId(text: string): JsonRpcId | undefined {
  const head = RESPONSE_HEAD.exec(text);
  if (head) return JSON.parse(head[1]!) as JsonRpcId;
  if (text.startsWith('{"jsonrpc":"2.0","method"') || text.startsWith('{"jsonrpc":"2.0","id":')) return undefined;
  const f = peek(text); // not in the daemon's own key order: parse it
  return f && !f.method && f.id !== undefined && f.id !== null ? f.id : undefined;
}

/** Tracks the client's handshake and pending requests so a lost daemon costs only the requests in flight. */
export class ShimState {
  private initializeParams?: unknown;
  private initialized = false;
  /** The client's last logging/setLevel params. */
  private logLevel?: unknown;
  /** Resource URIs the client subscribed to (and has not unsubscribed from). */
  private readonly subscriptions = new Set<string>();
  private readonly pending = new Map<string, JsonRpcId>();
  private lost = false;
  private replaySeq = 0;

  constructor(private readonly out: (line: string) => void) {}

  /** Records a client frame; returns what to send to the daemon. */
  fromClient(text: string): string {
    const f = peek(text);
    if (f?.method && f.id !== undefined && f.id !== null) {
      this.pending.set(key(f.id), f.id);
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
      if (typeof id === 'string' && id.startsWith(REPLAY_PREFIX)) return;
      this.pending.delete(key(id));
    }
    this.out(text);
  }

  /** The connection dropped: every request in flight gets an error, and the next connection replays the handshake. */
  connectionLost(): void {
    this.lost = true;
    this.failPending('mcplex daemon connection lost while this request was in flight; retry it (the shim is reconnecting)');
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

  /** Answers every pending request with an error. */
  failPending(message: string): void {
    for (const id of this.pending.values()) {
      this.out(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message } }));
    }
    this.pending.clear();
  }

  /** A line over its cap (`limit`): answered with an error (to its id when recoverable), never forwarded. */
  rejectOversize(bytes: number, head: string, limit = MAX_FRAME_BYTES): void {
    const id = idFromHead(head);
    if (id !== null) this.pending.delete(key(id));
    this.out(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32600, message: `message of ${bytes} bytes exceeds the ${limit / 1048576} MiB frame limit; it was dropped` } }));
  }
}
