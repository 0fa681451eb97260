// JSON-RPC 2.0 message shapes, strict parsing at the edge and exact encoding, shared by every edge (shim, sessions, backends).
import crypto from 'node:crypto';
import { McplexError } from './errors.js';
import { unsafeIntegerSpans } from './json-scan.js';
import { MAX_FRAME_BYTES, MAX_JSON_DEPTH } from './limits.js';

/**
 * An integer literal too large for a double (an id or token beyond 2^53), kept as its source text so it goes back
 * out exactly as it came in. Compares (as a map key) by its rounded value, like JSON.parse would have read it.
 */
export class RawNumber {
  constructor(readonly text: string) {}

  valueOf(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  /** Exact inside encodeMessage; elsewhere exact where the runtime has JSON.rawJSON, else rounded. */
  toJSON(): unknown {
    if (encoding) {
      encoding.used = true;
      return `${RAW_MARK}${this.text}`;
    }
    const raw = (JSON as { rawJSON?: (text: string) => unknown }).rawJSON;
    return raw ? raw(this.text) : Number(this.text);
  }
}

export type JsonRpcId = string | number | RawNumber;
export type Params = Record<string, unknown>;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: Params;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Params;
}

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  result?: unknown;
  error?: JsonRpcError;
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** Standard and mcplex-specific JSON-RPC error codes. */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ConnectionClosed: -32000,
  RequestTimeout: -32001,
  UrlElicitationRequired: -32042,
} as const;

/** True for a valid JSON-RPC id: a string or a number (null is not one: MCP forbids it). */
export function isJsonRpcId(v: unknown): v is JsonRpcId {
  return typeof v === 'string' || typeof v === 'number' || v instanceof RawNumber;
}

/** A map key for an id: strings and numbers never collide, and numbers compare by value (1e0 is 1). */
export function idKey(id: JsonRpcId): string {
  return typeof id === 'string' ? `s:${id}` : `n:${Number(id)}`;
}

/** A request carries an id and a method. */
export function isRequest(m: JsonRpcMessage): m is JsonRpcRequest {
  return 'method' in m && 'id' in m && m.id !== undefined && m.id !== null;
}

/** A notification has a method and no id. */
export function isNotification(m: JsonRpcMessage): m is JsonRpcNotification {
  return 'method' in m && !('id' in m && m.id !== undefined && m.id !== null);
}

/** A response has an id and a result or an error, and no method. */
export function isResponse(m: JsonRpcMessage): m is JsonRpcResponse {
  return !('method' in m) && 'id' in m;
}

/** Per-process marker for RawNumber inside JSON text (a client cannot guess it). */
const RAW_NONCE = crypto.randomBytes(6).toString('hex');
const RAW_MARK = `\u0000${RAW_NONCE}:`;
/** The marker as it appears inside JSON text (the NUL escaped, as JSON requires). */
const RAW_MARK_JSON = `\\u0000${RAW_NONCE}:`;
const RAW_MARK_OUT = new RegExp(`"\\\\u0000${RAW_NONCE}:(-?\\d+)"`, 'g');
let encoding: { used: boolean } | undefined;

/** JSON.parse that keeps integers beyond 2^53 exact (as RawNumber) wherever they occur. */
function parseJson(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  const spans = unsafeIntegerSpans(text);
  if (spans.length === 0) return JSON.parse(text);
  let marked = '';
  let last = 0;
  for (const [start, end] of spans) {
    marked += `${text.slice(last, start)}"${RAW_MARK_JSON}${text.slice(start, end)}"`;
    last = end;
  }
  marked += text.slice(last);
  return JSON.parse(marked, (_key, v: unknown) => (typeof v === 'string' && v.startsWith(RAW_MARK) ? new RawNumber(v.slice(RAW_MARK.length)) : v));
}

/** True if `value` nests deeper than `limit` objects/arrays (walked without recursion). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (typeof v !== 'object' || v === null || v instanceof RawNumber) continue;
    if (d + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push({ v: child, d: d + 1 });
  }
  return false;
}

/**
 * Serializes a message exactly (RawNumber ids come out as sent). Throws MESSAGE_INVALID if it cannot be serialized
 * (too deep for the serializer) and MESSAGE_TOO_LARGE if it is over `maxBytes`.
 */
