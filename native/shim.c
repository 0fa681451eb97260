// mcplex-shim: the native stdio relay between one MCP client and the shared daemon. Same behaviour as the Node
// shim (src/shim/main.ts): the shim channel on mcplex.sock (upgrade with the daemon token, hello with cwd and
// environment, welcome), one JSON-RPC message per line both ways, frame caps, an error for every request in flight
// when the daemon goes, reconnection (starting a daemon if none is live) with the client's handshake replayed,
// and a start failure reported to the client at once. One thread, one poll loop, no JSON library: lines are
// relayed as they came, and only the top-level id, method and the params it replays are read.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "home.h"
#include "json.h"
#include "state.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SIGPIPE is ignored instead (see main) */
#endif
#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 0 /* set with fcntl below */
#endif
#ifndef MCPLEX_VERSION
#define MCPLEX_VERSION "0.0.0"
#endif

#define USAGE "usage: mcplex shim [--workspace DIR] [--surface auto|meta|direct|both]"
#define MAX_FRAME ((size_t)16 << 20)   /* a client line longer than this is answered with an error, never relayed */
#define MAX_BACKLOG ((size_t)32 << 20) /* the cap on one line from the daemon */
#define HEAD_BYTES 256                 /* what is kept of a dropped line, to answer it under its id */
#define HIGH_WATER (256 * 1024)        /* stop reading one side while the queue to the other holds this much */
#define START_RETRY_MS 1000            /* a failed daemon start is not retried sooner */
#define DAEMON_WAIT_MS 30000           /* how long a started daemon has to come up */
#define RACE_GRACE_MS 2000             /* a start that lost the lock race waits this long for the winner */
#define TICK_MS 50                     /* how often a start in progress looks at daemon.json */
#define EXIT_GRACE_MS 50               /* after stdin ends: replies still relayed for this long */
#define EXIT_DRAIN_MS 1000             /* …and stdout drained for at most this much longer */
#define STOPPING_LINE "{\"mcplex\":\"stopping\"}"

/* Splits a byte stream into lines, dropping (and reporting) any line longer than `max`. */
typedef struct {
  buf line;
  size_t max, skipped;
  int skipping;
  char head[HEAD_BYTES];
  size_t head_len;
  void (*on_line)(const char *line, size_t n);
  void (*on_oversize)(size_t bytes, const char *head, size_t head_len);
} splitter;

enum link_state { DOWN, UPGRADING, AWAIT_WELCOME, OPEN };
enum phase { IDLE, HANDSHAKE, STARTING };
/* What the main loop does next after a connection went down (never from inside the handler that saw it go). */
enum follow_up { NOTHING, CONNECT, START };

static struct {
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
} S = {.fd = -1, .child_exit = -1};

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void say(const char *message) {
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

static char *copy(const char *s) {
  char *d = strdup(s);
  if (!d) die_oom();
  return d;
}

/* ---- lines ---- */

static void deliver(splitter *sp, const char *p, size_t n) {
  if (n && p[n - 1] == '\r') n--;
  for (size_t i = 0; i < n; i++) {
    if (p[i] != ' ' && (p[i] < '\t' || p[i] > '\r')) {
      sp->on_line(p, n);
      return;
    }
  }
}

static void split_push(splitter *sp, const char *data, size_t n) {
  const char *p = data, *end = data + n;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    size_t piece = (size_t)(stop - p);
    if (sp->skipping) sp->skipped += piece;
    else if (sp->line.len + piece > sp->max) {
      sp->skipping = 1;
      sp->skipped = sp->line.len + piece;
      size_t from_line = sp->line.len < HEAD_BYTES ? sp->line.len : HEAD_BYTES;
      size_t from_piece = HEAD_BYTES - from_line < piece ? HEAD_BYTES - from_line : piece;
      memcpy(sp->head, sp->line.p, from_line);
      memcpy(sp->head + from_line, p, from_piece);
      sp->head_len = from_line + from_piece;
      buf_reset(&sp->line);
    } else if (nl && sp->line.len == 0) {
      deliver(sp, p, piece); /* a whole line in this chunk: no copy */
    } else {
      buf_add(&sp->line, p, piece);
    }
    if (!nl) return;
    if (sp->skipping) {
      sp->skipping = 0;
      sp->on_oversize(sp->skipped, sp->head, sp->head_len);
    } else if (sp->line.len) {
      deliver(sp, sp->line.p, sp->line.len);
      buf_reset(&sp->line);
    }
    p = nl + 1;
  }
}

