// One running backend (an instance of a server under one sharing key): explicit state machine, single-flight start, manifest.
import type { Logger } from 'pino';
import type { GatewayConfig, ServerConfig } from '../config/types.js';
import type { ResolvedServer } from '../env/resolve.js';
import { connectBackend, ConnectError, type Connection } from '../backends/connect.js';
import type { JsonRpcNotification, JsonRpcRequest, Params } from '../protocol/jsonrpc.js';
import { BackendPeer, type RequestOptions } from '../router/backend-peer.js';
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import { LatencyStats } from '../observe/latency.js';
import pRetry from 'p-retry';
import { InstanceBreaker } from '../supervisor/breaker.js';
import { groupRss } from '../supervisor/proc-tree.js';
import { formatTail } from '../supervisor/ring.js';
import type { Manifest, ManifestCache, NamedItem, ResourceDef, ToolDef } from './manifest.js';

/** The protocol version mcplex asks backends for. */
export const BACKEND_PROTOCOL_VERSION = '2025-11-25';

/** A caller waiting this long for a backend to start is told it is starting. */
const START_NOTICE_MS = 1000;

/** idle: not running (never started, or exited and restarts on next use); failed: its last start failed (the next use retries, breaker permitting). */
export type InstanceState = 'idle' | 'starting' | 'ready' | 'failed' | 'draining' | 'stopped';

export interface InstanceDeps {
  log: Logger;
  cache: ManifestCache;
  gateway: () => GatewayConfig;
  version: string;
  redact: (text: string) => string;
  onSpawn?: (pid: number, server?: string) => void;
  onExit?: (pid: number) => void;
}

export interface InstanceEvents {
  /** A backend notification other than progress (list_changed, resources/updated, logging/message). */
  notification?: (instance: Instance, n: JsonRpcNotification) => void;
  /** A server→client request from the backend; the pool decides who may answer it. */
  request?: (instance: Instance, req: JsonRpcRequest) => Promise<unknown>;
  /** The manifest changed (after a list_changed refresh). */
  manifestChanged?: (instance: Instance) => void;
}

/** A backend process (or remote connection) shared by every session whose key matches. */
export class Instance {
  state: InstanceState = 'idle';
  manifest?: Manifest;
  readonly stats = { calls: 0, errors: 0, restarts: 0, spawns: 0, startedAt: 0, lastUsed: Date.now() };
  readonly latency = new LatencyStats();
  lastError?: string;
  readonly breaker: InstanceBreaker;
  private conn?: Connection;
  private peer?: BackendPeer;
  private starting?: Promise<void>;
  private active = 0;
  /** Increments with every start: errors carry it so one crash counts once however many calls it fails. */
  private incarnation = 0;
  /** stderr of the last backend run, kept after it exits for error messages. */
  private lastTail: string[] = [];
  private readonly bySession = new Map<string, number>();
  private readonly subscriptions = new Map<string, Set<string>>();
  private stopDone?: Promise<void>;
  /** The last start failed on something a retry cannot fix (no such command, a bad URL). */
  private unfixable = false;
  private markStopped?: () => void;

  constructor(
    readonly resolved: ResolvedServer,
    readonly server: ServerConfig,
    private readonly deps: InstanceDeps,
    private readonly events: InstanceEvents,
    /** Client capabilities advertised to the backend ({} for shared instances). */
    private readonly clientCapabilities: Record<string, unknown> = {},
    /** The session a dedicated (sharing: session) instance belongs to. */
    readonly owner?: string,
  ) {
    this.breaker = new InstanceBreaker(server.restart, () => ({ name: this.name, stderr: this.stderrTail(10) }));
  }

  get key(): string {
    return this.resolved.key;
  }

  get name(): string {
    return this.resolved.name;
  }

  get pid(): number | undefined {
    return this.conn?.pid?.();
  }

  /** Requests currently awaiting the backend. */
  get inFlight(): number {
    return this.active;
  }

  /** Sessions with at least one request in flight here (who may answer a server→client request). */
  sessionsInFlight(): string[] {
    return [...this.bySession.keys()];
  }

  /** The last stderr lines of the backend (redacted). */
  stderrTail(n = 10): string[] {
    return this.conn?.stderrTail(n) ?? this.lastTail.slice(-n);
  }

