// MCPLEX_HOME, daemon.json, process identity and daemon start (see home.h).
#include "home.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#include "buf.h"
#include "json.h"

#ifndef MCPLEX_NODE
#define MCPLEX_NODE "node"
#endif

static char *dup_or_die(const char *s) {
  char *d = strdup(s);
  if (!d) die_oom();
  return d;
}

static char *join(const char *a, const char *b) {
  buf out = {0};
  buf_adds(&out, a);
  if (out.len == 0 || out.p[out.len - 1] != '/') buf_add(&out, "/", 1);
  buf_adds(&out, b);
  buf_add(&out, "", 1);
  return out.p;
}

/* An absolute path with ".", ".." and repeated or trailing slashes removed (as Node's path.resolve). */
static char *normalize(const char *path) {
  buf in = {0}, out = {0};
  if (path[0] != '/') {
    char cwd[PATH_MAX];
    buf_adds(&in, getcwd(cwd, sizeof cwd) ? cwd : "/");
    buf_add(&in, "/", 1);
  }
  buf_adds(&in, path);
  buf_add(&in, "", 1);
  for (char *seg = strtok(in.p, "/"); seg; seg = strtok(NULL, "/")) {
    if (!strcmp(seg, ".")) continue;
    if (!strcmp(seg, "..")) {
      while (out.len > 0 && out.p[out.len - 1] != '/') out.len--;
      if (out.len > 0) out.len--;
      continue;
    }
    buf_add(&out, "/", 1);
    buf_adds(&out, seg);
  }
  if (out.len == 0) buf_add(&out, "/", 1);
  buf_add(&out, "", 1);
  free(in.p);
  return out.p;
}

void home_paths_init(home_paths *paths) {
  const char *env = getenv("MCPLEX_HOME");
  char *home;
  if (env && *env) home = normalize(env);
  else {
    const char *user = getenv("HOME");
    struct passwd *pw = (user && *user) ? NULL : getpwuid(getuid());
    char *dir = join(user && *user ? user : pw ? pw->pw_dir : "/", ".mcplex");
    home = normalize(dir);
    free(dir);
  }
  paths->home = home;
  paths->daemon_json = join(home, "daemon.json");
  paths->logs = join(home, "logs");
  paths->log = join(paths->logs, "mcplex.log");
  paths->daemon_out = join(paths->logs, "daemon.out");
}

/* Reads a whole small file (NUL-terminated); NULL if absent or larger than `max`. */
static char *slurp(const char *file, size_t max, size_t *len) {
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  buf b = {0};
  char chunk[4096];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0 && b.len <= max) buf_add(&b, chunk, (size_t)n);
  close(fd);
  if (n < 0 || b.len > max) {
    free(b.p);
    return NULL;
  }
  if (len) *len = b.len;
  buf_add(&b, "", 1);
  return b.p;
}

/* The decoded string member `name` of a JSON object, or NULL. */
static char *string_member(span obj, const char *name) {
  span v;
  buf b = {0};
  if (!json_member(obj, name, &v) || v.p[0] != '"' || !json_unquote(v, &b)) {
    free(b.p);
    return NULL;
  }
  buf_add(&b, "", 1);
  return b.p;
}

/* daemon.json with the shape the daemon writes (pid a number, socket and token strings); false otherwise. */
static int daemon_read(const char *file, daemon_info *info) {
  size_t n;
  char *text = slurp(file, 1 << 20, &n);
  jmsg whole;
  memset(info, 0, sizeof *info);
  if (!text || !json_message(text, n, &whole)) {
    free(text);
    return 0;
  }
  span obj = {text, n}, pid;
  if (json_member(obj, "pid", &pid) && (pid.p[0] == '-' || (pid.p[0] >= '0' && pid.p[0] <= '9'))) {
    double d = strtod(pid.p, NULL);
    info->pid = d > 0 && d < (double)INT_MAX && d == (double)(long)d ? (long)d : -1;
    info->identity = string_member(obj, "identity");
    info->socket = string_member(obj, "socket");
    info->token = string_member(obj, "token");
  }
  free(text);
  if (info->pid != 0 && info->socket && info->token) return 1;
  daemon_info_free(info);
  return 0;
}

void daemon_info_free(daemon_info *info) {
  free(info->identity);
  free(info->socket);
  free(info->token);
  memset(info, 0, sizeof *info);
}

/* True if the process exists and is not a zombie. */
static int process_alive(long pid) {
  if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno != EPERM)) return 0;
#ifdef __linux__
  char file[64], *stat = NULL;
  snprintf(file, sizeof file, "/proc/%ld/stat", pid);
  if ((stat = slurp(file, 1 << 16, NULL))) {
    char *paren = strrchr(stat, ')');
    int zombie = paren && paren[1] && (paren[2] == 'Z' || paren[2] == 'X');
    free(stat);
    return !zombie;
  }
#endif
  return 1;
}

/* What identifies a running process beyond its pid (as src/supervisor/process-info.ts): on Linux the boot id and
   the start time (field 22 of /proc/PID/stat); elsewhere the start time `ps` reports. NULL when it is gone. */
