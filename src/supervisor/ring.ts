// A fixed-size ring of the most recent lines (a backend's stderr tail for errors and status).

/** Keeps the last `size` lines pushed. */
export class LineRing {
  private readonly lines: string[] = [];
  constructor(private readonly size = 50) {}

  push(line: string): void {
    this.lines.push(line.length > 1000 ? `${line.slice(0, 1000)}…` : line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  /** The last n lines, oldest first. */
  tail(n = 10): string[] {
    return this.lines.slice(-n);
  }
}

/** The tail of a backend's stderr as it appears in error messages (empty when there is none). */
export function formatTail(lines: readonly string[]): string {
  return lines.length ? `\nlast stderr lines:\n  ${lines.join('\n  ')}` : '';
}
