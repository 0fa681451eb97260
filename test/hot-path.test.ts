// The per-call path's building blocks, as units: line splitting without copies, one timer per backend request, a
// request's cancellation without an AbortController, audit records written together at most AUDIT_FLUSH_MS late.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUDIT_FLUSH_MS, AuditLog } from '../src/observe/audit.js';
import type { JsonRpcMessage } from '../src/protocol/jsonrpc.js';
import { LineSplitter } from '../src/protocol/lines.js';
import type { MessageTransport } from '../src/protocol/transport.js';
import { McplexError } from '../src/protocol/errors.js';
import { Cancellation } from '../src/protocol/cancel.js';
import { BackendPeer } from '../src/router/backend-peer.js';

afterEach(() => {
  vi.useRealTimers();
});

function split(chunks: Array<string | Buffer>, max = 16): { lines: string[]; oversize: Array<[number, string]> } {
  const lines: string[] = [];
  const oversize: Array<[number, string]> = [];
  const s = new LineSplitter({ line: (t) => lines.push(t), oversize: (n, head) => oversize.push([n, head]) }, max);
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  return { lines, oversize };
}

describe('LineSplitter', () => {
  it('gives whole lines whether they come in one chunk, several, or many per chunk; CR and blank lines dropped', () => {
    expect(split(['{"a":1}\n{"b":2}\r\n\n  \n{"c"', ':3}\n', '{"d":4}'])).toEqual({ lines: ['{"a":1}', '{"b":2}', '{"c":3}'], oversize: [] });
    // A multi-byte character split between chunks is decoded whole.
    const e = Buffer.from('"é"\n');
    expect(split([e.subarray(0, 2), e.subarray(2)]).lines).toEqual(['"é"']);
  });

  it('accepts a line of exactly the cap, and drops a longer one (in one chunk or several) with its head', () => {
    expect(split(['x'.repeat(16) + '\n']).lines).toEqual(['x'.repeat(16)]);
    expect(split(['{"id":7,"x":"' + 'y'.repeat(20) + '"}\nok\n'])).toEqual({ lines: ['ok'], oversize: [[35, '{"id":7,"x":"' + 'y'.repeat(20) + '"}']] });
    expect(split(['{"id":8,', '"xxxxxxxxxxxxxxxxxxxx"}', '\nnext\n'])).toEqual({ lines: ['next'], oversize: [[31, '{"id":8,"xxxxxxxxxxxxxxxxxxxx"}']] });
  });
});

/** A transport that records what is sent and answers nothing by itself. */
function fakeTransport(): MessageTransport & { sent: JsonRpcMessage[] } {
  const t = {
    sent: [] as JsonRpcMessage[],
    start: async () => undefined,
    send: async (m: JsonRpcMessage) => void t.sent.push(m),
    close: async () => undefined,
  } as MessageTransport & { sent: JsonRpcMessage[] };
  return t;
}

describe('BackendPeer timeouts', () => {
  it('one timer per request: a call without an answer times out, progress resets it, an answer clears it', async () => {
    vi.useFakeTimers();
    const t = fakeTransport();
    const peer = new BackendPeer(t, () => new McplexError('BACKEND_CLOSED', 'gone'));
    const progress: unknown[] = [];
    const slow = peer.request('tools/call', { _meta: { progressToken: 'p' } }, { timeoutMs: 1000, onProgress: (p) => progress.push(p) });
    const settled = slow.then(
      () => 'resolved',
      (e: McplexError) => e.message,
    );
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(900);
    t.onmessage!({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'mcplex-1', progress: 1 } });
    await vi.advanceTimersByTimeAsync(900); // 1800 ms in all, but only 900 since the progress
    expect(progress).toEqual([{ progressToken: 'p', progress: 1 }]);
    await vi.advanceTimersByTimeAsync(200);
    expect(await settled).toMatch(/tools\/call timed out after 1000 ms without a response or progress/);
    expect(t.sent.at(-1)).toMatchObject({ method: 'notifications/cancelled', params: { requestId: 1, reason: 'timeout' } });

    const fast = peer.request('ping', undefined, { timeoutMs: 1000 });
    t.onmessage!({ jsonrpc: '2.0', id: 2, result: {} });
    expect(await fast).toEqual({});
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('Cancellation', () => {
  it('abort() runs each listener still added once, in order; listeners added after it never run', () => {
    const c = new Cancellation();
    const ran: string[] = [];
    const a = () => ran.push('a');
    const b = () => ran.push('b');
    c.addEventListener('abort', a);
    c.addEventListener('abort', b, { once: true });
    c.addEventListener('abort', () => ran.push('c'));
    c.removeEventListener('abort', b);
    expect(c.aborted).toBe(false);
    c.abort();
    c.abort();
    c.addEventListener('abort', () => ran.push('late'));
    expect(c.aborted).toBe(true);
    expect(ran).toEqual(['a', 'c']);
  });

  it('cancels a backend request: the request fails CANCELLED and the backend is told', async () => {
    const t = fakeTransport();
    const peer = new BackendPeer(t, () => new McplexError('BACKEND_CLOSED', 'gone'));
    const c = new Cancellation();
    const pending = peer.request('tools/call', { name: 'slow' }, { signal: c });
    c.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(t.sent.at(-1)).toMatchObject({ method: 'notifications/cancelled', params: { requestId: 1, reason: 'cancelled by the client' } });
    expect(peer.inFlight).toBe(0);
  });
});

describe('AuditLog', () => {
  it("writes the records of AUDIT_FLUSH_MS together (off the calls' path), and everything pending on close", () => {
    vi.useFakeTimers();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-audit-'));
    const file = path.join(dir, 'audit.jsonl');
    const log = new AuditLog(file);
    const rec = (tool: string) => ({ session: 's', client: null, workspace: dir, server: 'x', instance: 'k', tool, ms: 1, outcome: 'ok' as const });
    log.record(rec('a'));
    log.record(rec('b'));
    expect(fs.existsSync(file)).toBe(false); // nothing on the call's own path
    vi.advanceTimersByTime(AUDIT_FLUSH_MS - 1);
    expect(fs.existsSync(file)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).tool)).toEqual(['a', 'b']);
    log.record(rec('c'));
    log.close();
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).tool)).toEqual(['a', 'b', 'c']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
