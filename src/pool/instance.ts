// One running backend (an instance of a server under one sharing key): explicit state machine, single-flight start, manifest.
import type { Logger } from 'pino';
import type { GatewayConfig, ServerConfig } from '../config/types.js';
import type { ResolvedServer } from '../env/resolve.js';
import { connectBackend } from '../backends/connect.js';
import { ConnectError, type Connection } from '../backends/connection.js';
import { RpcCode, type JsonRpcNotification, type JsonRpcRequest, type Params } from '../protocol/jsonrpc.js';
import { BackendPeer, type RequestOptions } from '../router/backend-peer.js';
import type { TaskTable } from '../router/tasks.js';
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import { LatencyStats } from '../observe/latency.js';
import pRetry from 'p-retry';
import { InstanceBreaker } from '../supervisor/breaker.js';
import { groupRss } from '../supervisor/proc-tree.js';
import type { Manifest, ManifestCache } from './manifest.js';
import { listKindOf, type ListKind } from './listing.js';
import { elicitationIds, forward } from './forward.js';
import type { Greeting } from './era.js';
import { LegacyWire, ModernWire, type Wire } from './wire.js';
import { handshake } from './handshake.js';
import { exitError, startError } from './backend-errors.js';
import { ListRefresh } from './list-refresh.js';
import { Subscribers } from './subscribers.js';

/** A caller waiting this long for a backend to start is told it is starting. */
const START_NOTICE_MS = 1000;

/** idle: not running (never started, or exited and restarts on next use); failed: its last start failed (the next use retries, breaker permitting). */
export type InstanceState = 'idle' | 'starting' | 'ready' | 'failed' | 'draining' | 'stopped';

/** What an instance needs from its pool: its logger, the manifest cache, the live gateway config, and the shared task table. */
export interface InstanceDeps {
  log: Logger;
  cache: ManifestCache;
  gateway: () => GatewayConfig;
  version: string;
  redact: (text: string) => string;
  /** Task ids of every instance, mapped per session. */
  tasks: TaskTable;
  onSpawn?: (pid: number, server?: string) => void;
  onExit?: (pid: number) => void;
}

