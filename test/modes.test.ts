// File modes (issue 11, CONTRACT §2): MCPLEX_HOME is 0700 and everything mcplex writes there 0600; a file it
// rewrites elsewhere (config.yaml, a workspace .env or .mcplex.yaml) keeps the mode it had.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { FAULTY, Home, call, faulty, json, text, waitFor } from './helpers/harness.js';

let home: Home | undefined;
afterEach(async () => {
  await home?.dispose();
  home = undefined;
});

const mode = (file: string) => fs.statSync(file).mode & 0o777;

/** Every directory and file under `dir` with its mode, as `relative path → octal`. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out[path.relative(dir, p) + (e.isDirectory() ? '/' : '')] = mode(p).toString(8);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const install = (c: Client, args: Record<string, unknown>) => c.callTool({ name: 'install_server', arguments: args }, undefined, { timeout: 60_000 });

describe('MCPLEX_HOME', () => {
  it('is tightened to 0700 at daemon start, and every file the daemon and CLI write there is 0600', async () => {
    home = new Home(faulty('f'));
    fs.chmodSync(home.dir, 0o755);
    fs.mkdirSync(path.join(home.dir, 'logs'), { mode: 0o700 });
    // Left looser by an older mcplex: tightened too.
    fs.writeFileSync(path.join(home.dir, 'logs', 'mcplex.log'), '', { mode: 0o644 });
    fs.writeFileSync(path.join(home.dir, 'audit.jsonl'), '', { mode: 0o644 });
    const ws = path.join(home.dir, 'proj');
    fs.mkdirSync(path.join(ws, '.git'), { recursive: true });
    const c = await home.client({ cwd: ws });
    expect(mode(home.dir)).toBe(0o700);
    expect(text(await call(c, 'f', 'echo', { a: 1 }))).toContain('"a":1');
    const added = await install(c, { server: 'g', scope: 'global', confirm: true, command: process.execPath, args: [FAULTY], env: { G_KEY: 'g-secret' } });
    expect(added.isError, text(added)).toBeFalsy();
    fs.writeFileSync(path.join(ws, '.mcplex.yaml'), `servers:\n${faulty('w')}`);
    await home.trust(ws);
    const seen = await waitFor(() => {
      const m = modes(home!.dir);
      return Object.keys(m).some((k) => k.startsWith('run/backend-')) && Object.keys(m).some((k) => k.startsWith('cache/')) ? m : undefined;
    }, 10_000, 'a run record and a cache file');
    expect(Object.keys(seen)).toEqual(expect.arrayContaining(['daemon.json', 'daemon.lock', 'token', 'trust.json', '.env', 'audit.jsonl', 'logs/mcplex.log', 'logs/daemon.out']));
    for (const [p, m] of Object.entries(seen)) {
      if (p.startsWith('proj/') || p === 'proj/' || p === 'config.yaml') continue;
      expect(`${p} ${m}`).toBe(`${p} ${p.endsWith('/') ? '700' : '600'}`);
    }
  });

  it('a home the CLI creates is 0700, with a private config.yaml', async () => {
    home = new Home('');
    const fresh = path.join(home.dir, 'new', 'home');
    const r = await home.cli(['add', 'x', '--scope', 'global', '--', process.execPath, FAULTY], { MCPLEX_HOME: fresh });
    expect(r.code, r.stderr).toBe(0);
    expect(mode(fresh)).toBe(0o700);
    expect(mode(path.join(fresh, 'config.yaml'))).toBe(0o600);
  });
});

describe('files mcplex rewrites keep their mode', () => {
  for (const before of [0o600, 0o644]) {
    it(`config.yaml at 0${before.toString(8)} stays so after install_server and remove_server`, async () => {
      home = new Home('');
      fs.chmodSync(home.configPath, before);
      const c = await home.client();
      expect(json(await install(c, { server: 'g', scope: 'global', confirm: true, command: process.execPath, args: [FAULTY] })).applied).toBe(true);
      expect(fs.readFileSync(home.configPath, 'utf8')).toContain('g:');
      expect(mode(home.configPath)).toBe(before);
      expect(json(await c.callTool({ name: 'remove_server', arguments: { server: 'g', scope: 'global', confirm: true } })).applied).toBe(true);
      expect(mode(home.configPath)).toBe(before);
    });
  }

  it('a workspace .env and .mcplex.yaml keep their modes; new ones are 0600 and 0644', async () => {
    home = new Home('');
    const kept = path.join(home.dir, 'kept');
    const fresh = path.join(home.dir, 'fresh');
    for (const d of [kept, fresh]) fs.mkdirSync(path.join(d, '.git'), { recursive: true });
    fs.writeFileSync(path.join(kept, '.env'), 'OTHER=1\n');
    fs.chmodSync(path.join(kept, '.env'), 0o640);
    fs.writeFileSync(path.join(kept, '.mcplex.yaml'), 'servers: {}\n');
    fs.chmodSync(path.join(kept, '.mcplex.yaml'), 0o664);
    for (const [dir, envMode, yamlMode] of [[kept, 0o640, 0o664], [fresh, 0o600, 0o644]] as const) {
      const c = await home.client({ cwd: dir });
      const r = await install(c, { server: 's', command: process.execPath, args: [FAULTY], env: { S_KEY: 'v' } });
      expect(r.isError, text(r)).toBeFalsy();
      expect(fs.readFileSync(path.join(dir, '.env'), 'utf8')).toContain('S_KEY=');
      expect(mode(path.join(dir, '.env'))).toBe(envMode);
      expect(mode(path.join(dir, '.mcplex.yaml'))).toBe(yamlMode);
    }
  });
});

// The machine's umask must not decide a mode the user chose.
describe('writeAtomic', () => {
  it('keeps a group-writable mode under a strict umask', async () => {
    const { writeAtomic } = await import('../src/config/edit.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-modes-'));
    const file = path.join(dir, 'f.yaml');
    fs.writeFileSync(file, 'a: 1\n');
    fs.chmodSync(file, 0o664);
    const old = process.umask(0o077);
    try {
      writeAtomic(file, 'a: 2\n');
    } finally {
      process.umask(old);
    }
    expect(mode(file)).toBe(0o664);
    expect(fs.readFileSync(file, 'utf8')).toBe('a: 2\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
