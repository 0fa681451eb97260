// Supervision: crashes, breakers, hangs, idle reaping, memory limits, bounded framing, and a daemon that dies.
import { afterEach, describe, expect, it } from 'vitest';
import { Home, SHIM_KIND, alive, daemonsOfHome, descendants, killQuietly, servers, text, waitFor, faulty, call } from './helpers/harness.js';

/** The native-shim run repeats only what goes through the shim's own machinery (daemon death); backends are the same. */
const backendOnly = SHIM_KIND === 'native';


let home: Home | undefined;
afterEach(async () => {
  await home?.dispose();
  home = undefined;
});

async function instancePid(h: Home, server: string): Promise<number> {
  const st = await h.status();
  return st.instances.find((i) => i.server === server && i.pid)?.pid;
}

// A backend killed mid-call fails that call at once; the next call runs on a fresh process.
describe.skipIf(backendOnly)('crash during a call', () => {
  it('kill -9 during trigger-long-running-operation: error within 1 s, next call on a new pid', async () => {
    home = new Home(servers.everything());
    const c = await home.client();
    expect(text(await call(c, 'everything', 'echo', { message: 'warm' }))).toBe('Echo: warm');
    const pid = await instancePid(home, 'everything');
    const pending = call(c, 'everything', 'trigger-long-running-operation', { duration: 20, steps: 20 });
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const result = await pending;
    expect(Date.now() - killedAt).toBeLessThan(1000);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/everything.*(exited|SIGKILL)/);
    expect(text(await call(c, 'everything', 'echo', { message: 'again' }))).toBe('Echo: again');
    const next = await instancePid(home, 'everything');
    expect(next).not.toBe(pid);
    expect(alive(next)).toBe(true);
  });
});

// Repeated crashes open the circuit: calls then fail fast with the stderr tail, until `mcplex restart SERVER`.
describe.skipIf(backendOnly)('circuit breaker', () => {
  it('opens after repeated crashes, fails fast with stderr, and resets on mcplex restart', async () => {
    home = new Home(faulty('crashy', ['--crash-on-call', '1'], '    restart: {retries: 10, minDelay: 5s, maxDelay: 10s}\n'));
    const c = await home.client();
    for (let i = 0; i < 3; i++) {
      const r = await call(c, 'crashy', 'echo');
      expect(r.isError).toBe(true);
      expect(text(r)).toContain('exited with code 1');
    }
    const started = performance.now();
    const fast = await call(c, 'crashy', 'echo');
    const ms = performance.now() - started;
    expect(fast.isError).toBe(true);
    expect(text(fast)).toMatch(/unavailable.*retried in \d+s/s);
    expect(text(fast)).toContain('faulty server crashing on call 1');
    // the round trip through shim and daemon is included; the breaker itself answers without touching a process
    expect(ms).toBeLessThan(50);

    const r = await home.cli(['restart', 'crashy']);
    expect(r.code).toBe(0);
    const after = await call(c, 'crashy', 'echo');
    expect(text(after)).toContain('exited with code 1'); // tried again for real, not refused by the breaker
    expect((await home.cli(['restart', 'no-such-server'])).code).toBe(2);

    // fixing the config replaces the instance (and its breaker): the server works again
    home.writeConfig(faulty('crashy', [], '    restart: {retries: 10, minDelay: 5s, maxDelay: 10s}\n'));
    await waitFor(async () => !(await call(c, 'crashy', 'echo', { fixed: true })).isError, 5000, 'the fixed server to answer');
    expect(text(await call(c, 'crashy', 'echo', { fixed: true }))).toContain('"fixed":true');
  });
});

// Processes that ignore SIGTERM or fork grandchildren are gone after `mcplex stop`.
describe.skipIf(backendOnly)('clean stop of stubborn backends', () => {
  it('ignores-SIGTERM and grandchild fixtures leave nothing after stop', async () => {
    home = new Home(faulty('stubborn', ['--ignore-sigterm']) + faulty('forky', ['--grandchild']));
    const c = await home.client();
    expect(text(await call(c, 'stubborn', 'echo'))).toContain('echo');
    const grandchild = Number(text(await call(c, 'forky', 'grandchild')));
    expect(alive(grandchild)).toBe(true);
    const daemon = (await home.status()).daemon.pid;
    const tree = descendants(daemon).map((p) => p.pid);
    expect(tree).toContain(grandchild);
    expect((await home.cli(['stop'])).code).toBe(0);
    for (const pid of tree) expect(alive(pid)).toBe(false);
  }, 30_000);
});

