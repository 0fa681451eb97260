// Container backends: the docker command line carries env names only; values travel in the process environment.
import { describe, expect, it } from 'vitest';
import { dockerArgs } from '../src/backends/docker.js';
import { resolveServer } from '../src/env/resolve.js';
import type { ServerConfig } from '../src/config/types.js';

const server: ServerConfig = {
  docker: { image: 'ghcr.io/example/mcp:1', args: ['--network', 'none', '-v', '${WORKDIR}:/work'] },
  args: ['--verbose'],
  headers: {},
  env: { API_TOKEN: '${API_TOKEN}', MODE: 'fast' },
  sharing: 'credential',
  enabled: true,
  tools: { allow: ['*'], deny: [] },
  limits: {},
  restart: { retries: 5, minDelay: 500, maxDelay: 30_000 },
};

describe('dockerArgs', () => {
  const resolved = resolveServer('boxed', server, {
    gatewayEnv: {},
    homeEnv: {},
    workspaceEnv: { API_TOKEN: 'tok-very-secret', WORKDIR: '/home/me/project' },
    workspace: '/home/me/project',
    systemEnv: { PATH: '/usr/bin', HOME: '/home/me' },
    daemonEnv: {},
    sessionId: 's1',
    configDir: '/home/me/.mcplex',
  });

  it('runs docker run -i --rm with -e NAME for each configured variable, then docker args, image and server args', () => {
    expect(dockerArgs(resolved)).toEqual([
      'run', '-i', '--rm',
      '-e', 'API_TOKEN', '-e', 'MODE',
      '--network', 'none', '-v', '/home/me/project:/work',
      'ghcr.io/example/mcp:1',
      '--verbose',
    ]);
  });

  it('never puts a value on the command line; the values are in the spawned environment', () => {
    expect(dockerArgs(resolved).join(' ')).not.toContain('tok-very-secret');
    expect(resolved.env.API_TOKEN).toBe('tok-very-secret');
    expect(resolved.env.MODE).toBe('fast');
  });

  it('passes no -e for the safe keys (PATH, HOME…)', () => {
    expect(dockerArgs(resolved)).not.toContain('PATH');
    expect(dockerArgs(resolved)).not.toContain('HOME');
  });
});
