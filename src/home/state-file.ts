// daemon.json: how shims and the CLI find the running daemon (pid, port, url, token), mode 0600.
import fs from 'node:fs';
import path from 'node:path';

export interface DaemonInfo {
  pid: number;
  port: number;
  url: string;
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
    return typeof v.port === 'number' && typeof v.token === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Removes daemon.json if it still describes this process. */
export function removeDaemonInfo(file: string, pid = process.pid): void {
  if (readDaemonInfo(file)?.pid === pid) fs.rmSync(file, { force: true });
}
