// One backend connection: owns id translation, progress-token translation and cancellation for everything sent to it.
import {
  isJsonRpcId,
  isNotification,
  isRequest,
  isResponse,
  RpcCode,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type Params,
} from '../protocol/jsonrpc.js';
import type { MessageTransport } from '../protocol/transport.js';
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import type { CancelSignal } from '../protocol/cancel.js';

/** Hard cap on one request, whatever progress says (§4: callTimeout hard cap). */
export const MAX_TOTAL_TIMEOUT_MS = 10 * 60 * 1000;

/** Who a forwarded request is made for: the calling session, as a modern backend's per-request envelope declares it. */
export interface Caller {
  capabilities: Record<string, unknown>;
  clientInfo?: { name?: string; version?: string };
  /** Only when the client asked for log messages. */
  logLevel?: string;
  /** Asks the client itself (elicitation/create, sampling/createMessage, roots/list); absent for a client that answers input_required itself. */
  ask?: (method: string, params: unknown) => Promise<unknown>;
}

export interface RequestOptions {
  /** Called with each progress notification's params, token already restored to the caller's. */
  onProgress?: (params: Params) => void;
  signal?: CancelSignal;
  /** Idle timeout, reset by progress. */
  timeoutMs?: number;
  /** The session the request comes from (tracked by the instance, ignored here). */
  sessionId?: string;
  /** The client the request is made for (a modern backend's envelope); mcplex itself when absent. */
  caller?: Caller;
  /** Called with the backend id the request is sent under (a subscription's id is its request's). */
  onSent?: (backendId: JsonRpcId) => void;
}

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(err: Error): void;
  progressToken?: string;
  /** One timer per request: the idle timeout, or the hard cap when that comes first. */
  timer?: NodeJS.Timeout;
  cleanup(): void;
}

/** True for a send error that concerns one message (it could not be written) rather than the connection. */
function isMessageError(err: Error): boolean {
  return err instanceof McplexError && (err.code === 'MESSAGE_TOO_LARGE' || err.code === 'MESSAGE_INVALID' || err.code === 'BACKEND_ERROR');
}

/** Handles a request the backend sends to us (server→client: ping, roots, sampling, elicitation). */
export type IncomingRequestHandler = (request: JsonRpcRequest) => Promise<unknown>;

/** JSON-RPC client half over a MessageTransport, with per-request id and progress-token remapping. */
export class BackendPeer {
  onnotification?: (n: JsonRpcNotification) => void;
  onrequest?: IncomingRequestHandler;
  onclose?: (reason: McplexError) => void;
  private nextId = 1;
  private readonly pending = new Map<JsonRpcId, Pending>();
  private readonly progress = new Map<string, { id: JsonRpcId; callerToken: unknown; onProgress: (p: Params) => void; touch(): void }>();
  private closedWith?: McplexError;

  constructor(private readonly transport: MessageTransport, private readonly describeExit: () => McplexError) {
    transport.onmessage = (m) => this.receive(m);
    transport.onclose = () => this.closeAll(this.describeExit());
  }

