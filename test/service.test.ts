// `mcplex service install | uninstall | status`: a systemd user unit that systemd-analyze accepts and that really
// runs the daemon (standing down when one already runs), written and loaded through systemctl, removed again; and
// the launchd agent macOS gets.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchdPlist } from '../src/cli/service-files.js';
import { CLI, Home, alive, servers, text, waitFor } from './helpers/harness.js';

let homes: Home[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await Promise.all(homes.map((h) => h.dispose()));
  homes = [];
});

/** A home whose MCPLEX_HOME has a space, a % and a $ in it (each special in a unit file), and a user dir for HOME. */
function newWorld(): { home: Home; user: string; unit: string; env: Record<string, string> } {
  const home = new Home(servers.everything());
  homes.push(home);
  const user = path.join(home.dir, 'user');
  fs.mkdirSync(user);
  const mcplexHome = path.join(home.dir, 'my home %h $HOME');
  fs.mkdirSync(mcplexHome, { mode: 0o700 });
  fs.renameSync(home.configPath, path.join(mcplexHome, 'config.yaml'));
  // No systemd user manager is reachable from these variables, whatever the machine runs.
  const env = { HOME: user, MCPLEX_HOME: mcplexHome, XDG_RUNTIME_DIR: path.join(user, 'no-runtime'), DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(user, 'no-bus')}` };
  cleanups.push(() => home.cli(['stop'], { MCPLEX_HOME: mcplexHome }));
  return { home, user, unit: path.join(user, '.config/systemd/user/mcplex.service'), env };
}

/** A unit file read as systemd reads the parts written here: sections, keys, quoted words with escapes. */
function parseUnit(textOfUnit: string): Record<string, Record<string, string[][]>> {
  const out: Record<string, Record<string, string[][]>> = {};
  let section = '';
  for (const line of textOfUnit.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      out[section] = {};
      continue;
    }
    const eq = line.indexOf('=');
    expect(eq, `a key=value line: ${line}`).toBeGreaterThan(0);
    const key = line.slice(0, eq);
    const words = [...line.slice(eq + 1).matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!));
    (out[section]![key] ??= []).push(words.map((w) => w.replace(/%%/g, '%')));
  }
  return out;
}

describe('mcplex service on Linux', () => {
  it('install writes a unit systemd accepts and says how to load it where no systemd runs; the unit runs the daemon, which stands down for one already running', { timeout: 90_000 }, async () => {
    const { home, unit, env } = newWorld();
    const r = await home.cli(['service', 'install'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`wrote systemd user unit ${unit}`);
    expect(r.stderr).toMatch(/^mcplex: the systemd user manager is not running here .*written but not loaded; where it can run, load it with: systemctl --user daemon-reload && systemctl --user enable --now mcplex\.service\n$/);

    const written = fs.readFileSync(unit, 'utf8');
    if (spawnSync('systemd-analyze', ['--version']).status === 0) {
      const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-runtime-'));
      const v = spawnSync('systemd-analyze', ['verify', '--user', unit], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtime } });
      fs.rmSync(runtime, { recursive: true, force: true });
      expect({ status: v.status, output: `${v.stdout}${v.stderr}` }).toEqual({ status: 0, output: '' });
    }
    const parsed = parseUnit(written);
    expect(Object.keys(parsed)).toEqual(['Unit', 'Service', 'Install']);
    expect(parsed.Service!.Restart).toEqual([['on-failure']]);
    expect(parsed.Service!.KillMode).toEqual([['mixed']]);
    expect(parsed.Install!.WantedBy).toEqual([['default.target']]);
    const argv = parsed.Service!.ExecStart![0]!.map((w) => w.replace(/\$\$/g, '$'));
    expect(argv).toEqual([process.execPath, '--max-semi-space-size=2', CLI, 'serve', '--detached']);
    const unitEnv = Object.fromEntries(parsed.Service!.Environment!.map(([kv]) => [kv!.slice(0, kv!.indexOf('=')), kv!.slice(kv!.indexOf('=') + 1)]));
    expect(unitEnv).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072', MCPLEX_HOME: env.MCPLEX_HOME, MCPLEX_PORT: '0', PATH: process.env.PATH });

    // What systemd would run: it brings up the daemon of that very home…
    const serviceEnv = { HOME: env.HOME, ...unitEnv };
    const first = spawn(argv[0]!, argv.slice(1), { env: serviceEnv, stdio: 'ignore', cwd: env.HOME });
    cleanups.push(async () => first.kill('SIGKILL'));
    const info = await waitFor(() => {
      try {
        return JSON.parse(fs.readFileSync(path.join(env.MCPLEX_HOME, 'daemon.json'), 'utf8'));
      } catch {
        return undefined;
      }
    }, 20_000, 'the service daemon');
    expect(info.pid).toBe(first.pid);
    const c = await home.client({ env: { MCPLEX_HOME: env.MCPLEX_HOME } });
    expect(text(await c.callTool({ name: 'call_tool', arguments: { server: 'everything', tool: 'echo', arguments: { message: 'from login' } } }))).toBe('Echo: from login');
    // …and a second start (a restart racing a shim's daemon) exits 0 at once: Restart=on-failure leaves it down.
    const second = spawnSync(argv[0]!, argv.slice(1), { env: serviceEnv, encoding: 'utf8', timeout: 20_000 });
    expect(second.status).toBe(0);
    expect(alive(first.pid!)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(env.MCPLEX_HOME, 'daemon.json'), 'utf8')).pid).toBe(first.pid);

    const st = await home.cli(['service', 'status'], env);
    expect(st.code).toBe(1);
    expect(st.stdout).toContain(`service: systemd user unit ${unit}\n`);
    expect(st.stdout).toContain('load it with: systemctl --user daemon-reload');
    expect(st.stdout).toContain(`daemon: running (pid ${first.pid}), started outside the service`);
    expect((await home.cli(['stop'], { MCPLEX_HOME: env.MCPLEX_HOME })).code).toBe(0);
    await waitFor(() => !alive(first.pid!), 10_000, 'the daemon to stop');

    const u = await home.cli(['service', 'uninstall'], env);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain(`removed ${unit}`);
    expect(fs.existsSync(unit)).toBe(false);
    expect((await home.cli(['service', 'uninstall'], env)).stdout).toContain('nothing to uninstall');
    const gone = await home.cli(['service', 'status', '--json'], env);
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.stdout)).toMatchObject({ installed: false, file: unit });
  });

  it('loads and unloads the unit through systemctl --user where a user manager runs', { timeout: 60_000 }, async () => {
    const { home, user, unit, env } = newWorld();
    // A stand-in systemctl: records each call and answers `show` as an enabled, active unit would.
    const bin = path.join(user, 'bin');
    fs.mkdirSync(bin);
    const calls = path.join(user, 'calls.log');
    fs.writeFileSync(
      path.join(bin, 'systemctl'),
      `#!/bin/sh\necho "$*" >> '${calls}'\nif [ "$2" = show ]; then printf 'UnitFileState=enabled\\nActiveState=active\\nSubState=running\\nMainPID=4242\\n'; fi\nexit 0\n`,
      { mode: 0o755 },
    );
    const withCtl = { ...env, PATH: `${bin}:${process.env.PATH}` };
    const r = await home.cli(['service', 'install'], withCtl);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('loaded: enabled, active (running)');
    const log = () => fs.readFileSync(calls, 'utf8').trim().split('\n');
    expect(log()).toEqual(['--user show-environment', '--user daemon-reload', '--user enable --now mcplex.service', '--user show mcplex.service -p UnitFileState -p ActiveState -p SubState -p MainPID']);

    expect((await home.cli(['service', 'install'], withCtl)).stdout).toContain(`unchanged systemd user unit ${unit}`);
    const st = await home.cli(['service', 'status', '--json'], withCtl);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ installed: true, upToDate: true, enabled: true, active: true, pid: 4242, daemonPid: null });

    // A unit written by another install (moved, or another node) is reported as stale.
    fs.writeFileSync(unit, fs.readFileSync(unit, 'utf8').replace('--detached', '--detached --moved'));
    const stale = await home.cli(['service', 'status'], withCtl);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('run `mcplex service install` again');

    fs.writeFileSync(calls, '');
    expect((await home.cli(['service', 'uninstall'], withCtl)).code).toBe(0);
    expect(log()).toEqual(['--user show-environment', '--user disable --now mcplex.service', '--user daemon-reload']);
    expect(fs.existsSync(unit)).toBe(false);
  });
});

