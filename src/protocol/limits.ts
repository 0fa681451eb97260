// Size, depth and backlog limits shared by every edge (shim socket, HTTP streams, backends), kept in one place.

/** Cap on one frame, in bytes: a longer line or body is rejected, never buffered whole (16 MiB). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Deepest nesting accepted from a client; deeper requests fail alone, before any backend sees them. */
export const MAX_JSON_DEPTH = 512;

/**
 * Unsent bytes one client session may hold in the daemon: while more than this is waiting for the client to read,
 * no further message is queued for it (a request's answer becomes a short error, a notification is dropped).
 */
export const SESSION_BACKLOG_BYTES = 1024 * 1024;

/**
 * Unsent bytes all client sessions together may hold: a message that would push the total past this is refused,
 * so clients that never read cannot grow the daemon's memory (it is at least one whole frame, so any legal message
 * can still go to a client that reads).
 */
export const TOTAL_BACKLOG_BYTES = 2 * MAX_FRAME_BYTES;

/** A stream whose client accepts no bytes for this long is closed and the memory it held is released. */
export const STALLED_STREAM_MS = 30_000;

/** Bytes of recent stream events each HTTP session keeps for `Last-Event-ID` replay. */
export const RESUME_STORE_BYTES = 1024 * 1024;
