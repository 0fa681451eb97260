// Resolution of one server's config for one session: env layering, `${VAR}` interpolation, instance key (§5).
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ServerConfig, Sharing } from '../config/types.js';
import { hashOf } from '../config/canonical.js';
import { interpolate } from './interpolate.js';

type Env = Readonly<Record<string, string | undefined>>;

// The only variables of the system (or daemon) environment a backend receives besides its configured keys.
export const SAFE_ENV_KEYS = ['HOME', 'PATH', 'SHELL', 'TERM', 'USER', 'LOGNAME', 'LANG', 'TMPDIR'] as const;

// Everything outside the server's own config that its resolution depends on.
export interface ResolveContext {
  /** config gateway.env (layer 3, after the server's inline env) */
  gatewayEnv: Readonly<Record<string, string>>;
  /** MCPLEX_HOME/.env (layer 2) */
  homeEnv: Readonly<Record<string, string>>;
  /** workspace .env (layer 1) */
  workspaceEnv: Readonly<Record<string, string>>;
  /** workspace directory */
  workspace: string;
  /** the session's system env (the shim's env) (layer 4 for credential/session) */
  systemEnv: Env;
  /** the daemon's own env (layer 4 for global/workspace) */
  daemonEnv: Env;
  sessionId: string;
  /** directory a relative cwd resolves against (and the default cwd) */
  configDir: string;
}

// A server's config with every variable resolved for one session, plus its instance key.
export interface ResolvedServer {
  name: string;
  sharing: Sharing;
  command?: string;
  args: string[];
  cwd: string;
  url?: string;
  transport?: 'http' | 'sse';
  headers: Record<string, string>;
  /** `docker:` with its args interpolated (the spawner turns it into `docker run -i --rm …`) */
  docker?: { image: string; args: string[] };
  /** exactly what the backend process gets: safe set + env-block keys + gateway.env keys */
  env: Record<string, string>;
  /** every non-empty resolved value of env-block/gateway.env keys, header values and substituted variables, for redaction */
  secrets: string[];
  /** variables referenced but unresolved */
  missing: string[];
  /** instance key: equal keys share one process */
  key: string;
  /** sha256 hex (16) of the fully resolved config + sharing, for the manifest cache; contains no secret */
  configHash: string;
}

interface Layers {
  l1: Env;
  l2: Env;
  l4: Env;
}

const SAFE = new Set<string>(SAFE_ENV_KEYS);

// Resolves `server` for the session described by `ctx`, using only the env layers its sharing mode allows.
export function resolveServer(name: string, server: ServerConfig, ctx: ResolveContext): ResolvedServer {
  const { l1, l2, l4 } = layersFor(server.sharing, ctx);
  const gateway = ctx.gatewayEnv;
  const missing = new Set<string>();
  const secrets = new Set<string>();

  // Variable lookup: layer 1, layer 2, gateway.env (interpolated; a name already being resolved skips it), layer 4.
  const lookupWith =
    (stack: ReadonlySet<string>) =>
    (variable: string): string | undefined => {
      const value =
        get(l1, variable) ??
        get(l2, variable) ??
        (stack.has(variable) ? undefined : gatewayValue(variable, stack)) ??
        get(l4, variable);
      if (value !== undefined && value !== '' && !SAFE.has(variable)) secrets.add(value);
      return value;
    };
  const gatewayValue = (variable: string, stack: ReadonlySet<string>): string | undefined => {
    const raw = get(gateway, variable);
    if (raw === undefined) return undefined;
    return interpolate(raw, lookupWith(new Set([...stack, variable])), missing);
  };
  const lookup = lookupWith(new Set());
  const sub = (text: string): string => interpolate(text, lookup, missing);

  const env: Record<string, string> = {};
  for (const key of SAFE_ENV_KEYS) {
    const value = get(l4, key);
    if (value !== undefined) env[key] = value;
  }
  const own = server.env;
  // The configured keys alone decide sharing and caching: a different PATH or TERM must not split instances.
  const configured: Record<string, string> = {};
  for (const key of new Set([...Object.keys(own), ...Object.keys(gateway)])) {
    const inline = get(own, key);
    const value =
      get(l1, key) ??
      get(l2, key) ??
      (inline === undefined ? undefined : sub(inline)) ??
      gatewayValue(key, new Set()) ??
      get(l4, key) ??
      '';
    env[key] = value;
    configured[key] = value;
    if (value !== '') secrets.add(value);
  }

  const args = server.args.map(sub);
  const url = server.url === undefined ? undefined : sub(server.url);
  const headers: Record<string, string> = {};
  for (const [key, raw] of Object.entries(server.headers)) {
    const value = sub(raw);
    headers[key] = value;
    if (value !== '') secrets.add(value);
  }
  const docker = server.docker === undefined ? undefined : { image: server.docker.image, args: server.docker.args.map(sub) };
  const home = get(l4, 'HOME') ?? homedir();
  const cwd = resolveCwd(server.cwd === undefined ? undefined : sub(server.cwd), home, ctx.configDir);

  const material = { command: server.command, args, url, headers, env: configured, cwd, docker, transport: server.transport };
  const resolved: ResolvedServer = {
    name,
    sharing: server.sharing,
    args,
    cwd,
    headers,
    env,
    secrets: [...secrets],
    missing: [...missing],
    key: instanceKey(name, server.sharing, ctx, material),
    configHash: hashOf({ ...material, sharing: server.sharing }, 16),
  };
  if (server.command !== undefined) resolved.command = server.command;
  if (url !== undefined) resolved.url = url;
  if (server.transport !== undefined) resolved.transport = server.transport;
  if (docker !== undefined) resolved.docker = docker;
  return resolved;
}

function layersFor(sharing: Sharing, ctx: ResolveContext): Layers {
  switch (sharing) {
    case 'global':
      return { l1: {}, l2: ctx.homeEnv, l4: ctx.daemonEnv };
    case 'workspace':
      return { l1: ctx.workspaceEnv, l2: ctx.homeEnv, l4: ctx.daemonEnv };
    case 'credential':
    case 'session':
      return { l1: ctx.workspaceEnv, l2: ctx.homeEnv, l4: ctx.systemEnv };
  }
}

function instanceKey(name: string, sharing: Sharing, ctx: ResolveContext, material: object): string {
  switch (sharing) {
    case 'global':
      return name;
    case 'workspace':
      return `${name}@${ctx.workspace}`;
    case 'credential':
      return `${name}#${hashOf(material, 12)}`;
    case 'session':
      return `${name}~${ctx.sessionId}`;
  }
}

function resolveCwd(cwd: string | undefined, home: string, configDir: string): string {
  if (cwd === undefined || cwd === '') return resolve(configDir);
  let path = cwd;
  if (path === '~') path = home;
  else if (path.startsWith('~/')) path = join(home, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(configDir, path);
}

function get(record: Env, key: string): string | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
