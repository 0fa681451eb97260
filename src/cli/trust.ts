// `mcplex trust [DIR]` / `untrust [DIR]`: allow (or withdraw) the servers of a workspace's .mcplex.yaml, as they are now.
// A running daemon watches trust.json, so live sessions see the change at once.
import fs from 'node:fs';
import path from 'node:path';
import { serverCommandLine } from '../config/command-line.js';
import { formatProblems } from '../config/format.js';
import { ConfigError, loadWorkspaceConfig } from '../config/load.js';
import { findWorkspace } from '../env/workspace.js';
import { homePaths } from '../home/paths.js';
import { definitionHashes, TrustStore, WORKSPACE_FILE } from '../home/trust.js';
import { CliError } from './fail.js';

/** The workspace of DIR (default: the current directory), by its real path, as sessions started there see it. */
function workspaceOf(dir: string | undefined): string {
  const start = path.resolve(dir ?? process.cwd());
  if (!fs.existsSync(start)) throw new CliError(`${start} does not exist`, 2);
  return findWorkspace(fs.realpathSync(start));
}

/** Trusts every server the workspace's .mcplex.yaml defines now; a later change to one needs trust again. */
export async function trust(dir: string | undefined): Promise<void> {
  const ws = workspaceOf(dir);
  const file = path.join(ws, WORKSPACE_FILE);
  let servers;
  try {
    servers = (await loadWorkspaceConfig(file)).servers;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (err.missing) throw new CliError(`${file} does not exist: there is nothing to trust in ${ws}`, 2);
    throw new CliError(`${formatProblems(err)}\nfix it, then run \`mcplex trust\` again`, 2);
  }
  new TrustStore(homePaths().trust).grant(ws, definitionHashes(servers), true);
  const names = Object.keys(servers);
  const lines = names.map((n) => `  ${n}: ${serverCommandLine(servers[n]!)}`);
  process.stdout.write(
    names.length
      ? `trusted ${file}; these servers may now run as you:\n${lines.join('\n')}\nany later change to them needs \`mcplex trust\` again\n`
      : `trusted ${file} (it defines no servers yet)\n`,
  );
}

/** Withdraws trust in a workspace: its servers stop and do not start again until trusted. */
export async function untrust(dir: string | undefined): Promise<void> {
  const ws = workspaceOf(dir);
  const file = path.join(ws, WORKSPACE_FILE);
  const removed = new TrustStore(homePaths().trust).revoke(ws);
  process.stdout.write(removed ? `withdrew trust in ${file}: its servers stop, and start again only once trusted\n` : `${file} was not trusted; nothing to do\n`);
}
