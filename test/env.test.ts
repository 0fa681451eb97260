import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerConfig } from '../src/config/types.js';
import { findWorkspace } from '../src/env/workspace.js';
import { readEnvFile } from '../src/env/dotenv.js';
import { interpolate } from '../src/env/interpolate.js';
import { redactor } from '../src/env/redact.js';
import { resolveServer, SAFE_ENV_KEYS, type ResolveContext } from '../src/env/resolve.js';

function server(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    command: 'node',
    args: ['server.js'],
    headers: {},
    env: {},
    sharing: 'credential',
    enabled: true,
    tools: { allow: ['*'], deny: [] },
    limits: {},
    restart: { retries: 5, minDelay: 500, maxDelay: 30_000 },
    ...overrides,
  };
}

function context(overrides: Partial<ResolveContext> = {}): ResolveContext {
  return {
    gatewayEnv: {},
    homeEnv: {},
    workspaceEnv: {},
    workspace: '/work/project',
    systemEnv: { HOME: '/home/session', PATH: '/session/bin', TERM: 'xterm' },
    daemonEnv: { HOME: '/home/daemon', PATH: '/daemon/bin' },
    sessionId: 'sess-1',
    configDir: '/etc/mcplex',
    ...overrides,
  };
}

const tmpRoots: string[] = [];
function tmp(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-env-')));
  tmpRoots.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tmpRoots) fs.rmSync(dir, { recursive: true, force: true });
});

describe('findWorkspace', () => {
  let root: string;
  beforeAll(() => {
    root = tmp();
  });

  it('finds the ancestor holding a .git directory', () => {
    const repo = path.join(root, 'repo');
    fs.mkdirSync(path.join(repo, '.git'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'src', 'deep'), { recursive: true });
    expect(findWorkspace(path.join(repo, 'src', 'deep'))).toBe(repo);
    expect(findWorkspace(repo)).toBe(repo);
  });

  it('accepts a .git file (worktree / submodule)', () => {
    const wt = path.join(root, 'worktree');
    fs.mkdirSync(path.join(wt, 'a'), { recursive: true });
    fs.writeFileSync(path.join(wt, '.git'), 'gitdir: /elsewhere\n');
    expect(findWorkspace(path.join(wt, 'a'))).toBe(wt);
  });

  it('finds the ancestor holding .mcplex.yaml', () => {
    const proj = path.join(root, 'proj');
    fs.mkdirSync(path.join(proj, 'x', 'y'), { recursive: true });
    fs.writeFileSync(path.join(proj, '.mcplex.yaml'), 'servers: {}\n');
    expect(findWorkspace(path.join(proj, 'x', 'y'))).toBe(proj);
  });

  it('picks the nearest marker when nested', () => {
    const outer = path.join(root, 'outer');
    const inner = path.join(outer, 'packages', 'inner');
    fs.mkdirSync(path.join(outer, '.git'), { recursive: true });
    fs.mkdirSync(path.join(inner, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(inner, '.mcplex.yaml'), 'servers: {}\n');
    expect(findWorkspace(path.join(inner, 'lib'))).toBe(inner);
    expect(findWorkspace(path.join(outer, 'packages'))).toBe(outer);
  });

  it('falls back to the cwd itself, absolute and normalized', () => {
    const plain = path.join(root, 'plain', 'sub');
    fs.mkdirSync(plain, { recursive: true });
    // tmpdir is assumed not to sit inside a git checkout
    expect(findWorkspace(plain + '/./../sub/')).toBe(plain);
  });
});

describe('readEnvFile', () => {
  it('parses a file, returns {} when missing, throws naming an unreadable one', () => {
    const dir = tmp();
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, '# comment\nA=1\nB="two words"\nexport C=3\n');
    expect(readEnvFile(file)).toEqual({ A: '1', B: 'two words', C: '3' });
    expect(readEnvFile(path.join(dir, 'nope.env'))).toEqual({});
    expect(() => readEnvFile(dir)).toThrow(dir);
  });
});

describe('interpolate', () => {
  const vars: Record<string, string> = { A: 'alpha', EMPTY: '' };
  const lookup = (n: string) => vars[n];

  it('replaces ${NAME}, ${NAME:-default} and $$', () => {
    const missing = new Set<string>();
    expect(interpolate('x=${A} y=${B:-def} z=${A:-def} $$HOME $A', lookup, missing)).toBe('x=alpha y=def z=alpha $HOME $A');
    expect(interpolate('${EMPTY:-fallback}', lookup, missing)).toBe('fallback');
    expect(missing.size).toBe(0);
  });

  it('reports missing names and substitutes empty text', () => {
    const missing = new Set<string>();
    expect(interpolate('a${NOPE}b${ALSO_NOPE}', lookup, missing)).toBe('ab');
    expect([...missing]).toEqual(['NOPE', 'ALSO_NOPE']);
  });
});

