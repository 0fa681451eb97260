// Owner-only access (issue 11, CONTRACT §7): another local user (uid 65534, run with setpriv) gets 401 and nothing
// else on every HTTP path; the owner's HTTP clients work with no configuration; a valid token works for anyone.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { tcpPeerUid } from '../src/front/peer-uid.js';
import { Home, call, servers, text } from './helpers/harness.js';

const run = promisify(execFile);
const NOBODY = 65534;
const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** Runs an ES module script (Node built-ins only) as uid 65534 and parses the JSON it prints. */
async function asNobody(script: string, args: string[]): Promise<any> {
  const { stdout } = await run('setpriv', [...AS_NOBODY, process.execPath, '--input-type=module', '-e', script, ...args], { cwd: '/', timeout: 30_000 });
  return JSON.parse(stdout);
}

/**
 * Every HTTP path, plus a WebSocket upgrade of /ws, each with an optional bearer token: status and body of each.
 * The install_server attempts name a workspace and a marker inside the test's own directory, so even a failing
 * daemon would write nowhere else.
 */
const PROBE_ALL = `
import net from 'node:net';
const [base, workspace, marker, token] = process.argv.slice(1);
const auth = token ? { authorization: 'Bearer ' + token } : {};
const ws = 'workspace=' + encodeURIComponent(workspace);
const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'stranger', version: '1' } } });
const call = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'install_server', arguments: { server: 'evil', command: 'touch', args: [marker] } } });
const mcp = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const requests = {
  'GET /healthz': ['/healthz', {}],
  'GET /api/status': ['/api/status', {}],
  'GET /metrics': ['/metrics', {}],
  'GET /': ['/', {}],
  'POST /mcp initialize': ['/mcp?' + ws, { method: 'POST', headers: mcp, body: init }],
  'POST /mcp install_server': ['/mcp?' + ws, { method: 'POST', headers: { ...mcp, 'mcp-session-id': 'guessed' }, body: call }],
  'GET /sse': ['/sse?' + ws, {}],
  'POST /messages': ['/messages?sessionId=guessed&' + ws, { method: 'POST', headers: { 'content-type': 'application/json' }, body: call }],
  'POST /api/restart': ['/api/restart?server=everything', { method: 'POST' }],
  'GET /nowhere': ['/nowhere', {}],
};
const out = {};
for (const [name, [p, o]] of Object.entries(requests)) {
  const r = await fetch(base + p, { ...o, headers: { ...auth, ...(o.headers ?? {}) } });
  out[name] = { status: r.status, body: (await r.text()).slice(0, 400) };
}
const u = new URL(base);
out['GET /ws upgrade'] = await new Promise((resolve) => {
  const s = net.connect(Number(u.port), u.hostname, () =>
    s.write('GET /ws HTTP/1.1\\r\\nHost: ' + u.host + '\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n' + (token ? 'Authorization: Bearer ' + token + '\\r\\n' : '') + '\\r\\n'));
  let buf = '';
  s.on('data', (d) => (buf += d));
  s.on('end', () => resolve({ status: Number(/^HTTP\\/1.1 (\\d+)/.exec(buf)?.[1]), body: buf.slice(0, 400) }));
  s.on('error', (e) => resolve({ status: 0, body: e.message }));
});
console.log(JSON.stringify(out));
`;

/** A whole MCP exchange over Streamable HTTP with built-in fetch: initialize, then call_tool; prints each status and the result. */
const MCP_CALL = `
const [url, headersJson, server, tool, argsJson] = process.argv.slice(1);
const extra = JSON.parse(headersJson);
const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...extra };
async function rpc(body, session) {
  const r = await fetch(url, { method: 'POST', headers: session ? { ...base, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } : base, body: JSON.stringify(body) });
  const t = await r.text();
  const line = t.split('\\n').find((l) => l.startsWith('data: '));
  let msg;
  try { msg = JSON.parse(line ? line.slice(6) : t); } catch { msg = t; }
  return { status: r.status, session: r.headers.get('mcp-session-id'), msg };
}
const init = await rpc({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'token-client', version: '1' } } });
if (init.status !== 200) { console.log(JSON.stringify({ initStatus: init.status, body: init.msg })); process.exit(0); }
await fetch(url, { method: 'POST', headers: { ...base, 'mcp-session-id': init.session, 'mcp-protocol-version': '2025-06-18' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
const r = await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'call_tool', arguments: { server, tool, arguments: JSON.parse(argsJson) } } }, init.session);
console.log(JSON.stringify({ initStatus: init.status, callStatus: r.status, result: r.msg.result }));
`;

let home: Home | undefined;
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await home?.dispose();
  home = undefined;
});

