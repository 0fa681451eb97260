// The HTTP front door: Streamable HTTP and legacy SSE sessions, roots-based workspaces, restarts, auth, remote backends.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Home, ROOT, alive, descendants, serverEntry, servers, text, waitFor, call } from './helpers/harness.js';
import { freePort, startDaemon } from './helpers/raw-http.js';

let home: Home | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await home?.dispose();
  home = undefined;
});


async function httpClient(url: string, opts: { roots?: string; headers?: Record<string, string> } = {}): Promise<Client> {
  const client = new Client({ name: 'http-client', version: '1' }, { capabilities: opts.roots ? { roots: {} } : {} });
  if (opts.roots) client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: pathToFileURL(opts.roots!).href, name: 'project' }] }));
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: opts.headers ?? {} } }));
  cleanups.push(() => client.close().catch(() => undefined));
  return client;
}

// Streamable HTTP, legacy SSE and shim sessions all share one backend process.
describe('HTTP sessions', () => {
  it('Streamable HTTP and SSE clients call tools, sharing one backend with a shim session', async () => {
    home = new Home(servers.everything());
    const base = await startDaemon(home);
    const streamable = await httpClient(`${base}/mcp`);
    const sse = new Client({ name: 'sse-client', version: '1' });
    await sse.connect(new SSEClientTransport(new URL(`${base}/sse`)));
    cleanups.push(() => sse.close().catch(() => undefined));
    const shim = await home.client();
    expect(text(await call(streamable, 'everything', 'echo', { message: 'http' }))).toBe('Echo: http');
    expect(text(await call(sse, 'everything', 'echo', { message: 'sse' }))).toBe('Echo: sse');
    expect(text(await call(shim, 'everything', 'echo', { message: 'shim' }))).toBe('Echo: shim');
    const st = await home.status();
    expect(st.sessions).toHaveLength(3);
    expect(st.instances.filter((i) => i.server === 'everything')).toHaveLength(1);
    expect(descendants(st.daemon.pid).filter((p) => p.cmd.includes('server-everything'))).toHaveLength(1);
    const progress: number[] = [];
    const r = await streamable.callTool(
      { name: 'call_tool', arguments: { server: 'everything', tool: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(text(r)).toContain('Long running operation completed');
    expect(progress.length).toBeGreaterThanOrEqual(2);
  });

  it('a client that advertises roots and sends no workspace gets its root workspace .env credentials', async () => {
    home = new Home(servers.everything('    env: {TOKEN: "${TOKEN}"}\n    sharing: credential\n'));
    const ws = path.join(home.dir, 'project');
    fs.mkdirSync(path.join(ws, '.git'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.env'), 'TOKEN=from-roots\n');
    const base = await startDaemon(home);
    const client = await httpClient(`${base}/mcp`, { roots: path.join(ws, 'src') });
    const env = JSON.parse(text(await call(client, 'everything', 'get-env')));
    expect(env.TOKEN).toBe('from-roots');
    const explicit = await httpClient(`${base}/mcp?workspace=${encodeURIComponent(ws)}`);
    expect(JSON.parse(text(await call(explicit, 'everything', 'get-env'))).TOKEN).toBe('from-roots');
  });

  it('after a daemon restart, the next request with the old session id succeeds', async () => {
    const port = await freePort();
    home = new Home(servers.everything(), `  port: ${port}\n`);
    home.writeConfig(servers.everything(), '');
    fs.writeFileSync(home.configPath, fs.readFileSync(home.configPath, 'utf8').replace('port: 0', `port: ${port}`));
    const env = { MCPLEX_PORT: String(port) };
    expect((await home.cli(['start'], env)).code).toBe(0);
    const client = await httpClient(`http://127.0.0.1:${port}/mcp`);
    expect(text(await call(client, 'everything', 'echo', { message: 'one' }))).toBe('Echo: one');
    expect((await home.cli(['stop'])).code).toBe(0);
    expect((await home.cli(['start'], env)).code).toBe(0);
    expect(text(await call(client, 'everything', 'echo', { message: 'two' }))).toBe('Echo: two');
  });
});

// Token mode, Host and Origin checks.
describe('auth', () => {
  it('token mode: 401 without or with a wrong token; a right bearer or API key works; bad Host or Origin is 403', async () => {
    home = new Home(servers.everything(), '  auth:\n    mode: token\n    tokens: [secret-bearer-token]\n    apiKeys: [secret-api-key]\n');
    const base = await startDaemon(home);
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post({ 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await post({ authorization: 'Bearer secret-bearer-token' })).status).toBe(200);
    expect((await post({ 'x-api-key': 'secret-api-key' })).status).toBe(200);
    expect((await post({ authorization: 'Bearer secret-bearer-token', origin: 'http://evil.example' })).status).toBe(403);
    const badHost = await new Promise<number>((resolve) => {
      const u = new URL(base);
      const req = net.connect(Number(u.port), '127.0.0.1', () => req.write(`GET /healthz HTTP/1.1\r\nHost: evil.example:${u.port}\r\nConnection: close\r\n\r\n`));
      let buf = '';
      req.on('data', (d) => (buf += d.toString()));
      req.on('end', () => resolve(Number(/HTTP\/1.1 (\d+)/.exec(buf)?.[1])));
    });
    expect(badHost).toBe(403);
    const client = await httpClient(`${base}/mcp`, { headers: { authorization: 'Bearer secret-bearer-token' } });
    expect(text(await call(client, 'everything', 'echo', { message: 'authed' }))).toBe('Echo: authed');
    expect((await home.cli(['status'])).code).toBe(0);
  });

  it('refuses a non-loopback host without token mode, saying what to do', async () => {
    home = new Home(servers.everything(), '  host: 0.0.0.0\n');
    const r = await home.cli(['serve']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not loopback.*auth.mode: token/);
    // `config validate` refuses what the daemon refuses, at the line that says it.
    const v = await home.cli(['config', 'validate']);
    expect(v.code).toBe(2);
    expect(v.stdout + v.stderr).toMatch(/gateway\.host.*:3.*0\.0\.0\.0 is not loopback|:3.*gateway\.host.*not loopback/s);
  });
});

// A remote Streamable HTTP backend (server-everything in streamableHttp mode on loopback) used through mcplex.
describe('remote backends', () => {
  it('is shared, and recovers after the remote server is killed and restarted', async () => {
    const port = await freePort();
    const startRemote = (): ChildProcess => {
      const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'scripts/bench/loopback.mjs')).href, serverEntry('everything'), 'streamableHttp'], {
        env: { ...process.env, PORT: String(port) },
        stdio: 'ignore',
      });
      cleanups.push(() => void child.kill('SIGKILL'));
      return child;
    };
    const up = () => waitFor(() => fetch(`http://127.0.0.1:${port}/mcp`, { method: 'GET' }).then(() => true, () => false), 15_000, 'the remote server');
    let remote = startRemote();
    await up();
    home = new Home(`  remote:\n    url: http://127.0.0.1:${port}/mcp\n    transport: http\n    headers: {X-Test: "\${HOME}"}\n`);
    const a = await home.client();
    const b = await home.client();
    expect(text(await call(a, 'remote', 'echo', { message: 'remote a' }))).toBe('Echo: remote a');
    expect(text(await call(b, 'remote', 'echo', { message: 'remote b' }))).toBe('Echo: remote b');
    expect((await home.status()).instances.filter((i) => i.server === 'remote')).toHaveLength(1);
    remote.kill('SIGKILL');
    await waitFor(() => !alive(remote.pid!), 5000, 'the remote to die');
    const failed = await call(a, 'remote', 'echo', { message: 'while down' });
    expect(failed.isError).toBe(true);
    remote = startRemote();
    await up();
    await waitFor(async () => text(await call(a, 'remote', 'echo', { message: 'back' })) === 'Echo: back', 20_000, 'recovery');
  }, 60_000);
});
