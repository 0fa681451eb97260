// Picks the connector for a resolved server: stdio process, docker container (stdio), or a remote server over HTTP.
import type { ResolvedServer } from '../env/resolve.js';
import type { ServerConfig } from '../config/types.js';
import { commandProblem, cwdProblem } from '../config/commands.js';
import { StdioTransport } from './stdio.js';
import { dockerArgs } from './docker.js';
import { remote } from './remote.js';
import { ConnectError, type Connection, type ConnectOptions } from './connection.js';

/** Creates (but does not start) the transport for one instance; throws ConnectError when it cannot work as configured. */
export async function connectBackend(resolved: ResolvedServer, server: ServerConfig, opts: ConnectOptions): Promise<Connection> {
  if (resolved.url !== undefined) return remote({ ...resolved, url: resolved.url }, server, opts);
  const [command, args] = resolved.docker ? ['docker', dockerArgs(resolved)] : [resolved.command ?? '', resolved.args];
  // Without PATH in its env, spawn searches /usr/bin:/bin.
  const problem = cwdProblem(resolved.cwd) ?? commandProblem(command, resolved.cwd, resolved.env.PATH ?? '/usr/bin:/bin');
  if (problem) throw new ConnectError(opts.redact(problem));
  const stdio = new StdioTransport({ command, args, cwd: resolved.cwd, env: resolved.env }, opts);
  return {
    transport: stdio,
    remote: false,
    pid: () => stdio.pid,
    stderrTail: (n) => stdio.stderr.tail(n),
    exitDescription: () => stdio.exitDescription || 'closed',
    exitStatus: () => stdio.exit ?? undefined,
  };
}
