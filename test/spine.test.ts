// Several real SDK clients, each through its own shim, in two directories, sharing one process per server.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Home, descendants, json, servers, text } from './helpers/harness.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

describe('five sessions in two directories share one daemon and one process per server', () => {
  let home: Home;
  let clients: Client[];

  beforeAll(async () => {
    home = new Home('');
    home.writeConfig(servers.everything() + servers.memory(path.join(home.dir, 'memory.jsonl')));
    const dirA = path.join(home.dir, 'projA');
    const dirB = path.join(home.dir, 'projB');
    for (const d of [dirA, dirB]) fs.mkdirSync(path.join(d, '.git'), { recursive: true });
    clients = [];
    for (let i = 0; i < 5; i++) clients.push(await home.client({ cwd: i % 2 ? dirB : dirA, name: `client-${i}` }));
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('answers initialize from config and lists the meta tools without spawning anything', async () => {
    const st = await home.status();
    expect(st.sessions).toHaveLength(5);
    expect(st.instances).toHaveLength(0);
    expect(descendants(st.daemon.pid)).toHaveLength(0);
    const names = (await clients[0]!.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(['list_servers', 'search_tools', 'describe_tool', 'call_tool', 'install_server', 'remove_server']);
    expect(clients[0]!.getServerVersion()?.name).toBe('mcplex');
    expect(clients[0]!.getServerCapabilities()?.tools?.listChanged).toBe(true);
  });

  it('call_tool echo works from every session, on exactly one server-everything process', async () => {
    const results = await Promise.all(
      clients.map((c, i) => c.callTool({ name: 'call_tool', arguments: { server: 'everything', tool: 'echo', arguments: { message: `hello ${i}` } } })),
    );
    results.forEach((r, i) => expect(text(r)).toBe(`Echo: hello ${i}`));
    const st = await home.status();
    const everything = descendants(st.daemon.pid).filter((p) => p.cmd.includes('server-everything'));
    expect(everything).toHaveLength(1);
    const inst = st.instances.filter((i) => i.server === 'everything');
    expect(inst).toHaveLength(1);
    expect(inst[0]!.pid).toBe(everything[0]!.pid);
    expect(inst[0]!.calls).toBe(5);
  });

  it('an entity created in server-memory by one session is read by another', async () => {
    const created = await clients[0]!.callTool({
      name: 'call_tool',
      arguments: { server: 'memory', tool: 'create_entities', arguments: { entities: [{ name: 'mcplex-test-entity', entityType: 'project', observations: ['shared across sessions'] }] } },
    });
    expect(created.isError).toBeFalsy();
    const read = await clients[3]!.callTool({ name: 'call_tool', arguments: { server: 'memory', tool: 'open_nodes', arguments: { names: ['mcplex-test-entity'] } } });
    expect(text(read)).toContain('shared across sessions');
    const st = await home.status();
    expect(descendants(st.daemon.pid).filter((p) => p.cmd.includes('server-memory'))).toHaveLength(1);
  });

  it('search_tools ranks by relevance and describe_tool returns the schema', async () => {
    const found = json(await clients[1]!.callTool({ name: 'search_tools', arguments: { query: 'add two numbers' } }));
    expect(found.results[0]).toMatchObject({ server: 'everything', tool: 'get-sum' });
    const described = json(await clients[1]!.callTool({ name: 'describe_tool', arguments: { server: 'everything', tool: 'get-sum' } }));
    expect(described.inputSchema.properties).toHaveProperty('a');
    expect(described.inputSchema.properties).toHaveProperty('b');
  });

  it('list_servers shows both servers running with their tool counts', async () => {
    const listed = json(await clients[4]!.callTool({ name: 'list_servers', arguments: {} }));
    const byName = Object.fromEntries(listed.servers.map((s: any) => [s.name, s]));
    expect(byName.everything.state).toBe('running');
    expect(byName.everything.tools).toBeGreaterThan(5);
    expect(byName.memory.tools).toBeGreaterThan(5);
  });

  it('errors a model can act on come back as isError results with a hint', async () => {
    const unknownServer = await clients[2]!.callTool({ name: 'call_tool', arguments: { server: 'nope', tool: 'echo', arguments: {} } });
    expect(unknownServer.isError).toBe(true);
    expect(text(unknownServer)).toMatch(/unknown server "nope".*everything, memory/s);
    const unknownTool = await clients[2]!.callTool({ name: 'describe_tool', arguments: { server: 'everything', tool: 'no-such-tool' } });
    expect(unknownTool.isError).toBe(true);
    expect(text(unknownTool)).toContain('no tool "no-such-tool"');
  });
});
