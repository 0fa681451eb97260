// HTTP session bookkeeping: abandoned sessions expire and their number is capped, so memory stays bounded.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpSessions } from '../src/front/http-sessions.js';
import type { MessageTransport } from '../src/protocol/transport.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A real HTTP server whose MCP sessions answer initialize and count closes. */
async function setup(opts: { idleMs?: number; maxSessions?: number }) {
  let closed = 0;
  const sessions = new HttpSessions({
    log: pino({ level: 'silent' }),
    ...opts,
    open: (transport: MessageTransport) => {
      transport.onmessage = (m) => {
        if (!('id' in m && 'method' in m)) return;
        if (m.method === 'initialize') {
          void transport.send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 't', version: '1' } } });
        } else void transport.send({ jsonrpc: '2.0', id: m.id, error: { code: -32600, message: 'send initialize first' } });
      };
      void transport.start();
      return { close: async () => void closed++ };
    },
  });
  const server = http.createServer((req, res) => void sessions.handleStreamable(req, res, new URL(req.url ?? '/', 'http://x')));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const init = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } }),
    }).then(async (r) => {
      await r.text();
      return r.headers.get('mcp-session-id');
    });
  return { sessions, init, closed: () => closed, url };
}

describe('HttpSessions', () => {
  it('caps the number of sessions, closing the least recently used', async () => {
    const t = await setup({ maxSessions: 2 });
    const ids = [await t.init(), await t.init(), await t.init()];
    expect(new Set(ids).size).toBe(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.sessions.size).toBe(2);
    expect(t.closed()).toBe(1);
    await t.sessions.close();
  });

  it('expires sessions that see no request for idleMs', async () => {
    const t = await setup({ idleMs: 200 });
    await t.init();
    await t.init();
    expect(t.sessions.size).toBe(2);
    await new Promise((r) => setTimeout(r, 700));
    expect(t.sessions.size).toBe(0);
    expect(t.closed()).toBe(2);
    await t.sessions.close();
  });

  it('answers a request without a session id or initialize with 400', async () => {
    const t = await setup({});
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const r = await fetch(t.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).id).toBe(1);
    const bad = await fetch(t.url, { method: 'POST', headers, body: '{not json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe(-32700);
    await t.sessions.close();
  });
});
