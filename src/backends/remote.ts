// A remote backend: Streamable HTTP through the v2 SDK client transport (it speaks both protocol eras: the headers of
// a modern request come from its `_meta` envelope, a 2025 session keeps its session id), legacy HTTP+SSE through the
// v1 one. Failures name the URL and the network error; a message the remote refuses fails alone.
import type { ResolvedServer } from '../env/resolve.js';
import type { ServerConfig } from '../config/types.js';
import type { MessageTransport } from '../protocol/transport.js';
import {
  encodeMessage,
  errorResponse,
  idKey,
  isJsonRpcId,
  isNotification,
  isRequest,
  isResponse,
  RpcCode,
  type JsonRpcMessage,
  type Params,
} from '../protocol/jsonrpc.js';
import { BackendRpcError } from '../protocol/errors.js';
import { isModernVersion, META } from '../protocol/modern.js';
import { ConnectError, type Connection, type ConnectOptions } from './connection.js';

/** What the SDK client transports (v1 SSE, v2 Streamable HTTP) have in common, as used here. */
interface SdkTransport {
  start(): Promise<void>;
  send(message: JsonRpcMessage, options?: { requestSignal?: AbortSignal; onRequestStreamEnd?: () => void }): Promise<void>;
  close(): Promise<void>;
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  /** The 2025 session id (Streamable HTTP only), once initialize gave one. */
  readonly sessionId?: string;
}

/** "ECONNREFUSED …" from a failed fetch (undici puts the socket error in `cause`), else the error's own message. */
function networkReason(err: Error): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (!cause?.message) return err.message;
  return cause.code && !cause.message.includes(cause.code) ? `${cause.code}: ${cause.message}` : cause.message;
}

/** The HTTP status an SDK transport error carries (v2: `status`, v1: a numeric `code`), if any. */
function httpStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; code?: unknown };
  return typeof e.status === 'number' ? e.status : typeof e.code === 'number' ? e.code : undefined;
}

/**
 * An SDK transport seen as a MessageTransport. A modern request travels on its own response stream: closing that
 * stream is how it is cancelled (the spec's HTTP cancellation), and a stream that ends unanswered fails the request.
 */
class RemoteTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  /** Why the connection failed, for error messages. */
  failure?: string;
  /** The response stream of each modern request in flight, by id. */
  private readonly streams = new Map<string, AbortController>();

  constructor(private readonly sdk: SdkTransport, private readonly shown: string, private readonly redact: (t: string) => string) {
    sdk.onmessage = (m) => {
      if (isResponse(m) && m.id !== null) this.streams.delete(idKey(m.id));
      this.onmessage?.(m);
    };
    sdk.onclose = () => this.onclose?.();
  }

  start(): Promise<void> {
    return this.sdk.start().catch((err: Error) => {
      throw this.connectionFailed(err);
    });
  }

  /** Rejects with BackendRpcError when the remote refused this one message (any HTTP error but a 404 that says our session is gone). */
  async send(message: JsonRpcMessage): Promise<void> {
    encodeMessage(message);
    if (isNotification(message) && message.method === 'notifications/cancelled' && this.closeStream(message.params?.requestId)) return;
    const stream = this.streamFor(message);
    try {
      await this.sdk.send(message, stream);
    } catch (err) {
      if (stream?.requestSignal.aborted) return; // cancelled by us while the request was being sent
      if (isRequest(message)) this.streams.delete(idKey(message.id));
      const status = httpStatus(err);
      if (status === undefined) throw this.connectionFailed(err as Error);
      if (status < 400 || (status === 404 && this.sessionGone())) throw err;
      throw new BackendRpcError({ code: RpcCode.InternalError, message: `the remote server refused this message (HTTP ${status}): ${this.redact((err as Error).message)}` });
    }
  }

  close(): Promise<void> {
    for (const c of this.streams.values()) c.abort();
    this.streams.clear();
    return this.sdk.close();
  }

  /** A modern request gets its own abortable stream; the request fails if that stream ends without its answer. */
  private streamFor(message: JsonRpcMessage): { requestSignal: AbortSignal; onRequestStreamEnd: () => void } | undefined {
    if (!isRequest(message) || !isModernVersion((message.params?._meta as Params | undefined)?.[META.protocolVersion])) return undefined;
    const key = idKey(message.id);
    const controller = new AbortController();
    this.streams.set(key, controller);
    const onRequestStreamEnd = () => {
      if (this.streams.delete(key)) {
        this.onmessage?.(errorResponse(message.id, RpcCode.ConnectionClosed, `${this.shown} ended the stream of ${message.method} without answering it`));
      }
    };
    return { requestSignal: controller.signal, onRequestStreamEnd };
  }

  /** Cancels a modern request by closing its stream; false if the id is not one (a 2025 session gets the notification). */
  private closeStream(id: unknown): boolean {
    if (!isJsonRpcId(id)) return false;
    const controller = this.streams.get(idKey(id));
    if (!controller) return false;
    this.streams.delete(idKey(id));
    controller.abort();
    return true;
  }

  /** A 404 means the remote forgot our session (legacy SSE always has one; Streamable HTTP once initialize gave one). */
  private sessionGone(): boolean {
    return !('sessionId' in this.sdk) || this.sdk.sessionId !== undefined;
  }

  private connectionFailed(err: Error): Error {
    const reason = this.redact(networkReason(err));
    this.failure = err.message === 'fetch failed' || reason !== this.redact(err.message) ? `cannot connect to ${this.shown} (${reason})` : `${this.shown}: ${reason}`;
    return new Error(this.failure);
  }
}

/** Creates (not starts) the connection to a remote server. */
export async function remote(resolved: ResolvedServer & { url: string }, server: ServerConfig, opts: ConnectOptions): Promise<Connection> {
  let url: URL;
  try {
    url = new URL(resolved.url);
  } catch {
    throw new ConnectError(`url "${opts.redact(resolved.url)}" is not a valid URL (servers.${resolved.name}.url after \${VAR} substitution)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConnectError(`url ${opts.redact(url.origin)} must be http:// or https://`);
  const shown = opts.redact(`${url.origin}${url.pathname}`);
  const requestInit = { headers: resolved.headers };
  const legacyOnly = server.transport === 'sse';
  const sdk = legacyOnly
    ? new (await import('@modelcontextprotocol/sdk/client/sse.js')).SSEClientTransport(url, { requestInit })
    : new (await import('@modelcontextprotocol/client')).StreamableHTTPClientTransport(url, { requestInit });
  // The SDK transports have this shape; their message types are only stricter about unions.
  const transport = new RemoteTransport(sdk as unknown as SdkTransport, shown, opts.redact);
  return {
    transport,
    remote: true,
    legacyOnly,
    stderrTail: () => [],
    exitDescription: () => transport.failure ?? `connection to ${shown} closed`,
    exitStatus: () => undefined,
  };
}