  /** Starts the backend once, however many callers ask at the same time. */
  ensureStarted(): Promise<void> {
    if (this.state === 'ready' && this.peer && !this.peer.closed) return Promise.resolve();
    if (this.state === 'draining' || this.state === 'stopped') {
      return Promise.reject(new McplexError('BACKEND_CLOSED', `instance ${this.key} is shutting down; retry the call`));
    }
    const policy = this.server.restart;
    // A spawn that fails outright is retried a little, with backoff and jitter; timeouts and later failures go to the breaker.
    this.starting ??= pRetry(() => this.start(), {
      retries: Math.min(2, policy.retries),
      minTimeout: policy.minDelay,
      maxTimeout: policy.maxDelay,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof McplexError && error.code === 'START_FAILED' && this.state === 'failed' && !this.unfixable,
    }).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<void> {
    this.state = 'starting';
    const log = this.deps.log;
    const startTimeout = this.deps.gateway().startTimeout;
    const incident = ++this.incarnation;
    this.unfixable = false;
    let conn: Connection;
    try {
      conn = await connectBackend(this.resolved, this.server, { log, redact: this.deps.redact, onSpawn: this.deps.onSpawn });
    } catch (err) {
      // A missing command or a bad URL will not fix itself: no quick retry.
      this.unfixable = err instanceof ConnectError;
      throw this.failStart(new McplexError('START_FAILED', `server "${this.name}" cannot start: ${this.deps.redact((err as Error).message)}`, { incident }));
    }
    const peer = new BackendPeer(conn.transport, () => this.exitError(conn, incident));
    this.conn = conn;
    this.peer = peer;
    peer.onnotification = (n) => this.onNotification(n);
    peer.onrequest = (req) => this.events.request?.(this, req) ?? Promise.reject(new Error('no handler'));
    peer.onclose = (reason) => this.onBackendClosed(conn, reason);
    this.stats.spawns++;
    try {
      await conn.transport.start();
      log.info({ childPid: conn.pid?.() }, "backend spawned");
      const init = (await peer.request(
        'initialize',
        { protocolVersion: BACKEND_PROTOCOL_VERSION, capabilities: this.clientCapabilities, clientInfo: { name: 'mcplex', version: this.deps.version } },
        { timeoutMs: startTimeout },
      )) as { capabilities?: Record<string, unknown>; serverInfo?: Manifest['serverInfo']; instructions?: string };
      peer.notify('notifications/initialized');
      this.manifest = await this.fetchManifest(init, startTimeout);
      this.deps.cache.put(this.manifest);
      this.state = 'ready';
      this.stats.startedAt = Date.now();
      log.info({ childPid: this.pid, tools: this.manifest.tools.length }, "backend ready");
    } catch (err) {
      const e = this.startError(conn, err as Error, incident);
      this.lastTail = conn.stderrTail(10);
      await peer.close(e).catch(() => undefined);
      this.conn = undefined;
      this.peer = undefined;
      throw this.failStart(e);
    }
  }

  /** Records a failed start (state, last error, one log line) and returns the error to throw; a start cut short by stop() records nothing. */
  private failStart(e: McplexError): McplexError {
    if (this.state !== 'starting') return e;
    this.state = 'failed';
    this.lastError = e.message;
    this.deps.log.warn({ err: e.message, code: e.code }, 'backend failed to start');
    return e;
  }

  /** Why a start failed, redacted: a timeout, the process ending (or a remote refusing) before initialize, or another error. */
  private startError(conn: Connection, err: Error, incident: number): McplexError {
    const stderr = conn.stderrTail(10);
    if (err instanceof McplexError && err.code === 'CALL_TIMEOUT') {
      return new McplexError('START_TIMEOUT', `server "${this.name}" did not finish initialize within startTimeout (${this.deps.gateway().startTimeout} ms)${formatTail(stderr)}`, { stderr, incident });
    }
    if (err instanceof BackendRpcError) {
      return new McplexError('START_FAILED', `server "${this.name}" refused initialize: ${this.deps.redact(err.rpc.message)}${formatTail(stderr)}`, { stderr, incident });
    }
    const closed = err instanceof McplexError && err.code === 'BACKEND_CLOSED';
    if (err instanceof McplexError && !closed) return err;
    const what = !closed ? this.deps.redact(err.message) : conn.remote ? conn.exitDescription() : `${conn.exitDescription()} before it finished initialize`;
    return new McplexError('START_FAILED', `server "${this.name}" failed to start: ${what}${formatTail(stderr)}`, { stderr, incident });
  }

  private exitError(conn: Connection, incident: number): McplexError {
    const stderr = conn.stderrTail(10);
    return new McplexError('BACKEND_CLOSED', `server "${this.name}" ${conn.exitDescription()} while requests were in flight${formatTail(stderr)}`, { stderr, incident });
  }

  /** The backend went away on its own: logged with its exit code, signal and last stderr lines; restarted on next use. */
  private onBackendClosed(conn: Connection, reason: McplexError): void {
    if (this.conn !== conn) return;
    const pid = conn.pid?.();
    if (pid) this.deps.onExit?.(pid);
    this.lastTail = conn.stderrTail(10);
    this.conn = undefined;
    this.peer = undefined;
    this.subscriptions.clear();
    const exit = conn.exitStatus();
    this.deps.log.warn(
      { childPid: pid, code: exit?.code ?? null, signal: exit?.signal ?? null, stderr: this.lastTail, during: this.state },
      exit ? `backend exited (${conn.exitDescription()})` : `backend connection closed (${conn.exitDescription()})`,
    );
    if (this.state === 'ready') {
      this.state = 'idle';
      this.stats.restarts++;
      this.lastError = reason.message;
    }
  }

  private async list<T>(method: string, field: string, timeoutMs: number): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const page = (await this.peer!.request(method, cursor ? { cursor } : {}, { timeoutMs })) as Record<string, unknown>;
      out.push(...((page[field] as T[] | undefined) ?? []));
      cursor = typeof page.nextCursor === 'string' && page.nextCursor ? page.nextCursor : undefined;
    } while (cursor);
    return out;
  }

  private async fetchManifest(
    init: { capabilities?: Record<string, unknown>; serverInfo?: Manifest['serverInfo']; instructions?: string },
    timeoutMs: number,
  ): Promise<Manifest> {
    const caps = init.capabilities ?? {};
    const [tools, prompts, resources, resourceTemplates] = await Promise.all([
      caps.tools ? this.list<ToolDef>('tools/list', 'tools', timeoutMs) : [],
      caps.prompts ? this.list<NamedItem>('prompts/list', 'prompts', timeoutMs) : [],
      caps.resources ? this.list<ResourceDef>('resources/list', 'resources', timeoutMs) : [],
      caps.resources ? this.list<NamedItem>('resources/templates/list', 'resourceTemplates', timeoutMs).catch(() => []) : [],
    ]);
    return {
      server: this.name,
      configHash: this.resolved.configHash,
      serverInfo: init.serverInfo,
      capabilities: caps,
      instructions: init.instructions,
      tools,
      prompts,
      resources,
      resourceTemplates,
      savedAt: new Date().toISOString(),
    };
  }

  private onNotification(n: JsonRpcNotification): void {
    if (n.method.endsWith('/list_changed') && this.peer && this.manifest) {
      const init = { capabilities: this.manifest.capabilities, serverInfo: this.manifest.serverInfo, instructions: this.manifest.instructions };
      this.fetchManifest(init, this.deps.gateway().startTimeout)
        .then((m) => {
          this.manifest = m;
          this.deps.cache.put(m);
          this.events.manifestChanged?.(this);
        })
        .catch((err: Error) => this.deps.log.warn({ err: this.deps.redact(err.message) }, 'refreshing the manifest after list_changed failed'));
    }
    this.events.notification?.(this, n);
  }

  /**
   * Starts the backend if needed; a caller that asked for progress hears once, after a second, that the server
   * is starting (a first `npx` download can take a while).
   */
  private async startWithNotice(params: Params | undefined, opts: RequestOptions): Promise<void> {
    const token = (params?._meta as Params | undefined)?.progressToken;
    if (this.state === 'ready' || token === undefined || !opts.onProgress) return this.ensureStarted();
    const notice = setTimeout(
      () => opts.onProgress?.({ progressToken: token, progress: 0, message: `starting server "${this.name}" (the first start can take a while)…` }),
      START_NOTICE_MS,
    );
    try {
      await this.ensureStarted();
    } finally {
      clearTimeout(notice);
    }
  }

  /** Forwards one request to the backend (starting it if needed); never retried on the caller's behalf. */
  async request(method: string, params: Params | undefined, opts: RequestOptions = {}): Promise<unknown> {
    this.active++;
    const sid = opts.sessionId;
    if (sid) this.bySession.set(sid, (this.bySession.get(sid) ?? 0) + 1);
    this.stats.lastUsed = Date.now();
    const started = performance.now();
    try {
      const timeoutMs = opts.timeoutMs ?? this.server.callTimeout ?? this.deps.gateway().callTimeout;
      let sent = started;
      const result = await this.breaker.run(async () => {
        await this.startWithNotice(params, opts);
        sent = performance.now();
        return this.peer!.request(method, params, { ...opts, timeoutMs });
      });
      if (method === 'tools/call') {
        // Latency is the backend's answer time; a cold start is not a slow call.
        this.latency.record(performance.now() - sent);
        if ((result as { isError?: boolean } | undefined)?.isError) this.stats.errors++;
      }
      return result;
    } catch (err) {
      if (method === 'tools/call' && !(err instanceof McplexError && err.code === 'CANCELLED')) this.stats.errors++;
      if (err instanceof BackendRpcError) throw new BackendRpcError({ ...err.rpc, message: this.deps.redact(err.rpc.message) });
      throw err;
    } finally {
      if (method === 'tools/call') this.stats.calls++;
      this.active--;
      if (sid) {
        const left = (this.bySession.get(sid) ?? 1) - 1;
        if (left > 0) this.bySession.set(sid, left);
        else this.bySession.delete(sid);
      }
      this.stats.lastUsed = Date.now();
    }
  }

  /** Pings a ready backend; false if it did not answer in time (the caller recycles it). */
  async healthy(timeoutMs: number): Promise<boolean> {
    if (this.state !== 'ready' || !this.peer) return true;
    try {
      await this.peer.request('ping', undefined, { timeoutMs });
      return true;
    } catch (err) {
      return !(err instanceof McplexError && (err.code === 'CALL_TIMEOUT' || err.code === 'BACKEND_CLOSED'));
    }
  }

  /** RSS in bytes of the backend's whole process group (0 when not running). */
  memory(): number {
    const pid = this.pid;
    return pid && this.state === 'ready' ? groupRss(pid) : 0;
  }

  /** Subscribes a session to a resource; only the first subscriber's request reaches the backend. */
  async subscribe(uri: string, sessionId: string, opts: RequestOptions): Promise<unknown> {
    const subs = this.subscriptions.get(uri) ?? new Set<string>();
    if (subs.size === 0) await this.request('resources/subscribe', { uri }, opts);
    subs.add(sessionId);
    this.subscriptions.set(uri, subs);
    return {};
  }

  /** Unsubscribes a session; the backend hears of it when the last subscriber leaves. */
  async unsubscribe(uri: string, sessionId: string, opts: RequestOptions): Promise<unknown> {
    const subs = this.subscriptions.get(uri);
    if (!subs?.delete(sessionId)) return {};
    if (subs.size === 0) {
      this.subscriptions.delete(uri);
      if (this.peer) await this.request('resources/unsubscribe', { uri }, opts);
    }
    return {};
  }

  /** Sessions subscribed to a resource URI. */
  subscribers(uri: string): ReadonlySet<string> {
    return this.subscriptions.get(uri) ?? new Set();
  }

  /** Forgets a session's subscriptions (it ended); unsubscribes at the backend where it was the last. */
  dropSubscriber(sessionId: string): void {
    for (const uri of [...this.subscriptions.keys()]) void this.unsubscribe(uri, sessionId, {}).catch(() => undefined);
  }

  /** Sends a notification to the backend if it is running. */
  notify(method: string, params?: Params): void {
    this.peer?.notify(method, params);
  }

  /** Stops the backend: pending requests fail with one error, then the process group is terminated. */
  async stop(reason = 'stopped'): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'draining';
    await this.starting?.catch(() => undefined);
    const peer = this.peer;
    const conn = this.conn;
    const pid = this.pid;
    this.peer = undefined;
    this.conn = undefined;
    if (peer) await peer.close(new McplexError('INSTANCE_STOPPED', `server "${this.name}" was ${reason}; retry the call`));
    if (pid) this.deps.onExit?.(pid);
    this.breaker.shutdown();
    this.state = 'stopped';
    this.markStopped?.();
    const exit = conn?.exitStatus();
    this.deps.log.info({ childPid: pid, reason, ...(exit ? { code: exit.code, signal: exit.signal, stderr: conn!.stderrTail(10) } : {}) }, 'backend stopped');
  }

  /** Resolves once the instance has stopped (a drain stops it after its in-flight calls finish). */
  whenStopped(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    this.stopDone ??= new Promise<void>((resolve) => (this.markStopped = resolve));
    return this.stopDone;
  }
}
