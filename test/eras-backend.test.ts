// Backends of the 2026-07-28 ("modern") era behind mcplex: a modern-only v2 SDK server, over stdio and over Streamable
// HTTP, shared (sharing: global) by two 2025-era SDK clients through real shims; input_required turned into real
// elicitation for each caller; subscriptions/listen feeding list_changed and resource updates; the era found by a
// probe and kept in the manifest cache; a dual-era server driven in the modern era; 2025-era servers unchanged.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Client as V2Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport as V2Stdio } from '@modelcontextprotocol/client/stdio';
import { ElicitRequestSchema, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { CLI, Home, ROOT, alive, text, waitFor } from './helpers/harness.js';
import { freePort } from './helpers/raw-http.js';

const MODERN = path.join(ROOT, 'test/fixtures/modern-server.mjs');
const FEATURE = path.join(ROOT, 'test/fixtures/feature-server.mjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a fixture backend received, one parsed message per line. */
function received(log: string): any[] {
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** The cached manifests of a home, by server. */
function cachedManifests(home: Home): Record<string, any> {
  const dir = path.join(home.dir, 'cache');
  const out: Record<string, any> = {};
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!f.endsWith('.json')) continue;
    const m = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    out[m.server] = m;
  }
  return out;
}

/** Records the notifications of one kind a client gets. */
function collect(client: Client, schema: any): any[] {
  const seen: any[] = [];
  client.setNotificationHandler(schema, (n: any) => void seen.push(n.params));
  return seen;
}

/** A 2025-era SDK client through a real shim (direct surface); with `answer`, it declares elicitation and answers every form with it. */
async function client2025(home: Home, name: string, answer?: string): Promise<{ c: Client; asked: any[] }> {
  const c = await home.client({ surface: 'direct', name, capabilities: answer === undefined ? {} : { elicitation: {} } });
  const asked: any[] = [];
  if (answer !== undefined) {
    c.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params);
      return { action: 'accept', content: { value: answer } };
    });
  }
  return { c, asked };
}

/** The modern fixture as a remote Streamable HTTP server on a free loopback port. */
async function startHttpFixture(log: string, port?: number): Promise<{ child: ChildProcess; port: number }> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [MODERN, '--http', String(p), '--log', log], { stdio: 'ignore' });
  await waitFor(() => fetch(`http://127.0.0.1:${p}/mcp`, { method: 'GET' }).then(() => true, () => false), 15_000, 'the HTTP fixture');
  return { child, port: p };
}

