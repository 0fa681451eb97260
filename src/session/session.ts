// One client session: answers the handshake locally, routes each request to a surface, and relays what backends send back.
import type { Logger } from 'pino';
import type { Surface } from '../config/types.js';
import {
  errorResponse,
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
import { errorResult } from '../surface/results.js';
import { Catalog, type CatalogHost } from '../catalog/catalog.js';
import { instructions, negotiateVersion, SERVER_CAPABILITIES } from './negotiate.js';
import { profileFor, type ClientProfile, type ShownSurface } from '../surface/clients.js';
import { serverNotes } from '../surface/summary.js';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';
import { findWorkspace } from '../env/workspace.js';
import { fileURLToPath } from 'node:url';

/** What a session needs from the daemon. */
export interface SessionHost extends CatalogHost {
  version: string;
  sessionClosed(session: Session): void;
  /** The session's workspace changed (from its roots): watch the new one's files. */
  workspaceChanged(session: Session): void;
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
  logLevel: LogLevel = 'info';
  private clientCaps: Record<string, unknown> = {};
  /** The surface and name budget for this client, settled at initialize (an unknown client's until then). */
  private profile?: ClientProfile;
  private readonly direct: DirectSurface;
  private readonly inflight = new Map<string, { controller: AbortController; id: JsonRpcId }>();
  /** The roots request that decides the workspace, asked once on the first request that needs servers. */
  private rootsAsked?: Promise<void>;
  private readonly clientPending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private nextClientId = 1;
  private closed = false;
  readonly log: Logger;

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
      confirmTrust: (message) => this.confirmTrust(message),
    });
    this.direct = new DirectSurface(this.catalog, () => ({ discover: this.surface !== 'meta', nameBudget: this.clientProfile.nameBudget }));
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

  private get showsDirect(): boolean {
    return this.surface !== 'meta';
  }

  /** Sends a message to the client (on the stream of `related` where the transport has streams); a closed session drops it. */
  send(message: JsonRpcMessage, related?: JsonRpcId): void {
    if (this.closed) return;
    this.transport
      .send(message, related === undefined ? undefined : { relatedRequestId: related })
      .catch((err: Error) => this.log.debug({ err: err.message }, 'send to client failed'));
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
    const id = `mcplex-${this.nextClientId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.clientPending.delete(id);
        reject(new McplexError('CALL_TIMEOUT', `the client did not answer ${method} in time`));
      }, timeoutMs);
      this.clientPending.set(id, { resolve, reject, timer });
      // On HTTP, a request sent while a call is in flight travels on that call's stream.
      const related = relatedTo ?? [...this.inflight.values()].pop()?.id;
      this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params }, related);
    });
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
      const p = typeof m.id === 'string' ? this.clientPending.get(m.id) : undefined;
      if (!p) return;
      this.clientPending.delete(m.id as string);
      clearTimeout(p.timer);
      if (m.error) p.reject(new BackendRpcError(m.error));
      else p.resolve(m.result);
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
      if (typeof id === 'string' || typeof id === 'number') this.inflight.get(idKey(id))?.controller.abort();
    }
    // notifications/initialized and roots/list_changed need no action: the gateway owns each backend's handshake.
  }

  private async handleRequest(req: JsonRpcRequest): Promise<void> {
    const key = idKey(req.id);
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
    if (meta?.progressToken !== undefined) ctx.onProgress = (p) => this.notify('notifications/progress', p, req.id);
    return ctx;
  }

  private async dispatch(req: JsonRpcRequest, signal: AbortSignal): Promise<unknown> {
    const params = req.params ?? {};
    if (req.method !== 'initialize' && req.method !== 'ping' && this.init.workspaceFromRoots && this.clientCaps.roots) {
      this.rootsAsked ??= this.adoptRootsWorkspace(req.id);
      await this.rootsAsked;
    }
    switch (req.method) {
      case 'initialize':
        return this.initialize(params);
      case 'ping':
        return {};
      case 'tools/list':
        return { tools: [...(this.showsMeta ? META_TOOLS : []), ...(this.showsDirect ? await this.direct.listTools() : [])] };
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
      case 'resources/unsubscribe': {
        const view = await this.direct.resourceTarget(String(params.uri));
        const inst = this.catalog.instance(view);
        const opts = { signal, sessionId: this.id };
        return req.method === 'resources/subscribe' ? inst.subscribe(String(params.uri), this.id, opts) : inst.unsubscribe(String(params.uri), this.id, opts);
      }
      case 'completion/complete':
        return this.complete(params, signal);
      case 'logging/setLevel':
        return this.setLevel(params);
      default:
        throw new MethodNotFound();
    }
  }

  private initialize(params: Params): unknown {
    this.clientCaps = (params.capabilities as Record<string, unknown> | undefined) ?? {};
    this.clientInfo = params.clientInfo as Session['clientInfo'];
    this.protocolVersion = negotiateVersion(params.protocolVersion);
    this.profile = profileFor(this.clientInfo, this.host.config().gateway, this.init.surface);
    this.log.info({ client: this.clientInfo, protocolVersion: this.protocolVersion, surface: this.surface, clientRule: this.profile.matched }, 'session initialized');
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
    return errorResult(`unknown tool "${name}"`, this.showsMeta ? 'use search_tools, then call_tool' : 'call tools/list for the tool names');
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
    this.logLevel = level as LogLevel;
    return {};
  }

  /** Ends the session: cancels its in-flight backend requests and stops its dedicated instances. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.inflight.values()) c.controller.abort();
    this.inflight.clear();
    for (const p of this.clientPending.values()) {
      clearTimeout(p.timer);
      p.reject(new McplexError('BACKEND_CLOSED', 'the client session has ended'));
    }
    this.clientPending.clear();
    this.log.info('session closed');
    this.host.sessionClosed(this);
    await this.transport.close().catch(() => undefined);
  }
}

class MethodNotFound extends Error {}

function idKey(id: JsonRpcId): string {
  return `${typeof id}:${id}`;
}