  /** Number of requests awaiting a response. */
  get inFlight(): number {
    return this.pending.size;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Sends a request with a fresh id; the caller's progress token (if any) is replaced and mapped back. */
  request(method: string, params: Params | undefined, opts: RequestOptions = {}): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (opts.signal?.aborted) return Promise.reject(new McplexError('CANCELLED', 'request cancelled'));
    const id = this.nextId++;
    let outParams = params;
    let progressToken: string | undefined;
    const meta = params?._meta as Params | undefined;
    if (meta && meta.progressToken !== undefined) {
      // Never pass a caller's token through: tokens from different sessions collide on a shared backend.
      const { progressToken: _callerToken, ...rest } = meta;
      progressToken = opts.onProgress ? `mcplex-${id}` : undefined;
      outParams = { ...params, _meta: progressToken ? { ...rest, progressToken } : rest };
    }
    return new Promise((resolve, reject) => {
      const entry: Pending = {
        method,
        resolve,
        reject,
        progressToken,
        cleanup: () => {
          clearTimeout(entry.timer);
          opts.signal?.removeEventListener('abort', onAbort);
          if (progressToken) this.progress.delete(progressToken);
          this.pending.delete(id);
        },
      };
      const fail = (err: McplexError, reason: string) => {
        if (!this.pending.has(id)) return;
        entry.cleanup();
        this.notify('notifications/cancelled', { requestId: id, reason });
        reject(err);
      };
      const onAbort = () => fail(new McplexError('CANCELLED', 'request cancelled by the client'), 'cancelled by the client');
      const hardDeadline = Date.now() + MAX_TOTAL_TIMEOUT_MS;
      const expire = () =>
        Date.now() >= hardDeadline
          ? fail(new McplexError('CALL_TIMEOUT', `${method} exceeded the hard cap of ${MAX_TOTAL_TIMEOUT_MS} ms`), 'timeout')
          : fail(new McplexError('CALL_TIMEOUT', `${method} timed out after ${opts.timeoutMs} ms without a response or progress; raise callTimeout for this server if it is expected to be slow`), 'timeout');
      // (Re)starts the idle timeout (progress resets it); a full idle period reuses the timer.
      const arm = () => {
        if (!opts.timeoutMs) return;
        const ms = Math.min(opts.timeoutMs, hardDeadline - Date.now());
        if (entry.timer && ms === opts.timeoutMs) entry.timer.refresh();
        else {
          clearTimeout(entry.timer);
          entry.timer = setTimeout(expire, Math.max(0, ms));
        }
      };
      arm();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, entry);
      opts.onSent?.(id);
      if (progressToken && opts.onProgress) {
        this.progress.set(progressToken, { id, callerToken: meta!.progressToken, onProgress: opts.onProgress, touch: arm });
      }
      const req: JsonRpcRequest = outParams === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params: outParams };
      this.transport.send(req).catch((err: Error) => {
        if (!this.pending.has(id)) return;
        if (isMessageError(err)) {
          // This one message cannot be written (too large, too deep, refused by a remote): it fails alone.
          entry.cleanup();
          reject(err);
          return;
        }
        // Otherwise the connection is gone (a dead process, a remote that went away or forgot our session): fail
        // everything pending and close, so the next call reconnects from scratch.
        const exit = this.describeExit();
        this.closeAll(new McplexError('BACKEND_CLOSED', `${exit.message.split('\n')[0]} (${err.message})`, exit.details));
        void this.transport.close().catch(() => undefined);
      });
    });
  }

  /** Sends a notification; errors (backend gone) are ignored. */
  notify(method: string, params?: Params): void {
    if (this.closedWith) return;
    const n: JsonRpcNotification = params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
    this.transport.send(n).catch(() => undefined);
  }

  /** Fails every pending request with one error and closes the transport. */
  async close(reason = new McplexError('BACKEND_CLOSED', 'backend stopped')): Promise<void> {
    this.closeAll(reason);
    await this.transport.close();
  }

  private closeAll(reason: McplexError): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    for (const entry of [...this.pending.values()]) {
      entry.cleanup();
      entry.reject(reason);
    }
    this.onclose?.(reason);
  }

  private receive(m: JsonRpcMessage): void {
    if (isResponse(m)) {
      const entry = m.id === null ? undefined : this.pending.get(m.id);
      if (!entry) return; // late reply to a cancelled or timed-out request
      entry.cleanup();
      if (m.error) entry.reject(new BackendRpcError(m.error));
      else entry.resolve(m.result);
      return;
    }
    if (isRequest(m)) {
      void this.answer(m);
      return;
    }
    if (isNotification(m)) {
      if (m.method === 'notifications/progress') {
        const token = m.params?.progressToken;
        const p = typeof token === 'string' ? this.progress.get(token) : undefined;
        if (!p) return; // progress for an unknown, finished or cancelled request
        p.touch();
        p.onProgress({ ...m.params, progressToken: p.callerToken });
        return;
      }
      if (m.method === 'notifications/cancelled') {
        // A modern server tears a subscription down this way; in the other direction the id is the server's own.
        const id = m.params?.requestId;
        const entry = isJsonRpcId(id) ? this.pending.get(id as JsonRpcId) : undefined;
        if (entry?.method === 'subscriptions/listen') {
          entry.cleanup();
          entry.reject(new McplexError('BACKEND_CLOSED', 'the server ended the subscription'));
        }
        return;
      }
      this.onnotification?.(m);
    }
  }

  private async answer(req: JsonRpcRequest): Promise<void> {
    if (req.method === 'ping') {
      await this.transport.send({ jsonrpc: '2.0', id: req.id, result: {} }).catch(() => undefined);
      return;
    }
    try {
      if (!this.onrequest) throw new BackendRpcError({ code: RpcCode.MethodNotFound, message: `mcplex does not handle ${req.method} for this backend` });
      const result = await this.onrequest(req);
      await this.transport.send({ jsonrpc: '2.0', id: req.id, result });
    } catch (err) {
      const error = err instanceof BackendRpcError ? err.rpc : { code: RpcCode.InternalError, message: (err as Error).message };
      await this.transport.send({ jsonrpc: '2.0', id: req.id, error }).catch(() => undefined);
    }
  }
}