// kill -9 of the daemon: clients keep their sessions through the same shim; the new daemon sweeps the old one's backends.
describe('daemon death', () => {
  it('every connected client next call succeeds; one new daemon; no orphan backend', async () => {
    home = new Home(servers.everything() + faulty('stubborn', ['--ignore-sigterm', '--grandchild']));
    const clients = await Promise.all([home.client(), home.client(), home.client()]);
    for (const c of clients) expect(text(await call(c, 'everything', 'echo', { message: 'before' }))).toBe('Echo: before');
    await call(clients[0]!, 'stubborn', 'echo');
    const old = (await home.status()).daemon.pid;
    const oldBackends = descendants(old).map((p) => p.pid);
    expect(oldBackends.length).toBeGreaterThanOrEqual(3);
    process.kill(old, 'SIGKILL');
    await waitFor(() => !alive(old), 5000, 'old daemon to die');
    // the shims notice at once and bring up a successor (a call sent before they notice would be "in flight")
    await waitFor(async () => {
      const info = home!.daemonInfo();
      if (!info || info.pid === old || !alive(info.pid)) return false;
      return (await home!.status()).sessions.length === 3;
    }, 15_000, 'the shims to reconnect to a new daemon');
    const results = await Promise.all(clients.map((c, i) => call(c, 'everything', 'echo', { message: `after ${i}` })));
    results.forEach((r, i) => expect(text(r)).toBe(`Echo: after ${i}`));
    const daemons = daemonsOfHome(home.dir);
    expect(daemons).toHaveLength(1);
    expect(daemons[0]).not.toBe(old);
    await waitFor(() => oldBackends.every((p) => !alive(p)), 10_000, 'orphans to be swept');
  }, 60_000);
});

// Idle reaping, the memory watchdog, oversized frames and garbage on stdout.
describe.skipIf(backendOnly)('limits and framing', () => {
  it('reaps an idle instance and respawns it transparently', async () => {
    home = new Home(faulty('sleepy', [], '    idleTimeout: 1s\n'));
    const c = await home.client();
    const first = Number(text(await call(c, 'sleepy', 'pid')));
    await waitFor(() => !alive(first), 8000, 'idle instance to be reaped');
    const second = Number(text(await call(c, 'sleepy', 'pid')));
    expect(second).not.toBe(first);
  });

  it('never reaps an instance with a call in flight', async () => {
    home = new Home(servers.everything('    idleTimeout: 1s\n'));
    const c = await home.client();
    const r = await call(c, 'everything', 'trigger-long-running-operation', { duration: 4, steps: 2 });
    expect(text(r)).toContain('Long running operation completed');
  });

  it('restarts an instance whose process tree passes limits.memoryMB, with the reason in status', async () => {
    home = new Home(faulty('leaky', ['--leak-mb', '200'], '    limits: {memoryMB: 150}\n'));
    const c = await home.client();
    const pid = Number(text(await call(c, 'leaky', 'pid')));
    await call(c, 'leaky', 'leak');
    await waitFor(() => !alive(pid), 10_000, 'the leaky instance to be restarted');
    expect(Number(text(await call(c, 'leaky', 'pid')))).not.toBe(pid);
    const inst = (await home.status()).instances.find((i) => i.server === 'leaky');
    expect(inst?.lastError ?? '').toMatch(/over limits.memoryMB 150/);
    expect(inst?.restarts).toBeGreaterThanOrEqual(1);
  });

  it('a 20 MB line is an error for that call; the daemon and the backend stay up', async () => {
    home = new Home(faulty('big', ['--huge-line', '20']));
    const c = await home.client();
    const r = await call(c, 'big', 'huge');
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('frame limit');
    expect(text(await call(c, 'big', 'echo', { after: 'huge' }))).toContain('after');
  });

  it('garbage on a backend stdout is skipped', async () => {
    home = new Home(faulty('noisy', ['--garbage']));
    const c = await home.client();
    expect(text(await call(c, 'noisy', 'echo', { ok: 1 }))).toContain('"ok":1');
  });

  it('a backend that never answers initialize fails with a start timeout and its stderr', async () => {
    home = new Home(faulty('mute', ['--never-answer']), '  startTimeout: 1s\n');
    const c = await home.client();
    const r = await call(c, 'mute', 'echo');
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/did not finish initialize within startTimeout/);
    expect(text(r)).toContain('faulty server');
  });

  it('a call that gets no answer fails after callTimeout and is never retried', async () => {
    home = new Home(faulty('hung', ['--hang-after-init'], '    callTimeout: 1s\n'));
    const c = await home.client();
    const started = Date.now();
    const r = await call(c, 'hung', 'echo');
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/timed out after 1000 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
    const inst = (await home.status()).instances.find((i) => i.server === 'hung');
    expect(inst?.calls).toBe(1);
  });

  it('an instance that stops answering ping is recycled', async () => {
    home = new Home(faulty('hung', ['--hang-after-init']));
    const c = await home.client({ env: { MCPLEX_PING_INTERVAL_MS: '500' } });
    await c.callTool({ name: 'describe_tool', arguments: { server: 'hung', tool: 'echo' } });
    const pid = (await home.status()).instances.find((i) => i.server === 'hung')?.pid as number;
    expect(alive(pid)).toBe(true);
    await waitFor(() => !alive(pid), 10_000, 'the hung instance to be recycled');
    const inst = (await home.status()).instances.find((i) => i.server === 'hung');
    expect(inst).toBeUndefined();
  });

  it('a slow starter within startTimeout works', async () => {
    home = new Home(faulty('slow', ['--slow-start', '1500']));
    const c = await home.client();
    expect(text(await call(c, 'slow', 'echo', { x: 1 }))).toContain('"x":1');
  });
});

