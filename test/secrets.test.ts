// A multi-line secret (a PEM key in .env) never shows outside .env: not in any file under MCPLEX_HOME, any CLI output,
// /api/status, /metrics or an error result — after it was used, leaked by the server every way it can, and cut short.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Home, ROOT, call, text, waitFor } from './helpers/harness.js';

const ENV_SERVER = path.join(ROOT, 'test/fixtures/env-server.mjs');
const PEM = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** What must never appear: each body line of the key, and its first and last 24 characters (a line cut short). */
const NEEDLES = PEM.split('\n')
  .filter((l) => l && !l.startsWith('-----'))
  .flatMap((l) => [l, l.slice(0, 24), l.slice(-24)]);

function leaks(where: string, content: string): string[] {
  return NEEDLES.filter((n) => content.includes(n)).map((n) => `${where}: ${n}`);
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.isFile() ? [p] : [];
  });
}

describe('a PEM key in .env', () => {
  let home: Home;
  let c: Client;
  const outputs: Array<[string, string]> = [];

  beforeAll(async () => {
    const server = (name: string, extra: string[] = []) =>
      `  ${name}:\n    command: ${process.execPath}\n    args: ${JSON.stringify([ENV_SERVER, ...extra])}\n    env: {PEM_KEY: "\${PEM_KEY}"}\n`;
    home = new Home(server('leaky') + server('starter', ['--leak-at-start', 'PEM_KEY']));
    fs.writeFileSync(path.join(home.dir, '.env'), `OTHER=1\nPEM_KEY="${PEM}"\n`, { mode: 0o600 });
    c = await home.client();
    // The server really gets the key, whole.
    const env = await call(c, 'leaky', 'env', { names: ['PEM_KEY'] });
    expect(JSON.parse(text(env)).values.PEM_KEY).toBe(PEM);
    for (const how of ['error', 'stderr', 'long']) outputs.push([`call leak ${how}`, text(await call(c, 'leaky', 'leak', { name: 'PEM_KEY', how }))]);
    outputs.push(['call leak crash', text(await call(c, 'leaky', 'leak', { name: 'PEM_KEY', how: 'crash' }))]);
    outputs.push(['call starter', text(await call(c, 'starter', 'env', { names: [] }))]);
    // The log is written asynchronously: wait for the crash to be in it.
    await waitFor(async () => (await home.cli(['logs', '-n', '2000'])).stdout.includes('"code":1'), 15_000, 'the crash in the log');
    for (const args of [
      ['status'],
      ['status', '--json'],
      ['logs', '-n', '2000'],
      ['logs', '--server', 'leaky', '-n', '2000'],
      ['doctor'],
      ['doctor', '--json'],
      ['tools'],
      ['describe', 'leaky', 'leak'],
      ['call', 'leaky', 'leak', 'name=PEM_KEY', 'how=error'],
      ['call', 'starter', 'env', 'names=[]'],
      ['config', 'validate'],
    ]) {
      const r = await home.cli(args);
      outputs.push([`mcplex ${args.join(' ')}`, r.stdout + r.stderr]);
    }
    const info = home.daemonInfo()!;
    for (const p of ['/api/status', '/metrics']) {
      const res = await fetch(`http://127.0.0.1:${info.port}${p}`, { headers: { authorization: `Bearer ${info.token}` } });
      outputs.push([p, await res.text()]);
    }
  }, 180_000);

  afterAll(async () => {
    await home.dispose();
  });

  it('errors happened and were reported (so the search below means something)', () => {
    const by = Object.fromEntries(outputs);
    expect(by['call leak error']).toContain('cannot use key [redacted]');
    expect(by['call leak crash']).toMatch(/exited with code 1 while requests were in flight\nlast stderr lines:\n  \[redacted\]/);
    expect(by['call starter']).toContain('exited with code 2');
    expect(by['mcplex status']).toMatch(/starter\s+global\s+global\s+failed/);
    expect(by['mcplex logs -n 2000']).toContain('[redacted]');
  });

  it('is in no file under MCPLEX_HOME but .env', () => {
    const all = files(home.dir).filter((f) => f !== path.join(home.dir, '.env'));
    expect(all.some((f) => f.endsWith('mcplex.log'))).toBe(true);
    expect(all.some((f) => f.endsWith('audit.jsonl'))).toBe(true);
    expect(all.flatMap((f) => leaks(path.relative(home.dir, f), fs.readFileSync(f, 'latin1')))).toEqual([]);
  });

  it('is in no CLI output, status, metrics or error result', () => {
    expect(outputs.length).toBeGreaterThan(15);
    expect(outputs.flatMap(([where, out]) => leaks(where, out))).toEqual([]);
  });
});
