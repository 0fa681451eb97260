// One session's view of the servers: which it may see (global + workspace), resolved for it, and the instances they map to.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, parseWorkspaceConfig } from '../config/load.js';
import type { Config, ServerConfig } from '../config/types.js';
import { readEnvFile } from '../env/dotenv.js';
import { resolveServer, type ResolvedServer } from '../env/resolve.js';
import type { Params } from '../protocol/jsonrpc.js';
import type { Instance } from '../pool/instance.js';
import type { Manifest } from '../pool/manifest.js';
import type { Pool } from '../pool/pool.js';
import type { Caller, RequestOptions } from '../router/backend-peer.js';
import { withInputRounds } from './input-required.js';
import { McplexError } from '../protocol/errors.js';
import type { AuditRecord } from '../observe/audit.js';
import type { InstallRequest } from '../config/install.js';
import { serverCommandLine } from '../config/command-line.js';
import { definitionHash, trustCommand, WORKSPACE_FILE } from '../home/trust.js';

/** What a session needs from the daemon. */
export interface CatalogHost {
  config(): Config;
  homeEnv(): Readonly<Record<string, string>>;
  daemonEnv: Readonly<Record<string, string | undefined>>;
  pool: Pool;
  log: Logger;
  /** The error of a refused config edit, while the last good config keeps serving. */
  configError(): string | undefined;
  audit(record: AuditRecord): void;
  /** Changes whenever the config or gateway .env changes. */
  generation(): number;
  /** Installs or removes servers (install_server / remove_server). */
  installer(): ServerEditor;
  /** True if the user trusts this definition (hash) of a workspace's server. */
  trusts(workspace: string, server: string, hash: string): boolean;
  /** Records the user's trust in these definitions of a workspace's servers (name → definition hash); returns its undo. */
  grantTrust(workspace: string, servers: Record<string, string>): () => void;
}

/** The config-editing half of the daemon, as sessions see it. */
export interface ServerEditor {
  install(catalog: Catalog, workspace: string, req: InstallRequest, opts: EditOptions): Promise<Record<string, unknown>>;
  remove(workspace: string, server: string, opts: EditOptions): Promise<Record<string, unknown>>;
}

/** Where an edit goes and whether a global one is confirmed. */
export interface EditOptions {
  scope: 'workspace' | 'global';
  confirm: boolean;
}

/** The client-side facts that resolution depends on. */
export interface CatalogSession {
  id: string;
  workspace: string;
  systemEnv: Readonly<Record<string, string | undefined>>;
  /** Capabilities a dedicated (sharing: session) instance advertises on this client's behalf. */
  clientCapabilities(): Record<string, unknown>;
  /** The client's name from initialize, for the audit log. */
  clientName(): string | null;
  /** Who this session's requests are made for (a modern backend's envelope), and how to ask its client for input. */
  caller(): Caller;
  /** Asks the user through the client (elicitation) to trust workspace servers; false if it cannot ask, or no yes came. */
  confirmTrust(message: string): Promise<boolean>;
}

/** One server as this session sees it. */
export interface ServerView {
  name: string;
  config: ServerConfig;
  scope: 'global' | 'workspace';
  resolved: ResolvedServer;
  /** Set for a workspace server whose current definition the user has not trusted: it must not start. */
  untrusted?: { file: string; hash: string; trustCommand: string };
}

/** Capabilities a dedicated instance may mirror from its client (server→client features only). */
const MIRRORED_CAPABILITIES = ['sampling', 'elicitation', 'roots'] as const;

/** What marks the instance key of a workspace `.mcplex.yaml` server shared beyond one session. */
const WORKSPACE_KEY_MARK = '#ws:';

/** True for the instance of a workspace `.mcplex.yaml` server (which trust decides on), by its key. */
export function isWorkspaceServerKey(key: string): boolean {
  return key.includes(WORKSPACE_KEY_MARK);
}

/** Resolves the servers visible to one session and forwards its requests to the right instance. */
export class Catalog {
  private workspaceServers: Record<string, ServerConfig> = {};
  private workspaceEnv: Record<string, string> = {};
  /** A problem with the workspace's .mcplex.yaml or .env, shown by list_servers. */
  workspaceError?: string;
  /** servers() memo: valid while the config object and workspace files are unchanged. */
  private memo?: { generation: number; views: ServerView[] };
  /** Trust questions put to this session's user, by the definitions asked about: each is asked once. */
  private readonly asked = new Map<string, Promise<void>>();

  constructor(private readonly host: CatalogHost, private readonly session: CatalogSession) {
    this.reloadWorkspace();
  }

