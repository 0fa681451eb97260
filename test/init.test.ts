// `mcplex init` writes a personal config that works as written: from any directory, with a stripped environment.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Home, ROOT, call, json, text } from './helpers/harness.js';

let home: Home | undefined;
afterEach(async () => {
  await home?.dispose();
  home = undefined;
});


describe('mcplex init', () => {
  it('writes a commented 0600 config with absolute paths, refuses to overwrite it, and every example server works from elsewhere', async () => {
    home = new Home('');
    fs.rmSync(home.configPath);
    // Run where MCPLEX_HOME is not inside the directory the filesystem server may read.
    const readable = fs.realpathSync(fs.mkdtempSync(path.join(path.dirname(home.dir), 'mcplex-init-readable-')));
    try {
      const r = await home.cli(['init'], {}, readable);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`wrote ${home.configPath}`);
      expect(r.stdout).toContain('mcplex setup claude-code');
      expect(fs.statSync(home.configPath).mode & 0o777).toBe(0o600);
      const written = fs.readFileSync(home.configPath, 'utf8');
      for (const key of ['port', 'idleTimeout', 'callTimeout', 'startTimeout', 'description', 'command', 'args', 'sharing', 'env', 'tools']) {
        expect(written, key).toMatch(new RegExp(`^\\s*${key}:.*# \\w`, 'm'));
      }
      for (const m of written.matchAll(/^\s*(?:command|args): (.*?)\s{2,}#|^\s*(?:command|args): (.*)$/gm)) {
        const value = m[1] ?? m[2]!;
        for (const p of value.match(/"(\/[^"]*)"/g) ?? []) expect(path.isAbsolute(JSON.parse(p))).toBe(true);
      }
      expect(written).not.toMatch(/args: \[(?!")/);
      expect(written).toContain(JSON.stringify(readable));

      const again = await home.cli(['init'], {}, readable);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`${home.configPath} already exists`);
      expect(fs.readFileSync(home.configPath, 'utf8')).toBe(written);
      expect((await home.cli(['config', 'validate'])).code).toBe(0);

      // A client in an unrelated directory, with almost no environment, uses each example server.
      const elsewhere = path.join(home.dir, 'projects', 'app');
      fs.mkdirSync(path.join(elsewhere, '.git'), { recursive: true });
      const c = await home.client({ cwd: elsewhere, env: { PATH: '/nonexistent' } });
      expect(text(await call(c, 'everything', 'echo', { message: 'from elsewhere' }))).toContain('from elsewhere');
      const entity = { name: 'mcplex-init-test', entityType: 'test', observations: ['works'] };
      expect((await call(c, 'memory', 'create_entities', { entities: [entity] })).isError).toBeFalsy();
      expect(json(await call(c, 'memory', 'read_graph')).entities.map((e: { name: string }) => e.name)).toContain('mcplex-init-test');
      expect(fs.existsSync(path.join(home.dir, 'memory.jsonl'))).toBe(true);
      expect(text(await call(c, 'filesystem', 'list_allowed_directories'))).toContain(readable);
      const denied = await call(c, 'filesystem', 'write_file', { path: path.join(readable, 'x'), content: 'x' });
      expect(denied.isError).toBe(true);
      expect(fs.existsSync(path.join(readable, 'x'))).toBe(false);
    } finally {
      fs.rmSync(readable, { recursive: true, force: true });
    }
  });

  it('config.example.yaml points to mcplex init rather than a copy', () => {
    const example = fs.readFileSync(path.join(ROOT, 'config.example.yaml'), 'utf8');
    expect(example).toContain('mcplex init');
    expect(example).not.toMatch(/^# Copy it to/m);
  });
});
