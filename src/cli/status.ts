// `mcplex status [--json]`: asks the running daemon over loopback HTTP.
import { homePaths } from '../home/paths.js';
import { liveDaemon } from '../home/starter.js';
import { CliError } from './fail.js';
import { daemonJson } from './daemon-http.js';

type Row = Record<string, unknown>;

/** Aligned columns; `details` adds indented lines under a row (a failed server's error and stderr). */
function table(rows: Row[], cols: string[], details: (r: Row) => string[] = () => []): string {
  const cells = rows.map((r) => cols.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...cells.flatMap((c, i) => [line(c), ...details(rows[i]!).map((d) => `    ${d}`)])].join('\n');
}

/** A server's error and last stderr lines, under its row. */
function serverDetails(r: Row): string[] {
  const error = typeof r.lastError === 'string' ? r.lastError.split('\n')[0]! : '';
  const stderr = Array.isArray(r.stderr) ? (r.stderr as string[]) : [];
  if (!error && !stderr.length) return [];
  return [...(error ? [`error: ${error}`] : []), ...stderr.map((l) => `stderr: ${l}`)];
}

function mb(v: unknown): string {
  return typeof v === 'number' ? `${(v / 1048576).toFixed(1)}MB` : '-';
}

function secs(v: unknown): string {
  return typeof v === 'number' && v > 0 ? `${Math.round(v / 1000)}s` : '-';
}

/** Prints daemon, sessions and instances. */
export async function status(o: { json: boolean }): Promise<void> {
  const info = liveDaemon(homePaths());
  if (!info) {
    if (o.json) process.stdout.write(JSON.stringify({ daemon: null }) + '\n');
    throw new CliError('the mcplex daemon is not running (start it with `mcplex start`, or any `mcplex shim` starts it)');
  }
  const res = await daemonJson(info, '/api/status');
  if (res.status !== 200 || !res.body) throw new CliError(`the daemon answered /api/status with HTTP ${res.status}; see ${homePaths().log}`);
  const s = res.body as { daemon: Row; servers: Row[]; sessions: Row[]; instances: Row[]; untrusted?: Row[] };
  if (o.json) {
    process.stdout.write(JSON.stringify(s, null, 2) + '\n');
    return;
  }
  const d = s.daemon;
  const out = [
    `daemon  pid ${d.pid}  ${info.url ?? 'no HTTP port'}  v${d.version}  up ${secs(d.uptimeMs)}  rss ${mb(d.rss)}`,
    ...(d.portError ? [`http    ${d.portError}`] : []),
    `socket  ${d.socket}`,
    `config  ${d.configPath}${d.configError ? `\n  refused: ${d.configError}` : ''}`,
    '',
    `servers (${s.servers.length})`,
    s.servers.length
      ? table(
          s.servers.map((r) => ({ ...r, server: r.workspace ? `${r.server} (${r.workspace})` : r.server, state: r.enabled === false ? 'disabled' : r.state })),
          ['server', 'scope', 'sharing', 'state', 'instances'],
          serverDetails,
        )
      : '  none configured (add one with `mcplex add`, or write a config with `mcplex init`)',
    '',
    `sessions (${s.sessions.length})`,
    s.sessions.length ? table(s.sessions.map((r) => ({ ...r, uptime: secs(r.uptimeMs) })), ['id', 'client', 'surface', 'workspace', 'uptime']) : '  none',
    '',
    `instances (${s.instances.length})`,
    s.instances.length
      ? table(
          s.instances.map((r) => ({ ...r, rss: mb(r.rss), uptime: secs(r.uptimeMs), p50: r.p50ms, p99: r.p99ms })),
          ['server', 'key', 'pid', 'state', 'rss', 'uptime', 'restarts', 'calls', 'errors', 'p50', 'p99'],
        )
      : '  none (servers start on first use)',
  ];
  if (s.untrusted?.length) {
    out.push('', `untrusted workspace servers (${s.untrusted.length}): not started until trusted`, table(s.untrusted, ['server', 'file', 'trust']));
  }
  process.stdout.write(out.join('\n') + '\n');
}
