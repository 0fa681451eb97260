import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { parseDuration } from '../src/config/duration.js';
import { formatProblems } from '../src/config/format.js';
import {
  ConfigError,
  defaultConfig,
  loadConfig,
  parseConfig,
  parseWorkspaceConfig,
  resolveConfigPath,
} from '../src/config/load.js';

// Runs `fn`, expecting a ConfigError, and returns it.
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseDuration', () => {
  it('parses units and plain milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration(0)).toBe(0);
  });
  it('rejects anything else', () => {
    for (const bad of ['10x', '-1s', '1.5s', '', 'm', '1 d']) expect(() => parseDuration(bad)).toThrow(/invalid duration/);
    expect(() => parseDuration(-5)).toThrow(/invalid duration/);
    expect(() => parseDuration(1.5)).toThrow(/invalid duration/);
  });
});

describe('parseConfig', () => {
  it('applies every default', () => {
    const cfg = parseConfig('servers:\n  mem:\n    command: npx\n', '/tmp/x/config.yaml');
    expect(cfg.path).toBe('/tmp/x/config.yaml');
    expect(cfg.dir).toBe('/tmp/x');
    expect(cfg.gateway).toEqual({
      port: 8989,
      host: '127.0.0.1',
      surface: 'auto',
      registrationName: 'mcplex',
      clients: {},
      idleTimeout: 600_000,
      callTimeout: 120_000,
      startTimeout: 60_000,
      auth: { mode: 'owner', tokens: [], apiKeys: [] },
      env: {},
    });
    expect(cfg.servers.mem).toEqual({
      command: 'npx',
      args: [],
      headers: {},
      env: {},
      sharing: 'global',
      enabled: true,
      tools: { allow: ['*'], deny: [] },
      limits: {},
      restart: { retries: 5, minDelay: 500, maxDelay: 30_000 },
    });
  });

  it('treats an empty file as the default config', () => {
    const cfg = parseConfig('', '/tmp/config.yaml');
    expect(cfg.servers).toEqual({});
    expect(cfg.gateway).toEqual(defaultConfig('/tmp').gateway);
    expect(defaultConfig('/tmp').path).toBeUndefined();
  });

  it('parses durations, coerces env values and defaults url transport to http', () => {
    const cfg = parseConfig(
      [
        'gateway:',
        '  idleTimeout: 0',
        '  callTimeout: 90s',
        '  startTimeout: 1h',
        'servers:',
        '  remote:',
        '    url: https://example.com/mcp?x=$${HOME}',
        '    headers: {Authorization: "Bearer ${TOKEN}"}',
        '    idleTimeout: 500ms',
        '    env: {PORT: 3000, DEBUG: true, KEY: "${KEY:-none}"}',
        '    restart: {minDelay: 1s}',
      ].join('\n'),
      'c.yaml',
    );
    expect(cfg.gateway.idleTimeout).toBe(0);
    expect(cfg.gateway.callTimeout).toBe(90_000);
    expect(cfg.gateway.startTimeout).toBe(3_600_000);
    const remote = cfg.servers.remote!;
    expect(remote.transport).toBe('http');
    expect(remote.idleTimeout).toBe(500);
    expect(remote.env).toEqual({ PORT: '3000', DEBUG: 'true', KEY: '${KEY:-none}' });
    expect(remote.restart).toEqual({ retries: 5, minDelay: 1000, maxDelay: 30_000 });
  });

  it('reports unknown keys at gateway and server level with their lines, in one error', () => {
    const text = [
      'gateway:', //          1
      '  port: 9000', //      2
      '  colour: blue', //    3
      'servers:', //          4
      '  mem:', //            5
      '    command: npx', //  6
      '    argz: [-y]', //    7
    ].join('\n');
    const err = configError(() => parseConfig(text, '/tmp/config.yaml'));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.file).toBe('/tmp/config.yaml');
    expect(err.problems).toEqual([
      { path: 'gateway.colour', line: 3, message: 'unknown key "colour"' },
      { path: 'servers.mem.argz', line: 7, message: 'unknown key "argz"' },
    ]);
    expect(err.message).toContain('/tmp/config.yaml:3: gateway.colour: unknown key "colour"');
    expect(err.message).toContain('/tmp/config.yaml:7: servers.mem.argz: unknown key "argz"');
  });

  it('reports a bad duration', () => {
    const err = configError(() => parseConfig('gateway:\n  idleTimeout: 10 minutes\n', 'c.yaml'));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ path: 'gateway.idleTimeout', line: 2 });
    expect(err.problems[0]!.message).toMatch(/invalid duration "10 minutes"/);
  });

  it('rejects callTimeout above 10m', () => {
    const err = configError(() => parseConfig('gateway:\n  callTimeout: 11m\nservers:\n  a:\n    command: x\n    callTimeout: 1h\n', 'c.yaml'));
    expect(err.problems.map((p) => [p.path, p.line])).toEqual([
      ['gateway.callTimeout', 2],
      ['servers.a.callTimeout', 6],
    ]);
    expect(err.problems[0]!.message).toMatch(/at most 10m/);
    expect(parseConfig('gateway:\n  callTimeout: 10m\n', 'c.yaml').gateway.callTimeout).toBe(600_000);
  });

  it('validates ${VAR} syntax, naming the field', () => {
    const text = [
      'servers:', //                                  1
      '  a:', //                                      2
      '    command: node', //                         3
      '    args: [ok, "${UNCLOSED"]', //              4
      '    cwd: "${1BAD}/x"', //                      5
      '    env: {GOOD: "${X:-d} $$ $${Y}", B: "${}"}', // 6
      '    headers: {X-A: "${A-B}"}', //              7
    ].join('\n');
    const err = configError(() => parseConfig(text, 'c.yaml'));
    expect(err.problems.map((p) => [p.path, p.line])).toEqual([
      ['servers.a.args[1]', 4],
      ['servers.a.cwd', 5],
      ['servers.a.env.B', 6],
      ['servers.a.headers.X-A', 7],
    ]);
    expect(err.problems[0]!.message).toMatch(/unclosed "\$\{"/);
    expect(err.problems[1]!.message).toMatch(/bad variable name "1BAD"/);
  });

  it('requires exactly one of command, url, docker and transport only with url', () => {
    const text = [
      'servers:', //                       1
      '  both:', //                        2
      '    command: npx', //               3
      '    url: http://localhost:1/mcp', // 4
      '  none:', //                        5
      '    transport: sse', //             6
    ].join('\n');
    const err = configError(() => parseConfig(text, 'c.yaml'));
    expect(err.problems).toEqual([
      { path: 'servers.both.url', line: 4, message: 'only one of command, url, docker allowed (has command, url)' },
      { path: 'servers.none', line: 5, message: 'needs one of command, url, docker' },
      { path: 'servers.none.transport', line: 6, message: 'transport is only valid with url' },
    ]);
  });

  it('rejects a bad server name', () => {
    const err = configError(() => parseConfig('servers:\n  ok:\n    command: a\n  "bad name!":\n    command: b\n', 'c.yaml'));
    expect(err.problems).toEqual([{ path: 'servers.bad name!', line: 4, message: 'server name must match [A-Za-z0-9_-]+' }]);
  });

  it('reports invalid YAML with a line', () => {
    const err = configError(() => parseConfig('gateway:\n  port: 1\n  host: [unclosed\nservers: {}\n', 'c.yaml'));
    expect(err.problems.length).toBeGreaterThan(0);
    expect(err.problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(err.message).toMatch(/c\.yaml:\d+: /);
    const dup = configError(() => parseConfig('gateway:\n  port: 1\n  port: 2\n', 'c.yaml'));
    expect(dup.problems).toEqual([{ path: '', line: 3, message: 'Map keys must be unique' }]);
  });

  it('returns a deeply frozen config', () => {
    const cfg = parseConfig('servers:\n  a:\n    command: x\n    args: [one]\n', 'c.yaml');
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(() => {
      (cfg.gateway as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (cfg.servers.a!.args as string[]).push('two');
    }).toThrow(TypeError);
    expect(() => {
      (cfg.servers.a!.tools.allow as string[])[0] = 'x';
    }).toThrow(TypeError);
  });
});

