// Newline-delimited framing with a hard cap on line length: an oversized line is reported and dropped, never buffered.

/** Default cap on one frame: larger lines are rejected (16 MiB). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Cap on what may wait to be written to one client (room for two full frames): a client that stops reading is cut off. */
export const MAX_BACKLOG_BYTES = 2 * MAX_FRAME_BYTES;

export interface LineHandlers {
  line(text: string): void;
  /** A dropped line: its size and its first bytes (enough to recover a JSON-RPC id). */
  oversize(bytes: number, head: string): void;
}

/** How many leading bytes of an oversized line are kept for its report. */
const HEAD_BYTES = 256;

/** Splits a byte stream into lines, dropping (and reporting) any line longer than maxBytes. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;
  private skipped = 0;
  private head = '';

  constructor(private readonly handlers: LineHandlers, private readonly maxBytes = MAX_FRAME_BYTES) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      if (nl !== -1 && this.size === 0 && !this.skipping && end - start <= this.maxBytes) {
        this.emit(chunk.toString('utf8', start, end)); // a whole line in this chunk: decoded in place, no copy
      } else {
        this.take(chunk.subarray(start, end));
        if (nl === -1) return;
        this.finishLine();
      }
      start = nl + 1;
    }
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.skipping) {
      this.skipped += piece.length;
      return;
    }
    if (this.size + piece.length > this.maxBytes) {
      this.skipping = true;
      this.skipped = this.size + piece.length;
      this.head = Buffer.concat([...this.parts, piece.subarray(0, HEAD_BYTES)]).subarray(0, HEAD_BYTES).toString('utf8');
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(Buffer.from(piece));
    this.size += piece.length;
  }

  private finishLine(): void {
    if (this.skipping) {
      const bytes = this.skipped;
      this.skipping = false;
      this.skipped = 0;
      this.handlers.oversize(bytes, this.head);
      return;
    }
    const text = (this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size)).toString('utf8');
    this.parts = [];
    this.size = 0;
    this.emit(text);
  }

  /** Delivers a line without its CR; blank lines are skipped. */
  private emit(line: string): void {
    const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    if (text.charCodeAt(0) === 123 /* { */ || text.trim().length > 0) this.handlers.line(text);
  }
}
