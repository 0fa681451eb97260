// `mcplex logs [-f] [--server NAME] [--level L] [-n N]`: the daemon's pino log, pretty on a terminal, raw JSON lines otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { homePaths } from '../home/paths.js';
import { loadConfig, loadWorkspaceConfig, resolveConfigPath } from '../config/load.js';
import { findWorkspace } from '../env/workspace.js';
import { CliError } from './fail.js';

export interface LogsOptions {
  follow: boolean;
  server?: string;
  lines: number;
  /** Only lines at this pino level or above. */
  level?: string;
  /** Raw JSON lines even on a terminal. */
  json: boolean;
}

/** Which lines to print: about one server (its `server` field), at or above a level. */
interface LineFilter {
  server?: string;
  minLevel?: number;
}

/** pino's level names and numbers. */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

const CHUNK = 64 * 1024;
const POLL_MS = 250;

/** True if a log line belongs in the output. */
export function lineMatches(line: string, filter: LineFilter): boolean {
  if (!line.trim()) return false;
  if (filter.server === undefined && filter.minLevel === undefined) return true;
  try {
    const rec = JSON.parse(line) as { server?: unknown; level?: unknown };
    if (filter.server !== undefined && rec.server !== filter.server) return false;
    return filter.minLevel === undefined || (typeof rec.level === 'number' && rec.level >= filter.minLevel);
  } catch {
    return false;
  }
}

/** The servers a `--server` name may be: the config's, and the workspace's of this directory. */
async function configuredServers(): Promise<string[]> {
  const names: string[] = [];
  const files: Array<() => Promise<{ servers: Record<string, unknown> }>> = [
    () => loadConfig(resolveConfigPath({ env: process.env, home: homePaths().home })),
    () => loadWorkspaceConfig(path.join(findWorkspace(process.cwd()), '.mcplex.yaml')),
  ];
  for (const load of files) {
    try {
      names.push(...Object.keys((await load()).servers));
    } catch {
      // a missing or broken file names no servers
    }
  }
  return names;
}

/** The last `n` matching lines of one file, read backwards in chunks (the log can be megabytes). */
function tailFile(file: string, n: number, filter: LineFilter, end?: number): string[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    let pos = Math.min(end ?? Infinity, fs.fstatSync(fd).size);
    let carry = Buffer.alloc(0);
    const found: string[] = [];
    while (pos > 0 && found.length < n) {
      const size = Math.min(CHUNK, pos);
      pos -= size;
      const buf = Buffer.alloc(size);
      fs.readSync(fd, buf, 0, size, pos);
      let data = Buffer.concat([buf, carry]);
      // Everything before the first newline may be the end of a line that starts in an earlier chunk.
      const first = pos > 0 ? data.indexOf(10) : -1;
      if (pos > 0 && first < 0) {
        carry = data;
        continue;
      }
      carry = first >= 0 ? data.subarray(0, first) : Buffer.alloc(0);
      data = first >= 0 ? data.subarray(first + 1) : data;
      const lines = data.toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0 && found.length < n; i--) if (lineMatches(lines[i]!, filter)) found.push(lines[i]!);
    }
    if (pos === 0 && carry.length && found.length < n) {
      const line = carry.toString('utf8');
      if (lineMatches(line, filter)) found.push(line);
    }
    return found.reverse();
  } finally {
    fs.closeSync(fd);
  }
}

/** Formats one line: pretty (pino-pretty) or as it is. */
async function formatter(pretty: boolean): Promise<(line: string) => string> {
  if (!pretty) return (line) => `${line}\n`;
  const { prettyFactory } = (await import('pino-pretty')).default;
  const prettify = prettyFactory({ colorize: true, ignore: 'pid,hostname,server', translateTime: 'SYS:HH:MM:ss.l', messageFormat: '{if server}[{server}] {end}{msg}' });
  return (line) => {
    try {
      return prettify(JSON.parse(line) as object);
    } catch {
      return `${line}\n`;
    }
  };
}

/** Follows the log: reads what is appended; when the file is rotated or truncated, finishes the old one and reopens. */
function follow(file: string, filter: LineFilter, write: (line: string) => void, from?: fs.Stats): Promise<void> {
  let fd: number | undefined;
  let ino: number | undefined;
  let offset = 0;
  let partial = '';

  /** Opens the current file: at `from`'s end when it is still that file (nothing printed twice or skipped), else at 0. */
  const open = (from?: fs.Stats) => {
    try {
      fd = fs.openSync(file, 'r');
      const st = fs.fstatSync(fd);
      ino = st.ino;
      offset = from && from.ino === st.ino ? Math.min(from.size, st.size) : 0;
      partial = '';
    } catch {
      fd = undefined;
    }
  };

  const drain = () => {
    if (fd === undefined) return;
    const size = fs.fstatSync(fd).size;
    if (size < offset) {
      // truncated in place
      offset = 0;
      partial = '';
    }
    while (offset < size) {
      const len = Math.min(CHUNK, size - offset);
      const buf = Buffer.alloc(len);
      const got = fs.readSync(fd, buf, 0, len, offset);
      if (got <= 0) break;
      offset += got;
      const text = partial + buf.subarray(0, got).toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (lineMatches(line, filter)) write(line);
    }
  };

  open(from);
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      try {
        drain();
        let current: fs.Stats | undefined;
        try {
          current = fs.statSync(file);
        } catch {
          current = undefined; // rotated away, not yet recreated
        }
        if (current && current.ino !== ino) {
          if (fd !== undefined) fs.closeSync(fd);
          open();
          drain();
        }
      } catch {
        // a transient read error: try again on the next tick
      }
    }, POLL_MS);
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** Prints the last lines of the daemon log (filtered by server), and with --follow keeps printing new ones. */
export async function logs(o: LogsOptions): Promise<void> {
  const paths = homePaths();
  const pretty = !o.json && Boolean(process.stdout.isTTY);
  const format = await formatter(pretty);
  const write = (line: string) => process.stdout.write(format(line));

  if (o.level !== undefined && !(o.level in LEVELS)) throw new CliError(`--level must be one of ${Object.keys(LEVELS).join(', ')} (got ${o.level})`, 2);
  const filter: LineFilter = { ...(o.server !== undefined ? { server: o.server } : {}), ...(o.level ? { minLevel: LEVELS[o.level] } : {}) };
  const start = statOf(paths.log);
  // A server that is neither configured nor in the log is a typo: say so rather than print nothing.
  const names = o.server === undefined ? [] : await configuredServers();
  if (o.server !== undefined && !names.includes(o.server) && !tailFile(paths.log, 1, { server: o.server }).length) {
    throw new CliError(`unknown server "${o.server}": it is not configured${names.length ? ` (servers: ${names.join(', ')})` : ''} and not in the log`, 2);
  }
  if (!start && !o.follow) {
    throw new CliError(`no log yet at ${paths.log}: the daemon writes it once it runs (\`mcplex start\`, or any shim starts it)`, 1);
  }
  if (o.lines > 0) {
    let lines = tailFile(paths.log, o.lines, filter, start?.size);
    if (lines.length < o.lines) lines = [...tailFile(`${paths.log}.1`, o.lines - lines.length, filter), ...lines];
    for (const line of lines) write(line);
  }
  if (o.follow) await follow(paths.log, filter, write, start);
}
