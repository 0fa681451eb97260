// Reading other MCP clients' config files (Claude Code, Claude Desktop, Cursor, VS Code) into server definitions in mcplex terms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLIENTS = ['claude-code', 'claude-desktop', 'cursor', 'vscode'] as const;
export type ClientKind = (typeof CLIENTS)[number];

/** A server definition as mcplex can express it; values are still the client's (literal secrets included). */
export type ImportedDef =
  | { command: string; args: string[]; env: Record<string, string>; cwd?: string }
  | { url: string; transport: 'http' | 'sse'; headers: Record<string, string> };

/** One entry of a client config file. */
export interface ImportedServer {
  /** The name in the client's file. */
  name: string;
  file: string;
  /** Which map holds it: `mcpServers` (Claude, Cursor) or `servers` (VS Code). */
  key: 'mcpServers' | 'servers';
  /** For ~/.claude.json: the `projects` key (a directory) holding it; absent for the user-scope map. */
  project?: string;
  def?: ImportedDef;
  /** Why it is not imported (set instead of def). */
  skip?: string;
}

/** A client config file that cannot be read or is not an MCP config; the message names the file. */
export class SourceError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
  }
}

export interface SourceContext {
  home?: string;
  cwd?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

/** The files a client keeps MCP servers in (user-level first, then the cwd's project files); they need not exist. */
export function sourceFiles(client: ClientKind, ctx: SourceContext = {}): string[] {
  const home = ctx.home ?? os.homedir();
  const cwd = ctx.cwd ?? process.cwd();
  const platform = ctx.platform ?? process.platform;
  const env = ctx.env ?? process.env;
  const appData =
    platform === 'darwin'
      ? path.join(home, 'Library', 'Application Support')
      : platform === 'win32'
        ? (env.APPDATA ?? path.join(home, 'AppData', 'Roaming'))
        : (env.XDG_CONFIG_HOME || path.join(home, '.config'));
  const files =
    client === 'claude-code'
      ? [path.join(home, '.claude.json'), path.join(cwd, '.mcp.json')]
      : client === 'claude-desktop'
        ? [path.join(appData, 'Claude', 'claude_desktop_config.json')]
        : client === 'cursor'
          ? [path.join(home, '.cursor', 'mcp.json'), path.join(cwd, '.cursor', 'mcp.json')]
          : [path.join(appData, 'Code', 'User', 'mcp.json'), path.join(cwd, '.vscode', 'mcp.json')];
  return [...new Set(files.map((f) => path.resolve(f)))];
}

/** Reads a JSON (or JSON-with-comments, as VS Code writes) file into an object; throws SourceError. */
export function readClientFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SourceError(file, e.code === 'ENOENT' ? 'file not found' : `cannot read it (${e.code ?? e.message})`);
  }
  let data: unknown;
  try {
    data = parseJsonc(text);
  } catch (err) {
    throw new SourceError(file, `not valid JSON (${(err as Error).message}); fix it or name another file`);
  }
  if (!isObject(data)) throw new SourceError(file, 'not a JSON object');
  return data;
}

/** The servers a parsed client file defines; format by content (`servers` = VS Code, `mcpServers`/`projects` = Claude or Cursor). */
export function serversInFile(file: string, data: Record<string, unknown>, ctx: SourceContext = {}): ImportedServer[] {
  const home = ctx.home ?? os.homedir();
  const abs = path.resolve(file);
  const out: ImportedServer[] = [];
  const take = (map: unknown, key: ImportedServer['key'], where: string, project: string | undefined, projectDir: string | undefined) => {
    if (map === undefined) return;
    if (!isObject(map)) throw new SourceError(abs, `${where} must be an object of servers`);
    for (const [name, raw] of Object.entries(map)) {
      const parsed = toDef(raw, { home, projectDir });
      // An entry called mcplex is the gateway itself (e.g. registered over HTTP), whatever its command.
      const def = name === 'mcplex' && parsed.def ? { skip: 'mcplex itself' } : parsed;
      out.push({ name, file: abs, key, ...(project !== undefined ? { project } : {}), ...def });
    }
  };
  const hasClaude = 'mcpServers' in data || isObject(data.projects);
  if (!hasClaude && !('servers' in data)) throw new SourceError(abs, 'no "mcpServers" or "servers" object: not an MCP client config');
  if ('servers' in data && !('mcpServers' in data)) take(data.servers, 'servers', '"servers"', undefined, projectDirOf(abs, home));
  else take(data.mcpServers, 'mcpServers', '"mcpServers"', undefined, projectDirOf(abs, home));
  if (isObject(data.projects)) {
    for (const [dir, proj] of Object.entries(data.projects)) {
      if (isObject(proj)) take(proj.mcpServers, 'mcpServers', `projects["${dir}"].mcpServers`, dir, dir);
    }
  }
  return out;
}

/** readClientFile + serversInFile. */
export function readSource(file: string, ctx: SourceContext = {}): ImportedServer[] {
  return serversInFile(file, readClientFile(file), ctx);
}

/** True if the entry is mcplex's own shim (command or args mention `mcplex` and `shim`). */
export function isMcplexShim(command: string, args: string[]): boolean {
  const words = [command, ...args];
  return words.some((w) => /mcplex/i.test(w)) && words.some((w) => /(^|[^A-Za-z])shim([^A-Za-z]|$)/.test(w));
}

