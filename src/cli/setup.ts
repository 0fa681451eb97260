// `mcplex setup claude-code | cursor [--http]`: register the shim (or the HTTP endpoint with its token) with a client, and offer to move that client's own servers into mcplex.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shellJoin } from '../config/command-line.js';
import { editedGatewayText, writeAtomic } from '../config/edit.js';
import { readClientFile, serversInFile, SourceError, type ImportedServer } from '../config/import-sources.js';
import { ConfigError, defaultConfig, loadConfig, parseConfig, resolveConfigPath } from '../config/load.js';
import { formatProblems } from '../config/format.js';
import { homePaths } from '../home/paths.js';
import { daemonToken } from '../home/token.js';
import { CliError } from './fail.js';
import { applyImport, formatPlan, planImport, tildify, type ImportPlan } from './import.js';
import { shimCommand } from './shim-command.js';

export interface SetupFlags {
  import?: boolean;
  /** Register the daemon's HTTP endpoint, with the header that authenticates to it, instead of the shim. */
  http?: boolean;
  /** The name to register mcplex under (default mcplex); clients put it in front of every tool name. */
  name?: string;
}

/** The name mcplex registers under unless told otherwise. */
const DEFAULT_NAME = 'mcplex';

/** The daemon's HTTP endpoint and the header a client sends to it (the daemon token, kept in MCPLEX_HOME/token). */
interface HttpEndpoint {
  url: string;
  headers: Record<string, string>;
  tokenFile: string;
}

/**
 * What the registered shim must be told to reach this daemon: MCPLEX_HOME when it is not the default (a client starts
 * its servers with its own environment, which does not hold this shell's MCPLEX_HOME).
 */
function shimEnv(): Record<string, string> {
  const home = homePaths().home;
  return home === path.join(os.homedir(), '.mcplex') ? {} : { MCPLEX_HOME: home };
}

/** `mcplex setup CLIENT [--import] [--http] [--name NAME]`. Non-interactive. */
export async function setup(client: string, flags: SetupFlags): Promise<void> {
  const shim = shimCommand();
  const name = flags.name ?? DEFAULT_NAME;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new CliError(`--name must match [A-Za-z0-9_.-]+ (got "${name}")`, 2);
  if (client !== 'claude-code' && client !== 'cursor') {
    throw new CliError(`setup knows claude-code and cursor (got "${client}"); for other clients, run: ${shellJoin(shim)}`, 2);
  }
  const http = flags.http ? await httpEndpoint() : undefined;
  recordName(name);
  if (client === 'claude-code') return setupClaudeCode(shim, !!flags.import, http, name);
  return setupCursor(shim, !!flags.import, http, name);
}

