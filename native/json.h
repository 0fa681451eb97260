// A bounded JSON scanner: validates a text and finds top-level members without building values. The shim keeps
// the raw text of what it must remember (ids, params) and never re-serialises a message it relays.
#ifndef MCPLEX_JSON_H
#define MCPLEX_JSON_H

#include <stddef.h>

#include "buf.h"

/* A slice of raw JSON text. */
typedef struct {
  const char *p;
  size_t n;
} span;

/* The top-level members of a JSON-RPC message that the shim reads (raw; n == 0 when absent). */
typedef struct {
  span id, method, params;
} jmsg;

/* Containers nested deeper than this are treated as invalid (the message is relayed, just not remembered). */
#define JSON_MAX_DEPTH 4096

/* Skips one JSON value (after leading whitespace); returns the end of it, or NULL if the text is not valid JSON. */
const char *json_skip(const char *p, const char *end);
/* True if `text` is exactly one JSON object; fills the members id, method and params (the last one wins, as in
   JSON.parse). */
int json_message(const char *text, size_t n, jmsg *m);
/* Finds the member `name` of the object `obj` (validated before); true if found. */
int json_member(span obj, const char *name, span *value);
/* True if `s` is a JSON string literal whose decoded value equals `text`. */
int json_string_is(span s, const char *text);
/* Appends the decoded value of the JSON string literal `s` (UTF-8; invalid bytes as U+FFFD); false if invalid. */
int json_unquote(span s, buf *out);
/* Appends `n` bytes as a JSON string literal escaped as JSON.stringify does; invalid UTF-8 becomes U+FFFD. */
void json_quote(buf *out, const char *s, size_t n);
/* Appends bytes, replacing every invalid UTF-8 sequence with U+FFFD (as a UTF-8 decoder does). */
void utf8_clean(buf *out, const char *s, size_t n);

#endif
