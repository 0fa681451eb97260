// `mcplex tools`, `mcplex call` and `mcplex logs` against a real daemon and real servers.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Home, killQuietly, servers, waitFor } from './helpers/harness.js';

const run = promisify(execFile);

describe('mcplex tools / call', () => {
  let home: Home;

  beforeAll(() => {
    home = new Home(servers.everything());
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('tools starts the daemon and lists every server with its tools', async () => {
    expect(home.daemonInfo()).toBeUndefined();
    const r = await home.cli(['tools']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^everything\s+\(\d+ tools\)/m);
    expect(r.stdout).toMatch(/^\s+echo\s+Echoes back the input/m);
    expect(r.stdout).toMatch(/^\s+get-sum\s+/m);
    expect(home.daemonInfo()?.pid).toBeGreaterThan(0);
  });

  it('tools SERVER --json lists that server only', async () => {
    const r = await home.cli(['tools', 'everything', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.servers).toHaveLength(1);
    expect(out.servers[0].name).toBe('everything');
    const echo = out.servers[0].tools.find((t: { name: string }) => t.name === 'echo');
    expect(echo.description).toMatch(/echo/i);
    expect(echo.description).not.toContain('\n');
  });

  it('tools with an unknown server exits 2 and names the servers there are', async () => {
    const r = await home.cli(['tools', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown server "nope"');
    expect(r.stderr).toContain('everything');
  });

  it('call with k=v prints the text result', async () => {
    const r = await home.cli(['call', 'everything', 'echo', 'message=hi']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('Echo: hi');
  });

  it('call parses k=v values as JSON when they parse (numbers)', async () => {
    const r = await home.cli(['call', 'everything', 'get-sum', 'a=2', 'b=3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\b5\b/);
  });

  it('call --json passes an arguments object; k=v may add keys but not contradict them', async () => {
    const r = await home.cli(['call', 'everything', 'echo', '--json', '{"message":"x"}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('Echo: x');
    const same = await home.cli(['call', 'everything', 'echo', '--json', '{"message":"x"}', 'message=x']);
    expect(same.stdout.trim()).toBe('Echo: x');
    const contradicts = await home.cli(['call', 'everything', 'echo', '--json', '{"message":"x"}', 'message=y']);
    expect(contradicts.code).toBe(2);
    expect(contradicts.stderr).toContain('"message" is given twice, differently');
    expect(contradicts.stdout).toBe('');
  });

  it('describe prints a tool\'s description, arguments and input schema; a failed call points to it', async () => {
    const r = await home.cli(['describe', 'everything', 'get-sum']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^everything\/get-sum/);
    expect(r.stdout).toMatch(/^arguments:$/m);
    expect(r.stdout).toMatch(/^\s+a\s+number, required/m);
    expect(r.stdout).toContain('call it: mcplex call everything get-sum a=… b=…');
    const schema = JSON.parse(r.stdout.slice(r.stdout.indexOf('input schema:') + 'input schema:'.length));
    expect(schema.properties).toHaveProperty('a');
    const asJson = JSON.parse((await home.cli(['describe', 'everything', 'get-sum', '--json'])).stdout);
    expect(asJson).toMatchObject({ server: 'everything', name: 'get-sum' });
    const unknown = await home.cli(['describe', 'everything', 'no-such-tool']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no-such-tool');
    const bad = await home.cli(['call', 'everything', 'get-sum', 'a=oops']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('`mcplex describe everything get-sum`');
  });

  it('call prints structuredContent as JSON', async () => {
    const r = await home.cli(['call', 'everything', 'get-structured-content', 'location=Chicago']);
    expect(r.code, r.stderr).toBe(0);
    const json = r.stdout.slice(r.stdout.indexOf('{\n'));
    expect(JSON.parse(json)).toHaveProperty('temperature');
  });

  it('usage errors exit 2 without calling anything: a bad k=v, bad --json', async () => {
    for (const args of [['nokey'], ['=value'], ['--json', '{not json'], ['--json', '[1,2]']]) {
      const r = await home.cli(['call', 'everything', 'echo', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/KEY=VALUE|--json/);
    }
    const unknown = await home.cli(['call', 'nope', 'echo', 'message=hi']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown server "nope"');
  });

  it('a result with isError exits 1 and prints its text to stderr', async () => {
    const r = await home.cli(['call', 'everything', 'no-such-tool']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no-such-tool/);
  });

  it('resolves workspace servers from the current directory', async () => {
    const ws = path.join(home.dir, 'project');
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `servers:\n${servers.everything().replace('  everything:', '  wsecho:')}`);
    await home.trust(ws);
    const { stdout } = await run(process.execPath, [CLI, 'call', 'wsecho', 'echo', 'message=from-ws'], { cwd: ws, env: home.env(), timeout: 60_000 });
    expect(stdout.trim()).toBe('Echo: from-ws');
    const outside = await home.cli(['tools', 'wsecho']);
    expect(outside.code).toBe(2);
  });
});

describe('mcplex logs', () => {
  let home: Home;
  const memoryFile = path.join('/tmp', `mcplex-logs-test-${process.pid}.jsonl`);

  beforeAll(async () => {
    home = new Home(servers.everything() + servers.memory(memoryFile));
    expect((await home.cli(['call', 'everything', 'echo', 'message=hi'])).code).toBe(0);
  });

  afterAll(async () => {
    await home.dispose();
    fs.rmSync(memoryFile, { force: true });
  });

  const parse = (out: string) =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('prints the last lines as JSON when stdout is not a terminal, mentioning a server after it was used', async () => {
    const lines = await waitFor(async () => {
      const r = await home.cli(['logs']);
      const recs = parse(r.stdout);
      return recs.some((l) => l.server === 'everything') ? recs : undefined;
    }, 10_000, 'a log line about everything');
    expect(lines.length).toBeLessThanOrEqual(50);
    expect(lines.every((l) => typeof l.msg === 'string' && typeof l.level === 'number')).toBe(true);
  });

  it('--server filters and -n limits', async () => {
    const r = await home.cli(['logs', '--server', 'everything']);
    const recs = parse(r.stdout);
    expect(recs.length).toBeGreaterThan(0);
    expect(recs.every((l) => l.server === 'everything')).toBe(true);
    expect(parse((await home.cli(['logs', '--server', 'memory'])).stdout)).toHaveLength(0);
    expect(parse((await home.cli(['logs', '-n', '1'])).stdout)).toHaveLength(1);
  });

  it('--level keeps lines at that level and above', async () => {
    const all = parse((await home.cli(['logs', '-n', '500'])).stdout);
    expect(all.some((l) => (l.level as number) < 40)).toBe(true);
    const warn = parse((await home.cli(['logs', '-n', '500', '--level', 'warn'])).stdout);
    expect(warn.every((l) => (l.level as number) >= 40)).toBe(true);
    const info = parse((await home.cli(['logs', '-n', '500', '--level', 'info'])).stdout);
    expect(info.length).toBeGreaterThan(warn.length);
  });

  it('-f follows new lines and reopens the file after rotation', async () => {
    const log = path.join(home.dir, 'logs', 'mcplex.log');
    const child = spawn(process.execPath, [CLI, 'logs', '-f', '-n', '0', '--server', 'memory'], { env: home.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect((await home.cli(['call', 'memory', 'read_graph'])).code).toBe(0);
      await waitFor(() => out.includes('"server":"memory"'), 10_000, 'a followed line about memory');
      expect(parse(out).every((l) => l.server === 'memory')).toBe(true);
      // Rotation: the daemon moves the log aside and starts a new file.
      fs.renameSync(log, `${log}.1`);
      fs.writeFileSync(log, JSON.stringify({ level: 30, time: Date.now(), server: 'memory', msg: 'after rotation' }) + '\n');
      await waitFor(() => out.includes('after rotation'), 10_000, 'the line from the new file');
    } finally {
      killQuietly(child.pid!, 'SIGTERM');
    }
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  });
});

// Every usage error prints what is wrong and exits 2, without doing anything.
describe('usage errors', () => {
  let home: Home;

  beforeAll(() => {
    home = new Home(servers.everything());
  });

  afterAll(async () => {
    await home.dispose();
  });

  it.each([
    [['serve', '--port', 'abc'], /--port <n>' argument 'abc' is invalid\. expected a port number/],
    [['serve', '--port', '70000'], /argument '70000' is invalid/],
    [['logs', '-n', 'abc'], /--lines <n>' argument 'abc' is invalid\. expected a whole number/],
    [['logs', '--server', 'nosuch'], /unknown server "nosuch": it is not configured \(servers: everything\)/],
    [['logs', '--level', 'loud'], /--level must be one of trace, debug, info, warn, error, fatal/],
    [['call', 'everything', 'echo', '--json', '{"message":"a"}', 'message=b'], /"message" is given twice, differently/],
    [['call', 'everything', 'echo', 'novalue'], /KEY=VALUE/],
    [['add', 'bad name', '--', 'node'], /must match \[A-Za-z0-9_-\]\+/],
    [['add', 'x', '--scope', 'elsewhere'], /--scope must be workspace or global/],
    [['nosuchcommand'], /unknown command 'nosuchcommand'/],
  ])('mcplex %j', async (args, message) => {
    const r = await home.cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe('');
  });

  it('started no daemon', () => {
    expect(home.daemonInfo()).toBeUndefined();
  });
});
