// The shim's memory of its client: pending requests get an error when the daemon goes, and a replayed handshake's reply is swallowed.
import { describe, expect, it } from 'vitest';
import { ShimState } from '../src/shim/state.js';

describe('ShimState', () => {
  it('answers only the requests still in flight when the connection is lost', () => {
    const out: any[] = [];
    const s = new ShimState((l) => out.push(JSON.parse(l)));
    s.fromClient(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} }));
    s.fromClient(JSON.stringify({ jsonrpc: '2.0', id: 'b', method: 'tools/list' }));
    s.fromClient(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }));
    s.fromDaemon('{"jsonrpc":"2.0","id":1,"result":{"content":[]}}');
    s.fromDaemon('{"jsonrpc":"2.0","id":"mcplex-7","method":"roots/list"}'); // a request to the client, not a reply
    s.fromDaemon(JSON.stringify({ result: {}, id: 3, jsonrpc: '2.0' })); // another key order still counts
    out.length = 0;
    s.connectionLost();
    expect(out).toEqual([{ jsonrpc: '2.0', id: 'b', error: { code: -32000, message: expect.stringContaining('connection lost') } }]);
  });

  it('replays initialize and initialized after a loss, and swallows the duplicate reply', () => {
    const out: string[] = [];
    const s = new ShimState((l) => out.push(l));
    s.fromClient(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18' } }));
    s.fromDaemon('{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18"}}');
    s.fromClient(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    expect(s.replayFrames()).toEqual([]); // nothing to replay on the first connection
    s.connectionLost();
    const frames = s.replayFrames().map((f) => JSON.parse(f));
    expect(frames[0]).toMatchObject({ method: 'initialize', params: { protocolVersion: '2025-06-18' } });
    expect(frames[1]).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const before = out.length;
    s.fromDaemon(`{"jsonrpc":"2.0","id":${JSON.stringify(frames[0].id)},"result":{}}`);
    expect(out.length).toBe(before);
  });

  it('answers an oversized client line under its own id', () => {
    const out: any[] = [];
    new ShimState((l) => out.push(JSON.parse(l))).rejectOversize(17 * 1024 * 1024, 42, true);
    expect(out[0]).toMatchObject({ id: 42, error: { code: -32600 } });
  });

  it('fails a pending request under its id exactly as sent, an integer beyond 2^53 included', () => {
    const out: string[] = [];
    const s = new ShimState((l) => out.push(l));
    s.fromClient('{"jsonrpc":"2.0","id":123456789012345678901,"method":"tools/list"}');
    s.fromClient('{"jsonrpc":"2.0","id":"x","method":"ping"}');
    s.fromDaemon('{"jsonrpc":"2.0","id":"x","result":{}}');
    out.length = 0;
    s.connectionLost();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\{"jsonrpc":"2\.0","id":123456789012345678901,"error":/);
  });
});
