// `mcplex add` / `mcplex remove`: the same edits as install_server / remove_server, made through the daemon so the server is started (or stopped) the same way.
import path from 'node:path';
import { applyRemove, planInstall, planRemove, type EditTarget, type InstallRequest } from '../config/install.js';
import { ConfigError, loadConfig, resolveConfigPath } from '../config/load.js';
import type { Sharing } from '../config/types.js';
import { homePaths } from '../home/paths.js';
import { liveDaemon } from '../home/starter.js';
import { findWorkspace } from '../env/workspace.js';
import { connectDaemon, metaJson } from './client.js';
import { CliError } from './fail.js';

export interface EditFlags {
  scope: 'workspace' | 'global';
  sharing?: Sharing;
  env: string[];
  url?: string;
  replace?: boolean;
  force?: boolean;
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
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CliError(`--env takes KEY=VALUE (got ${p})`, 2);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return { ...out };
}

/** Names of the global config's servers (none when it is missing or broken: the daemon reports that itself). */
async function globalServers(): Promise<string[]> {
  try {
    return Object.keys((await loadConfig(resolveConfigPath({ env: process.env, home: homePaths().home }))).servers);
  } catch (err) {
    if (err instanceof ConfigError) return [];
    throw err;
  }
}

interface AddOutcome {
  file: string;
  tools?: string[];
  envFile?: string;
  envKeys?: string[];
  notes?: string[];
  missingEnv?: string[];
  hint?: string;
}

/**
 * Adds a server to the workspace's .mcplex.yaml or the global config. Mistakes (a name taken, a global server it
 * would hide, a missing runtime, a bad URL) exit 2 before anything is written or started; then the daemon (started
 * if needed) installs it, starts it and undoes the install if it cannot start (exit 1, saying why).
 */
export async function add(name: string, command: string[], flags: EditFlags): Promise<void> {
  const t = target(flags.scope);
  const req: InstallRequest = {
    server: name,
    ...(command.length ? { command: command[0]!, args: command.slice(1) } : {}),
    ...(flags.url ? { url: flags.url } : {}),
    env: parseEnv(flags.env),
    ...(flags.sharing ? { sharing: flags.sharing } : {}),
    replace: flags.replace ?? false,
    force: flags.force ?? false,
  };
  try {
    planInstall(req, t, { globalServers: await globalServers(), pathVar: process.env.PATH ?? '' });
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const dc = await connectDaemon();
  let out: AddOutcome;
  try {
    out = await metaJson<AddOutcome>(dc, 'install_server', { ...req, scope: flags.scope, confirm: true });
  } finally {
    await dc.close();
  }
  const lines = [`added ${name} to ${out.file}${out.tools?.length ? ` (tools: ${out.tools.join(', ')})` : ''}`];
  if (out.envKeys?.length) lines.push(`values stored in ${out.envFile} as ${out.envKeys.join(', ')}`);
  for (const note of out.notes ?? []) lines.push(note);
  if (out.hint) lines.push(out.hint);
  process.stdout.write(lines.join('\n') + '\n');
}

/** Removes a server (and the .env variables written for it); a running daemon stops its instances before this returns. */
export async function remove(name: string, flags: { scope: string }): Promise<void> {
  const t = target(flags.scope);
  let plan;
  try {
    plan = planRemove(name, t);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  if (!liveDaemon(homePaths())) {
    applyRemove(plan);
    process.stdout.write(`removed ${name} from ${t.configFile}\n`);
    return;
  }
  const dc = await connectDaemon();
  let out: { file: string; stopped?: number; hint?: string };
  try {
    out = await metaJson(dc, 'remove_server', { server: name, scope: flags.scope, confirm: true });
  } finally {
    await dc.close();
  }
  const stopped = out.stopped ? `; stopped ${out.stopped} running instance${out.stopped === 1 ? '' : 's'}` : '';
  process.stdout.write(`removed ${name} from ${out.file}${stopped}${out.hint ? `\n${out.hint}` : ''}\n`);
}
