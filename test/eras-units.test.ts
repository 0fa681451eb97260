// The era probe and the input_required rounds in isolation, against scripted backends and callers: every outcome of
// the stdio backward-compatibility probe, the cached verdicts, and what a 2025 caller is asked and what is retried.
import { describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { greet, type GreetOptions } from '../src/pool/era.js';
import { Listener } from '../src/pool/listen.js';
import type { Manifest } from '../src/pool/manifest.js';
import { MAX_INPUT_ROUNDS, withInputRounds } from '../src/catalog/input-required.js';
import { BackendRpcError, McplexError } from '../src/protocol/errors.js';
import type { Params } from '../src/protocol/jsonrpc.js';
import type { Caller, RequestOptions } from '../src/router/backend-peer.js';

type Answer = unknown | BackendRpcError | 'silent';

/** A backend that answers each method as scripted (a function of the params, an error, or never), recording what it got. */
function scriptedPeer(script: Record<string, Answer | ((params: Params | undefined) => Answer)>) {
  const sent: Array<{ method: string; params?: Params }> = [];
  const notified: string[] = [];
  const aborted: string[] = [];
  const peer = {
    request(method: string, params: Params | undefined, opts: RequestOptions = {}): Promise<unknown> {
      sent.push({ method, params });
      const step = script[method];
      const answer = typeof step === 'function' ? (step as (p: Params | undefined) => Answer)(params) : step;
      return new Promise((resolve, reject) => {
        opts.signal?.addEventListener('abort', () => {
          aborted.push(method);
          reject(new McplexError('CANCELLED', 'cancelled'));
        });
        if (answer === 'silent') return;
        if (answer instanceof Promise) return void answer.then(resolve, reject);
        if (answer instanceof BackendRpcError) return reject(answer);
        if (answer === undefined) return reject(new BackendRpcError({ code: -32601, message: `no ${method}` }));
        resolve(answer);
      });
    },
    notify(method: string) {
      notified.push(method);
    },
  };
  return { peer, sent, notified, aborted, methods: () => sent.map((s) => s.method) };
}

const DISCOVERED = { resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, ttlMs: 60_000, _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'm', version: '1' } } };
const INITIALIZED = { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'l', version: '1' } };
const opts = (extra: Partial<GreetOptions> = {}): GreetOptions => ({ deadline: Date.now() + 3000, clientCapabilities: {}, version: '9.9.9', name: 'srv', ...extra });
const rpc = (code: number, data?: unknown) => new BackendRpcError({ code, message: `error ${code}`, data });
const manifest = (era: Manifest['era'], freshUntil?: string): Manifest => ({
  server: 'srv',
  configHash: 'h',
  capabilities: { tools: { listChanged: true } },
  serverInfo: { name: 'cached' },
  tools: [],
  prompts: [],
  resources: [],
  resourceTemplates: [],
  savedAt: new Date().toISOString(),
  era,
  ...(freshUntil ? { freshUntil } : {}),
});

