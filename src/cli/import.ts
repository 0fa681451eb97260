// `mcplex import`: other clients' MCP servers into the global config.yaml (comments kept), their secrets into MCPLEX_HOME/.env.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { editedConfigText, setEnvVars, writeAtomic } from '../config/edit.js';
import type { EditTarget } from '../config/install.js';
import {
  CLIENTS,
  readSource,
  sanitizeName,
  SourceError,
  sourceFiles,
  toVarName,
  type ClientKind,
  type ImportedDef,
  type ImportedServer,
} from '../config/import-sources.js';
import { parseConfig, resolveConfigPath } from '../config/load.js';
import { homePaths } from '../home/paths.js';
import { readEnvFile } from '../env/dotenv.js';
import { CliError } from './fail.js';

export interface ImportFlags {
  from?: string;
  dryRun?: boolean;
  scope?: string;
  json?: boolean;
}

interface Origin {
  /** Name in mcplex (sanitized). */
  name: string;
  /** Name in the client's file. */
  original: string;
  file: string;
  /** `user` or `project DIR` for ~/.claude.json entries. */
  where?: string;
}

export interface ImportPlan {
  configFile: string;
  envFile: string;
  /** envKeys: variables whose values go to the .env file; needs: referenced variables nobody has set yet. */
  added: Array<Origin & { envKeys: string[]; needs: string[] }>;
  unchanged: Origin[];
  /** existing / imported: one-line descriptions (variable names, never values). */
  conflicting: Array<Origin & { existing: string; imported: string }>;
  skipped: Array<Origin & { reason: string }>;
  envWrites: Record<string, string>;
  /** The config text after the import. */
  text: string;
  changed: boolean;
  /** Client entries mcplex now holds with the same definition (added or unchanged): the client need not spawn them itself. */
  moved: ImportedServer[];
}

// Header names whose literal values are secrets: they go to .env like env values.
const SENSITIVE_HEADER = /authorization|token|secret|key|cookie|password|auth/i;
const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g;

/** The global config and .env that import writes. */
export function globalTarget(): EditTarget {
  const paths = homePaths();
  return { kind: 'global', configFile: resolveConfigPath({ env: process.env, home: paths.home }), envFile: paths.env };
}

