// Where everything the daemon owns lives under MCPLEX_HOME (§2 of the contract).
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

export interface HomePaths {
  home: string;
  config: string;
  env: string;
  daemonJson: string;
  lock: string;
  /** The shims' endpoint: a Unix domain socket (a named pipe on Windows). */
  socket: string;
  logs: string;
  log: string;
  daemonOut: string;
  audit: string;
  cache: string;
  run: string;
  /** The daemon token HTTP clients and shims present (kept across restarts). */
  token: string;
  /** Workspace server definitions the user trusts. */
  trust: string;
}

/** Resolves MCPLEX_HOME (default ~/.mcplex) and the paths inside it. */
export function homePaths(env: NodeJS.ProcessEnv = process.env): HomePaths {
  const home = path.resolve(env.MCPLEX_HOME || path.join(os.homedir(), '.mcplex'));
  const logs = path.join(home, 'logs');
  return {
    home,
    config: path.join(home, 'config.yaml'),
    env: path.join(home, '.env'),
    daemonJson: path.join(home, 'daemon.json'),
    lock: path.join(home, 'daemon.lock'),
    socket: socketPath(home),
    logs,
    log: path.join(logs, 'mcplex.log'),
    daemonOut: path.join(logs, 'daemon.out'),
    audit: path.join(home, 'audit.jsonl'),
    cache: path.join(home, 'cache'),
    run: path.join(home, 'run'),
    token: path.join(home, 'token'),
    trust: path.join(home, 'trust.json'),
  };
}

/** Longest Unix socket path every platform accepts (sun_path is 104 bytes on macOS, 108 on Linux). */
const MAX_SOCKET_PATH = 100;

/**
 * `MCPLEX_HOME/mcplex.sock`; on Windows a named pipe per home. A home too deep for a socket path gets one in a
 * per-user 0700 directory under the temp dir instead (the daemon records the path it uses in daemon.json).
 */
function socketPath(home: string): string {
  const tag = crypto.createHash('sha256').update(home).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\mcplex-${tag}`;
  const inHome = path.join(home, 'mcplex.sock');
  if (Buffer.byteLength(inHome) <= MAX_SOCKET_PATH) return inHome;
  return path.join(os.tmpdir(), `mcplex-${process.getuid?.() ?? 'user'}`, `${tag}.sock`);
}