describe('the modern fixture is really modern-only', () => {
  it('over stdio it refuses initialize with -32022 naming 2026-07-28, and answers server/discover', async () => {
    const child = spawn(process.execPath, [MODERN], { stdio: ['pipe', 'pipe', 'ignore'] });
    const lines: any[] = [];
    readline.createInterface({ input: child.stdout! }).on('line', (l) => lines.push(JSON.parse(l)));
    const send = (m: object) => child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', ...m }) + '\n');
    try {
      send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
      const refused = await waitFor(() => lines.find((l) => l.id === 1), 10_000, 'the initialize answer');
      expect(refused.error).toMatchObject({ code: -32022, data: { supported: ['2026-07-28'] } });
      const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
      send({ id: 2, method: 'server/discover', params: { _meta: envelope } });
      const discovered = await waitFor(() => lines.find((l) => l.id === 2), 10_000, 'the discover answer');
      expect(discovered.result.supportedVersions).toEqual(['2026-07-28']);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('over HTTP it refuses initialize with 400 and -32022', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-eras-'));
    const { child, port } = await startHttpFixture(path.join(dir, 'log'));
    try {
      const r = await fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
      });
      expect(r.status).toBe(400);
      expect(((await r.json()) as any).error).toMatchObject({ code: -32022, data: { supported: ['2026-07-28'] } });
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(['stdio', 'http'] as const)('a modern-only backend over %s, shared by two 2025-era clients', (transport) => {
  let home: Home;
  let log: string;
  let remote: { child: ChildProcess; port: number } | undefined;
  let alice: Client;
  let bob: Client;
  let aliceAsked: any[];
  let bobAsked: any[];

  beforeAll(async () => {
    home = new Home('');
    log = path.join(home.dir, 'fixture.jsonl');
    if (transport === 'http') {
      remote = await startHttpFixture(log);
      home.writeConfig(`  modern:\n    url: http://127.0.0.1:${remote.port}/mcp\n    sharing: global\n`);
    } else {
      home.writeConfig(`  modern:\n    command: ${process.execPath}\n    args: [${JSON.stringify(MODERN)}, --log, ${JSON.stringify(log)}]\n    sharing: global\n`);
    }
    ({ c: alice, asked: aliceAsked } = await client2025(home, 'alice', 'from-alice'));
    ({ c: bob, asked: bobAsked } = await client2025(home, 'bob', 'from-bob'));
  });

  afterAll(async () => {
    await home.dispose();
    remote?.child.kill('SIGKILL');
  });

  it('both list its tools and call echo on one instance; progress arrives; a cancel reaches the backend', async () => {
    for (const c of [alice, bob]) expect((await c.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(['modern__echo', 'modern__slow', 'modern__ask']));
    const [a, b] = await Promise.all([
      alice.callTool({ name: 'modern__echo', arguments: { message: 'a' } }),
      bob.callTool({ name: 'modern__echo', arguments: { message: 'b' } }),
    ]);
    expect([text(a), text(b)]).toEqual(['Echo: a', 'Echo: b']);
    // 2025 clients see a 2025 result: nothing of the modern era's dressing.
    expect(a).not.toHaveProperty('resultType');
    expect(a).not.toHaveProperty('ttlMs');
    expect((a as { _meta?: Record<string, unknown> })._meta?.['io.modelcontextprotocol/serverInfo']).toBeUndefined();
    expect((await home.status()).instances.filter((i) => i.server === 'modern')).toHaveLength(1);
    // The backend was found modern: it got server/discover and envelopes, never initialize.
    const got = received(log);
    expect(got.map((m) => m.method)).not.toContain('initialize');
    expect(got.find((m) => m.method === 'tools/call' && m.client === 'alice')).toMatchObject({ version: '2026-07-28', capabilities: { elicitation: {} } });

    const progress: number[] = [];
    const slow = await alice.callTool({ name: 'modern__slow', arguments: { steps: 4, ms: 100 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
    expect(text(slow)).toBe('done 4');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));

    const abort = new AbortController();
    let started = false;
    const cancelled = bob
      .callTool({ name: 'modern__slow', arguments: { steps: 300, ms: 100 } }, undefined, { signal: abort.signal, onprogress: () => void (started = true) })
      .then(() => 'finished', () => 'rejected');
    await waitFor(() => started, 20_000, 'the slow call to report progress');
    abort.abort();
    expect(await cancelled).toBe('rejected');
    await waitFor(() => received(log).some((m) => m.event === 'cancelled'), 15_000, 'the backend to see the cancellation');
    expect(text(await bob.callTool({ name: 'modern__echo', arguments: { message: 'after' } }))).toBe('Echo: after');
  });

  it('ask through both sessions at once: each is asked through its own elicitation, and gets only its own answer', async () => {
    const [a, b] = await Promise.all([
      alice.callTool({ name: 'modern__ask', arguments: { question: 'alice?' } }),
      bob.callTool({ name: 'modern__ask', arguments: { question: 'bob?' } }),
    ]);
    expect(text(a)).toBe('alice answered from-alice (state asked:alice?)');
    expect(text(b)).toBe('bob answered from-bob (state asked:bob?)');
    expect(aliceAsked.map((p) => p.message)).toEqual(['alice?']);
    expect(bobAsked.map((p) => p.message)).toEqual(['bob?']);
    // Each retry carried its own caller's answer and the state the backend gave that call.
    const retries = received(log).filter((m) => m.method === 'tools/call' && m.inputResponses);
    expect(retries.map((m) => [m.client, m.inputResponses.value.content.value, m.requestState]).sort()).toEqual([
      ['alice', 'from-alice', 'asked:alice?'],
      ['bob', 'from-bob', 'asked:bob?'],
    ]);
    // A client that cannot be asked declares no elicitation to the backend, which then refuses clearly.
    const { c: mute } = await client2025(home, 'mute');
    const refused = await mute.callTool({ name: 'modern__ask', arguments: { question: 'mute?' } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/elicitation\/create.*capabilit/);
    expect(received(log).find((m) => m.client === 'mute').capabilities).toEqual({});
  });

  it('a 2026-07-28 client shares it at the same time: its input_required passes through, and it answers for itself', async () => {
    // Over the shim for the stdio backend, over /mcp for the HTTP one: both front doors.
    const modern = new V2Client({ name: 'modern-client', version: '2' }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    modern.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { value: 'from-modern' } }));
    await modern.connect(
      transport === 'stdio'
        ? new V2Stdio({ command: process.execPath, args: [CLI, 'shim'], env: home.env(), cwd: home.dir, stderr: 'pipe' })
        : new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${home.daemonInfo()!.port}/mcp`)),
    );
    try {
      const viaMeta = (tool: string, args: Record<string, unknown>) =>
        modern.callTool({ name: 'call_tool', arguments: { server: 'modern', tool, arguments: args } }, { timeout: 60_000 });
      expect(text(await viaMeta('echo', { message: 'm' }))).toBe('Echo: m');
      // Two of its own asks at once (each question travels on its own call) and a 2025 client's.
      const [m1, m2, a] = await Promise.all([
        viaMeta('ask', { question: 'modern?' }),
        viaMeta('ask', { question: 'modern 2?' }),
        alice.callTool({ name: 'modern__ask', arguments: { question: 'alice again?' } }),
      ]);
      expect(text(m1)).toBe('modern-client answered from-modern (state asked:modern?)');
      expect(text(m2)).toBe('modern-client answered from-modern (state asked:modern 2?)');
      expect(text(a)).toBe('alice answered from-alice (state asked:alice again?)');
      // Each of the modern client's own retries reached the backend with its answer and its own envelope (the two
      // asks ran at once, so their retries arrive in either order).
      const retries = received(log).filter((r) => r.method === 'tools/call' && r.client === 'modern-client' && r.inputResponses);
      expect(retries.map((r) => r.requestState).sort()).toEqual(['asked:modern 2?', 'asked:modern?']);
      for (const retry of retries) {
        expect(retry).toMatchObject({ version: '2026-07-28', inputResponses: { value: { action: 'accept', content: { value: 'from-modern' } } } });
      }
      expect((await home.status()).instances.filter((i) => i.server === 'modern')).toHaveLength(1);
    } finally {
      await modern.close();
    }
  });

  it('a session that asked for logs has its level on its own calls only', async () => {
    await alice.setLoggingLevel('debug');
    await alice.callTool({ name: 'modern__echo', arguments: { message: 'logged' } });
    await bob.callTool({ name: 'modern__echo', arguments: { message: 'quiet' } });
    const calls = received(log).filter((m) => m.method === 'tools/call');
    expect(calls.at(-2)).toMatchObject({ client: 'alice', logLevel: 'debug' });
    expect(calls.at(-1)).toMatchObject({ client: 'bob' });
    expect(calls.at(-1).logLevel).toBeUndefined();
    expect(received(log).map((m) => m.method)).not.toContain('logging/setLevel');
  });

  it('add_tool: each client gets exactly one tools/list_changed, and its next list has the tool', async () => {
    const seen = [collect(alice, ToolListChangedNotificationSchema), collect(bob, ToolListChangedNotificationSchema)];
    expect(text(await bob.callTool({ name: 'modern__add_tool', arguments: { name: 'extra' } }))).toBe('added extra');
    await waitFor(() => seen.every((s) => s.length >= 1), 15_000, 'tools/list_changed at both clients');
    await sleep(750);
    expect(seen.map((s) => s.length)).toEqual([1, 1]);
    for (const c of [alice, bob]) expect((await c.listTools()).tools.map((t) => t.name)).toContain('modern__extra');
    expect(text(await alice.callTool({ name: 'modern__extra', arguments: {} }))).toBe('I am extra');
  });

  it('a resource update reaches only the session that subscribed', async () => {
    const updates = [collect(alice, ResourceUpdatedNotificationSchema), collect(bob, ResourceUpdatedNotificationSchema)];
    await alice.subscribeResource({ uri: 'test://counter' });
    const listens = received(log).filter((m) => m.method === 'subscriptions/listen');
    expect(listens.at(-1).filter.resourceSubscriptions).toEqual(['test://counter']);
    await bob.callTool({ name: 'modern__touch', arguments: {} });
    await waitFor(() => updates[0]!.length >= 1, 15_000, 'the update at the subscriber');
    await sleep(500);
    expect(updates.map((u) => u.length)).toEqual([1, 0]);
    expect(updates[0]![0]).toEqual({ uri: 'test://counter' });
    // Unsubscribed: the backend's listen no longer names the URI, and no update comes.
    await alice.unsubscribeResource({ uri: 'test://counter' });
    expect(received(log).filter((m) => m.method === 'subscriptions/listen').at(-1).filter.resourceSubscriptions).toBeUndefined();
    await bob.callTool({ name: 'modern__touch', arguments: {} });
    await sleep(750);
    expect(updates.map((u) => u.length)).toEqual([1, 0]);
    const methods = received(log).map((m) => m.method);
    for (const gone of ['resources/subscribe', 'resources/unsubscribe', 'ping', 'notifications/roots/list_changed']) expect(methods).not.toContain(gone);
  });

  it('the era is in the manifest cache, and after a daemon restart the backend is used without a new probe', async () => {
    const manifest = cachedManifests(home).modern;
    expect(manifest.era).toEqual({ kind: 'modern', version: '2026-07-28' });
    expect(Date.parse(manifest.freshUntil)).toBeGreaterThan(Date.now());
    const before = received(log).length;
    expect((await home.cli(['stop'])).code).toBe(0);
    const { c } = await client2025(home, 'after-restart');
    expect(text(await c.callTool({ name: 'modern__echo', arguments: { message: 'again' } }))).toBe('Echo: again');
    const since = received(log).slice(before);
    expect(since.some((m) => m.method === 'tools/call' && m.client === 'after-restart')).toBe(true);
    expect(since.map((m) => m.method)).not.toContain('server/discover');
    expect(since.map((m) => m.method)).not.toContain('initialize');
  });

  it.runIf(transport === 'http')('recovers after the remote server is killed and restarted', async () => {
    const { c } = await client2025(home, 'recovery');
    expect(text(await c.callTool({ name: 'modern__echo', arguments: { message: 'up' } }))).toBe('Echo: up');
    remote!.child.kill('SIGKILL');
    await waitFor(() => !alive(remote!.child.pid!), 5000, 'the remote to die');
    expect((await c.callTool({ name: 'modern__echo', arguments: { message: 'down' } })).isError).toBe(true);
    remote = await startHttpFixture(log, remote!.port);
    await waitFor(async () => text(await c.callTool({ name: 'modern__echo', arguments: { message: 'back' } })) === 'Echo: back', 30_000, 'recovery');
  });
});

describe('a dual-era backend', () => {
  let home: Home;
  afterAll(async () => home?.dispose());

  it('is driven in the modern era', async () => {
    home = new Home('');
    const log = path.join(home.dir, 'dual.jsonl');
    home.writeConfig(`  dual:\n    command: ${process.execPath}\n    args: [${JSON.stringify(MODERN)}, --dual, --log, ${JSON.stringify(log)}]\n`);
    const { c } = await client2025(home, 'dual-client');
    expect(text(await c.callTool({ name: 'dual__echo', arguments: { message: 'hi' } }))).toBe('Echo: hi');
    const got = received(log);
    expect(got[0]).toMatchObject({ method: 'server/discover', version: '2026-07-28', client: 'mcplex' });
    expect(got.map((m) => m.method)).not.toContain('initialize');
    expect(got.find((m) => m.method === 'tools/call')).toMatchObject({ version: '2026-07-28', client: 'dual-client' });
    expect(cachedManifests(home).dual.era).toEqual({ kind: 'modern', version: '2026-07-28' });
  });
});

describe('a 2025-era backend', () => {
  let home: Home;
  afterAll(async () => home?.dispose());

  it('is probed once, falls back to initialize, and after a daemon restart gets initialize first', async () => {
    home = new Home('');
    const log = path.join(home.dir, 'feature.jsonl');
    home.writeConfig(`  feature:\n    command: ${process.execPath}\n    args: [${JSON.stringify(FEATURE)}]\n    env: {FEATURE_LOG: ${JSON.stringify(log)}}\n`);
    const { c } = await client2025(home, 'legacy-client');
    expect(text(await c.callTool({ name: 'feature__echo', arguments: { text: 'x' } }))).toBe('x');
    expect(received(log).map((m) => m.method).slice(0, 2)).toEqual(['server/discover', 'initialize']);
    expect(cachedManifests(home).feature.era).toEqual({ kind: 'legacy', version: '2025-11-25' });
    const before = received(log).length;
    expect((await home.cli(['stop'])).code).toBe(0);
    const { c: again } = await client2025(home, 'legacy-again');
    expect(text(await again.callTool({ name: 'feature__echo', arguments: { text: 'y' } }))).toBe('y');
    const since = received(log).slice(before);
    expect(since[0].method).toBe('initialize');
    expect(since.map((m) => m.method)).not.toContain('server/discover');
  });
});
