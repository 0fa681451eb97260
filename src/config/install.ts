// install/remove a server: plan the edit (catalog lookup, values to the right .env under the server's own names), validate it, apply it atomically, undo it.
import fs from 'node:fs';
import { isMap, parseDocument } from 'yaml';
import type { ServerConfig, Sharing } from './types.js';
import { parseWorkspaceConfig } from './load.js';
import { commandProblem } from './commands.js';
import { editedConfigText, hasServer, linkTarget, setEnvVars, writeAtomic } from './edit.js';
import { KNOWN_SERVERS, type KnownServer } from './known-servers.js';

export interface InstallRequest {
  server: string;
  command?: string;
  args?: string[];
  url?: string;
  /** Variable values: written to the scope's .env under names of this server's own; the config refers to them as ${NAME}. */
  env?: Record<string, string>;
  sharing?: Sharing;
  replace?: boolean;
  /** Let a workspace server shadow the global server of the same name. */
  force?: boolean;
}

export interface EditTarget {
  kind: 'global' | 'workspace';
  configFile: string;
  envFile: string;
}

/** What the planner needs to know besides the files. */
export interface InstallContext {
  /** Servers of the global config (a workspace server of the same name would shadow one). */
  globalServers: readonly string[];
  /** The PATH servers are started with, to check commands and runtimes. */
  pathVar: string;
}

export interface InstallPlan {
  server: string;
  target: EditTarget;
  /** The .env variable each given value is written to, by the key the server sees (never values). */
  variables: Record<string, string>;
  /** Names of the .env variables written (never values). */
  envKeys: string[];
  /** Things the answer must say: a sharing mode chosen, a command not found. */
  notes: string[];
  text: string;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;
/** Names that mean something to every JavaScript object; refused so no lookup can reach Object.prototype. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** A catalog entry's description with the runtime it needs, if any. */
function catalogDescription(k: KnownServer): string {
  return k.runtime ? `${k.description} (needs ${k.runtime.command})` : k.description;
}

/** The catalog's names, with the runtime each needs besides Node. */
function catalogNames(): string {
  return Object.entries(KNOWN_SERVERS)
    .map(([name, k]) => (k.runtime ? `${name} (needs ${k.runtime.command})` : name))
    .join(', ');
}

/** `${NAME}` variables referenced by each server of a config file other than `except`. */
function variablesUsedByOthers(file: string, except: string): Set<string> {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return new Set();
  }
  const servers = parseDocument(text).get('servers');
  const used = new Set<string>();
  if (!isMap(servers)) return used;
  for (const pair of servers.items) {
    if (String((pair.key as { value?: unknown } | null)?.value ?? pair.key) === except) continue;
    for (const m of JSON.stringify(pair.value ?? null).matchAll(VAR_REF)) used.add(m[1]!);
  }
  return used;
}

