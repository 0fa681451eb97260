// The status snapshot: what `mcplex status --json` and /api/status print. Holds no secret values.
import fs from 'node:fs';
import type { Hub } from './hub.js';

/** RSS of one process in bytes, from /proc (undefined where unavailable). */
export function rssOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the status document. */
export function statusSnapshot(hub: Hub, info: { port: number; configPath: string; startedAt: number }): Record<string, unknown> {
  const now = Date.now();
  return {
    daemon: {
      pid: process.pid,
      version: hub.version,
      port: info.port,
      configPath: info.configPath,
      uptimeMs: now - info.startedAt,
      rss: process.memoryUsage().rss,
      configError: hub.configError() ?? null,
    },
    sessions: [...hub.sessions.values()].map((s) => ({
      id: s.id,
      client: s.clientInfo?.name ?? null,
      origin: s.init.origin,
      workspace: s.init.workspace,
      surface: s.surface,
      uptimeMs: now - s.startedAt,
    })),
    recentErrors: [...hub.recentErrors].reverse(),
    instances: hub.pool.list().map((i) => ({
      server: i.name,
      key: i.key,
      pid: i.pid ?? null,
      state: i.state,
      rss: rssOf(i.pid) ?? null,
      uptimeMs: i.state === 'ready' ? now - i.stats.startedAt : 0,
      restarts: i.stats.restarts,
      spawns: i.stats.spawns,
      calls: i.stats.calls,
      errors: i.stats.errors,
      inFlight: i.inFlight,
      p50ms: round(i.latency.quantile(0.5)),
      p99ms: round(i.latency.quantile(0.99)),
      lastError: i.lastError ?? null,
    })),
  };
}

function round(v: number | undefined): number | null {
  return v === undefined ? null : Math.round(v * 100) / 100;
}

/** The Prometheus exposition of the daemon's counters and current state. */
export function metricsText(hub: Hub, startedAt: number): string {
  return hub.metrics.render({
    sessions: hub.sessions.size,
    uptimeSeconds: (Date.now() - startedAt) / 1000,
    rss: process.memoryUsage().rss,
    instances: hub.pool.list().map((i) => ({
      server: i.name,
      key: i.key,
      state: i.state,
      rss: rssOf(i.pid) ?? null,
      restarts: i.stats.restarts,
      spawns: i.stats.spawns,
    })),
  });
}
