// A server that fails is visible everywhere: status (table and JSON), /api/status, /metrics, the log, doctor, and the call itself.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Home, call, json, servers, text, waitFor } from './helpers/harness.js';

const GHOST = '  ghost:\n    command: mcplex-test-no-such-command\n';
const quitter = (name = 'quitter') =>
  `  ${name}:\n    command: ${process.execPath}\n    args: ["-e", "console.error('quitter: missing API key'); process.exit(3)"]\n`;

let home: Home | undefined;
afterEach(async () => {
  await home?.dispose();
  home = undefined;
});

const get = async (h: Home, p: string) => {
  const info = h.daemonInfo()!;
  return fetch(`http://127.0.0.1:${info.port}${p}`, { headers: { authorization: `Bearer ${info.token}` } });
};

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('a server that cannot start', () => {
  it('is listed before anything ran, then failed with its error and stderr in the status table, JSON, /api/status and /metrics', async () => {
    home = new Home(servers.everything() + GHOST + quitter());
    const c = await home.client();
    const before = await home.status();
    expect(before).toHaveProperty('servers');
    const rows = (before as unknown as { servers: Array<Record<string, unknown>> }).servers;
    expect(rows.map((r) => [r.server, r.state])).toEqual([
      ['everything', 'stopped'],
      ['ghost', 'stopped'],
      ['quitter', 'stopped'],
    ]);

    const ghost = await call(c, 'ghost', 'anything');
    expect(ghost.isError).toBe(true);
    expect(text(ghost)).toMatch(/command "mcplex-test-no-such-command" is not on PATH/);
    const quit = await call(c, 'quitter', 'anything');
    expect(quit.isError).toBe(true);
    expect(text(quit)).toContain('exited with code 3 before it finished initialize');
    expect(text(quit)).toContain('quitter: missing API key');
    expect(text(quit)).not.toContain('the server process ended');

    const table = await home.cli(['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ghost\s+global\s+global\s+failed\s+1$/m);
    expect(table.stdout).toMatch(/^\s+error: server "ghost" cannot start: command "mcplex-test-no-such-command" is not on PATH/m);
    expect(table.stdout).toMatch(/^quitter\s+global\s+global\s+failed\s+1$/m);
    expect(table.stdout).toMatch(/^\s+stderr: quitter: missing API key$/m);
    expect(table.stdout).toMatch(/^everything\s+global\s+global\s+stopped\s+0$/m);

    const api = (await (await get(home, '/api/status')).json()) as { servers: Array<Record<string, any>>; instances: Array<Record<string, any>> };
    const q = api.servers.find((s) => s.server === 'quitter')!;
    expect(q).toMatchObject({ state: 'failed', scope: 'global', instances: 1 });
    expect(q.lastError).toContain('exited with code 3');
    expect(q.stderr).toEqual(['quitter: missing API key']);
    expect(api.instances.find((i) => i.server === 'quitter')!.state).toBe('failed');

    const metrics = await (await get(home, '/metrics')).text();
    expect(metrics).toMatch(/^mcplex_server_state\{server="ghost",state="failed"\} 1$/m);
    expect(metrics).toMatch(/^mcplex_server_state\{server="quitter",state="failed"\} 1$/m);
    expect(metrics).toMatch(/^mcplex_server_state\{server="everything",state="stopped"\} 1$/m);
    expect(metrics).toMatch(/^mcplex_server_state\{server="everything",state="failed"\} 0$/m);
  });

  it('mcplex logs --server shows its stderr and its exit (code, signal, stderr) at info or above', async () => {
    home = new Home(quitter());
    expect((await home.cli(['call', 'quitter', 'x'])).code).toBe(1);
    const lines = await waitFor(
      async () => {
        const r = await home!.cli(['logs', '--server', 'quitter', '-n', '200']);
        const recs = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
        return recs.some((l) => l.code === 3) ? recs : undefined;
      },
      15_000,
      'the exit line',
    );
    expect(lines.every((l) => l.server === 'quitter')).toBe(true);
    expect(lines.some((l) => l.stderr === 'quitter: missing API key' && l.level >= 30)).toBe(true);
    const exit = lines.find((l) => l.code === 3)!;
    expect(exit.level).toBeGreaterThanOrEqual(30);
    expect(exit).toMatchObject({ signal: null, stderr: ['quitter: missing API key'] });
    expect(lines.some((l) => /failed to start/.test(l.msg) && l.level >= 40)).toBe(true);
    const warn = await home.cli(['logs', '--server', 'quitter', '--level', 'warn', '-n', '200']);
    const warnLevels = warn.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { level: number }).level);
    expect(warnLevels.length).toBeGreaterThan(0);
    expect(warnLevels.every((l) => l >= 40)).toBe(true);
  });

  it('a direct-surface call to its tool returns the start error, not "unknown tool"', async () => {
    home = new Home(GHOST + quitter());
    const c = await home.client({ surface: 'direct' });
    const listed = await c.listTools();
    expect(listed.tools.filter((t) => t.name.startsWith('quitter__'))).toEqual([]);
    for (const [name, why] of [
      ['quitter__anything', 'exited with code 3'],
      ['ghost__anything', 'is not on PATH'],
    ] as const) {
      const r = await c.callTool({ name, arguments: {} }, undefined, { timeout: 60_000 });
      expect(r.isError, name).toBe(true);
      expect(text(r), name).toContain(why);
      expect(text(r), name).not.toMatch(/unknown tool/);
    }
    // A name no server owns is the client's mistake: a JSON-RPC error (-32602), as the spec asks.
    await expect(c.callTool({ name: 'nosuchserver__x', arguments: {} })).rejects.toThrow(/Unknown tool/);
  });

  it('doctor starts each server once and says which fail and why; reuses what the daemon runs', async () => {
    home = new Home(servers.everything() + GHOST + quitter());
    const r = await home.cli(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^fail\s+server ghost\s+command "mcplex-test-no-such-command" is not on PATH/m);
    expect(r.stdout).toMatch(/^fail\s+start ghost\s+server "ghost" cannot start: command "mcplex-test-no-such-command" is not on PATH/m);
    expect(r.stdout).toMatch(/^fail\s+start quitter\s+server "quitter" failed to start: exited with code 3 before it finished initialize$/m);
    expect(r.stdout).toMatch(/^\s+quitter: missing API key$/m);
    expect(r.stdout).toMatch(/^ok\s+start everything\s+started and listed \d+ tools$/m);
    expect(home.daemonInfo()).toBeUndefined();

    const c = await home.client();
    expect((await call(c, 'everything', 'echo', { message: 'up' })).isError).toBeFalsy();
    const again = await home.cli(['doctor']);
    expect(again.stdout).toMatch(/^ok\s+start everything\s+running in the daemon$/m);
  });

  it('doctor checks that relative paths resolve from where the config lives, and config validate warns', async () => {
    home = new Home(
      `  rel:\n    command: ${process.execPath}\n    args: [lib/missing-server.js]\n  where:\n    command: ${process.execPath}\n    cwd: no-such-dir\n    args: [x.js]\n`,
    );
    const r = await home.cli(['doctor', '--json']);
    const checks = JSON.parse(r.stdout).checks as Array<{ check: string; status: string; message: string }>;
    const rel = checks.find((c) => c.check === 'server rel')!;
    expect(rel.status).toBe('warn');
    expect(rel.message).toContain(`args[0] lib/missing-server.js does not exist (${path.join(home.dir, 'lib/missing-server.js')}`);
    expect(rel.message).toContain('where the config lives');
    const where = checks.find((c) => c.check === 'server where')!;
    expect(where).toMatchObject({ status: 'fail' });
    expect(where.message).toContain(`working directory ${path.join(home.dir, 'no-such-dir')} does not exist`);

    fs.writeFileSync(path.join(home.dir, 'other.yaml'), `servers:\n  a:\n    command: mcplex-test-no-such-command\n  b:\n    command: ${process.execPath}\n    args: [./nope.mjs]\n`);
    const v = await home.cli(['config', 'validate', path.join(home.dir, 'other.yaml')]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('ok (2 servers)');
    expect(v.stderr).toMatch(/warning: servers\.a: command "mcplex-test-no-such-command" is not on PATH/);
    expect(v.stderr).toMatch(/warning: servers\.b: args\[0\] \.\/nope\.mjs does not exist/);
  });

  it('leaves status and metrics when removed from the config', async () => {
    home = new Home(servers.everything() + quitter());
    const c = await home.client();
    expect((await call(c, 'quitter', 'x')).isError).toBe(true);
    expect((await call(c, 'everything', 'echo', { message: 'm' })).isError).toBeFalsy();
    expect(await (await get(home, '/metrics')).text()).toMatch(/server="quitter"/);
    home.writeConfig(servers.everything());
    await waitFor(async () => !(await home!.cli(['status'])).stdout.includes('quitter'), 15_000, 'quitter to leave status');
    const api = (await (await get(home, '/api/status')).json()) as { servers: Array<{ server: string }>; instances: Array<{ server: string }>; recentErrors: Array<{ server: string }> };
    expect(api.servers.map((s) => s.server)).toEqual(['everything']);
    expect(api.instances.map((s) => s.server)).toEqual(['everything']);
    expect(api.recentErrors.map((e) => e.server)).not.toContain('quitter');
    const metrics = await (await get(home, '/metrics')).text();
    expect(metrics).not.toContain('quitter');
    expect(metrics).toMatch(/^mcplex_tool_calls_total\{server="everything",tool="echo",outcome="ok"\} 1$/m);
  });
});

describe('remote servers', () => {
  it('an unreachable URL is "cannot connect to URL (ECONNREFUSED …)" and leaves the instance failed, not starting', async () => {
    const port = await closedPort();
    home = new Home(`  far:\n    url: http://127.0.0.1:${port}/mcp\n`);
    const c = await home.client();
    const r = await call(c, 'far', 'x');
    expect(r.isError).toBe(true);
    expect(text(r)).toContain(`cannot connect to http://127.0.0.1:${port}/mcp (`);
    expect(text(r)).toContain('ECONNREFUSED');
    expect(text(r)).not.toMatch(/process ended|while requests were in flight/);
    const st = await home.status();
    expect(st.instances.find((i) => i.server === 'far')!.state).toBe('failed');
    const listed = json(await c.callTool({ name: 'list_servers', arguments: {} })).servers.find((s: { name: string }) => s.name === 'far');
    expect(listed.state).not.toBe('starting');
  });

  it('an invalid url is a config error', async () => {
    home = new Home('  bad:\n    url: "not a url"\n  ftp:\n    url: ftp://example.com/mcp\n  ok:\n    url: "${REMOTE_URL}"\n');
    const r = await home.cli(['config', 'validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/servers\.bad\.url.*"not a url" is not a valid URL/);
    expect(r.stderr).toMatch(/servers\.ftp\.url.*http:\/\/ or https:\/\//);
    expect(r.stderr).not.toMatch(/servers\.ok/);
  });
});
