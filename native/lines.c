// Line splitting with a cap (see lines.h).
#include "lines.h"

#include <string.h>

static void deliver(splitter *sp, const char *p, size_t n) {
  if (n && p[n - 1] == '\r') n--;
  for (size_t i = 0; i < n; i++) {
    if (p[i] != ' ' && (p[i] < '\t' || p[i] > '\r')) {
      sp->on_line(p, n);
      return;
    }
  }
}

void split_push(splitter *sp, const char *data, size_t n) {
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

void split_clear(splitter *sp) {
  buf_reset(&sp->line);
  sp->skipping = 0;
}
