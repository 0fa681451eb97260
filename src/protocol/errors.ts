// Local errors with stable string codes; toRpcError maps any of them to a wire error.
import { RpcCode, type JsonRpcError } from '../protocol/jsonrpc.js';

export type ErrorCode =
  | 'BACKEND_CLOSED'
  | 'BACKEND_ERROR'
  | 'CALL_TIMEOUT'
  | 'START_FAILED'
  | 'START_TIMEOUT'
  | 'UNKNOWN_SERVER'
  | 'UNKNOWN_TOOL'
  | 'SERVER_DISABLED'
  | 'CANCELLED'
  | 'CIRCUIT_OPEN'
  | 'INSTANCE_STOPPED'
  | 'FRAME_TOO_LARGE';

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
