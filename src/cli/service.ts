// `mcplex service install | uninstall | status`: run the daemon from login, under the systemd user manager (Linux)
// or launchd (macOS), so the first terminal of the day finds it running and HTTP clients always do.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { writeAtomic } from '../config/edit.js';
import { homePaths } from '../home/paths.js';
import { daemonCommand, liveDaemon } from '../home/starter.js';
import { CliError } from './fail.js';
import { LAUNCHD_LABEL, SYSTEMD_UNIT, launchdPlist, serviceEnv, serviceFile, systemdUnit, type ServiceSpec } from './service-files.js';

/** What a service manager reports about the unit. */
interface UnitState {
  /** Loaded to start at login (systemd: enabled; launchd: bootstrapped). */
  enabled: boolean;
  active: boolean;
  pid: number | null;
  /** The manager's own words, for humans. */
  detail: string;
}

/** A service manager, driven through its command-line tool. */
interface Manager {
  name: string;
  file: string;
  text(spec: ServiceSpec): string;
  /** Why the manager cannot be used here, or undefined when it can. */
  unreachable(): string | undefined;
  load(): void;
  /** Stops and unloads the service, and removes its file. */
  remove(): void;
  state(): UnitState;
  /** The commands that load the written file by hand. */
  howToLoad: string;
}

function run(tool: string, args: string[]): { ok: boolean; out: string; missing: boolean } {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim(), missing: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' };
}

function mustRun(tool: string, args: string[]): void {
  const r = run(tool, args);
  if (!r.ok) throw new CliError(`\`${tool} ${args.join(' ')}\` failed: ${r.out || 'no output'}`);
}