describe('finding a backend’s era', () => {
  it('a DiscoverResult naming 2026-07-28 is modern: nothing else is sent, and its server info and ttl are kept', async () => {
    const b = scriptedPeer({ 'server/discover': DISCOVERED });
    const g = await greet(b.peer, opts());
    expect(g).toMatchObject({ era: { kind: 'modern', version: '2026-07-28' }, capabilities: { tools: {} }, serverInfo: { name: 'm' }, confirmed: true });
    expect(Date.parse(g.freshUntil!)).toBeGreaterThan(Date.now());
    expect(b.methods()).toEqual(['server/discover']);
    expect(b.sent[0]!.params!._meta).toEqual({
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'mcplex', version: '9.9.9' },
    });
  });

  it.each([
    ['-32601', rpc(-32601)],
    ['-32602', rpc(-32602)],
    ['-32600 (not initialized)', rpc(-32600)],
    ['-32022 naming only 2025 versions', rpc(-32022, { supported: ['2025-11-25'] })],
  ])('any other error (%s) is legacy: initialize, then initialized', async (_what, error) => {
    const b = scriptedPeer({ 'server/discover': error, initialize: INITIALIZED });
    const g = await greet(b.peer, opts());
    expect(g.era).toEqual({ kind: 'legacy', version: '2025-06-18' });
    expect(b.methods()).toEqual(['server/discover', 'initialize']);
    expect(b.notified).toEqual(['notifications/initialized']);
  });

  it('-32022 naming only modern versions mcplex does not speak fails the start, without falling back', async () => {
    const b = scriptedPeer({ 'server/discover': rpc(-32022, { supported: ['2027-01-01'] }), initialize: INITIALIZED });
    await expect(greet(b.peer, opts())).rejects.toThrow(/server "srv" speaks only protocol 2027-01-01/);
    expect(b.methods()).toEqual(['server/discover']);
  });

  it('a server silent on the probe gets initialize too, and the probe is cancelled once it answers', async () => {
    const b = scriptedPeer({ 'server/discover': 'silent', initialize: INITIALIZED });
    const g = await greet(b.peer, opts());
    expect(g.era.kind).toBe('legacy');
    expect(b.methods()).toEqual(['server/discover', 'initialize']);
    expect(b.aborted).toEqual(['server/discover']);
  });

  it('a slow modern server that refuses initialize is still found modern by the probe’s late answer', async () => {
    let answerProbe!: (r: unknown) => void;
    const late = new Promise((r) => (answerProbe = r));
    const b = scriptedPeer({
      'server/discover': late,
      initialize: () => {
        setTimeout(() => answerProbe(DISCOVERED), 50);
        return rpc(-32022, { supported: ['2026-07-28'] });
      },
    });
    const g = await greet(b.peer, opts());
    expect(g.era.kind).toBe('modern');
    expect(b.methods()).toEqual(['server/discover', 'initialize']);
  });

  it('a cached 2025 era goes straight to initialize; if that is refused, the era is probed again', async () => {
    const legacy = scriptedPeer({ initialize: INITIALIZED });
    expect((await greet(legacy.peer, opts({ cached: manifest({ kind: 'legacy', version: '2025-11-25' }) }))).era.kind).toBe('legacy');
    expect(legacy.methods()).toEqual(['initialize']);
    const nowModern = scriptedPeer({ initialize: rpc(-32022, { supported: ['2026-07-28'] }), 'server/discover': DISCOVERED });
    expect((await greet(nowModern.peer, opts({ cached: manifest({ kind: 'legacy', version: '2025-11-25' }) }))).era.kind).toBe('modern');
    expect(nowModern.methods()).toEqual(['initialize', 'server/discover']);
  });

  it('a cached modern era with a fresh discover result sends nothing (to be confirmed by the first lists); a stale one asks again', async () => {
    const fresh = scriptedPeer({});
    const g = await greet(fresh.peer, opts({ cached: manifest({ kind: 'modern', version: '2026-07-28' }, new Date(Date.now() + 60_000).toISOString()) }));
    expect(g).toMatchObject({ era: { kind: 'modern' }, serverInfo: { name: 'cached' }, confirmed: false });
    expect(fresh.methods()).toEqual([]);
    const stale = scriptedPeer({ 'server/discover': DISCOVERED });
    const s = await greet(stale.peer, opts({ cached: manifest({ kind: 'modern', version: '2026-07-28' }, new Date(Date.now() - 1).toISOString()) }));
    expect(s).toMatchObject({ era: { kind: 'modern' }, serverInfo: { name: 'm' }, confirmed: true });
    expect(stale.methods()).toEqual(['server/discover']);
  });

  it('a legacy-only transport (HTTP+SSE) is never probed', async () => {
    const b = scriptedPeer({ initialize: INITIALIZED });
    expect((await greet(b.peer, opts({ legacyOnly: true }))).era.kind).toBe('legacy');
    expect(b.methods()).toEqual(['initialize']);
  });
});

