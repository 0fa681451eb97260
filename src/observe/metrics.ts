// Prometheus text exposition: counters and a latency histogram fed by tool calls, gauges read from the live pool.
import type { AuditRecord } from './audit.js';

/** Upper bounds (seconds) of the tool-call latency histogram. */
const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120];

export interface InstanceGauge {
  server: string;
  key: string;
  state: string;
  rss: number | null;
  restarts: number;
  spawns: number;
}

export interface ServerGauge {
  server: string;
  /** The workspace of a workspace-scoped server. */
  workspace: string | null;
  state: string;
}

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Counts calls per server, tool and outcome, and their latency per server. */
export class Metrics {
  private readonly calls = new Map<string, { server: string; tool: string; outcome: string; n: number }>();
  private readonly latency = new Map<string, Histogram>();

  /** Records one tool call (fed from the audit path). */
  recordCall(r: AuditRecord): void {
    const key = `${r.server}\0${r.tool}\0${r.outcome}`;
    const c = this.calls.get(key) ?? { server: r.server, tool: r.tool, outcome: r.outcome, n: 0 };
    c.n++;
    this.calls.set(key, c);
    const h = this.latency.get(r.server) ?? { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    const s = r.ms / 1000;
    BUCKETS.forEach((b, i) => {
      if (s <= b) h.counts[i]!++;
    });
    h.sum += s;
    h.count++;
    this.latency.set(r.server, h);
  }

  /** Forgets the counters of servers that are gone from the config (removed servers leave /metrics). */
  retain(servers: ReadonlySet<string>): void {
    for (const [key, c] of this.calls) if (!servers.has(c.server)) this.calls.delete(key);
    for (const server of this.latency.keys()) if (!servers.has(server)) this.latency.delete(server);
  }

  /** The exposition text, with gauges from the current servers, sessions and instances. */
  render(live: { sessions: number; servers: ServerGauge[]; serverStates: readonly string[]; instances: InstanceGauge[]; uptimeSeconds: number; rss: number }): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, rows: Array<[Record<string, string>, number]>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [l, v] of rows) out.push(`${name}${labels(l)} ${v}`);
    };
    metric('mcplex_up', 'gauge', 'The daemon is running.', [[{}, 1]]);
    metric('mcplex_uptime_seconds', 'gauge', 'Seconds since the daemon started.', [[{}, Math.round(live.uptimeSeconds)]]);
    metric('mcplex_daemon_resident_memory_bytes', 'gauge', 'Resident memory of the daemon process.', [[{}, live.rss]]);
    metric('mcplex_sessions', 'gauge', 'Connected client sessions.', [[{}, live.sessions]]);
    metric(
      'mcplex_server_state',
      'gauge',
      `Each configured server: 1 for its current state (${live.serverStates.join(', ')}), 0 for the others.`,
      live.servers.flatMap((s) =>
        live.serverStates.map((state): [Record<string, string>, number] => [{ server: s.server, ...(s.workspace ? { workspace: s.workspace } : {}), state }, s.state === state ? 1 : 0]),
      ),
    );
    const byState = new Map<string, number>();
    for (const i of live.instances) byState.set(i.state, (byState.get(i.state) ?? 0) + 1);
    metric('mcplex_instances', 'gauge', 'Backend instances by state.', [...byState].map(([state, n]) => [{ state }, n]));
    metric(
      'mcplex_instance_resident_memory_bytes',
      'gauge',
      'Resident memory of each running backend instance.',
      live.instances.filter((i) => i.rss !== null).map((i) => [{ server: i.server, instance: i.key }, i.rss!]),
    );
    metric('mcplex_instance_restarts_total', 'counter', 'Restarts of each backend instance.', live.instances.map((i) => [{ server: i.server, instance: i.key }, i.restarts]));
    metric('mcplex_instance_spawns_total', 'counter', 'Processes spawned for each backend instance.', live.instances.map((i) => [{ server: i.server, instance: i.key }, i.spawns]));
    metric(
      'mcplex_tool_calls_total',
      'counter',
      'Tool calls by server, tool and outcome (ok, tool_error, error, cancelled).',
      [...this.calls.values()].map((c) => [{ server: c.server, tool: c.tool, outcome: c.outcome }, c.n]),
    );
    metric(
      'mcplex_tool_call_errors_total',
      'counter',
      'Tool calls that failed (error or tool_error) by server.',
      [...groupErrors(this.calls.values())].map(([server, n]) => [{ server }, n]),
    );
    out.push('# HELP mcplex_tool_call_duration_seconds Tool call latency by server.', '# TYPE mcplex_tool_call_duration_seconds histogram');
    for (const [server, h] of this.latency) {
      BUCKETS.forEach((b, i) => out.push(`mcplex_tool_call_duration_seconds_bucket${labels({ server, le: String(b) })} ${h.counts[i]}`));
      out.push(`mcplex_tool_call_duration_seconds_bucket${labels({ server, le: '+Inf' })} ${h.count}`);
      out.push(`mcplex_tool_call_duration_seconds_sum${labels({ server })} ${h.sum}`);
      out.push(`mcplex_tool_call_duration_seconds_count${labels({ server })} ${h.count}`);
    }
    return out.join('\n') + '\n';
  }
}

function groupErrors(calls: Iterable<{ server: string; outcome: string; n: number }>): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of calls) if (c.outcome === 'error' || c.outcome === 'tool_error') m.set(c.server, (m.get(c.server) ?? 0) + c.n);
  return m;
}
