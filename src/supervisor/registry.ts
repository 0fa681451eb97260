// Records each backend's process group under MCPLEX_HOME/run so a new daemon can stop what a dead one left behind.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { groupAlive } from './process-info.js';
import { terminateOrphanGroup } from './terminate.js';

interface Record {
  pgid: number;
  daemonPid: number;
  server: string;
  startedAt: string;
}

/** One small file per live backend process group. */
export class ProcessRegistry {
  constructor(private readonly dir: string) {}

  private file(pgid: number): string {
    return path.join(this.dir, `backend-${pgid}.json`);
  }

  /** Notes a backend's process group (its leader's pid). */
  record(pgid: number, server: string): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const rec: Record = { pgid, daemonPid: process.pid, server, startedAt: new Date().toISOString() };
    fs.writeFileSync(this.file(pgid), JSON.stringify(rec), { mode: 0o600 });
  }

  /** Forgets a process group that has been stopped. */
  forget(pgid: number): void {
    fs.rmSync(this.file(pgid), { force: true });
  }

  /** Stops every recorded group of an earlier daemon (the caller holds the singleton lock, so none is ours). */
  async sweep(log: Logger): Promise<number> {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => /^backend-\d+\.json$/.test(n));
    } catch {
      return 0;
    }
    let stopped = 0;
    await Promise.all(
      names.map(async (name) => {
        const file = path.join(this.dir, name);
        let rec: Record | undefined;
        try {
          rec = JSON.parse(fs.readFileSync(file, 'utf8')) as Record;
        } catch {
          // unreadable record: nothing to stop
        }
        if (rec?.daemonPid === process.pid) return;
        if (rec && groupAlive(rec.pgid)) {
          log.warn({ pgid: rec.pgid, server: rec.server, daemonPid: rec.daemonPid }, 'stopping a backend left by an earlier daemon');
          await terminateOrphanGroup(rec.pgid);
          stopped++;
        }
        fs.rmSync(file, { force: true });
      }),
    );
    return stopped;
  }
}
