// Picks the connector for a resolved server: stdio process, docker container (stdio), or Streamable HTTP / SSE via the SDK.
import type { Logger } from 'pino';
import type { ResolvedServer } from '../env/resolve.js';
import type { ServerConfig } from '../config/types.js';
import { commandProblem, cwdProblem } from '../config/commands.js';
import type { MessageTransport } from '../protocol/transport.js';
import { StdioTransport } from './stdio.js';
import { dockerArgs } from './docker.js';

export interface ConnectOptions {
  log: Logger;
  redact: (text: string) => string;
  onSpawn?: (pid: number) => void;
}

/** How a backend process ended. */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface Connection {
  transport: MessageTransport;
  /** A remote server (HTTP or SSE) rather than a process. */
  remote: boolean;
  /** The child process id (stdio and docker only). */
  pid?: () => number | undefined;
  /** Recent stderr lines (stdio and docker only), already redacted. */
  stderrTail: (n?: number) => string[];
  /** How the backend ended (or why it could not be reached), for error messages; redacted. */
  exitDescription: () => string;
  /** The exit code and signal of a process that ended (stdio and docker only). */
  exitStatus: () => ExitStatus | undefined;
}

/** A connection problem found before anything was started; its message says what to fix. */
export class ConnectError extends Error {}

/** "ECONNREFUSED …" from a failed fetch (undici puts the socket error in `cause`), else the error's own message. */
function networkReason(err: Error): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (!cause?.message) return err.message;
  return cause.code && !cause.message.includes(cause.code) ? `${cause.code}: ${cause.message}` : cause.message;
}

/** The SDK's HTTP transports, with failures that name the URL and the network error instead of "fetch failed". */
async function remote(resolved: ResolvedServer & { url: string }, server: ServerConfig, opts: ConnectOptions): Promise<Connection> {
  let url: URL;
  try {
    url = new URL(resolved.url);
  } catch {
    throw new ConnectError(`url "${opts.redact(resolved.url)}" is not a valid URL (servers.${resolved.name}.url after \${VAR} substitution)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConnectError(`url ${opts.redact(url.origin)} must be http:// or https://`);
  const shown = opts.redact(`${url.origin}${url.pathname}`);
  const requestInit = { headers: resolved.headers };
  const sdk =
    server.transport === 'sse'
      ? new (await import('@modelcontextprotocol/sdk/client/sse.js')).SSEClientTransport(url, { requestInit })
      : new (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport(url, { requestInit });
  // The SDK's Transport has the same shape; its message type is only stricter about response unions.
  const transport = sdk as unknown as MessageTransport;
  let failure: string | undefined;
  const describe = (err: Error) => {
    const reason = opts.redact(networkReason(err));
    return err.message === 'fetch failed' || reason !== opts.redact(err.message) ? `cannot connect to ${shown} (${reason})` : `${shown}: ${reason}`;
  };
  const send = transport.send.bind(transport);
  transport.send = (message) =>
    send(message).catch((err: Error) => {
      failure = describe(err);
      throw new Error(failure);
    });
  const start = transport.start.bind(transport);
  transport.start = () =>
    start().catch((err: Error) => {
      failure = describe(err);
      throw new Error(failure);
    });
  return { transport, remote: true, stderrTail: () => [], exitDescription: () => failure ?? `connection to ${shown} closed`, exitStatus: () => undefined };
}

/** Creates (but does not start) the transport for one instance; throws ConnectError when it cannot work as configured. */
export async function connectBackend(resolved: ResolvedServer, server: ServerConfig, opts: ConnectOptions): Promise<Connection> {
  if (resolved.url !== undefined) return remote({ ...resolved, url: resolved.url }, server, opts);
  const [command, args] = resolved.docker ? ['docker', dockerArgs(resolved)] : [resolved.command ?? '', resolved.args];
  // Without PATH in its env, spawn searches /usr/bin:/bin.
  const problem = cwdProblem(resolved.cwd) ?? commandProblem(command, resolved.cwd, resolved.env.PATH ?? '/usr/bin:/bin');
  if (problem) throw new ConnectError(opts.redact(problem));
  const stdio = new StdioTransport({ command, args, cwd: resolved.cwd, env: resolved.env }, opts);
  return {
    transport: stdio,
    remote: false,
    pid: () => stdio.pid,
    stderrTail: (n) => stdio.stderr.tail(n),
    exitDescription: () => stdio.exitDescription || 'closed',
    exitStatus: () => stdio.exit ?? undefined,
  };
}
