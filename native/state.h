// What the shim remembers about its client (the native twin of src/shim/state.ts): the requests in flight, and
// the handshake, log level and resource subscriptions to replay after a daemon restart.
#ifndef MCPLEX_STATE_H
#define MCPLEX_STATE_H

#include <stddef.h>

#include "buf.h"

/* A request in flight: its identity (type and value, so 1 and 1.0 are one id) and its raw id text. */
typedef struct {
  buf key;
  buf id;
} pending;

typedef struct {
  pending *pend; /* in arrival order, but for removals (order does not matter to a client) */
  size_t npend, cappend;
  int has_init, initialized, has_level;
  buf init_params, level_params; /* raw JSON text */
  buf *subs;                     /* subscribed resource URIs (decoded), in subscription order */
  size_t nsubs, capsubs;
  int lost;                      /* a connection was lost: the next one replays the handshake */
  unsigned long replay_seq;
} shim_state;

/* Notes a client line (its id if it is a request; the handshake state it carries). */
void state_from_client(shim_state *s, const char *line, size_t n);
/* Notes a daemon line; false if it must not reach the client (the reply to a replayed handshake request). */
int state_from_daemon(shim_state *s, const char *line, size_t n);
/* The connection dropped: every request in flight is answered with an error (saying the shim reconnects, or, when
   the client closed its input, that the session ended), and the next connection replays. */
void state_lost(shim_state *s, buf *out, int client_gone);
/* Appends the frames a new connection sends first after a loss (their replies are swallowed). */
void state_replay(shim_state *s, buf *to_daemon);
/* Answers every request in flight with error -32000 and `message`. */
void state_fail_pending(shim_state *s, buf *out, const char *message);
/* A line over `limit` bytes was dropped: answers it under the id found in its first bytes (or null). */
void state_reject_oversize(shim_state *s, buf *out, size_t bytes, const char *head, size_t head_len, size_t limit);

#endif
