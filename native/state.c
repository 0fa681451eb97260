// The shim's memory of its client (see state.h). Everything kept is raw JSON text from the client's own frames.
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define REPLAY_PREFIX "mcplex-replay-"
#define LOST_MESSAGE "mcplex daemon connection lost while this request was in flight; retry it (the shim is reconnecting)"
#define CLIENT_GONE_MESSAGE "the mcplex session ended while this request was in flight: the client had closed its input"

/* The identity of an id as JSON.parse sees it: "s" + the decoded string, "n" + the number, "o" + raw text. */
static int id_key(span id, buf *key) {
  key->len = 0;
  if (id.n == 0 || (id.n == 4 && memcmp(id.p, "null", 4) == 0)) return 0;
  if (id.p[0] == '"') {
    buf_add(key, "s", 1);
    return json_unquote(id, key);
  }
  if (id.p[0] == '-' || (id.p[0] >= '0' && id.p[0] <= '9')) {
    char num[64];
    if (id.n < sizeof num) {
      memcpy(num, id.p, id.n);
      num[id.n] = 0;
      double d = strtod(num, NULL);
      buf_addf(key, "n%.17g", d == 0 ? 0.0 : d);
      return 1;
    }
  }
  buf_add(key, "o", 1);
  buf_add(key, id.p, id.n);
  return 1;
}

/* JavaScript truthiness of a raw member (absent, null, false, 0 and "" are falsy). */
static int truthy(span v) {
  if (v.n == 0) return 0;
  if ((v.n == 4 && !memcmp(v.p, "null", 4)) || (v.n == 5 && !memcmp(v.p, "false", 5)) || (v.n == 2 && !memcmp(v.p, "\"\"", 2))) return 0;
  if (v.p[0] == '-' || (v.p[0] >= '0' && v.p[0] <= '9')) return strtod(v.p, NULL) != 0;
  return 1;
}

static void set_raw(buf *b, span v) {
  b->len = 0;
  utf8_clean(b, v.p, v.n);
}

static void add_pending(shim_state *s, span id) {
  buf key = {0};
  if (!id_key(id, &key)) {
    free(key.p);
    return;
  }
  for (size_t i = 0; i < s->npend; i++) {
    if (s->pend[i].key.len == key.len && !memcmp(s->pend[i].key.p, key.p, key.len)) {
      set_raw(&s->pend[i].id, id); /* a reused id: the newest request is the one answered */
      free(key.p);
      return;
    }
  }
  if (s->npend == s->cappend) {
    s->cappend = s->cappend ? s->cappend * 2 : 8;
    s->pend = realloc(s->pend, s->cappend * sizeof *s->pend);
    if (!s->pend) die_oom();
  }
  pending *p = &s->pend[s->npend++];
  p->key = key;
  p->id = (buf){0};
  set_raw(&p->id, id);
}

static void remove_pending(shim_state *s, span id) {
  buf key = {0};
  if (id_key(id, &key)) {
    for (size_t i = 0; i < s->npend; i++) {
      if (s->pend[i].key.len != key.len || memcmp(s->pend[i].key.p, key.p, key.len)) continue;
      free(s->pend[i].key.p);
      free(s->pend[i].id.p);
      s->pend[i] = s->pend[--s->npend];
      break;
    }
  }
  free(key.p);
}

/* resources/subscribe and unsubscribe: the set of URIs, kept in subscription order. */
static void subscription(shim_state *s, span params, int add) {
  span uri;
  buf text = {0};
  if (!json_member(params, "uri", &uri) || uri.p[0] != '"' || !json_unquote(uri, &text)) {
    free(text.p);
    return;
  }
  for (size_t i = 0; i < s->nsubs; i++) {
    if (s->subs[i].len != text.len || memcmp(s->subs[i].p, text.p, text.len)) continue;
    free(text.p);
    if (!add) {
      free(s->subs[i].p);
      memmove(&s->subs[i], &s->subs[i + 1], (s->nsubs - i - 1) * sizeof *s->subs);
      s->nsubs--;
    }
    return;
  }
  if (!add) {
    free(text.p);
    return;
  }
  if (s->nsubs == s->capsubs) {
    s->capsubs = s->capsubs ? s->capsubs * 2 : 4;
    s->subs = realloc(s->subs, s->capsubs * sizeof *s->subs);
    if (!s->subs) die_oom();
  }
  s->subs[s->nsubs++] = text;
}

void state_from_client(shim_state *s, const char *line, size_t n) {
  jmsg m;
  if (!json_message(line, n, &m)) return;
  /* Only a valid id (a string or a number) is pending: the daemon answers any other at once, under a null id. */
  if (truthy(m.method) && m.id.n && (m.id.p[0] == '"' || m.id.p[0] == '-' || (m.id.p[0] >= '0' && m.id.p[0] <= '9'))) {
    add_pending(s, m.id);
    if (json_string_is(m.method, "initialize")) {
      s->has_init = m.params.n > 0;
      set_raw(&s->init_params, m.params);
    } else if (json_string_is(m.method, "logging/setLevel")) {
      s->has_level = m.params.n > 0;
      set_raw(&s->level_params, m.params);
    } else if (json_string_is(m.method, "resources/subscribe")) {
      subscription(s, m.params, 1);
    } else if (json_string_is(m.method, "resources/unsubscribe")) {
      subscription(s, m.params, 0);
    }
  } else if (json_string_is(m.method, "notifications/initialized")) {
    s->initialized = 1;
  }
}

