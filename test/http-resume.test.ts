// HTTP session lifecycle: streams resume with Last-Event-ID, DELETE ends a session for good, idle sessions leave, and a
// session survives kill -9 of the daemon with its log level and subscriptions.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Home, ROOT, call, daemonsOfHome, killQuietly, text, waitFor } from './helpers/harness.js';
import { MCP_HEADERS, freePort, messagesOf, rawSession, startDaemon } from './helpers/raw-http.js';

const FEATURE = path.join(ROOT, 'test/fixtures/feature-server.mjs');
const feature = `  feature:\n    command: ${process.execPath}\n    args: [${JSON.stringify(FEATURE)}]\n`;
const slowCall = (id: string, ms: number) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'feature', tool: 'slow', arguments: { ms } } } });

/** Reads an event stream until `enough` says so, then cuts the connection; returns the events (id and data). */
async function readEvents(res: Response, enough: (events: Array<{ id?: string; data: string }>) => boolean): Promise<Array<{ id?: string; data: string }>> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ id?: string; data: string }> = [];
  let buf = '';
  while (!enough(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      events.push({ ...(id ? { id } : {}), data: messagesOf(block)[0] ?? '' });
    }
  }
  await reader.cancel().catch(() => undefined);
  return events;
}

describe('Streamable HTTP sessions', () => {
  let home: Home;
  let base: string;

  beforeAll(async () => {
    home = new Home(feature, '  httpIdleTimeout: 1s\n');
    base = await startDaemon(home);
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('a stream cut mid-call delivers the result when the client resumes with Last-Event-ID, even after httpIdleTimeout', async () => {
    const s = await rawSession(`${base}/mcp`);
    const controller = new AbortController();
    const res = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': s.id }, body: slowCall('cut', 300), signal: controller.signal });
    const before = await readEvents(res, (e) => e.length >= 1);
    controller.abort();
    const primed = before[0]!;
    expect(primed.id).toBeTruthy();
    expect(primed.data).toBe('');
    // The answer arrives while no connection is there to take it, and waits longer than the session's idle timeout.
    await waitFor(async () => (await home.status()).instances.find((i) => i.server === 'feature')?.inFlight === 0, 10_000, 'the call to finish');
    await new Promise((r) => setTimeout(r, 3000));
    const resumed = await fetch(`${base}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': s.id, 'last-event-id': primed.id! } });
    expect(resumed.status).toBe(200);
    const after = await readEvents(resumed, (e) => e.some((x) => x.data.includes('"id":"cut"')));
    const answer = JSON.parse(after.find((x) => x.data.includes('"id":"cut"'))!.data);
    expect(text(answer.result)).toBe('slept');
  });

  it('a resume after losing an answer too large to keep gets an error for it, not silence', async () => {
    const s = await rawSession(`${base}/mcp`);
    const big = JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'feature', tool: 'big', arguments: { mb: 2 } } } });
    const controller = new AbortController();
    const res = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': s.id }, body: big, signal: controller.signal });
    const [primed] = await readEvents(res, (e) => e.length >= 1);
    // The 2 MB answer is written while the client reads nothing more, then the connection drops.
    await new Promise((r) => setTimeout(r, 1000));
    controller.abort();
    const resumed = await fetch(`${base}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': s.id, 'last-event-id': primed!.id! } });
    const after = await readEvents(resumed, () => false);
    const answer = JSON.parse(after.at(-1)!.data);
    expect(answer.id).toBe('big');
    expect(answer.error.message).toMatch(/too large to keep for resumption; retry/);
  });

  it('a session ended with DELETE stays ended (404); an unknown id is re-created', async () => {
    const s = await rawSession(`${base}/mcp`);
    const del = await fetch(`${base}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': s.id } });
    expect(del.status).toBe(200);
    const again = await s.post('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(again.status).toBe(404);
    const get = await fetch(`${base}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': s.id } });
    expect(get.status).toBe(404);
    // An id this daemon never issued (a client from before a restart) is served as the session it names.
    const stranger = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': 'from-an-earlier-daemon' }, body: slowCall('x', 1) });
    expect(stranger.status).toBe(200);
    expect(messagesOf(await stranger.text()).at(-1)).toContain('slept');
  });

  it('a session whose client goes away without DELETE leaves status after httpIdleTimeout, and comes back if the client does', async () => {
    const client = new Client({ name: 'no-delete', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`));
    await client.connect(transport);
    const sid = transport.sessionId!;
    expect(text(await call(client, 'feature', 'echo', { text: 'hi' }))).toBe('hi');
    const sessions = async () => (await home.status()).sessions.filter((x) => x.client === 'no-delete').length;
    expect(await sessions()).toBe(1);
    await client.close(); // the SDK's close: drops its streams, sends no DELETE
    await waitFor(async () => (await sessions()) === 0, 15_000, 'the idle session to leave status');
    const back = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': sid }, body: '{"jsonrpc":"2.0","id":2,"method":"ping"}' });
    expect(messagesOf(await back.text())).toEqual(['{"jsonrpc":"2.0","id":2,"result":{}}']);
  });
});

describe('a daemon restart loses no HTTP session state', () => {
  let home: Home;
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await home.dispose();
  });

  it('after kill -9 of the daemon, a session still gets the debug logs and resource updates it asked for before', async () => {
    const port = await freePort();
    home = new Home(feature);
    fs.writeFileSync(home.configPath, fs.readFileSync(home.configPath, 'utf8').replace('port: 0', `port: ${port}`));
    const env = { MCPLEX_PORT: String(port) };
    expect((await home.cli(['start'], env)).code).toBe(0);
    client = new Client({ name: 'survivor', version: '1' });
    // The client keeps trying to reopen its event stream while no daemon listens.
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
      reconnectionOptions: { maxRetries: 60, initialReconnectionDelay: 500, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 },
    });
    await client.connect(transport);
    const logs: Array<{ level: string }> = [];
    const updates: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    await client.setLoggingLevel('debug');
    await client.subscribeResource({ uri: 'feature://a' });
    await call(client, 'feature', 'log_all');
    await waitFor(() => logs.some((l) => l.level === 'debug'), 10_000, 'debug logs before the restart');

    const [pid] = daemonsOfHome(home.dir);
    killQuietly(pid!, 'SIGKILL');
    await waitFor(() => daemonsOfHome(home.dir).length === 0, 10_000, 'the daemon to die');
    expect((await home.cli(['start'], env)).code).toBe(0);
    logs.length = 0;

    await waitFor(async () => text(await call(client!, 'feature', 'echo', { text: 'back' })) === 'back', 30_000, 'the session to answer again');
    await call(client, 'feature', 'log_all');
    await call(client, 'feature', 'touch', { uri: 'feature://a' });
    await waitFor(() => logs.some((l) => l.level === 'debug') && updates.length >= 1, 30_000, 'debug logs and the update after the restart');
    expect(updates).toContain('feature://a');
  }, 90_000);
});
