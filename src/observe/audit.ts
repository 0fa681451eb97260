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

/** Appends audit records; rotation keeps one previous file. */
export class AuditLog {
  private bytes: number;

  constructor(private readonly file: string) {
    try {
      this.bytes = fs.statSync(file).size;
    } catch {
      this.bytes = 0;
    }
  }

  record(r: AuditRecord): void {
    const line = JSON.stringify({ ts: new Date().toISOString(), ...r }) + '\n';
    try {
      if (this.bytes + line.length > MAX_AUDIT_BYTES) {
        fs.renameSync(this.file, `${this.file}.1`);
        this.bytes = 0;
      }
      fs.appendFileSync(this.file, line, { mode: 0o600 });
      this.bytes += line.length;
    } catch {
      // auditing must never fail a call
    }
  }
}
