// Periodic care of the pool: idle reaping, health pings, and the memory watchdog (limits.memoryMB).
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/types.js';
import type { Pool } from './pool.js';

export interface MaintenanceOptions {
  gateway: () => GatewayConfig;
  log: Logger;
  tickMs?: number;
  pingEveryMs?: number;
  pingTimeoutMs?: number;
}

const MB = 1024 * 1024;

/** Starts the maintenance loop; returns a function that stops it. */
export function startMaintenance(pool: Pool, opts: MaintenanceOptions): () => void {
  const pingEvery = opts.pingEveryMs ?? 30_000;
  const pingTimeout = opts.pingTimeoutMs ?? 10_000;
  const lastPing = new Map<string, number>();
  let busy = false;

  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = Date.now();
      await Promise.all(
        pool.list().map(async (inst) => {
          if (inst.state !== 'ready') return;
          const idle = inst.server.idleTimeout ?? opts.gateway().idleTimeout;
          if (idle > 0 && inst.inFlight === 0 && now - inst.stats.lastUsed > idle) {
            return pool.recycle(inst.key, `stopped after ${Math.round(idle / 1000)}s idle`, 'info');
          }
          const limit = inst.server.limits.memoryMB;
          if (limit) {
            const rss = inst.memory();
            if (rss > limit * MB) {
              return pool.recycle(inst.key, `restarted: process tree used ${Math.round(rss / MB)} MB, over limits.memoryMB ${limit}`, 'warn');
            }
          }
          if (now - (lastPing.get(inst.key) ?? inst.stats.startedAt) >= pingEvery) {
            lastPing.set(inst.key, now);
            if (!(await inst.healthy(pingTimeout))) {
              return pool.recycle(inst.key, `restarted: did not answer its health check (ping, or server/discover in the 2026-07-28 era) within ${pingTimeout} ms`, 'warn');
            }
          }
        }),
      );
    } catch (err) {
      opts.log.error({ err: (err as Error).message }, 'pool maintenance failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.tickMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}
