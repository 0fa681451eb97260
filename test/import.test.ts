// `mcplex import` and `mcplex setup claude-code | cursor`, run as real CLI processes against fixture client configs in a temporary HOME.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CLI, Home, ROOT, registeredShim } from './helpers/harness.js';

const run = promisify(execFile);
const FIXTURES = path.join(ROOT, 'test/fixtures/import');

const COMMENTED_CONFIG = `# my mcplex config
gateway:
  port: 0 # any free port
servers:
  # the fetch server I already use
  fetch:
    command: uvx
    args: [mcp-server-fetch, --ignore-robots-txt]
  # keep this comment
  time:
    command: uvx
    args: [mcp-server-time]
`;

/** A temporary MCPLEX_HOME plus a user HOME and a project directory filled from the fixtures. */
class World {
  readonly home = new Home('');
  readonly user = path.join(this.home.dir, 'user');
  readonly project = path.join(this.home.dir, 'project');
  readonly bin = path.join(this.home.dir, 'bin');

  constructor() {
    fs.cpSync(path.join(FIXTURES, 'home'), this.user, { recursive: true });
    fs.cpSync(path.join(FIXTURES, 'project'), this.project, { recursive: true });
    fs.mkdirSync(this.bin);
  }

  get config(): string {
    return fs.readFileSync(this.home.configPath, 'utf8');
  }

  get envFile(): string {
    return path.join(this.home.dir, '.env');
  }

  servers(): Record<string, any> {
    return parseYaml(this.config).servers ?? {};
  }

  readJson(file: string): any {
    return JSON.parse(fs.readFileSync(path.join(this.user, file), 'utf8'));
  }

  backups(dir: string, base: string): string[] {
    return fs.readdirSync(path.join(this.user, dir)).filter((f) => f.startsWith(`${base}.bak-`));
  }

