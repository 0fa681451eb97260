// Process identity (§2, §8): a recorded pid is trusted only with its start time. After a crash or reboot, when the
// old pids now belong to unrelated live processes, start starts, shims work, stop and the sweep signal nothing of theirs.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Home, alive, killQuietly, servers, text } from './helpers/harness.js';

let home: Home | undefined;
const strangers: ChildProcess[] = [];

afterEach(async () => {
  await home?.dispose();
  home = undefined;
  for (const s of strangers.splice(0)) killQuietly(-s.pid!, 'SIGKILL');
});

/** An unrelated long-lived process leading its own process group (as a reused pid would be). */
function stranger(): number {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  strangers.push(child);
  return child.pid!;
}

/** The boot id part of an identity, so a forged one differs only by start time (as after a restart of that pid). */
function forgedIdentity(): string {
  return `linux:${fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:1`;
}

describe('stale records whose pids now belong to unrelated processes', () => {
  it('start starts a daemon, shims work at once, and neither stop nor the orphan sweep touch those processes', { timeout: 90_000 }, async () => {
    home = new Home(servers.everything());
    const daemonPid = stranger();
    const backendPid = stranger();
    const identity = forgedIdentity();
    const startedAt = new Date(Date.now() - 3_600_000).toISOString();
    fs.writeFileSync(path.join(home.dir, 'daemon.lock'), JSON.stringify({ pid: daemonPid, identity, startedAt }));
    fs.writeFileSync(
      path.join(home.dir, 'daemon.json'),
      JSON.stringify({ pid: daemonPid, identity, socket: path.join(home.dir, 'mcplex.sock'), port: 1, url: 'http://127.0.0.1:1', token: 'stale', version: '0.0.0', startedAt, configPath: home.configPath }),
    );
    fs.mkdirSync(path.join(home.dir, 'run'), { recursive: true });
    const record = path.join(home.dir, 'run', `backend-${backendPid}.json`);
    fs.writeFileSync(record, JSON.stringify({ pgid: backendPid, identity, daemonPid, daemonIdentity: identity, server: 'everything', startedAt }));

    // `stop` with only stale records signals nothing.
    const stop0 = await home.cli(['stop']);
    expect(stop0.stdout).toContain('not running');
    expect(alive(daemonPid)).toBe(true);

    const start = await home.cli(['start']);
    expect(start.code).toBe(0);
    expect(start.stdout).toContain('daemon started');
    const info = home.daemonInfo()!;
    expect(info.pid).not.toBe(daemonPid);
    expect(fs.existsSync(record)).toBe(false); // the sweep cleared the record…
    expect(alive(backendPid)).toBe(true); // …and left the unrelated process group alone

    const c = await home.client();
    expect(text(await c.callTool({ name: 'call_tool', arguments: { server: 'everything', tool: 'echo', arguments: { message: 'fresh' } } }))).toBe('Echo: fresh');

    const stop = await home.cli(['stop']);
    expect(stop.stdout).toContain(`stopped (pid ${info.pid})`);
    expect(alive(info.pid)).toBe(false);
    expect(alive(daemonPid)).toBe(true);
    expect(alive(backendPid)).toBe(true);
  });

  it('records from before this release (no identity) are not trusted either', async () => {
    home = new Home('');
    const pid = stranger();
    fs.writeFileSync(path.join(home.dir, 'daemon.lock'), JSON.stringify({ pid, startedAt: new Date().toISOString() }));
    const start = await home.cli(['start']);
    expect(start.stdout).toContain('daemon started');
    expect(alive(pid)).toBe(true);
  });

  it('an orphan whose leader is the very process recorded is still stopped by the sweep', { timeout: 60_000 }, async () => {
    home = new Home('');
    const pid = stranger();
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const identity = `linux:${fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
    fs.mkdirSync(path.join(home.dir, 'run'), { recursive: true });
    fs.writeFileSync(path.join(home.dir, 'run', `backend-${pid}.json`), JSON.stringify({ pgid: pid, identity, daemonPid: 1, daemonIdentity: 'gone', server: 'x', startedAt: '' }));
    expect((await home.cli(['start'])).code).toBe(0);
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  });
});
