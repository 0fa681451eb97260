// The termination ladder for a backend's whole process group: close stdin → wait → SIGTERM → wait → SIGKILL.
import type { ChildProcess } from 'node:child_process';
import { groupAlive } from './process-info.js';

export interface LadderTiming {
  /** How long to wait after closing stdin, and again after SIGTERM. */
  graceMs: number;
}

export const DEFAULT_LADDER: LadderTiming = { graceMs: 2000 };

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (check()) return resolve(true);
    const started = Date.now();
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer);
        resolve(true);
      } else if (Date.now() - started >= ms) {
        clearInterval(timer);
        resolve(false);
      }
    }, 25);
  });
}

/** Stops a child spawned with `detached: true` and every process left in its group; resolves when all are gone. */
export async function terminateGroup(child: ChildProcess, timing: LadderTiming = DEFAULT_LADDER): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  child.stdin?.end();
  const gone = () => exited(child) && !groupAlive(pgid);
  if (await waitFor(gone, timing.graceMs)) return;
  signalGroup(pgid, 'SIGTERM');
  if (await waitFor(gone, timing.graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitFor(gone, timing.graceMs);
}

/** Stops a recorded process group whose leader we no longer hold a handle to (orphans of a dead daemon). */
export async function terminateOrphanGroup(pgid: number, timing: LadderTiming = DEFAULT_LADDER): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  if (await waitFor(() => !groupAlive(pgid), timing.graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitFor(() => !groupAlive(pgid), timing.graceMs);
}