describe('workspace config', () => {
  it('accepts servers only, and an empty file means no servers', () => {
    expect(parseWorkspaceConfig('', '/w/.mcplex.yaml')).toEqual({ servers: {}, path: '/w/.mcplex.yaml', dir: '/w' });
    expect(parseWorkspaceConfig('servers:\n', '/w/.mcplex.yaml').servers).toEqual({});
    expect(parseWorkspaceConfig('servers:\n  fs:\n    command: npx\n', '/w/.mcplex.yaml').servers.fs!.sharing).toBe('global');
  });
  it('rejects gateway:', () => {
    const err = configError(() => parseWorkspaceConfig('gateway:\n  port: 1\nservers: {}\n', '/w/.mcplex.yaml'));
    expect(err.problems).toEqual([{ path: 'gateway', line: 1, message: 'unknown key "gateway"' }]);
  });
});

describe('loading and paths', () => {
  it('loads a file and explains a missing one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mcplex-config-'));
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, 'gateway:\n  port: 0\n');
    const cfg = await loadConfig(file);
    expect(cfg.gateway.port).toBe(0);
    expect(cfg.dir).toBe(dir);
    await expect(loadConfig(path.join(dir, 'nope.yaml'))).rejects.toThrow(/not found: create it .*--config/);
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves the config path: flag, then MCPLEX_CONFIG, then home', () => {
    expect(resolveConfigPath({ flag: '/a/c.yaml', env: { MCPLEX_CONFIG: '/b/c.yaml' }, home: '/h' })).toBe('/a/c.yaml');
    expect(resolveConfigPath({ env: { MCPLEX_CONFIG: '/b/c.yaml' }, home: '/h' })).toBe('/b/c.yaml');
    expect(resolveConfigPath({ env: {}, home: '/h' })).toBe('/h/config.yaml');
  });

  it('formats problems for config validate', () => {
    const err = configError(() => parseConfig('gateway:\n  nope: 1\n  port: x\n', '/tmp/config.yaml'));
    expect(formatProblems(err)).toBe(
      [
        '/tmp/config.yaml:2  gateway.nope  unknown key "nope"',
        '/tmp/config.yaml:3  gateway.port  Invalid input: expected number, received string',
        '2 problems in /tmp/config.yaml',
      ].join('\n'),
    );
  });
});
