// Newline-delimited framing with a hard cap on line length: an oversized line is reported and dropped, never buffered.
import { idFromText, type JsonRpcId } from './jsonrpc.js';
import { TopLevelIdScanner } from './json-scan.js';
import { MAX_FRAME_BYTES } from './limits.js';

export { MAX_FRAME_BYTES };

export interface LineHandlers {
  line(text: string): void;
  /**
   * A dropped line: its size, its first bytes, and its top-level JSON-RPC id wherever the id sat in the line
   * (null if it had none), so its request can be answered at once; `request` if it had a "method" member.
   */
  oversize(bytes: number, head: string, id: JsonRpcId | null, request: boolean): void;
}

/** How many leading bytes of an oversized line are kept for its report. */
const HEAD_BYTES = 256;

/** Splits a byte stream into lines, dropping (and reporting) any line longer than maxBytes. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** Set while an oversized line streams past: it is scanned for its id, never kept. */
  private skipping?: { bytes: number; head: string; scanner: TopLevelIdScanner };

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
      this.skipping.bytes += piece.length;
      this.skipping.scanner.push(piece);
      return;
    }
    if (this.size + piece.length > this.maxBytes) {
      const scanner = new TopLevelIdScanner();
      for (const p of this.parts) scanner.push(p);
      scanner.push(piece);
      const head = Buffer.concat([...this.parts, piece.subarray(0, HEAD_BYTES)]).subarray(0, HEAD_BYTES).toString('utf8');
      this.skipping = { bytes: this.size + piece.length, head, scanner };
      this.parts = [];
      this.size = 0;
      return;
    }
    // A view, not a copy: stream chunks are never reused, and a large line would otherwise be held twice.
    this.parts.push(piece);
    this.size += piece.length;
  }

  private finishLine(): void {
    if (this.skipping) {
      const { bytes, head, scanner } = this.skipping;
      this.skipping = undefined;
      scanner.end();
      this.handlers.oversize(bytes, head, idFromText(scanner.idText), scanner.hasMethod);
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