static char *process_identity(long pid) {
  buf id = {0};
#ifdef __linux__
  char file[64];
  snprintf(file, sizeof file, "/proc/%ld/stat", pid);
  char *stat = slurp(file, 1 << 16, NULL), *boot = slurp("/proc/sys/kernel/random/boot_id", 256, NULL);
  char *p = stat ? strrchr(stat, ')') : NULL;
  if (p && boot) {
    p += 2; /* the state field; the start time is 19 fields further */
    for (int field = 0; field < 19 && p; field++) p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
    if (p) {
      boot[strcspn(boot, " \t\r\n")] = 0;
      buf_addf(&id, "linux:%s:%.*s", boot, (int)strcspn(p, " "), p);
    }
  }
  free(stat);
  free(boot);
#else
  char cmd[64], line[256];
  snprintf(cmd, sizeof cmd, "ps -o lstart= -p %ld 2>/dev/null", pid);
  FILE *ps = popen(cmd, "r");
  if (ps && fgets(line, sizeof line, ps)) {
    char *s = line, *e = line + strlen(line);
    while (*s == ' ' || *s == '\t') s++;
    while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    if (e > s) buf_addf(&id, "ps:%.*s", (int)(e - s), s);
  }
  if (ps) pclose(ps);
#endif
  if (!id.len) return NULL;
  buf_add(&id, "", 1);
  return id.p;
}

int daemon_live(const home_paths *paths, daemon_info *info) {
  if (!daemon_read(paths->daemon_json, info)) return 0;
  char *now = info->identity && process_alive(info->pid) ? process_identity(info->pid) : NULL;
  int same = now && !strcmp(now, info->identity);
  free(now);
  if (!same) daemon_info_free(info);
  return same;
}

long file_size(const char *file) {
  struct stat st;
  return stat(file, &st) == 0 ? (long)st.st_size : 0;
}

/* The CLI entry next to this binary: <dir of the executable>/../bin/mcplex.js. */
static char *cli_path(void) {
  char exe[PATH_MAX] = "", real[PATH_MAX];
#ifdef __APPLE__
  uint32_t size = sizeof exe;
  if (_NSGetExecutablePath(exe, &size) != 0) exe[0] = 0;
#else
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = 0;
#endif
  const char *self = realpath(exe, real) ? real : exe;
  buf b = {0};
  buf_adds(&b, self);
  buf_adds(&b, "/../../bin/mcplex.js");
  buf_add(&b, "", 1);
  char *path = normalize(b.p);
  free(b.p);
  return path;
}

/* The node that built this shim, else the first `node` on PATH, else the built-in name (exec then says why). */
static char *node_path(void) {
  if (access(MCPLEX_NODE, X_OK) == 0) return dup_or_die(MCPLEX_NODE);
  const char *path = getenv("PATH");
  char *dirs = dup_or_die(path ? path : ""), *found = NULL;
  for (char *d = strtok(dirs, ":"); d && !found; d = strtok(NULL, ":")) {
    char *candidate = join(d, "node");
    if (access(candidate, X_OK) == 0) found = candidate;
    else free(candidate);
  }
  free(dirs);
  return found ? found : dup_or_die(MCPLEX_NODE);
}

/* mkdir -p with mode 0700 for what it creates. */
static void make_dirs(const char *dir) {
  char *d = dup_or_die(dir);
  for (char *p = d + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    mkdir(d, 0700);
    *p = '/';
  }
  mkdir(d, 0700);
  free(d);
}

pid_t daemon_spawn(const home_paths *paths) {
  make_dirs(paths->logs);
  int out = open(paths->daemon_out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (out < 0) return -1;
  char *node = node_path(), *cli = cli_path();
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    setsid();
    dup2(devnull, 0);
    dup2(out, 1);
    dup2(out, 2);
    /* As DAEMON_ENV in src/home/starter.ts: large buffers in their own mappings, returned when freed. */
    setenv("MALLOC_MMAP_THRESHOLD_", "131072", 0);
    char *argv[] = {node, "--max-semi-space-size=2", cli, "serve", "--detached", NULL};
    execv(node, argv);
    dprintf(2, "mcplex: cannot run %s to start the daemon: %s\n", node, strerror(errno));
    _exit(127);
  }
  close(out);
  free(node);
  free(cli);
  return pid;
}

char *daemon_failure_cause(const char *file, long offset) {
  buf text = {0};
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    long size = file_size(file), want = size - offset;
    if (want > 64 * 1024) want = 64 * 1024;
    if (want > 0 && lseek(fd, size - want, SEEK_SET) >= 0) {
      char chunk[4096];
      ssize_t n;
      while (text.len < (size_t)want && (n = read(fd, chunk, sizeof chunk)) > 0) buf_add(&text, chunk, (size_t)n);
    }
    close(fd);
  }
  buf_add(&text, "", 1);
  /* Trimmed non-empty lines; the daemon's own `mcplex: ` line wins, else the last three joined. */
  char *lines[3] = {0};
  char *own = NULL;
  for (char *line = strtok(text.p, "\n"); line; line = strtok(NULL, "\n")) {
    while (*line == ' ' || *line == '\t' || *line == '\r') line++;
    char *e = line + strlen(line);
    while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = 0;
    if (!*line) continue;
    if (!own && !strncmp(line, "mcplex: ", 8)) own = line + 8;
    lines[0] = lines[1], lines[1] = lines[2], lines[2] = line;
  }
  buf cause = {0};
  if (own) buf_adds(&cause, own);
  for (int i = 0; i < 3 && !own; i++) {
    if (!lines[i]) continue;
    if (cause.len) buf_adds(&cause, " | ");
    buf_adds(&cause, lines[i]);
  }
  if (!cause.len) buf_adds(&cause, "it exited without saying why");
  buf_add(&cause, "", 1);
  free(text.p);
  return cause.p;
}
