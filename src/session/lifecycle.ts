// The session lifecycle every transport shares: what may come before initialize, and that initialize comes once.

/** Requests answered before initialize: the handshake itself and ping (server/discover is answered before this check). */
const BEFORE_INITIALIZE = new Set(['initialize', 'ping']);

/** Why a request is out of order in the session's lifecycle (answered as Invalid Request), or undefined. */
export function lifecycleError(method: string, initialized: boolean): string | undefined {
  if (method === 'initialize' && initialized) {
    return 'Invalid Request: this session is already initialized; to start over, open a new session (a new connection, or POST initialize without an Mcp-Session-Id header)';
  }
  if (!initialized && !BEFORE_INITIALIZE.has(method)) return `Invalid Request: send initialize first (${method} came before the session was initialized)`;
  return undefined;
}
