// The conformance baseline is honest: the scenarios it lists fail because they call the suite's own fixture names,
// never pass by accident on an mcplex answer, and a listed scenario cannot hide a protocol failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Home, ROOT, servers } from './helpers/harness.js';
import { startDaemon } from './helpers/raw-http.js';
import { closeClients, connect } from './helpers/clients.js';

const BASELINE = path.join(ROOT, 'test/conformance/expected-failures.yml');
const SUITE = path.join(ROOT, '.cache/conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js');
const NODE22 = path.join(ROOT, '.cache/conformance/node_modules/.bin/node');

describe('conformance baseline', () => {
  let home: Home;
  let base: string;
  let client: Client;

  beforeAll(async () => {
    home = new Home(servers.everything());
    base = await startDaemon(home);
    client = await connect(home, 'mcp', { name: 'conformance-check' });
  });

  afterAll(async () => {
    await closeClients();
    await home.dispose();
  });

  it('lists only scenarios that use the suite’s fixture names, each saying which', () => {
    const lines = fs.readFileSync(BASELINE, 'utf8').split('\n').filter((l) => /^\s+- /.test(l));
    const listed = (parse(fs.readFileSync(BASELINE, 'utf8')) as { server: string[] }).server;
    expect(lines).toHaveLength(listed.length);
    for (const line of lines) expect(line).toMatch(/# (calls|gets|reads|completes|expects) .*(test_|test:\/\/|json_schema_2020_12_tool)/);
    expect(listed).toEqual(expect.arrayContaining(['tools-call-simple-text', 'tools-call-error']));
  });

  it('tools-call-simple-text and tools-call-error cannot pass on an mcplex answer: an unknown tool is a JSON-RPC error', async () => {
    // What those two scenarios send: tools/call of the suite's fixture tools, which no backend here has.
    for (const name of ['test_simple_text', 'test_error_handling']) {
      const err = await client.callTool({ name, arguments: {} }).then(
        (r) => ({ result: r }),
        (e: { code?: number; message?: string }) => e,
      );
      expect(err).not.toHaveProperty('result');
      expect((err as { code?: number }).code).toBe(-32602);
      expect((err as { message?: string }).message).toMatch(new RegExp(`Unknown tool: "${name}"`));
    }
  });

  // Where the suite is installed (`npm run conformance` fetches it), run those two scenarios for real.
  it.skipIf(!fs.existsSync(SUITE) || !fs.existsSync(NODE22))('the suite itself fails both scenarios against mcplex', () => {
    for (const scenario of ['tools-call-simple-text', 'tools-call-error']) {
      const run = spawnSync(NODE22, [SUITE, 'server', '--url', `${base}/mcp`, '--scenario', scenario], { encoding: 'utf8', timeout: 120_000 });
      expect(run.stdout).toMatch(/Passed: 0\/1/);
    }
  });
});
