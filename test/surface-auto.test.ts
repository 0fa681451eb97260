// surface: auto — each client gets the surface that fits it (by clientInfo), direct names fit the client's own
// prefix, and the initialize instructions list the servers a session can use.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ToolListChangedNotificationSchema as ToolListChanged } from '@modelcontextprotocol/sdk/types.js';import { profileFor } from '../src/surface/clients.js';
import { parseConfig } from '../src/config/load.js';
import { instructions, INSTRUCTIONS_MAX } from '../src/session/negotiate.js';
import { Home, servers, text } from './helpers/harness.js';

const gateway = { surface: 'auto' as const, clients: {}, registrationName: 'mcplex' };

describe('profileFor (the clients table)', () => {
  it('gives deferring clients the direct surface and the others meta', () => {
    expect(profileFor({ name: 'claude-code', version: '2.1.0' }, gateway)).toMatchObject({ surface: 'direct', matched: 'claude-code*' });
    expect(profileFor({ name: 'cursor-vscode' }, gateway).surface).toBe('direct');
    expect(profileFor({ name: 'Visual Studio Code' }, gateway).surface).toBe('meta');
    expect(profileFor({ name: 'codex-mcp-client' }, gateway).surface).toBe('meta');
    expect(profileFor({ name: 'Zed' }, gateway).surface).toBe('meta');
    expect(profileFor({ name: 'something-new' }, gateway)).toEqual({ surface: 'meta', nameBudget: 64 });
    expect(profileFor(undefined, gateway).surface).toBe('meta');
  });

  it('budgets names for the client prefix and the registration name', () => {
    // Claude Code: mcp__<name>__ before every tool, 64 in all.
    expect(profileFor({ name: 'claude-code' }, gateway).nameBudget).toBe(64 - 'mcp__mcplex__'.length);
    expect(profileFor({ name: 'claude-code' }, { ...gateway, registrationName: 'x'.repeat(30) }).nameBudget).toBe(64 - 'mcp__'.length - 30 - '__'.length);
    // Cursor drops tools past 60 characters, server name included.
    expect(profileFor({ name: 'cursor-vscode' }, gateway).nameBudget).toBe(60 - 'mcplex_'.length);
  });

  it('a requested surface and the config win over the table; the user table wins over the built-in one', () => {
    expect(profileFor({ name: 'claude-code' }, gateway, 'meta').surface).toBe('meta');
    expect(profileFor({ name: 'claude-code' }, { ...gateway, surface: 'both' }).surface).toBe('both');
    expect(profileFor({ name: 'claude-code' }, gateway, 'auto').surface).toBe('direct');
    const mine = { ...gateway, clients: { 'claude-*': { surface: 'meta' as const } } };
    expect(profileFor({ name: 'claude-code' }, mine)).toMatchObject({ surface: 'meta', matched: 'claude-*' });
    // The user's rule overrides only what it says: Claude Code's prefix still counts.
    expect(profileFor({ name: 'claude-code' }, mine).nameBudget).toBe(64 - 'mcp__mcplex__'.length);
    expect(profileFor({ name: 'my-agent' }, { ...gateway, clients: { 'my-agent': { surface: 'direct', maxName: 48 } } })).toEqual({
      matched: 'my-agent',
      surface: 'direct',
      nameBudget: 48,
    });
  });
});

describe('gateway.clients in config.yaml', () => {
  it('takes a surface or {surface, prefix, maxName} per client glob, and refuses anything else', () => {
    const cfg = parseConfig(
      'gateway:\n  registrationName: tools\n  clients:\n    claude-code: meta\n    "my-*": {surface: direct, prefix: "x_{name}_", maxName: 50}\n',
      '/tmp/x/config.yaml',
    );
    expect(cfg.gateway.clients).toEqual({ 'claude-code': { surface: 'meta' }, 'my-*': { surface: 'direct', prefix: 'x_{name}_', maxName: 50 } });
    expect(profileFor({ name: 'my-agent' }, cfg.gateway)).toEqual({ matched: 'my-*', surface: 'direct', nameBudget: 50 - 'x_tools_'.length });
    expect(() => parseConfig('gateway:\n  clients:\n    cursor: sideways\n', '/tmp/x/config.yaml')).toThrow(/clients/);
    expect(() => parseConfig('gateway:\n  surface: sometimes\n', '/tmp/x/config.yaml')).toThrow(/surface/);
  });
});

const names = async (c: Awaited<ReturnType<Home['client']>>) => (await c.listTools()).tools.map((t) => t.name);

