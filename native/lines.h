// Newline-delimited framing with a cap (the native twin of src/protocol/lines.ts): a longer line is dropped and
// reported with its first bytes, never buffered whole.
#ifndef MCPLEX_LINES_H
#define MCPLEX_LINES_H

#include <stddef.h>

#include "buf.h"

/* What is kept of a dropped line, to answer it under its id. */
#define HEAD_BYTES 256

/* Splits a byte stream into lines (without their CR; blank lines skipped), dropping any longer than `max`. */
typedef struct {
  buf line;
  size_t max, skipped;
  int skipping;
  char head[HEAD_BYTES];
  size_t head_len;
  void (*on_line)(const char *line, size_t n);
  void (*on_oversize)(size_t bytes, const char *head, size_t head_len);
} splitter;

/* Feeds bytes; whole lines go to on_line as they complete (straight from `data` when a line fits in it). */
void split_push(splitter *sp, const char *data, size_t n);
/* Forgets a partial line (a new connection starts clean). */
void split_clear(splitter *sp);

#endif