/** What an instance reports to its pool, which routes it to the sessions concerned. */
export interface InstanceEvents {
  /** A backend notification other than progress and list_changed (resources/updated, logging/message, tasks/status…). */
  notification?: (instance: Instance, n: JsonRpcNotification) => void;
  /** A server→client request from the backend; the pool decides who may answer it. */
  request?: (instance: Instance, req: JsonRpcRequest) => Promise<unknown>;
  /** A list changed and the manifest already holds the new one (once per burst of list_changed). */
  listChanged?: (instance: Instance, kind: ListKind) => void;
  /** The log level the backend should run at (the most verbose its sessions asked for), if any asked. */
  logLevel?: (instance: Instance) => string | undefined;
  /** A call was answered with a URL elicitation (-32042): these elicitation ids belong to that session. */
  urlElicitation?: (instance: Instance, elicitationIds: string[], sessionId: string) => void;
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
  /** The peer in the backend's protocol era (set once the start has greeted it). */
  private wire?: Wire;
  private starting?: Promise<void>;
  private active = 0;
  /** Increments with every start: errors carry it so one crash counts once however many calls it fails. */
  private incarnation = 0;
  /** stderr of the last backend run, kept after it exits for error messages. */
  private lastTail: string[] = [];
  private readonly bySession = new Map<string, number>();
  private readonly subscriptions: Subscribers;
  private stopDone?: Promise<void>;
  /** The last start failed on something a retry cannot fix (no such command, a bad URL). */
  private unfixable = false;
  private markStopped?: () => void;
  private readonly refresh: ListRefresh;
  /** The log level last sent to the backend. */
  private sentLogLevel?: string;

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
    this.subscriptions = new Subscribers({
      name: this.name,
      start: () => this.breaker.run(() => this.ensureStarted()),
      wire: () => this.wire,
      ready: () => this.state === 'ready',
    });
    this.refresh = new ListRefresh({
      source: () => (this.wire && this.manifest ? { wire: this.wire, capabilities: this.manifest.capabilities } : undefined),
      keep: (lists) => {
        this.manifest = { ...this.manifest!, ...lists, savedAt: new Date().toISOString() };
        this.deps.cache.put(this.manifest);
      },
      timeoutMs: () => this.deps.gateway().startTimeout,
      changed: (kind) => this.events.listChanged?.(this, kind),
      log: deps.log,
    });
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
    const peer = new BackendPeer(conn.transport, () => exitError(this.name, conn, incident));
    this.conn = conn;
    this.peer = peer;
    peer.onnotification = (n) => this.onNotification(n);
    peer.onrequest = (req) => this.events.request?.(this, req) ?? Promise.reject(new Error('no handler'));
    peer.onclose = (reason) => this.onBackendClosed(conn, reason);
    this.stats.spawns++;
    try {
      await conn.transport.start();
      log.info({ childPid: conn.pid?.() }, "backend spawned");
      const greeting = {
        cached: this.deps.cache.get(this.name, this.resolved.configHash),
        legacyOnly: conn.legacyOnly,
        deadline: Date.now() + startTimeout,
        clientCapabilities: this.clientCapabilities,
        version: this.deps.version,
        name: this.name,
      };
      this.manifest = await handshake(peer, greeting, (hello) => this.wireFor(peer, hello), this.resolved.configHash);
      this.deps.cache.put(this.manifest);
      this.state = 'ready';
      this.stats.startedAt = Date.now();
      this.sentLogLevel = undefined;
      this.wire!.open();
      this.syncLogLevel();
      // Sessions stay subscribed across a restart of their backend: the new process is told again.
      void this.subscriptions.renew((m, p) => this.request(m, p, {})).catch((err: Error) => log.warn({ err: this.deps.redact(err.message) }, 'could not renew resource subscriptions after a restart'));
      log.info({ childPid: this.pid, tools: this.manifest.tools.length, era: this.wire!.era.kind }, "backend ready");
    } catch (err) {
      const modern = this.wire?.era.kind === 'modern';
      const e = startError(err as Error, { name: this.name, conn, incident, modern, startTimeout: this.deps.gateway().startTimeout, redact: this.deps.redact });
      this.lastTail = conn.stderrTail(10);
      this.wire?.close();
      this.wire = undefined;
      await peer.close(e).catch(() => undefined);
      this.conn = undefined;
      this.peer = undefined;
      throw this.failStart(e);
    }
  }

  /** The wire for a greeted backend, in its era; it becomes this instance's. */
  private wireFor(peer: BackendPeer, hello: Greeting): Wire {
    this.wire?.close();
    const self = { capabilities: {}, clientInfo: { name: 'mcplex', version: this.deps.version } };
    const ready = () => this.state === 'ready' && this.peer === peer && !peer.closed;
    this.wire = hello.era.kind === 'modern' ? new ModernWire(peer, hello.era, hello.capabilities, self, this.deps.log, ready) : new LegacyWire(peer, hello.era);
    return this.wire;
  }

  /** Records a failed start (state, last error, one log line) and returns the error to throw; a start cut short by stop() records nothing. */
  private failStart(e: McplexError): McplexError {
    if (this.state !== 'starting') return e;
    this.state = 'failed';
    this.lastError = e.message;
    this.deps.log.warn({ err: e.message, code: e.code }, 'backend failed to start');
    return e;
  }

  /** The backend went away on its own: logged with its exit code, signal and last stderr lines; restarted on next use. */
  private onBackendClosed(conn: Connection, reason: McplexError): void {
    if (this.conn !== conn) return;
    const pid = conn.pid?.();
    if (pid) this.deps.onExit?.(pid);
    this.lastTail = conn.stderrTail(10);
    this.conn = undefined;
    this.peer = undefined;
    this.wire?.close();
    this.wire = undefined;
    const exit = conn.exitStatus();
    this.deps.log.warn(
      { childPid: pid, code: exit?.code ?? null, signal: exit?.signal ?? null, stderr: this.lastTail, during: this.state },
      exit ? `backend exited (${conn.exitDescription()})` : `backend connection closed (${conn.exitDescription()})`,
    );
    this.deps.tasks.dropInstance(this.key);
    if (this.state === 'ready') {
      this.state = 'idle';
      this.stats.restarts++;
      this.lastError = reason.message;
    }
  }

  private onNotification(received: JsonRpcNotification): void {
    const n = this.wire ? this.wire.incoming(received) : received;
    if (!n) return;
    const kind = listKindOf(n.method);
    if (kind) this.refresh.request(kind);
    else this.events.notification?.(this, n);
  }

  /** Sends logging/setLevel (where the era has it) when the level this instance's sessions want differs from what the backend has. */
  syncLogLevel(): void {
    const want = this.events.logLevel?.(this);
    const wire = this.wire;
    if (!want || want === this.sentLogLevel || this.state !== 'ready' || !wire?.setLogLevel || this.manifest?.capabilities.logging === undefined) return;
    this.sentLogLevel = want;
    wire.setLogLevel(want, this.deps.gateway().callTimeout).catch((err: Error) => {
      if (this.wire === wire) this.sentLogLevel = undefined;
      this.deps.log.warn({ err: err.message, level: want }, 'the server refused logging/setLevel');
    });
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
        const target = { key: this.key, manifest: this.manifest, tasks: this.deps.tasks, cancelTimeoutMs: this.deps.gateway().callTimeout };
        return forward(this.wire!, target, method, params, { ...opts, timeoutMs });
      });
      if (method === 'tools/call') {
        // Latency is the backend's answer time; a cold start is not a slow call.
        this.latency.record(performance.now() - sent);
        if ((result as { isError?: boolean } | undefined)?.isError) this.stats.errors++;
      }
      return result;
    } catch (err) {
      if (method === 'tools/call' && !(err instanceof McplexError && err.code === 'CANCELLED')) this.stats.errors++;
      if (err instanceof BackendRpcError) {
        if (err.rpc.code === RpcCode.UrlElicitationRequired && sid) this.events.urlElicitation?.(this, elicitationIds(err.rpc.data), sid);
        throw new BackendRpcError({ ...err.rpc, message: this.deps.redact(err.rpc.message) });
      }
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

  /** Checks a ready backend (ping, or server/discover in the modern era); false if it did not answer in time (the caller recycles it). */
  async healthy(timeoutMs: number): Promise<boolean> {
    if (this.state !== 'ready' || !this.wire) return true;
    try {
      await this.wire.health(timeoutMs);
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

  /** Subscribes a session to a resource; the backend hears of it (in its era's way) with the first subscriber only. */
  subscribe(uri: string, sessionId: string, opts: RequestOptions): Promise<unknown> {
    return this.subscriptions.subscribe(uri, sessionId, (m, p) => this.request(m, p, opts));
  }

  /** Unsubscribes a session; the backend hears of it when the last subscriber leaves. */
  unsubscribe(uri: string, sessionId: string, opts: RequestOptions): Promise<unknown> {
    return this.subscriptions.unsubscribe(uri, sessionId, (m, p) => this.request(m, p, opts));
  }

  /** Sessions subscribed to a resource URI. */
  subscribers(uri: string): ReadonlySet<string> {
    return this.subscriptions.of(uri);
  }

  /** Forgets a session's subscriptions (it ended); unsubscribes at the backend where it was the last. */
  dropSubscriber(sessionId: string): void {
    for (const uri of this.subscriptions.uris()) void this.unsubscribe(uri, sessionId, {}).catch(() => undefined);
  }

  /** Sends a notification to the backend if it is running (and its era has that notification). */
  notify(method: string, params?: Params): void {
    this.wire?.notify(method, params);
  }

  /** Stops the backend: pending requests fail with one error, then the process group is terminated. */
  async stop(reason = 'stopped'): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'draining';
    await this.starting?.catch(() => undefined);
    const peer = this.peer;
    const conn = this.conn;
    const pid = this.pid;
    this.wire?.close();
    this.wire = undefined;
    this.peer = undefined;
    this.conn = undefined;
    if (peer) await peer.close(new McplexError('INSTANCE_STOPPED', `server "${this.name}" was ${reason}; retry the call`));
    this.deps.tasks.dropInstance(this.key);
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