static void split_clear(splitter *sp) {
  buf_reset(&sp->line);
  sp->skipping = 0;
}

/* ---- output ---- */

/* Writes what stdout takes now; a client that closed its end ends the shim (as the Node shim's EPIPE does). */
static void write_client(void) {
  while (buf_pending(&S.to_client)) {
    ssize_t n = write(1, S.to_client.p + S.to_client.off, buf_pending(&S.to_client));
    if (n > 0) buf_consume(&S.to_client, (size_t)n);
    else if (n < 0 && errno == EINTR) continue;
    else if (n < 0 && errno == EAGAIN) return;
    else exit(0);
  }
}

static void connection_closed(const char *error);

/* Writes what the socket takes now: the handshake, then (once open) the client's lines. */
static void write_daemon(void) {
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

/* ---- reporting ---- */

/* Tells the client (every pending request) and the user (stderr, once per distinct reason) why there is no daemon. */
static void report(const char *message) {
  if (!S.last_printed || strcmp(S.last_printed, message)) say(message);
  free(S.last_printed);
  S.last_printed = copy(message);
  buf_reset(&S.to_daemon);
  state_fail_pending(&S.st, &S.to_client, message);
}

static void start_failed(const char *message) {
  free(S.last_failure);
  S.last_failure = copy(message);
  S.last_failure_at = now_ms();
  S.phase = IDLE;
  report(message);
}

/* ---- finding or starting a daemon (as src/home/starter.ts) ---- */

static void start_begin(void);

/* Opens the socket and sends the upgrade; false (with `error` filled) if the connection fails at once. */
static int link_open(const daemon_info *info, int after_start, char *error, size_t error_size) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(info->socket) >= sizeof addr.sun_path) {
    snprintf(error, error_size, "the socket path %s is too long", info->socket);
    return 0;
  }
  strcpy(addr.sun_path, info->socket);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    snprintf(error, error_size, "connect %s: %s", info->socket, strerror(errno));
    if (fd >= 0) close(fd);
    return 0;
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  S.fd = fd;
  S.link = UPGRADING;
  S.after_start = after_start;
  S.stopping = 0;
  buf_reset(&S.link_out);
  buf_reset(&S.link_head);
  split_clear(&S.from_daemon);
  buf_addf(&S.link_out, "GET /shim HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: mcplex-lines\r\nAuthorization: Bearer %s\r\n\r\n", info->token);
  write_daemon();
  return 1;
}

/* The live daemon did not answer (or there is none): start one, unless a start failed less than a second ago. */
static void after_live_failure(void) {
  if (S.last_failure && now_ms() - S.last_failure_at < START_RETRY_MS) {
    S.phase = IDLE;
    char *message = copy(S.last_failure);
    report(message);
    free(message);
    return;
  }
  start_begin();
}

/* Finds the live daemon and opens a connection to it, or starts one. */
static void connect_begin(void) {
  daemon_info info;
  char error[512];
  S.phase = HANDSHAKE;
  S.not_pid = 0;
  if (daemon_live(&S.paths, &info)) {
    S.not_pid = info.pid;
    int opened = link_open(&info, 0, error, sizeof error);
    daemon_info_free(&info);
    if (opened) return;
  }
  after_live_failure();
}

/* Reaps exited children (only daemons this shim spawned), noting the exit of the current attempt. */
static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid != S.child) continue;
    S.child_exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    S.child = 0;
  }
}

