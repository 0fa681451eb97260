// MCPLEX_HOME as the shim sees it (the native twin of src/home/*): where daemon.json and the logs are, whether the
// daemon it names is alive and is that very process, and how to start one.
#ifndef MCPLEX_HOME_H
#define MCPLEX_HOME_H

#include <sys/types.h>

typedef struct {
  char *home;        /* MCPLEX_HOME, absolute and normalised (default ~/.mcplex) */
  char *daemon_json; /* daemon.json */
  char *logs;        /* logs/ */
  char *log;         /* logs/mcplex.log */
  char *daemon_out;  /* logs/daemon.out: what a starting daemon prints */
} home_paths;

/* daemon.json: the fields the shim uses. */
typedef struct {
  long pid;
  char *identity, *socket, *token;
} daemon_info;

/* Resolves the paths from the environment (MCPLEX_HOME, else $HOME/.mcplex). */
void home_paths_init(home_paths *paths);
/* Reads daemon.json; true only if it names a live daemon (its pid alive and its identity the recorded one). */
int daemon_live(const home_paths *paths, daemon_info *info);
/* Frees what daemon_live filled. */
void daemon_info_free(daemon_info *info);
/* Spawns `node --max-semi-space-size=2 <cli> serve --detached` in its own session, output appended to
   daemon.out; returns its pid, or -1. */
pid_t daemon_spawn(const home_paths *paths);
/* Size of a file, 0 if absent. */
long file_size(const char *file);
/* What a failed daemon wrote to daemon.out after `offset`: its own `mcplex: ` line, or its last lines (malloc'd). */
char *daemon_failure_cause(const char *file, long offset);

#endif
