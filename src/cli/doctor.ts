// `mcplex doctor [--json]`: checks the environment, config, daemon, server commands, port, orphans and file modes; each finding says what to do.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { homePaths, type HomePaths } from '../home/paths.js';
import { readDaemonInfo, type DaemonInfo } from '../home/state-file.js';
import { sameProcess } from '../supervisor/process-info.js';
import { ProcessRegistry, recordState, type BackendRecord } from '../supervisor/registry.js';
import { liveLockOwner } from '../daemon/lock.js';
import { ConfigError, loadConfig, loadWorkspaceConfig, resolveConfigPath } from '../config/load.js';
import { formatProblems } from '../config/format.js';
import type { Config, ServerConfig } from '../config/types.js';
import { findWorkspace } from '../env/workspace.js';
import { VERSION } from '../version.js';
import { CliError } from './fail.js';
import { daemonJson } from './daemon-http.js';
import { probeServer } from './probe.js';
import { serverCwd, serverProblems } from './server-checks.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding: what was checked, how it went, and (unless ok) what to do about it. */
export interface Finding {
  check: string;
  status: CheckStatus;
  message: string;
  fix?: string;
  details?: string[];
}

/** The oldest Node mcplex supports (package.json engines). */
export const MIN_NODE: readonly [number, number] = [20, 19];

const DEFAULT_PORT = 8989;

function finding(check: string, status: CheckStatus, message: string, fix?: string, details?: string[]): Finding {
  return { check, status, message, ...(fix ? { fix } : {}), ...(details?.length ? { details } : {}) };
}

function checkNode(version = process.versions.node): Finding {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [wantMajor, wantMinor] = MIN_NODE;
  const ok = major > wantMajor || (major === wantMajor && minor >= wantMinor);
  return ok
    ? finding('node', 'ok', `Node ${version} (needs >= ${wantMajor}.${wantMinor})`)
    : finding('node', 'fail', `Node ${version} is too old: mcplex needs >= ${wantMajor}.${wantMinor}`, `install Node ${wantMajor}.${wantMinor} or newer (e.g. \`nvm install 22\`) and reinstall mcplex with it`);
}

interface ConfigResult {
  findings: Finding[];
  config?: Config;
  /** Servers of the workspace `.mcplex.yaml` of the current directory, if any. */
  workspaceServers: Array<[string, ServerConfig, string]>;
}

async function checkConfig(file: string, explicit: boolean, cwd: string): Promise<ConfigResult> {
  const findings: Finding[] = [];
  let config: Config | undefined;
  try {
    config = await loadConfig(file);
    const n = Object.keys(config.servers).length;
    findings.push(finding('config', 'ok', `${file}: valid, ${n} server${n === 1 ? '' : 's'}`));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (err.missing && !explicit) {
      findings.push(
        finding('config', 'warn', `no config file at ${file}: the daemon runs with no servers`, '`mcplex init` writes one that works as written; or add servers with `mcplex add NAME -- CMD ARGS…` or `mcplex import`'),
      );
    } else if (err.missing) {
      findings.push(finding('config', 'fail', `config file ${file} (from --config or MCPLEX_CONFIG) does not exist`, 'point --config / MCPLEX_CONFIG at an existing file, or unset it to use $MCPLEX_HOME/config.yaml'));
    } else {
      const n = err.problems.length;
      findings.push(
        finding(
          'config',
          'fail',
          `${file} is invalid (${n} problem${n === 1 ? '' : 's'}); the daemon will not start on it`,
          `fix each line listed, then re-check with \`mcplex config validate${explicit ? ` ${file}` : ''}\``,
          formatProblems(err).split('\n').slice(0, -1),
        ),
      );
    }
  }

  const workspaceServers: ConfigResult['workspaceServers'] = [];
  const wsFile = path.join(findWorkspace(cwd), '.mcplex.yaml');
  if (fs.existsSync(wsFile)) {
    try {
      const ws = await loadWorkspaceConfig(wsFile);
      const n = Object.keys(ws.servers).length;
      findings.push(finding('workspace config', 'ok', `${wsFile}: valid, ${n} server${n === 1 ? '' : 's'}`));
      for (const [name, s] of Object.entries(ws.servers)) workspaceServers.push([name, s, ws.dir]);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      findings.push(
        finding('workspace config', 'fail', `${wsFile} is invalid; its servers are not available in this workspace`, `fix each line listed (same schema as config.yaml, only \`servers:\`)`, formatProblems(err).split('\n').slice(0, -1)),
      );
    }
  }
  return { findings, ...(config ? { config } : {}), workspaceServers };
}

