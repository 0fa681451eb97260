// install_server / remove_server and `mcplex add` / `remove`: comment-preserving edits, secrets in .env, live at once.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'dotenv';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Home, ROOT, alive, json, text, waitFor, FAULTY, serverNames } from './helpers/harness.js';

const ENV_SERVER = path.join(ROOT, 'test/fixtures/env-server.mjs');

const install = (c: Client, args: Record<string, unknown>) => c.callTool({ name: 'install_server', arguments: args }, undefined, { timeout: 60_000 });

let home: Home | undefined;
afterEach(async () => {
  await home?.dispose();
  home = undefined;
});

function workspace(h: Home, name: string): string {
  const dir = path.join(h.dir, name);
  fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  return dir;
}

// The model adds a server to its workspace mid-session; it works at once, and the secret lands in .env only.
describe('install_server in a workspace', () => {
  it('writes .mcplex.yaml and .env (0600), returns the tools, and call_tool works without reconnecting', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const other = workspace(home, 'other');
    const c = await home.client({ cwd: ws });
    const elsewhere = await home.client({ cwd: other });
    const secret = 'install-secret-value-9876';
    const r = await install(c, { server: 'tools', command: process.execPath, args: [FAULTY], env: { API_KEY: secret } });
    expect(r.isError).toBeFalsy();
    const out = json(r);
    expect(out.applied).toBe(true);
    expect(out.tools).toContain('echo');
    expect(out.notes).toContain(`sharing: workspace, so the server reads ${path.join(ws, '.env')}`);
    expect(out.envKeys).toEqual(['TOOLS_API_KEY']);
    const yaml = fs.readFileSync(path.join(ws, '.mcplex.yaml'), 'utf8');
    expect(yaml).toContain('API_KEY: ${TOOLS_API_KEY}');
    expect(yaml).toContain('sharing: workspace');
    expect(yaml).not.toContain(secret);
    const envFile = path.join(ws, '.env');
    expect(parse(fs.readFileSync(envFile, 'utf8'))).toEqual({ TOOLS_API_KEY: secret });
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    const called = await c.callTool({ name: 'call_tool', arguments: { server: 'tools', tool: 'echo', arguments: { v: 1 } } });
    expect(text(called)).toContain('"v":1');
    expect(await serverNames(elsewhere)).not.toContain('tools');

    const again = await install(c, { server: 'tools', command: process.execPath, args: [FAULTY] });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/already exists.*replace: true/);
    expect((await install(c, { server: 'tools', command: process.execPath, args: [FAULTY, '--garbage'], replace: true })).isError).toBeFalsy();

    const removed = await c.callTool({ name: 'remove_server', arguments: { server: 'tools' } });
    expect(json(removed).applied).toBe(true);
    expect(await serverNames(c)).not.toContain('tools');
  });

  it('a server that cannot start is reported with its stderr tail', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const c = await home.client({ cwd: ws });
    const r = await install(c, { server: 'broken', command: process.execPath, args: ['-e', "console.error('broken on purpose'); process.exit(2)"] });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('broken on purpose');
  });

  it('an install whose server cannot start is undone, files byte-identical, and the answer says why', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const yamlFile = path.join(ws, '.mcplex.yaml');
    const envFile = path.join(ws, '.env');
    fs.writeFileSync(yamlFile, `# my servers\nservers:\n  good:\n    command: ${process.execPath}\n    args: [${ENV_SERVER}]\n`);
    fs.writeFileSync(envFile, 'KEEP=1 # mine\n', { mode: 0o600 });
    await home.trust(ws); // the user's own file, trusted as the user would
    const before = [fs.readFileSync(yamlFile, 'utf8'), fs.readFileSync(envFile, 'utf8')];
    const c = await home.client({ cwd: ws });
    const r = await install(c, { server: 'broken', command: process.execPath, args: [ENV_SERVER, '--leak-at-start', 'NOPE'], env: { TOKEN: 'never-kept-value' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/installing "broken" was undone/);
    expect(text(r)).toContain('exited with code 2');
    expect([fs.readFileSync(yamlFile, 'utf8'), fs.readFileSync(envFile, 'utf8')]).toEqual(before);
    await waitFor(async () => !(await serverNames(c)).includes('broken'), 10_000, 'the undone server to disappear');
    expect(await serverNames(c)).toContain('good');

    // Replacing a working server with a broken one puts the working one back.
    const replaced = await install(c, { server: 'good', command: process.execPath, args: ['-e', 'process.exit(5)'], replace: true });
    expect(replaced.isError).toBe(true);
    expect(fs.readFileSync(yamlFile, 'utf8')).toBe(before[0]);
    expect(json(await c.callTool({ name: 'call_tool', arguments: { server: 'good', tool: 'env', arguments: { names: ['HOME'] } } })).values).toHaveProperty('HOME');
  });

  it('an unknown catalog name without a command says what to do', async () => {
    home = new Home('');
    const c = await home.client({ cwd: workspace(home, 'proj') });
    const r = await install(c, { server: 'not-a-known-server' });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/not in the built-in catalog.*github/s);
  });
});

