// One client session: answers the handshake locally, routes each request to a surface, and relays what backends send back.
import type { Logger } from 'pino';
import type { Surface } from '../config/types.js';
import {
  errorResponse,
  idKey,
  isJsonRpcId,
  isNotification,
  isRequest,
  isResponse,
  resultResponse,
  RpcCode,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type Params,
} from '../protocol/jsonrpc.js';
import type { MessageTransport } from '../protocol/transport.js';
import { BackendRpcError, McplexError, toRpcError } from '../protocol/errors.js';
import { DirectSurface } from '../surface/direct.js';
import { callMetaTool, isMetaTool, META_TOOLS, type CallContext } from '../surface/meta.js';
import { Catalog, type CatalogHost } from '../catalog/catalog.js';
import { instructions, negotiateVersion, SERVER_CAPABILITIES } from './negotiate.js';
import { profileFor, type ClientProfile, type ShownSurface } from '../surface/clients.js';
import { serverNotes } from '../surface/summary.js';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';
import { ClientRequests } from './client-requests.js';
import { lifecycleError } from './lifecycle.js';
import { TASK_METHODS, taskRequest } from './tasks.js';
import { asListed } from '../pool/forward.js';
import { findWorkspace } from '../env/workspace.js';
import { fileURLToPath } from 'node:url';

/** What a session needs from the daemon. */
export interface SessionHost extends CatalogHost {
  version: string;
  sessionClosed(session: Session): void;
  /** The session's workspace changed (from its roots): watch the new one's files. */
  workspaceChanged(session: Session): void;
  /** The session asked for a log level: the backends it uses may need a new one. */
  logLevelChanged(session: Session): void;
}

/** How long tool requests wait for a client to report its roots before using the default workspace. */
const ROOTS_WAIT_MS = 5000;

export interface SessionInit {
  id: string;
  cwd: string;
  /** Changes once if the workspace comes from the client's roots (HTTP clients). */
  workspace: string;
  /** Ask the client for its roots after the handshake and take the first file:// root as the workspace. */
  workspaceFromRoots?: boolean;
  systemEnv: Readonly<Record<string, string | undefined>>;
  /** The surface asked for (`--surface`, `?surface=`, else gateway.surface); `auto` is settled per client at initialize. */
  surface: Surface;
  /** Where the session came from (shim pid, http), for logs and status. */
  origin: string;
}

/** What a session's client told it, kept so a session re-created after a daemon restart goes on where it was. */
export interface SessionState {
  protocolVersion?: string;
  clientInfo?: { name?: string; version?: string };
  capabilities: Record<string, unknown>;
  /** Only when the client asked for one. */
  logLevel?: LogLevel;
  subscriptions: string[];
}

/** How long a client has to answer a request mcplex forwards to it (sampling, elicitation, roots). */
const CLIENT_REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

/** How long the user has to answer whether to trust a workspace's servers (no answer is a no). */
const TRUST_ANSWER_MS = 5 * 60 * 1000;

/** The form the trust question asks for: one yes/no. */
const TRUST_SCHEMA = {
  type: 'object',
  properties: { trust: { type: 'boolean', title: 'Trust and start these servers', default: false } },
  required: ['trust'],
};

/** A connected client. */
export class Session {
  readonly catalog: Catalog;
  readonly startedAt = Date.now();
  clientInfo?: { name?: string; version?: string };
  protocolVersion?: string;
  /** The level this session's log messages are filtered at (`info` until the client asks). */
  logLevel: LogLevel = 'info';
  /** Set when the client asked for a level with logging/setLevel. */
  private askedLevel?: LogLevel;
  private initialized = false;
  private clientCaps: Record<string, unknown> = {};
  /** The surface and name budget for this client, settled at initialize (an unknown client's until then). */
  private profile?: ClientProfile;
  private readonly subscriptions = new Set<string>();
  private readonly direct: DirectSurface;
  private readonly inflight = new Map<string, { controller: AbortController; id: JsonRpcId }>();
  /** The roots request that decides the workspace, asked once on the first request that needs servers. */
  private rootsAsked?: Promise<void>;
  private readonly toClient: ClientRequests;
  private closed = false;
  readonly log: Logger;
  /** Called after anything in `state()` changed. */
  onstatechange?: () => void;

