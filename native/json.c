// The JSON scanner (see json.h): one pass, no allocation, an explicit bit stack instead of recursion.
#include "json.h"

#include <stdlib.h>
#include <string.h>

static const char *ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

static int hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* p at the opening quote; returns the position after the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end) {
  for (p++; p < end; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '"') return p + 1;
    if (c < 0x20) return NULL;
    if (c != '\\') continue;
    if (++p >= end) return NULL;
    if (*p == 'u') {
      if (end - p < 5 || !hex(p[1]) || !hex(p[2]) || !hex(p[3]) || !hex(p[4])) return NULL;
      p += 4;
    } else if (!strchr("\"\\/bfnrt", *p) || *p == 0) {
      return NULL;
    }
  }
  return NULL;
}

static const char *digits(const char *p, const char *end) {
  const char *s = p;
  while (p < end && *p >= '0' && *p <= '9') p++;
  return p > s ? p : NULL;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static const char *skip_number(const char *p, const char *end) {
  if (p < end && *p == '-') p++;
  if (p < end && *p == '0') p++;
  else if (!(p = digits(p, end))) return NULL;
  if (p < end && *p == '.' && !(p = digits(p + 1, end))) return NULL;
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '+' || *p == '-')) p++;
    if (!(p = digits(p, end))) return NULL;
  }
  return p;
}

static const char *skip_word(const char *p, const char *end, const char *w) {
  size_t n = strlen(w);
  return (size_t)(end - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

/* After '{' or ',' in an object: the key and its colon. */
static const char *skip_key(const char *p, const char *end) {
  p = ws(p, end);
  if (p >= end || *p != '"' || !(p = skip_string(p, end))) return NULL;
  p = ws(p, end);
  return p < end && *p == ':' ? p + 1 : NULL;
}

const char *json_skip(const char *p, const char *end) {
  unsigned char objects[JSON_MAX_DEPTH / 8]; /* bit set: the open container at each depth is an object */
  int depth = 0;
  for (;;) {
    /* A value. */
    p = ws(p, end);
    if (p >= end) return NULL;
    if (*p == '{' || *p == '[') {
      int obj = *p == '{';
      if (depth == JSON_MAX_DEPTH) return NULL;
      if (obj) objects[depth / 8] |= (unsigned char)(1u << (depth % 8));
      else objects[depth / 8] &= (unsigned char)~(1u << (depth % 8));
      depth++;
      p = ws(p + 1, end);
      if (p < end && *p == (obj ? '}' : ']')) {
        p++;
        depth--;
      } else {
        if (obj && !(p = skip_key(p, end))) return NULL;
        continue;
      }
    } else if (*p == '"') p = skip_string(p, end);
    else if (*p == '-' || (*p >= '0' && *p <= '9')) p = skip_number(p, end);
    else if (*p == 't') p = skip_word(p, end, "true");
    else if (*p == 'f') p = skip_word(p, end, "false");
    else if (*p == 'n') p = skip_word(p, end, "null");
    else return NULL;
    if (!p) return NULL;
    /* After a value: close containers until one continues with a comma. */
    for (;;) {
      if (depth == 0) return p;
      int obj = (objects[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1;
      p = ws(p, end);
      if (p >= end) return NULL;
      if (*p == ',') {
        p++;
        if (obj && !(p = skip_key(p, end))) return NULL;
        break;
      }
      if (*p != (obj ? '}' : ']')) return NULL;
      p++;
      depth--;
    }
  }
}

/* Iterates the members of an object: *p starts just after '{'. Returns 1 with key and value, 0 at the end, -1 on
   invalid text. */
static int next_member(const char **p, const char *end, int first, span *key, span *value) {
  const char *q = ws(*p, end);
  if (q >= end) return -1;
  if (*q == '}') {
    *p = q + 1;
    return 0;
  }
  if (!first) {
    if (*q != ',') return -1;
    q = ws(q + 1, end);
  }
  if (q >= end || *q != '"') return -1;
  const char *k = q;
  if (!(q = skip_string(q, end))) return -1;
  *key = (span){k, (size_t)(q - k)};
  q = ws(q, end);
  if (q >= end || *q != ':') return -1;
  const char *v = ws(q + 1, end);
  if (!(q = json_skip(v, end))) return -1;
  *value = (span){v, (size_t)(q - v)};
  *p = q;
  return 1;
}

int json_message(const char *text, size_t n, jmsg *m) {
  const char *end = text + n, *p = ws(text, end);
  memset(m, 0, sizeof *m);
  if (p >= end || *p != '{') return 0;
  p++;
  span key, value;
  int r, first = 1;
  while ((r = next_member(&p, end, first, &key, &value)) == 1) {
    first = 0;
    if (json_string_is(key, "id")) m->id = value;
    else if (json_string_is(key, "method")) m->method = value;
    else if (json_string_is(key, "params")) m->params = value;
  }
  return r == 0 && ws(p, end) == end;
}

int json_member(span obj, const char *name, span *value) {
  const char *p = ws(obj.p, obj.p + obj.n), *end = obj.p + obj.n;
  if (p >= end || *p != '{') return 0;
  p++;
  span key, v;
  int found = 0, first = 1;
  while (next_member(&p, end, first, &key, &v) == 1) {
    first = 0;
    if (json_string_is(key, name)) {
      *value = v;
      found = 1;
    }
  }
  return found;
}

int json_string_is(span s, const char *text) {
  size_t n = strlen(text);
  if (s.n < 2 || s.p[0] != '"') return 0;
  if (s.n == n + 2 && memcmp(s.p + 1, text, n) == 0) return 1; /* the common case: no escapes */
  if (!memchr(s.p, '\\', s.n)) return 0;
  buf b = {0};
  int same = json_unquote(s, &b) && b.len == n && memcmp(b.p, text, n) == 0;
  free(b.p);
  return same;
}

static unsigned hexval(const char *p) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) v = v * 16 + (unsigned)(p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
  return v;
}

/* Appends a code point as UTF-8 (a lone surrogate as its three-byte form, as WTF-8 does). */
static void put_utf8(buf *out, unsigned cp) {
  char b[4];
  size_t n;
  if (cp < 0x80) b[0] = (char)cp, n = 1;
  else if (cp < 0x800) b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  else if (cp < 0x10000) b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  else b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)), b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
  buf_add(out, b, n);
}

int json_unquote(span s, buf *out) {
  if (s.n < 2 || s.p[0] != '"' || skip_string(s.p, s.p + s.n) != s.p + s.n) return 0;
  const char *p = s.p + 1, *end = s.p + s.n - 1;
  while (p < end) {
    const char *run = p;
    while (p < end && *p != '\\') p++;
    utf8_clean(out, run, (size_t)(p - run));
    if (p >= end) break;
    char c = p[1];
    if (c == 'u') {
      unsigned cp = hexval(p + 2);
      p += 6;
      if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
        unsigned lo = hexval(p + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          p += 6;
        }
      }
      put_utf8(out, cp);
      continue;
    }
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    buf_add(out, &to[strchr(from, c) - from], 1);
    p += 2;
  }
  return 1;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid; *bad gets the length of its maximal valid
   prefix (what a decoder replaces with one U+FFFD). */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end, size_t *bad) {
  unsigned char c = p[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) need = 1;
  else if (c >= 0xE0 && c <= 0xEF) need = 2, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) need = 3, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else {
    *bad = 1;
    return 0;
  }
  for (size_t i = 1; i <= need; i++) {
    if (p + i >= end || p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xBF)) {
      *bad = i;
      return 0;
    }
  }
  return need + 1;
}