static void attempt(void) {
  S.out_offset = file_size(S.paths.daemon_out);
  S.child = daemon_spawn(&S.paths);
  S.child_exit = S.child > 0 ? -1 : 1;
  S.lost_at = 0;
}

/* One look at a start in progress: a live daemon (connect), a failed one (report), or wait. */
static void start_tick(void) {
  char error[512];
  for (;;) {
    daemon_info info;
    reap();
    if (daemon_live(&S.paths, &info)) {
      if (info.pid != S.not_pid) {
        S.phase = HANDSHAKE;
        int opened = link_open(&info, 1, error, sizeof error);
        daemon_info_free(&info);
        if (!opened) {
          buf m = {0};
          buf_addf(&m, "cannot reach the mcplex daemon: %s (see %s)", error, S.paths.log);
          buf_add(&m, "", 1);
          start_failed(m.p);
          free(m.p);
        }
        return;
      }
      daemon_info_free(&info);
    }
    if (S.child_exit > 0) {
      char *cause = daemon_failure_cause(S.paths.daemon_out, S.out_offset);
      buf m = {0};
      buf_addf(&m, "the mcplex daemon could not start: %s (details: %s)", cause, S.paths.daemon_out);
      buf_add(&m, "", 1);
      start_failed(m.p);
      free(m.p);
      free(cause);
      return;
    }
    long long now = now_ms();
    if (now > S.deadline) {
      buf m = {0};
      buf_addf(&m, "the mcplex daemon could not start: no daemon came up within %ds (details: %s)", DAEMON_WAIT_MS / 1000, S.paths.log);
      buf_add(&m, "", 1);
      start_failed(m.p);
      free(m.p);
      return;
    }
    if (S.child_exit == 0) { /* lost the lock race: the winner should come up; if it does not, try again */
      if (!S.lost_at) S.lost_at = now;
      if (now - S.lost_at > RACE_GRACE_MS) {
        attempt();
        continue;
      }
    }
    S.next_tick = now + TICK_MS;
    return;
  }
}

static void start_begin(void) {
  S.phase = STARTING;
  S.deadline = now_ms() + DAEMON_WAIT_MS;
  attempt();
  start_tick();
}

/* ---- the connection ---- */

static void link_down(void) {
  close(S.fd);
  S.fd = -1;
  S.link = DOWN;
  S.shut = 0;
}

/* The handshake failed: a live daemon that does not answer is replaced; a started one is reported. */
static void handshake_failed(const char *error) {
  link_down();
  if (!S.after_start) {
    S.follow = START;
    return;
  }
  buf m = {0};
  buf_addf(&m, "cannot reach the mcplex daemon: %s (see %s)", error, S.paths.log);
  buf_add(&m, "", 1);
  start_failed(m.p);
  free(m.p);
}

/* The connection ended (or failed during the handshake). */
static void connection_closed(const char *error) {
  if (S.link != OPEN) return handshake_failed(error ? error : "the daemon closed the connection during the handshake");
  link_down();
  buf_reset(&S.to_daemon); /* written to a connection that is gone: those requests fail below */
  state_lost(&S.st, &S.to_client);
  reap();
  /* A daemon that died is replaced at once; one that was stopped on purpose only when the client next speaks. */
  if (S.stdin_open && !S.stopping) {
    S.phase = HANDSHAKE;
    S.follow = CONNECT;
  }
}

/* The welcome: the session is open. Replayed handshake frames go first, then what the client sent meanwhile. */
static void welcomed(void) {
  S.link = OPEN;
  S.phase = IDLE;
  buf replay = {0};
  state_replay(&S.st, &replay);
  if (replay.len) {
    buf_add(&replay, S.to_daemon.p + S.to_daemon.off, buf_pending(&S.to_daemon));
    buf_reset(&S.to_daemon);
    free(S.to_daemon.p);
    S.to_daemon = replay;
  } else {
    free(replay.p);
  }
  free(S.last_failure);
  free(S.last_printed);
  S.last_failure = S.last_printed = NULL;
  if (!S.stdin_open) S.shut = 1;
  write_daemon();
}