  constructor(private readonly transport: MessageTransport, readonly init: SessionInit, private readonly host: SessionHost) {
    this.log = host.log.child({ session: init.id });
    const self = this;
    this.catalog = new Catalog(host, {
      id: init.id,
      get workspace() {
        return self.init.workspace;
      },
      systemEnv: init.systemEnv,
      clientCapabilities: () => this.clientCaps,
      clientName: () => this.clientInfo?.name ?? null,
      caller: () => ({
        capabilities: this.clientCaps,
        clientInfo: this.clientInfo,
        logLevel: this.askedLevel,
        ask: (method, params) => this.requestClient(method, params as Params | undefined),
      }),
      confirmTrust: (message) => this.confirmTrust(message),
    });
    this.direct = new DirectSurface(this.catalog, () => ({ discover: this.surface !== 'meta', nameBudget: this.clientProfile.nameBudget }));
    this.toClient = new ClientRequests((m, related) => this.deliver(m, related));
    transport.onmessage = (m) => this.receive(m);
    transport.onclose = () => void this.close();
  }

  get id(): string {
    return this.init.id;
  }

  get clientCapabilities(): Record<string, unknown> {
    return this.clientCaps;
  }

  private get clientProfile(): ClientProfile {
    return (this.profile ??= profileFor(this.clientInfo, this.host.config().gateway, this.init.surface));
  }

  /** What tools/list shows this session: meta, direct or both. */
  get surface(): ShownSurface {
    return this.clientProfile.surface;
  }

  private get showsMeta(): boolean {
    return this.surface !== 'direct';
  }

  /** True if this session lists backend tools (so a backend's tools/list_changed concerns it). */
  get showsDirect(): boolean {
    return this.surface !== 'meta';
  }

  /** The log level this session asked its backends for, if it asked. */
  get requestedLogLevel(): LogLevel | undefined {
    return this.askedLevel;
  }

  /** Sends a message to the client (on the stream of `related` where the transport has streams); a closed session drops it. */
  send(message: JsonRpcMessage, related?: JsonRpcId): void {
    void this.deliver(message, related).catch(() => undefined);
  }

  /**
   * Sends a message; one that cannot be delivered (too large, too deep, a client that does not read) fails alone:
   * an answer is replaced by an error under the same id, so the request never hangs.
   */
  private async deliver(message: JsonRpcMessage, related?: JsonRpcId): Promise<void> {
    if (this.closed) throw new McplexError('BACKEND_CLOSED', 'the client session has ended');
    try {
      await this.transport.send(message, related === undefined ? undefined : { relatedRequestId: related });
    } catch (err) {
      const perMessage = err instanceof McplexError || err instanceof RangeError || err instanceof TypeError;
      const answer = isResponse(message) && message.id !== null;
      if (perMessage && answer) {
        const code = err instanceof McplexError ? err.code : 'MESSAGE_INVALID';
        this.log.warn({ err: (err as Error).message, code }, 'an answer could not be delivered to the client; it gets an error instead');
        const why = `mcplex could not deliver the answer to this request: ${(err as Error).message}`;
        await this.transport.send(errorResponse((message as { id: JsonRpcId }).id, RpcCode.InternalError, why, { code })).catch(() => undefined);
      } else this.log.debug({ err: (err as Error).message }, 'send to client failed');
      throw err;
    }
  }