describe('surface auto through real shims', () => {
  let home: Home;

  beforeAll(() => {
    home = new Home(servers.everything());
  });

  afterAll(async () => {
    await home.dispose();
  });

  it("Claude Code's and Cursor's clientInfo get direct, an unknown client gets meta, overrides win", async () => {
    const claude = await home.client({ name: 'claude-code' });
    const claudeTools = await names(claude);
    expect(claudeTools).toContain('everything__echo');
    expect(claudeTools).not.toContain('search_tools');
    expect(text(await claude.callTool({ name: 'everything__echo', arguments: { message: 'hi' } }))).toBe('Echo: hi');

    expect(await names(await home.client({ name: 'cursor-vscode' }))).toContain('everything__echo');

    const unknown = await names(await home.client({ name: 'some-new-client' }));
    expect(unknown).toContain('search_tools');
    expect(unknown.some((n) => n.includes('__'))).toBe(false);

    const forcedMeta = await names(await home.client({ name: 'claude-code', surface: 'meta' }));
    expect(forcedMeta).toContain('search_tools');
    expect(forcedMeta.some((n) => n.includes('__'))).toBe(false);
    expect(await names(await home.client({ name: 'some-new-client', surface: 'direct' }))).toContain('everything__echo');
    expect(await names(await home.client({ name: 'claude-code', surface: 'auto' }))).toContain('everything__echo');

    const status = await home.status();
    const bySurface = status.sessions.map((s) => `${s.client}:${s.surface}`);
    expect(bySurface).toEqual(expect.arrayContaining(['claude-code:direct', 'some-new-client:meta']));
  });
});

describe('direct names for a long registration name', () => {
  const registered = 'a-registration-name-of-30-char';
  const server = 'a-server-with-a-long-name';
  let home: Home;

  afterEach(async () => {
    await home?.dispose();
  });

  it("fit Claude Code's 64 characters with its prefix, and stay the same, in the same order, across daemon restarts", async () => {
    expect(registered).toHaveLength(30);
    home = new Home(servers.everything().replace('  everything:', `  ${server}:`), `  registrationName: ${registered}\n`);
    const before = await names(await home.client({ name: 'claude-code' }));
    expect(before.length).toBeGreaterThan(5);
    for (const n of before) {
      expect(`mcp__${registered}__${n}`.length).toBeLessThanOrEqual(64);
      expect(n).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    // Long ones were shortened with a hash suffix, not dropped or merged.
    expect(new Set(before).size).toBe(before.length);
    expect(before.some((n) => /_[0-9a-f]{8}$/.test(n))).toBe(true);
    // The server part was cut first: the tool names stay readable.
    expect(before.some((n) => /^a-server-wi\w*__echo_[0-9a-f]{8}$/.test(n))).toBe(true);

    expect((await home.cli(['stop'])).code).toBe(0);
    const client = await home.client({ name: 'claude-code' });
    expect(await names(client)).toEqual(before);
    const echo = before.find((n) => n.includes('echo'))!;
    expect(text(await client.callTool({ name: echo, arguments: { message: 'after restart' } }))).toBe('Echo: after restart');
  });
});

describe('instructions text', () => {
  it('stays within its bound however many servers, summing up the ones that do not fit', () => {
    const many = Array.from({ length: 80 }, (_, i) => ({
      name: `server-${i}`,
      summary: `Server number ${i} with a rather long description of what it does for the agent`,
      tools: Array.from({ length: 30 }, (_, j) => `tool_number_${j}`),
    }));
    for (const surface of ['meta', 'direct', 'both'] as const) {
      const text = instructions(surface, many);
      expect(text.length).toBeLessThanOrEqual(INSTRUCTIONS_MAX);
      expect(text).toMatch(/- … and \d+ more: (call list_servers|see tools\/list)$/);
      expect(text).toContain('- server-0: Server number 0');
    }
    const few = instructions('direct', many.slice(0, 3));
    expect(few.split('\n')).toHaveLength(4);
    expect(few).toContain('(30 tools: tool_number_0, tool_number_1');
    expect(instructions('meta', [])).toMatch(/^mcplex connects you to 0 MCP servers\./);
    expect(instructions('meta', [{ name: 'fresh', summary: '' }])).toContain('- fresh (tools listed once it first starts)');
  });
});

describe('initialize instructions', () => {
  let home: Home;

  afterEach(async () => {
    await home?.dispose();
  });

  it('list the servers with what they are for, and change when one is added', async () => {
    home = new Home(servers.everything('    description: "Reference server for protocol features"\n'));
    const first = await home.client({ name: 'claude-code' });
    const before = first.getInstructions() ?? '';
    expect(before).toMatch(/^mcplex connects you to 1 MCP server;/);
    expect(before).toContain('- everything: Reference server for protocol features');
    expect(before.length).toBeLessThanOrEqual(2000);
    // Once the server has run, its tools are listed too.
    await first.listTools();
    expect((await home.client({ name: 'claude-code' })).getInstructions()).toMatch(/- everything: .*\(\d+ tools: .*echo/);

    home.writeConfig(servers.everything() + servers.memory(`${home.dir}/memory.jsonl`, '    description: "Knowledge graph memory"\n'));
    await new Promise<void>((resolve) => first.setNotificationHandler(ToolListChanged, () => resolve()));
    const after = (await home.client({ name: 'some-new-client' })).getInstructions() ?? '';
    expect(after).toMatch(/^mcplex connects you to 2 MCP servers\. search_tools finds a tool/);
    expect(after).toContain('- memory: Knowledge graph memory');
  });
});
