// What every transport to a client (shim socket, /ws) does with frames: decode one inbound frame or answer why it is
// not a message; encode and admit one outbound message (each fails alone); watch its backlog for a stalled reader.
import { admit, outputBudget } from '../protocol/backlog.js';
import { encodeMessage, errorResponse, parseMessage, type JsonRpcMessage, type JsonRpcResponse } from '../protocol/jsonrpc.js';

/** One inbound frame: the message, or the error answer to send back under the id recovered from it. */
export function decodeClientFrame(text: string): { message: JsonRpcMessage } | { reply: JsonRpcResponse } {
  const parsed = parseMessage(text);
  return 'message' in parsed ? parsed : { reply: errorResponse(parsed.id, parsed.error.code, parsed.error.message, parsed.error.data) };
}

/**
 * The text of one outbound message for a client whose transport holds `queued` unread bytes. Throws for this message
 * alone (too large, too deep, exact big ids kept) or when the client is not reading (CLIENT_TOO_SLOW).
 */
export function encodeForClient(message: JsonRpcMessage, queued: number): string {
  const text = encodeMessage(message);
  admit(message, text, queued);
  return text;
}

/** A client connection as the output budget sees it: the bytes it holds for the client, and how to cut it. */
export interface ClientOutlet {
  queued(): number;
  cut(): void;
}

/**
 * Counts a connection in the daemon-wide output budget, cutting it when its client took nothing for too long (what
 * it holds never shrank); returns the release.
 */
export function watchOutlet(outlet: ClientOutlet): () => void {
  let progress = { at: Date.now(), queued: outlet.queued() };
  return outputBudget.register({
    queued: outlet.queued,
    dropIfStalled: (now, stalledMs) => {
      const queued = outlet.queued();
      if (queued === 0 || queued < progress.queued) progress = { at: now, queued };
      else if (now - progress.at > stalledMs) outlet.cut();
      else progress.queued = queued;
    },
  });
}