export function encodeMessage(message: JsonRpcMessage, maxBytes = MAX_FRAME_BYTES): string {
  const state = { used: false };
  encoding = state;
  let text: string;
  try {
    text = JSON.stringify(message);
  } catch (err) {
    throw new McplexError('MESSAGE_INVALID', `the message could not be serialized (${(err as Error).message}); it nests too deep or holds a value JSON cannot carry`);
  } finally {
    encoding = undefined;
  }
  if (state.used) text = text.replace(RAW_MARK_OUT, '$1');
  const bytes = text.length * 3 <= maxBytes ? text.length : Buffer.byteLength(text);
  if (bytes > maxBytes) {
    throw new McplexError('MESSAGE_TOO_LARGE', `the message is ${bytes} bytes, over mcplex's ${maxBytes / 1048576} MiB frame limit`);
  }
  return text;
}

/**
 * Why a frame is not a message, the id to answer under (null when none can be trusted), and whether it was a
 * request (answer its sender) rather than a response (fail the request it answers).
 */
export interface FrameError {
  error: JsonRpcError;
  id: JsonRpcId | null;
  request: boolean;
}

function invalid(message: string, id: JsonRpcId | null = null, request = true): FrameError {
  return { error: { code: RpcCode.InvalidRequest, message: `Invalid Request: ${message}` }, id, request };
}

/**
 * Parses and validates one frame as MCP requires (strings or numbers as ids, object params, no batches). Messages
 * nesting deeper than `maxDepth` (default MAX_JSON_DEPTH; Infinity: no check) are refused under their own id.
 */
export function parseMessage(text: string, opts: { maxDepth?: number } = {}): { message: JsonRpcMessage } | FrameError {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (err) {
    return { error: { code: RpcCode.ParseError, message: `Parse error: ${(err as Error).message}` }, id: null, request: true };
  }
  if (Array.isArray(value)) return invalid('JSON-RPC batches are not supported (removed in MCP 2025-06-18)');
  if (typeof value !== 'object' || value === null) return invalid('expected a JSON-RPC 2.0 object');
  const v = value as Record<string, unknown>;
  const hasId = 'id' in v;
  const id = isJsonRpcId(v.id) ? v.id : null;
  const request = 'method' in v;
  if (v.jsonrpc !== '2.0') return invalid('expected "jsonrpc": "2.0"', id, request);
  if (hasId && id === null) return invalid(`"id" must be a string or a number (got ${v.id === null ? 'null' : typeof v.id})`, null, request);
  if ('method' in v) {
    if (typeof v.method !== 'string') return invalid('"method" must be a string', id);
    if ('params' in v && (typeof v.params !== 'object' || v.params === null || Array.isArray(v.params))) {
      return invalid('"params" must be an object', id);
    }
  } else if (!hasId || ('result' in v) === ('error' in v)) {
    return invalid('expected a request (with "method"), a notification, or a response (with "id" and one of "result" or "error")', id, false);
  }
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  if (text.length > maxDepth * 2 && nestsDeeperThan(value, maxDepth)) {
    const e = invalid(`the message nests deeper than ${maxDepth} levels; flatten its arguments`, id, request);
    e.error.data = { code: 'MESSAGE_INVALID' };
    return e;
  }
  return { message: value as JsonRpcMessage };
}

/** Builds an error response. */
export function errorResponse(id: JsonRpcId | null, code: number, message: string, data?: unknown): JsonRpcResponse {
  const error: JsonRpcError = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}

/** Builds a result response. */
export function resultResponse(id: JsonRpcId, result: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, result };
}

/** Parses the raw text of an id found by a scanner (a RawNumber when a double would round it). */
export function idFromText(text: string | undefined): JsonRpcId | null {
  if (text === undefined) return null;
  try {
    const v = parseJson(text);
    return isJsonRpcId(v) ? v : null;
  } catch {
    return null;
  }
}

