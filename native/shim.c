// mcplex-shim: the native stdio relay between one MCP client and the shared daemon. Same behaviour as the Node
// shim (src/shim/main.ts): the shim channel on mcplex.sock (upgrade with the daemon token, hello with cwd and
// environment, welcome), one JSON-RPC message per line both ways, frame caps, an error for every request in flight
// when the daemon goes, reconnection (starting a daemon if none is live) with the client's handshake replayed,
// and a start failure reported to the client at once. One thread, one poll loop, no JSON library: lines are
// relayed as they came, and only the top-level id, method and the params it replays are read (state.c).
// This file: arguments, the hello, the client's side and the poll loop; connect.c: the daemon's side.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "relay.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SIGPIPE is ignored instead (see main) */
#endif
#ifndef MCPLEX_VERSION
#define MCPLEX_VERSION "0.0.0"
#endif

#define USAGE "usage: mcplex shim [--workspace DIR] [--surface auto|meta|direct|both]"
#define HIGH_WATER (256 * 1024) /* stop reading one side while the queue to the other holds this much */
#define EXIT_GRACE_MS 50        /* after stdin ends: replies still relayed for this long */
#define EXIT_DRAIN_MS 1000      /* …and stdout drained for at most this much longer */

relay S = {.fd = -1, .child_exit = -1};

long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void say(const char *message) {
  buf b = {0};
  buf_adds(&b, "mcplex shim: ");
  buf_adds(&b, message);
  buf_add(&b, "\n", 1);
  (void)!write(2, b.p, b.len);
  free(b.p);
}

static void usage_error(const char *message) {
  say(message);
  exit(2);
}

char *copy(const char *s) {
  char *d = strdup(s);
  if (!d) die_oom();
  return d;
}

/* ---- output ---- */

/* Writes what stdout takes now; a client that closed its end ends the shim (as the Node shim's EPIPE does). */
void write_client(void) {
  while (buf_pending(&S.to_client)) {
    ssize_t n = write(1, S.to_client.p + S.to_client.off, buf_pending(&S.to_client));
    if (n > 0) buf_consume(&S.to_client, (size_t)n);
    else if (n < 0 && errno == EINTR) continue;
    else if (n < 0 && errno == EAGAIN) return;
    else exit(0);
  }
}

/* Writes what the socket takes now: the handshake, then (once open) the client's lines. */
void write_daemon(void) {
  buf *b = S.link == OPEN ? &S.to_daemon : &S.link_out;
  while (S.fd >= 0 && buf_pending(b)) {
    ssize_t n = send(S.fd, b->p + b->off, buf_pending(b), MSG_NOSIGNAL);
    if (n > 0) buf_consume(b, (size_t)n);
    else if (n < 0 && errno == EINTR) continue;
    else if (n < 0 && errno == EAGAIN) return;
    else return connection_closed(strerror(errno));
  }
  if (S.shut && S.fd >= 0 && !buf_pending(&S.to_daemon)) shutdown(S.fd, SHUT_WR);
}

/* ---- the client ---- */

static void client_line(const char *line, size_t n) {
  state_from_client(&S.st, line, n);
  buf_add(&S.to_daemon, line, n);
  buf_add(&S.to_daemon, "\n", 1);
  if (S.link != OPEN && S.phase == IDLE) connect_begin();
}

static void client_oversize(size_t bytes, const char *head, size_t head_len) {
  state_reject_oversize(&S.st, &S.to_client, bytes, head, head_len, MAX_FRAME);
}

static void read_client(void) {
  static char chunk[64 * 1024];
  ssize_t n = read(0, chunk, sizeof chunk);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) { /* stdin ended: finish writing, close our side, exit shortly */
    S.stdin_open = 0;
    S.exit_at = now_ms() + EXIT_GRACE_MS;
    if (S.link == OPEN) S.shut = 1;
    write_daemon();
    return;
  }
  split_push(&S.from_client, chunk, (size_t)n);
  if (S.link == OPEN) write_daemon();
  write_client();
}

/* ---- startup ---- */

static void parse_args(int argc, char **argv, const char **workspace, const char **surface) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *eq = strchr(a, '='), *inline_value = eq ? eq + 1 : NULL;
    size_t flag_len = eq ? (size_t)(eq - a) : strlen(a);
#define IS(name) (flag_len == strlen(name) && !strncmp(a, name, flag_len))
    if (IS("--surface")) {
      const char *v = inline_value ? inline_value : i + 1 < argc ? argv[++i] : NULL;
      if (!v || (strcmp(v, "auto") && strcmp(v, "meta") && strcmp(v, "direct") && strcmp(v, "both"))) {
        buf m = {0};
        buf_addf(&m, "--surface must be auto, meta, direct or both (got %s)", v ? v : "nothing");
        buf_add(&m, "", 1);
        usage_error(m.p);
      }
      *surface = v;
    } else if (IS("--workspace")) {
      const char *v = inline_value ? inline_value : i + 1 < argc ? argv[++i] : NULL;
      struct stat st;
      if (!v || !*v || stat(v, &st) != 0 || !S_ISDIR(st.st_mode)) {
        buf m = {0};
        buf_addf(&m, "--workspace must be an existing directory (got %s)", v && *v ? v : "nothing");
        buf_add(&m, "", 1);
        usage_error(m.p);
      }
      *workspace = v; /* the daemon resolves it against the cwd this hello carries */
    } else if (IS("--help") || IS("-h")) {
      (void)!write(2, USAGE "\n", sizeof USAGE);
      exit(0);
    } else {
      buf m = {0};
      buf_addf(&m, "unknown option %s; " USAGE, a);
      buf_add(&m, "", 1);
      usage_error(m.p);
    }