static int starts(const char *line, size_t n, const char *prefix) {
  size_t k = strlen(prefix);
  return n >= k && memcmp(line, prefix, k) == 0;
}

/* The id of a response in the daemon's own key order ({"jsonrpc":"2.0","id":…,"result"|"error"), read without
   scanning the body; 0 if the line does not start that way. */
static int fast_response_id(const char *line, size_t n, span *id) {
  static const char head[] = "{\"jsonrpc\":\"2.0\",\"id\":";
  if (!starts(line, n, head)) return 0;
  const char *p = line + sizeof head - 1, *end = line + n, *q = p;
  if (q < end && *q == '"') {
    for (q++; q < end && *q != '"'; q++)
      if (*q == '\\' && ++q >= end) return 0;
    if (q >= end) return 0;
    q++;
  } else {
    if (q < end && *q == '-') q++;
    const char *d = q;
    while (q < end && *q >= '0' && *q <= '9') q++;
    if (q == d) return 0;
  }
  *id = (span){p, (size_t)(q - p)};
  return starts(q, (size_t)(end - q), ",\"result\"") || starts(q, (size_t)(end - q), ",\"error\"");
}

int state_from_daemon(shim_state *s, const char *line, size_t n) {
  span id = {0};
  if (!fast_response_id(line, n, &id)) {
    if (starts(line, n, "{\"jsonrpc\":\"2.0\",\"method\"") || starts(line, n, "{\"jsonrpc\":\"2.0\",\"id\":")) return 1;
    jmsg m; /* not in the daemon's own key order: scan it */
    if (!json_message(line, n, &m) || truthy(m.method) || !m.id.n) return 1;
    id = m.id;
  }
  if (id.n > sizeof REPLAY_PREFIX && starts(id.p, id.n, "\"" REPLAY_PREFIX)) return 0;
  if (s->npend) remove_pending(s, id);
  return 1;
}

void state_fail_pending(shim_state *s, buf *out, const char *message) {
  for (size_t i = 0; i < s->npend; i++) {
    buf_adds(out, "{\"jsonrpc\":\"2.0\",\"id\":");
    buf_add(out, s->pend[i].id.p, s->pend[i].id.len);
    buf_adds(out, ",\"error\":{\"code\":-32000,\"message\":");
    json_quote(out, message, strlen(message));
    buf_adds(out, "}}\n");
    free(s->pend[i].key.p);
    free(s->pend[i].id.p);
  }
  s->npend = 0;
}

void state_lost(shim_state *s, buf *out, int client_gone) {
  s->lost = 1;
  state_fail_pending(s, out, client_gone ? CLIENT_GONE_MESSAGE : LOST_MESSAGE);
}

static void replay_request(shim_state *s, buf *to, const char *method) {
  buf_addf(to, "{\"jsonrpc\":\"2.0\",\"id\":\"" REPLAY_PREFIX "%lu\",\"method\":\"%s\",\"params\":", ++s->replay_seq, method);
}

void state_replay(shim_state *s, buf *to) {
  if (!s->lost || !s->has_init) return;
  s->lost = 0;
  replay_request(s, to, "initialize");
  buf_add(to, s->init_params.p, s->init_params.len);
  buf_adds(to, "}\n");
  if (s->initialized) buf_adds(to, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
  if (s->has_level) {
    replay_request(s, to, "logging/setLevel");
    buf_add(to, s->level_params.p, s->level_params.len);
    buf_adds(to, "}\n");
  }
  for (size_t i = 0; i < s->nsubs; i++) {
    replay_request(s, to, "resources/subscribe");
    buf_adds(to, "{\"uri\":");
    json_quote(to, s->subs[i].p, s->subs[i].len);
    buf_adds(to, "}}\n");
  }
}

static int space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* The id in the first bytes of a dropped line: the first `"id"\s*:\s*("…"|-?\d+)` that is valid JSON. */
static int id_from_head(const char *h, size_t n, span *id) {
  for (size_t i = 0; i + 4 <= n; i++) {
    if (memcmp(h + i, "\"id\"", 4)) continue;
    size_t j = i + 4;
    while (j < n && space(h[j])) j++;
    if (j >= n || h[j] != ':') continue;
    for (j++; j < n && space(h[j]); j++) {}
    size_t k = j;
    if (k < n && h[k] == '"') {
      for (k++; k < n && h[k] != '"'; k++)
        if (h[k] == '\\' && (++k >= n || h[k] == '\n' || h[k] == '\r')) break;
      if (k >= n || h[k] != '"') continue;
      k++;
    } else {
      if (k < n && h[k] == '-') k++;
      size_t d = k;
      while (k < n && h[k] >= '0' && h[k] <= '9') k++;
      if (k == d) continue;
    }
    *id = (span){h + j, k - j};
    return json_skip(id->p, id->p + id->n) == id->p + id->n; /* JSON.parse of the match, as the Node shim does */
  }
  return 0;
}

void state_reject_oversize(shim_state *s, buf *out, size_t bytes, const char *head, size_t head_len, size_t limit) {
  span id;
  int found = id_from_head(head, head_len, &id);
  if (found && s->npend) remove_pending(s, id);
  buf_adds(out, "{\"jsonrpc\":\"2.0\",\"id\":");
  if (found) utf8_clean(out, id.p, id.n);
  else buf_adds(out, "null");
  buf_addf(out, ",\"error\":{\"code\":-32600,\"message\":\"message of %zu bytes exceeds the %zu MiB frame limit; it was dropped\"}}\n", bytes, limit / 1048576);
}
