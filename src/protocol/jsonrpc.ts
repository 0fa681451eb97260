// JSON-RPC 2.0 message shapes and helpers shared by every edge (shim, sessions, backends).

export type JsonRpcId = string | number;
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
} as const;

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

/** Parses one frame; returns the message or a JSON-RPC error describing why it is not one. */
export function parseMessage(text: string): { message: JsonRpcMessage } | { error: JsonRpcError } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: { code: RpcCode.ParseError, message: `Parse error: ${(err as Error).message}` } };
  }
  if (Array.isArray(value)) {
    return { error: { code: RpcCode.InvalidRequest, message: 'Invalid Request: JSON-RPC batches are not supported (removed in MCP 2025-06-18)' } };
  }
  if (typeof value !== 'object' || value === null || (value as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
    return { error: { code: RpcCode.InvalidRequest, message: 'Invalid Request: expected a JSON-RPC 2.0 object with "jsonrpc": "2.0"' } };
  }
  const v = value as Record<string, unknown>;
  if ('method' in v && typeof v.method !== 'string') {
    return { error: { code: RpcCode.InvalidRequest, message: 'Invalid Request: "method" must be a string' } };
  }
  if ('params' in v && v.params !== undefined && (typeof v.params !== 'object' || v.params === null)) {
    return { error: { code: RpcCode.InvalidRequest, message: 'Invalid Request: "params" must be an object' } };
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

/** The id of a raw frame that failed validation, when one can be recovered (so the error can be correlated). */
export function salvageId(text: string): JsonRpcId | null {
  try {
    const v = JSON.parse(text) as { id?: unknown };
    return typeof v.id === 'string' || typeof v.id === 'number' ? v.id : null;
  } catch {
    return null;
  }
}

/** The id at the start of a frame too large to parse (from its first bytes), or null. */
export function idFromHead(head: string): JsonRpcId | null {
  const raw = /"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)/.exec(head)?.[1];
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw) as JsonRpcId;
  } catch {
    return null;
  }
}
