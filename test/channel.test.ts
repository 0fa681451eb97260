// The shim channel (§2, §7, §8): shims reach the daemon over the owner-only mcplex.sock, so a taken HTTP port, a
// stripped environment or another user on the machine change nothing for them; a daemon that cannot start is
// reported at once; a daemon restart keeps the session's log level and subscriptions; a client that stops reading
// loses its session, never the daemon's memory.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { openDaemonChannel } from '../src/shim/daemon-socket.js';
import { CLI, Home, ROOT, RawShim, faulty, killQuietly, serverEntry, servers, shimCommand, text, waitFor } from './helpers/harness.js';

const run = promisify(execFile);

let homes: Home[] = [];
const cleanups: Array<() => void | Promise<void>> = [];
function newHome(serversYaml = '', gatewayYaml = ''): Home {
  const home = new Home(serversYaml, gatewayYaml);
  homes.push(home);
  return home;
}

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await Promise.all(homes.map((h) => h.dispose()));
  homes = [];
});

/** A TCP port held by a plain server (not mcplex), released after the test. */
async function holdPort(): Promise<number> {
  const server = net.createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

const INIT = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };

describe('mcplex.sock', () => {
  it('is 0600 in a 0700 home, and a process of another user cannot connect to it', async () => {
    const home = newHome(servers.everything());
    const c = await home.client();
    expect(text(await c.callTool({ name: 'call_tool', arguments: { server: 'everything', tool: 'echo', arguments: { message: 'owner' } } }))).toBe('Echo: owner');
    const sock = home.daemonInfo()!.socket as string;
    expect(sock).toBe(path.join(home.dir, 'mcplex.sock'));
    expect(fs.statSync(sock).isSocket()).toBe(true);
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    expect(fs.statSync(home.dir).mode & 0o777).toBe(0o700);

    // Even with the home opened up to everyone, the socket's own mode keeps another uid out.
    fs.chmodSync(home.dir, 0o755);
    const probe = `require('net').connect(process.argv[1]).on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})`;
    const { stdout } = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', probe, sock]);
    fs.chmodSync(home.dir, 0o700);
    expect(stdout.trim()).toBe('EACCES');
  });

  it('with the HTTP port held by another program: shims work, and status, doctor and the log name the port', { timeout: 90_000 }, async () => {
    const port = await holdPort();
    const home = newHome(servers.everything());
    const env = { MCPLEX_PORT: String(port) };
    const c = await home.client({ env });
    expect(text(await c.callTool({ name: 'call_tool', arguments: { server: 'everything', tool: 'echo', arguments: { message: 'no port' } } }))).toBe('Echo: no port');
    expect(home.daemonInfo()).toMatchObject({ port: null, url: null });

    const status = await home.cli(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(status.stdout).toMatch(/MCPLEX_PORT/);
    const json = JSON.parse((await home.cli(['status', '--json'], env)).stdout);
    expect(json.daemon.portError).toContain(`port ${port}`);

    // doctor reports the running daemon's port, also from a shell without the daemon's MCPLEX_PORT.
    for (const doctorEnv of [env, {}]) {
      const doctor = await home.cli(['doctor'], doctorEnv);
      expect(doctor.stdout).toMatch(new RegExp(`port .*no HTTP port.*port ${port} on 127\\.0\\.0\\.1 is already in use`));
      expect(doctor.code).toBe(1);
    }
    expect(fs.readFileSync(path.join(home.dir, 'logs', 'mcplex.log'), 'utf8')).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });

  it('a shim started with only HOME in its environment (as the Inspector does) starts a daemon whose servers start, by bare command names too', { timeout: 90_000 }, async () => {
    const userHome = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-user-')));
    const mcplexHome = path.join(userHome, '.mcplex');
    fs.mkdirSync(mcplexHome, { mode: 0o700 });
    // No MCPLEX_HOME, no MCPLEX_PORT, no PATH: the default home and the default port (which may well be taken here).
    // `node` by name needs a PATH: the daemon's own for a global server, the session's (which has none) for a session one.
    const byName = (name: string, sharing: string) => `  ${name}:\n    command: node\n    args: [${serverEntry('everything')}, stdio]\n    sharing: ${sharing}\n`;
    fs.writeFileSync(path.join(mcplexHome, 'config.yaml'), `servers:\n${servers.everything()}${byName('global', 'global')}${byName('mine', 'session')}`);
    const env = { HOME: userHome };
    cleanups.push(async () => {
      await run(process.execPath, [CLI, 'stop'], { env: { HOME: userHome } }).catch(() => undefined);
      fs.rmSync(userHome, { recursive: true, force: true });
    });
    const { command, args } = shimCommand();
    const shim = new RawShim(spawn(command, args, { cwd: userHome, env, stdio: ['pipe', 'pipe', 'pipe'] }));
    cleanups.unshift(() => shim.close());
    shim.send({ id: 1, method: 'initialize', params: INIT });
    await shim.next((m) => m.id === 1 && m.result);
    shim.send({ id: 2, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'everything', tool: 'echo', arguments: { message: 'bare' } } } });
    const r = await shim.next((m) => m.id === 2);
    expect(r.result.content[0].text).toBe('Echo: bare');
    for (const [i, server] of [[3, 'global'], [4, 'mine']] as const) {
      shim.send({ id: i, method: 'tools/call', params: { name: 'call_tool', arguments: { server, tool: 'get-env', arguments: {} } } });
      const got = await shim.next((m) => m.id === i);
      expect(got.result?.isError, JSON.stringify(got)).toBeFalsy();
      const env = JSON.parse(got.result.content[0].text);
      expect(env.HOME).toBe(userHome);
      expect(env.PATH.split(path.delimiter)).toContain(path.dirname(process.execPath));
    }
    expect(JSON.parse(fs.readFileSync(path.join(mcplexHome, 'daemon.json'), 'utf8')).socket).toBe(path.join(mcplexHome, 'mcplex.sock'));
  });

  it('a client that stops reading gets errors instead of answers; the daemon does not hold its backlog', { timeout: 120_000 }, async () => {
    const home = newHome(faulty('big', ['--huge-line', '6']));
    const c = await home.client();
    await c.listTools();
    const info = home.daemonInfo() as any;
    const hello = { mcplex: 'hello' as const, version: 'test', pid: process.pid, cwd: home.dir, env: {} };
    const got: any[] = [];
    const channel = await openDaemonChannel(info, hello, { message: (t) => void got.push(JSON.parse(t)), close: () => undefined });
    cleanups.push(() => channel.socket.destroy());
    channel.socket.pause(); // stop reading
    channel.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: INIT }));
    for (let i = 1; i <= 12; i++) {
      channel.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'big', tool: 'huge' } } }));
    }
    // The backend answers all 12 (72 MB); what the client has not read stays bounded in the daemon.
    await waitFor(async () => (await home.status()).instances.find((i) => i.server === 'big')?.calls >= 12, 60_000, 'the backend to answer every call');
    const rss = Number(fs.readFileSync(`/proc/${info.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) * 1024;
    expect(rss).toBeLessThan(400 * 1024 * 1024);
    // The reading client is unharmed.
    expect(text(await c.callTool({ name: 'call_tool', arguments: { server: 'big', tool: 'echo', arguments: { still: 'here' } } }))).toContain('still');
    // Reading again: every request got its answer or, past the backlog cap, an error saying the client did not read.
    channel.socket.resume();
    await waitFor(() => [...Array(12).keys()].every((i) => got.some((m) => m.id === i + 1)), 30_000, 'an answer for every request');
    const slow = got.filter((m) => m.error?.data?.code === 'CLIENT_TOO_SLOW');
    expect(slow.length).toBeGreaterThan(0);
    expect(slow.length).toBeLessThan(12);
  });
});

describe('a daemon that cannot start', () => {
  it('is reported to the client within seconds, with the cause and the file to read; at most one start a second', { timeout: 90_000 }, async () => {
    const home = newHome(servers.everything());
    fs.mkdirSync(path.join(home.dir, 'mcplex.sock')); // something in the way of the socket: the daemon cannot listen
    const shim = home.rawShim();
    let stderr = '';
    shim.child.stderr!.on('data', (d) => (stderr += d));
    const t0 = Date.now();
    shim.send({ id: 1, method: 'initialize', params: INIT });
    const first = await shim.next((m) => m.id === 1, 10_000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(first.error.message).toContain('could not start');
    expect(first.error.message).toContain('mcplex.sock');
    expect(first.error.message).toContain(path.join(home.dir, 'logs', 'daemon.out'));
    await waitFor(() => stderr.includes('could not start'), 5000, 'the reason on stderr');
    expect(stderr).not.toMatch(/mcplex: mcplex:/);

    // A client that keeps asking gets an answer every time, but no more than one daemon start a second.
    const started = Date.now();
    for (let id = 2; id <= 16; id++) {
      shim.send({ id, method: 'tools/list' });
      await shim.next((m) => m.id === id, 10_000);
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (Date.now() - started) / 1000;
    const out = fs.readFileSync(path.join(home.dir, 'logs', 'daemon.out'), 'utf8');
    const attempts = out.split('\n').filter((l) => l.includes('cannot listen')).length;
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
    expect(out).not.toMatch(/sonic boom|mcplex: mcplex:/);

    // Fixed: the next request starts a daemon and goes through.
    fs.rmdirSync(path.join(home.dir, 'mcplex.sock'));
    await new Promise((r) => setTimeout(r, 1100));
    shim.send({ id: 100, method: 'initialize', params: INIT });
    const ok = await shim.next((m) => m.id === 100, 30_000);
    expect(ok.result?.serverInfo?.name).toBe('mcplex');
  });

  it('mcplex start reports the cause at once (exit 1)', async () => {
    const home = newHome();
    fs.mkdirSync(path.join(home.dir, 'mcplex.sock'));
    const t0 = Date.now();
    const r = await home.cli(['start']);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mcplex: the mcplex daemon could not start: cannot listen on .*mcplex\.sock: a directory is in the way/);
    expect(r.stderr).toContain('daemon.out');
  });
});

describe('a daemon restart', () => {
  it('keeps the session: the shim replays its log level and resource subscriptions', { timeout: 120_000 }, async () => {
    const fixture = path.join(ROOT, 'test/fixtures/notify-server.mjs');
    const home = newHome(`  notify:\n    command: ${process.execPath}\n    args: [${fixture}]\n`, '  surface: direct\n');
    const c = await home.client();
    const logs: string[] = [];
    const updates: string[] = [];
    c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
    c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    await c.setLoggingLevel('debug');
    await c.subscribeResource({ uri: 'test://r' });
    await c.callTool({ name: 'notify__notify', arguments: {} });
    await waitFor(() => logs.length === 1 && updates.length === 1, 10_000, 'notifications before the restart');

    const old = home.daemonInfo()!.pid;
    const seen = { logs: logs.length, updates: updates.length };
    killQuietly(old, 'SIGKILL');
    await waitFor(() => home.daemonInfo()?.pid && home.daemonInfo()!.pid !== old, 30_000, 'a new daemon');
    // The shim reconnects on its own; a call may race the reconnection once.
    await waitFor(
      async () => {
        const r = await c.callTool({ name: 'notify__notify', arguments: {} }).catch(() => null);
        return r !== null && !r.isError;
      },
      30_000,
      'a call after the restart',
    );
    // The replayed subscribe runs beside the client's own calls: call until its effect shows.
    await waitFor(
      async () => {
        await c.callTool({ name: 'notify__notify', arguments: {} });
        return updates.length > seen.updates;
      },
      20_000,
      'a resource update after the restart',
    );
    // Debug-level messages pass only because the replayed setLevel reached the new daemon (its default is info).
    expect(logs.slice(seen.logs).length).toBeGreaterThan(0);
    expect(logs.slice(seen.logs).every((l) => /^debug-\d+$/.test(l))).toBe(true);
    expect(updates.slice(seen.updates)).toContain('test://r');
  });
});
