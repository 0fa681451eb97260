// Finding or starting the daemon (as src/home/starter.ts) and the connection to it (as src/shim/daemon-socket.ts):
// the upgrade with the daemon token, the hello, the welcome, then the daemon's lines; a lost connection fails the
// requests in flight, and a daemon that cannot start is reported to the client at once.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "relay.h"

#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 0 /* set with fcntl below */
#endif

#define START_RETRY_MS 1000  /* a failed daemon start is not retried sooner */
#define DAEMON_WAIT_MS 30000 /* how long a started daemon has to come up */
#define RACE_GRACE_MS 2000   /* a start that lost the lock race waits this long for the winner */
#define TICK_MS 50           /* how often a start in progress looks at daemon.json */
#define STOPPING_LINE "{\"mcplex\":\"stopping\"}"

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
void after_live_failure(void) {
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
void connect_begin(void) {
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
void start_tick(void) {
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
void connection_closed(const char *error) {
  if (S.link != OPEN) return handshake_failed(error ? error : "the daemon closed the connection during the handshake");
  link_down();
  buf_reset(&S.to_daemon); /* written to a connection that is gone: those requests fail below */
  state_lost(&S.st, &S.to_client, !S.stdin_open);
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

void daemon_line(const char *line, size_t n) {
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

void daemon_oversize(size_t bytes, const char *head, size_t head_len) {
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

void read_daemon(void) {
  static char chunk[64 * 1024];
  ssize_t n = read(S.fd, chunk, sizeof chunk);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) return connection_closed(n < 0 ? strerror(errno) : NULL);
  if (S.link == UPGRADING) upgrade_response(chunk, (size_t)n);
  else if (S.link == DOWN) return;
  else split_push(&S.from_daemon, chunk, (size_t)n);
  write_client();
}
