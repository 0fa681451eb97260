// The manifest cache: after a daemon restart, listing and searching come from disk and no backend spawns until a call.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Home, descendants, json, servers, text, waitFor } from './helpers/harness.js';

describe('manifest cache across a daemon restart', () => {
  let home: Home;
  const secret = 'cache-planted-secret-value-42';

  beforeAll(async () => {
    home = new Home(servers.everything(`    env: {API_TOKEN: "${secret}"}\n`) + servers.memory('/tmp/mcplex-cache-test-memory.jsonl'));
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('first listing discovers (spawns) the servers and writes their manifests', async () => {
    const client = await home.client({ surface: 'direct' });
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('everything__echo');
    expect(tools).toContain('memory__read_graph');
    const files = fs.readdirSync(path.join(home.dir, 'cache'));
    expect(files.some((f) => f.startsWith('everything-'))).toBe(true);
    expect(files.some((f) => f.startsWith('memory-'))).toBe(true);
    for (const f of files) expect(fs.readFileSync(path.join(home.dir, 'cache', f), 'utf8')).not.toContain(secret);
    await client.close();
  });

  it('after a restart, direct listing and search_tools spawn nothing; the first call does', async () => {
    expect((await home.cli(['stop'])).code).toBe(0);
    const direct = await home.client({ surface: 'direct' });
    const meta = await home.client();
    const tools = (await direct.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('everything__echo');
    const found = json(await meta.callTool({ name: 'search_tools', arguments: { query: 'echo back the input' } }));
    expect(found.results.map((r: any) => r.tool)).toContain('echo');
    const daemon = (await home.status()).daemon.pid;
    expect(descendants(daemon)).toHaveLength(0);
    expect((await home.status()).instances.filter((i) => i.pid !== null)).toHaveLength(0);

    const echoed = await direct.callTool({ name: 'everything__echo', arguments: { message: 'after restart' } });
    expect(text(echoed)).toBe('Echo: after restart');
    await waitFor(() => descendants(daemon).some((p) => p.cmd.includes('server-everything')), 5000, 'everything to run');
    expect(descendants(daemon).some((p) => p.cmd.includes('server-memory'))).toBe(false);
  });

  it('a changed server config misses the cache (key is a hash of the resolved config)', async () => {
    expect((await home.cli(['stop'])).code).toBe(0);
    home.writeConfig(servers.everything(`    env: {API_TOKEN: "a-different-value"}\n`));
    const direct = await home.client({ surface: 'direct' });
    const tools = (await direct.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('everything__echo');
    const daemon = (await home.status()).daemon.pid;
    // no manifest matched, so listing had to discover the server
    expect(descendants(daemon).some((p) => p.cmd.includes('server-everything'))).toBe(true);
  });
});
