// `mcplex logs [-f] [--server NAME] [-n N]`: the daemon's pino log, pretty on a terminal, raw JSON lines otherwise.
import fs from 'node:fs';
import { homePaths } from '../home/paths.js';
import { CliError } from './fail.js';

export interface LogsOptions {
  follow: boolean;
  server?: string;
  lines: number;
  /** Raw JSON lines even on a terminal. */
  json: boolean;
}

const CHUNK = 64 * 1024;
const POLL_MS = 250;

/** True if a log line belongs in the output (with --server: its `server` field is that name). */
export function lineMatches(line: string, server: string | undefined): boolean {
  if (!line.trim()) return false;
  if (server === undefined) return true;
  try {
    const rec = JSON.parse(line) as { server?: unknown };
    return rec.server === server;
  } catch {
    return false;
  }
}

/** The last `n` matching lines of one file, read backwards in chunks (the log can be megabytes). */
function tailFile(file: string, n: number, server: string | undefined, end?: number): string[] {
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
      for (let i = lines.length - 1; i >= 0 && found.length < n; i--) if (lineMatches(lines[i]!, server)) found.push(lines[i]!);
    }
    if (pos === 0 && carry.length && found.length < n) {
      const line = carry.toString('utf8');
      if (lineMatches(line, server)) found.push(line);
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
function follow(file: string, server: string | undefined, write: (line: string) => void, from?: fs.Stats): Promise<void> {
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
      for (const line of lines) if (lineMatches(line, server)) write(line);
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

  if (!fs.existsSync(paths.log) && !o.follow) {
    throw new CliError(`no log yet at ${paths.log}: the daemon writes it once it runs (\`mcplex start\`, or any shim starts it)`, 1);
  }
  const start = statOf(paths.log);
  if (o.lines > 0) {
    let lines = tailFile(paths.log, o.lines, o.server, start?.size);
    if (lines.length < o.lines) lines = [...tailFile(`${paths.log}.1`, o.lines - lines.length, o.server), ...lines];
    for (const line of lines) write(line);
  }
  if (o.follow) await follow(paths.log, o.server, write, start);
}
