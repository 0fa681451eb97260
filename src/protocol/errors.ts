// Local errors with stable string codes; toRpcError maps any of them to a wire error.
import { RpcCode, type JsonRpcError } from '../protocol/jsonrpc.js';

/** Every local error code, with what it means (README's "Errors" table lists each one; a test checks it). */
export const ERROR_CODES = {
  BACKEND_CLOSED: 'the server process exited, or its connection dropped, while the request was in flight',
  BACKEND_ERROR: 'the server answered with a JSON-RPC error (passed through unchanged)',
  CALL_TIMEOUT: 'no answer or progress within callTimeout (or the 10-minute hard cap)',
  START_FAILED: 'the server could not be spawned or failed during initialize',
  START_TIMEOUT: 'spawn + initialize took longer than startTimeout',
  UNKNOWN_SERVER: 'no server of that name is visible to this session',
  UNKNOWN_TOOL: 'the server has no such tool, or its tools filter hides it',
  CANCELLED: 'the client cancelled the request',
  CIRCUIT_OPEN: 'the server failed repeatedly; calls fail fast until the cool-down, a config change or `mcplex restart SERVER`',
  INSTANCE_STOPPED: 'the instance was stopped (drained, reaped or recycled) while the request was in flight; retry it',
  UNTRUSTED: "the server comes from a workspace `.mcplex.yaml` whose current content the user has not trusted; nothing was started (`mcplex trust DIR`)",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An mcplex error: a code, a message that says what to do, and optional backend details. */
export class McplexError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { rpc?: JsonRpcError; stderr?: string[]; /** which run of a backend failed, so one crash counts once */ incident?: number } = {},
  ) {
    super(message);
  }
}

/** A JSON-RPC error reply from the backend, passed through unchanged. */
export class BackendRpcError extends McplexError {
  constructor(readonly rpc: JsonRpcError) {
    super('BACKEND_ERROR', rpc.message, { rpc });
  }
}

/** Maps any error to the JSON-RPC error sent to a client. */
export function toRpcError(err: unknown): JsonRpcError {
  if (err instanceof BackendRpcError) return err.rpc;
  if (err instanceof McplexError) {
    const code =
      err.code === 'CALL_TIMEOUT' ? RpcCode.RequestTimeout
      : err.code === 'UNKNOWN_SERVER' || err.code === 'UNKNOWN_TOOL' ? RpcCode.InvalidParams
      : RpcCode.InternalError;
    return { code, message: err.message, data: { code: err.code, ...(err.details.stderr ? { stderr: err.details.stderr } : {}) } };
  }
  return { code: RpcCode.InternalError, message: err instanceof Error ? err.message : String(err) };
}