  /** Runs the CLI in the project directory with HOME pointing at the fixture user. */
  async cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const fullEnv = this.home.env({ HOME: this.user, XDG_CONFIG_HOME: path.join(this.user, '.config'), ...env });
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: fullEnv, cwd: this.project, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  async importJson(args: string[] = []): Promise<any> {
    const r = await this.cli(['import', '--json', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  }
}

const names = (list: Array<{ name: string }>) => list.map((s) => s.name).sort();
const SECRETS = ['ghp_fixtureSecret123', 'docs-secret-456', 'lin_fixture_789', 'ctx7-fixture-key', 'weather-key', 'maps-key'];

let world: World | undefined;
afterEach(async () => {
  await world?.home.dispose();
  world = undefined;
});

describe('mcplex import', () => {
  it('imports every source found, keeps comments, secrets to .env, reports unchanged, conflicts and the skipped shim', async () => {
    world = new World();
    fs.writeFileSync(world.home.configPath, COMMENTED_CONFIG);
    const out = await world.importJson();

    expect(names(out.added)).toEqual(
      ['api', 'context7', 'docs', 'events', 'filesystem', 'github', 'linear', 'maps', 'memory', 'sentry', 'shop-db', 'weather'].sort(),
    );
    // Claude Desktop's github is the same as Claude Code's: unchanged, not a conflict.
    expect(out.unchanged).toEqual([expect.objectContaining({ name: 'github', file: path.join(world.user, '.config/Claude/claude_desktop_config.json') })]);
    // A different memory (Claude Desktop vs .mcp.json) and a different fetch (VS Code vs config.yaml): reported with both, not overwritten.
    expect(names(out.conflicting)).toEqual(['fetch', 'memory']);
    const fetchConflict = out.conflicting.find((c: any) => c.name === 'fetch');
    expect(fetchConflict.existing).toBe('uvx mcp-server-fetch --ignore-robots-txt');
    expect(fetchConflict.imported).toBe('uvx mcp-server-fetch');
    expect(fetchConflict.file).toBe(path.join(world.project, '.vscode/mcp.json'));
    expect(out.skipped).toEqual([expect.objectContaining({ name: 'mcplex', file: path.join(world.user, '.claude.json') })]);
    expect(out.skipped[0].reason).toMatch(/mcplex itself/);
    const shopDb = out.added.find((a: any) => a.name === 'shop-db');
    expect(shopDb).toMatchObject({ original: 'shop.db', where: 'project /home/dev/shop' });

    const s = world.servers();
    // Claude Code user scope: stdio with a secret env value, and http with a secret header.
    expect(s.github).toEqual({
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-github'],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${GITHUB_PERSONAL_ACCESS_TOKEN}' },
    });
    expect(s.docs).toEqual({ url: 'https://docs.example.com/mcp', headers: { Authorization: '${DOCS_AUTHORIZATION}', 'X-Team': 'core' } });
    // Claude Code project scope: the relative path keeps working from the project directory.
    expect(s['shop-db']).toEqual({ command: 'node', args: ['./tools/db-server.js', '--readonly'], cwd: '/home/dev/shop' });
    // .mcp.json: a reference with a default stays a reference; an sse entry keeps its transport.
    expect(s.memory.env).toEqual({ MEMORY_FILE_PATH: '${MEMORY_FILE_PATH:-/tmp/memory.json}' });
    expect(s.memory.args).toEqual(['-y', '@modelcontextprotocol/server-memory']);
    expect(s.events).toEqual({ url: 'http://localhost:7001/sse', transport: 'sse' });
    // Claude Desktop.
    expect(s.filesystem).toEqual({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/dev/Documents'] });
    // Cursor: a url without a type (…/sse → sse, otherwise Streamable HTTP), a secret header, a stdio server.
    expect(s.sentry).toEqual({ url: 'https://mcp.sentry.dev/sse', transport: 'sse' });
    expect(s.context7).toEqual({ url: 'https://mcp.context7.com/mcp', headers: { CONTEXT7_API_KEY: '${CONTEXT7_API_KEY}' } });
    expect(s.linear.env).toEqual({ LINEAR_API_KEY: '${LINEAR_API_KEY}' });
    expect(s.weather).toEqual({ command: 'uvx', args: ['weather-mcp'], env: { API_KEY: '${API_KEY}' } });
    // VS Code: an input prompt becomes a variable to set, ${workspaceFolder} the project, a second API_KEY its own name.
    expect(s.api).toEqual({ url: 'https://api.example.com/mcp', headers: { Authorization: 'Bearer ${API_TOKEN}' } });
    expect(out.added.find((a: any) => a.name === 'api').needs).toEqual(['API_TOKEN']);
    expect(s.maps).toEqual({ command: 'node', args: [path.join(world.project, 'maps/server.js')], env: { API_KEY: '${MAPS_API_KEY}' } });
    // The existing servers are untouched, and their comments survive.
    expect(s.fetch).toEqual({ command: 'uvx', args: ['mcp-server-fetch', '--ignore-robots-txt'] });
    expect(s.time).toEqual({ command: 'uvx', args: ['mcp-server-time'] });
    for (const c of ['# my mcplex config', '# any free port', '# the fetch server I already use', '# keep this comment']) expect(world.config).toContain(c);
    expect(world.config.indexOf('fetch:')).toBeLessThan(world.config.indexOf('github:'));

    // Secret values are in .env (0600), never in config.yaml.
    const env = fs.readFileSync(world.envFile, 'utf8');
    for (const secret of SECRETS) {
      expect(world.config).not.toContain(secret);
      expect(env).toContain(secret);
    }
    expect(env).toContain('DOCS_AUTHORIZATION="Bearer docs-secret-456"');
    expect(env).toContain('API_KEY="weather-key"');
    expect(env).toContain('MAPS_API_KEY="maps-key"');
    expect(fs.statSync(world.envFile).mode & 0o777).toBe(0o600);
    expect((await world.cli(['config', 'validate', world.home.configPath])).code).toBe(0);

    // A second import finds everything already there and writes nothing.
    const before = world.config;
    const envBefore = env;
    const again = await world.importJson();
    expect(again.added).toEqual([]);
    expect(names(again.unchanged)).toEqual([...names(out.added), 'github'].sort());
    expect(names(again.conflicting)).toEqual(['fetch', 'memory']);
    expect(world.config).toBe(before);
    expect(fs.readFileSync(world.envFile, 'utf8')).toBe(envBefore);
  });

  it('prints a readable summary with each source file', async () => {
    world = new World();
    const r = await world.cli(['import', '--from', 'claude-code']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/added \(5\) to .*config\.yaml:/);
    expect(r.stdout).toMatch(/github\s+from ~\/\.claude\.json \(user\); GITHUB_PERSONAL_ACCESS_TOKEN →/);
    expect(r.stdout).toMatch(/shop-db\s+from ~\/\.claude\.json \(project \/home\/dev\/shop\) \(was "shop\.db"\)/);
    expect(r.stdout).toContain(`memory    from ${path.join(world.project, '.mcp.json')}`);
    expect(r.stdout).toMatch(/skipped \(1\):\n\s+mcplex\s+from ~\/\.claude\.json \(user\): mcplex itself/);
    expect(r.stdout).toContain('5 added, 0 unchanged, 0 conflicting, 1 skipped');
    expect(Object.keys(world.servers()).sort()).toEqual(['docs', 'events', 'github', 'memory', 'shop-db']);
  });

  it('--dry-run prints the summary and the YAML, and writes nothing', async () => {
    world = new World();
    fs.writeFileSync(world.home.configPath, COMMENTED_CONFIG);
    const r = await world.cli(['import', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/would add \(12\)/);
    expect(r.stdout).toMatch(/conflicting \(2\)/);
    expect(r.stdout).toContain('dry run: nothing written.');
    expect(r.stdout).toContain('# keep this comment');
    expect(r.stdout).toContain('GITHUB_PERSONAL_ACCESS_TOKEN: ${GITHUB_PERSONAL_ACCESS_TOKEN}');
    for (const secret of SECRETS) expect(r.stdout).not.toContain(secret);
    expect(world.config).toBe(COMMENTED_CONFIG);
    expect(fs.existsSync(world.envFile)).toBe(false);
  });

  it('imports one named file (format by content), and only the chosen client with --from', async () => {
    world = new World();
    const copy = path.join(world.home.dir, 'some-vscode-config.json');
    fs.copyFileSync(path.join(world.project, '.vscode/mcp.json'), copy);
    const one = await world.importJson([copy]);
    expect(one.files).toEqual([copy]);
    expect(names(one.added)).toEqual(['api', 'fetch', 'maps']);
    // Not in a .vscode directory: ${workspaceFolder} has no project to stand for; it stays a variable the summary asks for.
    expect(world.servers().maps.args).toEqual(['${workspaceFolder}/maps/server.js']);
    expect(one.added.find((a: any) => a.name === 'maps').needs).toEqual(['workspaceFolder']);

    const cursor = await world.importJson(['--from', 'cursor']);
    expect(names(cursor.added)).toEqual(['context7', 'linear', 'sentry', 'weather']);
    expect(cursor.files).toEqual([path.join(world.user, '.cursor/mcp.json'), path.join(world.project, '.cursor/mcp.json')]);
    const desktop = await world.importJson(['--from', 'claude-desktop']);
    expect(names(desktop.added)).toEqual(['filesystem', 'github', 'memory']);
  });

  it('exits 2 naming the file for a missing, invalid or non-MCP source, and for bad flags', async () => {
    world = new World();
    const before = world.config;
    const bad = path.join(world.home.dir, 'broken.json');
    fs.writeFileSync(bad, '{"mcpServers": {');
    const other = path.join(world.home.dir, 'package.json');
    fs.writeFileSync(other, '{"name": "x"}');
    for (const [args, pattern] of [
      [['import', bad], /broken\.json: not valid JSON/],
      [['import', other], /package\.json: no "mcpServers" or "servers"/],
      [['import', path.join(world.home.dir, 'nope.json')], /nope\.json: file not found/],
      [['import', '--from', 'emacs'], /--from must be one of claude-code, claude-desktop, cursor, vscode/],
      [['import', '--scope', 'workspace'], /global config only/],
    ] as const) {
      const r = await world.cli([...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
    // A broken file found on its own is an error too, before anything is written.
    fs.writeFileSync(path.join(world.user, '.cursor/mcp.json'), 'not json');
    const r = await world.cli(['import']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path.join(world.user, '.cursor/mcp.json'));
    expect(world.config).toBe(before);
  });
});

describe('mcplex setup cursor', () => {
  it('registers the shim after a backup and shows what import would add', async () => {
    world = new World();
    const original = fs.readFileSync(path.join(world.user, '.cursor/mcp.json'), 'utf8');
    const configBefore = world.config;
    const r = await world.cli(['setup', 'cursor']);
    expect(r.code, r.stderr).toBe(0);
    const cursor = world.readJson('.cursor/mcp.json');
    // This world's MCPLEX_HOME is not ~/.mcplex: the entry carries it, or Cursor's shim would look in ~/.mcplex.
    expect(cursor.mcpServers.mcplex).toEqual({ ...registeredShim(), env: { MCPLEX_HOME: world.home.dir } });
    expect(Object.keys(cursor.mcpServers)).toEqual(['linear', 'sentry', 'context7', 'mcplex']);
    const backups = world.backups('.cursor', 'mcp.json');
    expect(backups).toHaveLength(1);
    expect(fs.readFileSync(path.join(world.user, '.cursor', backups[0]!), 'utf8')).toBe(original);
    expect(r.stdout).toContain('mcplex import --from cursor');
    expect(r.stdout).toMatch(/would add \(3\)/);
    expect(r.stdout).toMatch(/linear\s+from ~\/\.cursor\/mcp\.json/);
    expect(world.config).toBe(configBefore);

    // Again: nothing to change, no second backup.
    const again = await world.cli(['setup', 'cursor']);
    expect(again.stdout).toContain('already registered');
    expect(world.backups('.cursor', 'mcp.json')).toHaveLength(1);
  });

  it('--import moves the servers into mcplex and out of the Cursor config, leaving conflicts in place', async () => {
    world = new World();
    fs.writeFileSync(world.home.configPath, `# mine\nservers:\n  sentry:\n    url: https://self-hosted.example/sse\n    transport: sse\n`);
    const original = fs.readFileSync(path.join(world.user, '.cursor/mcp.json'), 'utf8');
    const r = await world.cli(['setup', 'cursor', '--import']);
    expect(r.code, r.stderr).toBe(0);
    const cursor = world.readJson('.cursor/mcp.json');
    expect(Object.keys(cursor.mcpServers)).toEqual(['sentry', 'mcplex']);
    const s = world.servers();
    expect(s.linear).toEqual({ command: 'npx', args: ['-y', 'mcp-remote', 'https://mcp.linear.app/sse'], env: { LINEAR_API_KEY: '${LINEAR_API_KEY}' } });
    expect(s.context7.headers).toEqual({ CONTEXT7_API_KEY: '${CONTEXT7_API_KEY}' });
    expect(s.sentry.url).toBe('https://self-hosted.example/sse');
    expect(world.config).toContain('# mine');
    expect(fs.readFileSync(world.envFile, 'utf8')).toContain('LINEAR_API_KEY="lin_fixture_789"');
    const backups = world.backups('.cursor', 'mcp.json');
    expect(backups).toHaveLength(1);
    expect(fs.readFileSync(path.join(world.user, '.cursor', backups[0]!), 'utf8')).toBe(original);
    expect(r.stdout).toMatch(/removed linear, context7 from ~\/\.cursor\/mcp\.json/);
    expect(r.stdout).toMatch(/left in ~\/\.cursor\/mcp\.json: sentry/);
  });

  it('creates ~/.cursor/mcp.json when there is none', async () => {
    world = new World();
    fs.rmSync(path.join(world.user, '.cursor'), { recursive: true });
    const r = await world.cli(['setup', 'cursor', '--import']);
    expect(r.code, r.stderr).toBe(0);
    expect(world.readJson('.cursor/mcp.json')).toEqual({ mcpServers: { mcplex: { ...registeredShim(), env: { MCPLEX_HOME: world.home.dir } } } });
  });
});

describe('mcplex setup claude-code', () => {
  const expectedArgs = () => ['mcp', 'add', '--scope', 'user', 'mcplex', '--env', `MCPLEX_HOME=${world!.home.dir}`, '--', registeredShim().command, ...registeredShim().args];

  it('prints the command when no claude is on PATH, and lists what import would add', async () => {
    world = new World();
    const original = fs.readFileSync(path.join(world.user, '.claude.json'), 'utf8');
    const r = await world.cli(['setup', 'claude-code'], { PATH: world.bin });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('`claude` is not on PATH');
    expect(r.stdout).toContain(`claude ${expectedArgs().join(' ')}`);
    expect(r.stdout).toMatch(/would add \(3\)/);
    expect(fs.readFileSync(path.join(world.user, '.claude.json'), 'utf8')).toBe(original);
    expect(world.backups('.', '.claude.json')).toEqual([]);
  });

  it('runs `claude mcp add` when claude is on PATH; --import moves user and project servers out of ~/.claude.json', async () => {
    world = new World();
    const argvFile = path.join(world.home.dir, 'claude-argv.json');
    fs.writeFileSync(
      path.join(world.bin, 'claude'),
      `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv.slice(2)));\nconsole.log('Added stdio MCP server mcplex to user config');\n`,
      { mode: 0o755 },
    );
    const r = await world.cli(['setup', 'claude-code', '--import'], { PATH: world.bin });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(argvFile, 'utf8'))).toEqual(expectedArgs());
    expect(r.stdout).toContain('registered mcplex with Claude Code');

    const claude = world.readJson('.claude.json');
    expect(Object.keys(claude.mcpServers)).toEqual(['mcplex']);
    expect(claude.projects['/home/dev/shop'].mcpServers).toEqual({});
    expect(claude.numStartups).toBe(12);
    expect(claude.projects['/home/dev/shop'].allowedTools).toEqual([]);
    expect(world.backups('.', '.claude.json')).toHaveLength(1);
    expect(Object.keys(world.servers()).sort()).toEqual(['docs', 'github', 'shop-db']);
    expect(r.stdout).toMatch(/removed github, docs, shop\.db from ~\/\.claude\.json \(backup: /);
    // The project's .mcp.json is shared with the project and left alone.
    expect(fs.existsSync(path.join(world.project, '.mcp.json'))).toBe(true);
  });

  it('a failing claude is a failure (exit 1) with its output', async () => {
    world = new World();
    fs.writeFileSync(path.join(world.bin, 'claude'), `#!${process.execPath}\nconsole.error('boom: no config dir');\nprocess.exit(3);\n`, { mode: 0o755 });
    const r = await world.cli(['setup', 'claude-code'], { PATH: world.bin });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('boom: no config dir');
  });

  it('an unknown client is a usage error', async () => {
    world = new World();
    const r = await world.cli(['setup', 'emacs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/claude-code and cursor/);
  });
});
