// SDK clients: direct to a server over stdio, through a real shim, or over HTTP to a peer or the daemon.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { shimArgv } from './env.mjs';
import { directEnv } from './servers.mjs';

const INFO = { name: 'mcplex-bench', version: '1.0.0' };

/** An SDK client that spawns its own server (as MCP clients do today). */
export async function directSdk(spec) {
  const transport = new StdioClientTransport({ command: spec.command, args: spec.args, env: directEnv(spec), stderr: 'ignore' });
  const client = new Client(INFO, { capabilities: {} });
  await client.connect(transport);
  return client;
}

/** An SDK client talking to a real shim of `home` (the Node one, or `kind` 'native'). */
export async function shimSdk(home, args = [], kind = 'node') {
  const [command, argv] = shimArgv(kind, args);
  const transport = new StdioClientTransport({ command, args: argv, env: home.env(), cwd: home.dir, stderr: 'ignore' });
  const client = new Client(INFO, { capabilities: {} });
  await client.connect(transport);
  return home.track(client);
}

/** An SDK client over Streamable HTTP. */
export async function httpSdk(url) {
  const client = new Client(INFO, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** tools/call of a backend tool through the meta surface's call_tool. */
export function metaCall(client, server, tool, args = {}) {
  return client.callTool({ name: 'call_tool', arguments: { server, tool, arguments: args } });
}

/** Closes clients, ignoring errors, bounded in time. */
export async function closeAll(clients, ms = 8000) {
  await Promise.race([Promise.all(clients.map((c) => c.close().catch(() => undefined))), new Promise((r) => setTimeout(r, ms))]);
}
