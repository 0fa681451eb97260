// A growable byte buffer: lines being assembled, and write queues drained from `off` (a partial write moves an
// offset instead of copying).
#ifndef MCPLEX_BUF_H
#define MCPLEX_BUF_H

#include <stddef.h>

typedef struct {
  char *p;
  size_t len; /* bytes held */
  size_t cap; /* bytes allocated */
  size_t off; /* bytes already consumed (written out) */
} buf;

/* Appends n bytes. */
void buf_add(buf *b, const void *data, size_t n);
/* Appends a NUL-terminated string. */
void buf_adds(buf *b, const char *s);
/* Appends printf-formatted text. */
void buf_addf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes not yet consumed. */
static inline size_t buf_pending(const buf *b) { return b->len - b->off; }
/* Marks n more bytes as consumed; an emptied buffer starts over at offset 0. */
void buf_consume(buf *b, size_t n);
/* Empties the buffer, giving a large allocation back (a 16 MiB line must not stay resident while idle). */
void buf_reset(buf *b);
/* Exits with a message: the shim cannot go on without memory. */
void die_oom(void) __attribute__((noreturn));

#endif
