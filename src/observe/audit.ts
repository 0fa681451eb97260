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

/** Appends audit records through one open descriptor; rotation keeps one previous file. */
export class AuditLog {
  private bytes = 0;
  private fd?: number;

  constructor(private readonly file: string) {}

  private open(): number {
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.file, 'a', 0o600);
      this.bytes = fs.fstatSync(this.fd).size;
    }
    return this.fd;
  }

  record(r: AuditRecord): void {
    const line = JSON.stringify({ ts: new Date().toISOString(), ...r }) + '\n';
    try {
      if (this.bytes + line.length > MAX_AUDIT_BYTES && this.fd !== undefined) {
        this.close();
        fs.renameSync(this.file, `${this.file}.1`);
      }
      fs.writeSync(this.open(), line);
      this.bytes += Buffer.byteLength(line);
    } catch {
      // auditing must never fail a call
    }
  }

  /** Closes the descriptor (daemon shutdown). */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
