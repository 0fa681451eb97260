// Tool results the model can act on: text JSON for data, isError with a hint for failures.
import { BackendRpcError, McplexError } from '../protocol/errors.js';

export interface ToolResult {
  content: Array<{ type: 'text'; text: string } | Record<string, unknown>>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}

/** A successful result carrying JSON data as text (and as structuredContent). */
export function jsonResult(data: Record<string, unknown>): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data, null, 1) }], structuredContent: data };
}

/** A failed result: what went wrong and what to do about it. */
export function errorResult(message: string, hint?: string): ToolResult {
  return { content: [{ type: 'text', text: hint ? `${message}\nHint: ${hint}` : message }], isError: true };
}

/** Maps an error from routing a tool call to a result the model can act on. */
export function errorToResult(err: unknown): ToolResult {
  if (err instanceof BackendRpcError) {
    return errorResult(`the server answered with an error: ${err.rpc.message}`, 'check the tool name and arguments with describe_tool');
  }
  if (err instanceof McplexError) {
    const hints: Partial<Record<McplexError['code'], string>> = {
      UNKNOWN_SERVER: 'call list_servers for the servers you can use',
      UNKNOWN_TOOL: 'call search_tools to find the right tool name',
      CALL_TIMEOUT: 'the call took too long; retry with smaller input, or ask the user to raise callTimeout',
      BACKEND_CLOSED: 'the server process ended or its connection dropped; the next call starts it again',
      START_FAILED: 'the server could not start (or be reached); tell the user, who can check it with `mcplex doctor`, `mcplex status` and `mcplex logs --server NAME`',
      START_TIMEOUT: 'the server did not start in time; check it with `mcplex logs --server NAME`',
      CIRCUIT_OPEN: 'do not retry now; tell the user, who can fix the server and run `mcplex restart SERVER`',
      INSTANCE_STOPPED: 'the server was being replaced; retry the call',
      UNTRUSTED: 'do not retry; tell the user, who can review the file and run the trust command above (it lets these servers run as them)',
    };
    return errorResult(err.message, hints[err.code]);
  }
  return errorResult(err instanceof Error ? err.message : String(err));
}
