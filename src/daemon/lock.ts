// Singleton lock per MCPLEX_HOME: atomically linked pid file with the owner's process identity; a lock whose owner is gone is broken safely.
import fs from 'node:fs';
import path from 'node:path';
import { processIdentity, sameProcess } from '../supervisor/process-info.js';

export interface LockOwner {
  pid: number;
  /** Identifies the process beyond its pid (start time), so a reused pid is not mistaken for the owner. */
  identity?: string;
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
    if (typeof v.pid !== 'number') return undefined;
    return { pid: v.pid, ...(typeof v.identity === 'string' ? { identity: v.identity } : {}), startedAt: String(v.startedAt ?? '') };
  } catch {
    return undefined;
  }
}

/** True if the owner recorded in a lock is still that very process. */
function ownerLive(owner: LockOwner | undefined): owner is LockOwner {
  return !!owner && sameProcess(owner.pid, owner.identity);
}

/** Reads the current lock owner, if the lock exists and its owner is still running. */
export function liveLockOwner(lockPath: string): LockOwner | undefined {
  const owner = readOwner(lockPath);
  return ownerLive(owner) ? owner : undefined;
}

/**
 * Takes the lock or throws LockHeldError. The lock file is written complete under a temporary
 * name and then hard-linked into place, so nobody ever reads a half-written lock.
 */
export function acquireLock(lockPath: string): () => void {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  const me: LockOwner = { pid: process.pid, identity: processIdentity(process.pid), startedAt: new Date().toISOString() };
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
      if (ownerLive(owner)) throw new LockHeldError(owner, lockPath);
      breakStaleLock(lockPath, owner);
    }
    throw new Error(`could not take ${lockPath}: it keeps changing; remove it if no mcplex daemon runs`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Moves a gone owner's lock aside; if a live process won the race meanwhile, puts its lock back. */
function breakStaleLock(lockPath: string, dead: LockOwner | undefined): void {
  const aside = `${lockPath}.${process.pid}.stale`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readOwner(aside);
  if (moved && dead && moved.pid !== dead.pid && ownerLive(moved)) {
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
