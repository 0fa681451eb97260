// Hostile and unlucky requests hurt no one: deep nesting, bad ids, huge answers and refused writes each fail alone.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Home, ROOT, RawShim, call, serverEntry, text, waitFor } from './helpers/harness.js';
import { MCP_HEADERS, rawSession, startDaemon } from './helpers/raw-http.js';

const FEATURE = path.join(ROOT, 'test/fixtures/feature-server.mjs');
const SDK_BIG = path.join(ROOT, 'test/fixtures/sdk-big-server.mjs');
const fixture = (name: string, file: string, extra = '') => `  ${name}:\n    command: ${process.execPath}\n    args: [${JSON.stringify(file)}]\n${extra}`;

function initialize(s: RawShim): Promise<unknown> {
  s.send({ id: 'init', method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  return s.next((m) => m.id === 'init');
}

/** Every raw stdout line of a raw shim (RawShim parses them; exact ids need the text). */
function rawLines(s: RawShim): string[] {
  const lines: string[] = [];
  let buf = '';
  s.child.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  return lines;
}

const deepCall = (id: string, levels: number) =>
  `{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"call_tool","arguments":{"server":"feature","tool":"echo","arguments":{"x":${'['.repeat(levels)}${']'.repeat(levels)}}}}}`;

describe('one request cannot hurt other sessions', () => {
  let home: Home;
  let base: string;

  beforeAll(async () => {
    home = new Home(fixture('feature', FEATURE) + fixture('sdkbig', SDK_BIG, '    callTimeout: 10m\n'));
    base = await startDaemon(home);
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('a 20,000-level argument fails alone under its own id while another session’s long call completes on the shared backend', async () => {
    const a = await home.client({ name: 'long-caller' });
    expect(text(await call(a, 'feature', 'echo', { text: 'warm' }))).toBe('warm');
    const pid = (await home.status()).instances.find((i) => i.server === 'feature')!.pid;
    const long = call(a, 'feature', 'slow', { ms: 4000 });
    await waitFor(async () => (await home.status()).instances.find((i) => i.server === 'feature')!.inFlight === 1, 10_000, 'the long call in flight');

    const s = home.rawShim();
    await initialize(s);
    s.write(deepCall('deep-shim', 20_000));
    const viaShim = await s.next((m) => m.id === 'deep-shim');
    expect(viaShim.error.code).toBe(-32600);
    expect(viaShim.error.message).toMatch(/nests deeper than 512 levels/);

    const http = await rawSession(`${base}/mcp`);
    const viaHttp = await http.post(deepCall('deep-http', 20_000));
    expect(viaHttp.status).toBe(400);
    const answer = JSON.parse(viaHttp.texts[0]!);
    expect(answer.id).toBe('deep-http');
    expect(answer.error.message).toMatch(/nests deeper than 512 levels/);

    expect(text(await long)).toBe('slept');
    const inst = (await home.status()).instances.find((i) => i.server === 'feature')!;
    expect(inst.pid).toBe(pid);
    expect(inst.restarts).toBe(0);
    // The session that sent it goes on.
    s.send({ id: 'after', method: 'ping' });
    expect((await s.next((m) => m.id === 'after')).result).toEqual({});
  });

  it('a backend answer nested 20,000 levels deep fails its request at once; the backend stays up', async () => {
    const c = await home.client({ name: 'deep-answer' });
    const t0 = Date.now();
    const err = await call(c, 'feature', 'deep', { levels: 20_000 }).then(
      () => undefined,
      (e: { code?: number; message?: string }) => e,
    );
    expect(err?.code).toBe(-32603);
    expect(err?.message).toMatch(/could not deliver the answer to this request/);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(text(await call(c, 'feature', 'echo', { text: 'still up' }))).toBe('still up');
  });

  it('a 17 MB answer from an SDK server (id written after the result) fails at once, not after callTimeout', async () => {
    const c = await home.client({ name: 'big-answer' });
    expect(text(await call(c, 'sdkbig', 'echo', { text: 'warm' }))).toBe('warm');
    const pid = (await home.status()).instances.find((i) => i.server === 'sdkbig')!.pid;
    const t0 = Date.now();
    const r = await call(c, 'sdkbig', 'big', { mb: 17 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/over mcplex's 16 MiB frame limit/);
    // callTimeout is 10 minutes: an answer tied to its request arrives as soon as the line has streamed past.
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(text(await call(c, 'sdkbig', 'echo', { text: 'after' }))).toBe('after');
    expect((await home.status()).instances.find((i) => i.server === 'sdkbig')!.pid).toBe(pid);
  }, 90_000);

  it('a POST body over 16 MiB gets 413 on /mcp and on /messages', async () => {
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(17 * 1024 * 1024) } });
    const http = await rawSession(`${base}/mcp`);
    const r = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': http.id }, body: huge });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ id: 1, error: { code: -32600, message: expect.stringMatching(/16 MiB/) } });
    // The id is found wherever it stands in the first 16 MiB, and kept exact beyond 2^53.
    const late = `{"jsonrpc":"2.0","method":"ping","id":12345678901234567890,"params":{"pad":"${'x'.repeat(17 * 1024 * 1024)}"}}`;
    const r2 = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': http.id }, body: late });
    expect(r2.status).toBe(413);
    expect(await r2.text()).toMatch(/^\{"jsonrpc":"2\.0","id":12345678901234567890,"error"/);

    const controller = new AbortController();
    const sse = await fetch(`${base}/sse`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    const reader = sse.body!.getReader();
    let head = '';
    while (!head.includes('sessionId=')) head += new TextDecoder().decode((await reader.read()).value);
    const endpoint = /data: (\S+)/.exec(head)![1]!;
    const m = await fetch(`${base}${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge });
    expect(m.status).toBe(413);
    controller.abort();
  });
});

// Ids are strings or numbers, exactly as sent; params are objects; an id in flight is not reused.
describe('JSON-RPC strictness at the edge', () => {
  let home: Home;
  let base: string;

  beforeAll(async () => {
    home = new Home(fixture('feature', FEATURE));
    base = await startDaemon(home);
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('null, object, array and boolean ids get -32600 under a null id; non-object params get -32600 under their id', async () => {
    const s = home.rawShim();
    await initialize(s);
    const shapes = ['null', '{"a":1}', '[1]', 'true'];
    for (const id of shapes) {
      const mark = s.lines.length;
      s.write(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
      const r = await s.next((m) => s.lines.indexOf(m) >= mark && m.error);
      expect(r.id).toBeNull();
      expect(r.error.code).toBe(-32600);
      expect(r.error.message).toMatch(/"id" must be a string or a number/);
    }
    for (const [id, params] of [['p-array', '[1,2]'], ['p-string', '"x"'], ['p-null', 'null']]) {
      s.write(`{"jsonrpc":"2.0","id":"${id}","method":"ping","params":${params}}`);
      const r = await s.next((m) => m.id === id);
      expect(r.error.code).toBe(-32600);
      expect(r.error.message).toMatch(/"params" must be an object/);
    }
    // None of them was executed, and the session goes on.
    s.send({ id: 'ok', method: 'ping' });
    expect((await s.next((m) => m.id === 'ok')).result).toEqual({});
  });

  it('a second request reusing an id still in flight is refused; the first completes', async () => {
    const s = home.rawShim();
    await initialize(s);
    s.send({ id: 7, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'feature', tool: 'slow', arguments: { ms: 2000 } } } });
    await waitFor(async () => (await home.status()).instances.find((i) => i.server === 'feature')?.inFlight === 1, 15_000, 'the first request in flight');
    s.send({ id: 7, method: 'ping' });
    const refused = await s.next((m) => m.id === 7 && m.error);
    expect(refused.error.code).toBe(-32600);
    expect(refused.error.message).toMatch(/still in flight/);
    const done = await s.next((m) => m.id === 7 && m.result);
    expect(text(done.result)).toBe('slept');
    // Once answered, the id is free again.
    s.send({ id: 7, method: 'ping' });
    await s.next((m) => m.id === 7 && m.result && !m.result.content);
  });

  it('integer ids beyond 2^53 come back exactly as sent over HTTP', async () => {
    const http = await rawSession(`${base}/mcp`);
    for (const id of ['9007199254740993', '123456789012345678901234567890', '-9007199254740993']) {
      const r = await http.post(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
      expect(r.status).toBe(200);
      expect(r.texts[0]).toBe(`{"jsonrpc":"2.0","id":${id},"result":{}}`);
    }
    // Two ids that round to the same double are still two ids: the answer names the one asked.
    const r = await http.post('{"jsonrpc":"2.0","id":9007199254740995,"method":"tools/call","params":{"name":"call_tool","arguments":{"server":"feature","tool":"echo","arguments":{"text":"exact"}}}}');
    expect(r.texts.at(-1)).toMatch(/^\{"jsonrpc":"2\.0","id":9007199254740995,"result"/);
  });

  // Over the shim the daemon's /ws writer must serialize with encodeMessage (JSON.rawJSON does it where it exists).
  it('integer ids beyond 2^53 come back exactly as sent over the shim', async () => {
    const s = home.rawShim();
    const lines = rawLines(s);
    await initialize(s);
    s.write('{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}');
    await waitFor(() => lines.some((l) => l.includes('9007199254740993')), 10_000, 'the exact id');
    expect(lines).toContain('{"jsonrpc":"2.0","id":9007199254740993,"result":{}}');
  });
});

// A message the remote refuses (here: over its body limit) fails that call alone; the shared connection stays up.
describe('a write error of one message never closes the backend connection', () => {
  let home: Home;
  let remote: ChildProcess;

  beforeAll(async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    remote = spawn(process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'scripts/bench/loopback.mjs')).href, serverEntry('everything'), 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: 'ignore',
    });
    await waitFor(() => fetch(`http://127.0.0.1:${port}/mcp`, { method: 'GET' }).then(() => true, () => false), 15_000, 'the remote server');
    home = new Home(`  remote:\n    url: http://127.0.0.1:${port}/mcp\n`);
  });

  afterAll(async () => {
    remote.kill('SIGKILL');
    await home.dispose();
  });

  it('a 5 MB call the remote answers 413 fails alone while another session’s call completes', async () => {
    const a = await home.client({ name: 'remote-long' });
    const b = await home.client({ name: 'remote-big' });
    expect(text(await call(a, 'remote', 'echo', { message: 'warm' }))).toBe('Echo: warm');
    const long = a.callTool(
      { name: 'call_tool', arguments: { server: 'remote', tool: 'trigger-long-running-operation', arguments: { duration: 3, steps: 3 } } },
      undefined,
      { timeout: 60_000 },
    );
    const big = await call(b, 'remote', 'echo', { message: 'x'.repeat(5 * 1024 * 1024) });
    expect(big.isError).toBe(true);
    expect(text(big)).toMatch(/HTTP 413/);
    expect(text(await long)).toContain('Long running operation completed');
    expect(text(await call(b, 'remote', 'echo', { message: 'small' }))).toBe('Echo: small');
    expect((await home.status()).instances.find((i) => i.server === 'remote')!.restarts).toBe(0);
  }, 60_000);
});
