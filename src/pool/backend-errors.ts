// What a caller is told when a backend could not start or went away with requests in flight: one redacted error that
// says which step failed, with the backend's last stderr lines, and which run of the backend it was (one crash counts once).
import type { Connection } from '../backends/connection.js';
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import { formatTail } from '../supervisor/ring.js';

/** The start that failed, as its error describes it. */
export interface FailedStart {
  /** The server's name. */
  name: string;
  conn: Connection;
  /** Which run of the backend this was. */
  incident: number;
  /** The backend was found to speak the modern era (its start is then server/discover and its lists, not initialize). */
  modern: boolean;
  startTimeout: number;
  redact: (text: string) => string;
}

/** Why a start failed, redacted: a timeout, the process ending (or a remote refusing) before its handshake was done, or another error. */
export function startError(err: Error, start: FailedStart): McplexError {
  const { name, conn, incident, redact } = start;
  const stderr = conn.stderrTail(10);
  // What the start was doing, as the backend's era calls it (a 2025 server, or one whose era is not known yet: initialize).
  const step = start.modern ? 'its start (server/discover and its lists)' : 'initialize';
  if (err instanceof McplexError && err.code === 'CALL_TIMEOUT') {
    return new McplexError('START_TIMEOUT', `server "${name}" did not finish ${step} within startTimeout (${start.startTimeout} ms)${formatTail(stderr)}`, { stderr, incident });
  }
  if (err instanceof BackendRpcError) {
    return new McplexError('START_FAILED', `server "${name}" refused ${step}: ${redact(err.rpc.message)}${formatTail(stderr)}`, { stderr, incident });
  }
  const closed = err instanceof McplexError && err.code === 'BACKEND_CLOSED';
  if (err instanceof McplexError && !closed) return err;
  const what = !closed ? redact(err.message) : conn.remote ? conn.exitDescription() : `${conn.exitDescription()} before it finished ${step}`;
  return new McplexError('START_FAILED', `server "${name}" failed to start: ${what}${formatTail(stderr)}`, { stderr, incident });
}

/** The error of every request in flight when a running backend ends. */
export function exitError(name: string, conn: Connection, incident: number): McplexError {
  const stderr = conn.stderrTail(10);
  return new McplexError('BACKEND_CLOSED', `server "${name}" ${conn.exitDescription()} while requests were in flight${formatTail(stderr)}`, { stderr, incident });
}
