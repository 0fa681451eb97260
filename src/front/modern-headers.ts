// The standard request headers of a 2026-07-28 HTTP request (MCP-Protocol-Version, Mcp-Method, Mcp-Name): each is
// required, and Mcp-Name must name what the body names (decoded first when sent as `=?base64?…?=`). A request that
// fails is answered 400 with -32020 before it reaches a session.
import type { JsonRpcRequest } from '../protocol/jsonrpc.js';
import { ModernCode } from '../protocol/modern.js';

/** The body field each method's Mcp-Name header mirrors. */
const NAME_FIELD: Readonly<Record<string, 'name' | 'uri'>> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

const SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** A -32020 rejection: what is wrong, with the header's and the body's values. */
export interface HeaderRejection {
  code: number;
  message: string;
  data: { mismatch: { header: string; body: string } };
}

/** Why a modern request's standard headers are refused, or undefined when they are in order. */
export function headerRejection(message: JsonRpcRequest, header: (name: string) => string | undefined): HeaderRejection | undefined {
  const reject = (what: string, headerValue: string, bodyValue: string): HeaderRejection => ({
    code: ModernCode.HeaderMismatch,
    message: `Bad Request: ${what}`,
    data: { mismatch: { header: headerValue, body: bodyValue } },
  });
  if (header('mcp-protocol-version') === undefined) return reject('the required MCP-Protocol-Version header is missing', '(missing)', '(a modern request)');
  if (header('mcp-method') === undefined) return reject(`the required Mcp-Method header is missing (the body names ${message.method})`, '(missing)', message.method);
  const field = NAME_FIELD[message.method];
  const bodyValue = field === undefined ? undefined : message.params?.[field];
  if (typeof bodyValue !== 'string') return undefined;
  const sent = header('mcp-name')?.trim();
  if (sent === undefined) return reject(`the required Mcp-Name header is missing (the body's params.${field} is "${bodyValue}")`, '(missing)', bodyValue);
  const encoded = SENTINEL.exec(sent);
  const named = encoded ? Buffer.from(encoded[1]!, 'base64').toString('utf8') : sent;
  if (named !== bodyValue) return reject(`the Mcp-Name header names "${named}" but the body's params.${field} is "${bodyValue}"`, sent, bodyValue);
  return undefined;
}
