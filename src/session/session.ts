// One client session: answers the handshake locally, routes each request to a surface, and relays what backends send back.
import type { Logger } from 'pino';
import type { Surface } from '../config/types.js';
import {
  errorResponse,
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
import { instructions, SERVER_CAPABILITIES } from './negotiate.js';
import { profileFor, type ShownSurface } from '../surface/clients.js';
import { serverNotes } from '../surface/summary.js';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';
import { lifecycleError } from './lifecycle.js';
import { TASK_METHODS, taskRequest } from './tasks.js';
import { envelopeOf, legacyResult, modernCapabilities, modernResult, type CacheHint, type Envelope } from './modern.js';
import { ClientState, type ClientInfo, type SessionState } from './client-state.js';
import { InFlightRequests } from './inflight.js';
import { ClientQuestions } from './questions.js';
import { META, MODERN_VERSIONS } from '../protocol/modern.js';
import { inputRequiredResult, ParkedCalls, STATE_PREFIX, Work, type Target } from './input-required.js';
import { isListenNotification, Listens, requestedFilter } from './listens.js';
import { asListed } from '../pool/forward.js';

/** What a session needs from the daemon. */
export interface SessionHost extends CatalogHost {
  version: string;
  sessionClosed(session: Session): void;
  /** The session's workspace changed (from its roots): watch the new one's files. */
  workspaceChanged(session: Session): void;
  /** The session asked for a log level: the backends it uses may need a new one. */
  logLevelChanged(session: Session): void;
}

/** How a session begins: who opened it, where, and how the client should see mcplex. */
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

/** A connected client. */
export class Session {
  readonly catalog: Catalog;
  readonly startedAt = Date.now();
  private readonly client: ClientState;
  private readonly subscriptions = new Set<string>();
  private readonly direct: DirectSurface;
  private readonly inflight = new InFlightRequests();
  /** Modern calls waiting for their client to answer what a 2025-era backend asked. */
  private readonly parked = new ParkedCalls();
  /** Modern `subscriptions/listen` streams. */
  private readonly listens = new Listens();
  private readonly questions: ClientQuestions;
  private closed = false;
  readonly log: Logger;
  /** Called after anything in `state()` changed. */
  onstatechange?: () => void;

  constructor(private readonly transport: MessageTransport, readonly init: SessionInit, private readonly host: SessionHost) {
    this.log = host.log.child({ session: init.id });
    const client = (this.client = new ClientState((info) => profileFor(info, host.config().gateway, init.surface)));
    this.questions = new ClientQuestions({
      client,
      inflight: this.inflight,
      deliver: (m, related) => this.deliver(m, related),
      closed: () => this.closed,
      workspaceFromRoots: init.workspaceFromRoots === true,
      adoptWorkspace: (dir) => this.adoptWorkspace(dir),
      log: this.log,
    });
    this.catalog = new Catalog(host, {
      id: init.id,
      get workspace() {
        return init.workspace;
      },
      systemEnv: init.systemEnv,
      clientCapabilities: () => client.capabilities,
      clientName: () => client.info?.name ?? null,
      caller: () => this.questions.caller(),
      confirmTrust: (message) => this.questions.confirmTrust(message),
    });
    this.direct = new DirectSurface(this.catalog, () => ({ discover: client.surface !== 'meta', nameBudget: client.profile.nameBudget }));
    transport.onmessage = (m) => this.receive(m);
    transport.onclose = () => void this.close();
  }

  get id(): string {
    return this.init.id;
  }

  /** The client's self-description, once it gave one. */
  get clientInfo(): ClientInfo | undefined {
    return this.client.info;
  }

  get clientCapabilities(): Record<string, unknown> {
    return this.client.capabilities;
  }

  /** What tools/list shows this session: meta, direct or both. */
  get surface(): ShownSurface {
    return this.client.surface;
  }

  /** True if this session lists backend tools (so a backend's tools/list_changed concerns it). */
  get showsDirect(): boolean {
    return this.client.showsDirect;
  }

  /** The log level this session asked its backends for, if it asked. */
  get requestedLogLevel(): LogLevel | undefined {
    return this.client.askedLevel;
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

  /**
   * Sends a notification to the client. A modern client gets change notifications only on the listen streams that
   * asked for them, and log messages only on a call that asked for them.
   */
  notify(method: string, params?: Params, related?: JsonRpcId): void {
    if (this.client.modern && isListenNotification(method)) {
      for (const l of this.listens.matching(method, params)) this.send({ jsonrpc: '2.0', method, params: l.params }, l.id);
      return;
    }
    if (this.client.modern && method === 'notifications/message') related ??= this.inflight.loggingCall()?.id;
    this.send(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }, related);
  }

  /** True if this session's resolution of some server maps to the instance key. */
  uses(instanceKey: string): boolean {
    return this.catalog.servers().some((s) => s.resolved.key === instanceKey);
  }

  /** Whether a backend log message at `level` passes this session's level (a modern client's: that of a call asking). */
  wantsLog(level: unknown): boolean {
    const floor = this.client.modern ? this.inflight.loggingCall()?.logLevel : this.client.logLevel;
    if (!floor) return false;
    const i = LOG_LEVELS.indexOf(level as LogLevel);
    return i === -1 || i >= LOG_LEVELS.indexOf(floor);
  }

  /**
   * Asks the client something a backend (or mcplex) needs: a 2025 client gets a real request; a modern client gets
   * the question as `input_required` on its own call, answered when it retries.
   */
  requestClient(method: string, params: Params | undefined): Promise<unknown> {
    return this.questions.ask(method, params);
  }

  /** What the client told this session (for re-creating it after a daemon restart); undefined before initialize. */
  state(): SessionState | undefined {
    return this.client.saved([...this.subscriptions]);
  }

  /**
   * Continues a session the client began with an earlier daemon: initialized as it was, at its log level, with its
   * resource subscriptions made again (each on the server that owns the URI).
   */
  async restore(state: SessionState): Promise<void> {
    this.client.restore(state);
    if (state.logLevel) this.applyLevel(state.logLevel);
    await Promise.all(
      (state.subscriptions ?? []).map((uri) =>
        this.subscription('resources/subscribe', uri, new AbortController().signal).catch((err: Error) =>
          this.log.warn({ uri, err: err.message }, 'could not renew a resource subscription'),
        ),
      ),
    );
  }

  private receive(m: JsonRpcMessage): void {
    if (isResponse(m)) {
      this.questions.answer(m);
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
      if (isJsonRpcId(id)) this.inflight.cancel(id);
    } else if (n.method === 'notifications/roots/list_changed') {
      // Only a session's own instances see its roots; shared ones were never told any.
      for (const inst of this.host.pool.list()) if (inst.owner === this.id) inst.notify(n.method);
    }
    // notifications/initialized needs no action: the gateway owns each backend's handshake.
  }

  private async handleRequest(req: JsonRpcRequest): Promise<void> {
    let envelope: Envelope | undefined;
    try {
      envelope = envelopeOf(req.params);
    } catch (err) {
      this.send({ jsonrpc: '2.0', id: req.id, error: toRpcError(err) });
      return;
    }
    const clash = this.inflight.clash(req.id);
    if (clash) return this.send(errorResponse(req.id, RpcCode.InvalidRequest, clash));
    if (envelope) return this.handleModern(req, envelope);
    if (req.method === 'server/discover') return this.send(resultResponse(req.id, this.discover()));
    const refused = lifecycleError(req.method, this.client.initialized);
    if (refused) {
      this.send(errorResponse(req.id, RpcCode.InvalidRequest, refused));
      return;
    }
    const controller = new AbortController();
    this.inflight.add({ controller, id: req.id, method: req.method });
    try {
      const result = await this.dispatch(req, controller.signal);
      if (!controller.signal.aborted) this.send(resultResponse(req.id, legacyResult(result)));
    } catch (err) {
      this.fail(req, err, controller.signal);
    } finally {
      this.inflight.delete(req.id);
    }
  }

  /** Answers a request that failed (nothing, if it was cancelled). */
  private fail(req: JsonRpcRequest, err: unknown, signal: AbortSignal): void {
    if (signal.aborted || (err instanceof McplexError && err.code === 'CANCELLED')) return;
    if (err instanceof MethodNotFound) return this.send(errorResponse(req.id, RpcCode.MethodNotFound, `Method not found: ${req.method}`));
    this.send({ jsonrpc: '2.0', id: req.id, error: toRpcError(err) });
  }

  /**
   * A 2026-07-28 request: its envelope says who the client is and what it can do (there is no handshake), its result
   * is dressed for the modern era, and a question a 2025-era backend asks on the way comes back as input_required,
   * the call waiting until the client retries with the answer. Its id is already checked free.
   */
  private async handleModern(req: JsonRpcRequest, env: Envelope): Promise<void> {
    this.client.adopt(env);
    if (req.method === 'subscriptions/listen') return this.listen(req);
    const target: Target = { id: req.id, progressToken: (req.params?._meta as Params | undefined)?.progressToken };
    const state = req.params?.requestState;
    let work: Work | undefined;
    if (typeof state === 'string' && state.startsWith(STATE_PREFIX)) {
      work = this.parked.resume(state, req.params?.inputResponses);
      if (!work) {
        this.send(errorResponse(req.id, RpcCode.InvalidParams, 'Invalid params: this requestState is unknown or has expired; send the request again without inputResponses and requestState'));
        return;
      }
      work.target = target;
      this.inflight.add({ controller: work.controller, id: req.id, method: req.method, work, ...(env.logLevel ? { logLevel: env.logLevel } : {}) });
    } else {
      work = new Work(target);
      this.inflight.add({ controller: work.controller, id: req.id, method: req.method, work, ...(env.logLevel ? { logLevel: env.logLevel } : {}) });
      work.run((signal) => this.dispatch(req, signal));
    }
    try {
      const next = await work.next();
      if ('questions' in next) {
        const asked = inputRequiredResult(next.questions, this.parked.park(work, next.questions));
        return this.send(resultResponse(req.id, modernResult(req.method, asked, this.serverInfo(), this.cacheHint(req.method))));
      }
      const outcome = next.outcome;
      if ('error' in outcome) return this.fail(req, outcome.error, work.controller.signal);
      if (!work.controller.signal.aborted) this.send(resultResponse(req.id, modernResult(req.method, outcome.result, this.serverInfo(), this.cacheHint(req.method))));
    } finally {
      this.inflight.delete(req.id);
    }
  }

  /** mcplex as modern results name it. */
  private serverInfo(): { name: string; version: string } {
    return { name: 'mcplex', version: this.host.version };
  }

  /** How long a modern client may cache a result: lists change at any time (a listen says when), so not at all. */
  private cacheHint(method: string): CacheHint {
    // Only the meta surface's tool list is the same for every session.
    const shared = method === 'tools/list' && this.surface === 'meta';
    return { ttlMs: 0, cacheScope: shared ? 'public' : 'private' };
  }

  /** The server/discover answer, from config alone: nothing is started. */
  private discover(): Record<string, unknown> {
    const result = {
      supportedVersions: [...MODERN_VERSIONS],
      capabilities: modernCapabilities(SERVER_CAPABILITIES),
      instructions: instructions(this.surface, serverNotes(this.catalog)),
    };
    return modernResult('server/discover', result, this.serverInfo(), { ttlMs: 60_000, cacheScope: 'private' });
  }

  /**
   * subscriptions/listen: acknowledges what mcplex honours (resource URIs no server offers are left out), then keeps
   * the stream open, each change notification tagged with its id, until the client cancels it.
   */
  private async listen(req: JsonRpcRequest): Promise<void> {
    const controller = new AbortController();
    this.inflight.add({ controller, id: req.id, method: req.method });
    const filter = requestedFilter(req.params?.notifications);
    if (filter.resourceSubscriptions) {
      const accepted: string[] = [];
      for (const uri of filter.resourceSubscriptions) {
        await this.subscription('resources/subscribe', uri, controller.signal).then(
          () => accepted.push(uri),
          (err: Error) => this.log.info({ uri, err: err.message }, 'a listen asked for a resource no server offers'),
        );
      }
      filter.resourceSubscriptions = accepted;
    }
    this.listens.add(req.id, filter);
    this.send({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { [META.subscriptionId]: req.id }, notifications: filter } }, req.id);
    controller.signal.addEventListener(
      'abort',
      () => {
        this.inflight.delete(req.id);
        const ended = this.listens.remove(req.id);
        const still = this.listens.uris();
        for (const uri of ended?.resourceSubscriptions ?? []) {
          if (!still.has(uri)) void this.subscription('resources/unsubscribe', uri, new AbortController().signal).catch(() => undefined);
        }
      },
      { once: true },
    );
  }

  private callContext(req: JsonRpcRequest, signal: AbortSignal): CallContext {
    const meta = req.params?._meta as Params | undefined;
    const ctx: CallContext = { signal };
    if (meta) ctx.meta = meta;
    if (req.params?.task !== undefined) ctx.task = req.params.task as Params;
    // A modern retry carries the answers to a backend's input_required: they go back to that backend with the call.
    if (req.params?.inputResponses !== undefined) ctx.inputResponses = req.params.inputResponses;
    if (typeof req.params?.requestState === 'string') ctx.requestState = req.params.requestState;
    if (meta?.progressToken !== undefined) {
      // Progress goes to the client request the work answers now (a parked call's retry takes it over).
      const work = this.inflight.get(req.id)?.work;
      ctx.onProgress = (p) => {
        const to = work?.target ?? { id: req.id, progressToken: meta.progressToken };
        if (to.progressToken !== undefined) this.notify('notifications/progress', { ...p, progressToken: to.progressToken }, to.id);
      };
    }
    return ctx;
  }

  private async dispatch(req: JsonRpcRequest, signal: AbortSignal): Promise<unknown> {
    const params = req.params ?? {};
    const roots = this.questions.rootsFirst(req.method, req.id);
    if (roots) await roots;
    if (TASK_METHODS.has(req.method)) return taskRequest(this.host.pool, this.id, req.method, params, { signal });
    switch (req.method) {
      case 'initialize':
        return this.initialize(params);
      case 'server/discover':
        return this.discover();
      case 'ping':
        return {};
      case 'tools/list':
        return { tools: [...(this.client.showsMeta ? META_TOOLS : []), ...(this.client.showsDirect ? (await this.direct.listTools()).map(asListed) : [])] };
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
        throw new MethodNotFound();
    }
  }

  private initialize(params: Params): unknown {
    const client = this.client;
    client.initialize(params);
    this.log.info({ client: client.info, protocolVersion: client.protocolVersion, surface: client.surface, clientRule: client.profile.matched }, 'session initialized');
    this.onstatechange?.();
    return {
      protocolVersion: client.protocolVersion,
      capabilities: SERVER_CAPABILITIES,
      serverInfo: { name: 'mcplex', version: this.host.version },
      instructions: instructions(this.surface, serverNotes(this.catalog)),
    };
  }

  /** The client's roots named the workspace: this session's servers are those of that workspace from now on. */
  private adoptWorkspace(dir: string): void {
    this.init.workspace = dir;
    this.catalog.reloadWorkspace();
    this.host.workspaceChanged(this);
    this.log.info({ workspace: dir }, 'workspace taken from the client roots');
  }

  private async callTool(req: JsonRpcRequest, signal: AbortSignal): Promise<unknown> {
    const name = String(req.params?.name ?? '');
    const args = (req.params?.arguments as Params | undefined) ?? {};
    const ctx = this.callContext(req, signal);
    if (this.client.showsMeta && isMetaTool(name)) return callMetaTool(this.catalog, name, args, ctx);
    if (this.client.showsDirect) {
      const result = await this.direct.callTool(name, args, ctx);
      if (result) return result;
    }
    const hint = this.client.showsMeta ? 'use search_tools, then call_tool' : 'call tools/list for the tool names';
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
    this.client.askedLevel = level;
    this.host.logLevelChanged(this);
  }

  /** Ends the session: cancels its in-flight backend requests and stops its dedicated instances. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.inflight.cancelAll();
    this.parked.closeAll();
    this.questions.failAll(new McplexError('BACKEND_CLOSED', 'the client session has ended'));
    this.log.info('session closed');
    this.host.sessionClosed(this);
    await this.transport.close().catch(() => undefined);
  }
}

class MethodNotFound extends Error {}
