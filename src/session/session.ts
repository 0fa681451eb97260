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
import { McplexError, toRpcError } from '../protocol/errors.js';
import { DirectSurface } from '../surface/direct.js';
import { Catalog, type CatalogHost } from '../catalog/catalog.js';
import { profileFor, type ShownSurface } from '../surface/clients.js';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';
import { lifecycleError } from './lifecycle.js';
import { envelopeOf, legacyResult, modernResult, type CacheHint, type Envelope } from './modern.js';
import { ClientState, type ClientInfo, type SessionState } from './client-state.js';
import { InFlightRequests } from './inflight.js';
import { ClientQuestions } from './questions.js';
import { ResourceSubscriptions } from './subscriptions.js';
import { Dispatch, failure } from './dispatch.js';
import { serverInfo } from './negotiate.js';
import { META } from '../protocol/modern.js';
import { inputRequiredResult, ParkedCalls, STATE_PREFIX, Work } from './input-required.js';
import { isListenNotification, Listens, requestedFilter } from './listens.js';

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
  readonly log: Logger;
  /** Called after anything in `state()` changed. */
  onstatechange?: () => void;
  private readonly client: ClientState;
  private readonly inflight = new InFlightRequests();
  private readonly questions: ClientQuestions;
  private readonly subscriptions: ResourceSubscriptions;
  private readonly dispatch: Dispatch;
  /** Modern calls waiting for their client to answer what a 2025-era backend asked. */
  private readonly parked = new ParkedCalls();
  /** Modern `subscriptions/listen` streams. */
  private readonly listens = new Listens();
  private closed = false;

  constructor(private readonly transport: MessageTransport, readonly init: SessionInit, private readonly host: SessionHost) {
    this.log = host.log.child({ session: init.id });
    const client = (this.client = new ClientState((info) => profileFor(info, host.config().gateway, init.surface)));
    const inflight = this.inflight;
    const log = this.log;
    const changed = () => this.onstatechange?.();
    this.questions = new ClientQuestions({
      client,
      inflight,
      deliver: (m, related) => this.deliver(m, related),
      closed: () => this.closed,
      workspaceFromRoots: init.workspaceFromRoots === true,
      adoptWorkspace: (dir) => this.adoptWorkspace(dir),
      log,
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
    const catalog = this.catalog;
    const direct = new DirectSurface(catalog, () => ({ discover: client.surface !== 'meta', nameBudget: client.profile.nameBudget }));
    this.subscriptions = new ResourceSubscriptions({ sessionId: init.id, catalog, direct, changed, log });
    this.dispatch = new Dispatch({
      sessionId: init.id,
      version: host.version,
      log,
      pool: host.pool,
      catalog,
      direct,
      client,
      subscriptions: this.subscriptions,
      inflight,
      rootsFirst: (method, id) => this.questions.rootsFirst(method, id),
      notify: (method, params, related) => this.notify(method, params, related),
      setLevel: (level) => this.applyLevel(level),
      changed,
    });
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
    return this.client.saved(this.subscriptions.list());
  }

  /**
   * Continues a session the client began with an earlier daemon: initialized as it was, at its log level, with its
   * resource subscriptions made again (each on the server that owns the URI).
   */
  async restore(state: SessionState): Promise<void> {
    this.client.restore(state);
    if (state.logLevel) this.applyLevel(state.logLevel);
    await this.subscriptions.renew(state.subscriptions ?? []);
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

  /** A request of either era: an enveloped one is the modern era's; the rest follow the 2025 lifecycle. */
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
    if (req.method === 'server/discover') return this.send(resultResponse(req.id, this.dispatch.discover()));
    const refused = lifecycleError(req.method, this.client.initialized);
    if (refused) return this.send(errorResponse(req.id, RpcCode.InvalidRequest, refused));
    const controller = new AbortController();
    this.inflight.add({ controller, id: req.id, method: req.method });
    try {
      const result = await this.dispatch.run(req, controller.signal);
      if (!controller.signal.aborted) this.send(resultResponse(req.id, legacyResult(result)));
    } catch (err) {
      const e = failure(req, err, controller.signal);
      if (e) this.send(e);
    } finally {
      this.inflight.delete(req.id);
    }
  }

  /**
   * A 2026-07-28 request: its envelope says who the client is and what it can do (there is no handshake), its result
   * is dressed for the modern era, and a question a 2025-era backend asks on the way comes back as input_required,
   * the call waiting until the client retries with the answer. Its id is already checked free.
   */
  private async handleModern(req: JsonRpcRequest, env: Envelope): Promise<void> {
    this.client.adopt(env);
    if (req.method === 'subscriptions/listen') return this.listen(req);
    const target = { id: req.id, progressToken: (req.params?._meta as Params | undefined)?.progressToken };
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
      work.run((signal) => this.dispatch.run(req, signal));
    }
    try {
      const next = await work.next();
      if ('questions' in next) {
        const asked = inputRequiredResult(next.questions, this.parked.park(work, next.questions));
        return this.send(resultResponse(req.id, modernResult(req.method, asked, serverInfo(this.host.version), this.cacheHint(req.method))));
      }
      const outcome = next.outcome;
      if ('error' in outcome) {
        const e = failure(req, outcome.error, work.controller.signal);
        if (e) this.send(e);
        return;
      }
      if (!work.controller.signal.aborted) this.send(resultResponse(req.id, modernResult(req.method, outcome.result, serverInfo(this.host.version), this.cacheHint(req.method))));
    } finally {
      this.inflight.delete(req.id);
    }
  }

  /** How long a modern client may cache a result: lists change at any time (a listen says when), so not at all. */
  private cacheHint(method: string): CacheHint {
    // Only the meta surface's tool list is the same for every session.
    const shared = method === 'tools/list' && this.surface === 'meta';
    return { ttlMs: 0, cacheScope: shared ? 'public' : 'private' };
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
        await this.subscriptions.change('resources/subscribe', uri, controller.signal).then(
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
          if (!still.has(uri)) void this.subscriptions.change('resources/unsubscribe', uri, new AbortController().signal).catch(() => undefined);
        }
      },
      { once: true },
    );
  }

  /** The client's roots named the workspace: this session's servers are those of that workspace from now on. */
  private adoptWorkspace(dir: string): void {
    this.init.workspace = dir;
    this.catalog.reloadWorkspace();
    this.host.workspaceChanged(this);
    this.log.info({ workspace: dir }, 'workspace taken from the client roots');
  }

  /** Filters this session's log messages at `level` and lets its backends know. */
  private applyLevel(level: LogLevel): void {
    this.client.askedLevel = level;
    this.host.logLevelChanged(this);
  }
}
