// Bounded outgoing backlog: bytes queued for clients that have not read them yet, per session and daemon-wide.
import { SESSION_BACKLOG_BYTES, TOTAL_BACKLOG_BYTES } from './limits.js';

/** Anything that queues bytes for a client: reports how many it holds that the client has not taken yet. */
export interface Outlet {
  queued(): number;
}

/** Messages up to this size go to a session with nothing queued without summing every outlet. */
const CHEAP_BYTES = 64 * 1024;

/** Admission control for client-bound messages (one per daemon: HTTP streams and shim sockets share it). */
export class OutputBudget {
  private readonly outlets = new Set<Outlet>();

  constructor(private readonly total = TOTAL_BACKLOG_BYTES, private readonly perSession = SESSION_BACKLOG_BYTES) {}

  /** Counts an outlet until the returned function is called. */
  register(outlet: Outlet): () => void {
    this.outlets.add(outlet);
    return () => this.outlets.delete(outlet);
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
