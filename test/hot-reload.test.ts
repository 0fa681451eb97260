// Hot configuration: edits to config.yaml and .env files take effect in live sessions, and nothing unchanged restarts.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Home, alive, json, servers, text, waitFor, faulty, call, serverNames } from './helpers/harness.js';


let home: Home | undefined;
afterEach(async () => {
  await home?.dispose();
  home = undefined;
});

// One live session sees servers come, change and go, without reconnecting.
describe('editing config.yaml', () => {
  it('an added server is usable within 2 s and the session is told tools/list_changed', async () => {
    home = new Home(faulty('alpha'));
    const c = await home.client();
    let changed = 0;
    c.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    expect(await serverNames(c)).toEqual(['alpha']);
    const before = Date.now();
    home.writeConfig(faulty('alpha') + faulty('beta'));
    await waitFor(async () => (await serverNames(c)).includes('beta'), 2000, 'beta to appear');
    expect(Date.now() - before).toBeLessThan(2000);
    expect(text(await call(c, 'beta', 'echo', { hi: 1 }))).toContain('"hi":1');
    await waitFor(() => changed > 0, 2000, 'tools/list_changed');
  });

  it('an editor that saves by writing a temp file and renaming it over config.yaml is seen too', async () => {
    home = new Home(faulty('alpha'));
    const c = await home.client();
    expect(await serverNames(c)).toEqual(['alpha']);
    for (const next of ['beta', 'gamma']) {
      const tmp = `${home.configPath}.swp`;
      fs.writeFileSync(tmp, `gateway:\n  port: 0\nservers:\n${faulty('alpha')}${faulty(next)}`);
      fs.renameSync(tmp, home.configPath);
      await waitFor(async () => (await serverNames(c)).includes(next), 3000, `${next} after a rename-save`);
    }
  });

  it('changing one server restarts only that one on its next call', async () => {
    home = new Home(faulty('alpha') + faulty('beta'));
    const c = await home.client();
    const alpha1 = Number(text(await call(c, 'alpha', 'pid')));
    const beta1 = Number(text(await call(c, 'beta', 'pid')));
    home.writeConfig(faulty('alpha', ['--garbage']) + faulty('beta'));
    await waitFor(async () => Number(text(await call(c, 'alpha', 'pid'))) !== alpha1, 5000, 'alpha on a new pid');
    expect(Number(text(await call(c, 'beta', 'pid')))).toBe(beta1);
    await waitFor(() => !alive(alpha1), 5000, 'the old alpha to stop');
  });

  it('a server removed during a long call finishes that call, then its process is gone', async () => {
    home = new Home(servers.everything() + faulty('beta'));
    const c = await home.client();
    await call(c, 'everything', 'echo', { message: 'warm' });
    const pid = (await home.status()).instances.find((i) => i.server === 'everything')!.pid as number;
    const long = call(c, 'everything', 'trigger-long-running-operation', { duration: 3, steps: 3 });
    await new Promise((r) => setTimeout(r, 500));
    home.writeConfig(faulty('beta'));
    await waitFor(async () => !(await serverNames(c)).includes('everything'), 3000, 'everything to be removed');
    expect(alive(pid)).toBe(true);
    expect(text(await long)).toContain('Long running operation completed');
    await waitFor(() => !alive(pid), 5000, 'the removed server to stop');
    const r = await call(c, 'everything', 'echo', { message: 'gone' });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('unknown server "everything"');
  });

  it('an invalid edit is refused whole; the old config keeps serving and the error is shown until fixed', async () => {
    home = new Home(faulty('alpha'));
    const c = await home.client();
    const pid = Number(text(await call(c, 'alpha', 'pid')));
    fs.writeFileSync(home.configPath, 'servers:\n  alpha: [unclosed\n');
    await waitFor(async () => json(await c.callTool({ name: 'list_servers', arguments: {} })).configError, 3000, 'the YAML error');
    expect(Number(text(await call(c, 'alpha', 'pid')))).toBe(pid);
    home.writeConfig(faulty('alpha') + '  beta:\n    command: node\n    bogus: 1\n');
    await waitFor(async () => /bogus/.test(json(await c.callTool({ name: 'list_servers', arguments: {} })).configError ?? ''), 3000, 'the schema error');
    expect((await home.status()).daemon.configError).toMatch(/bogus/);
    expect(await serverNames(c)).toEqual(['alpha']);
    home.writeConfig(faulty('alpha') + faulty('beta'));
    await waitFor(async () => (await serverNames(c)).includes('beta'), 3000, 'recovery');
    expect(json(await c.callTool({ name: 'list_servers', arguments: {} })).configError).toBeUndefined();
    expect(Number(text(await call(c, 'alpha', 'pid')))).toBe(pid);
  });
});

