// The session lifecycle is the same on every transport: what comes before initialize, a second initialize, server/discover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Home, servers, type RawShim } from './helpers/harness.js';
import { post, rawSession, startDaemon } from './helpers/raw-http.js';

const INIT = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };

/** One request over a raw shim: its answer without the id. */
async function viaShim(s: RawShim, id: string, method: string, params?: unknown): Promise<unknown> {
  s.send({ id, method, ...(params ? { params } : {}) });
  const { id: _id, jsonrpc: _v, ...rest } = await s.next((m) => m.id === id);
  return rest;
}

/** The same request over HTTP: its status and answer without the id. */
async function viaHttp(send: (body: string) => ReturnType<typeof post>, id: string, method: string, params?: unknown): Promise<{ status: number; answer: unknown }> {
  const r = await send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }));
  const { id: _id, jsonrpc: _v, ...answer } = JSON.parse(r.texts.at(-1)!);
  return { status: r.status, answer };
}

describe('lifecycle on the shim and on /mcp', () => {
  let home: Home;
  let url: string;

  beforeAll(async () => {
    home = new Home(servers.everything());
    url = `${await startDaemon(home)}/mcp`;
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('a request before initialize, server/discover and ping get the same answers on both, and nothing is spawned', async () => {
    const s = home.rawShim();
    const http = (body: string) => post(url, body);
    for (const [method, params] of [['tools/list', undefined], ['server/discover', {}], ['ping', undefined]] as const) {
      const shim = await viaShim(s, `early-${method}`, method, params);
      const web = await viaHttp(http, `early-${method}`, method, params);
      expect(web.answer).toEqual(shim);
      expect(web.status).toBe('error' in (shim as object) ? 400 : 200);
    }
    expect(await viaShim(s, 'x', 'tools/list')).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/send initialize first/) } });
    expect(await viaShim(s, 'y', 'server/discover', {})).toMatchObject({ result: { supportedVersions: ['2026-07-28'], resultType: 'complete' } });
    expect((await home.status()).instances).toEqual([]);
  });

  it('a second initialize is refused the same way on both; the session goes on', async () => {
    const s = home.rawShim();
    expect(await viaShim(s, 'i1', 'initialize', INIT)).toHaveProperty('result.protocolVersion', '2025-11-25');
    const shim = await viaShim(s, 'i2', 'initialize', INIT);
    expect(shim).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/already initialized/) } });

    const session = await rawSession(url);
    const web = await viaHttp(session.post, 'i2', 'initialize', INIT);
    expect(web.answer).toEqual(shim);
    expect(await viaShim(s, 'p', 'ping')).toEqual({ result: {} });
    expect((await viaHttp(session.post, 'p', 'ping')).answer).toEqual({ result: {} });
  });
});