/** A global server as the running daemon reports it. */
type DaemonServer = { state: string; lastError?: string | null };

async function checkDaemon(paths: HomePaths): Promise<{ finding: Finding[]; live?: DaemonInfo; portError?: string; servers?: Map<string, DaemonServer> }> {
  const info = readDaemonInfo(paths.daemonJson);
  if (!info) {
    const owner = liveLockOwner(paths.lock);
    if (owner) {
      return {
        finding: [
          finding('daemon', 'warn', `pid ${owner.pid} holds ${paths.lock} but has not written daemon.json (still starting, or stuck)`, `wait a moment; if it persists, \`mcplex stop\` and \`mcplex start\`, and read ${paths.daemonOut}`),
        ],
      };
    }
    return { finding: [finding('daemon', 'ok', 'not running (the first `mcplex shim`, or `mcplex start`, starts it)')] };
  }
  if (!sameProcess(info.pid, info.identity)) {
    return {
      finding: [finding('daemon', 'warn', `daemon.json names pid ${info.pid}, which is no longer that daemon (it was killed, or the machine restarted)`, `harmless: the next start replaces it; \`mcplex start\` now, or delete ${paths.daemonJson}`)],
    };
  }
  let s: { status: number; body: any };
  try {
    s = await daemonJson(info, '/api/status', { timeoutMs: 3000 });
  } catch (err) {
    return {
      finding: [
        finding('daemon', 'fail', `daemon pid ${info.pid} does not answer on ${info.socket}: ${(err as Error).message}`, `\`mcplex restart\`; if it keeps failing, read ${paths.log} (\`mcplex logs\`)`),
      ],
    };
  }
  const d = s.body?.daemon;
  if (s.status !== 200 || d?.pid !== info.pid) {
    return {
      finding: [finding('daemon', 'fail', `${info.socket} is answered by ${d?.pid ? `pid ${d.pid}` : 'something else'}, not daemon pid ${info.pid}`, '`mcplex stop`, then `mcplex start`')],
    };
  }
  const out: Finding[] = [finding('daemon', 'ok', `running: pid ${info.pid}, ${info.url ?? 'no HTTP port'}, socket ${info.socket}, v${d.version ?? info.version}`)];
  if (d.version && d.version !== VERSION) {
    out.push(finding('daemon version', 'warn', `the daemon runs v${d.version} but this CLI is v${VERSION}`, '`mcplex restart` to run the installed version'));
  }
  if (typeof d.configError === 'string' && d.configError) {
    out.push(finding('daemon config', 'warn', `the daemon refused the last config edit and keeps serving the previous config: ${d.configError.split('\n')[0]}`, 'fix the config file; the daemon picks it up as soon as it is valid'));
  }
  const servers = new Map<string, DaemonServer>();
  for (const row of (s.body?.servers ?? []) as Array<DaemonServer & { server: string; scope: string }>) if (row.scope === 'global') servers.set(row.server, row);
  return { finding: out, live: info, servers, ...(typeof d.portError === 'string' && d.portError ? { portError: d.portError } : {}) };
}

/** Static findings for one server: its command, cwd and file args, resolved from where its config lives. */
function checkServer(name: string, s: ServerConfig, configDir: string, scope: string): Finding[] {
  const check = `server ${name}`;
  const where = scope === 'global' ? `servers.${name}` : `servers.${name} in ${scope}`;
  if (!s.enabled) return [finding(check, 'ok', 'disabled (enabled: false): not checked')];
  if (s.url) return [finding(check, 'ok', `remote server ${s.url.split('?')[0]}`)];
  const problems = serverProblems(name, s, configDir, where);
  if (problems.length) return problems.map((p) => finding(check, p.severity, p.message, p.fix));
  return [finding(check, 'ok', s.docker ? `container ${s.docker.image}` : `command ${s.command}, started in ${serverCwd(s, configDir)}`)];
}

