// `mcplex doctor`: every check on a good home, and the broken setups it must name with a fix.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processIdentity } from '../src/supervisor/process-info.js';
import { Home, killQuietly, servers, waitFor } from './helpers/harness.js';

interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
  details?: string[];
}

async function doctorJson(home: Home, env: Record<string, string> = {}): Promise<{ code: number; checks: Finding[] }> {
  const r = await home.cli(['doctor', '--json'], env);
  return { code: r.code, checks: (JSON.parse(r.stdout) as { checks: Finding[] }).checks };
}

function only(checks: Finding[], check: string): Finding[] {
  return checks.filter((c) => c.check === check);
}

describe('mcplex doctor', () => {
  const homes: Home[] = [];
  const make = (yaml: string) => {
    const h = new Home(yaml);
    homes.push(h);
    return h;
  };

  afterEach(async () => {
    await Promise.all(homes.splice(0).map((h) => h.dispose()));
  });

  it('a good home passes: exit 0 and an ok line per check', async () => {
    const home = make(servers.everything() + '  off:\n    command: mcplex-no-such-command-xyz\n    enabled: false\n');
    const r = await home.cli(['doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const check of ['node', 'config', 'daemon', 'server everything', 'server off', 'start everything', 'port', 'orphans', 'permissions']) {
      expect(r.stdout).toMatch(new RegExp(`^ok\\s+${check}\\s`, 'm'));
    }
    expect(r.stdout).not.toMatch(/^fail/m);
    expect(r.stdout).toContain('not running');
    expect(r.stdout).toMatch(/0 failures/);
    // doctor never starts the daemon
    expect(home.daemonInfo()).toBeUndefined();
  });

  it('with the daemon running, reports it reachable and flags a daemon.json others can read', async () => {
    const home = make(servers.everything());
    expect((await home.cli(['start'])).code).toBe(0);
    const up = await doctorJson(home);
    expect(up.code).toBe(0);
    expect(only(up.checks, 'daemon')[0]).toMatchObject({ status: 'ok' });
    expect(only(up.checks, 'daemon')[0]!.message).toContain(`pid ${home.daemonInfo()!.pid}`);

    fs.chmodSync(path.join(home.dir, 'daemon.json'), 0o644);
    const loose = await doctorJson(home);
    expect(loose.code).toBe(1);
    const perm = only(loose.checks, 'permissions').find((c) => c.message.includes('daemon.json'));
    expect(perm).toMatchObject({ status: 'fail' });
    expect(perm!.fix).toContain('chmod 600');
  });

  it('names a missing command and a readable .env, each with a fix, and exits 1', async () => {
    const home = make(servers.everything() + '  ghost:\n    command: mcplex-no-such-command-xyz\n  lost:\n    command: ./bin/not-there\n');
    fs.writeFileSync(path.join(home.dir, '.env'), 'SECRET=1\n', { mode: 0o644 });
    fs.chmodSync(path.join(home.dir, '.env'), 0o644);
    const r = await home.cli(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^fail\s+server ghost\s+command "mcplex-no-such-command-xyz" is not on PATH/m);
    expect(r.stdout).toMatch(/^fail\s+server lost\s+command \.\/bin\/not-there does not exist/m);
    expect(r.stdout).toMatch(/^fail\s+permissions\s+.*\.env holds secrets but is mode 0644/m);
    expect(r.stdout).toContain(`fix: chmod 600 ${path.join(home.dir, '.env')}`);
    expect(r.stdout).toMatch(/^ok\s+server everything/m);
    const { checks } = await doctorJson(home);
    for (const c of checks.filter((x) => x.status !== 'ok')) expect(c.fix, c.message).toBeTruthy();
  });

  it('a remote server it cannot reach fails its start check, saying why', async () => {
    const home = make('  remote:\n    url: https://example.invalid/mcp\n');
    const { code, checks } = await doctorJson(home);
    expect(code).toBe(1);
    expect(only(checks, 'server remote')[0]).toMatchObject({ status: 'ok' });
    const start = only(checks, 'start remote')[0]!;
    expect(start.status).toBe('fail');
    expect(start.message).toMatch(/cannot connect to https:\/\/example\.invalid\/mcp \(.*ENOTFOUND/);
    expect(start.fix).toContain('servers.remote.url');
  });

  it('reports an invalid config with its problems and lines, and a fix', async () => {
    const home = make(servers.everything('    colour: blue\n'));
    const r = await home.cli(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^fail\s+config\s+.*config\.yaml is invalid/m);
    expect(r.stdout).toMatch(/config\.yaml:\d+\s+servers\.everything\.colour\s+unknown key "colour"/);
    expect(r.stdout).toContain('mcplex config validate');
  });

  it('a missing config file is a warning, not a failure', async () => {
    const home = make('');
    fs.rmSync(home.configPath);
    const { code, checks } = await doctorJson(home);
    expect(code).toBe(0);
    expect(only(checks, 'config')[0]).toMatchObject({ status: 'warn' });
    expect(only(checks, 'config')[0]!.fix).toMatch(/mcplex add|config\.example\.yaml/);
  });

  it('flags a configured port that something else holds', async () => {
    const home = make(servers.everything());
    const blocker = net.createServer((socket) => socket.destroy()); // not an HTTP server: doctor's probe is cut off
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, checks } = await doctorJson(home, { MCPLEX_PORT: String(port) });
      expect(code).toBe(1);
      const p = only(checks, 'port')[0]!;
      expect(p.status).toBe('fail');
      expect(p.message).toContain(`${port}`);
      expect(p.fix).toMatch(/gateway\.port|MCPLEX_PORT/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('finds a backend process group whose daemon is gone', async () => {
    const home = make(servers.everything());
    const orphan = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    try {
      fs.mkdirSync(path.join(home.dir, 'run'), { mode: 0o700 });
      // As the daemon records it: the leader's identity (start time) beside its pid.
      const rec = { pgid: orphan.pid, identity: processIdentity(orphan.pid!), daemonPid: dead.pid, server: 'everything', startedAt: new Date().toISOString() };
      fs.writeFileSync(path.join(home.dir, 'run', `backend-${orphan.pid}.json`), JSON.stringify(rec), { mode: 0o600 });
      const { code, checks } = await doctorJson(home);
      expect(code).toBe(1);
      const o = only(checks, 'orphans')[0]!;
      expect(o.status).toBe('fail');
      expect(o.details?.join('\n')).toContain(`process group ${orphan.pid}`);
      expect(o.fix).toContain(`kill -TERM -- -${orphan.pid}`);
    } finally {
      killQuietly(-orphan.pid!, 'SIGKILL');
    }
    await waitFor(() => orphan.exitCode !== null || orphan.signalCode !== null, 5000, 'the orphan to die');
  });
});
