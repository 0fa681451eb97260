// Test harness: a temporary MCPLEX_HOME, real `mcplex shim` processes driven by real SDK clients, and process accounting.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { procEntries } from '../../scripts/bench/procs.mjs';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = path.join(ROOT, 'dist/bin/mcplex.js');
/** The native shim (built by `npm run build` where a C compiler is present). */
export const NATIVE_SHIM = path.join(ROOT, 'dist/native/mcplex-shim');
/** Which shim the harness launches: MCPLEX_TEST_SHIM=native makes every shim the native binary (vitest.config.ts). */
export const SHIM_KIND: 'node' | 'native' = process.env.MCPLEX_TEST_SHIM === 'native' ? 'native' : 'node';

/** What `mcplex setup` registers: the native shim where it is built, else the Node shim. */
export function registeredShim(): { command: string; args: string[] } {
  return shimCommand([], fs.existsSync(NATIVE_SHIM) ? 'native' : 'node');
}

/** The command line of a shim of the kind under test (or of `kind`), with its arguments. */
export function shimCommand(args: string[] = [], kind = SHIM_KIND): { command: string; args: string[] } {
  if (kind === 'node') return { command: process.execPath, args: [CLI, 'shim', ...args] };
  if (!fs.existsSync(NATIVE_SHIM)) throw new Error(`${NATIVE_SHIM} is missing: \`npm run build\` builds it where a C compiler is present`);
  return { command: NATIVE_SHIM, args };
}
const run = promisify(execFile);

/** Absolute entry file of an npm MCP server package (a devDependency). */
export function serverEntry(pkg: 'everything' | 'memory' | 'filesystem'): string {
  return require.resolve(`@modelcontextprotocol/server-${pkg}/dist/index.js`);
}

/** The misbehaving fixture server (flags choose its faults). */
export const FAULTY = path.join(ROOT, 'test/fixtures/faulty-server.mjs');

/** A config entry for the faulty fixture server, with extra YAML lines for the entry. */
export function faulty(name: string, flags: string[] = [], extra = ''): string {
  return `  ${name}:\n    command: ${process.execPath}\n    args: [${[FAULTY, ...flags].map((a) => JSON.stringify(a)).join(', ')}]\n${extra}`;
}

/** call_tool through the meta surface. */
export function call(c: Client, server: string, tool: string, args: Record<string, unknown> = {}) {
  return c.callTool({ name: 'call_tool', arguments: { server, tool, arguments: args } }, undefined, { timeout: 60_000 });
}

/** The server names list_servers shows. */
export async function serverNames(c: Client): Promise<string[]> {
  return json(await c.callTool({ name: 'list_servers', arguments: {} })).servers.map((s: { name: string }) => s.name);
}

/** Config snippets for the real servers. */
export const servers = {
  everything: (extra = '') => `  everything:\n    command: ${process.execPath}\n    args: [${serverEntry('everything')}, stdio]\n${extra}`,
  memory: (file: string, extra = '') =>
    `  memory:\n    command: ${process.execPath}\n    args: [${serverEntry('memory')}]\n    env: {MEMORY_FILE_PATH: ${file}}\n${extra}`,
  filesystem: (dir: string, extra = '') => `  filesystem:\n    command: ${process.execPath}\n    args: [${serverEntry('filesystem')}, ${dir}]\n${extra}`,
};

/** A temporary MCPLEX_HOME with a config.yaml; dispose() stops its daemon and removes everything. */
export class Home {
  readonly dir: string;
  private readonly clients: Array<{ close(): Promise<void> }> = [];

  constructor(serversYaml: string, gatewayYaml = '') {
    this.dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-test-')));
    this.writeConfig(serversYaml, gatewayYaml);
  }

  get configPath(): string {
    return path.join(this.dir, 'config.yaml');
  }

  writeConfig(serversYaml: string, gatewayYaml = ''): void {
    fs.writeFileSync(this.configPath, `gateway:\n  port: 0\n${gatewayYaml}servers:\n${serversYaml || '  {}\n'}`);
  }

