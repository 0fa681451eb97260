// One live text/event-stream response: writes events, counts the bytes its client has not read, notices a stall.
import type { ServerResponse } from 'node:http';
import { outputBudget, type Outlet } from '../protocol/backlog.js';

/** One server-sent event. */
interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  retry?: number;
}

/** Headers every event stream gets. */
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/**
 * A response turned into an event stream; counted in the daemon's output budget until its connection is done with it
 * (after `end()` too: bytes the client has not read yet still take memory).
 */
export class SseStream implements Outlet {
  private readonly unregister: () => void;
  private ended = false;
  private gone = false;
  /** Queued bytes at the last check and when they last went down (or were zero). */
  private lastQueued = 0;
  private lastProgress = Date.now();
  onclose?: () => void;

  constructor(readonly res: ServerResponse, headers: Record<string, string>) {
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
    res.flushHeaders();
    this.unregister = outputBudget.register(this);
    res.on('close', () => {
      this.gone = true;
      this.unregister();
      this.finish();
    });
  }

  /** True once the connection is done with the response (nothing of it is held any more). */
  get released(): boolean {
    return this.gone;
  }

  /** True until the stream is ended or its connection closes. */
  get open(): boolean {
    return !this.ended;
  }

  /** Bytes written that the client has not taken yet. */
  queued(): number {
    return this.gone ? 0 : this.res.writableLength;
  }

  /** Writes one event (`data` may not contain a newline: JSON text never does). */
  write(e: SseEvent): void {
    if (this.ended) return;
    let frame = '';
    if (e.event) frame += `event: ${e.event}\n`;
    if (e.id) frame += `id: ${e.id}\n`;
    if (e.retry !== undefined) frame += `retry: ${e.retry}\n`;
    this.res.write(`${frame}data: ${e.data}\n\n`);
  }

  /** Ends the stream normally (what is queued still goes out). */
  end(): void {
    if (!this.ended) this.res.end();
    this.finish();
  }

  dropIfStalled(now: number, stalledMs: number): void {
    const queued = this.queued();
    if (queued === 0 || queued < this.lastQueued) this.lastProgress = now;
    this.lastQueued = queued;
    if (now - this.lastProgress >= stalledMs) this.res.destroy();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.onclose?.();
  }
}
