// A temporary MCPLEX_HOME for one mcplex scenario: config, CLI, shims (raw or SDK), process accounting, cleanup.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, NODE, cleanEnv, removeDir, shimArgv, sleep, tempDir, waitFor } from './env.mjs';
import { LineClient } from './jsonl.mjs';
import { serverSpecs, serversYaml } from './servers.mjs';
import { alive, descendants, killQuietly, procEntries, processesOfHome, tree } from './procs.mjs';

const run = promisify(execFile);

/** Homes not yet disposed, for cleanup on an interrupt. */
export const liveHomes = new Set();

export class McplexHome {
  /** `pick` limits the servers configured (names); all three by default. */
  constructor(pick) {
    this.dir = tempDir('home');
    this.specs = serverSpecs(this.dir).filter((s) => !pick || pick.includes(s.name));
    fs.writeFileSync(path.join(this.dir, 'config.yaml'), `gateway:\n  port: 0\n  host: 127.0.0.1\nservers:\n${serversYaml(this.specs)}`);
    this.clients = [];
    this.seen = new Set();
    liveHomes.add(this);
  }

  env(extra = {}) {
    return cleanEnv({ MCPLEX_HOME: this.dir, MCPLEX_PORT: '0', ...extra });
  }

  /** Runs the CLI; never rejects on a non-zero exit. */
  async cli(args, ms = 60_000) {
    try {
      const { stdout, stderr } = await run(NODE, [CLI, ...args], { env: this.env(), cwd: this.dir, timeout: ms });
      return { code: 0, stdout, stderr };
    } catch (e) {
      return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(e) };
    }
  }

  info() {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, 'daemon.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Starts the daemon in the background and waits until it is listed. */
  async start() {
    const r = await this.cli(['start']);
    if (r.code !== 0) throw new Error(`mcplex start failed: ${r.stderr}`);
    const info = await waitFor(() => { const i = this.info(); return i && alive(i.pid) ? i : undefined; }, 30_000, 'daemon.json');
    this.seen.add(info.pid);
    return info;
  }

  daemonPid() {
    const i = this.info();
    return i && alive(i.pid) ? i.pid : undefined;
  }

  /** A real shim (the Node one, or `kind` 'native') with raw stdio (not yet initialized). */
  shimLine(args = [], kind = 'node') {
    const [command, argv] = shimArgv(kind, args);
    const child = spawn(command, argv, { cwd: this.dir, env: this.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    const c = new LineClient(child);
    this.clients.push(c);
    return c;
  }

  /** Records a client to close on dispose (SDK clients made elsewhere). */
  track(client) {
    this.clients.push(client);
    return client;
  }

  /** The daemon, its descendants (backends), and every shim of this home that is our descendant. */
  processes() {
    const all = procEntries();
    const pid = this.daemonPid();
    const set = new Map();
    if (pid) for (const e of tree(pid, all)) set.set(e.pid, e);
    for (const e of descendants(process.pid, all)) if (/mcplex\.js (shim|serve)|mcplex-shim/.test(e.cmd)) set.set(e.pid, e);
    const list = [...set.values()];
    for (const e of list) this.seen.add(e.pid);
    return list;
  }

  /** Closes every client, stops the daemon, kills what is left of this home, removes the directory. */
  async dispose() {
    this.processes();
    await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
    const r = await this.cli(['stop']);
    if (r.code !== 0 && !/not running|no daemon/i.test(r.stderr + r.stdout)) process.stderr.write(`  (mcplex stop: ${r.stderr.trim().split('\n')[0]})\n`);
    let left = [...this.seen].filter(alive).length + processesOfHome(this.dir).length;
    for (let i = 0; i < 40 && left; i++) {
      await sleep(100);
      left = [...this.seen].filter(alive).length;
    }
    for (const e of processesOfHome(this.dir)) killQuietly(e.pid);
    for (const pid of this.seen) if (alive(pid)) killQuietly(pid);
    try {
      removeDir(this.dir);
    } catch {
      // left in liveDirs: the run's cleanup check retries and reports it
    }
    liveHomes.delete(this);
    return left;
  }

  /** Interrupt path: kills every process of this home at once (daemon, backends, shims) and removes it. */
  killNow() {
    const pid = this.daemonPid();
    if (pid) for (const e of tree(pid)) this.seen.add(e.pid);
    for (const e of processesOfHome(this.dir)) this.seen.add(e.pid);
    for (const p of this.seen) killQuietly(p);
    try {
      removeDir(this.dir);
    } catch {
      // reported by the run's cleanup check
    }
    liveHomes.delete(this);
  }
}