/** Starts each enabled global server once (unless the daemon runs it already) and says which fail and why. */
async function checkStarts(config: Config, running: Map<string, DaemonServer>, paths: HomePaths, cwd: string): Promise<Finding[]> {
  const servers = Object.entries(config.servers).filter(([, s]) => s.enabled);
  return Promise.all(
    servers.map(async ([name, s]): Promise<Finding> => {
      const check = `start ${name}`;
      const live = running.get(name);
      if (live?.state === 'ready') return finding(check, 'ok', 'running in the daemon');
      const r = await probeServer(name, s, config, paths, cwd);
      const [first = '', ...rest] = (r.ok ? '' : r.error).split('\n');
      if (r.ok && live?.state === 'failed') {
        return finding(check, 'warn', `starts from here (${r.tools} tools) but failed in the daemon: ${(live.lastError ?? '').split('\n')[0]}`, `\`mcplex restart ${name}\`; if it fails again, compare the daemon's environment with this shell's (\`mcplex logs --server ${name}\`)`);
      }
      if (r.ok) return finding(check, 'ok', `started and listed ${r.tools} tool${r.tools === 1 ? '' : 's'}`);
      const fix = s.url
        ? `check that the server at servers.${name}.url is up and the URL is right, then \`mcplex doctor\` again`
        : `fix servers.${name} (command, args, env), then \`mcplex doctor\` again; \`mcplex logs --server ${name}\` shows its stderr`;
      return finding(check, 'fail', first, fix, rest.map((l) => l.trim()).filter(Boolean));
    }),
  );
}

/** Binds host:port briefly; resolves with the error code when that fails. */
function tryBind(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

async function checkPort(config: Config | undefined, live: DaemonInfo | undefined, livePortError: string | undefined): Promise<Finding> {
  // The running daemon's own port, whatever this shell's environment says it would be.
  if (livePortError) {
    return finding('port', 'fail', `the running daemon has no HTTP port: ${livePortError}`, 'free that port, or set gateway.port (or MCPLEX_PORT for the daemon) to a free port, or 0 for any; then `mcplex restart`');
  }
  const envPort = process.env.MCPLEX_PORT;
  const fromEnv = envPort !== undefined && envPort !== '';
  const port = fromEnv ? Number(envPort) : (config?.gateway.port ?? DEFAULT_PORT);
  const host = config?.gateway.host ?? '127.0.0.1';
  const source = fromEnv ? 'MCPLEX_PORT' : config ? 'gateway.port' : 'the default port';
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return finding('port', 'fail', `${source} is not a port number: ${envPort}`, 'set MCPLEX_PORT to 0..65535, or unset it');
  }
  if (port === 0) return finding('port', 'ok', `${source} is 0: the daemon picks a free port`);
  if (live && live.port === port) return finding('port', 'ok', `${host}:${port} is this daemon's`);
  const code = await tryBind(port, host);
  if (!code) return finding('port', 'ok', `${host}:${port} (${source}) is free`);
  if (code === 'EADDRINUSE') {
    return finding(
      'port',
      'fail',
      `${host}:${port} (${source}) is in use by another program (or an mcplex daemon of another MCPLEX_HOME); shims still work, but HTTP clients cannot reach this daemon there`,
      `stop that program (find it with \`ss -ltnp 'sport = :${port}'\` or \`lsof -i :${port}\`), or set gateway.port (or MCPLEX_PORT) to a free port, or 0 for any`,
    );
  }
  return finding('port', 'fail', `cannot listen on ${host}:${port} (${source}): ${code}`, `choose another gateway.port (above 1024), or 0 for any free port`);
}

function checkOrphans(paths: HomePaths): Finding {
  const orphans: BackendRecord[] = [];
  let running = 0;
  let stale = 0;
  for (const { rec } of new ProcessRegistry(paths.run).records()) {
    const state = rec ? recordState(rec) : 'gone';
    if (state === 'gone') stale++;
    else if (state === 'running') running++;
    else orphans.push(rec!);
  }
  if (orphans.length) {
    const groups = orphans.map((o) => o.pgid);
    return finding(
      'orphans',
      'fail',
      `${orphans.length} backend process group${orphans.length === 1 ? '' : 's'} left by a dead daemon are still running`,
      `\`mcplex start\` (or \`mcplex restart\`): a starting daemon stops them; or by hand: ${groups.map((g) => `kill -TERM -- -${g}`).join('; ')}`,
      orphans.map((o) => `server ${o.server}: process group ${o.pgid} (daemon pid ${o.daemonPid} is gone)`),
    );
  }
  return finding('orphans', 'ok', `none (${running} backend${running === 1 ? '' : 's'} running${stale ? `, ${stale} stale record${stale === 1 ? '' : 's'} cleared at the next start` : ''})`);
}

function modeOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