/** A name mcplex accepts ([A-Za-z0-9_-]+). */
export function sanitizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'server';
}

/** A valid variable name (for .env keys): upper-cased, other characters become `_`. */
export function toVarName(s: string): string {
  const v = s.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  return /^[A-Za-z_]/.test(v) ? v : `_${v}`;
}

// The directory a project-level file belongs to: `<dir>/.mcp.json`, `<dir>/.cursor/mcp.json`, `<dir>/.vscode/mcp.json`.
function projectDirOf(file: string, home: string): string | undefined {
  const dir = path.dirname(file);
  if (path.basename(file) === '.mcp.json') return dir;
  if (path.basename(file) === 'mcp.json' && ['.cursor', '.vscode'].includes(path.basename(dir))) {
    const parent = path.dirname(dir);
    // ~/.cursor/mcp.json is Cursor's user-level file, not a project's.
    return parent === path.resolve(home) && path.basename(dir) === '.cursor' ? undefined : parent;
  }
  return undefined;
}

// One client entry → a definition, or the reason it is skipped.
function toDef(raw: unknown, ctx: { home: string; projectDir: string | undefined }): Pick<ImportedServer, 'def' | 'skip'> {
  if (!isObject(raw)) return { skip: 'not an object' };
  if (raw.disabled === true) return { skip: 'disabled in the client' };
  const tr = (v: unknown) => translate(String(v), ctx);
  const strMap = (v: unknown): Record<string, string> =>
    isObject(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null && typeof x !== 'object').map(([k, x]) => [k, String(x)])) : {};
  const type = typeof raw.type === 'string' ? raw.type : undefined;
  if (typeof raw.url === 'string' && raw.url) {
    if (type !== undefined && !['http', 'sse', 'streamable-http', 'streamableHttp'].includes(type)) return { skip: `unsupported type "${type}"` };
    // No type (Cursor): a URL ending in /sse is a legacy SSE endpoint, anything else Streamable HTTP.
    const transport = type === 'sse' || (type === undefined && /\/sse\/?(\?.*)?$/.test(raw.url)) ? 'sse' : 'http';
    const headers = Object.fromEntries(Object.entries(strMap(raw.headers)).map(([k, v]) => [k, tr(v)]));
    return { def: { url: tr(raw.url), transport, headers } };
  }
  if (typeof raw.command === 'string' && raw.command) {
    if (type !== undefined && type !== 'stdio') return { skip: `type "${type}" without a url` };
    const args = Array.isArray(raw.args) ? raw.args.filter((a) => a !== null && typeof a !== 'object').map(tr) : [];
    const command = translate(raw.command, ctx);
    if (isMcplexShim(command, args)) return { skip: 'mcplex itself (the shim)' };
    const env: Record<string, string> = {};
    // Literal values are kept as given (they go to .env); values with references are translated.
    for (const [k, v] of Object.entries(strMap(raw.env))) env[k] = v.includes('${') ? tr(v) : v;
    let cwd = typeof raw.cwd === 'string' && raw.cwd ? tr(raw.cwd) : undefined;
    // A project's server with relative paths ran in the project directory; keep it there.
    if (cwd === undefined && ctx.projectDir && [command, ...args].some((a) => /^\.\.?(\/|\\|$)/.test(a))) cwd = ctx.projectDir;
    return { def: { command, args, env, ...(cwd !== undefined ? { cwd } : {}) } };
  }
  return { skip: 'neither a command nor a url' };
}

/**
 * Rewrites a client's `${…}` references into mcplex syntax: `${VAR}` / `${VAR:-default}` stay; `${env:VAR}` → `${VAR}`;
 * `${input:id}` (a VS Code prompt) → `${ID}`; `${userHome}`, `${pathSeparator}` and, for a project's file, `${workspaceFolder}`,
 * `${workspaceFolderBasename}` are expanded (outside a project they stay variables to set); anything else is kept literally (`$${…}`).
 */
export function translate(s: string, ctx: { home: string; projectDir: string | undefined }): string {
  return s.replace(/\$\{([^}]*)\}/g, (m, body: string) => {
    if (body === 'userHome') return ctx.home;
    if ((body === 'workspaceFolder' || body === 'workspaceRoot') && ctx.projectDir) return ctx.projectDir;
    if (body === 'workspaceFolderBasename' && ctx.projectDir) return path.basename(ctx.projectDir);
    if (body === 'pathSeparator' || body === '/') return path.sep;
    const env = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(body);
    if (env) return `\${${env[1]}}`;
    const input = /^input:(.+)$/.exec(body);
    if (input) return `\${${toVarName(input[1]!)}}`;
    if (/^[A-Za-z_][A-Za-z0-9_]*(:-.*)?$/.test(body)) return m;
    return `$${m}`;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse that also accepts `//` and `/* *\/` comments and trailing commas (VS Code's JSONC). */
export function parseJsonc(text: string): unknown {
  const src = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(src);
  } catch {
    // fall through to the comment-tolerant pass
  }
  let out = '';
  let inString = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += src[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i + 1 < src.length && src[i + 1] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 1;
      out += ' ';
    } else if (c === '}' || c === ']') {
      // Drop a trailing comma: outside strings, the last non-blank character before a closer.
      const trimmed = out.trimEnd();
      if (trimmed.endsWith(',')) out = trimmed.slice(0, -1) + out.slice(trimmed.length);
      out += c;
    } else out += c;
  }
  return JSON.parse(out);
}
