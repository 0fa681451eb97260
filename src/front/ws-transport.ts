// MessageTransport over one WebSocket (a shim connection on /ws): one JSON-RPC message per text frame.
import type { WebSocket } from 'ws';
import type { JsonRpcMessage } from '../protocol/jsonrpc.js';
import type { MessageTransport } from '../protocol/transport.js';
import { decodeClientFrame, encodeForClient, watchOutlet } from './client-frames.js';

/** Wraps an accepted socket; malformed frames are answered with a JSON-RPC error and the session goes on. */
export class WsTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(private readonly socket: WebSocket) {}

  async start(): Promise<void> {
    const release = watchOutlet({
      queued: () => this.socket.bufferedAmount,
      cut: () => this.socket.terminate(),
    });
    this.socket.on('message', (data, isBinary) => {
      const decoded = decodeClientFrame(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
      if ('message' in decoded) this.onmessage?.(decoded.message);
      else void this.send(decoded.reply).catch(() => undefined);
    });
    this.socket.on('close', () => {
      release();
      this.onclose?.();
    });
    this.socket.on('error', (err) => this.onerror?.(err));
  }

  send(message: JsonRpcMessage): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) return Promise.reject(new Error('socket closed'));
    let text: string;
    try {
      text = encodeForClient(message, this.socket.bufferedAmount);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise((resolve, reject) => this.socket.send(text, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(1000);
  }
}