/** Records the registration name as gateway.registrationName, so direct tool names fit the client's own prefix. */
function recordName(name: string): void {
  const file = resolveConfigPath({ env: process.env, home: homePaths().home });
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  let current: string;
  try {
    current = parseConfig(text, file).gateway.registrationName;
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nfix ${tildify(file)} first: setup records the registration name there`, 2);
  }
  if (current === name) return;
  writeAtomic(file, editedGatewayText(file, 'registrationName', name), 0o600);
  say(`recorded gateway.registrationName: ${name} in ${tildify(file)} (direct tool names are kept short enough for the client's prefix)`);
}

/** Where HTTP clients reach the daemon: gateway.host and the port it listens on (MCPLEX_PORT, else gateway.port). */
async function httpEndpoint(): Promise<HttpEndpoint> {
  const paths = homePaths();
  let gateway = defaultConfig(paths.home).gateway;
  try {
    gateway = (await loadConfig(resolveConfigPath({ env: process.env, home: paths.home }))).gateway;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (!err.missing) throw new CliError(`${formatProblems(err)}\nfix the config first: the HTTP endpoint comes from gateway.host and gateway.port`, 2);
  }
  const envPort = process.env.MCPLEX_PORT;
  const port = envPort !== undefined && envPort !== '' ? Number(envPort) : gateway.port;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new CliError(`the daemon's port is ${envPort ? `MCPLEX_PORT=${envPort}` : `gateway.port: ${port}`}, not a fixed port an HTTP client can be given: set gateway.port to one (e.g. 8989), then run this again`, 2);
  }
  const host = gateway.host.includes(':') ? `[${gateway.host}]` : gateway.host;
  return { url: `http://${host}:${port}/mcp`, headers: { Authorization: `Bearer ${daemonToken(paths.token)}` }, tokenFile: paths.token };
}

/** The client file now holds the daemon token: say so if other users can read it (its mode is the user's to choose). */
function warnIfShared(file: string): void {
  if (fs.statSync(file).mode & 0o077) say(`note: ${tildify(file)} now holds the mcplex token and other users can read it; \`chmod 600 ${file}\` keeps it yours`);
}

// Writes the HTTP entry into ~/.claude.json itself: `claude mcp add --header` would show the token in the process list.
function registerClaudeHttp(file: string, http: HttpEndpoint, name: string): void {
  const manual = `claude mcp add --scope user --transport http ${name} ${http.url} --header "Authorization: Bearer $(cat ${http.tokenFile})"`;
  if (!fs.existsSync(file)) {
    say(`${tildify(file)} does not exist yet (start Claude Code once, then run this again), or register mcplex by hand:\n  ${manual}`);
    return;
  }
  const data = readOrFail(file);
  if (data.mcpServers !== undefined && !isObject(data.mcpServers)) throw new CliError(`${file}: "mcpServers" must be an object; fix it first`, 2);
  const entry = { type: 'http', url: http.url, headers: http.headers };
  const servers = (data.mcpServers as Record<string, unknown> | undefined) ?? {};
  if (JSON.stringify(servers[name]) === JSON.stringify(entry)) {
    say(`${name} is already registered with Claude Code over HTTP (${http.url}) in ${tildify(file)}`);
    return;
  }
  data.mcpServers = { ...servers, [name]: entry };
  writeAtomic(file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
  say(`registered ${name} with Claude Code over HTTP in ${tildify(file)}: ${http.url}, with the daemon token from ${tildify(http.tokenFile)}`);
  warnIfShared(file);
}

function setupClaudeCode(shim: string[], move: boolean, http: HttpEndpoint | undefined, name: string): void {
  const file = path.join(os.homedir(), '.claude.json');
  if (http) registerClaudeHttp(file, http, name);
  else registerClaudeShim(shim, name);
  if (!fs.existsSync(file)) return;
  // Read after registering, which rewrites this file.
  const data = readOrFail(file);
  const plan = importPlan(serversOf(file, data), file, move);
  let backup: string | undefined;
  if (move && typeof plan !== 'string') {
    for (const s of plan.moved) removeEntry(data, s);
    if (plan.moved.length) backup = backUp(file);
    applyImport(plan);
    if (plan.moved.length) writeAtomic(file, `${JSON.stringify(data, null, 2)}\n`, fs.statSync(file).mode & 0o777);
  }
  report(plan, file, move, 'claude-code', backup);
}

function registerClaudeShim(shim: string[], name: string): void {
  const env = Object.entries(shimEnv()).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const args = ['mcp', 'add', '--scope', 'user', name, ...env, '--', ...shim];
  const command = shellJoin(['claude', ...args]);
  const claude = findOnPath('claude');
  if (!claude) {
    say(`\`claude\` is not on PATH; to register mcplex with Claude Code, run:\n  ${command}`);
  } else {
    const r = spawnSync(claude, args, { encoding: 'utf8' });
    if (r.error) throw new CliError(`could not run ${claude}: ${r.error.message}`, 1);
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    if (r.status === 0) say(`registered mcplex with Claude Code:\n  ${command}`);
    else if (/already exists/i.test(output)) {
      say(`${name} is already registered with Claude Code (${output}); to re-register it, run \`claude mcp remove --scope user ${name}\` and then this command again`);
    } else throw new CliError(`\`${command}\` failed (exit ${r.status ?? 'signal'}): ${output || 'no output'}`, 1);
  }
}

function setupCursor(shim: string[], move: boolean, http: HttpEndpoint | undefined, name: string): void {
  const file = path.join(os.homedir(), '.cursor', 'mcp.json');
  const exists = fs.existsSync(file);
  const data = exists ? readOrFail(file) : {};
  if (data.mcpServers !== undefined && !isObject(data.mcpServers)) throw new CliError(`${file}: "mcpServers" must be an object; fix it first`, 2);
  const plan = importPlan(serversOf(file, data), file, move);
  const next = structuredClone(data);
  const entries = { ...((next.mcpServers as Record<string, unknown> | undefined) ?? {}) };
  const env = shimEnv();
  const entry = http ? { url: http.url, headers: http.headers } : { command: shim[0], args: shim.slice(1), ...(Object.keys(env).length ? { env } : {}) };
  const sameEntry = JSON.stringify(entries[name]) === JSON.stringify(entry);
  if (move && typeof plan !== 'string') for (const s of plan.moved) delete entries[s.name];
  entries[name] = entry;
  next.mcpServers = entries;
  const changed = JSON.stringify(next) !== JSON.stringify(data);
  const backup = changed && exists ? backUp(file) : undefined;
  if (move && typeof plan !== 'string') applyImport(plan);
  // A new file that holds the token is private; an existing one keeps its mode.
  if (changed) writeAtomic(file, `${JSON.stringify(next, null, 2)}\n`, http ? 0o600 : 0o644);
  say(
    changed
      ? `${sameEntry ? 'updated' : 'registered mcplex in'} ${tildify(file)}${http ? ` (HTTP: ${http.url}, with the daemon token from ${tildify(http.tokenFile)})` : ''}${backup ? ` (backup: ${tildify(backup)})` : ''}; reload MCP servers in Cursor`
      : `mcplex is already registered in ${tildify(file)}`,
  );
  if (http) warnIfShared(file);
  report(plan, file, move, 'cursor', backup);
}

// The import of a client's servers; without --import, a config.yaml that cannot be read only costs the preview.
// Returns the plan, or a note saying why there is none.
function importPlan(servers: ImportedServer[], file: string, move: boolean): ImportPlan | string {
  if (!servers.some((s) => s.def)) return `no servers of its own in ${tildify(file)} to import`;
  try {
    return planImport(servers);
  } catch (err) {
    if (move) throw err;
    return `cannot preview the import of ${tildify(file)}: ${(err as Error).message}`;
  }
}

function report(plan: ImportPlan | string, file: string, move: boolean, client: string, backup: string | undefined): void {
  if (typeof plan === 'string') {
    say(plan);
    return;
  }
  if (!move) {
    say(
      `\nservers in ${tildify(file)} that \`mcplex import --from ${client}\` would add` +
        ` (\`mcplex setup ${client} --import\` also removes them from ${tildify(file)}, so the client stops spawning them itself):`,
    );
    process.stdout.write(formatPlan(plan, { dryRun: true, yaml: false }));
    return;
  }
  say(`\nimported the servers of ${tildify(file)}:`);
  process.stdout.write(formatPlan(plan, { dryRun: false, yaml: false }));
  if (plan.moved.length) {
    say(`removed ${plan.moved.map((s) => s.name).join(', ')} from ${tildify(file)}${backup ? ` (backup: ${tildify(backup)})` : ''}`);
  }
  const left = [...plan.conflicting, ...plan.skipped].map((s) => s.original).filter((n) => n !== 'mcplex');
  if (left.length) say(`left in ${tildify(file)}: ${left.join(', ')} (not imported, see above)`);
}

function readOrFail(file: string): Record<string, unknown> {
  try {
    return readClientFile(file);
  } catch (err) {
    if (err instanceof SourceError) throw new CliError(`${err.message}; fix it (or move it away) and run setup again`, 2);
    throw err;
  }
}

// A client file without any servers map has nothing to import.
function serversOf(file: string, data: Record<string, unknown>): ImportedServer[] {
  if (!('mcpServers' in data) && !isObject(data.projects)) return [];
  try {
    return serversInFile(file, data);
  } catch (err) {
    if (err instanceof SourceError) throw new CliError(err.message, 2);
    throw err;
  }
}

// Deletes an imported entry from the parsed client file it came from (the user map or its project's map).
function removeEntry(data: Record<string, unknown>, s: ImportedServer): void {
  const holder = s.project !== undefined ? (data.projects as Record<string, Record<string, unknown>> | undefined)?.[s.project] : data;
  const map = holder?.[s.key];
  if (isObject(map)) delete map[s.name];
}

// Copies FILE to FILE.bak-<timestamp> and returns the copy's path.
function backUp(file: string): string {
  const copy = `${file}.bak-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  fs.copyFileSync(file, copy);
  fs.chmodSync(copy, fs.statSync(file).mode & 0o777);
  return copy;
}

/** The first executable called `name` on PATH. */
function findOnPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = path.join(dir, name + ext);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
