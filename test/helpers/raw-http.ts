// Raw HTTP MCP for tests that need exact bytes: POST to /mcp and read the JSON-RPC messages of the answer (SSE or JSON).
import net from 'node:net';
import type { Home } from './harness.js';

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** Starts the daemon of a home through the CLI and returns its base URL. */
export async function startDaemon(home: Home): Promise<string> {
  const r = await home.cli(['start']);
  if (r.code !== 0) throw new Error(`mcplex start failed: ${r.stderr}`);
  return `http://127.0.0.1:${home.daemonInfo()!.port}`;
}

/** The `data:` payloads of an event stream (non-empty ones), or the body itself for a JSON answer. */
export function messagesOf(body: string): string[] {
  if (!body.includes('data:')) return body ? [body] : [];
  return body
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim())
    .filter(Boolean);
}

/** POSTs one raw JSON-RPC text; returns the status, the session id header and the raw message texts of the answer. */
export async function post(url: string, body: string, sessionId?: string): Promise<{ status: number; sessionId: string | null; texts: string[] }> {
  const r = await fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, ...(sessionId ? { 'mcp-session-id': sessionId } : {}) }, body });
  return { status: r.status, sessionId: r.headers.get('mcp-session-id'), texts: messagesOf(await r.text()) };
}

/** A raw initialized /mcp session. */
export async function rawSession(url: string, protocolVersion = '2025-11-25'): Promise<{ id: string; post: (body: string) => ReturnType<typeof post> }> {
  const init = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  const r = await post(url, init);
  if (r.status !== 200 || !r.sessionId) throw new Error(`initialize failed: ${r.status} ${r.texts.join()}`);
  const id = r.sessionId;
  await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), id);
  return { id, post: (body) => post(url, body, id) };
}

/** A TCP port that was free a moment ago (for a daemon that must come back on the same port). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}
