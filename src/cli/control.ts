// `mcplex start` / `stop`: the background daemon's lifecycle.
import { homePaths } from '../home/paths.js';
import { liveLockOwner } from '../daemon/lock.js';
import { sameProcess } from '../supervisor/process-info.js';
import { liveDaemon, startDaemon } from '../home/starter.js';
import { CliError } from './fail.js';
import { daemonJson } from './daemon-http.js';

/** Starts the daemon unless one runs; prints where it listens, and fails (2) if its config is refused. */
export async function start(): Promise<void> {
  const paths = homePaths();
  let info = liveDaemon(paths);
  if (info) {
    process.stdout.write(`mcplex daemon already running (pid ${info.pid}, ${where(info)})\n`);
  } else {
    try {
      info = await startDaemon(paths);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    process.stdout.write(`mcplex daemon started (pid ${info.pid}, ${where(info)})\n`);
  }
  // A daemon on a config it refused runs (and takes the fix when the file is saved) but serves nothing: a config error.
  const problem = (await daemonJson(info, '/api/status').catch(() => undefined))?.body?.daemon?.configError;
  if (problem) {
    throw new CliError(`its config is refused, so it serves no servers until the file is fixed (it reloads on save; \`mcplex config validate\` checks it): ${problem}`, 2);
  }
}

/** Where a daemon listens, for humans. */
function where(info: { url: string | null; socket: string }): string {
  return info.url ? `${info.url}, socket ${info.socket}` : `socket ${info.socket}; no HTTP port (see \`mcplex status\`)`;
}

/** Stops the daemon (SIGTERM: it stops every backend first) and waits until it is gone; signals only that very process. */
export async function stop(): Promise<void> {
  const paths = homePaths();
  const owner = liveDaemon(paths) ?? liveLockOwner(paths.lock);
  if (!owner) {
    process.stdout.write('mcplex daemon is not running\n');
    return;
  }
  const { pid, identity } = owner;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (sameProcess(pid, identity)) {
    if (Date.now() > deadline) throw new CliError(`daemon pid ${pid} did not stop within 30s; see ${paths.log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stdout.write(`mcplex daemon stopped (pid ${pid})\n`);
}

/** Recycles one server's instances and resets its circuit breaker. */
export async function restartServer(name: string): Promise<void> {
  const info = liveDaemon(homePaths());
  if (!info) throw new CliError('the mcplex daemon is not running; nothing to restart');
  const r = await daemonJson(info, `/api/restart?server=${encodeURIComponent(name)}`, { method: 'POST' });
  if (r.status === 404) throw new CliError(`unknown server "${name}"; see \`mcplex status\` or your config`, 2);
  if (r.status !== 200) throw new CliError(`daemon refused: ${JSON.stringify(r.body)}`);
  process.stdout.write(`restarted ${name}: ${r.body.stopped} instance(s) stopped; the next call starts it fresh\n`);
}
