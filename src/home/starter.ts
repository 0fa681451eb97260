// Finds the running daemon from daemon.json, or starts one (detached, logging to MCPLEX_HOME/logs) and waits for
// it; a daemon that cannot start is reported with its own words within moments, not after a long silent wait.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HomePaths } from './paths.js';
import { liveDaemonInfo, type DaemonInfo } from './state-file.js';

/** How long a starter waits for a daemon that is alive but not yet listening. */
export const DAEMON_WAIT_MS = 30_000;

/** The CLI entry, relative to this module: dist/home/starter.js, or the shim bundle at dist/shim.mjs. */
const CLI_RELATIVE = import.meta.url.endsWith('/shim.mjs') ? './bin/mcplex.js' : '../bin/mcplex.js';

/** The CLI entry that runs `serve`. */
function cliPath(): string {
  return fileURLToPath(new URL(CLI_RELATIVE, import.meta.url));
}

/** A daemon that could not start: what it said, and where the details are. */
export class DaemonStartError extends Error {
  constructor(readonly reason: string, readonly detailsFile: string) {
    super(`the mcplex daemon could not start: ${reason} (details: ${detailsFile})`);
  }
}

/**
 * The background daemon's command line: this node, `mcplex serve --detached` (a start that loses the lock race
 * exits 0 at once). Shared by every way a daemon starts: shims, `mcplex start`, the login service.
 */
export function daemonCommand(): string[] {
  // A small young generation keeps a long-lived daemon's memory flat under call bursts, at a negligible GC cost.
  return [process.execPath, '--max-semi-space-size=2', cliPath(), 'serve', '--detached'];
}

/**
 * Environment the background daemon starts with, beside the caller's. glibc serves a large allocation from the heap
 * once a freed one has raised its adaptive mmap threshold, and a heap seldom shrinks: a burst of large answers would
 * keep the daemon's memory up long after it ended. A fixed threshold (128 KiB, glibc's own default) keeps every large
 * buffer in its own mapping, returned to the system when freed. Ignored by other C libraries; a value the user set
 * wins. The native shim (native/home.c) and the login service (service-files.ts) set the same.
 */
export const DAEMON_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** The daemon's environment: `env` with DAEMON_ENV's values where `env` sets none. */
export function daemonEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...DAEMON_ENV, ...env };
}

/** Spawns `mcplex serve --detached`; if another daemon wins the lock, this one exits 0 at once. */
export function spawnDaemon(paths: HomePaths): ChildProcess {
  fs.mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  const out = fs.openSync(paths.daemonOut, 'a', 0o600);
  const [node, ...args] = daemonCommand();
  const child = spawn(node!, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: daemonEnv(),
  });
  child.unref();
  fs.closeSync(out);
  return child;
}

/** daemon.json if it names a live daemon (pid and process identity both match). */
export function liveDaemon(paths: HomePaths): DaemonInfo | undefined {
  return liveDaemonInfo(paths.daemonJson);
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** What a failed daemon wrote to daemon.out after `offset`: its own error line, or the last lines it printed. */
function failureCause(file: string, offset: number): string {
  let text = '';
  try {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(64 * 1024, Math.max(0, size - offset)));
    fs.readSync(fd, buf, 0, buf.length, Math.max(offset, size - buf.length));
    fs.closeSync(fd);
    text = buf.toString('utf8');
  } catch {
    // no output at all
  }
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const own = lines.find((l) => l.startsWith('mcplex: '));
  if (own) return own.slice('mcplex: '.length);
  return lines.slice(-3).join(' | ') || 'it exited without saying why';
}

/** Spawns a daemon and resolves with how it exited (0: another daemon held the lock), or 'alive' if it still runs. */
function attempt(paths: HomePaths): { exit: () => number | 'alive' } {
  const child = spawnDaemon(paths);
  let code: number | 'alive' = 'alive';
  child.once('exit', (c, signal) => {
    code = c ?? (signal ? 128 : 1);
  });
  child.once('error', () => {
    code = 1;
  });
  return { exit: () => code };
}

/** A daemon that lost the lock race waits this long for the winner before trying again. */
const RACE_GRACE_MS = 2000;

/**
 * Starts a daemon and waits until one is live (this one, or another that won the race). Rejects with a
 * DaemonStartError as soon as the spawned daemon exits with an error; a winner that never comes up is
 * replaced by a new attempt (at most one a second).
 */
export async function startDaemon(paths: HomePaths, notPid?: number, ms = DAEMON_WAIT_MS): Promise<DaemonInfo> {
  const deadline = Date.now() + ms;
  for (;;) {
    const offset = sizeOf(paths.daemonOut);
    const run = attempt(paths);
    let lostAt = 0;
    for (;;) {
      const info = liveDaemon(paths);
      if (info && info.pid !== notPid) return info;
      const exit = run.exit();
      if (exit !== 'alive' && exit !== 0) throw new DaemonStartError(failureCause(paths.daemonOut, offset), paths.daemonOut);
      if (Date.now() > deadline) throw new DaemonStartError(`no daemon came up within ${ms / 1000}s`, paths.log);
      if (exit === 0) {
        lostAt ||= Date.now();
        if (Date.now() - lostAt > RACE_GRACE_MS) break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
