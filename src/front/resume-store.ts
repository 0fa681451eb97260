// The recent events of one HTTP session, kept (bounded in bytes and time) so a client can resume with Last-Event-ID.
import { RESUME_STORE_BYTES } from '../protocol/limits.js';

/** How long an event stays replayable. */
export const RESUME_WINDOW_MS = 5 * 60 * 1000;

interface Stored {
  stream: number;
  seq: number;
  text: string;
  at: number;
}

/** A byte-bounded ring of events in send order; the oldest go first. */
export class ResumeStore {
  private events: Stored[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes = RESUME_STORE_BYTES) {}

  /** Keeps an event; false if it alone is larger than the store (it cannot be replayed). */
  add(stream: number, seq: number, text: string, now = Date.now()): boolean {
    if (text.length > this.maxBytes) return false;
    this.events.push({ stream, seq, text, at: now });
    this.bytes += text.length;
    let drop = 0;
    while (this.bytes > this.maxBytes || now - this.events[drop]!.at > RESUME_WINDOW_MS) this.bytes -= this.events[drop++]!.text.length;
    if (drop) this.events = this.events.slice(drop);
    return true;
  }

  /** The kept events of `stream` after `seq`, oldest first. */
  after(stream: number, seq: number): Stored[] {
    return this.events.filter((e) => e.stream === stream && e.seq > seq);
  }
}
