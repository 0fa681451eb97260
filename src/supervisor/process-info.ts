// Small facts about processes: liveness, group liveness, and identity beyond the pid (so a reused pid is never trusted).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** True if a process with this pid exists (and, on Linux, is not a zombie). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/** True if the process group has any live member. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: string | undefined;

/** This boot's id (Linux), so start times from before a reboot never match. */
function linuxBootId(): string {
  bootId ??= fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  return bootId;
}

/**
 * What identifies a running process beyond its pid: on Linux the boot id and the start time in clock ticks
 * (`/proc/PID/stat` field 22); elsewhere the start time `ps` reports. Undefined when the process is gone.
 */
export function processIdentity(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return `linux:${linuxBootId()}:${fields[19]}`;
    } catch {
      return undefined;
    }
  }
  if (process.platform === 'win32') return processAlive(pid) ? `pid:${pid}` : undefined;
  try {
    const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return started ? `ps:${started}` : undefined;
  } catch {
    return undefined;
  }
}

/** True only if `pid` is alive and is the very process `identity` was taken from (a record without one is stale). */
export function sameProcess(pid: number, identity: string | undefined): boolean {
  return identity !== undefined && processAlive(pid) && processIdentity(pid) === identity;
}
