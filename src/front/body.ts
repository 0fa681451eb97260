// Reading a POST body with the frame cap: an oversized body is answered 413 at once and never held in memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TopLevelIdScanner } from '../protocol/json-scan.js';
import { encodeMessage, errorResponse, idFromText, RpcCode, type JsonRpcId } from '../protocol/jsonrpc.js';
import { MAX_FRAME_BYTES } from '../protocol/limits.js';

/** How much of an oversized body is read and thrown away (so the client sees the 413) before the connection is cut. */
const DISCARD_LIMIT = 4 * MAX_FRAME_BYTES;

/** Reads the body as text; undefined if it was over the cap (the 413 is already sent). */
export function readBody(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (over) {
        if (size > DISCARD_LIMIT) req.destroy();
        return;
      }
      if (size <= MAX_FRAME_BYTES) {
        parts.push(c);
        return;
      }
      over = true;
      parts.push(c);
      const id = idOf(parts);
      parts.length = 0;
      const message = `request body over the ${MAX_FRAME_BYTES / 1048576} MiB frame limit; send smaller messages`;
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(encodeMessage(errorResponse(id, RpcCode.InvalidRequest, message, { code: 'MESSAGE_TOO_LARGE' })));
      resolve(undefined);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(parts).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** An oversized body's request id, exact (read up to where it stands), or null when none was seen. */
function idOf(parts: Buffer[]): JsonRpcId | null {
  const scanner = new TopLevelIdScanner();
  for (const part of parts) {
    scanner.push(part);
    if (scanner.idText !== undefined) break;
  }
  return idFromText(scanner.idText);
}
