// audit.jsonl: one line per tool call (who, where, which server and tool, how long, outcome; never arguments), size-bounded.
import fs from 'node:fs';

/** Rotate audit.jsonl to audit.jsonl.1 once it passes this size. */
export const MAX_AUDIT_BYTES = 10 * 1024 * 1024;

export interface AuditRecord {
  session: string;
  client: string | null;
  workspace: string;
  server: string;
  instance: string;
  tool: string;
  ms: number;
  outcome: 'ok' | 'error' | 'tool_error' | 'cancelled';
}

/**
 * Appends audit records through one open descriptor; rotation keeps one previous file. Records are written after
 * the current turn of the event loop, together: never on a call's path to its client, one write under load.
 */
export class AuditLog {
  private bytes = 0;
  private fd?: number;
  private pending = '';
  private flushing = false;

  constructor(private readonly file: string) {}

  private open(): number {
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.file, 'a', 0o600);
      this.bytes = fs.fstatSync(this.fd).size;
    }
    return this.fd;
  }

  record(r: AuditRecord): void {
    this.pending += JSON.stringify({ ts: new Date().toISOString(), ...r }) + '\n';
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  /** Writes the records gathered so far. */
  flush(): void {
    this.flushing = false;
    const text = this.pending;
    this.pending = '';
    if (!text) return;
    try {
      if (this.bytes + text.length > MAX_AUDIT_BYTES && this.fd !== undefined) {
        this.closeFile();
        fs.renameSync(this.file, `${this.file}.1`);
      }
      fs.writeSync(this.open(), text);
      this.bytes += Buffer.byteLength(text);
    } catch {
      // auditing must never fail a call
    }
  }

  /** Writes what is pending and closes the descriptor (daemon shutdown). */
  close(): void {
    this.flush();
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
