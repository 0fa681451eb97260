// What each HTTP session's client told it (handshake, log level, subscriptions), kept on disk so that a session
// re-created after a daemon restart goes on where it was: its client still holds the Mcp-Session-Id.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SessionState } from '../session/client-state.js';

/** State files older than this are removed when the daemon starts. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/** One small 0600 file per HTTP session under `<run>/http-sessions/`, named by a hash of the session id. */
export class SessionFiles {
  private readonly dir?: string;

  constructor(runDir: string | undefined) {
    if (!runDir) return;
    this.dir = path.join(runDir, 'http-sessions');
    this.prune();
  }

  /** Writes a session's state (atomically: a reader never sees half a file). */
  save(id: string, state: SessionState | undefined): void {
    if (!this.dir || !state) return;
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${this.file(id)}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
      fs.renameSync(tmp, this.file(id));
    } catch {
      // best effort: without the file a re-created session starts with default state
    }
  }

  /** A session's saved state, if any. */
  load(id: string): SessionState | undefined {
    if (!this.dir) return undefined;
    try {
      return JSON.parse(fs.readFileSync(this.file(id), 'utf8')) as SessionState;
    } catch {
      return undefined;
    }
  }

  /** Forgets a session that ended for good. */
  remove(id: string): void {
    if (this.dir) fs.rmSync(this.file(id), { force: true });
  }

  private file(id: string): string {
    return path.join(this.dir!, `${crypto.createHash('sha256').update(id).digest('hex').slice(0, 32)}.json`);
  }

  private prune(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir!);
    } catch {
      return;
    }
    const cutoff = Date.now() - KEEP_MS;
    for (const n of names) {
      const f = path.join(this.dir!, n);
      try {
        if (fs.statSync(f).mtimeMs < cutoff) fs.rmSync(f, { force: true });
      } catch {
        // gone meanwhile
      }
    }
  }
}