  /** Re-reads the workspace's `.mcplex.yaml` and `.env`; a broken file keeps the last good content. */
  reloadWorkspace(): void {
    const dir = this.session.workspace;
    this.workspaceError = undefined;
    this.memo = undefined;
    const yamlPath = path.join(dir, '.mcplex.yaml');
    try {
      const text = fs.existsSync(yamlPath) ? fs.readFileSync(yamlPath, 'utf8') : '';
      this.workspaceServers = text ? { ...parseWorkspaceConfig(text, yamlPath).servers } : {};
    } catch (err) {
      this.workspaceError = err instanceof ConfigError ? err.message : `${yamlPath}: ${(err as Error).message}`;
    }
    try {
      this.workspaceEnv = readEnvFile(path.join(dir, '.env'));
    } catch (err) {
      this.workspaceError = (err as Error).message;
    }
  }

  /** Every enabled server visible to this session; a workspace server shadows the global one of the same name. */
  servers(): ServerView[] {
    const cfg = this.host.config();
    const generation = this.host.generation();
    if (this.memo?.generation === generation) return this.memo.views;
    const merged = new Map<string, { config: ServerConfig; scope: 'global' | 'workspace'; dir: string }>();
    for (const [name, config] of Object.entries(cfg.servers)) merged.set(name, { config, scope: 'global', dir: cfg.dir });
    for (const [name, config] of Object.entries(this.workspaceServers)) merged.set(name, { config, scope: 'workspace', dir: this.session.workspace });
    const out: ServerView[] = [];
    for (const [name, { config, scope, dir }] of merged) {
      if (!config.enabled) continue;
      const view: ServerView = { name, config, scope, resolved: this.resolve(name, config, dir, scope) };
      if (scope === 'workspace') {
        const hash = definitionHash(config);
        if (!this.host.trusts(dir, name, hash)) view.untrusted = { file: path.join(dir, WORKSPACE_FILE), hash, trustCommand: trustCommand(dir) };
      }
      out.push(view);
    }
    const views = out.sort((a, b) => a.name.localeCompare(b.name));
    this.memo = { generation, views };
    return views;
  }

  /** One visible server, or an UNKNOWN_SERVER error listing the ones that exist. */
  find(name: string): ServerView {
    const all = this.servers();
    const hit = all.find((s) => s.name === name);
    if (hit) return hit;
    const names = all.map((s) => s.name).join(', ') || '(none configured)';
    throw new McplexError('UNKNOWN_SERVER', `unknown server "${name}". Servers visible here: ${names}. Call list_servers to see them.`);
  }

  /**
   * The views again after asking the user (once per session and set of definitions, when the client supports
   * elicitation) to trust every untrusted workspace server; views still untrusted keep `untrusted`. Starts nothing.
   */
  async admitAll(views: ServerView[]): Promise<ServerView[]> {
    const pending = this.servers().filter((v) => v.untrusted);
    if (!views.some((v) => v.untrusted) || !pending.length) return views;
    const key = pending.map((v) => `${v.name}:${v.untrusted!.hash}`).join(',');
    let asking = this.asked.get(key);
    if (!asking) {
      asking = this.askTrust(pending);
      this.asked.set(key, asking);
    }
    await asking;
    const now = new Map(this.servers().map((v) => [v.name, v]));
    return views.map((v) => now.get(v.name) ?? v);
  }

  /** The view once trusted (asking the user where the client can); an UNTRUSTED error, with the trust command, otherwise. */
  async admit(view: ServerView): Promise<ServerView> {
    const [now] = await this.admitAll([view]);
    if (now!.untrusted) throw untrustedError(now!);
    return now!;
  }

  private async askTrust(views: ServerView[]): Promise<void> {
    const dir = this.session.workspace;
    const message =
      `${path.join(dir, WORKSPACE_FILE)} defines MCP servers that mcplex would start as you, with your credentials:\n` +
      views.map((v) => `- ${v.name}: ${serverCommandLine(v.config)}`).join('\n') +
      `\nTrust and start them? Any later change to them needs trust again; \`mcplex untrust ${dir}\` withdraws it.`;
    let yes = false;
    try {
      yes = await this.session.confirmTrust(message);
    } catch (err) {
      this.host.log.warn({ err: (err as Error).message, workspace: dir }, 'asking the client to trust workspace servers failed');
    }
    if (!yes) return;
    this.host.grantTrust(dir, Object.fromEntries(views.map((v) => [v.name, v.untrusted!.hash])));
    this.host.log.info({ workspace: dir, servers: views.map((v) => v.name) }, 'workspace servers trusted by the user (elicitation)');
  }