async function startDaemon(h: Home, env: Record<string, string> = {}): Promise<string> {
  const r = await h.cli(['start'], env);
  expect(r.code, r.stderr).toBe(0);
  return `http://127.0.0.1:${h.daemonInfo()!.port}`;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

// The peer lookup itself, for every address family a loopback connection can have.
describe('the uid of a loopback TCP peer', () => {
  const cases: Array<[string, string, string]> = [
    ['IPv4', '127.0.0.1', '127.0.0.1'],
    ['IPv6', '::1', '::1'],
    ['v4-mapped (dual-stack listener, IPv4 client)', '::', '127.0.0.1'],
  ];
  for (const [what, listenOn, connectTo] of cases) {
    it(`${what}: this process's uid for its own client, 65534 for a client run as nobody`, async () => {
      const srv = net.createServer();
      cleanups.push(() => new Promise((r) => srv.close(r)));
      await new Promise<void>((r) => srv.listen(0, listenOn, r));
      const port = (srv.address() as net.AddressInfo).port;
      const nextPeerUid = () =>
        new Promise<number | undefined>((resolve) =>
          srv.once('connection', (s) => {
            const ends = { remoteAddress: s.remoteAddress!, remotePort: s.remotePort!, localAddress: s.localAddress!, localPort: s.localPort! };
            void tcpPeerUid(ends).then((uid) => {
              resolve(uid);
              s.destroy();
            });
          }),
        );
      const own = nextPeerUid();
      const mine = net.connect(port, connectTo);
      mine.on('error', () => undefined);
      expect(await own).toBe(process.getuid!());
      mine.destroy();
      const theirs = nextPeerUid();
      const stranger = spawn('setpriv', [...AS_NOBODY, process.execPath, '-e', `const s = require('net').connect(${port}, '${connectTo}'); s.on('error', () => {}); setTimeout(() => process.exit(0), 10000)`], { stdio: 'ignore' });
      cleanups.push(() => void stranger.kill('SIGKILL'));
      expect(await theirs).toBe(NOBODY);
    });
  }
});

describe('owner mode (the default)', () => {
  it('another user gets 401 and no data on every path, /ws included; /healthz says only ok', async () => {
    home = new Home(servers.everything());
    const base = await startDaemon(home);
    const ws = path.join(home.dir, 'ws');
    const marker = path.join(home.dir, 'pwned');
    const out = await asNobody(PROBE_ALL, [base, ws, marker]);
    const { pid, token } = home.daemonInfo()!;
    for (const [name, r] of Object.entries(out) as Array<[string, { status: number; body: string }]>) {
      if (name === 'GET /healthz') {
        expect(r).toEqual({ status: 200, body: '{"ok":true}' });
        continue;
      }
      expect(r.status, `${name}: ${r.body}`).toBe(401);
      for (const leak of [String(pid), token, 'everything', home.dir, 'mcplex_']) expect(r.body, name).not.toContain(leak);
    }
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(path.join(ws, '.mcplex.yaml'))).toBe(false);
    expect((await home.status()).sessions).toHaveLength(0);
  });

  it('a stranger whose connection is reset right after its request is still a stranger (an unknown address proves nothing)', async () => {
    home = new Home(servers.everything());
    const base = await startDaemon(home);
    const u = new URL(base);
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'resetter', version: '1' } } });
    const request = `POST /mcp HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${init.length}\r\n\r\n${init}`;
    await asNobody(
      `import net from 'node:net';
      for (let i = 0; i < 20; i++) await new Promise((done) => { const s = net.connect(${u.port}, '127.0.0.1', () => { s.write(process.argv[1]); s.resetAndDestroy(); done(); }); s.on('error', done); });
      await new Promise((r) => setTimeout(r, 500));
      console.log('{}');`,
      [request],
    );
    expect((await home.status()).sessions).toHaveLength(0);
  });

  it("the owner's HTTP clients work with no token; a stranger with the token can call tools, without it cannot", async () => {
    home = new Home(servers.everything());
    const base = await startDaemon(home);
    const streamable = new Client({ name: 'owner-http', version: '1' });
    await streamable.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    cleanups.push(() => streamable.close());
    expect(text(await call(streamable, 'everything', 'echo', { message: 'owner' }))).toBe('Echo: owner');
    const sse = new Client({ name: 'owner-sse', version: '1' });
    await sse.connect(new SSEClientTransport(new URL(`${base}/sse`)));
    cleanups.push(() => sse.close());
    expect(text(await call(sse, 'everything', 'echo', { message: 'owner sse' }))).toBe('Echo: owner sse');
    expect((await fetch(`${base}/api/status`)).status).toBe(200);

    const token = fs.readFileSync(path.join(home.dir, 'token'), 'utf8').trim();
    const withToken = await asNobody(MCP_CALL, [`${base}/mcp`, JSON.stringify({ authorization: `Bearer ${token}` }), 'everything', 'echo', '{"message":"token"}']);
    expect(withToken.initStatus).toBe(200);
    expect(withToken.result.content[0].text).toBe('Echo: token');
    const without = await asNobody(MCP_CALL, [`${base}/mcp`, '{}', 'everything', 'echo', '{"message":"no"}']);
    expect(without.initStatus).toBe(401);
    const wrong = await asNobody(MCP_CALL, [`${base}/mcp`, JSON.stringify({ authorization: `Bearer ${'0'.repeat(64)}` }), 'everything', 'echo', '{}']);
    expect(wrong.initStatus).toBe(401);
  });

  it('the daemon token survives restarts (it lives in MCPLEX_HOME/token, 0600)', async () => {
    home = new Home('');
    await startDaemon(home);
    const tokenFile = path.join(home.dir, 'token');
    const first = fs.readFileSync(tokenFile, 'utf8').trim();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(home.daemonInfo()!.token).toBe(first);
    expect((await home.cli(['stop'])).code).toBe(0);
    await startDaemon(home);
    expect(home.daemonInfo()!.token).toBe(first);
  });
});

