// Growable byte buffers (see buf.h).
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An empty buffer keeps at most this much memory; more is returned to the system. */
#define KEEP_BYTES (64 * 1024)

void die_oom(void) {
  static const char msg[] = "mcplex shim: out of memory\n";
  (void)!write(2, msg, sizeof msg - 1);
  _exit(1);
}

static void reserve(buf *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  if (b->off > 0 && b->off >= b->len / 2) { /* reclaim the consumed prefix before growing */
    memmove(b->p, b->p + b->off, b->len - b->off);
    b->len -= b->off;
    b->off = 0;
    if (b->len + extra <= b->cap) return;
  }
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) die_oom();
  b->p = p;
  b->cap = cap;
}

void buf_add(buf *b, const void *data, size_t n) {
  if (n == 0) return;
  reserve(b, n);
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

void buf_adds(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_addf(buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n <= 0) return;
  reserve(b, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void buf_consume(buf *b, size_t n) {
  b->off += n;
  if (b->off >= b->len) {
    b->off = 0;
    b->len = 0;
    if (b->cap > KEEP_BYTES) buf_reset(b);
  }
}

void buf_reset(buf *b) {
  b->len = 0;
  b->off = 0;
  if (b->cap > KEEP_BYTES) {
    free(b->p);
    b->p = NULL;
    b->cap = 0;
  }
}
