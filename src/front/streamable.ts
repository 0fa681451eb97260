// One Streamable HTTP session's transport: a stream per request, the GET stream, event ids and Last-Event-ID replay,
// and a bounded backlog (a client that does not read gets its answers failed, never the daemon's memory grown).
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admit } from '../protocol/backlog.js';
import { encodeMessage, errorResponse, idKey, isRequest, isResponse, RpcCode, type JsonRpcId, type JsonRpcMessage } from '../protocol/jsonrpc.js';
import type { MessageTransport } from '../protocol/transport.js';
import { RESUME_WINDOW_MS, ResumeStore } from './resume-store.js';
import { SseStream } from './sse-stream.js';

/** What a client is told to wait before reconnecting a dropped stream (SSE `retry`). */
const RETRY_MS = 1000;

/** One response stream (a request's POST stream, or stream 0: the GET stream). */
interface Stream {
  no: number;
  seq: number;
  /** The last event written to a live connection (later ones were kept for whoever attaches next). */
  written: number;
  conn?: SseStream;
}

/** How many streams with an answer too large to keep are remembered. */
const MAX_UNKEPT = 64;

/** The first protocol version whose clients take the empty priming event that makes a stream resumable. */
const PRIMING_SINCE = '2025-11-25';

/** The MessageTransport of one /mcp session. */
export class StreamableTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** Distinguishes this transport's event ids from those of an earlier daemon. */
  private readonly epoch = crypto.randomBytes(4).toString('hex');
  private nextStream = 1;
  private readonly standalone: Stream = { no: 0, seq: 0, written: 0 };
  private readonly byRequest = new Map<string, Stream>();
  /** Every response of this session whose connection still holds bytes of it (ended ones included). */
  private readonly conns = new Set<SseStream>();
  /** Streams whose answer was written live but was too large to keep: a resume of one gets an error, not silence. */
  private readonly unkept = new Map<number, JsonRpcId>();
  /** Streams whose answer came while they were disconnected and was not resumed yet, with when that was. */
  private readonly awaitingResume = new Map<number, number>();
  private readonly store = new ResumeStore();
  private protocolVersion = '';
  private initializeVersion?: string;
  private closed = false;

  constructor(readonly sessionId: string) {}

  async start(): Promise<void> {}

  /** True while a request is in flight, a stream is open, or an answer waits for its client to resume: not idle. */
  get busy(): boolean {
    const now = Date.now();
    for (const [no, at] of this.awaitingResume) if (now - at > RESUME_WINDOW_MS) this.awaitingResume.delete(no);
    return this.byRequest.size > 0 || !!this.standalone.conn?.open || this.awaitingResume.size > 0;
  }

  /** Unread bytes this session's responses still hold. */
  queued(): number {
    let sum = 0;
    for (const c of this.conns) {
      if (c.released) this.conns.delete(c);
      else sum += c.queued();
    }
    return sum;
  }

  /** One POSTed message: a request opens its own event stream; anything else is accepted with 202. */
  handlePost(message: JsonRpcMessage, req: IncomingMessage, res: ServerResponse): void {
    this.noteVersion(req, message);
    if (!isRequest(message)) {
      res.writeHead(202).end();
      this.onmessage?.(message);
      return;
    }
    const stream: Stream = { no: this.nextStream++, seq: 0, written: 0 };
    this.byRequest.set(idKey(message.id), stream);
    this.attach(stream, res);
    this.onmessage?.(message);
  }

  /**
   * GET: the stream for unrelated messages (first what was sent while none was open), or with Last-Event-ID the rest
   * of a dropped stream, then its live end. The GET stream's id from an earlier daemon counts as none.
   */
  handleGet(req: IncomingMessage, res: ServerResponse): void {
    this.noteVersion(req);
    const last = /^([0-9a-f]+)\.(\d+)\.(\d+)$/.exec(String(req.headers['last-event-id'] ?? ''));
    const resumed = !!last && last[1] === this.epoch;
    if (last && !resumed && last[2] !== '0') {
      // A request's stream from an earlier daemon: its answer went with that daemon (the GET stream can start over).
      const error = errorResponse(null, RpcCode.InvalidRequest, 'Last-Event-ID names a request stream of an earlier daemon; it cannot be resumed: retry the request');
      return void res.writeHead(400, { 'content-type': 'application/json' }).end(encodeMessage(error));
    }
    const no = resumed ? Number(last[2]) : 0;
    const pending = no === 0 ? this.standalone : [...this.byRequest.values()].find((s) => s.no === no);
    const stream = pending ?? { no, seq: 0, written: 0 };
    const from = resumed ? Number(last[3]) : stream.written;
    const conn = this.attach(stream, res, resumed);
    if (resumed) this.awaitingResume.delete(no);
    for (const e of this.store.after(no, from)) conn.write({ id: this.eventId(no, e.seq), event: 'message', data: e.text });
    stream.written = Math.max(stream.written, stream.seq);
    if (pending) return;
    // The stream's answer was already sent (and, if kept, replayed just now): it has nothing more to say.
    const lost = this.unkept.get(no);
    if (lost !== undefined && resumed) {
      this.unkept.delete(no);
      const why = 'the answer was sent while the stream dropped and is too large to keep for resumption; retry the request';
      conn.write({ id: this.eventId(no, from + 1), event: 'message', data: encodeMessage(errorResponse(lost, RpcCode.InternalError, why, { code: 'CLIENT_TOO_SLOW' })) });
    }
    conn.end();
  }

  /** Routes a message to the stream of the request it answers or belongs to, else to the GET stream. */
  async send(message: JsonRpcMessage, options?: { relatedRequestId?: JsonRpcId }): Promise<void> {
    if (this.closed) throw new Error('the HTTP session is closed');
    const answers = isResponse(message) && message.id !== null ? message.id : undefined;
    const key = answers ?? options?.relatedRequestId;
    const stream = key === undefined ? this.standalone : this.byRequest.get(idKey(key)) ?? (answers === undefined ? this.standalone : undefined);
    if (!stream) return; // the answer to a request this transport never saw
    let text = encodeMessage(message);
    if (stream.conn) admit(message, text, this.queued());
    const seq = ++stream.seq;
    const kept = this.store.add(stream.no, seq, text);
    if (!kept && answers !== undefined && !stream.conn) {
      // No connection to take it and too large to keep for a resume: the resumed stream gets an error instead.
      const why = `the answer (${text.length} bytes) arrived while the stream was disconnected and is too large to keep for resumption; retry the request`;
      text = encodeMessage(errorResponse(answers, RpcCode.InternalError, why, { code: 'CLIENT_TOO_SLOW' }));
      this.store.add(stream.no, seq, text);
    } else if (!kept && answers !== undefined) {
      this.unkept.set(stream.no, answers);
      if (this.unkept.size > MAX_UNKEPT) this.unkept.delete(this.unkept.keys().next().value!);
    }
    if (stream.conn) {
      stream.conn.write({ id: this.eventId(stream.no, seq), event: 'message', data: text });
      stream.written = seq;
    }
    if (answers !== undefined) {
      this.byRequest.delete(idKey(answers));
      if (stream.conn) stream.conn.end();
      else this.awaitingResume.set(stream.no, Date.now());
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.standalone.conn?.end();
    for (const s of this.byRequest.values()) s.conn?.end();
    this.byRequest.clear();
    this.onclose?.();
  }

  /** Makes `res` the live connection of a stream (replacing an older one), primed so the client can resume it. */
  private attach(stream: Stream, res: ServerResponse, resumed = false): SseStream {
    const conn = new SseStream(res, { 'mcp-session-id': this.sessionId });
    this.conns.add(conn);
    const previous = stream.conn;
    stream.conn = conn;
    previous?.end();
    conn.onclose = () => {
      if (stream.conn === conn) stream.conn = undefined;
    };
    if (!resumed && this.protocolVersion >= PRIMING_SINCE) conn.write({ id: this.eventId(stream.no, stream.seq), retry: RETRY_MS, data: '' });
    return conn;
  }

  private eventId(stream: number, seq: number): string {
    return `${this.epoch}.${stream}.${seq}`;
  }

  /**
   * The protocol version the client speaks: what its initialize asked for (its own latest), else its header (a
   * session re-created after a restart saw no initialize).
   */
  private noteVersion(req: IncomingMessage, message?: JsonRpcMessage): void {
    const asked = message && isRequest(message) && message.method === 'initialize' ? message.params?.protocolVersion : undefined;
    const header = req.headers['mcp-protocol-version'];
    if (typeof asked === 'string') this.initializeVersion = asked;
    this.protocolVersion = this.initializeVersion ?? (typeof header === 'string' ? header : this.protocolVersion);
  }
}