function checkPermissions(paths: HomePaths, configPath: string): Finding[] {
  const out: Finding[] = [];
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const home = modeOf(paths.home);
  if (!home) return [finding('permissions', 'ok', `${paths.home} does not exist yet (created on first start, mode 0700)`)];
  if (home.mode & 0o002) out.push(finding('permissions', 'fail', `${paths.home} is world-writable (${octal(home.mode)}): anyone could replace its config or token`, `chmod 700 ${paths.home}`));
  else if (home.mode & 0o020) out.push(finding('permissions', 'warn', `${paths.home} is group-writable (${octal(home.mode)})`, `chmod 700 ${paths.home}`));
  if (uid !== undefined && home.uid !== uid) out.push(finding('permissions', 'warn', `${paths.home} belongs to uid ${home.uid}, not you (uid ${uid})`, `chown -R $(id -un) ${paths.home}`));

  for (const [file, what] of [
    [paths.daemonJson, 'holds the daemon token'],
    [paths.token, 'is the daemon token'],
    [paths.trust, 'decides which workspace servers may run'],
    [paths.env, 'holds secrets'],
  ] as const) {
    const st = modeOf(file);
    if (st && st.mode & 0o077) out.push(finding('permissions', 'fail', `${file} ${what} but is mode ${octal(st.mode)} (must be 0600)`, `chmod 600 ${file}`));
  }
  for (const [file, what] of [
    [configPath, 'config file (its commands run as you)'],
    [paths.logs, 'log directory'],
    [paths.run, 'run directory'],
    [paths.cache, 'cache directory'],
  ] as const) {
    const st = modeOf(file);
    if (!st) continue;
    if (st.mode & 0o002) out.push(finding('permissions', 'fail', `${what} ${file} is world-writable (${octal(st.mode)})`, `chmod o-w ${file}`));
    else if (st.mode & 0o020) out.push(finding('permissions', 'warn', `${what} ${file} is group-writable (${octal(st.mode)})`, `chmod g-w ${file}`));
  }
  if (!out.length) out.push(finding('permissions', 'ok', `${paths.home} and its files are private`));
  return out;
}

/** Runs every check. */
export async function runChecks(opts: { config?: string; cwd?: string } = {}): Promise<Finding[]> {
  const paths = homePaths();
  const explicit = Boolean(opts.config || process.env.MCPLEX_CONFIG);
  const configPath = resolveConfigPath({ flag: opts.config, env: process.env, home: paths.home });
  const cwd = opts.cwd ?? process.cwd();
  const findings: Finding[] = [checkNode()];
  const cfg = await checkConfig(configPath, explicit, cwd);
  findings.push(...cfg.findings);
  const daemon = await checkDaemon(paths);
  findings.push(...daemon.finding);
  if (cfg.config) for (const [name, s] of Object.entries(cfg.config.servers)) findings.push(...checkServer(name, s, cfg.config.dir, 'global'));
  for (const [name, s, dir] of cfg.workspaceServers) findings.push(...checkServer(name, s, dir, path.join(dir, '.mcplex.yaml')));
  if (cfg.config) findings.push(...(await checkStarts(cfg.config, daemon.servers ?? new Map(), paths, cwd)));
  findings.push(await checkPort(cfg.config, daemon.live, daemon.portError));
  findings.push(checkOrphans(paths));
  findings.push(...checkPermissions(paths, configPath));
  return findings;
}

const LABEL: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'fail' };

/** Prints every finding; exits 1 when any check failed. */
export async function doctor(o: { json: boolean; config?: string }): Promise<void> {
  const findings = await runChecks(o.config ? { config: o.config } : {});
  const count = (s: CheckStatus) => findings.filter((f) => f.status === s).length;
  const failed = count('fail');
  if (o.json) {
    process.stdout.write(JSON.stringify({ ok: failed === 0, home: homePaths().home, checks: findings }, null, 2) + '\n');
  } else {
    const width = Math.max(...findings.map((f) => f.check.length));
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    const paint = (s: CheckStatus, text: string) => (!color ? text : `\x1b[${s === 'ok' ? 32 : s === 'warn' ? 33 : 31}m${text}\x1b[0m`);
    const lines = [`mcplex doctor  (MCPLEX_HOME=${homePaths().home})`];
    for (const f of findings) {
      lines.push(`${paint(f.status, LABEL[f.status])}  ${f.check.padEnd(width)}  ${f.message}`);
      const indent = ' '.repeat(width + 8);
      for (const d of f.details ?? []) lines.push(`${indent}${d}`);
      if (f.fix) lines.push(`${indent}fix: ${f.fix}`);
    }
    const warns = count('warn');
    lines.push('', `${count('ok')} ok, ${warns} warning${warns === 1 ? '' : 's'}, ${failed} failure${failed === 1 ? '' : 's'}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  if (failed) throw new CliError(`${failed} check${failed === 1 ? '' : 's'} failed: see the fixes above`, 1);
}