// A daemon started by a shim on a broken config still answers, says what is wrong, and applies the fix.
describe('starting on an invalid config', () => {
  it('`mcplex start` says so and exits 2; the daemon serves no servers, shows the problems in list_servers, and picks up the fixed file', async () => {
    home = new Home(faulty('alpha'));
    fs.writeFileSync(home.configPath, 'gateway:\n  port: 0\nservers:\n  alpha:\n    command: node\n    colour: blue\n');
    const started = await home.cli(['start']);
    expect(started.code).toBe(2);
    expect(started.stdout).toMatch(/daemon started/);
    expect(started.stderr).toMatch(/config is refused.*config.yaml:6.*colour/s);
    expect(await home.cli(['start'])).toMatchObject({ code: 2, stdout: expect.stringMatching(/already running/), stderr: expect.stringMatching(/colour/) });
    const c = await home.client();
    const listed = json(await c.callTool({ name: 'list_servers', arguments: {} }));
    expect(listed.servers).toEqual([]);
    expect(listed.configError).toMatch(/config.yaml:6.*colour/);
    home.writeConfig(faulty('alpha'));
    await waitFor(async () => (await serverNames(c)).includes('alpha'), 3000, 'the fixed config');
    expect(json(await c.callTool({ name: 'list_servers', arguments: {} })).configError).toBeUndefined();
    expect((await home.cli(['start'])).code).toBe(0);
  });
});

// Files that do not exist yet are noticed when they appear.
describe('creating a watched file', () => {
  it("a workspace .mcplex.yaml created mid-session adds its servers to that workspace's sessions", async () => {
    home = new Home(faulty('alpha'));
    const ws = path.join(home.dir, 'proj');
    fs.mkdirSync(path.join(ws, '.git'), { recursive: true });
    const c = await home.client({ cwd: ws });
    expect(await serverNames(c)).toEqual(['alpha']);
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `servers:\n${faulty('local')}`);
    await home.trust(ws);
    await waitFor(async () => (await serverNames(c)).includes('local'), 3000, 'the new workspace server');
    expect(text(await call(c, 'local', 'echo', { ws: 1 }))).toContain('"ws":1');
  });
});

// A workspace .env edit replaces that workspace's credential instance and leaves the others alone.
describe('editing a workspace .env', () => {
  it('replaces only the credential instance of that workspace', async () => {
    home = new Home(servers.everything('    env: {TOKEN: "${TOKEN}"}\n    sharing: credential\n'));
    const wsA = path.join(home.dir, 'A');
    const wsB = path.join(home.dir, 'B');
    for (const [d, t] of [[wsA, 'a1'], [wsB, 'b1']] as const) {
      fs.mkdirSync(path.join(d, '.git'), { recursive: true });
      fs.writeFileSync(path.join(d, '.env'), `TOKEN=${t}\n`);
    }
    const a = await home.client({ cwd: wsA });
    const b = await home.client({ cwd: wsB });
    const token = async (c: Client) => JSON.parse(text(await call(c, 'everything', 'get-env'))).TOKEN;
    expect(await token(a)).toBe('a1');
    expect(await token(b)).toBe('b1');
    const pids = async () => Object.fromEntries((await home!.status()).instances.map((i) => [i.key, i.pid]));
    const before = await pids();
    fs.writeFileSync(path.join(wsA, '.env'), 'TOKEN=a2\n');
    await waitFor(async () => (await token(a)) === 'a2', 5000, 'A to see the new token');
    expect(await token(b)).toBe('b1');
    const after = await pids();
    const bKey = Object.keys(before).find((k) => before[k] === after[k]);
    expect(bKey).toBeDefined();
    const oldA = Object.entries(before).find(([k]) => k !== bKey)![1] as number;
    await waitFor(() => !alive(oldA), 5000, "A's old instance to stop");
  });
});