describe('the launchd agent (macOS)', () => {
  it('is a well-formed plist running the same command, restarted only after a failure', async () => {
    const argv = ['/opt/node & co/bin/node', '--max-semi-space-size=2', '/Users/me/<mcplex>/dist/bin/mcplex.js', 'serve', '--detached'];
    const plist = launchdPlist({ argv, env: { MCPLEX_HOME: '/Users/me/.mcplex', PATH: '/usr/bin:/bin' }, outputFile: '/Users/me/.mcplex/logs/daemon.out' });
    // Read back with a real plist parser where Python is here, else check the XML nesting by hand.
    const py = spawnSync('python3', ['-c', 'import json,plistlib,sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], { input: plist, encoding: 'utf8' });
    if (py.status === 0) {
      expect(JSON.parse(py.stdout)).toEqual({
        Label: 'mcplex.daemon',
        ProgramArguments: argv,
        EnvironmentVariables: { MCPLEX_HOME: '/Users/me/.mcplex', PATH: '/usr/bin:/bin' },
        RunAtLoad: true,
        KeepAlive: { SuccessfulExit: false },
        ProcessType: 'Background',
        StandardOutPath: '/Users/me/.mcplex/logs/daemon.out',
        StandardErrorPath: '/Users/me/.mcplex/logs/daemon.out',
      });
    } else {
      const stack: string[] = [];
      for (const [, close, name, selfClosing] of plist.replace(/<\?xml[^>]*>|<!DOCTYPE[^>]*>|<!--[^>]*-->/g, '').matchAll(/<(\/?)(\w+)[^>]*?(\/?)>/g)) {
        if (selfClosing) continue;
        if (close) expect(stack.pop()).toBe(name);
        else stack.push(name!);
      }
      expect(stack).toEqual([]);
      expect(plist).toContain('<string>/opt/node &amp; co/bin/node</string>');
    }
  });
});