function systemd(file: string): Manager {
  const ctl = (...args: string[]) => run('systemctl', ['--user', ...args]);
  return {
    name: 'systemd user unit',
    file,
    text: systemdUnit,
    unreachable() {
      const r = ctl('show-environment');
      if (r.missing) return 'systemctl is not installed';
      return r.ok ? undefined : `the systemd user manager is not running here (${r.out.split('\n')[0] || 'systemctl --user failed'})`;
    },
    load() {
      mustRun('systemctl', ['--user', 'daemon-reload']);
      mustRun('systemctl', ['--user', 'enable', '--now', SYSTEMD_UNIT]);
    },
    remove() {
      ctl('disable', '--now', SYSTEMD_UNIT); // a unit that was never loaded has nothing to disable
      fs.rmSync(file, { force: true });
      ctl('daemon-reload');
    },
    state() {
      const r = ctl('show', SYSTEMD_UNIT, '-p', 'UnitFileState', '-p', 'ActiveState', '-p', 'SubState', '-p', 'MainPID');
      const p = Object.fromEntries(r.out.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      const pid = Number(p.MainPID);
      return {
        enabled: p.UnitFileState === 'enabled',
        active: p.ActiveState === 'active',
        pid: pid > 0 ? pid : null,
        detail: `${p.UnitFileState || 'unknown'}, ${p.ActiveState || 'unknown'}${p.SubState ? ` (${p.SubState})` : ''}`,
      };
    },
    howToLoad: `systemctl --user daemon-reload && systemctl --user enable --now ${SYSTEMD_UNIT}`,
  };
}

function launchd(file: string): Manager {
  const domain = `gui/${process.getuid?.() ?? 0}`;
  return {
    name: 'launchd agent',
    file,
    text: launchdPlist,
    unreachable() {
      const r = run('launchctl', ['print', domain]);
      if (r.missing) return 'launchctl is not available';
      return r.ok ? undefined : `there is no login session for launchd here (launchctl print ${domain} failed)`;
    },
    load() {
      run('launchctl', ['bootout', `${domain}/${LAUNCHD_LABEL}`]); // an older copy, if loaded
      mustRun('launchctl', ['bootstrap', domain, file]);
    },
    remove() {
      run('launchctl', ['bootout', `${domain}/${LAUNCHD_LABEL}`]);
      fs.rmSync(file, { force: true });
    },
    state() {
      const r = run('launchctl', ['print', `${domain}/${LAUNCHD_LABEL}`]);
      const state = /^\s*state = (.+)$/m.exec(r.out)?.[1]?.trim();
      const pid = Number(/^\s*pid = (\d+)$/m.exec(r.out)?.[1]);
      return { enabled: r.ok, active: state === 'running', pid: pid > 0 ? pid : null, detail: r.ok ? `loaded, ${state ?? 'unknown'}` : 'not loaded' };
    },
    howToLoad: `launchctl bootstrap ${domain} ${file}`,
  };
}

function manager(): Manager {
  const file = serviceFile();
  if (process.platform === 'linux') return systemd(file);
  if (process.platform === 'darwin') return launchd(file);
  throw new CliError(`mcplex service runs the daemon from login on Linux (systemd) and macOS (launchd); here, start it with \`mcplex start\``);
}

/** What the service runs: the daemon this install starts, with MCPLEX_HOME, PATH and MCPLEX_* as they are now. */
function spec(): ServiceSpec {
  const paths = homePaths();
  return { argv: daemonCommand(), env: serviceEnv(paths.home), outputFile: paths.daemonOut };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const say = (text: string) => process.stdout.write(`${text}\n`);

/** Where the running daemon came from, next to what the manager runs. */
function daemonLine(state: UnitState | undefined): string {
  const daemon = liveDaemon(homePaths());
  if (!daemon) return 'daemon: not running';
  if (state?.pid === daemon.pid) return `daemon: running under the service (pid ${daemon.pid})`;
  return `daemon: running (pid ${daemon.pid}), started outside the service; the service takes over after \`mcplex stop\` or at the next login`;
}

/** `mcplex service install`: writes the unit or agent and loads it; exit 1 where no service manager runs. */
export async function install(): Promise<void> {
  const m = manager();
  const text = m.text(spec());
  const same = readText(m.file) === text;
  if (!same) writeAtomic(m.file, text, 0o644);
  say(`${same ? 'unchanged' : 'wrote'} ${m.name} ${m.file}`);
  const why = m.unreachable();
  if (why) {
    throw new CliError(`${why}, so the service is written but not loaded; where it can run, load it with: ${m.howToLoad}`);
  }
  m.load();
  const state = m.state();
  say(`loaded: ${state.detail}; the daemon now starts at login and restarts if it fails`);
  say(daemonLine(state));
}

/** `mcplex service uninstall`: unloads (stopping the service's daemon; shims start one again when needed) and removes the file. */
export async function uninstall(): Promise<void> {
  const m = manager();
  if (readText(m.file) === undefined) {
    say(`no ${m.name} at ${m.file}: nothing to uninstall`);
    return;
  }
  const reachable = !m.unreachable();
  if (reachable) m.remove();
  else fs.rmSync(m.file, { force: true });
  say(`removed ${m.file}${reachable ? ' and unloaded it' : ''}`);
}

/** `mcplex service status [--json]`: exit 0 when the service is installed, current and loaded, else 1. */
export async function status(o: { json: boolean }): Promise<void> {
  const m = manager();
  const written = readText(m.file);
  const upToDate = written !== undefined && written === m.text(spec());
  const why = written === undefined ? undefined : m.unreachable();
  const state = written !== undefined && !why ? m.state() : undefined;
  const daemon = liveDaemon(homePaths());
  const ok = upToDate && !!state?.enabled;
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ manager: m.name, file: m.file, installed: written !== undefined, upToDate, unreachable: why ?? null, ...(state ? { enabled: state.enabled, active: state.active, pid: state.pid } : {}), daemonPid: daemon?.pid ?? null, underService: !!daemon && daemon.pid === state?.pid }, null, 2)}\n`,
    );
  } else {
    if (written === undefined) say(`service: not installed (no ${m.name} at ${m.file}); run \`mcplex service install\``);
    else say(`service: ${m.name} ${m.file}${upToDate ? '' : ' — differs from what this install writes (moved, or another node): run `mcplex service install` again'}`);
    if (why) say(`manager: ${why}; load it with: ${m.howToLoad}`);
    else if (state) say(`manager: ${state.detail}${state.pid ? `, pid ${state.pid}` : ''}`);
    say(daemonLine(state));
  }
  if (!ok) process.exitCode = 1;
}