describe('resolveServer: layer precedence (credential)', () => {
  const srv = server({ env: { TOKEN: 'inline', REF: '${VAR}' } });
  const full = {
    workspaceEnv: { TOKEN: 'l1', VAR: 'v1' },
    homeEnv: { TOKEN: 'l2', VAR: 'v2' },
    gatewayEnv: { TOKEN: 'gw', VAR: 'vgw' },
    systemEnv: { TOKEN: 'l4', VAR: 'v4' },
  };

  it('layer 1 (workspace .env) wins over everything', () => {
    const r = resolveServer('s', srv, context(full));
    expect(r.env.TOKEN).toBe('l1');
    expect(r.env.REF).toBe('v1');
  });

  it('layer 2 (MCPLEX_HOME/.env) wins when layer 1 lacks the key', () => {
    const r = resolveServer('s', srv, context({ ...full, workspaceEnv: {} }));
    expect(r.env.TOKEN).toBe('l2');
    expect(r.env.REF).toBe('v2');
  });

  it('inline server env wins over gateway.env and system env', () => {
    const r = resolveServer('s', srv, context({ ...full, workspaceEnv: {}, homeEnv: {} }));
    expect(r.env.TOKEN).toBe('inline');
    expect(r.env.REF).toBe('vgw');
  });

  it('gateway.env applies when the server has no inline value', () => {
    const r = resolveServer('s', server({ env: { REF: '${VAR}' } }), context({ ...full, workspaceEnv: {}, homeEnv: {} }));
    expect(r.env.TOKEN).toBe('gw');
    expect(r.env.REF).toBe('vgw');
  });

  it('the session system env (layer 4) is used when nothing else defines a variable', () => {
    const r = resolveServer(
      's',
      server({ env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' } }),
      context({ systemEnv: { GITHUB_TOKEN: 'from-shim' }, daemonEnv: { GITHUB_TOKEN: 'from-daemon' } }),
    );
    expect(r.env.GITHUB_TOKEN).toBe('from-shim');
    expect(r.missing).toEqual([]);
  });

  it('a gateway.env self-reference falls through to the system env', () => {
    const r = resolveServer(
      's',
      server({ env: { X: '${GITHUB_TOKEN}' } }),
      context({ gatewayEnv: { GITHUB_TOKEN: '${GITHUB_TOKEN}' }, systemEnv: { GITHUB_TOKEN: 'sys' } }),
    );
    expect(r.env.GITHUB_TOKEN).toBe('sys');
    expect(r.env.X).toBe('sys');
  });

  it('interpolates args, url, headers and cwd through the same layers', () => {
    const r = resolveServer(
      's',
      server({
        args: ['--dir', '${DIR}', '--mode=${MODE:-fast}'],
        url: 'https://example.com/${PATHPART}',
        headers: { Authorization: 'Bearer ${API_TOKEN}' },
        cwd: '${DIR}/sub',
      }),
      context({ workspaceEnv: { DIR: '/data' }, homeEnv: { API_TOKEN: 'tok-123456' }, systemEnv: { PATHPART: 'mcp' } }),
    );
    expect(r.args).toEqual(['--dir', '/data', '--mode=fast']);
    expect(r.url).toBe('https://example.com/mcp');
    expect(r.headers).toEqual({ Authorization: 'Bearer tok-123456' });
    expect(r.cwd).toBe('/data/sub');
    expect(r.secrets).toContain('Bearer tok-123456');
    expect(r.secrets).toContain('tok-123456');
  });
});

describe('resolveServer: sharing modes', () => {
  it('global ignores the workspace .env and session env, using the daemon env', () => {
    const r = resolveServer(
      'g',
      server({ sharing: 'global', env: { A: '${A}', B: '${B}' } }),
      context({
        workspaceEnv: { A: 'ws', B: 'ws' },
        homeEnv: { B: 'home' },
        systemEnv: { A: 'session', HOME: '/home/session' },
        daemonEnv: { A: 'daemon', HOME: '/home/daemon' },
      }),
    );
    expect(r.env.A).toBe('daemon');
    expect(r.env.B).toBe('home');
    expect(r.env.HOME).toBe('/home/daemon');
    expect(r.key).toBe('g');
  });

  it('workspace uses the workspace .env and the daemon env, keyed by workspace', () => {
    const r = resolveServer(
      'w',
      server({ sharing: 'workspace', env: { A: '${A}', C: '${C}' } }),
      context({ workspaceEnv: { A: 'ws' }, systemEnv: { C: 'session' }, daemonEnv: { C: 'daemon' } }),
    );
    expect(r.env.A).toBe('ws');
    expect(r.env.C).toBe('daemon');
    expect(r.key).toBe('w@/work/project');
  });

  it('session is keyed by session id and uses the session env', () => {
    const r = resolveServer('p', server({ sharing: 'session', env: { A: '${A}' } }), context({ systemEnv: { A: 'mine' } }));
    expect(r.env.A).toBe('mine');
    expect(r.key).toBe('p~sess-1');
  });

  it('credential keys are equal for equal resolution and differ when a value differs', () => {
    const srv = server({ env: { TOKEN: '${TOKEN}' } });
    const a = resolveServer('c', srv, context({ systemEnv: { TOKEN: 'one', PATH: '/bin' }, sessionId: 'a' }));
    const b = resolveServer('c', srv, context({ homeEnv: { TOKEN: 'one' }, systemEnv: { PATH: '/bin' }, sessionId: 'b', workspace: '/other' }));
    const c = resolveServer('c', srv, context({ systemEnv: { TOKEN: 'two', PATH: '/bin' }, sessionId: 'a' }));
    expect(a.key).toMatch(/^c#[0-9a-f]{12}$/);
    expect(a.key).toBe(b.key);
    expect(a.configHash).toBe(b.configHash);
    expect(c.key).not.toBe(a.key);
    expect(c.configHash).not.toBe(a.configHash);
    const d = resolveServer('c', server({ env: { TOKEN: '${TOKEN}' }, args: ['other.js'] }), context({ systemEnv: { TOKEN: 'one', PATH: '/bin' } }));
    expect(d.key).not.toBe(a.key);
  });
});

describe('resolveServer: backend env and secrets', () => {
  it('the backend env holds only safe keys, env-block keys and gateway.env keys', () => {
    const systemEnv = { SECRET: 'sys-secret', HOME: '/h', PATH: '/p', SHELL: '/bin/zsh', USER: 'me', EDITOR: 'vim' };
    const daemonEnv = { SECRET: 'daemon-secret', HOME: '/dh', PATH: '/dp', LANG: 'C' };
    const ctx = context({ systemEnv, daemonEnv, gatewayEnv: { LOG: 'info' }, homeEnv: { OTHER: 'x' }, workspaceEnv: { MORE: 'y' } });
    const cred = resolveServer('s', server({ env: { API: 'k' } }), ctx);
    expect(cred.env).toEqual({ HOME: '/h', PATH: '/p', SHELL: '/bin/zsh', USER: 'me', API: 'k', LOG: 'info' });
    expect(Object.keys(cred.env)).not.toContain('SECRET');
    const glob = resolveServer('s', server({ sharing: 'global', env: { API: 'k' } }), ctx);
    expect(glob.env).toEqual({ HOME: '/dh', PATH: '/dp', LANG: 'C', API: 'k', LOG: 'info' });
    for (const key of Object.keys(glob.env)) {
      expect([...SAFE_ENV_KEYS, 'API', 'LOG']).toContain(key);
    }
  });

  it('reports missing variables and uses defaults', () => {
    const r = resolveServer(
      's',
      server({ env: { A: '${UNSET_ONE}', B: '${UNSET_TWO:-def}' }, args: ['${UNSET_THREE}'] }),
      context(),
    );
    expect(r.env.A).toBe('');
    expect(r.env.B).toBe('def');
    expect(r.args).toEqual(['']);
    expect(r.missing.sort()).toEqual(['UNSET_ONE', 'UNSET_THREE']);
  });

  it('global mode reports a variable only the workspace .env defines as missing', () => {
    const r = resolveServer('s', server({ sharing: 'global', env: { A: '${ONLY_WS}' } }), context({ workspaceEnv: { ONLY_WS: 'x' } }));
    expect(r.missing).toEqual(['ONLY_WS']);
  });

  it('configHash and key contain no secret; secrets list the resolved values', () => {
    const planted = 'sk-planted-secret-value';
    const r = resolveServer('s', server({ env: { API_KEY: '${API_KEY}' } }), context({ workspaceEnv: { API_KEY: planted } }));
    expect(r.env.API_KEY).toBe(planted);
    expect(r.configHash).toMatch(/^[0-9a-f]{16}$/);
    expect(r.configHash).not.toContain(planted);
    expect(r.key).not.toContain(planted);
    expect(r.secrets).toContain(planted);
    expect(r.secrets).not.toContain('/home/session');
  });

  it('cwd: ~ expands to HOME, relative resolves against configDir, default is configDir', () => {
    expect(resolveServer('s', server({ cwd: '~/proj' }), context()).cwd).toBe('/home/session/proj');
    expect(resolveServer('s', server({ sharing: 'global', cwd: '~' }), context()).cwd).toBe('/home/daemon');
    expect(resolveServer('s', server({ cwd: 'rel/dir' }), context()).cwd).toBe('/etc/mcplex/rel/dir');
    expect(resolveServer('s', server(), context()).cwd).toBe('/etc/mcplex');
  });
});

describe('redact', () => {
  it('replaces every occurrence of each secret, longest first, regex-safe', () => {
    const redact = redactor(['abcd', 'abcdef', 'a.b*c', 'xyz']);
    expect(redact('abcdef and abcd and a.b*c and axbbc and xyz')).toBe('[redacted] and [redacted] and [redacted] and axbbc and xyz');
    expect(redactor([])('unchanged')).toBe('unchanged');
  });
});
