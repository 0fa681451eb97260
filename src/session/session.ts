// One client session: reads each message from its transport, keeps its requests in flight, and composes the parts that
// answer them (the era-neutral dispatch, the modern era, questions to the client, subscriptions, the client's state).
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
import { Cancellation } from '../protocol/cancel.js';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';
import { lifecycleError } from './lifecycle.js';
import { envelopeOf, legacyResult, type Envelope } from './modern.js';
import { ClientState, type ClientInfo, type SessionState } from './client-state.js';
import { InFlightRequests } from './inflight.js';
import { ClientQuestions } from './questions.js';
import { ResourceSubscriptions } from './subscriptions.js';
import { Dispatch, failure } from './dispatch.js';
import { ModernCalls } from './modern-calls.js';

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
  private readonly modern: ModernCalls;
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
    this.modern = new ModernCalls({
      client,
      inflight,
      subscriptions: this.subscriptions,
      dispatch: (req, signal) => this.dispatch.run(req, signal),
      send: (m, related) => this.send(m, related),
      version: host.version,
      log,
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
    const deliveries = this.client.modern ? this.modern.deliveries(method, params, related) : [{ params, related }];
    for (const d of deliveries) this.send(d.params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params: d.params }, d.related);
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
    this.modern.close();
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
    if (envelope) return this.modern.handle(req, envelope);
    if (req.method === 'server/discover') return this.send(resultResponse(req.id, this.dispatch.discover()));
    const refused = lifecycleError(req.method, this.client.initialized);
    if (refused) return this.send(errorResponse(req.id, RpcCode.InvalidRequest, refused));
    const controller = new Cancellation();
    this.inflight.add({ controller, id: req.id, method: req.method });
    try {
      const result = await this.dispatch.run(req, controller);
      if (!controller.aborted) this.send(resultResponse(req.id, legacyResult(result)));
    } catch (err) {
      const e = failure(req, err, controller);
      if (e) this.send(e);
    } finally {
      this.inflight.delete(req.id);
    }
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
