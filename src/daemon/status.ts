// The status snapshot: what `mcplex status --json` and /api/status print. Holds no secret values.
import fs from 'node:fs';
import type { Sharing } from '../config/types.js';
import type { Instance } from '../pool/instance.js';
import { explainingInstance, SERVER_STATES, serverState, type ServerState } from '../pool/server-state.js';
import type { Hub } from './hub.js';

/** Stderr lines shown per server in status. */
const STDERR_LINES = 5;

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

/** One configured server in status, whether or not it runs. */
export interface ServerRow {
  server: string;
  scope: 'global' | 'workspace';
  /** The workspace whose `.mcplex.yaml` defines it (workspace scope only; null when no session there is open). */
  workspace: string | null;
  sharing: Sharing | null;
  enabled: boolean;
  state: ServerState;
  instances: number;
  lastError: string | null;
  /** The last stderr lines of its failed (or last failing) instance, redacted. */
  stderr: string[];
}

interface RowDraft {
  row: Omit<ServerRow, 'state' | 'instances' | 'lastError' | 'stderr'>;
  instances: Instance[];
  /** The command that trusts it, while its workspace file is untrusted. */
  trust?: string;
}

/**
 * Every server of the config, every workspace server a live session sees, and any server an instance still runs,
 * with its state derived from its instances. A removed server disappears once its instances have stopped.
 */
export function serverRows(hub: Hub): ServerRow[] {
  const drafts = new Map<string, RowDraft>();
  const byKey = new Map<string, RowDraft>();
  const add = (id: string, row: RowDraft['row']) => {
    const draft = drafts.get(id) ?? { row, instances: [] };
    drafts.set(id, draft);
    return draft;
  };
  for (const [name, s] of Object.entries(hub.config().servers)) {
    add(name, { server: name, scope: 'global', workspace: null, sharing: s.sharing, enabled: s.enabled });
  }
  for (const session of hub.sessions.values()) {
    for (const view of session.catalog.servers()) {
      const workspace = session.init.workspace;
      const id = view.scope === 'global' ? view.name : `${view.name}@${workspace}`;
      const draft = add(id, { server: view.name, scope: view.scope, workspace: view.scope === 'global' ? null : workspace, sharing: view.config.sharing, enabled: true });
      if (view.untrusted) draft.trust = view.untrusted.trustCommand;
      else byKey.set(view.resolved.key, draft);
    }
  }
  for (const inst of hub.pool.list()) {
    const draft =
      byKey.get(inst.key) ?? drafts.get(inst.name) ?? add(`${inst.name}@`, { server: inst.name, scope: 'workspace', workspace: null, sharing: inst.server.sharing, enabled: true });
    draft.instances.push(inst);
  }
  return [...drafts.values()]
    .map(({ row, instances, trust }): ServerRow => {
      if (trust) return { ...row, state: 'untrusted', instances: 0, lastError: `its workspace file is not trusted: run \`${trust}\``, stderr: [] };
      const why = explainingInstance(instances);
      return { ...row, state: serverState(instances), instances: instances.length, lastError: why?.lastError ?? null, stderr: why ? why.stderrTail(STDERR_LINES) : [] };
    })
    .sort((a, b) => a.server.localeCompare(b.server) || (a.workspace ?? '').localeCompare(b.workspace ?? ''));
}

/** Builds the status document. */
export function statusSnapshot(
  hub: Hub,
  info: { port: number | null; portError?: string | undefined; socket: string; configPath: string; startedAt: number },
): Record<string, unknown> {
  const now = Date.now();
  const servers = serverRows(hub);
  const known = new Set(servers.map((s) => s.server));
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
    servers,
    sessions: [...hub.sessions.values()].map((s) => ({
      id: s.id,
      client: s.clientInfo?.name ?? null,
      origin: s.init.origin,
      workspace: s.init.workspace,
      surface: s.surface,
      uptimeMs: now - s.startedAt,
    })),
    recentErrors: hub.recentErrors.filter((e) => known.has(e.server)).reverse(),
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

/** The Prometheus exposition of the daemon's counters and current state; series of removed servers are dropped. */
export function metricsText(hub: Hub, startedAt: number): string {
  const servers = serverRows(hub);
  hub.metrics.retain(new Set(servers.map((s) => s.server)));
  return hub.metrics.render({
    sessions: hub.sessions.size,
    uptimeSeconds: (Date.now() - startedAt) / 1000,
    rss: process.memoryUsage().rss,
    servers: servers.map((s) => ({ server: s.server, workspace: s.workspace, state: s.state })),
    serverStates: SERVER_STATES,
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
