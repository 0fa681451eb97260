// Both protocol eras at the client edge (issue 15): the v2 SDK client in each negotiation mode through a real shim and
// over /mcp; a 2025-era backend's question reaching a modern client as input_required on its own call; a backend's
// list change reaching a modern client on its listen stream and a 2025 client as list_changed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as V2Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport as V2Stdio } from '@modelcontextprotocol/client/stdio';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { CLI, Home, RawShim, ROOT, servers, text, waitFor } from './helpers/harness.js';

const MODES = { legacy: 'legacy', auto: 'auto', pinned: { pin: '2026-07-28' } } as const;
type Mode = keyof typeof MODES;

const ASKING = path.join(ROOT, 'test/fixtures/asking-server.mjs');
const FEATURE = path.join(ROOT, 'test/fixtures/feature-server.mjs');
const ENV = path.join(ROOT, 'test/fixtures/env-server.mjs');

let home: Home;
const v2clients: V2Client[] = [];
const opened: RawShim[] = [];

beforeAll(async () => {
  home = new Home(
    servers.everything() +
      `  asker:\n    command: ${process.execPath}\n    args: [${ASKING}]\n    sharing: session\n` +
      `  askerg:\n    command: ${process.execPath}\n    args: [${ASKING}]\n` +
      `  feature:\n    command: ${process.execPath}\n    args: [${FEATURE}]\n` +
      `  wsenv:\n    command: ${process.execPath}\n    args: [${ENV}]\n    env: {TOKEN: "\${TOKEN}"}\n    sharing: workspace\n`,
  );
  await home.cli(['start']);
});

afterAll(async () => {
  await Promise.all([...v2clients, ...opened].map((c) => c.close().catch(() => undefined)));
  await home.dispose();
});

