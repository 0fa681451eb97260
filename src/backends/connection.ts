// What the pool gets for one backend, whatever carries it: a message transport plus how to describe the backend's end.
import type { Logger } from 'pino';
import type { MessageTransport } from '../protocol/transport.js';

export interface ConnectOptions {
  log: Logger;
  redact: (text: string) => string;
  onSpawn?: (pid: number) => void;
}

/** How a backend process ended. */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface Connection {
  transport: MessageTransport;
  /** A remote server (HTTP or SSE) rather than a process. */
  remote: boolean;
  /** The transport can only carry the 2025 era (legacy HTTP+SSE): no era probe is sent. */
  legacyOnly?: boolean;
  /** The child process id (stdio and docker only). */
  pid?: () => number | undefined;
  /** Recent stderr lines (stdio and docker only), already redacted. */
  stderrTail: (n?: number) => string[];
  /** How the backend ended (or why it could not be reached), for error messages; redacted. */
  exitDescription: () => string;
  /** The exit code and signal of a process that ended (stdio and docker only). */
  exitStatus: () => ExitStatus | undefined;
}

/** A connection problem found before anything was started; its message says what to fix. */
export class ConnectError extends Error {}
