// pino logger: JSON to MCPLEX_HOME/logs (mode 0600, size-bounded rotation), plus stderr (pretty on a TTY) in the foreground.
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createRequire } from 'node:module';

/** Rotate the log once it passes this size (keeps one previous file). */
export const MAX_LOG_BYTES = 10 * 1024 * 1024;

/** How often the running daemon checks the log's size. */
const ROTATE_CHECK_MS = 30_000;

export interface LoggerOptions {
  file: string;
  level?: string;
  /** Also write to stderr (foreground `serve`). */
  stderr?: boolean;
}

function rotate(file: string): void {
  try {
    if (fs.statSync(file).size > MAX_LOG_BYTES) fs.renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

/** pino-pretty to stderr, loaded only when a human is watching. */
function prettyStderr(): pino.DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => pino.DestinationStream;
  return pretty({ destination: 2, colorize: true, ignore: 'pid,hostname' });
}

/** Creates the daemon's root logger. Secrets never reach it: callers log redacted text only, and env/token fields are censored. */
export function createLogger(opts: LoggerOptions): Logger {
  fs.mkdirSync(path.dirname(opts.file), { recursive: true, mode: 0o700 });
  rotate(opts.file);
  const level = (opts.level ?? process.env.MCPLEX_LOG_LEVEL ?? 'info') as pino.Level;
  // Each stream gets the logger's level: multistream entries default to info and would drop debug lines.
  // Synchronous and owner-only: the log is written a few lines per session, never per call, and a daemon that
  // fails at once still leaves its last words (an async destination still opening throws "sonic boom is not ready yet").
  const file = pino.destination({ dest: opts.file, sync: true, mode: 0o600 });
  // Size-bounded while running too: past the limit the file moves to .1 and a fresh one is opened.
  setInterval(() => {
    try {
      if (fs.statSync(opts.file).size > MAX_LOG_BYTES) {
        fs.renameSync(opts.file, `${opts.file}.1`);
        file.reopen(opts.file);
      }
    } catch {
      // the log was removed by hand: reopen recreates it
      file.reopen(opts.file);
    }
  }, ROTATE_CHECK_MS).unref();
  const streams: pino.StreamEntry[] = [{ level, stream: file }];
  if (opts.stderr) {
    // Humans get readable lines on a terminal; pipes and files get JSON.
    streams.push({ level, stream: process.stderr.isTTY ? prettyStderr() : process.stderr });
  }
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: ['env', '*.env', 'token', '*.token', 'headers', '*.headers', 'secrets'], censor: '[redacted]' },
    },
    pino.multistream(streams),
  );
}
