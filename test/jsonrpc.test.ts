// The JSON-RPC edge in isolation: strict parsing, exact big ids, encoding limits, and finding the id of a frame too large to parse.
import { describe, expect, it } from 'vitest';
import { encodeMessage, idKey, parseMessage, RawNumber } from '../src/protocol/jsonrpc.js';
import { LineSplitter } from '../src/protocol/lines.js';
import { McplexError } from '../src/protocol/errors.js';

/** Feeds `text` plus a newline to a splitter capped at `cap` bytes, in chunks of `chunk` bytes; returns what it reported. */
function split(text: string, cap: number, chunk = 7) {
  const seen: Array<{ bytes: number; id: unknown; request: boolean }> = [];
  const s = new LineSplitter({ line: () => undefined, oversize: (bytes, _head, id, request) => seen.push({ bytes, id, request }) }, cap);
  const buf = Buffer.from(text + '\n');
  for (let i = 0; i < buf.length; i += chunk) s.push(buf.subarray(i, i + chunk));
  return seen;
}

describe('oversized frames are tied to their request wherever the id sits', () => {
  const big = 'x'.repeat(500);
  it.each([
    ['id first', `{"jsonrpc":"2.0","id":42,"result":{"t":"${big}"}}`, 42],
    ['id last (SDK servers)', `{"result":{"content":[{"type":"text","text":"${big}"}]},"jsonrpc":"2.0","id":42}`, 42],
    ['string id in the middle', `{"jsonrpc":"2.0","result":{"t":"${big}"},"id":"a\\"b","x":1}`, 'a"b'],
    ['nested ids are not the id', `{"result":{"id":7,"items":[{"id":8}],"t":"${big}"},"jsonrpc":"2.0","id":9}`, 9],
    ['escaped quotes in strings', `{"result":{"t":"\\"id\\":5 ${big}"},"id":6,"jsonrpc":"2.0"}`, 6],
    ['no id', `{"jsonrpc":"2.0","method":"notifications/message","params":{"t":"${big}"}}`, null],
  ])('%s', (_name, text, id) => {
    const [seen] = split(text, 100);
    expect(seen!.id).toBe(id);
    expect(seen!.bytes).toBe(Buffer.byteLength(text));
  });

  it('knows a request (with "method") from an answer, and keeps an id beyond 2^53 exact', () => {
    const [req] = split(`{"jsonrpc":"2.0","id":9007199254740993,"method":"x","params":{"t":"${'y'.repeat(300)}"}}`, 100);
    expect(req!.request).toBe(true);
    expect(req!.id).toBeInstanceOf(RawNumber);
    expect(String(req!.id)).toBe('9007199254740993');
  });
});

describe('parseMessage', () => {
  it('keeps integers beyond 2^53 exact anywhere, and encodes them back unchanged', () => {
    const text = '{"jsonrpc":"2.0","id":123456789012345678901,"method":"tools/call","params":{"arguments":{"snowflake":1234567890123456789,"small":12,"f":1.25}}}';
    const parsed = parseMessage(text);
    if (!('message' in parsed)) throw new Error(parsed.error.message);
    expect(encodeMessage(parsed.message)).toBe(text);
  });

  it('maps ids to keys by value and type: 1 and 1.0 are one id, "1" another', () => {
    expect(idKey(1)).toBe(idKey(1.0));
    expect(idKey('1')).not.toBe(idKey(1));
    expect(idKey(new RawNumber('9007199254740993'))).toBe(idKey(9007199254740992));
  });

  it('refuses a response without an id, a message with both result and error, and a non-2.0 jsonrpc', () => {
    for (const text of ['{"jsonrpc":"2.0","result":{}}', '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}', '{"jsonrpc":"1.0","id":1,"method":"ping"}']) {
      const r = parseMessage(text);
      expect('error' in r && r.error.code).toBe(-32600);
    }
  });
});

describe('encodeMessage', () => {
  it('refuses a message over the cap and one too deep to serialize, with their codes', () => {
    expect(() => encodeMessage({ jsonrpc: '2.0', id: 1, result: { t: 'x'.repeat(2000) } }, 1000)).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
    let deep: unknown = 0;
    for (let i = 0; i < 50_000; i++) deep = [deep];
    const err = (() => {
      try {
        encodeMessage({ jsonrpc: '2.0', id: 1, result: { deep } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(McplexError);
    expect((err as McplexError).code).toBe('MESSAGE_INVALID');
  });
});
