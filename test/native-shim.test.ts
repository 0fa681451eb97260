// The native shim next to the Node shim: the same transcript through a daemon killed mid-call, the same usage
// errors, the same hello for an environment holding any bytes, and a build that never fails an install.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findCompiler } from '../native/build.mjs';
import { Home, NATIVE_SHIM, ROOT, RawShim, alive, faulty, json, servers, shimCommand, waitFor } from './helpers/harness.js';

const KINDS = ['node', 'native'] as const;
type Kind = (typeof KINDS)[number];
const INIT = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };

let homes: Home[] = [];
afterEach(async () => {
  await Promise.all(homes.map((h) => h.dispose()));
  homes = [];
});
function newHome(serversYaml: string): Home {
  const home = new Home(serversYaml);
  homes.push(home);
  return home;
}

/** What a client saw, without the parts that differ from run to run (ids of requests, result bodies). */
function transcript(shim: RawShim): Array<Record<string, unknown>> {
  return shim.lines.map((m) => (m.error ? { id: m.id, code: m.error.code, message: m.error.message } : { id: m.id, method: m.method, result: m.result !== undefined }));
}

describe.skipIf(!findCompiler())('the native shim beside the Node shim', () => {
  it('survives a daemon kill -9 mid-call exactly as the Node shim does', { timeout: 120_000 }, async () => {
    const home = newHome(servers.everything());
    const shims = Object.fromEntries(KINDS.map((k) => [k, home.rawShim(home.dir, k)])) as Record<Kind, RawShim>;
    const stderr: Record<Kind, string> = { node: '', native: '' };
    for (const k of KINDS) shims[k].child.stderr!.on('data', (d) => (stderr[k] += d));
    for (const s of Object.values(shims)) {
      s.send({ id: 1, method: 'initialize', params: INIT });
      await s.next((m) => m.id === 1 && m.result);
      s.send({ method: 'notifications/initialized' });
      s.send({ id: 2, method: 'logging/setLevel', params: { level: 'debug' } });
      await s.next((m) => m.id === 2);
      s.send({ id: 3, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'everything', tool: 'trigger-long-running-operation', arguments: { duration: 30, steps: 3 } } } });
    }
    const old = home.daemonInfo()!.pid;
    await waitFor(async () => (await home.status()).instances.some((i) => i.inFlight === 2), 30_000, 'both calls in flight at the backend');
    process.kill(old, 'SIGKILL');

    // Each shim answers the call in flight at once, reconnects on its own and replays the handshake.
    for (const s of Object.values(shims)) {
      const lost = await s.next((m) => m.id === 3, 10_000);
      expect(lost.error).toMatchObject({ code: -32000, message: expect.stringContaining('connection lost') });
    }
    await waitFor(async () => {
      const info = home.daemonInfo();
      return info && info.pid !== old && alive(info.pid) && (await home.status()).sessions.length === 2;
    }, 30_000, 'both shims on a new daemon');
    for (const s of Object.values(shims)) {
      s.send({ id: 4, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'everything', tool: 'echo', arguments: { message: 'after' } } } });
      expect((await s.next((m) => m.id === 4)).result.content[0].text).toBe('Echo: after');
    }
    // The new daemon knows each client by the replayed initialize alone.
    expect((await home.status()).sessions.map((s) => s.client)).toEqual(['raw', 'raw']);
    expect(transcript(shims.native)).toEqual(transcript(shims.node));
    expect(shims.native.lines.filter((m) => String(m.id).startsWith('mcplex-replay-'))).toEqual([]);
    expect(stderr.native).toBe(stderr.node);
  });

  it('a client that stops reading: the shim stops reading the daemon, the daemon cuts that session, the shim goes on', { timeout: 180_000 }, async () => {
    const home = newHome(faulty('big', ['--huge-line', '6']));
    for (const kind of KINDS) {
      const s = home.rawShim(home.dir, kind);
      s.send({ id: 1, method: 'initialize', params: INIT });
      await s.next((m) => m.id === 1 && m.result);
      s.send({ method: 'notifications/initialized' });
      const sessions = (await home.status()).sessions.length;
      s.child.stdout!.pause(); // the client stops reading
      for (let id = 2; id <= 13; id++) s.send({ id, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'big', tool: 'huge' } } });
      // 12 answers of 6 MB: past its 32 MiB cap the daemon closes the session; the shim holds little of it meanwhile.
      let peak = 0;
      await waitFor(async () => {
        peak = Math.max(peak, Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${s.child.pid}/status`, 'utf8'))![1]) / 1024);
        return (await home.status()).sessions.length < sessions;
      }, 120_000, `the daemon to close the ${kind} shim's session`);
      expect(peak, `${kind} shim peak RSS (MB)`).toBeLessThan(kind === 'native' ? 40 : 150);
      s.child.stdout!.resume();
      // Every request gets an answer (its result, the daemon's error for an answer past the client's backlog, or the
      // shim's connection-lost error once the session is cut), and the session goes on.
      for (let id = 2; id <= 13; id++) {
        const r = await s.next((m) => m.id === id, 60_000);
        expect(r.result ?? r.error.message).toEqual(r.result ? expect.anything() : expect.stringMatching(/connection lost|could not deliver the answer/));
      }
      s.send({ id: 14, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'big', tool: 'echo', arguments: { still: 'here' } } } });
      expect(JSON.stringify((await s.next((m) => m.id === 14, 30_000)).result)).toContain('still');
      await s.close();
    }
  });

  it('answers usage errors with the same words and exit codes', async () => {
    for (const args of [['--surface', 'bogus'], ['--surface'], ['--bogus'], ['--workspace=/tmp', 'extra'], ['--workspace', '/nonexistent/dir'], ['--workspace'], ['--workspace', '/etc/hostname'], ['--help']]) {
      const runs = KINDS.map((k) => {
        const { command, args: full } = shimCommand(args, k);
        const r = spawnSync(command, full, { encoding: 'utf8', input: '', timeout: 20_000 });
        return { status: r.status, stderr: r.stderr, stdout: r.stdout };
      });
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[0]!.status).toBe(args[0] === '--help' ? 0 : 2);
      expect(runs[0]!.stderr).toMatch(/^mcplex shim: |^usage: mcplex shim/);
      if (args[0] === '--workspace') expect(runs[0]!.stderr).toMatch(/--workspace must be an existing directory \(got (\/nonexistent\/dir|nothing|\/etc\/hostname)\)/);
    }
  });

  it('sends an environment holding quotes, control characters and invalid UTF-8 as valid JSON, as Node decodes it', { timeout: 90_000 }, async () => {
    const home = newHome(servers.everything('    env: {WEIRD: "${WEIRD}"}\n    sharing: session\n'));
    expect((await home.cli(['start'])).code).toBe(0); // the daemon's own environment has no WEIRD
    const raw = Buffer.concat([Buffer.from('A"B\\C\x01\t\n\x7f é 😀 '), Buffer.from([0xff]), Buffer.from('x'), Buffer.from([0xe2, 0x82]), Buffer.from('y')]);
    const file = path.join(home.dir, 'weird.bin');
    fs.writeFileSync(file, raw);
    const seen: Record<string, string> = {};
    for (const k of KINDS) {
      const { command, args } = shimCommand([], k);
      const child = spawn('/bin/sh', ['-c', 'WEIRD="$(cat "$0")" exec "$@"', file, command, ...args], { cwd: home.dir, env: home.env(), stdio: ['pipe', 'pipe', 'pipe'] });
      const s = new RawShim(child);
      try {
        s.send({ id: 1, method: 'initialize', params: INIT });
        await s.next((m) => m.id === 1 && m.result);
        s.send({ method: 'notifications/initialized' });
        s.send({ id: 2, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'everything', tool: 'get-env', arguments: {} } } });
        seen[k] = json((await s.next((m) => m.id === 2)).result).WEIRD;
      } finally {
        await s.close();
      }
    }
    expect(seen.node).toBe('A"B\\C\u0001\t\n\u007f é 😀 \uFFFDx\uFFFDy');
    expect(seen.native).toBe(seen.node);
  });

  it('mcplex setup registers the native shim where it is built, and the Node shim where none is', () => {
    const scratch = fs.mkdtempSync(path.join(ROOT, '.mcplex-test-'));
    try {
      const setupCursor = (cli: string) => {
        const user = fs.mkdtempSync(path.join(scratch, 'user-'));
        const r = spawnSync(process.execPath, [cli, 'setup', 'cursor'], { encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: user, MCPLEX_HOME: path.join(user, '.mcplex') } });
        expect(r.status, r.stderr).toBe(0);
        return JSON.parse(fs.readFileSync(path.join(user, '.cursor/mcp.json'), 'utf8')).mcpServers.mcplex;
      };
      expect(setupCursor(path.join(ROOT, 'dist/bin/mcplex.js'))).toEqual({ command: NATIVE_SHIM, args: [] });
      // An install without the native shim and without its sources (so nothing to build): the Node shim.
      fs.cpSync(path.join(ROOT, 'dist'), path.join(scratch, 'dist'), { recursive: true, filter: (f) => !path.relative(path.join(ROOT, 'dist'), f).startsWith('native') });
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(scratch, 'package.json'));
      const cli = path.join(scratch, 'dist/bin/mcplex.js');
      expect(setupCursor(cli)).toEqual({ command: process.execPath, args: [cli, 'shim'] });
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('builds with the compiler found, and an install without one (or with a broken one) still succeeds', () => {
    expect(fs.statSync(NATIVE_SHIM).mode & 0o111).not.toBe(0);
    const build = path.join(ROOT, 'native/build.mjs');
    const empty = fs.mkdtempSync(path.join(ROOT, '.mcplex-test-'));
    try {
      const none = spawnSync(process.execPath, [build], { encoding: 'utf8', env: { PATH: empty, HOME: empty } });
      expect(none.status).toBe(0);
      expect(none.stderr).toMatch(/native shim not built \(no C compiler found.*\); the Node shim serves/);
      // A compiler that answers --version but cannot compile.
      const cc = path.join(empty, 'cc');
      fs.writeFileSync(cc, '#!/bin/sh\n[ "$1" = --version ] && exit 0\necho "cc: broken" >&2\nexit 1\n', { mode: 0o755 });
      const broken = spawnSync(process.execPath, [build], { encoding: 'utf8', env: { PATH: `${empty}:/bin:/usr/bin`, HOME: empty, CC: cc } });
      expect(broken.status).toBe(0);
      expect(broken.stderr).toMatch(/native shim not built \(.*cc failed: cc: broken\); the Node shim serves/);
      expect(fs.existsSync(NATIVE_SHIM)).toBe(true); // the last good build is left alone
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