const INPUT_REQUIRED = (requests: Params, requestState?: string) => ({ resultType: 'input_required', inputRequests: requests, ...(requestState ? { requestState } : {}) });
const elicit = (message: string, mode?: string) => ({ method: 'elicitation/create', params: { message, ...(mode ? { mode } : {}), requestedSchema: { type: 'object' } } });
const DONE = { resultType: 'complete', content: [{ type: 'text', text: 'done' }] };

/** A backend that answers from a queue, recording each params it got. */
function queue(...answers: unknown[]) {
  const got: Array<Params | undefined> = [];
  return { got, send: async (p: Params | undefined) => (got.push(p), answers.shift()) };
}

describe('input_required for a caller mcplex can ask', () => {
  const caller = (caps: Params, asked: Array<[string, unknown]> = []): Caller => ({
    capabilities: caps,
    ask: async (method, params) => {
      asked.push([method, params]);
      return method === 'elicitation/create' ? { action: 'accept', content: { v: (params as Params).message } } : { roots: [] };
    },
  });

  it('asks each input request, then retries with the answers and the echoed requestState', async () => {
    const asked: Array<[string, unknown]> = [];
    const b = queue(INPUT_REQUIRED({ a: elicit('first?'), r: { method: 'roots/list' } }, 'state-1'), DONE);
    const result = await withInputRounds(b.send, 'tools/call', { name: 't', arguments: { x: 1 } }, caller({ elicitation: {}, roots: {} }, asked), { server: 's' });
    expect(result).toEqual(DONE);
    expect(asked.map(([m]) => m).sort()).toEqual(['elicitation/create', 'roots/list']);
    expect(b.got[1]).toEqual({ name: 't', arguments: { x: 1 }, inputResponses: { a: { action: 'accept', content: { v: 'first?' } }, r: { roots: [] } }, requestState: 'state-1' });
  });

  it('without a requestState, the retry carries none', async () => {
    const b = queue(INPUT_REQUIRED({ a: elicit('q') }), DONE);
    await withInputRounds(b.send, 'prompts/get', { name: 'p' }, caller({ elicitation: {} }), { server: 's' });
    expect(b.got[1]).not.toHaveProperty('requestState');
  });

  it(`gives up after ${MAX_INPUT_ROUNDS} rounds`, async () => {
    const b = queue(...Array.from({ length: 20 }, (_, i) => INPUT_REQUIRED({ a: elicit(`round ${i}`) }, `s${i}`)));
    await expect(withInputRounds(b.send, 'tools/call', { name: 't' }, caller({ elicitation: {} }), { server: 's' })).rejects.toThrow(/after 8 rounds/);
    expect(b.got).toHaveLength(MAX_INPUT_ROUNDS + 1);
  });

  it.each([
    ['sampling', { method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } }, { elicitation: {} }, /"sampling" capability/],
    ['URL elicitation', elicit('go there', 'url'), { elicitation: {} }, /"elicitation.url" capability/],
    ['form elicitation', elicit('fill in'), { elicitation: { url: {} } }, /"elicitation.form" capability/],
  ])('a request the client cannot serve (%s) is a -32021 error naming the capability, and nothing is asked', async (_what, request, caps, message) => {
    const asked: Array<[string, unknown]> = [];
    const b = queue(INPUT_REQUIRED({ a: request }), DONE);
    const err = await withInputRounds(b.send, 'tools/call', { name: 't' }, caller(caps, asked), { server: 's' }).catch((e: BackendRpcError) => e);
    expect(err).toBeInstanceOf(BackendRpcError);
    expect((err as BackendRpcError).rpc.code).toBe(-32021);
    expect((err as Error).message).toMatch(message);
    expect(asked).toEqual([]);
  });

  it('a caller without ask (a modern client) gets input_required unchanged, and its own retry passes through untouched', async () => {
    const b = queue(INPUT_REQUIRED({ a: elicit('q') }, 'st'), DONE);
    const modern: Caller = { capabilities: { elicitation: {} } };
    expect(await withInputRounds(b.send, 'tools/call', { name: 't' }, modern, { server: 's' })).toEqual(INPUT_REQUIRED({ a: elicit('q') }, 'st'));
    const retry = { name: 't', inputResponses: { a: { action: 'accept' } }, requestState: 'st' };
    expect(await withInputRounds(b.send, 'tools/call', retry, modern, { server: 's' })).toEqual(DONE);
    expect(b.got[1]).toEqual(retry);
  });

  it('a cancel while the client is being asked ends the call', async () => {
    const abort = new AbortController();
    const slowCaller: Caller = { capabilities: { elicitation: {} }, ask: () => new Promise(() => undefined) };
    const b = queue(INPUT_REQUIRED({ a: elicit('q') }), DONE);
    const pending = withInputRounds(b.send, 'tools/call', { name: 't' }, slowCaller, { server: 's', signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(b.got).toHaveLength(1);
  });
});

describe('the subscriptions/listen stream of a modern backend', () => {
  /** A backend that records each listen and lets the test acknowledge or end it. */
  function listens() {
    const opened: Array<{ id: number; params: Params; signal: AbortSignal; end: (err?: Error) => void }> = [];
    let next = 1;
    const send = (params: Params, opts: RequestOptions) =>
      new Promise<unknown>((resolve, reject) => {
        const id = next++;
        opts.onSent?.(id);
        opened.push({ id, params, signal: opts.signal!, end: (err) => (err ? reject(err) : resolve({})) });
        opts.signal?.addEventListener('abort', () => reject(new McplexError('CANCELLED', 'cancelled')));
      });
    const ack = (id: number) => ({ jsonrpc: '2.0' as const, method: 'notifications/subscriptions/acknowledged', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': id } } });
    return { opened, send, ack };
  }
  const quiet = { info: () => undefined } as unknown as Logger;

  it('a new filter opens a new listen first, and cancels the old one once the new is acknowledged', async () => {
    const b = listens();
    const l = new Listener(b.send, { toolsListChanged: true }, quiet, () => true);
    l.start();
    await waitUntil(() => b.opened.length === 1);
    expect(b.opened[0]!.params).toEqual({ notifications: { toolsListChanged: true } });
    expect(l.acknowledged(b.ack(1))).toBe(true);
    const watching = l.watch(['test://a']);
    await waitUntil(() => b.opened.length === 2);
    expect(b.opened[1]!.params).toEqual({ notifications: { toolsListChanged: true, resourceSubscriptions: ['test://a'] } });
    expect(b.opened[0]!.signal.aborted).toBe(false);
    l.acknowledged(b.ack(2));
    await watching;
    expect(b.opened[0]!.signal.aborted).toBe(true);
    expect(b.opened[1]!.signal.aborted).toBe(false);
    l.stop();
    expect(b.opened[1]!.signal.aborted).toBe(true);
  });

  it('a listen that ends is re-opened while the instance is ready, and not after', async () => {
    const b = listens();
    let ready = true;
    const l = new Listener(b.send, { toolsListChanged: true }, quiet, () => ready);
    l.start();
    await waitUntil(() => b.opened.length === 1);
    l.acknowledged(b.ack(1));
    b.opened[0]!.end();
    await waitUntil(() => b.opened.length === 2);
    l.acknowledged(b.ack(2));
    ready = false;
    b.opened[1]!.end(new Error('stream ended'));
    await new Promise((r) => setTimeout(r, 1200));
    expect(b.opened).toHaveLength(2);
    l.stop();
  });
});

/** Polls a condition (generous deadline). */
async function waitUntil(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
