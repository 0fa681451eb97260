// SDK clients over each transport a real client uses: the shim (stdio), Streamable HTTP (/mcp) and legacy SSE (/sse).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Home } from './harness.js';

export type Kind = 'shim' | 'mcp' | 'sse';
export const KINDS: Kind[] = ['shim', 'mcp', 'sse'];

export interface ClientOptions {
  surface?: 'meta' | 'direct' | 'both';
  capabilities?: Record<string, unknown>;
  name?: string;
}

const open: Client[] = [];

/** Closes every HTTP client `connect` made (shim clients close with their Home). */
export async function closeClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
}

/** A connected SDK client of `kind` (the daemon of `home` must be running for the HTTP kinds). */
export async function connect(home: Home, kind: Kind, opts: ClientOptions = {}): Promise<Client> {
  if (kind === 'shim') return home.client({ ...opts, name: opts.name ?? 'shim-client' });
  const base = `http://127.0.0.1:${home.daemonInfo()!.port}`;
  const query = opts.surface ? `?surface=${opts.surface}` : '';
  const client = new Client({ name: opts.name ?? `${kind}-client`, version: '1' }, { capabilities: opts.capabilities ?? {} });
  const transport =
    kind === 'mcp' ? new StreamableHTTPClientTransport(new URL(`${base}/mcp${query}`)) : new SSEClientTransport(new URL(`${base}/sse${query}`));
  await client.connect(transport);
  open.push(client);
  return client;
}
