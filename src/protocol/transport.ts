// The one interface every wire implements (child stdio, WebSocket, HTTP); routing code never sees sockets or processes.
import type { JsonRpcId, JsonRpcMessage } from './jsonrpc.js';

/** Same shape as the MCP SDK's Transport, so SDK client transports plug in unchanged. */
export interface MessageTransport {
  start(): Promise<void>;
  /** `relatedRequestId` lets HTTP transports put a message on the stream of the request it belongs to. */
  send(message: JsonRpcMessage, options?: { relatedRequestId?: JsonRpcId }): Promise<void>;
  close(): Promise<void>;
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
}
