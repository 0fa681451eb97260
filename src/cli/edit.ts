// `mcplex add` / `mcplex remove`: the same edits as install_server / remove_server, straight to the files (a running daemon hot-reloads them).
import path from 'node:path';
import { applyInstall, installedServer, planInstall, planRemove, type EditTarget } from '../config/install.js';
import { writeAtomic } from '../config/edit.js';
import { resolveConfigPath } from '../config/load.js';
import type { Sharing } from '../config/types.js';
import { homePaths } from '../home/paths.js';
import { definitionHash, TrustStore } from '../home/trust.js';
import { findWorkspace } from '../env/workspace.js';
import { CliError } from './fail.js';

export interface EditFlags {
  scope: 'workspace' | 'global';
  sharing?: Sharing;
  env: string[];
  url?: string;
  replace?: boolean;
}

function target(scope: string): EditTarget {
  if (scope === 'global') {
    const paths = homePaths();
    return { kind: 'global', configFile: resolveConfigPath({ env: process.env, home: paths.home }), envFile: paths.env };
  }
  if (scope !== 'workspace') throw new CliError(`--scope must be workspace or global (got ${scope})`, 2);
  const ws = findWorkspace(process.cwd());
  return { kind: 'workspace', configFile: path.join(ws, '.mcplex.yaml'), envFile: path.join(ws, '.env') };
}

function parseEnv(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CliError(`--env takes KEY=VALUE (got ${p})`, 2);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** Adds a server to the workspace's .mcplex.yaml or the global config. */
export async function add(name: string, command: string[], flags: EditFlags): Promise<void> {
  const t = target(flags.scope);
  const env = parseEnv(flags.env);
  try {
    const plan = planInstall(
      {
        server: name,
        ...(command.length ? { command: command[0]!, args: command.slice(1) } : {}),
        ...(flags.url ? { url: flags.url } : {}),
        env,
        ...(flags.sharing ? { sharing: flags.sharing } : {}),
        replace: flags.replace ?? false,
      },
      t,
    );
    // What the user adds to a workspace is trusted as written (only that server, not the rest of the file).
    if (t.kind === 'workspace') new TrustStore(homePaths().trust).grant(path.dirname(t.configFile), { [name]: definitionHash(installedServer(plan)) });
    applyInstall(plan, env);
    process.stdout.write(`added ${name} to ${t.configFile}${plan.envKeys.length ? ` (${plan.envKeys.join(', ')} in ${t.envFile})` : ''}\n`);
    if (plan.missingEnv.length) process.stdout.write(`set ${plan.missingEnv.join(', ')} in ${t.envFile} before using it\n`);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

/** Removes a server from the workspace's .mcplex.yaml or the global config. */
export async function remove(name: string, flags: { scope: string }): Promise<void> {
  const t = target(flags.scope);
  let text: string;
  try {
    text = planRemove(name, t);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  writeAtomic(t.configFile, text);
  process.stdout.write(`removed ${name} from ${t.configFile}\n`);
}
