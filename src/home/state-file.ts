// daemon.json: how shims and the CLI find the running daemon (pid and its identity, socket, port, token), mode 0600.
import fs from 'node:fs';
import path from 'node:path';
import { sameProcess } from '../supervisor/process-info.js';

export interface DaemonInfo {
  pid: number;
  /** Identifies the daemon process beyond its pid (start time): a stale file whose pid was reused is not trusted. */
  identity?: string;
  /** The shims' endpoint (a Unix domain socket only the owner can open). */
  socket: string;
  /** The HTTP port, or null when it could not be bound (shims still work over the socket). */
  port: number | null;
  url: string | null;
  token: string;
  version: string;
  startedAt: string;
  configPath: string;
}

/** Writes daemon.json atomically with mode 0600. */
export function writeDaemonInfo(file: string, info: DaemonInfo): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Reads daemon.json, or undefined when absent or unreadable. */
export function readDaemonInfo(file: string): DaemonInfo | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as DaemonInfo;
    return typeof v.pid === 'number' && typeof v.socket === 'string' && typeof v.token === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** daemon.json if the process it names is still that very daemon (pid and identity both match). */
export function liveDaemonInfo(file: string): DaemonInfo | undefined {
  const info = readDaemonInfo(file);
  return info && sameProcess(info.pid, info.identity) ? info : undefined;
}

/** Removes daemon.json if it still describes this process. */
export function removeDaemonInfo(file: string, pid = process.pid): void {
  if (readDaemonInfo(file)?.pid === pid) fs.rmSync(file, { force: true });
}