describe('localhost mode (explicit opt-in)', () => {
  it('lets every local user in, and says so in the log at start', async () => {
    home = new Home('', '  auth:\n    mode: localhost\n');
    const base = await startDaemon(home);
    const status = await asNobody(`const r = await fetch(process.argv[1]); console.log(JSON.stringify({ status: r.status, body: await r.json() }));`, [`${base}/api/status`]);
    expect(status.status).toBe(200);
    expect(status.body.daemon.pid).toBe(home.daemonInfo()!.pid);
    const log = fs.readFileSync(path.join(home.dir, 'logs', 'mcplex.log'), 'utf8');
    expect(log).toMatch(/auth.mode is localhost: every user of this machine/);
  });
});

// `mcplex setup … --http` registers the endpoint with the header it needs: nothing to edit, and it outlives restarts.
describe('mcplex setup --http', () => {
  it('claude-code: writes the HTTP entry with the token into ~/.claude.json, and a client using it works for anyone holding it', async () => {
    const port = await freePort();
    home = new Home(servers.everything());
    const userHome = fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-user-'));
    cleanups.push(() => fs.rmSync(userHome, { recursive: true, force: true }));
    const claudeJson = path.join(userHome, '.claude.json');
    fs.writeFileSync(claudeJson, JSON.stringify({ numStartups: 3, mcpServers: { other: { command: 'x' } } }), { mode: 0o600 });
    const env = { HOME: userHome, MCPLEX_PORT: String(port) };
    const r = await home.cli(['setup', 'claude-code', '--http'], env);
    expect(r.code, r.stderr).toBe(0);
    const token = fs.readFileSync(path.join(home.dir, 'token'), 'utf8').trim();
    expect(r.stdout + r.stderr).not.toContain(token);
    const data = JSON.parse(fs.readFileSync(claudeJson, 'utf8'));
    expect(data.numStartups).toBe(3);
    expect(data.mcpServers.other).toEqual({ command: 'x' });
    expect(data.mcpServers.mcplex).toEqual({ type: 'http', url: `http://127.0.0.1:${port}/mcp`, headers: { Authorization: `Bearer ${token}` } });
    expect(fs.statSync(claudeJson).mode & 0o777).toBe(0o600);

    await startDaemon(home, env);
    const entry = data.mcpServers.mcplex;
    const used = await asNobody(MCP_CALL, [entry.url, JSON.stringify(entry.headers), 'everything', 'echo', '{"message":"registered"}']);
    expect(used.result.content[0].text).toBe('Echo: registered');
    expect((await home.cli(['stop'])).code).toBe(0);
    await startDaemon(home, env);
    const again = await asNobody(MCP_CALL, [entry.url, JSON.stringify(entry.headers), 'everything', 'echo', '{"message":"after restart"}']);
    expect(again.result.content[0].text).toBe('Echo: after restart');
  });

  it('cursor: creates ~/.cursor/mcp.json 0600 with the url and header; a port of 0 is refused with what to do', async () => {
    const port = await freePort();
    home = new Home('');
    const userHome = fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-user-'));
    cleanups.push(() => fs.rmSync(userHome, { recursive: true, force: true }));
    const refused = await home.cli(['setup', 'cursor', '--http'], { HOME: userHome });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/MCPLEX_PORT=0.*set gateway.port/);
    const r = await home.cli(['setup', 'cursor', '--http'], { HOME: userHome, MCPLEX_PORT: String(port) });
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(userHome, '.cursor', 'mcp.json');
    const token = fs.readFileSync(path.join(home.dir, 'token'), 'utf8').trim();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).mcpServers.mcplex).toEqual({ url: `http://127.0.0.1:${port}/mcp`, headers: { Authorization: `Bearer ${token}` } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
