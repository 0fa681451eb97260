// Instance key → instance: lazy creation, per-session instances, fan-out hooks, and stopping everything in order.
import type { ServerConfig } from '../config/types.js';
import type { ResolvedServer } from '../env/resolve.js';
import { redactor } from '../env/redact.js';
import { Instance, type InstanceDeps, type InstanceEvents } from './instance.js';
import type { Manifest } from './manifest.js';
import { TaskTable } from '../router/tasks.js';

/** The longest a draining instance may finish its calls (the hard cap on one call). */
const MAX_DRAIN_MS = 10 * 60 * 1000;

/** What the pool needs: everything an instance needs except its own redactor and the task table (the pool's). */
export type PoolDeps = Omit<InstanceDeps, 'redact' | 'tasks'>;

/** Owns every instance; sessions ask it for the instance their resolved key names. */
export class Pool {
  private readonly instances = new Map<string, Instance>();
  /** What happened to the last instance under a key, carried over to its successor for status. */
  private readonly history = new Map<string, { server: string; restarts: number; lastError?: string }>();
  events: InstanceEvents = {};
  /** Task ids of every instance, mapped per session. */
  readonly tasks = new TaskTable();

  constructor(private readonly deps: PoolDeps) {}

  /** The instance for this resolved key, created (not started) on first need. */
  instance(resolved: ResolvedServer, server: ServerConfig, opts: { clientCapabilities?: Record<string, unknown>; owner?: string } = {}): Instance {
    const existing = this.instances.get(resolved.key);
    if (existing && existing.state !== 'stopped' && existing.state !== 'draining') {
      if (existing.resolved.configHash === resolved.configHash) return existing;
      // Same key, different resolved config (an edit or a .env change): new calls go to a new instance while this one drains.
      void this.drain(existing.key, 'replaced after a configuration change');
    }
    const log = this.deps.log.child({ server: resolved.name, instance: resolved.key });
    const inst = new Instance(
      resolved,
      server,
      {
        ...this.deps,
        log,
        redact: redactor(resolved.secrets),
        tasks: this.tasks,
        onSpawn: (pid) => this.deps.onSpawn?.(pid, resolved.name),
      },
      {
        notification: (i, n) => this.events.notification?.(i, n),
        request: (i, r) => this.events.request?.(i, r) ?? Promise.reject(new Error('no handler')),
        listChanged: (i, kind) => this.events.listChanged?.(i, kind),
        logLevel: (i) => this.events.logLevel?.(i),
        urlElicitation: (i, ids, sid) => this.events.urlElicitation?.(i, ids, sid),
      },
      opts.clientCapabilities ?? {},
      opts.owner,
    );
    const past = this.history.get(resolved.key);
    if (past) {
      inst.stats.restarts = past.restarts;
      inst.lastError = past.lastError;
    }
    this.instances.set(resolved.key, inst);
    return inst;
  }

  /** A live instance by key, if one exists. */
  get(key: string): Instance | undefined {
    return this.instances.get(key);
  }

  /** The manifest for a resolved server: from its live instance, else the cache; undefined if never seen. */
  manifest(resolved: ResolvedServer): Manifest | undefined {
    const live = this.instances.get(resolved.key)?.manifest;
    if (live && live.configHash === resolved.configHash) return live;
    return this.deps.cache.get(resolved.name, resolved.configHash);
  }

  /** Every instance, for status. */
  list(): Instance[] {
    return [...this.instances.values()];
  }

  /** Stops one instance and forgets it. */
  async stop(key: string, reason: string): Promise<void> {
    const inst = this.instances.get(key);
    if (!inst) return;
    this.instances.delete(key);
    await inst.stop(reason);
  }

  /** Stops an instance for a supervision reason; the next use starts a fresh one, and status keeps the reason. */
  async recycle(key: string, reason: string, level: 'info' | 'warn'): Promise<void> {
    const inst = this.instances.get(key);
    if (!inst) return;
    this.deps.log[level]({ server: inst.name, instance: key, pid: inst.pid }, reason);
    this.history.set(key, { server: inst.name, restarts: inst.stats.restarts + (level === 'warn' ? 1 : 0), lastError: level === 'warn' ? reason : inst.lastError });
    await this.stop(key, reason);
  }

  /** Takes an instance out of service at once; it stops when its in-flight calls have finished. */
  async drain(key: string, reason: string): Promise<void> {
    const inst = this.instances.get(key);
    if (!inst) return;
    this.instances.delete(key);
    this.deps.log.info({ server: inst.name, instance: key, inFlight: inst.inFlight }, `draining: ${reason}`);
    const deadline = Date.now() + MAX_DRAIN_MS;
    while (inst.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await inst.stop(reason);
  }

  /** Recycles every instance of a server and resets its breaker (`mcplex restart SERVER`); returns how many. */
  async restartServer(name: string): Promise<number> {
    const keys = [...this.instances.values()].filter((i) => i.name === name).map((i) => i.key);
    for (const [k, h] of this.history) if (h.server === name) this.history.delete(k);
    await Promise.all(keys.map((k) => this.stop(k, 'restarted by mcplex restart')));
    return keys.length;
  }

  /** Stops the dedicated instances of a session that ended. */
  async stopSession(sessionId: string): Promise<void> {
    const keys = [...this.instances.values()].filter((i) => i.owner === sessionId).map((i) => i.key);
    await Promise.all(keys.map((k) => this.stop(k, 'stopped because its session ended')));
    for (const inst of this.instances.values()) inst.dropSubscriber(sessionId);
  }

  /** Stops every instance in parallel (daemon shutdown). */
  async stopAll(reason = 'stopped by daemon shutdown'): Promise<void> {
    const keys = [...this.instances.keys()];
    await Promise.all(keys.map((k) => this.stop(k, reason)));
  }
}
