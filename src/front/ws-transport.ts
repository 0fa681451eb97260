// MessageTransport over one WebSocket (a shim connection): one JSON-RPC message per text frame.
import type { WebSocket } from 'ws';
import { errorResponse, parseMessage, salvageId, type JsonRpcMessage } from '../protocol/jsonrpc.js';
import type { MessageTransport } from '../protocol/transport.js';

/** Wraps an accepted socket; malformed frames are answered with a JSON-RPC error and the session goes on. */
export class WsTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(private readonly socket: WebSocket) {}

  async start(): Promise<void> {
    this.socket.on('message', (data, isBinary) => {
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
      const parsed = parseMessage(text);
      if ('message' in parsed) this.onmessage?.(parsed.message);
      else void this.send(errorResponse(salvageId(text), parsed.error.code, parsed.error.message));
    });
    this.socket.on('close', () => this.onclose?.());
    this.socket.on('error', (err) => this.onerror?.(err));
  }

  send(message: JsonRpcMessage): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) return Promise.reject(new Error('socket closed'));
    return new Promise((resolve, reject) => this.socket.send(JSON.stringify(message), (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(1000);
  }
}
