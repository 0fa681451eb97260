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
export function statusSnapshot(
  hub: Hub,
  info: { port: number | null; portError?: string | undefined; socket: string; configPath: string; startedAt: number },
): Record<string, unknown> {
  const now = Date.now();
  return {
    daemon: {
      pid: process.pid,
      version: hub.version,
      port: info.port,
      portError: info.portError ?? null,
      socket: info.socket,
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
      surface: s.init.surface,
      uptimeMs: now - s.startedAt,
    })),
    recentErrors: [...hub.recentErrors].reverse(),
    untrusted: untrustedServers(hub),
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

/** Workspace servers that sessions see but may not start until the user trusts their file, with the command that does. */
function untrustedServers(hub: Hub): Array<{ server: string; file: string; trust: string }> {
  const seen = new Map<string, { server: string; file: string; trust: string }>();
  for (const s of hub.sessions.values()) {
    for (const v of s.catalog.servers()) {
      if (v.untrusted) seen.set(`${v.untrusted.file}\0${v.name}`, { server: v.name, file: v.untrusted.file, trust: v.untrusted.trustCommand });
    }
  }
  return [...seen.values()];
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
