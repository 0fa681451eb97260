// One live text/event-stream response: writes events, counts the bytes its client has not read, notices a stall.
import type { ServerResponse } from 'node:http';
import { outputBudget } from '../protocol/backlog.js';
import { STALLED_STREAM_MS } from '../protocol/limits.js';

/** One server-sent event. */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  retry?: number;
}

/** Headers every event stream gets. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/** A response turned into an event stream; counted in the daemon's output budget while open. */
export class SseStream {
  private readonly unregister: () => void;
  private closed = false;
  /** Queued bytes at the last check and when they last went down (or were zero). */
  private lastQueued = 0;
  private lastProgress = Date.now();
  onclose?: () => void;

  constructor(readonly res: ServerResponse, headers: Record<string, string>) {
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
    res.flushHeaders();
    this.unregister = outputBudget.register(this);
    res.on('close', () => this.finish());
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Bytes written that the client has not taken yet. */
  queued(): number {
    return this.closed ? 0 : this.res.writableLength;
  }

  /** Writes one event (`data` may not contain a newline: JSON text never does). */
  write(e: SseEvent): void {
    if (this.closed) return;
    let frame = '';
    if (e.event) frame += `event: ${e.event}\n`;
    if (e.id) frame += `id: ${e.id}\n`;
    if (e.retry !== undefined) frame += `retry: ${e.retry}\n`;
    this.res.write(`${frame}data: ${e.data}\n\n`);
  }

  /** Ends the stream normally. */
  end(): void {
    if (!this.closed) this.res.end();
    this.finish();
  }

  /** True (and the connection is dropped) if the client took no bytes for STALLED_STREAM_MS while some were queued. */
  dropIfStalled(now = Date.now()): boolean {
    const queued = this.queued();
    if (queued === 0 || queued < this.lastQueued) this.lastProgress = now;
    this.lastQueued = queued;
    if (now - this.lastProgress < STALLED_STREAM_MS) return false;
    this.res.destroy();
    this.finish();
    return true;
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.unregister();
    this.onclose?.();
  }
}
