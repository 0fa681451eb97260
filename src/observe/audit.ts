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

/** How long a record may wait to be written: the records of that time go out in one write. */
export const AUDIT_FLUSH_MS = 100;

/**
 * Appends audit records through one open descriptor; rotation keeps one previous file. Records are formatted and
 * written together, at most AUDIT_FLUSH_MS after the call: never on a call's path to its client, and one write for
 * many calls (a write per call cost each call a system call's time).
 */
export class AuditLog {
  private bytes = 0;
  private fd?: number;
  /** Records not written yet, with when they were made (formatted when written, not on the call's path). */
  private pending: Array<{ at: number; record: AuditRecord }> = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly file: string) {}

  private open(): number {
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.file, 'a', 0o600);
      this.bytes = fs.fstatSync(this.fd).size;
    }
    return this.fd;
  }

  record(r: AuditRecord): void {
    this.pending.push({ at: Date.now(), record: r });
    this.timer ??= setTimeout(() => this.flush(), AUDIT_FLUSH_MS).unref();
  }

  /** Writes the records gathered so far. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    let text = '';
    for (const { at, record } of this.pending) text += JSON.stringify({ ts: new Date(at).toISOString(), ...record }) + '\n';
    this.pending = [];
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
