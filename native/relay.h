// The relay's state, shared by shim.c (the client side and the poll loop) and connect.c (finding or starting the
// daemon, and the connection to it).
#ifndef MCPLEX_RELAY_H
#define MCPLEX_RELAY_H

#include <sys/types.h>

#include "buf.h"
#include "home.h"
#include "lines.h"
#include "state.h"

#define MAX_FRAME ((size_t)16 << 20)   /* a client line longer than this is answered with an error, never relayed */
#define MAX_BACKLOG ((size_t)32 << 20) /* the cap on one line from the daemon */

enum link_state { DOWN, UPGRADING, AWAIT_WELCOME, OPEN };
enum phase { IDLE, HANDSHAKE, STARTING };
/* What the main loop does next after a connection went down (never from inside the handler that saw it go). */
enum follow_up { NOTHING, CONNECT, START };

typedef struct {
  home_paths paths;
  buf hello;
  shim_state st;
  buf to_daemon; /* client lines: queued while no connection is open, then relayed */
  buf to_client; /* daemon lines and the shim's own answers, for stdout */
  splitter from_client, from_daemon;
  int stdin_open;
  long long exit_at; /* set when stdin ends */

  /* The connection. */
  int fd;
  enum link_state link;
  buf link_out, link_head; /* handshake bytes out; the upgrade response being read */
  int stopping;            /* the daemon said it stops on purpose */
  int after_start;         /* this daemon was found after a start (its failure is reported, not retried) */
  int shut;                /* stdin ended while open: the write side closes once the queue is written */

  /* Finding or starting a daemon. */
  enum phase phase;
  enum follow_up follow;
  long not_pid; /* the daemon that failed to answer: a start waits for another */
  pid_t child;  /* the daemon this shim spawned, until reaped */
  int child_exit; /* -1 while it runs */
  long out_offset;
  long long deadline, lost_at, next_tick;
  char *last_failure, *last_printed;
  long long last_failure_at;
} relay;

/* The one relay of this process. */
extern relay S;

/* Monotonic milliseconds. */
long long now_ms(void);
/* Writes `mcplex shim: <message>` to stderr. */
void say(const char *message);
/* strdup, or exit when out of memory. */
char *copy(const char *s);
/* Writes what stdout takes now. */
void write_client(void);
/* Writes what the socket takes now: the handshake, then (once open) the client's lines. */
void write_daemon(void);

/* Finds the live daemon and opens a connection to it, or starts one. */
void connect_begin(void);
/* The live daemon did not answer (or there is none): start one, unless a start failed less than a second ago. */
void after_live_failure(void);
/* One look at a start in progress. */
void start_tick(void);
/* The connection ended or failed (`error`: why, when known). */
void connection_closed(const char *error);
/* Reads what the daemon sent. */
void read_daemon(void);
/* A line from the daemon, and one over the cap. */
void daemon_line(const char *line, size_t n);
void daemon_oversize(size_t bytes, const char *head, size_t head_len);

#endif