/** A v2 SDK client through a real shim, or over /mcp, in a negotiation mode. */
async function v2(via: 'shim' | 'http', mode: Mode, opts: { name?: string; elicit?: string } = {}): Promise<V2Client> {
  const capabilities = opts.elicit ? { elicitation: { form: {} } } : {};
  const client = new V2Client({ name: opts.name ?? `v2-${via}-${mode}`, version: '1' }, { capabilities, versionNegotiation: { mode: MODES[mode] } });
  if (opts.elicit) client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: opts.elicit! } }));
  const transport =
    via === 'shim'
      ? new V2Stdio({ command: process.execPath, args: [CLI, 'shim'], env: home.env(), cwd: home.dir, stderr: 'pipe' })
      : new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${home.daemonInfo()!.port}/mcp`));
  await client.connect(transport);
  v2clients.push(client);
  return client;
}

const echo = (c: V2Client, message: string) => c.callTool({ name: 'call_tool', arguments: { server: 'everything', tool: 'echo', arguments: { message } } });

describe('the v2 SDK client in every negotiation mode', () => {
  for (const via of ['shim', 'http'] as const) {
    for (const mode of Object.keys(MODES) as Mode[]) {
      it(`${via}, ${mode}: lists and calls tools, gets progress, cancels`, { timeout: 90_000 }, async () => {
        const c = await v2(via, mode);
        expect(c.getNegotiatedProtocolVersion?.()).toBe(mode === 'legacy' ? '2025-11-25' : '2026-07-28');
        const tools = await c.listTools();
        expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['search_tools', 'call_tool']));
        expect(text(await echo(c, `${via} ${mode}`))).toBe(`Echo: ${via} ${mode}`);

        const progress: number[] = [];
        const done = await c.callTool(
          { name: 'call_tool', arguments: { server: 'asker', tool: 'slow' } },
          { onprogress: (p) => void progress.push(p.progress), timeout: 60_000 },
        );
        expect(text(done)).toBe('done');
        expect(progress.length).toBeGreaterThanOrEqual(10);

        const controller = new AbortController();
        let seen = 0;
        const call = c.callTool({ name: 'call_tool', arguments: { server: 'asker', tool: 'slow' } }, { signal: controller.signal, onprogress: () => void (++seen === 3 && controller.abort()) });
        await expect(call).rejects.toThrow();
        // The session keeps working after a cancel.
        expect(text(await echo(c, 'after cancel'))).toBe('Echo: after cancel');
      });
    }
  }

  it('auto over the shim leaves one session, not a lingering probe session', { timeout: 60_000 }, async () => {
    const c = await v2('shim', 'auto', { name: 'auto-probe-check' });
    await c.listTools();
    await waitFor(async () => (await home.status()).sessions.filter((s) => s.client === 'auto-probe-check').length === 1, 10_000, 'one session of the auto client').catch(async (e) => {
      throw new Error(`${e.message}: ${JSON.stringify((await home.status()).sessions)}`);
    });
  });
});

describe('a 2025-era backend asking a modern client', () => {
  it('comes back as input_required on the caller’s own call; each session gets only its own answer', { timeout: 90_000 }, async () => {
    const [a, b] = await Promise.all([v2('shim', 'pinned', { name: 'modern-a', elicit: 'Ada' }), v2('http', 'pinned', { name: 'modern-b', elicit: 'Bob' })]);
    // One instance per session (sharing: session): both ask at once.
    const ask = (c: V2Client, server: string) => c.callTool({ name: 'call_tool', arguments: { server, tool: 'ask' } }, { timeout: 60_000 });
    const [ra, rb] = await Promise.all([ask(a, 'asker'), ask(b, 'asker')]);
    expect(text(ra)).toBe('accept: Ada');
    expect(text(rb)).toBe('accept: Bob');
    // A shared instance asks the sole session with a call in flight on it.
    expect(text(await ask(a, 'askerg'))).toBe('accept: Ada');
    expect(text(await ask(b, 'askerg'))).toBe('accept: Bob');
  });
});

describe('a modern HTTP client without a workspace', () => {
  it('is asked for its roots through input_required, and its first file:// root decides the workspace', { timeout: 60_000 }, async () => {
    const project = path.join(home.dir, 'roots-project');
    fs.mkdirSync(path.join(project, '.git'), { recursive: true });
    fs.writeFileSync(path.join(project, '.env'), 'TOKEN=from-the-roots-workspace\n');
    const c = new V2Client({ name: 'modern-roots', version: '1' }, { capabilities: { roots: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    let asked = 0;
    c.setRequestHandler('roots/list', async () => {
      asked++;
      return { roots: [{ uri: pathToFileURL(path.join(project, 'src')).href, name: 'project' }] };
    });
    await c.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${home.daemonInfo()!.port}/mcp`)));
    v2clients.push(c);
    const r = await c.callTool({ name: 'call_tool', arguments: { server: 'wsenv', tool: 'env', arguments: { names: ['TOKEN'] } } }, { timeout: 30_000 });
    expect(asked).toBe(1);
    expect(JSON.parse(text(r)).values.TOKEN).toBe('from-the-roots-workspace');
  });
});

