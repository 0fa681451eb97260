// The legacy HTTP+SSE transport (GET /sse, POST /messages): one event stream carries everything, bounded like /mcp.
import crypto from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { admit } from '../protocol/backlog.js';
import { encodeMessage, type JsonRpcMessage } from '../protocol/jsonrpc.js';
import type { MessageTransport } from '../protocol/transport.js';
import { SseStream } from './sse-stream.js';

/** The MessageTransport of one /sse session. */
export class LegacySseTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly sessionId = crypto.randomUUID();
  readonly stream: SseStream;
  private closed = false;

  /** Opens the event stream and tells the client where to POST (`endpoint?sessionId=…`). */
  constructor(res: ServerResponse, endpoint: string) {
    this.stream = new SseStream(res, {});
    this.stream.write({ event: 'endpoint', data: `${endpoint}?sessionId=${this.sessionId}` });
    this.stream.onclose = () => void this.close();
  }

  async start(): Promise<void> {}

  /** A message POSTed to /messages. */
  receive(message: JsonRpcMessage): void {
    this.onmessage?.(message);
  }

  async send(message: JsonRpcMessage): Promise<void> {
    if (this.closed) throw new Error('the SSE session is closed');
    const text = encodeMessage(message);
    admit(message, text, this.stream.queued());
    this.stream.write({ event: 'message', data: text });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream.end();
    this.onclose?.();
  }
}
