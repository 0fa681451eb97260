// Workspace trust (issue 11, CONTRACT §5): a `.mcplex.yaml` from someone else's repository starts nothing until the
// user trusts its current content — by `mcplex trust`, or by a yes to the elicitation a capable client is sent.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { CLI, FAULTY, Home, call, json, text, waitFor } from './helpers/harness.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let home: Home | undefined;
afterEach(async () => {
  await home?.dispose();
  home = undefined;
});

/** A server entry whose command first leaves a marker file (proof that it ran), then serves the fault fixture's tools. */
function markerServer(name: string, marker: string, extra = ''): string {
  const script = `touch ${marker} && exec ${process.execPath} ${FAULTY}`;
  return `  ${name}:\n    command: /bin/sh\n    args: ["-c", ${JSON.stringify(script)}]\n${extra}`;
}

/** A stranger's repository: a workspace whose .mcplex.yaml holds `yaml`. */
function repo(h: Home, yaml: string): { ws: string; marker: string } {
  const ws = path.join(h.dir, 'cloned');
  fs.mkdirSync(path.join(ws, '.git'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.mcplex.yaml'), yaml);
  return { ws, marker: path.join(h.dir, 'marker') };
}

async function listed(c: Client): Promise<Record<string, any>> {
  return Object.fromEntries(json(await c.callTool({ name: 'list_servers', arguments: {} })).servers.map((s: any) => [s.name, s]));
}

describe('an untrusted workspace .mcplex.yaml', () => {
  it('starts nothing on any route and says how to trust it; `mcplex trust` lets it run; an edit needs trust again', async () => {
    home = new Home('');
    const { ws, marker } = repo(home, '');
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `servers:\n${markerServer('local', marker)}`);
    const trustIt = `mcplex trust ${ws}`;
    const meta = await home.client({ cwd: ws });
    const direct = await home.client({ cwd: ws, surface: 'direct' });

    const search = json(await meta.callTool({ name: 'search_tools', arguments: { query: 'echo' } }));
    expect(search.results).toEqual([]);
    expect(search.untrusted).toEqual([expect.objectContaining({ server: 'local', file: path.join(ws, '.mcplex.yaml'), trust: expect.stringContaining(trustIt) })]);
    expect((await listed(meta)).local).toMatchObject({ state: 'untrusted', scope: 'workspace', trust: expect.stringContaining(trustIt), runs: expect.stringContaining(`touch ${marker}`) });
    for (const r of [
      await meta.callTool({ name: 'describe_tool', arguments: { server: 'local', tool: 'echo' } }),
      await call(meta, 'local', 'echo', { x: 1 }),
      await direct.callTool({ name: 'local__echo', arguments: {} }),
      await direct.callTool({ name: 'local__untrusted', arguments: {} }),
    ]) {
      expect(r.isError).toBe(true);
      expect(text(r)).toContain(trustIt);
    }
    const placeholder = (await direct.listTools()).tools.find((t) => t.name === 'local__untrusted');
    expect(placeholder?.description).toContain(trustIt);
    const st = await home.status();
    expect((st as any).untrusted).toEqual([{ server: 'local', file: path.join(ws, '.mcplex.yaml'), trust: trustIt }]);
    expect((await home.cli(['status'])).stdout).toContain(trustIt);
    const cliCall = await run(process.execPath, [CLI, 'call', 'local', 'echo'], { cwd: ws, env: home.env(), timeout: 60_000 }).catch((e) => e);
    expect(cliCall.code).toBe(1);
    expect(cliCall.stderr).toContain(trustIt);
    const cliTools = await run(process.execPath, [CLI, 'tools'], { cwd: ws, env: home.env(), timeout: 60_000 }).catch((e) => e);
    expect(cliTools.code).toBe(1);
    expect(cliTools.stdout).toContain(trustIt);
    await sleep(500);
    expect(fs.existsSync(marker)).toBe(false);
    expect(st.instances).toEqual([]);

    const trusted = await home.cli(['trust', ws]);
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toContain(`local: /bin/sh -c 'touch ${marker}`);
    expect(fs.statSync(path.join(home.dir, 'trust.json')).mode & 0o777).toBe(0o600);
    await waitFor(async () => text(await call(meta, 'local', 'echo', { after: 'trust' })).includes('"after":"trust"'), 10_000, 'the trusted server to answer');
    expect(fs.existsSync(marker)).toBe(true);
    await waitFor(async () => (await direct.listTools()).tools.some((t) => t.name === 'local__echo'), 10_000, 'the direct surface to list its tools');
    expect(text(await direct.callTool({ name: 'local__echo', arguments: { d: 1 } }))).toContain('"d":1');

    // Any change to the server's definition needs trust again, and what runs under the old one stops.
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `servers:\n${markerServer('local', marker, '    env: {EXTRA: "1"}\n')}`);
    await waitFor(async () => (await listed(meta)).local.state === 'untrusted', 10_000, 'the edited server to be untrusted');
    expect(text(await call(meta, 'local', 'echo'))).toContain(trustIt);
    await waitFor(async () => (await home!.status()).instances.length === 0, 10_000, 'the old instance to stop');

    await home.trust(ws);
    await waitFor(async () => !(await call(meta, 'local', 'echo')).isError, 10_000, 'trusted again');
    expect((await home.cli(['untrust', ws])).stdout).toContain('withdrew trust');
    await waitFor(async () => (await listed(meta)).local.state === 'untrusted', 10_000, 'untrusted after untrust');
    await waitFor(async () => (await home!.status()).instances.length === 0, 10_000, 'its instance to stop');
  });

  it('untrusting stops what runs under it even when no session of that workspace is open', async () => {
    home = new Home('');
    const { ws, marker } = repo(home, '');
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `servers:\n${markerServer('local', marker)}${markerServer('keyed', marker, '    sharing: credential\n')}`);
    await home.trust(ws);
    const c = await home.client({ cwd: ws });
    expect(text(await call(c, 'local', 'echo', { x: 1 }))).toContain('"x":1');
    expect(text(await call(c, 'keyed', 'echo', { y: 2 }))).toContain('"y":2');
    await c.close();
    await waitFor(async () => (await home!.status()).sessions.length === 0, 10_000, 'the session to end');
    expect((await home.status()).instances).toHaveLength(2);
    expect((await home.cli(['untrust', ws])).code).toBe(0);
    await waitFor(async () => (await home!.status()).instances.length === 0, 10_000, 'its instance to stop');
  });

  it('`mcplex trust` says what is wrong when there is no file, or it is invalid', async () => {
    home = new Home('');
    const { ws } = repo(home, 'servers:\n  bad:\n    comand: x\n');
    const invalid = await home.cli(['trust', ws]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/unknown key "comand"/);
    const empty = path.join(home.dir, 'empty');
    fs.mkdirSync(path.join(empty, '.git'), { recursive: true });
    const none = await home.cli(['trust', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('nothing to trust');
    expect(fs.existsSync(path.join(home.dir, 'trust.json'))).toBe(false);
  });
});

describe('a client that supports elicitation is asked', () => {
  it('once; a yes is recorded and the call goes through; the question names every server and its command in full', async () => {
    home = new Home('');
    const { ws, marker } = repo(home, '');
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `servers:\n${markerServer('local', marker)}  remote:\n    url: https://example.invalid/mcp\n    headers: {X-Key: "\${SOME_SECRET}"}\n`);
    const asked: string[] = [];
    const c = await home.client({ cwd: ws, capabilities: { elicitation: {} } });
    c.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(String(req.params.message));
      return { action: 'accept', content: { trust: true } };
    });
    const r = await call(c, 'local', 'echo', { asked: true });
    expect(text(r)).toContain('"asked":true');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(path.join(ws, '.mcplex.yaml'));
    expect(asked[0]).toContain(`local: /bin/sh -c 'touch ${marker} && exec ${process.execPath} ${FAULTY}'`);
    expect(asked[0]).toContain('remote: http https://example.invalid/mcp (headers: X-Key: ${SOME_SECRET})');
    expect(fs.existsSync(marker)).toBe(true);
    const trust = JSON.parse(fs.readFileSync(path.join(home.dir, 'trust.json'), 'utf8'));
    expect(Object.keys(trust.workspaces[ws].servers).sort()).toEqual(['local', 'remote']);
    // Another session of the same workspace needs no question now.
    const other = await home.client({ cwd: ws });
    expect(text(await call(other, 'local', 'echo', { other: 1 }))).toContain('"other":1');
  });

  it('over Streamable HTTP too: the question travels on the call\'s stream, and a yes lets the call through', async () => {
    home = new Home('');
    const { ws, marker } = repo(home, '');
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `servers:\n${markerServer('local', marker)}`);
    expect((await home.cli(['start'])).code).toBe(0);
    const c = new Client({ name: 'http-asker', version: '1' }, { capabilities: { elicitation: {} } });
    let asked = 0;
    c.setRequestHandler(ElicitRequestSchema, async () => {
      asked++;
      return { action: 'accept', content: { trust: true } };
    });
    await c.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${home.daemonInfo()!.port}/mcp?workspace=${encodeURIComponent(ws)}`)));
    try {
      expect(text(await call(c, 'local', 'echo', { http: 1 }))).toContain('"http":1');
      expect(asked).toBe(1);
      expect(fs.existsSync(marker)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('a no (or a yes without the box ticked) leaves it untrusted, nothing spawned, and the session is not asked again', async () => {
    home = new Home('');
    const { ws, marker } = repo(home, '');
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `servers:\n${markerServer('local', marker)}`);
    for (const answer of [{ action: 'decline' }, { action: 'accept', content: { trust: false } }] as const) {
      let asked = 0;
      const c = await home.client({ cwd: ws, capabilities: { elicitation: {} } });
      c.setRequestHandler(ElicitRequestSchema, async () => {
        asked++;
        return answer;
      });
      const first = await call(c, 'local', 'echo');
      expect(first.isError).toBe(true);
      expect(text(first)).toContain(`mcplex trust ${ws}`);
      expect(json(await c.callTool({ name: 'search_tools', arguments: { query: 'echo' } })).untrusted).toHaveLength(1);
      expect((await c.callTool({ name: 'describe_tool', arguments: { server: 'local', tool: 'echo' } })).isError).toBe(true);
      expect(asked).toBe(1);
    }
    await sleep(500);
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(path.join(home.dir, 'trust.json'))).toBe(false);
  });
});

// What the user's own session installs is trusted as written — and only that: a stranger's server beside it stays untrusted.
describe('installing into a workspace whose file holds an untrusted server', () => {
  it('install_server and `mcplex add` trust only the server they write', async () => {
    home = new Home('');
    const { ws, marker } = repo(home, '');
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `# a stranger's file\nservers:\n${markerServer('evil', marker)}`);
    const c = await home.client({ cwd: ws });
    const installed = await c.callTool({ name: 'install_server', arguments: { server: 'mine', command: process.execPath, args: [FAULTY] } }, undefined, { timeout: 60_000 });
    expect(installed.isError, text(installed)).toBeFalsy();
    expect(json(installed).tools).toContain('echo');
    expect(text(await call(c, 'mine', 'echo', { mine: 1 }))).toContain('"mine":1');
    const added = await run(process.execPath, [CLI, 'add', 'added', '--', process.execPath, FAULTY], { cwd: ws, env: home.env(), timeout: 60_000 });
    expect(added.stdout).toContain('added added');
    await waitFor(async () => !(await call(c, 'added', 'echo')).isError, 10_000, 'the added server to answer');
    const servers = await listed(c);
    expect(servers.evil.state).toBe('untrusted');
    expect(servers.mine.state).not.toBe('untrusted');
    expect((await call(c, 'evil', 'echo')).isError).toBe(true);
    expect(fs.readFileSync(path.join(ws, '.mcplex.yaml'), 'utf8')).toContain("# a stranger's file");
    await sleep(500);
    expect(fs.existsSync(marker)).toBe(false);
  });
});