describe('list changes in both eras', () => {
  it('reach a modern client on its subscriptions/listen stream and a 2025 client as list_changed', { timeout: 90_000 }, async () => {
    const legacy = await home.client({ surface: 'direct', name: 'legacy-listener' });
    let legacyChanged = 0;
    legacy.setNotificationHandler(ToolListChangedNotificationSchema, () => void legacyChanged++);
    await legacy.listTools();

    const modern = new RawShim(spawn(process.execPath, [CLI, 'shim', '--surface', 'direct'], { cwd: home.dir, env: home.env(), stdio: ['pipe', 'pipe', 'pipe'] }));
    opened.push(modern);
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw-modern', version: '1' } };
    modern.send({ id: 'listen-1', method: 'subscriptions/listen', params: { _meta: meta, notifications: { toolsListChanged: true, promptsListChanged: true } } });
    const ack = await modern.next((m) => m.method === 'notifications/subscriptions/acknowledged');
    expect(ack.params).toMatchObject({ _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' }, notifications: { toolsListChanged: true, promptsListChanged: true } });
    modern.send({ id: 1, method: 'tools/list', params: { _meta: meta } });
    const listed = await modern.next((m) => m.id === 1);
    expect(listed.result).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: expect.stringMatching(/^(public|private)$/) });

    await legacy.callTool({ name: 'feature__add_tool', arguments: { name: 'brand_new' } });
    const changed = await modern.next((m) => m.method === 'notifications/tools/list_changed');
    expect(changed.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen-1');
    await waitFor(() => legacyChanged >= 1, 10_000, 'the 2025 client to hear of the change');
    modern.send({ id: 2, method: 'tools/list', params: { _meta: meta } });
    expect((await modern.next((m) => m.id === 2)).result.tools.map((t: { name: string }) => t.name)).toContain('feature__brand_new');

    // Cancelling the listen ends the stream: a later change is not sent to it.
    modern.send({ method: 'notifications/cancelled', params: { requestId: 'listen-1' } });
    const before = modern.lines.filter((m) => m.method === 'notifications/tools/list_changed').length;
    await legacy.callTool({ name: 'feature__add_tool', arguments: { name: 'another' } });
    await waitFor(() => legacyChanged >= 2, 10_000, 'the second change');
    await new Promise((r) => setTimeout(r, 500));
    expect(modern.lines.filter((m) => m.method === 'notifications/tools/list_changed').length).toBe(before);
  });

  it('server/discover is answered from config, the same on the shim and /mcp, and starts nothing', async () => {
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const shim = home.rawShim();
    shim.send({ id: 7, method: 'server/discover', params: { _meta: meta } });
    const viaShim = (await shim.next((m) => m.id === 7)).result;
    expect(viaShim).toMatchObject({ resultType: 'complete', supportedVersions: ['2026-07-28'], cacheScope: 'private', capabilities: { tools: { listChanged: true } } });
    expect(viaShim._meta['io.modelcontextprotocol/serverInfo'].name).toBe('mcplex');
    const res = await fetch(`http://127.0.0.1:${home.daemonInfo()!.port}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'server/discover', params: { _meta: meta } }),
    });
    const viaHttp = (await res.json()).result;
    expect(Object.keys(viaHttp).sort()).toEqual(Object.keys(viaShim).sort());
    expect(viaHttp.supportedVersions).toEqual(viaShim.supportedVersions);
    expect(viaHttp.capabilities).toEqual(viaShim.capabilities);
  });

  it('the stateless leg checks its headers as the spec says', async () => {
    const url = `http://127.0.0.1:${home.daemonInfo()!.port}/mcp`;
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });
    const mismatch = await post({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' }, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } });
    expect(mismatch.status).toBe(400);
    expect((await mismatch.json()).error.code).toBe(-32020);
    const future = await post(
      { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: { ...meta, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } },
    );
    expect(future.status).toBe(400);
    expect((await future.json()).error).toMatchObject({ code: -32022, data: { supported: expect.arrayContaining(['2026-07-28']) } });
    // Every standard header is required, and Mcp-Name must name what the body names (decoded from its base64 form).
    const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { _meta: meta, name: 'list_servers', arguments: {} } });
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'mcp-method': 'tools/call', 'mcp-name': 'list_servers' }, /MCP-Protocol-Version/],
      [{ 'mcp-protocol-version': '2026-07-28', 'mcp-name': 'list_servers' }, /Mcp-Method/],
      [{ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' }, /Mcp-Name header is missing/],
      [{ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'call_tool' }, /names "call_tool".*"list_servers"/],
    ];
    for (const [i, [headers, why]] of cases.entries()) {
      const refused = await post(headers, call(10 + i));
      expect(refused.status).toBe(400);
      expect((await refused.json()).error).toMatchObject({ code: -32020, message: expect.stringMatching(why) });
    }
    for (const name of ['list_servers', `=?base64?${Buffer.from('list_servers').toString('base64')}?=`]) {
      const ok = await post({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name }, call(20));
      expect(ok.status).toBe(200);
      expect((await ok.json()).result.content[0].text).toContain('servers');
    }
  });
});