/** Values dotenv quoting makes hard: each must reach the server byte for byte. */
const AWKWARD: Record<string, string> = {
  QUOTES: `it's "double" and 'single'`,
  BACKSLASH: 'C:\\path\\to\\dir and \\n not a newline',
  TAB: 'a\tb',
  NEWLINES: 'line one\nline two\n',
  CRLF: 'windows\r\nline',
  DOLLAR: '$HOME ${HOME} $$ $(id)',
  JSON: JSON.stringify({ key: 'va"lue', nested: { list: [1, 'two'], text: 'x\ny' } }),
  HASH: '#not a comment',
  SPACES: '  padded  ',
  BACKTICK: 'run `ls` now',
  UNICODE: 'päss-wörd-🔑',
  EMPTY: '',
};

// install_server and mcplex add keep every value exact and every server's values apart.
describe('install values', () => {
  it('awkward values survive byte-exact: through dotenv parsing of the .env and into the server', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const c = await home.client({ cwd: ws });
    const r = await install(c, { server: 'vals', command: process.execPath, args: [ENV_SERVER], env: AWKWARD });
    expect(r.isError, text(r)).toBeFalsy();
    const stored = parse(fs.readFileSync(path.join(ws, '.env'), 'utf8'));
    expect(stored).toEqual(Object.fromEntries(Object.entries(AWKWARD).map(([k, v]) => [`VALS_${k}`, v])));
    const got = await c.callTool({ name: 'call_tool', arguments: { server: 'vals', tool: 'env', arguments: { names: Object.keys(AWKWARD) } } });
    expect(json(got).values).toEqual(AWKWARD);

    // The same through the CLI, into the global .env that every sharing mode reads.
    const pairs = Object.entries(AWKWARD).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    const added = await home.cli(['add', 'cli-vals', '--scope', 'global', ...pairs, '--', process.execPath, ENV_SERVER]);
    expect(added.code, added.stderr).toBe(0);
    expect(parse(fs.readFileSync(path.join(home.dir, '.env'), 'utf8'))).toEqual(Object.fromEntries(Object.entries(AWKWARD).map(([k, v]) => [`CLI_VALS_${k}`, v])));
    await waitFor(async () => (await serverNames(c)).includes('cli-vals'), 10_000, 'cli-vals');
    const viaCli = await c.callTool({ name: 'call_tool', arguments: { server: 'cli-vals', tool: 'env', arguments: { names: Object.keys(AWKWARD) } } });
    expect(json(viaCli).values).toEqual(AWKWARD);
  });

  it('two servers that both want API_KEY keep their own values', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const c = await home.client({ cwd: ws });
    for (const [server, value] of [['alpha', 'alpha-key-111'], ['beta', 'beta-key-222']]) {
      const r = await install(c, { server, command: process.execPath, args: [ENV_SERVER], env: { API_KEY: value } });
      expect(r.isError, text(r)).toBeFalsy();
    }
    expect(parse(fs.readFileSync(path.join(ws, '.env'), 'utf8'))).toEqual({ ALPHA_API_KEY: 'alpha-key-111', BETA_API_KEY: 'beta-key-222' });
    const value = async (server: string) => json(await c.callTool({ name: 'call_tool', arguments: { server, tool: 'env', arguments: { names: ['API_KEY'] } } })).values.API_KEY;
    expect(await value('alpha')).toBe('alpha-key-111');
    expect(await value('beta')).toBe('beta-key-222');
    // Replacing one keeps the other.
    expect((await install(c, { server: 'alpha', command: process.execPath, args: [ENV_SERVER], env: { API_KEY: 'alpha-key-333' }, replace: true })).isError).toBeFalsy();
    await waitFor(async () => (await value('alpha')) === 'alpha-key-333', 10_000, 'the new alpha value');
    expect(await value('beta')).toBe('beta-key-222');
  });

  it('a workspace install never writes a value its sharing mode would not read', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const c = await home.client({ cwd: ws });
    const refused = await install(c, { server: 'g', command: process.execPath, args: [ENV_SERVER], env: { K: 'v1' }, sharing: 'global' });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/sharing: global never reads the workspace \.env/);
    expect(fs.existsSync(path.join(ws, '.env'))).toBe(false);
    expect(fs.existsSync(path.join(ws, '.mcplex.yaml'))).toBe(false);
    const cred = await install(c, { server: 'g', command: process.execPath, args: [ENV_SERVER], env: { K: 'v2' }, sharing: 'credential' });
    expect(cred.isError, text(cred)).toBeFalsy();
    expect(json(await c.callTool({ name: 'call_tool', arguments: { server: 'g', tool: 'env', arguments: { names: ['K'] } } })).values.K).toBe('v2');
  });

  it('a symlinked .env is edited at its target', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const real = path.join(home.dir, 'secrets', 'proj.env');
    fs.mkdirSync(path.dirname(real));
    fs.writeFileSync(real, 'OTHER=kept\n', { mode: 0o600 });
    fs.symlinkSync(real, path.join(ws, '.env'));
    const c = await home.client({ cwd: ws });
    const r = await install(c, { server: 'linked', command: process.execPath, args: [ENV_SERVER], env: { TOKEN: 'through-the-link' } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(fs.lstatSync(path.join(ws, '.env')).isSymbolicLink()).toBe(true);
    expect(parse(fs.readFileSync(real, 'utf8'))).toEqual({ OTHER: 'kept', LINKED_TOKEN: 'through-the-link' });
    expect(json(await c.callTool({ name: 'call_tool', arguments: { server: 'linked', tool: 'env', arguments: { names: ['TOKEN'] } } })).values.TOKEN).toBe('through-the-link');
  });
});

