// Picks the connector for a resolved server: stdio process, docker container (stdio), or Streamable HTTP / SSE via the SDK.
import type { Logger } from 'pino';
import type { ResolvedServer } from '../env/resolve.js';
import type { ServerConfig } from '../config/types.js';
import type { MessageTransport } from '../protocol/transport.js';
import { encodeMessage, RpcCode } from '../protocol/jsonrpc.js';
import { BackendRpcError } from '../protocol/errors.js';
import { StdioTransport } from './stdio.js';
import { dockerArgs } from './docker.js';

export interface ConnectOptions {
  log: Logger;
  redact: (text: string) => string;
  onSpawn?: (pid: number) => void;
}

export interface Connection {
  transport: MessageTransport;
  /** The child process id (stdio and docker only). */
  pid?: () => number | undefined;
  /** Recent stderr lines (stdio and docker only), already redacted. */
  stderrTail: (n?: number) => string[];
  /** How the backend ended, for error messages. */
  exitDescription: () => string;
}

/** Creates (but does not start) the transport for one instance. */
export async function connectBackend(resolved: ResolvedServer, server: ServerConfig, opts: ConnectOptions): Promise<Connection> {
  if (resolved.url) {
    const url = new URL(resolved.url);
    const requestInit = { headers: resolved.headers };
    const sdk =
      server.transport === 'sse'
        ? new (await import('@modelcontextprotocol/sdk/client/sse.js')).SSEClientTransport(url, { requestInit })
        : new (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport(url, { requestInit });
    // The SDK's Transport has the same shape; its message type is only stricter about response unions.
    const transport = sdk as unknown as MessageTransport;
    transport.send = perMessageErrors(transport.send.bind(transport));
    return { transport, stderrTail: () => [], exitDescription: () => `connection to ${url.origin} closed` };
  }
  const [command, args] = resolved.docker ? ['docker', dockerArgs(resolved)] : [resolved.command ?? '', resolved.args];
  const stdio = new StdioTransport({ command, args, cwd: resolved.cwd, env: resolved.env }, opts);
  return {
    transport: stdio,
    pid: () => stdio.pid,
    stderrTail: (n) => stdio.stderr.tail(n),
    exitDescription: () => stdio.exitDescription || 'closed',
  };
}

/**
 * Wraps a remote transport's send so that a message that cannot be written, or that the remote refuses (an HTTP
 * error other than 404, which means our session is gone), fails alone instead of closing the connection.
 */
function perMessageErrors(send: MessageTransport['send']): MessageTransport['send'] {
  return async (message, options) => {
    encodeMessage(message);
    try {
      await send(message, options);
    } catch (err) {
      const status = (err as { code?: unknown }).code;
      if (typeof status !== 'number' || status < 400 || status === 404) throw err;
      throw new BackendRpcError({ code: RpcCode.InternalError, message: `the remote server refused this message (HTTP ${status}): ${(err as Error).message}` });
    }
  };
}
