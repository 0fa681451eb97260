// Singleton lock per MCPLEX_HOME: atomically linked pid file; a lock whose owner is dead is broken safely.
import fs from 'node:fs';
import path from 'node:path';
import { processAlive } from '../supervisor/process-info.js';

export interface LockOwner {
  pid: number;
  startedAt: string;
}

/** Thrown when another live daemon holds the lock. */
export class LockHeldError extends Error {
  readonly code = 'DAEMON_RUNNING';
  constructor(readonly owner: LockOwner, lockPath: string) {
    super(`another mcplex daemon (pid ${owner.pid}) already holds ${lockPath}`);
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof v.pid === 'number' ? { pid: v.pid, startedAt: String(v.startedAt ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the current lock owner, if the lock exists and its owner is alive. */
export function liveLockOwner(lockPath: string): LockOwner | undefined {
  const owner = readOwner(lockPath);
  return owner && processAlive(owner.pid) ? owner : undefined;
}

/**
 * Takes the lock or throws LockHeldError. The lock file is written complete under a temporary
 * name and then hard-linked into place, so nobody ever reads a half-written lock.
 */
export function acquireLock(lockPath: string): () => void {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  const me: LockOwner = { pid: process.pid, startedAt: new Date().toISOString() };
  const tmp = `${lockPath}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(me), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(tmp, lockPath);
        return () => releaseLock(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(lockPath);
      if (owner && processAlive(owner.pid)) throw new LockHeldError(owner, lockPath);
      breakStaleLock(lockPath, owner);
    }
    throw new Error(`could not take ${lockPath}: it keeps changing; remove it if no mcplex daemon runs`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Moves a dead owner's lock aside; if a live process won the race meanwhile, puts its lock back. */
function breakStaleLock(lockPath: string, dead: LockOwner | undefined): void {
  const aside = `${lockPath}.${process.pid}.stale`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readOwner(aside);
  if (moved && dead && moved.pid !== dead.pid && processAlive(moved.pid)) {
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      // someone else took the lock already; ours is the loser's problem to report
    }
  }
  fs.rmSync(aside, { force: true });
}

/** Releases the lock if this process still owns it. */
export function releaseLock(lockPath: string): void {
  const owner = readOwner(lockPath);
  if (owner?.pid === process.pid) fs.rmSync(lockPath, { force: true });
}