  /** Sends a notification to the client. */
  notify(method: string, params?: Params, related?: JsonRpcId): void {
    this.send(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }, related);
  }

  /** True if this session's resolution of some server maps to the instance key. */
  uses(instanceKey: string): boolean {
    return this.catalog.servers().some((s) => s.resolved.key === instanceKey);
  }

  /** Whether a backend log message at `level` passes this session's logging/setLevel. */
  wantsLog(level: unknown): boolean {
    const i = LOG_LEVELS.indexOf(level as LogLevel);
    return i === -1 || i >= LOG_LEVELS.indexOf(this.logLevel);
  }

  /** Sends a request to the client (a backend's sampling/elicitation/roots request) and awaits its answer. */
  requestClient(method: string, params: Params | undefined, relatedTo?: JsonRpcId, timeoutMs = CLIENT_REQUEST_TIMEOUT_MS): Promise<unknown> {
    if (this.closed) return Promise.reject(new McplexError('BACKEND_CLOSED', 'the client session has ended'));
    // On HTTP, a request sent while a call is in flight travels on that call's stream.
    return this.toClient.request(method, params, relatedTo ?? [...this.inflight.values()].pop()?.id, timeoutMs);
  }

  /** What the client told this session (for re-creating it after a daemon restart); undefined before initialize. */
  state(): SessionState | undefined {
    if (!this.initialized) return undefined;
    return {
      ...(this.protocolVersion ? { protocolVersion: this.protocolVersion } : {}),
      ...(this.clientInfo ? { clientInfo: this.clientInfo } : {}),
      capabilities: this.clientCaps,
      ...(this.askedLevel ? { logLevel: this.askedLevel } : {}),
      subscriptions: [...this.subscriptions],
    };
  }

  /**
   * Continues a session the client began with an earlier daemon: initialized as it was, at its log level, with its
   * resource subscriptions made again (each on the server that owns the URI).
   */
  async restore(state: SessionState): Promise<void> {
    this.initialized = true;
    this.clientCaps = state.capabilities ?? {};
    this.clientInfo = state.clientInfo;
    this.protocolVersion = state.protocolVersion;
    this.profile = profileFor(this.clientInfo, this.host.config().gateway, this.init.surface);
    if (state.logLevel) this.applyLevel(state.logLevel);
    await Promise.all(
      (state.subscriptions ?? []).map((uri) =>
        this.subscription('resources/subscribe', uri, new AbortController().signal).catch((err: Error) =>
          this.log.warn({ uri, err: err.message }, 'could not renew a resource subscription'),
        ),
      ),
    );
  }

  /** Asks the user, through the client's form elicitation, whether to trust workspace servers; false if the client cannot ask. */
  private async confirmTrust(message: string): Promise<boolean> {
    const e = this.clientCaps.elicitation;
    // `elicitation: {}` means form mode; a client that lists modes must list form.
    if (!e || typeof e !== 'object' || (Object.keys(e).length > 0 && !('form' in e))) return false;
    const answer = (await this.requestClient('elicitation/create', { mode: 'form', message, requestedSchema: TRUST_SCHEMA }, undefined, TRUST_ANSWER_MS)) as
      | { action?: string; content?: { trust?: unknown } }
      | undefined;
    return answer?.action === 'accept' && answer.content?.trust === true;
  }

  private receive(m: JsonRpcMessage): void {
    if (isResponse(m)) {
      this.toClient.answer(m);
      return;
    }
    if (isRequest(m)) {
      void this.handleRequest(m);
      return;
    }
    if (isNotification(m)) this.handleNotification(m);
  }

  private handleNotification(n: JsonRpcNotification): void {
    if (n.method === 'notifications/cancelled') {
      const id = n.params?.requestId;
      if (isJsonRpcId(id)) this.inflight.get(idKey(id))?.controller.abort();
    } else if (n.method === 'notifications/roots/list_changed') {
      // Only a session's own instances see its roots; shared ones were never told any.
      for (const inst of this.host.pool.list()) if (inst.owner === this.id) inst.notify(n.method);
    }
    // notifications/initialized needs no action: the gateway owns each backend's handshake.
  }

  private async handleRequest(req: JsonRpcRequest): Promise<void> {
    const key = idKey(req.id);
    if (this.inflight.has(key)) {
      const why = `Invalid Request: id ${String(req.id)} belongs to a request of this session that is still in flight; use a new id for each request`;
      this.send(errorResponse(req.id, RpcCode.InvalidRequest, why));
      return;
    }
    const refused = lifecycleError(req.method, this.initialized);
    if (refused) {
      this.send(errorResponse(req.id, RpcCode.InvalidRequest, refused));
      return;
    }
    const controller = new AbortController();
    this.inflight.set(key, { controller, id: req.id });
    try {
      const result = await this.dispatch(req, controller.signal);
      if (!controller.signal.aborted) this.send(resultResponse(req.id, result));
    } catch (err) {
      if (controller.signal.aborted || (err instanceof McplexError && err.code === 'CANCELLED')) return;
      if (err instanceof MethodNotFound) {
        this.send(errorResponse(req.id, RpcCode.MethodNotFound, `Method not found: ${req.method}`));
        return;
      }
      this.send({ jsonrpc: '2.0', id: req.id, error: toRpcError(err) });
    } finally {
      this.inflight.delete(key);
    }
  }

  private callContext(req: JsonRpcRequest, signal: AbortSignal): CallContext {
    const meta = req.params?._meta as Params | undefined;
    const ctx: CallContext = { signal };
    if (meta) ctx.meta = meta;
    if (req.params?.task !== undefined) ctx.task = req.params.task as Params;
    if (meta?.progressToken !== undefined) ctx.onProgress = (p) => this.notify('notifications/progress', p, req.id);
    return ctx;
  }

  private async dispatch(req: JsonRpcRequest, signal: AbortSignal): Promise<unknown> {
    const params = req.params ?? {};
    if (req.method !== 'initialize' && req.method !== 'ping' && this.init.workspaceFromRoots && this.clientCaps.roots) {
      this.rootsAsked ??= this.adoptRootsWorkspace(req.id);
      await this.rootsAsked;
    }
    if (TASK_METHODS.has(req.method)) return taskRequest(this.host.pool, this.id, req.method, params, { signal });
    switch (req.method) {
      case 'initialize':
        return this.initialize(params);
      case 'ping':
        return {};
      case 'tools/list':
        return { tools: [...(this.showsMeta ? META_TOOLS : []), ...(this.showsDirect ? (await this.direct.listTools()).map(asListed) : [])] };
      case 'tools/call':
        return this.callTool(req, signal);
      case 'prompts/list':
        return { prompts: await this.direct.listPrompts() };
      case 'prompts/get': {
        const target = await this.direct.promptTarget(String(params.name));
        return this.catalog.forward(target.view, 'prompts/get', { ...params, name: target.name }, { signal });
      }
      case 'resources/list':
        return { resources: await this.direct.listResources() };
      case 'resources/templates/list':
        return { resourceTemplates: await this.direct.listResourceTemplates() };
      case 'resources/read':
        return this.direct.forwardResource(req.method, params, { signal });
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        return this.subscription(req.method, String(params.uri), signal);
      case 'completion/complete':
        return this.complete(params, signal);
      case 'logging/setLevel':
        return this.setLevel(params);
      default:
        // server/discover included: the 2026-07-28 handshake is not served yet, on any transport.
        throw new MethodNotFound();
    }
  }

  private initialize(params: Params): unknown {
    this.clientCaps = (params.capabilities as Record<string, unknown> | undefined) ?? {};
    this.clientInfo = params.clientInfo as Session['clientInfo'];
    this.protocolVersion = negotiateVersion(params.protocolVersion);
    this.profile = profileFor(this.clientInfo, this.host.config().gateway, this.init.surface);
    this.initialized = true;
    this.log.info({ client: this.clientInfo, protocolVersion: this.protocolVersion, surface: this.surface, clientRule: this.profile.matched }, 'session initialized');
    this.onstatechange?.();
    return {
      protocolVersion: this.protocolVersion,
      capabilities: SERVER_CAPABILITIES,
      serverInfo: { name: 'mcplex', version: this.host.version },
      instructions: instructions(this.surface, serverNotes(this.catalog)),
    };
  }

  /** Asks the client for its roots (on the stream of the request that needs them); the first file:// root's workspace becomes this session's. */
  private async adoptRootsWorkspace(related: JsonRpcId): Promise<void> {
    try {
      const r = (await this.requestClient('roots/list', undefined, related, ROOTS_WAIT_MS)) as { roots?: Array<{ uri?: string }> };
      const uri = r.roots?.find((x) => x.uri?.startsWith('file://'))?.uri;
      if (uri) {
        this.init.workspace = findWorkspace(fileURLToPath(uri));
        this.catalog.reloadWorkspace();
        this.host.workspaceChanged(this);
        this.log.info({ workspace: this.init.workspace }, 'workspace taken from the client roots');
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not get the client roots; using the default workspace');
    }
  }

  private async callTool(req: JsonRpcRequest, signal: AbortSignal): Promise<unknown> {
    const name = String(req.params?.name ?? '');
    const args = (req.params?.arguments as Params | undefined) ?? {};
    const ctx = this.callContext(req, signal);
    if (this.showsMeta && isMetaTool(name)) return callMetaTool(this.catalog, name, args, ctx);
    if (this.showsDirect) {
      const result = await this.direct.callTool(name, args, ctx);
      if (result) return result;
    }
    const hint = this.showsMeta ? 'use search_tools, then call_tool' : 'call tools/list for the tool names';
    throw new BackendRpcError({ code: RpcCode.InvalidParams, message: `Unknown tool: "${name}" (${hint})` });
  }

  private async subscription(method: 'resources/subscribe' | 'resources/unsubscribe', uri: string, signal: AbortSignal): Promise<unknown> {
    const view = await this.direct.resourceTarget(uri);
    const inst = this.catalog.instance(view);
    const opts = { signal, sessionId: this.id };
    const result = method === 'resources/subscribe' ? await inst.subscribe(uri, this.id, opts) : await inst.unsubscribe(uri, this.id, opts);
    if (method === 'resources/subscribe') this.subscriptions.add(uri);
    else this.subscriptions.delete(uri);
    this.onstatechange?.();
    return result;
  }

  private async complete(params: Params, signal: AbortSignal): Promise<unknown> {
    const ref = params.ref as { type?: string; name?: string; uri?: string } | undefined;
    if (ref?.type === 'ref/prompt' && ref.name) {
      const target = await this.direct.promptTarget(ref.name);
      return this.catalog.forward(target.view, 'completion/complete', { ...params, ref: { ...ref, name: target.name } }, { signal });
    }
    if (ref?.type === 'ref/resource' && ref.uri) {
      const view = await this.direct.resourceTarget(ref.uri);
      return this.catalog.forward(view, 'completion/complete', params, { signal });
    }
    throw new BackendRpcError({ code: RpcCode.InvalidParams, message: 'completion/complete needs a ref/prompt or ref/resource' });
  }

  private setLevel(params: Params): unknown {
    const level = params.level;
    if (!LOG_LEVELS.includes(level as LogLevel)) {
      throw new BackendRpcError({ code: RpcCode.InvalidParams, message: `unknown log level ${String(level)}; use one of ${LOG_LEVELS.join(', ')}` });
    }
    this.applyLevel(level as LogLevel);
    this.onstatechange?.();
    return {};
  }

  /** Filters this session's log messages at `level` and lets its backends know. */
  private applyLevel(level: LogLevel): void {
    this.logLevel = level;
    this.askedLevel = level;
    this.host.logLevelChanged(this);
  }

  /** Ends the session: cancels its in-flight backend requests and stops its dedicated instances. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.inflight.values()) c.controller.abort();
    this.inflight.clear();
    this.toClient.failAll(new McplexError('BACKEND_CLOSED', 'the client session has ended'));
    this.log.info('session closed');
    this.host.sessionClosed(this);
    await this.transport.close().catch(() => undefined);
  }
}

class MethodNotFound extends Error {}