static const char REPLACEMENT[] = "\xEF\xBF\xBD";

void utf8_clean(buf *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
  while (p < end) {
    if (*p < 0x80) {
      p++;
      continue;
    }
    size_t bad, len = utf8_seq(p, end, &bad);
    if (len) {
      p += len;
      continue;
    }
    buf_add(out, run, (size_t)(p - run));
    buf_add(out, REPLACEMENT, 3);
    p += bad;
    run = p;
  }
  buf_add(out, run, (size_t)(p - run));
}

void json_quote(buf *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
  buf_add(out, "\"", 1);
  while (p < end) {
    unsigned char c = *p;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      p++;
      continue;
    }
    size_t bad = 0, len = c < 0x80 ? 1 : utf8_seq(p, end, &bad);
    if (c >= 0x80 && len) { /* valid multi-byte: kept as is */
      p += len;
      continue;
    }
    buf_add(out, run, (size_t)(p - run));
    if (c >= 0x80) buf_add(out, REPLACEMENT, 3), p += bad;
    else {
      if (c == '"') buf_adds(out, "\\\"");
      else if (c == '\\') buf_adds(out, "\\\\");
      else if (c == '\b') buf_adds(out, "\\b");
      else if (c == '\f') buf_adds(out, "\\f");
      else if (c == '\n') buf_adds(out, "\\n");
      else if (c == '\r') buf_adds(out, "\\r");
      else if (c == '\t') buf_adds(out, "\\t");
      else buf_addf(out, "\\u%04x", c);
      p++;
    }
    run = p;
  }
  buf_add(out, run, (size_t)(p - run));
  buf_add(out, "\"", 1);
}