// Global edits need confirm: without it nothing changes and the tool shows exactly what it would write.
describe('install_server globally', () => {
  it('previews without confirm, then writes config.yaml keeping comments and order', async () => {
    home = new Home('');
    fs.writeFileSync(home.configPath, '# my mcplex config\ngateway:\n  port: 0 # any free port\nservers: {}\n');
    const c = await home.client();
    const original = fs.readFileSync(home.configPath, 'utf8');
    const preview = json(await install(c, { server: 'shared', scope: 'global', command: process.execPath, args: [FAULTY] }));
    expect(preview.applied).toBe(false);
    expect(preview.wouldWrite.yaml).toContain('shared:');
    expect(fs.readFileSync(home.configPath, 'utf8')).toBe(original);
    const done = json(await install(c, { server: 'shared', scope: 'global', command: process.execPath, args: [FAULTY], confirm: true }));
    expect(done.applied).toBe(true);
    const after = fs.readFileSync(home.configPath, 'utf8');
    expect(after).toContain('# my mcplex config');
    expect(after).toContain('port: 0 # any free port');
    expect(after).toContain('shared:');
    expect(await serverNames(c)).toContain('shared');
    expect(json(await c.callTool({ name: 'remove_server', arguments: { server: 'shared', scope: 'global' } })).applied).toBe(false);
    expect(json(await c.callTool({ name: 'remove_server', arguments: { server: 'shared', scope: 'global', confirm: true } })).applied).toBe(true);
    expect(await serverNames(c)).not.toContain('shared');
  });
});

