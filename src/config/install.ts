// install/remove a server: plan the edit (catalog lookup, secrets to .env as ${NAME}), validate it, apply it atomically.
import type { ServerConfig, Sharing } from './types.js';
import { parseWorkspaceConfig } from './load.js';
import { editedConfigText, hasServer, setEnvVars, writeAtomic } from './edit.js';
import { KNOWN_SERVERS } from './known-servers.js';

export interface InstallRequest {
  server: string;
  command?: string;
  args?: string[];
  url?: string;
  /** Variable values: written to the scope's .env; the config refers to them as ${NAME}. */
  env?: Record<string, string>;
  sharing?: Sharing;
  replace?: boolean;
}

export interface EditTarget {
  kind: 'global' | 'workspace';
  configFile: string;
  envFile: string;
}

export interface InstallPlan {
  server: string;
  target: EditTarget;
  entry: Record<string, unknown>;
  /** Names (never values) of the variables that go to the .env file. */
  envKeys: string[];
  /** Variables the server needs that no value was given for. */
  missingEnv: string[];
  text: string;
}

const NAME = /^[A-Za-z0-9_-]+$/;

/** Works out exactly what an install would write; throws an Error that says what to fix. */
export function planInstall(req: InstallRequest, target: EditTarget): InstallPlan {
  if (!NAME.test(req.server)) throw new Error(`server name "${req.server}" must match [A-Za-z0-9_-]+`);
  if (hasServer(target.configFile, req.server) && !req.replace) {
    throw new Error(`server "${req.server}" already exists in ${target.configFile}; pass replace: true to overwrite it`);
  }
  const known = KNOWN_SERVERS[req.server];
  if (!req.command && !req.url && !known) {
    throw new Error(`"${req.server}" is not in the built-in catalog (${Object.keys(KNOWN_SERVERS).join(', ')}); give a command (and args) or a url`);
  }
  const given = req.env ?? {};
  for (const k of Object.keys(given)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`env name "${k}" is not a valid variable name`);
  const needed = [...new Set([...(req.command || req.url ? [] : (known?.env ?? [])), ...Object.keys(given)])];
  const entry: Record<string, unknown> = req.url
    ? { url: req.url }
    : req.command
      ? { command: req.command, args: req.args ?? [] }
      : { command: known!.command, args: known!.args };
  if (!req.command && !req.url && known) entry.description = known.description;
  if (needed.length) entry.env = Object.fromEntries(needed.map((k) => [k, `\${${k}}`]));
  if (req.sharing) entry.sharing = req.sharing;
  const text = editedConfigText(target.configFile, target.kind, req.server, entry);
  return { server: req.server, target, entry, envKeys: Object.keys(given), missingEnv: needed.filter((k) => !(k in given)), text };
}

/** The server definition a workspace install writes, as the daemon will read it back (so it can be trusted as written). */
export function installedServer(plan: InstallPlan): ServerConfig {
  return parseWorkspaceConfig(plan.text, plan.target.configFile).servers[plan.server]!;
}

/** Writes the plan: secrets to the .env (0600) first, then the config. */
export function applyInstall(plan: InstallPlan, env: Record<string, string> = {}): void {
  if (plan.envKeys.length) setEnvVars(plan.target.envFile, Object.fromEntries(plan.envKeys.map((k) => [k, env[k]!])));
  // A config.yaml mcplex creates is private like the rest of MCPLEX_HOME; a new .mcplex.yaml is a project file.
  writeAtomic(plan.target.configFile, plan.text, plan.target.kind === 'global' ? 0o600 : 0o644);
}

/** The config text without `servers.<name>`; throws if it is not there. */
export function planRemove(server: string, target: EditTarget): string {
  if (!hasServer(target.configFile, server)) throw new Error(`server "${server}" is not defined in ${target.configFile}`);
  return editedConfigText(target.configFile, target.kind, server, undefined);
}
