// `mcplex serve`: take the singleton lock first (cheap), then load and run the daemon.
import { homePaths } from '../home/paths.js';
import { acquireLock, LockHeldError } from '../daemon/lock.js';
import { resolveConfigPath } from '../config/load.js';
import { CliError } from './fail.js';

/** Runs the daemon in this process until it is stopped. */
export async function serve(o: { config?: string; port?: number; detached: boolean }): Promise<void> {
  const paths = homePaths();
  let release: () => void;
  try {
    release = acquireLock(paths.lock);
  } catch (err) {
    if (err instanceof LockHeldError) {
      if (o.detached) process.exit(0); // a racing start lost to a daemon that is already up
      throw new CliError(`${err.message}; use \`mcplex stop\` first, or set MCPLEX_HOME for a separate daemon`);
    }
    throw err;
  }
  const configPath = resolveConfigPath({ flag: o.config, env: process.env, home: paths.home });
  const { runDaemon } = await import('../daemon/daemon.js');
  try {
    await runDaemon({
      paths,
      configPath,
      configExplicit: Boolean(o.config || process.env.MCPLEX_CONFIG),
      port: o.port,
      foreground: !o.detached,
      releaseLock: release,
    });
  } catch (err) {
    release();
    const problems = (err as { problems?: unknown }).problems;
    if (problems) {
      const { formatProblems } = await import('../config/format.js');
      throw new CliError(formatProblems(err as never), 2);
    }
    throw err;
  }
  process.exit(0);
}