  private resolve(name: string, config: ServerConfig, configDir: string, scope: ServerView['scope']): ResolvedServer {
    const resolved = resolveServer(name, config, {
      gatewayEnv: this.host.config().gateway.env,
      homeEnv: this.host.homeEnv(),
      workspaceEnv: this.workspaceEnv,
      workspace: this.session.workspace,
      systemEnv: this.session.systemEnv,
      daemonEnv: this.host.daemonEnv,
      sessionId: this.session.id,
      configDir,
    });
    // A workspace's own server never shares a process with a same-named server of the global config or another workspace.
    if (scope === 'workspace' && config.sharing !== 'session') {
      const base = config.sharing === 'credential' ? resolved.key : name;
      return { ...resolved, key: `${base}@${this.session.workspace}${WORKSPACE_KEY_MARK}${resolved.configHash.slice(0, 12)}` };
    }
    return resolved;
  }

  /** The instance this session's requests to `view` go to (created lazily, not started); never for an untrusted view. */
  instance(view: ServerView): Instance {
    if (view.untrusted) throw untrustedError(view);
    const caps: Record<string, unknown> = {};
    if (view.config.sharing === 'session') {
      const client = this.session.clientCapabilities();
      for (const k of MIRRORED_CAPABILITIES) if (client[k] !== undefined) caps[k] = client[k];
    }
    const owner = view.config.sharing === 'session' ? this.session.id : undefined;
    return this.host.pool.instance(view.resolved, view.config, { clientCapabilities: caps, owner });
  }

  /** The instance for `view` if one was created already. */
  instanceIfAny(view: ServerView): Instance | undefined {
    return this.host.pool.get(view.resolved.key);
  }

  /** The manifest known without spawning (live instance or cache); none for an untrusted view. */
  cachedManifest(view: ServerView): Manifest | undefined {
    return view.untrusted ? undefined : this.host.pool.manifest(view.resolved);
  }

  /** A config problem this session should be told about (global edit refused, or a broken workspace file). */
  configError(): string | undefined {
    return this.host.configError() ?? this.workspaceError;
  }

  /** Installs a server for this session's workspace (or globally). */
  install(req: InstallRequest, opts: EditOptions): Promise<Record<string, unknown>> {
    return this.host.installer().install(this, this.session.workspace, req, opts);
  }

  /** Removes a server from this session's workspace config (or the global one). */
  remove(server: string, opts: EditOptions): Promise<Record<string, unknown>> {
    return this.host.installer().remove(this.session.workspace, server, opts);
  }

  /** The server's manifest from its live instance or the cache; with `discover`, starts it when neither has one. */
  async manifest(view: ServerView, discover: boolean): Promise<Manifest | undefined> {
    if (view.untrusted) throw untrustedError(view);
    const known = this.host.pool.manifest(view.resolved);
    if (known || !discover) return known;
    const inst = this.instance(view);
    await inst.ensureStarted();
    return inst.manifest;
  }

  /**
   * Forwards a request to the server's instance for this session, on behalf of its caller (asking the client when
   * a modern backend needs input it can give); tool calls are audited.
   */
  async forward(view: ServerView, method: string, params: Params | undefined, opts: RequestOptions = {}): Promise<unknown> {
    const inst = this.instance(view);
    const caller = opts.caller ?? this.session.caller();
    const send = (p: Params | undefined) => inst.request(method, p, { ...opts, caller, sessionId: this.session.id });
    const run = () => withInputRounds(send, method, params, caller, { server: view.name, signal: opts.signal });
    if (method !== 'tools/call') return run();
    const started = performance.now();
    let outcome: AuditRecord['outcome'] = 'error';
    try {
      const result = await run();
      outcome = (result as { isError?: boolean } | undefined)?.isError ? 'tool_error' : 'ok';
      return result;
    } catch (err) {
      if (err instanceof McplexError && err.code === 'CANCELLED') outcome = 'cancelled';
      throw err;
    } finally {
      this.host.audit({
        session: this.session.id,
        client: this.session.clientName(),
        workspace: this.session.workspace,
        server: view.name,
        instance: inst.key,
        tool: String(params?.name ?? ''),
        ms: Math.round((performance.now() - started) * 100) / 100,
        outcome,
      });
    }
  }
}

/** The error for a server that must not start until the user trusts its workspace file. */
function untrustedError(view: ServerView): McplexError {
  const u = view.untrusted!;
  return new McplexError(
    'UNTRUSTED',
    `server "${view.name}" comes from ${u.file}, which has not been trusted in its current form, so mcplex did not start it. To trust it, the user runs: ${u.trustCommand}`,
  );
}
