// The daemon's end of a shim connection on mcplex.sock: after the HTTP upgrade, a hello line, the welcome, then one
// JSON-RPC message per line. Outgoing backlog counts in the daemon's output budget: a client that stops reading gets
// errors instead of answers, then loses its connection, never our memory.
import type net from 'node:net';
import type { Logger } from 'pino';
import { encodeMessage, errorResponse, type JsonRpcMessage } from '../protocol/jsonrpc.js';
import { LineSplitter, MAX_FRAME_BYTES } from '../protocol/lines.js';
import { isHello, SHIM_STOPPING_LINE, type ShimHello } from '../protocol/shim-hello.js';
import type { MessageTransport } from '../protocol/transport.js';
import { decodeClientFrame, encodeForClient, watchOutlet } from './client-frames.js';

/** The HTTP Upgrade protocol name of the shim channel. */
export const SHIM_LINES_PROTOCOL = 'mcplex-lines';

export interface ShimLinesDeps {
  log: Logger;
  version: string;
  /** Opens the session for a hello; returns its id. */
  hello(transport: LineTransport, hello: ShimHello): string;
}

/** MessageTransport over an upgraded socket, one message per line. */
export class LineTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  private readonly release: () => void;

  constructor(private readonly socket: net.Socket, log: Logger) {
    this.release = watchOutlet({
      queued: () => socket.writableLength,
      cut: () => {
        log.warn({ backlog: socket.writableLength }, 'the shim took nothing of what was sent to it for too long; closing its connection');
        socket.destroy();
      },
    });
  }

  async start(): Promise<void> {
    // Lines are delivered by the connection's splitter (see acceptShimLines); nothing to start.
  }

  /** Handles one line from the shim: a message, or an error answer for one that is not JSON-RPC. */
  receive(text: string): void {
    const decoded = decodeClientFrame(text);
    if ('message' in decoded) this.onmessage?.(decoded.message);
    else void this.send(decoded.reply).catch(() => undefined);
  }

  send(message: JsonRpcMessage): Promise<void> {
    if (this.socket.destroyed) return Promise.reject(new Error('shim connection closed'));
    try {
      this.write(encodeForClient(message, this.socket.writableLength));
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return Promise.resolve();
  }

  /** Writes one line to the shim. */
  write(line: string): void {
    if (!this.socket.destroyed) this.socket.write(line + '\n');
  }

  /** The daemon is stopping on purpose: tell the shim, then close. */
  stopping(): void {
    if (this.socket.destroyed) return;
    this.socket.end(SHIM_STOPPING_LINE + '\n');
  }

  async close(): Promise<void> {
    if (!this.socket.destroyed) this.socket.end();
  }

  /** Called once the socket is gone. */
  closed(): void {
    this.release();
    this.onclose?.();
  }
}

/** Completes the shim channel on an upgraded socket: answers 101, reads the hello, opens the session, sends the welcome. */
export function acceptShimLines(socket: net.Socket, head: Buffer, deps: ShimLinesDeps): LineTransport {
  const transport = new LineTransport(socket, deps.log);
  let welcomed = false;
  const splitter = new LineSplitter({
    line: (text) => {
      if (welcomed) return transport.receive(text);
      let hello: unknown;
      try {
        hello = JSON.parse(text);
      } catch {
        hello = undefined;
      }
      if (!isHello(hello)) {
        socket.end(JSON.stringify({ mcplex: 'refused', message: 'expected a hello line first' }) + '\n');
        return;
      }
      welcomed = true;
      const session = deps.hello(transport, hello);
      transport.write(JSON.stringify({ mcplex: 'welcome', session, version: deps.version }));
    },
    oversize: (bytes, _head, id, request) => {
      if (!welcomed) return void socket.destroy();
      if (!request) return;
      transport.write(encodeMessage(errorResponse(id, -32600, `message of ${bytes} bytes exceeds the ${MAX_FRAME_BYTES / 1048576} MiB frame limit; it was dropped`)));
    },
  });
  socket.setNoDelay(true);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${SHIM_LINES_PROTOCOL}\r\n\r\n`);
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  socket.on('error', (err) => deps.log.debug({ err: err.message }, 'shim connection error'));
  socket.once('close', () => transport.closed());
  if (head.length) splitter.push(head);
  return transport;
}
