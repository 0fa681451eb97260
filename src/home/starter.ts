// Finds the running daemon from daemon.json, or starts one (detached, logging to MCPLEX_HOME/logs) and waits for it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HomePaths } from './paths.js';
import { readDaemonInfo, type DaemonInfo } from './state-file.js';
import { processAlive } from '../supervisor/process-info.js';

/** How long a shim waits for a daemon to come up before giving up. */
export const DAEMON_WAIT_MS = 30_000;

/** The CLI entry, relative to this module: dist/daemon/starter.js, or the shim bundle at dist/shim.mjs. */
const CLI_RELATIVE = import.meta.url.endsWith('/shim.mjs') ? './bin/mcplex.js' : '../bin/mcplex.js';

/** The CLI entry that runs `serve`. */
function cliPath(): string {
  return fileURLToPath(new URL(CLI_RELATIVE, import.meta.url));
}

/** Spawns `mcplex serve` detached; if another daemon wins the lock, this one exits at once. */
export function spawnDaemon(paths: HomePaths): void {
  fs.mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  const out = fs.openSync(paths.daemonOut, 'a', 0o600);
  // A small young generation keeps a long-lived daemon's memory flat under call bursts, at a negligible GC cost.
  const child = spawn(process.execPath, ['--max-semi-space-size=2', cliPath(), 'serve', '--detached'], {
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  child.unref();
  fs.closeSync(out);
}

/** daemon.json if it names a live process. */
export function liveDaemon(paths: HomePaths): DaemonInfo | undefined {
  const info = readDaemonInfo(paths.daemonJson);
  return info && processAlive(info.pid) ? info : undefined;
}

/** Waits until daemon.json names a live daemon other than `notPid`. */
export async function waitForDaemon(paths: HomePaths, notPid?: number, ms = DAEMON_WAIT_MS): Promise<DaemonInfo> {
  const deadline = Date.now() + ms;
  for (;;) {
    const info = liveDaemon(paths);
    if (info && info.pid !== notPid) return info;
    if (Date.now() > deadline) {
      throw new Error(`no mcplex daemon came up within ${ms / 1000}s; see ${paths.daemonOut} and ${paths.log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