  /** Environment for a CLI or shim process of this home. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('MCPLEX_')) base[k] = v;
    return { ...base, MCPLEX_HOME: this.dir, MCPLEX_PORT: '0', ...extra };
  }

  /** A real SDK client connected through a real `mcplex shim` process. */
  async client(opts: { cwd?: string; surface?: string; env?: Record<string, string>; name?: string; capabilities?: Record<string, unknown> } = {}): Promise<Client> {
    const { command, args } = shimCommand(opts.surface ? ['--surface', opts.surface] : []);
    const transport = new StdioClientTransport({ command, args, env: this.env(opts.env), cwd: opts.cwd ?? this.dir, stderr: 'pipe' });
    const client = new Client({ name: opts.name ?? 'test-client', version: '1.0.0' }, { capabilities: opts.capabilities ?? {} });
    await client.connect(transport);
    this.clients.push(client);
    return client;
  }

  /** A shim process with raw stdio, for framing tests (of the kind under test, or of `kind`). */
  rawShim(cwd = this.dir, kind = SHIM_KIND): RawShim {
    const { command, args } = shimCommand([], kind);
    const child = spawn(command, args, { cwd, env: this.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    const raw = new RawShim(child);
    this.clients.push(raw);
    return raw;
  }

  /** Runs the CLI (in `cwd`, by default this home); resolves with exit code and output (never rejects on a non-zero exit). */
  async cli(args: string[], env: Record<string, string> = {}, cwd = this.dir): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: this.env(env), cwd, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  /** `mcplex trust DIR`: lets the servers of DIR's .mcplex.yaml run, as the user would. */
  async trust(dir: string): Promise<void> {
    const r = await this.cli(['trust', dir]);
    if (r.code !== 0) throw new Error(`mcplex trust failed: ${r.stderr}`);
  }

  /** daemon.json, if present. */
  daemonInfo(): { pid: number; port: number; token: string } | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, 'daemon.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** `mcplex status --json`. */
  async status(): Promise<{ daemon: { pid: number }; sessions: Array<Record<string, unknown>>; instances: Array<Record<string, any>> }> {
    const r = await this.cli(['status', '--json']);
    if (r.code !== 0) throw new Error(`status failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  /** Closes every client, stops the daemon, kills anything left of this home, removes the directory. */
  async dispose(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
    await this.cli(['stop']);
    for (const pid of processesOfHome(this.dir)) killQuietly(pid, 'SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A shim driven by hand-written JSON lines. */
export class RawShim {
  readonly lines: any[] = [];
  private buffer = '';
  private waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.lines.push(JSON.parse(line));
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }

  write(text: string): void {
    this.child.stdin!.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  send(msg: Record<string, unknown>): void {
    this.write(JSON.stringify({ jsonrpc: '2.0', ...msg }));
  }

  /** Waits for a line matching `pred`. */
  async next(pred: (m: any) => boolean, ms = 20_000): Promise<any> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out waiting; got ${JSON.stringify(this.lines).slice(0, 500)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.stdin!.end();
    await new Promise((r) => {
      this.child.once('exit', r);
      setTimeout(() => {
        killQuietly(this.child.pid!, 'SIGKILL');
        r(undefined);
      }, 3000);
    });
  }
}

/** Sends a signal, ignoring a process that is already gone. */
export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

// /proc accounting is shared with the benchmarks.
export { alive, descendants } from '../../scripts/bench/procs.mjs';

/** Live processes whose environment names this MCPLEX_HOME (daemons and shims of a test home). */
export function processesOfHome(home: string): number[] {
  const needle = `MCPLEX_HOME=${home}\0`;
  return procEntries()
    .filter((e) => {
      try {
        return fs.readFileSync(`/proc/${e.pid}/environ`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map((e) => e.pid);
}

/** Live daemon processes (`mcplex.js serve`) of this home. */
export function daemonsOfHome(home: string): number[] {
  const pids = new Set(processesOfHome(home));
  return procEntries().filter((e) => pids.has(e.pid) && e.cmd.includes('mcplex.js serve')).map((e) => e.pid);
}

/** Polls until `check` returns a truthy value or the time runs out. */
export async function waitFor<T>(check: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The text of a tool result's first content item. */
export function text(result: unknown): string {
  const r = result as { content?: Array<{ type: string; text?: string }> };
  return r.content?.find((c) => c.type === 'text')?.text ?? '';
}

/** A meta-tool result's JSON. */
export function json(result: unknown): any {
  return JSON.parse(text(result));
}