/** `mcplex import [--from CLIENT] [FILE] [--dry-run]`. */
export async function importServers(file: string | undefined, flags: ImportFlags): Promise<void> {
  if (flags.scope !== undefined && flags.scope !== 'global') {
    throw new CliError(`--scope: import writes the global config only (got "${flags.scope}"); leave --scope out or pass --scope global`, 2);
  }
  if (flags.from !== undefined && !(CLIENTS as readonly string[]).includes(flags.from)) {
    throw new CliError(`--from must be one of ${CLIENTS.join(', ')} (got "${flags.from}")`, 2);
  }
  const clients = flags.from ? [flags.from as ClientKind] : [...CLIENTS];
  const files = file ? [path.resolve(file)] : [...new Set(clients.flatMap((c) => sourceFiles(c)))].filter((f) => fs.existsSync(f));
  if (!files.length) {
    const looked = clients.flatMap((c) => sourceFiles(c)).map(tildify);
    if (flags.json) process.stdout.write(`${JSON.stringify({ files: [], added: [], unchanged: [], conflicting: [], skipped: [] }, null, 2)}\n`);
    else process.stdout.write(`nothing to import: no client config found (looked in ${looked.join(', ')})\n`);
    return;
  }
  const servers = files.flatMap((f) => readOrFail(f));
  const plan = planImport(servers);
  if (!flags.dryRun) applyImport(plan);
  if (flags.json) {
    const { envWrites, moved, text, ...rest } = plan;
    const out = { files, dryRun: !!flags.dryRun, ...rest, ...(flags.dryRun && plan.changed ? { yaml: text } : {}) };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else process.stdout.write(formatPlan(plan, { dryRun: !!flags.dryRun, yaml: !!flags.dryRun }));
}

/** Servers of a client file; an unreadable or invalid file is a usage error (exit 2) naming it. */
export function readOrFail(file: string): ImportedServer[] {
  try {
    return readSource(file);
  } catch (err) {
    if (err instanceof SourceError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** Works out what importing `servers` into the global config would do; writes nothing. */
export function planImport(servers: ImportedServer[], target: EditTarget = globalTarget()): ImportPlan {
  const original = readText(target.configFile);
  if (original.trim()) {
    try {
      parseConfig(original, target.configFile);
    } catch (err) {
      throw new CliError(`${(err as Error).message}\nfix the config first (mcplex config validate), then import again`, 2);
    }
  }
  let known: Record<string, string>;
  try {
    known = readEnvFile(target.envFile);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const plan: ImportPlan = {
    configFile: target.configFile,
    envFile: target.envFile,
    added: [],
    unchanged: [],
    conflicting: [],
    skipped: [],
    envWrites: {},
    text: original,
    changed: false,
    moved: [],
  };
  // editedConfigText edits a file; successive entries are applied to a private scratch copy of the config.
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-import-'));
  const scratch = path.join(scratchDir, path.basename(target.configFile));
  try {
    for (const s of servers) {
      const origin: Origin = { name: sanitizeName(s.name), original: s.name, file: s.file, ...whereOf(s) };
      if (!s.def) {
        plan.skipped.push({ ...origin, reason: s.skip ?? 'not importable' });
        continue;
      }
      const vars = { ...known, ...plan.envWrites };
      const { entry, writes, envKeys } = buildEntry(origin.name, s.def, vars);
      const existing = serversOf(plan.text)[origin.name];
      if (existing !== undefined) {
        const all = { ...vars, ...writes };
        if (canonical(existing, all) === canonical(entry, all)) {
          plan.unchanged.push(origin);
          plan.moved.push(s);
        } else plan.conflicting.push({ ...origin, existing: describe(existing), imported: describe(entry) });
        continue;
      }
      try {
        fs.writeFileSync(scratch, plan.text, { mode: 0o600 });
        plan.text = editedConfigText(scratch, target.kind, origin.name, entry);
      } catch (err) {
        plan.skipped.push({ ...origin, reason: (err as Error).message.split(scratch).join(target.configFile) });
        continue;
      }
      for (const [k, v] of Object.entries(writes)) if (known[k] !== v) plan.envWrites[k] = v;
      const set = { ...known, ...plan.envWrites };
      plan.added.push({ ...origin, envKeys, needs: [...new Set(refsOf(entry))].filter((v) => set[v] === undefined) });
      plan.moved.push(s);
      plan.changed = true;
    }
  } finally {
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
  return plan;
}

/** Writes the plan: secrets to the .env (0600) first, then the config (atomically). */
export function applyImport(plan: ImportPlan): void {
  if (Object.keys(plan.envWrites).length) setEnvVars(plan.envFile, plan.envWrites);
  if (plan.changed) writeAtomic(plan.configFile, plan.text, 0o600);
}

/** The human summary: added / unchanged / conflicting / skipped, each with its source file. */
export function formatPlan(plan: ImportPlan, opts: { dryRun: boolean; yaml: boolean }): string {
  const lines: string[] = [];
  const width = Math.max(8, ...[...plan.added, ...plan.unchanged, ...plan.conflicting, ...plan.skipped].map((o) => o.name.length)) + 2;
  const head = (o: Origin) => {
    const renamed = o.name !== o.original ? ` (was "${o.original}")` : '';
    return `  ${o.name.padEnd(width)}from ${tildify(o.file)}${o.where ? ` (${o.where})` : ''}${renamed}`;
  };
  if (plan.added.length) {
    lines.push(`${opts.dryRun ? 'would add' : 'added'} (${plan.added.length}) to ${tildify(plan.configFile)}:`);
    for (const a of plan.added) {
      lines.push(`${head(a)}${a.envKeys.length ? `; ${a.envKeys.join(', ')} → ${tildify(plan.envFile)}` : ''}`);
      if (a.needs.length) lines.push(`  ${''.padEnd(width)}needs ${a.needs.join(', ')}: set ${a.needs.length > 1 ? 'them' : 'it'} in ${tildify(plan.envFile)}`);
    }
  }
  if (plan.unchanged.length) {
    lines.push(`unchanged (${plan.unchanged.length}), already in the config with the same definition:`);
    for (const u of plan.unchanged) lines.push(head(u));
  }
  if (plan.conflicting.length) {
    lines.push(`conflicting (${plan.conflicting.length}), not overwritten (remove or rename one of the two, then import again):`);
    for (const c of plan.conflicting) {
      lines.push(head(c));
      lines.push(`  ${''.padEnd(width)}config:   ${c.existing}`);
      lines.push(`  ${''.padEnd(width)}imported: ${c.imported}`);
    }
  }
  if (plan.skipped.length) {
    lines.push(`skipped (${plan.skipped.length}):`);
    for (const s of plan.skipped) lines.push(`${head(s)}: ${s.reason}`);
  }
  lines.push(
    `${plan.added.length} ${opts.dryRun ? 'to add' : 'added'}, ${plan.unchanged.length} unchanged, ${plan.conflicting.length} conflicting, ${plan.skipped.length} skipped`,
  );
  const envKeys = Object.keys(plan.envWrites);
  if (opts.dryRun) {
    lines.push('dry run: nothing written.');
    if (envKeys.length) lines.push(`${tildify(plan.envFile)} would get ${envKeys.join(', ')} (values not shown)`);
    if (opts.yaml && plan.changed) lines.push(`${tildify(plan.configFile)} would be:`, '---', plan.text.trimEnd());
  } else if (plan.changed) {
    lines.push(`wrote ${tildify(plan.configFile)}${envKeys.length ? ` and ${envKeys.join(', ')} to ${tildify(plan.envFile)}` : ''}; a running daemon picks it up at once`);
  }
  return `${lines.join('\n')}\n`;
}

/** `~/…` for paths under the user's home. */
export function tildify(file: string): string {
  const home = os.homedir();
  return file === home || file.startsWith(home + path.sep) ? `~${file.slice(home.length)}` : file;
}

function whereOf(s: ImportedServer): { where?: string } {
  if (s.project !== undefined) return { where: `project ${s.project}` };
  return path.basename(s.file) === '.claude.json' ? { where: 'user' } : {};
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function serversOf(text: string): Record<string, unknown> {
  const doc = parseYaml(text) as { servers?: unknown } | null;
  const servers = doc?.servers;
  return servers && typeof servers === 'object' ? (servers as Record<string, unknown>) : {};
}

// The config entry for a definition: literal env values (and literal secret headers) become ${VAR} refs whose values go to .env.
function buildEntry(server: string, def: ImportedDef, known: Record<string, string>) {
  const writes: Record<string, string> = {};
  const envKeys: string[] = [];
  const toEnvFile = (value: string, preferred: string): string => {
    const taken = (v: string) => (writes[v] ?? known[v]) !== undefined && (writes[v] ?? known[v]) !== value;
    const base = toVarName(preferred);
    // Another value already holds the name: prefix the server's name, then count.
    const prefixed = withServer(base);
    let name = base;
    if (taken(name)) name = prefixed;
    for (let i = 2; taken(name); i++) name = `${prefixed}_${i}`;
    writes[name] = value;
    envKeys.push(name);
    return `\${${name}}`;
  };
  const withServer = (v: string) => (v.startsWith(`${toVarName(server)}_`) ? v : toVarName(`${server}_${v}`));
  const hasRef = (v: string) => v.includes('${');
  let entry: Record<string, unknown>;
  if ('url' in def) {
    const headers = Object.fromEntries(
      Object.entries(def.headers).map(([k, v]) => [k, SENSITIVE_HEADER.test(k) && !hasRef(v) ? toEnvFile(v, withServer(toVarName(k))) : v]),
    );
    entry = { url: def.url, ...(def.transport === 'sse' ? { transport: 'sse' } : {}), ...(Object.keys(headers).length ? { headers } : {}) };
  } else {
    const env = Object.fromEntries(Object.entries(def.env).map(([k, v]) => [k, hasRef(v) ? v : toEnvFile(v, k)]));
    entry = { command: def.command, args: def.args, ...(def.cwd !== undefined ? { cwd: def.cwd } : {}), ...(Object.keys(env).length ? { env } : {}) };
  }
  return { entry, writes, envKeys };
}

// Every ${VAR} an entry refers to.
function refsOf(v: unknown): string[] {
  if (typeof v === 'string') return [...v.matchAll(VAR_REF)].filter((m) => m[2] === undefined).map((m) => m[1]!);
  if (Array.isArray(v)) return v.flatMap(refsOf);
  if (v && typeof v === 'object') return Object.values(v).flatMap(refsOf);
  return [];
}

// What decides whether two entries are the same server: command, args, env, cwd / url, transport, headers, with plain
// ${VAR} refs resolved through the .env values. mcplex-only settings (sharing, timeouts, tools…) are not compared.
function canonical(e: unknown, vars: Record<string, string>): string {
  if (!e || typeof e !== 'object') return JSON.stringify(e ?? null);
  const o = e as Record<string, unknown>;
  const x = (v: unknown) => String(v).replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, n: string) => vars[n] ?? m);
  const map = (m: unknown) =>
    Object.fromEntries(
      Object.entries(m && typeof m === 'object' ? (m as Record<string, unknown>) : {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, x(v)]),
    );
  if (typeof o.command === 'string') {
    const args = Array.isArray(o.args) ? o.args.map(x) : [];
    return JSON.stringify({ command: o.command, args, env: map(o.env), cwd: o.cwd === undefined || o.cwd === null ? null : x(o.cwd) });
  }
  if (typeof o.url === 'string') return JSON.stringify({ url: x(o.url), transport: o.transport ?? 'http', headers: map(o.headers) });
  return JSON.stringify(o);
}

// One line naming a server definition; variable names only, never values.
function describe(e: unknown): string {
  if (!e || typeof e !== 'object') return String(e);
  const o = e as Record<string, unknown>;
  const keys = (m: unknown) => (m && typeof m === 'object' ? Object.keys(m) : []);
  if (typeof o.command === 'string') {
    let s = [o.command, ...(Array.isArray(o.args) ? o.args.map(String) : [])].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
    if (s.length > 160) s = `${s.slice(0, 157)}...`;
    const env = keys(o.env);
    return `${s}${o.cwd ? ` (in ${String(o.cwd)})` : ''}${env.length ? ` (env: ${env.join(', ')})` : ''}`;
  }
  if (typeof o.url === 'string') {
    const headers = keys(o.headers);
    return `${o.url}${o.transport === 'sse' ? ' (sse)' : ''}${headers.length ? ` (headers: ${headers.join(', ')})` : ''}`;
  }
  if (o.docker && typeof o.docker === 'object') return `docker ${String((o.docker as Record<string, unknown>).image)}`;
  return JSON.stringify(Object.keys(o));
}
