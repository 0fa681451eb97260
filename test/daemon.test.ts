// Daemon lifecycle (§8, §2, §3): one daemon per home under a stampede, stale-lock recovery, stop/SIGTERM leave nothing behind, start/status/config validate.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CLI, Home, alive, daemonsOfHome, descendants, servers, text, waitFor } from './helpers/harness.js';

/** Homes created by the current test; each is disposed after it. */
let homes: Home[] = [];
function newHome(serversYaml = ''): Home {
  const home = new Home(serversYaml);
  homes.push(home);
  return home;
}

afterEach(async () => {
  await Promise.all(homes.map((h) => h.dispose()));
  homes = [];
});

const echo = (c: Client, message: string) => c.callTool({ name: 'call_tool', arguments: { server: 'everything', tool: 'echo', arguments: { message } } });

/** A pid that certainly belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  expect(alive(child.pid!)).toBe(false);
  return child.pid!;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

// §8: however many shims start at once, exactly one daemon runs for a home.
describe('20 shims started at the same instant', () => {
  it('all connect and work through exactly one daemon', { timeout: 120_000 }, async () => {
    const home = newHome(servers.everything());
    expect(home.daemonInfo()).toBeUndefined();

    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => home.client({ name: `stampede-${i}` })));
    const listed = await Promise.all(clients.map((c) => c.listTools()));
    for (const l of listed) expect(l.tools.map((t) => t.name)).toContain('call_tool');
    const echoed = await Promise.all(clients.map((c, i) => echo(c, `hi ${i}`)));
    echoed.forEach((r, i) => expect(text(r)).toBe(`Echo: hi ${i}`));

    // Losers of the lock race exit at once; give them a moment, then exactly one remains.
    await waitFor(() => daemonsOfHome(home.dir).length === 1, 10_000, 'a single daemon').catch(() => undefined);
    const daemons = daemonsOfHome(home.dir);
    expect(daemons).toHaveLength(1);
    expect(home.daemonInfo()?.pid).toBe(daemons[0]);

    const st = await home.status();
    expect(st.daemon.pid).toBe(daemons[0]);
    expect(st.sessions).toHaveLength(20);
    expect(descendants(daemons[0]!).filter((p) => p.cmd.includes('server-everything'))).toHaveLength(1);
  });
});

// A lock and daemon.json left by a dead daemon do not block the next one.
describe('stale lock recovery', () => {
  it('a shim replaces a daemon that died without cleaning up', async () => {
    const home = newHome(servers.everything());
    const dead = await deadPid();
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    fs.writeFileSync(path.join(home.dir, 'daemon.lock'), JSON.stringify({ pid: dead, startedAt }));
    fs.writeFileSync(
      path.join(home.dir, 'daemon.json'),
      JSON.stringify({ pid: dead, port: 1, url: 'http://127.0.0.1:1', token: 'stale', version: '0.0.0', startedAt, configPath: home.configPath }),
    );

    const t0 = Date.now();
    const client = await home.client();
    expect(text(await echo(client, 'after stale lock'))).toBe('Echo: after stale lock');
    expect(Date.now() - t0).toBeLessThan(15_000);

    const info = home.daemonInfo()!;
    expect(info.pid).not.toBe(dead);
    expect(alive(info.pid)).toBe(true);
    expect(daemonsOfHome(home.dir)).toEqual([info.pid]);
    const lock = JSON.parse(fs.readFileSync(path.join(home.dir, 'daemon.lock'), 'utf8'));
    expect(lock.pid).toBe(info.pid);
  });
});

// §3/§8: `mcplex stop` stops the daemon and every backend process, and removes its files.
describe('mcplex stop', () => {
  /** A home whose daemon runs everything and memory, started by one client's calls. */
  async function homeWithBackends(): Promise<{ home: Home; client: Client; daemonPid: number; backends: Array<{ pid: number; cmd: string }> }> {
    const home = newHome();
    home.writeConfig(servers.everything() + servers.memory(path.join(home.dir, 'memory.jsonl')));
    const client = await home.client();
    expect(text(await echo(client, 'x'))).toBe('Echo: x');
    const created = await client.callTool({
      name: 'call_tool',
      arguments: { server: 'memory', tool: 'create_entities', arguments: { entities: [{ name: 'stop-test', entityType: 't', observations: ['o'] }] } },
    });
    expect(created.isError).toBeFalsy();
    const daemonPid = home.daemonInfo()!.pid;
    const backends = descendants(daemonPid);
    expect(backends.some((p) => p.cmd.includes('server-everything'))).toBe(true);
    expect(backends.some((p) => p.cmd.includes('server-memory'))).toBe(true);
    return { home, client, daemonPid, backends };
  }

  it('leaves no daemon, no backend process, no daemon.json and no daemon.lock', async () => {
    const { home, client, daemonPid, backends } = await homeWithBackends();
    // Close the session first: shared instances outlive it (idle timeout), so stop alone must end them.
    await client.close();
    await new Promise((r) => setTimeout(r, 300));
    for (const p of backends) expect(alive(p.pid)).toBe(true);

    const r = await home.cli(['stop']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped (pid ${daemonPid})`);

    expect(alive(daemonPid)).toBe(false);
    for (const p of backends) expect({ pid: p.pid, cmd: p.cmd, alive: alive(p.pid) }).toMatchObject({ alive: false });
    expect(daemonsOfHome(home.dir)).toEqual([]);
    expect(fs.existsSync(path.join(home.dir, 'daemon.json'))).toBe(false);
    expect(fs.existsSync(path.join(home.dir, 'daemon.lock'))).toBe(false);
  });

  it('with a client still connected: backends gone, and no daemon comes back until the client asks', async () => {
    const { home, client, daemonPid, backends } = await homeWithBackends();

    const r = await home.cli(['stop']);
    expect(r.code).toBe(0);
    expect(alive(daemonPid)).toBe(false);
    for (const p of backends) expect({ pid: p.pid, cmd: p.cmd, alive: alive(p.pid) }).toMatchObject({ alive: false });

    // An explicit stop must stick: the open shim may reconnect on its client's next request, not by itself.
    await new Promise((r) => setTimeout(r, 1500));
    expect(daemonsOfHome(home.dir)).toEqual([]);
    expect(fs.existsSync(path.join(home.dir, 'daemon.json'))).toBe(false);
    expect(fs.existsSync(path.join(home.dir, 'daemon.lock'))).toBe(false);

    // The session goes on: the next request brings a daemon up again.
    expect(text(await echo(client, 'back'))).toBe('Echo: back');
    expect(daemonsOfHome(home.dir)).toHaveLength(1);
  });
});

// A foreground `mcplex serve` stops cleanly on SIGTERM: exit 0, every backend gone.
describe('SIGTERM on a foreground mcplex serve', () => {
  let serveChild: ChildProcess | undefined;
  afterEach(() => {
    if (serveChild?.exitCode === null && serveChild.signalCode === null) serveChild.kill('SIGKILL');
    serveChild = undefined;
  });

  it('exits 0 and no backend survives', async () => {
    const home = newHome(servers.everything());
    const child = spawn(process.execPath, [CLI, 'serve', '--config', home.configPath], { env: home.env(), cwd: home.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    serveChild = child;
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));

    await waitFor(() => home.daemonInfo()?.pid === child.pid, 15_000, 'daemon.json of the foreground serve');
    const info = home.daemonInfo()!;
    expect(info.port).toBeGreaterThan(0);

    const client = await home.client();
    expect(text(await echo(client, 'fg'))).toBe('Echo: fg');
    const backends = descendants(child.pid!);
    expect(backends.some((p) => p.cmd.includes('server-everything'))).toBe(true);

    child.kill('SIGTERM');
    const exit = await exitOf(child);
    expect({ ...exit, output: exit.code === 0 ? '' : output }).toMatchObject({ code: 0, signal: null });
    for (const p of backends) expect({ pid: p.pid, cmd: p.cmd, alive: alive(p.pid) }).toMatchObject({ alive: false });
    expect(home.daemonInfo()?.pid).not.toBe(child.pid);
  });
});

// §3: start is idempotent; status says how to start a missing daemon; status --json names the daemon pid.
describe('mcplex start and status', () => {
  it('status without a daemon exits 1 and says how to start it', async () => {
    const home = newHome();
    const r = await home.cli(['status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not running/);
    expect(r.stderr).toContain('mcplex start');
    expect(daemonsOfHome(home.dir)).toEqual([]);
  });

  it('start twice runs one daemon; status --json reports its pid', async () => {
    const home = newHome(servers.everything());
    const first = await home.cli(['start']);
    expect(first.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(first.stdout)?.[1]);
    expect(first.stdout).toMatch(/started/);
    expect(alive(pid)).toBe(true);

    const second = await home.cli(['start']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already running/);
    expect(Number(/pid (\d+)/.exec(second.stdout)?.[1])).toBe(pid);
    expect(daemonsOfHome(home.dir)).toEqual([pid]);

    const st = await home.status();
    expect(st.daemon.pid).toBe(pid);
    expect(home.daemonInfo()?.pid).toBe(pid);
  });
});

// §3/§4: `config validate` exits 2 naming every problem with its line, 0 for a valid file.
describe('mcplex config validate', () => {
  it('reports an unknown gateway key and a bad duration with their lines, exit 2', async () => {
    const home = newHome();
    const bad = path.join(home.dir, 'bad.yaml');
    fs.writeFileSync(
      bad,
      [
        'gateway:', //              1
        '  port: 0', //             2
        '  bogusKey: 1', //         3
        'servers:', //              4
        '  everything:', //         5
        '    command: node', //     6
        '    idleTimeout: 5 mins', // 7
        '',
      ].join('\n'),
    );
    const r = await home.cli(['config', 'validate', bad]);
    expect(r.code).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/bad\.yaml:3\b.*bogusKey/);
    expect(out).toMatch(/bad\.yaml:7\b.*idleTimeout.*5 mins/);
  });

  it('accepts a valid file, exit 0', async () => {
    const home = newHome(servers.everything());
    const r = await home.cli(['config', 'validate', home.configPath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok (1 server)');
  });
});