/** The .env variable for one of `server`'s values: `<SERVER>_<KEY>`, suffixed when another server of the file uses that name. */
function variableFor(server: string, key: string, taken: Set<string>): string {
  const base = `${server.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}_${key}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

/** Replaces `${KEY}` references (catalog args such as postgres's `${DATABASE_URL}`) by the server's own variable names. */
function renamed(text: string, variables: Record<string, string>): string {
  return text.replace(VAR_REF, (ref, name: string) => (variables[name] ? ref.replace(name, variables[name]) : ref));
}

/** Refuses names that cannot be a server or a variable. */
function checkNames(req: InstallRequest): void {
  if (!NAME.test(req.server) || RESERVED.has(req.server)) throw new Error(`server name "${req.server}" must match [A-Za-z0-9_-]+ and not be ${[...RESERVED].join(', ')}`);
  for (const k of Object.keys(req.env ?? {})) {
    if (!VAR_NAME.test(k) || RESERVED.has(k)) throw new Error(`env name "${k}" is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*, not ${[...RESERVED].join(', ')})`);
  }
}

/** Works out exactly what an install would write; throws an Error that says what to fix. Nothing is written. */
export function planInstall(req: InstallRequest, target: EditTarget, ctx: InstallContext): InstallPlan {
  checkNames(req);
  if (hasServer(target.configFile, req.server) && !req.replace) {
    throw new Error(`server "${req.server}" already exists in ${target.configFile}; pass replace: true (mcplex add --replace) to overwrite it`);
  }
  if (target.kind === 'workspace' && ctx.globalServers.includes(req.server) && !req.force) {
    throw new Error(
      `a global server "${req.server}" exists; a workspace server of that name would hide it in this workspace. Choose another name, or pass force: true (mcplex add --force) to shadow it`,
    );
  }
  const known = req.command || req.url ? undefined : KNOWN_SERVERS[req.server];
  if (!req.command && !req.url && !known) {
    throw new Error(`"${req.server}" is not in the built-in catalog (${catalogNames()}); give a command (and args) or a url`);
  }
  if (known?.runtime && commandProblem(known.runtime.command, '/', ctx.pathVar)) {
    throw new Error(`"${req.server}" runs with ${known.runtime.command}, which is not on PATH; ${known.runtime.install}, then install it again`);
  }
  const given = req.env ?? {};
  const needed = [...new Set([...(known?.env ?? []), ...Object.keys(given)])];
  const notes: string[] = [];
  let sharing = req.sharing;
  if (target.kind === 'workspace' && needed.length) {
    // Global sharing reads MCPLEX_HOME/.env, never the workspace's, where these values go.
    if (sharing === 'global') {
      throw new Error(`sharing: global never reads the workspace .env where these values would go; use sharing: workspace (the default for a workspace install with env), credential or session, or scope: global`);
    }
    if (!sharing) {
      sharing = 'workspace';
      notes.push(`sharing: workspace, so the server reads ${target.envFile}`);
    }
  }
  const taken = variablesUsedByOthers(target.configFile, req.server);
  const variables = Object.fromEntries(Object.keys(given).map((k) => [k, variableFor(req.server, k, taken)]));
  const entry: Record<string, unknown> = req.url
    ? { url: req.url }
    : req.command
      ? { command: req.command, args: req.args ?? [] }
      : { command: known!.command, args: known!.args.map((a) => renamed(a, variables)), description: catalogDescription(known!) };
  if (needed.length) entry.env = Object.fromEntries(needed.map((k) => [k, `\${${variables[k] ?? k}}`]));
  if (sharing) entry.sharing = sharing;
  const notOnPath = req.command && !req.command.includes('/') ? commandProblem(req.command, '/', ctx.pathVar) : undefined;
  if (notOnPath) notes.push(`warning: ${notOnPath}; the server cannot start until it is`);
  const text = editedConfigText(target.configFile, target.kind, req.server, entry);
  return { server: req.server, target, variables, envKeys: Object.values(variables), notes, text };
}

/** The server definition a workspace install writes, as the daemon will read it back (so it can be trusted as written). */
export function installedServer(plan: InstallPlan): ServerConfig {
  return parseWorkspaceConfig(plan.text, plan.target.configFile).servers[plan.server]!;
}

/** Puts a file back as it was when this was called (removes it if it did not exist); a symlink's target is what is restored. */
function snapshot(file: string): () => void {
  const target = linkTarget(file);
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  const before = stat ? fs.readFileSync(target, 'utf8') : undefined;
  return () => (before === undefined ? fs.rmSync(target, { force: true }) : writeAtomic(target, before, stat!.mode & 0o777));
}

/** Writes the plan: values to the .env (0600) first, then the config. Returns a function that puts both back. */
export function applyInstall(plan: InstallPlan, env: Record<string, string> = {}): () => void {
  const restoreEnv = plan.envKeys.length ? snapshot(plan.target.envFile) : () => undefined;
  const restoreConfig = snapshot(plan.target.configFile);
  if (plan.envKeys.length) setEnvVars(plan.target.envFile, Object.fromEntries(Object.entries(plan.variables).map(([key, variable]) => [variable, env[key]!])));
  // A config.yaml mcplex creates is private like the rest of MCPLEX_HOME; a new .mcplex.yaml is a project file.
  writeAtomic(plan.target.configFile, plan.text, plan.target.kind === 'global' ? 0o600 : 0o644);
  return () => {
    restoreConfig();
    restoreEnv();
  };
}

export interface RemovePlan {
  target: EditTarget;
  text: string;
  /** .env variables written for this server alone (`<SERVER>_…`, used by no other server), removed with it. */
  envKeys: string[];
}

/** The config text without `servers.<name>`, and the server's own .env variables; throws if it is not there. */
export function planRemove(server: string, target: EditTarget): RemovePlan {
  if (!hasServer(target.configFile, server)) throw new Error(`server "${server}" is not defined in ${target.configFile}`);
  const own = JSON.stringify(parseDocument(fs.readFileSync(target.configFile, 'utf8')).getIn(['servers', server]) ?? null);
  const others = variablesUsedByOthers(target.configFile, server);
  const prefix = `${server.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}_`;
  const envKeys = [...new Set([...own.matchAll(VAR_REF)].map((m) => m[1]!))].filter((v) => v.startsWith(prefix) && !others.has(v));
  return { target, text: editedConfigText(target.configFile, target.kind, server, undefined), envKeys };
}

/** Writes a removal: the config first, then the server's own variables leave the .env. */
export function applyRemove(plan: RemovePlan): void {
  writeAtomic(plan.target.configFile, plan.text);
  if (plan.envKeys.length && fs.existsSync(plan.target.envFile)) setEnvVars(plan.target.envFile, {}, plan.envKeys);
}