/* The first line after the upgrade: welcome, or a refusal with its reason. */
static void welcome_line(const char *line, size_t n) {
  jmsg whole;
  span obj = {line, n}, kind, message;
  buf reason = {0};
  if (json_message(line, n, &whole) && json_member(obj, "mcplex", &kind)) {
    if (json_string_is(kind, "welcome")) return welcomed();
    if (json_string_is(kind, "refused") && json_member(obj, "message", &message)) json_unquote(message, &reason);
    if (json_string_is(kind, "refused")) {
      buf_add(&reason, "", 1);
      handshake_failed(reason.p);
      free(reason.p);
      return;
    }
  }
  handshake_failed("the daemon did not welcome this shim");
}

static void daemon_line(const char *line, size_t n) {
  if (S.link == AWAIT_WELCOME) return welcome_line(line, n);
  if (S.link != OPEN) return; /* the rest of a chunk from a connection that just failed */
  if (n == sizeof STOPPING_LINE - 1 && !memcmp(line, STOPPING_LINE, n)) {
    S.stopping = 1;
    return;
  }
  if (!state_from_daemon(&S.st, line, n)) return;
  buf_add(&S.to_client, line, n);
  buf_add(&S.to_client, "\n", 1);
}

static void daemon_oversize(size_t bytes, const char *head, size_t head_len) {
  if (S.link == DOWN) return;
  state_reject_oversize(&S.st, &S.to_client, bytes, head, head_len, MAX_BACKLOG);
}

/* The HTTP upgrade response: 101, then the hello goes out and lines begin. */
static void upgrade_response(const char *data, size_t n) {
  buf_add(&S.link_head, data, n);
  buf_add(&S.link_head, "", 1); /* a terminator for the searches below, not part of the response */
  S.link_head.len--;
  char *end = strstr(S.link_head.p, "\r\n\r\n");
  if (!end) {
    if (S.link_head.len > 8192 || memchr(S.link_head.p, 0, S.link_head.len)) handshake_failed("the daemon sent an invalid handshake");
    return;
  }
  size_t status_len = strcspn(S.link_head.p, "\r\n");
  if (status_len < 13 || strncmp(S.link_head.p, "HTTP/1.1 101 ", 13)) {
    buf m = {0};
    buf_adds(&m, "the daemon refused the shim: ");
    buf_add(&m, S.link_head.p + (strncmp(S.link_head.p, "HTTP/1.1 ", 9) ? 0 : 9), status_len - (strncmp(S.link_head.p, "HTTP/1.1 ", 9) ? 0 : 9));
    buf_add(&m, "", 1);
    handshake_failed(m.p);
    free(m.p);
    return;
  }
  S.link = AWAIT_WELCOME;
  buf_add(&S.link_out, S.hello.p, S.hello.len);
  size_t rest_at = (size_t)(end + 4 - S.link_head.p);
  buf rest = S.link_head;
  S.link_head = (buf){0};
  write_daemon();
  if (S.link == AWAIT_WELCOME && rest.len > rest_at) split_push(&S.from_daemon, rest.p + rest_at, rest.len - rest_at);
  free(rest.p);
}

static void read_daemon(void) {
  static char chunk[64 * 1024];
  ssize_t n = read(S.fd, chunk, sizeof chunk);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) return connection_closed(n < 0 ? strerror(errno) : NULL);
  if (S.link == UPGRADING) upgrade_response(chunk, (size_t)n);
  else if (S.link == DOWN) return;
  else split_push(&S.from_daemon, chunk, (size_t)n);
  write_client();
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
      *workspace = inline_value ? inline_value : i + 1 < argc ? argv[++i] : NULL;
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
