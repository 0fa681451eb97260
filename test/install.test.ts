// install_server / remove_server and `mcplex add` / `remove`: comment-preserving edits, secrets in .env, live at once.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Home, json, text, FAULTY, serverNames } from './helpers/harness.js';

const install = (c: Client, args: Record<string, unknown>) => c.callTool({ name: 'install_server', arguments: args }, undefined, { timeout: 60_000 });

let home: Home | undefined;
afterEach(async () => {
  await home?.dispose();
  home = undefined;
});

function workspace(h: Home, name: string): string {
  const dir = path.join(h.dir, name);
  fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  return dir;
}

// The model adds a server to its workspace mid-session; it works at once, and the secret lands in .env only.
describe('install_server in a workspace', () => {
  it('writes .mcplex.yaml and .env (0600), returns the tools, and call_tool works without reconnecting', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const other = workspace(home, 'other');
    const c = await home.client({ cwd: ws });
    const elsewhere = await home.client({ cwd: other });
    const secret = 'install-secret-value-9876';
    const r = await install(c, { server: 'tools', command: process.execPath, args: [FAULTY], env: { API_KEY: secret } });
    expect(r.isError).toBeFalsy();
    const out = json(r);
    expect(out.applied).toBe(true);
    expect(out.tools).toContain('echo');
    const yaml = fs.readFileSync(path.join(ws, '.mcplex.yaml'), 'utf8');
    expect(yaml).toContain('API_KEY: ${API_KEY}');
    expect(yaml).not.toContain(secret);
    const envFile = path.join(ws, '.env');
    expect(fs.readFileSync(envFile, 'utf8')).toContain(secret);
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    const called = await c.callTool({ name: 'call_tool', arguments: { server: 'tools', tool: 'echo', arguments: { v: 1 } } });
    expect(text(called)).toContain('"v":1');
    expect(await serverNames(elsewhere)).not.toContain('tools');

    const again = await install(c, { server: 'tools', command: process.execPath, args: [FAULTY] });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/already exists.*replace: true/);
    expect((await install(c, { server: 'tools', command: process.execPath, args: [FAULTY, '--garbage'], replace: true })).isError).toBeFalsy();

    const removed = await c.callTool({ name: 'remove_server', arguments: { server: 'tools' } });
    expect(json(removed).applied).toBe(true);
    expect(await serverNames(c)).not.toContain('tools');
  });

  it('a server that cannot start is reported with its stderr tail', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const c = await home.client({ cwd: ws });
    const r = await install(c, { server: 'broken', command: process.execPath, args: ['-e', "console.error('broken on purpose'); process.exit(2)"] });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('broken on purpose');
  });

  it('an unknown catalog name without a command says what to do', async () => {
    home = new Home('');
    const c = await home.client({ cwd: workspace(home, 'proj') });
    const r = await install(c, { server: 'not-a-known-server' });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/not in the built-in catalog.*github/s);
  });
});

// Global edits need confirm: without it nothing changes and the tool shows exactly what it would write.
describe('install_server globally', () => {
  it('previews without confirm, then writes config.yaml keeping comments and order', async () => {
    home = new Home('');
    fs.writeFileSync(home.configPath, '# my mcplex config\ngateway:\n  port: 0 # any free port\nservers: {}\n');
    const c = await home.client();
    const original = fs.readFileSync(home.configPath, 'utf8');
    const preview = json(await install(c, { server: 'shared', scope: 'global', command: process.execPath, args: [FAULTY] }));
    expect(preview.applied).toBe(false);
    expect(preview.wouldWrite.yaml).toContain('shared:');
    expect(fs.readFileSync(home.configPath, 'utf8')).toBe(original);
    const done = json(await install(c, { server: 'shared', scope: 'global', command: process.execPath, args: [FAULTY], confirm: true }));
    expect(done.applied).toBe(true);
    const after = fs.readFileSync(home.configPath, 'utf8');
    expect(after).toContain('# my mcplex config');
    expect(after).toContain('port: 0 # any free port');
    expect(after).toContain('shared:');
    expect(await serverNames(c)).toContain('shared');
    expect(json(await c.callTool({ name: 'remove_server', arguments: { server: 'shared', scope: 'global' } })).applied).toBe(false);
    expect(json(await c.callTool({ name: 'remove_server', arguments: { server: 'shared', scope: 'global', confirm: true } })).applied).toBe(true);
    expect(await serverNames(c)).not.toContain('shared');
  });
});

// The CLI makes the same edits; a running daemon picks them up.
describe('mcplex add / remove', () => {
  it('adds a catalog server by name and a command server, then removes it', async () => {
    home = new Home('');
    const c = await home.client();
    const added = await home.cli(['add', 'github', '--scope', 'global', '--env', 'GITHUB_PERSONAL_ACCESS_TOKEN=ghp_cli_secret']);
    expect(added.code).toBe(0);
    const cfg = fs.readFileSync(home.configPath, 'utf8');
    expect(cfg).toContain('@modelcontextprotocol/server-github');
    expect(cfg).not.toContain('ghp_cli_secret');
    expect(fs.readFileSync(path.join(home.dir, '.env'), 'utf8')).toContain('ghp_cli_secret');
    expect((await home.cli(['add', 'local', '--scope', 'global', '--', process.execPath, FAULTY])).code).toBe(0);
    const deadline = Date.now() + 3000;
    while (!(await serverNames(c)).includes('local') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(text(await c.callTool({ name: 'call_tool', arguments: { server: 'local', tool: 'echo', arguments: { cli: true } } }))).toContain('"cli":true');
    expect((await home.cli(['add', 'local', '--scope', 'global', '--', 'node'])).code).toBe(2);
    expect((await home.cli(['remove', 'local', '--scope', 'global'])).code).toBe(0);
    expect((await home.cli(['remove', 'local', '--scope', 'global'])).code).toBe(2);
  });
});
