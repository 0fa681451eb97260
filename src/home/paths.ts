// Where everything the daemon owns lives under MCPLEX_HOME (§2 of the contract).
import os from 'node:os';
import path from 'node:path';

export interface HomePaths {
  home: string;
  config: string;
  env: string;
  daemonJson: string;
  lock: string;
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
