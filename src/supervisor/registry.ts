// Records each backend's process group under MCPLEX_HOME/run (with the leader's and the daemon's process identity)
// so a new daemon can stop what a dead one left behind — and never signals a group that merely reuses a pid.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { groupAlive, processAlive, processIdentity, sameProcess } from './process-info.js';
import { terminateOrphanGroup } from './terminate.js';

/** One backend process group as recorded when it was spawned. */
export interface BackendRecord {
  pgid: number;
  /** The group leader's identity (start time) at spawn. */
  identity?: string;
  daemonPid: number;
  daemonIdentity?: string;
  server: string;
  startedAt: string;
}

/** What a record says now: its daemon still runs it, a dead daemon left it running, or nothing of it remains. */
export type RecordState = 'running' | 'orphan' | 'gone';

/**
 * Classifies a record. The group is ours only if its leader is the very process recorded, or the leader has exited
 * while group members remain (a pgid cannot be reused while its group exists). A live leader with another
 * identity is an unrelated process that reuses the pid: 'gone', never signalled.
 */
export function recordState(rec: BackendRecord): RecordState {
  if (!groupAlive(rec.pgid)) return 'gone';
  if (processAlive(rec.pgid) && processIdentity(rec.pgid) !== rec.identity) return 'gone';
  return sameProcess(rec.daemonPid, rec.daemonIdentity) ? 'running' : 'orphan';
}

/** One small file per live backend process group. */
export class ProcessRegistry {
  private readonly me = { daemonPid: process.pid, daemonIdentity: processIdentity(process.pid) };

  constructor(private readonly dir: string) {}

  private file(pgid: number): string {
    return path.join(this.dir, `backend-${pgid}.json`);
  }

  /** Notes a backend's process group (its leader's pid) with the leader's identity. */
  record(pgid: number, server: string): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const rec: BackendRecord = { pgid, identity: processIdentity(pgid), ...this.me, server, startedAt: new Date().toISOString() };
    fs.writeFileSync(this.file(pgid), JSON.stringify(rec), { mode: 0o600 });
  }

  /** Forgets a process group that has been stopped. */
  forget(pgid: number): void {
    fs.rmSync(this.file(pgid), { force: true });
  }

  /** Every readable record with its file (unreadable ones are reported as undefined). */
  records(): Array<{ file: string; rec?: BackendRecord }> {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => /^backend-\d+\.json$/.test(n));
    } catch {
      return [];
    }
    return names.map((name) => {
      const file = path.join(this.dir, name);
      try {
        return { file, rec: JSON.parse(fs.readFileSync(file, 'utf8')) as BackendRecord };
      } catch {
        return { file };
      }
    });
  }

  /** Stops every group an earlier daemon left behind (the caller holds the singleton lock, so none is ours). */
  async sweep(log: Logger): Promise<number> {
    let stopped = 0;
    await Promise.all(
      this.records().map(async ({ file, rec }) => {
        if (rec?.daemonPid === process.pid) return;
        const state = rec ? recordState(rec) : 'gone';
        if (state === 'running') return; // another daemon's, alive (not ours to touch)
        if (rec && state === 'orphan') {
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