#undef IS
  }
}

/* The hello line: pid, cwd and the whole environment (held by the daemon in memory only). */
static void build_hello(const char *workspace, const char *surface) {
  extern char **environ;
  char cwd[4096];
  const char *dir = getcwd(cwd, sizeof cwd) ? cwd : getenv("PWD") ? getenv("PWD") : "/";
  buf *h = &S.hello;
  buf_addf(h, "{\"mcplex\":\"hello\",\"version\":\"%s\",\"pid\":%ld,\"cwd\":", MCPLEX_VERSION, (long)getpid());
  json_quote(h, dir, strlen(dir));
  buf_adds(h, ",\"env\":{");
  int first = 1;
  for (char **e = environ; *e; e++) {
    const char *eq = strchr(*e, '=');
    if (!eq || eq == *e) continue;
    if (!first) buf_add(h, ",", 1);
    first = 0;
    json_quote(h, *e, (size_t)(eq - *e));
    buf_add(h, ":", 1);
    json_quote(h, eq + 1, strlen(eq + 1));
  }
  buf_add(h, "}", 1);
  if (workspace && *workspace) {
    buf_adds(h, ",\"workspace\":");
    json_quote(h, workspace, strlen(workspace));
  }
  if (surface) buf_addf(h, ",\"surface\":\"%s\"", surface);
  buf_adds(h, "}\n");
}

/* Pipes and sockets become non-blocking, so neither direction ever waits for the other. */
static void nonblocking(int fd) {
  struct stat st;
  if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

int main(int argc, char **argv) {
  const char *workspace = NULL, *surface = NULL;
  parse_args(argc, argv, &workspace, &surface);
  signal(SIGPIPE, SIG_IGN);
  home_paths_init(&S.paths);
  build_hello(workspace, surface);
  S.from_client = (splitter){.max = MAX_FRAME, .on_line = client_line, .on_oversize = client_oversize};
  S.from_daemon = (splitter){.max = MAX_BACKLOG, .on_line = daemon_line, .on_oversize = daemon_oversize};
  S.stdin_open = 1;
  nonblocking(0);
  nonblocking(1);
  connect_begin();
  write_client();

  for (;;) {
    long long now = now_ms();
    /* Deferred work first: an exit after stdin ended, a reconnection, a look at a daemon being started. */
    if (S.exit_at && ((now >= S.exit_at && !buf_pending(&S.to_client)) || now >= S.exit_at + EXIT_DRAIN_MS)) exit(0);
    if (S.follow) {
      enum follow_up f = S.follow;
      S.follow = NOTHING;
      if (f == CONNECT) connect_begin();
      else after_live_failure();
      write_client();
      continue;
    }
    if (S.phase == STARTING && now >= S.next_tick) {
      start_tick();
      write_client();
      continue;
    }
    /* Each side is read only while the queue to the other side is short: backpressure both ways. */
    struct pollfd fds[3] = {{.fd = -1}, {.fd = -1}, {.fd = -1}};
    if (S.stdin_open && buf_pending(&S.to_daemon) < HIGH_WATER) fds[0] = (struct pollfd){.fd = 0, .events = POLLIN};
    if (buf_pending(&S.to_client)) fds[1] = (struct pollfd){.fd = 1, .events = POLLOUT};
    if (S.fd >= 0) {
      short ev = buf_pending(&S.to_client) < HIGH_WATER ? POLLIN : 0;
      if (buf_pending(S.link == OPEN ? &S.to_daemon : &S.link_out)) ev |= POLLOUT;
      fds[2] = (struct pollfd){.fd = S.fd, .events = ev};
    }
    long long wake = -1;
    if (S.exit_at) wake = now >= S.exit_at ? S.exit_at + EXIT_DRAIN_MS : S.exit_at;
    if (S.phase == STARTING && (wake < 0 || S.next_tick < wake)) wake = S.next_tick;
    int timeout = wake < 0 ? -1 : wake > now ? (int)(wake - now) : 0;
    if (poll(fds, 3, timeout) < 0) {
      if (errno == EINTR) continue;
      say(strerror(errno));
      return 1;
    }
    if (fds[1].revents) write_client();
    if (fds[2].revents & POLLOUT) write_daemon();
    if (S.fd >= 0 && fds[2].fd == S.fd && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) read_daemon();
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) read_client();
  }
}