// A bounded soak: many sessions, many calls, backends killed at random; every request is answered, nothing leaks.
describe.skipIf(backendOnly)('soak', () => {
  it('20 sessions x 200 calls with random backend kills', async () => {
    // a generous restart budget: the killer, not the server, is at fault here
    home = new Home(servers.everything('    restart: {retries: 1000, minDelay: 100ms, maxDelay: 1s}\n'));
    const clients = await Promise.all(Array.from({ length: 20 }, () => home!.client()));
    let stop = false;
    let kills = 0;
    const killer = (async () => {
      while (!stop) {
        await new Promise((r) => setTimeout(r, 400 + Math.random() * 400));
        const st = await home!.status().catch(() => undefined);
        const pid = st?.instances.find((i) => i.server === 'everything' && i.pid)?.pid;
        if (pid && !stop) {
          killQuietly(pid, 'SIGKILL');
          kills++;
        }
      }
    })();
    let ok = 0;
    let errors = 0;
    await Promise.all(
      clients.map(async (c, s) => {
        for (let i = 0; i < 200; i++) {
          const r = await call(c, 'everything', 'echo', { message: `${s}-${i}` });
          if (r.isError) {
            errors++;
            expect(text(r)).toMatch(/everything|backend/);
          }
          else {
            expect(text(r)).toBe(`Echo: ${s}-${i}`);
            ok++;
          }
        }
      }),
    );
    stop = true;
    await killer;
    expect(ok + errors).toBe(4000);
    expect(kills).toBeGreaterThan(0);
    expect(ok).toBeGreaterThan(0);
    // once the killing stops, the service is whole again
    expect(text(await call(clients[0]!, 'everything', 'echo', { message: 'after soak' }))).toBe('Echo: after soak');
    await Promise.all(clients.map((c) => c.close()));
    const st = await waitFor(async () => {
      const s = await home!.status();
      return s.sessions.length === 0 ? s : undefined;
    }, 10_000, 'sessions to close');
    const daemon = st.daemon.pid;
    // zero leaked processes: the only backend left is the current instance, and stop ends it
    const backends = descendants(daemon);
    expect(backends.filter((p) => p.cmd.includes('server-everything')).length).toBeLessThanOrEqual(1);
    expect((await home.cli(['stop'])).code).toBe(0);
    expect(alive(daemon)).toBe(false);
    for (const p of backends) expect(alive(p.pid)).toBe(false);
  }, 180_000);
});
