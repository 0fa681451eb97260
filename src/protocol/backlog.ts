// Bounded outgoing backlog: bytes queued for clients that have not read them yet, per session and daemon-wide.
import { McplexError } from './errors.js';
import { isResponse, type JsonRpcMessage } from './jsonrpc.js';
import { SESSION_BACKLOG_BYTES, STALLED_STREAM_MS, TOTAL_BACKLOG_BYTES } from './limits.js';

/** Anything that queues bytes for a client: reports how many it holds that the client has not taken yet. */
export interface Outlet {
  queued(): number;
  /** Cuts the connection (releasing what it holds) if its client took nothing for `stalledMs` while bytes waited. */
  dropIfStalled(now: number, stalledMs: number): void;
}

/** How often outlets are checked for a stall. */
const SWEEP_MS = 5000;

/** An error answer this small is always queued, whatever the backlog: every request gets its answer. */
const SMALL_ERROR_BYTES = 4096;

/** Messages up to this size go to a session with nothing queued without summing every outlet. */
const CHEAP_BYTES = 64 * 1024;

/** Admission control for client-bound messages (one per daemon: HTTP streams and shim sockets share it). */
export class OutputBudget {
  private readonly outlets = new Set<Outlet>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly total = TOTAL_BACKLOG_BYTES,
    private readonly perSession = SESSION_BACKLOG_BYTES,
    private readonly stalledMs = STALLED_STREAM_MS,
  ) {}

  /** Counts an outlet (and watches it for a stall) until the returned function is called. */
  register(outlet: Outlet): () => void {
    this.outlets.add(outlet);
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(SWEEP_MS, this.stalledMs)).unref();
    return () => {
      this.outlets.delete(outlet);
      if (this.outlets.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    };
  }

  private sweep(): void {
    const now = Date.now();
    for (const o of [...this.outlets]) o.dropIfStalled(now, this.stalledMs);
  }

  /** Bytes queued across every outlet. */
  queued(): number {
    let sum = 0;
    for (const o of this.outlets) sum += o.queued();
    return sum;
  }

  /**
   * Why a message of `bytes` may not be queued for a session whose outlets already hold `sessionQueued` unread bytes,
   * or undefined if it may.
   */
  refusal(sessionQueued: number, bytes: number): string | undefined {
    if (sessionQueued > this.perSession) {
      return `the client has not read the last ${sessionQueued} bytes mcplex sent it (limit ${this.perSession}); read the stream, or retry later`;
    }
    if (sessionQueued === 0 && bytes <= CHEAP_BYTES) return undefined;
    const total = this.queued();
    if (total + bytes > this.total) {
      return `mcplex is holding ${total} unread bytes for slow clients (limit ${this.total}), so this ${bytes}-byte message was not queued; retry later`;
    }
    return undefined;
  }
}

/** The daemon's one output budget. */
export const outputBudget = new OutputBudget();

/**
 * Lets `text` (the encoded `message`) be queued for a session whose outlets hold `sessionQueued` unread bytes, or
 * throws CLIENT_TOO_SLOW (the session then answers the request with that error instead). Every transport that writes
 * to a client calls this before writing.
 */
export function admit(message: JsonRpcMessage, text: string, sessionQueued: number, budget = outputBudget): void {
  const smallError = isResponse(message) && message.error !== undefined && text.length <= SMALL_ERROR_BYTES;
  const refused = smallError ? undefined : budget.refusal(sessionQueued, text.length);
  if (refused) throw new McplexError('CLIENT_TOO_SLOW', refused);
}
