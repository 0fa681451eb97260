// Requests mcplex sends to a client on a backend's behalf (sampling, elicitation, roots), matched to their answers.
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import type { JsonRpcId, JsonRpcMessage, JsonRpcResponse, Params } from '../protocol/jsonrpc.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Pending requests to one client; ids are mcplex's own strings, so they never collide with the client's. */
export class ClientRequests {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;

  constructor(private readonly send: (message: JsonRpcMessage, related?: JsonRpcId) => Promise<void>) {}

  /** Sends a request to the client and resolves with its result (or rejects with its error, or on timeout). */
  request(method: string, params: Params | undefined, related: JsonRpcId | undefined, timeoutMs: number): Promise<unknown> {
    const id = `mcplex-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new McplexError('CALL_TIMEOUT', `the client did not answer ${method} in time`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const message = params === undefined ? { jsonrpc: '2.0' as const, id, method } : { jsonrpc: '2.0' as const, id, method, params };
      this.send(message, related).catch((err: Error) => this.settle(id, (p) => p.reject(err)));
    });
  }

  /** Takes a response from the client; false if it answers nothing mcplex asked. */
  answer(m: JsonRpcResponse): boolean {
    if (typeof m.id !== 'string' || !this.pending.has(m.id)) return false;
    this.settle(m.id, (p) => (m.error ? p.reject(new BackendRpcError(m.error)) : p.resolve(m.result)));
    return true;
  }

  /** Fails every pending request (the session ended). */
  failAll(err: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(err));
  }

  private settle(id: string, fn: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    fn(p);
  }
}