// The CLI makes the same edits, through the daemon: the server is started (and stopped) the same way.
describe('mcplex add / remove', () => {
  it('adds a command server, refuses a duplicate, removes it and its own .env variables', async () => {
    home = new Home('');
    const c = await home.client();
    const notified: string[] = [];
    for (const [kind, schema] of [['tools', ToolListChangedNotificationSchema], ['prompts', PromptListChangedNotificationSchema], ['resources', ResourceListChangedNotificationSchema]] as const) {
      c.setNotificationHandler(schema, () => void notified.push(kind));
    }
    const added = await home.cli(['add', 'local', '--scope', 'global', '--env', 'API_KEY=cli-secret-value', '--', process.execPath, ENV_SERVER]);
    expect(added.code, added.stderr).toBe(0);
    // The edits of one add (config.yaml, then the .env) reach the session as one list_changed of each kind.
    await waitFor(() => notified.length >= 3, 10_000, 'list_changed after the add');
    await new Promise((r) => setTimeout(r, 1000));
    expect(notified.sort()).toEqual(['prompts', 'resources', 'tools']);
    expect(added.stdout).toMatch(/added local to .*config\.yaml \(tools: env, leak\)/);
    expect(added.stdout).toContain('as LOCAL_API_KEY');
    expect(fs.readFileSync(home.configPath, 'utf8')).not.toContain('cli-secret-value');
    expect(parse(fs.readFileSync(path.join(home.dir, '.env'), 'utf8'))).toEqual({ LOCAL_API_KEY: 'cli-secret-value' });
    await waitFor(async () => (await serverNames(c)).includes('local'), 10_000, 'the new server');
    const got = await c.callTool({ name: 'call_tool', arguments: { server: 'local', tool: 'env', arguments: { names: ['API_KEY'] } } });
    expect(json(got).values.API_KEY).toBe('cli-secret-value');
    const dup = await home.cli(['add', 'local', '--scope', 'global', '--', process.execPath]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/already exists.*--replace/);

    const pid = (await home.status()).instances.find((i) => i.server === 'local')!.pid as number;
    expect(alive(pid)).toBe(true);
    const removed = await home.cli(['remove', 'local', '--scope', 'global']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('stopped 1 running instance');
    expect(alive(pid)).toBe(false);
    expect((await home.status()).instances.map((i) => i.server)).not.toContain('local');
    expect(parse(fs.readFileSync(path.join(home.dir, '.env'), 'utf8'))).toEqual({});
    expect((await home.cli(['remove', 'local', '--scope', 'global'])).code).toBe(2);
  });

  it('refuses to shadow a global server unless --force, validates URLs, and a missing runtime stops it before anything is written', async () => {
    home = new Home(`  shared:\n    command: ${process.execPath}\n    args: [${ENV_SERVER}]\n`);
    const ws = workspace(home, 'proj');
    const yamlFile = path.join(ws, '.mcplex.yaml');
    const shadow = await home.cli(['add', 'shared', '--', process.execPath, ENV_SERVER], {}, ws);
    expect(shadow.code).toBe(2);
    expect(shadow.stderr).toMatch(/a global server "shared" exists.*--force/);
    expect(fs.existsSync(yamlFile)).toBe(false);
    const forced = await home.cli(['add', 'shared', '--force', '--', process.execPath, ENV_SERVER], {}, ws);
    expect(forced.code, forced.stderr).toBe(0);
    expect(fs.readFileSync(yamlFile, 'utf8')).toContain('shared:');

    const badUrl = await home.cli(['add', 'remote', '--url', 'not a url'], {}, ws);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/not a valid URL/);

    // A command not on PATH: said, and since it cannot start, the install is undone.
    const beforeGhost = fs.readFileSync(yamlFile, 'utf8');
    const ghost = await home.cli(['add', 'ghost', '--', 'mcplex-no-such-command-xyz'], {}, ws);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toMatch(/installing "ghost" was undone.*command "mcplex-no-such-command-xyz" is not on PATH/);
    expect(fs.readFileSync(yamlFile, 'utf8')).toBe(beforeGhost);

    // Catalog servers that run with uvx, on a PATH without uvx: refused before anything is written or started.
    const before = fs.readFileSync(yamlFile, 'utf8');
    const noUvx = await home.cli(['add', 'fetch'], { PATH: '/nonexistent' }, ws);
    expect(noUvx.code).toBe(2);
    expect(noUvx.stderr).toMatch(/"fetch" runs with uvx, which is not on PATH; install uv/);
    expect(fs.readFileSync(yamlFile, 'utf8')).toBe(before);
    const c = await home.client({ cwd: ws });
    const known = await install(c, { server: 'not-a-known-server' });
    expect(text(known)).toMatch(/time \(needs uvx\)/);
  });

  it('names that would reach Object.prototype are refused', async () => {
    home = new Home('');
    const ws = workspace(home, 'proj');
    const c = await home.client({ cwd: ws });
    for (const args of [{ server: '__proto__', command: process.execPath }, { server: 'ok', command: process.execPath, env: JSON.parse('{"__proto__":"x"}') }]) {
      const r = await install(c, args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(/__proto__/);
    }
    const cli = await home.cli(['add', 'x', '--env', '__proto__=1', '--', process.execPath], {}, ws);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/__proto__/);
    expect(fs.existsSync(path.join(ws, '.mcplex.yaml'))).toBe(false);
  });
});
