// Instance key → instance: lazy creation, per-session instances, fan-out hooks, and stopping everything in order.
import type { ServerConfig } from '../config/types.js';
import type { ResolvedServer } from '../env/resolve.js';
import { redactor } from '../env/redact.js';
import { Instance, type InstanceDeps, type InstanceEvents } from './instance.js';
import type { Manifest } from './manifest.js';

/** What the pool needs: everything an instance needs except its own redactor. */
export type PoolDeps = Omit<InstanceDeps, 'redact'>;

/** Owns every instance; sessions ask it for the instance their resolved key names. */
export class Pool {
  private readonly instances = new Map<string, Instance>();
  events: InstanceEvents = {};

  constructor(private readonly deps: PoolDeps) {}

  /** The instance for this resolved key, created (not started) on first need. */
  instance(resolved: ResolvedServer, server: ServerConfig, clientCapabilities: Record<string, unknown> = {}, owner?: string): Instance {
    const existing = this.instances.get(resolved.key);
    if (existing && existing.state !== 'stopped' && existing.state !== 'draining') return existing;
    const log = this.deps.log.child({ server: resolved.name, instance: resolved.key });
    const inst = new Instance(
      resolved,
      server,
      { ...this.deps, log, redact: redactor(resolved.secrets) },
      {
        notification: (i, n) => this.events.notification?.(i, n),
        request: (i, r) => this.events.request?.(i, r) ?? Promise.reject(new Error('no handler')),
        manifestChanged: (i) => this.events.manifestChanged?.(i),
      },
      clientCapabilities,
      owner,
    );
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
