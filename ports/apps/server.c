/*
 * server.c - the loop every app shares, the C counterpart of
 * host-sim/apps/server.ts: accept, then per connection read while
 * readable, send what is queued until the ring is full, close when the app
 * is done, forget the connection once both sides have closed. A connection
 * that fails (reset, timeout, stale handle) is freed with tcp_close; one
 * idle too long is aborted.
 */
#include <string.h>

#include "embertcp.h"
#include "embertcp-rt.h"
#include "app.h"
#include "text.h"

const char* const apps_names[APP_COUNT] = {"echo", "discard", "chargen", "http"};
static const struct app_kind* const kinds[APP_COUNT] = {&app_echo, &app_discard, &app_chargen, &app_http};
static const char* const error_names[] = {"", "EINVAL", "ENOMEM", "EAGAIN", "ENOTCONN", "ECONNRESET",
                                          "ECONNREFUSED", "ETIMEDOUT", "EADDRINUSE", "ECLOSED", "ENODEV"};

static const char* error_name(int32_t e) { return (e < 0 && e >= -10) ? error_names[-e] : "error"; }

void app_event(struct apps* a, const char* kind, const char* text) {
  if (a->event) a->event(a->ctx, kind, text);
}

void app_queue(struct app_conn* c, const uint8_t* p, uint32_t n) {
  c->out = p;
  c->out_len = n;
  c->out_off = 0;
}

int app_drained(const struct app_conn* c) { return c->out_off >= c->out_len; }

int apps_parse(const char* list, uint32_t* mask, const char** bad) {
  *mask = 0;
  for (const char* p = list; *p;) {
    const char* end = p;
    while (*end && *end != ',') end++;
    uint32_t n = (uint32_t)(end - p), found = 0;
    for (uint32_t i = 0; i < APP_COUNT && n > 0; i++)
      if (strlen(apps_names[i]) == n && memcmp(apps_names[i], p, n) == 0) { *mask |= 1u << i; found = 1; }
    if (!found && n > 0) { *bad = p; return -1; }
    p = *end ? end + 1 : end;
  }
  return 0;
}

void apps_start(struct apps* a, uint32_t mask, uint32_t ip, uint32_t now_ms, apps_event_fn* event, void* ctx) {
  memset(a, 0, sizeof *a);
  a->enabled = mask;
  a->ip = ip;
  a->started_ms = a->now = now_ms;
  a->event = event;
  a->ctx = ctx;
  for (uint32_t i = 0; i < APP_COUNT; i++) {
    if (!(mask & (1u << i))) continue;
    char line[96];
    struct text t;
    text_init(&t, line, sizeof line);
    a->listener[i] = tcp_listen(kinds[i]->port, APPS_BACKLOG);
    text_str(&t, kinds[i]->name);
    if (a->listener[i] > 0) {
      text_str(&t, " listening on port ");
      text_u32(&t, kinds[i]->port);
      app_event(a, "app", line);
    } else {
      text_str(&t, ": cannot listen on port ");
      text_u32(&t, kinds[i]->port);
      text_str(&t, ": ");
      text_str(&t, error_name(a->listener[i]));
      app_event(a, "error", line);
    }
  }
}

/* "echo 10.0.0.1:40000 closed, 5 bytes in, 5 out" and its variants. */
static void conn_event(struct apps* a, const struct app_conn* c, const char* what, int32_t err) {
  char line[128];
  struct text t;
  text_init(&t, line, sizeof line);
  text_str(&t, kinds[c->app]->name);
  text_str(&t, " ");
  text_endpoint(&t, c->peer_ip, c->peer_port);
  text_str(&t, " ");
  text_str(&t, what);
  if (err < 0) { text_str(&t, " ("); text_str(&t, error_name(err)); text_str(&t, ")"); }
  text_str(&t, ", ");
  text_u32(&t, c->bytes_in);
  text_str(&t, " bytes in, ");
  text_u32(&t, c->bytes_out);
  text_str(&t, " out");
  app_event(a, "conn", line);
}

static void forget(struct apps* a, struct app_conn* c) {
  if (kinds[c->app]->on_free) kinds[c->app]->on_free(a, c);
  c->handle = 0;
}

/* A call failed: after our own close that just means the module finished it. */
static void conn_failed(struct apps* a, struct app_conn* c, int32_t err) {
  if (c->closed) a->finished[c->app]++; else a->failed[c->app]++;
  conn_event(a, c, c->closed ? "closed" : "failed", c->closed ? 0 : err);
  tcp_close(c->handle);
  forget(a, c);
}

static struct app_conn* free_conn(struct apps* a) {
  for (uint32_t i = 0; i < EMBERTCP_APP_CONNS; i++)
    if (a->conns[i].handle == 0) return &a->conns[i];
  return 0;
}

static void accepted(struct apps* a, uint32_t app, int32_t h, struct app_conn* c) {
  memset(c, 0, sizeof *c - sizeof c->buf);
  c->handle = h;
  c->app = (uint8_t)app;
  c->last_active = a->now;
  c->http.slot = -1;
  uint32_t sp = net_scratch();
  embertcp_status* st = (embertcp_status*)(void*)embertcp_mem(sp, sizeof(embertcp_status));
  if (st && tcp_status(h, sp) >= 0) {
    c->peer_ip = st->remote_ip;
    c->peer_port = st->remote_port;
  }
  a->accepted[app]++;
  char line[96];
  struct text t;
  text_init(&t, line, sizeof line);
  text_str(&t, kinds[app]->name);
  text_str(&t, " ");
  text_endpoint(&t, a->ip, kinds[app]->port);
  text_str(&t, " accepted ");
  text_endpoint(&t, c->peer_ip, c->peer_port);
  app_event(a, "conn", line);
}

/* Take every waiting connection while a slot is free (the rest wait in the accept queue). */
static int accept_all(struct apps* a) {
  int worked = 0;
  for (uint32_t i = 0; i < APP_COUNT; i++) {
    if (a->listener[i] <= 0) continue;
    struct app_conn* c;
    while ((c = free_conn(a)) != 0) {
      int32_t h = tcp_accept(a->listener[i]);
      if (h <= 0) break;
      accepted(a, i, h, c);
      worked = 1;
    }
  }
  return worked;
}

/* Read while there is data (echo: only once its output is sent). Returns <0 on error. */
static int32_t read_conn(struct apps* a, struct app_conn* c, uint32_t sp, uint8_t* s, uint32_t chunk, int* worked) {
  const struct app_kind* k = kinds[c->app];
  while (!c->peer_closed && (!k->backpressure || app_drained(c))) {
    int32_t n = tcp_recv(c->handle, sp, (int32_t)chunk);
    if (n == EMBERTCP_EAGAIN) break;
    if (n < 0) return n;
    *worked = 1;
    c->last_active = a->now;
    if (n == 0) {
      c->peer_closed = 1;
      if (k->on_peer_closed) k->on_peer_closed(a, c); else c->close_when_drained = 1;
      break;
    }
    c->bytes_in += (uint32_t)n;
    k->on_data(a, c, s, (uint32_t)n);
  }
  return 0;
}

/* Send what is queued, asking the app for more, until the ring is full. */
static int32_t send_conn(struct apps* a, struct app_conn* c, uint32_t sp, uint8_t* s, uint32_t chunk, int* worked) {
  const struct app_kind* k = kinds[c->app];
  for (int round = 0; round < 64; round++) {
    if (app_drained(c) && !c->close_when_drained && k->refill) k->refill(a, c);
    if (app_drained(c)) break;
    uint32_t n = c->out_len - c->out_off;
    if (n > chunk) n = chunk;
    memcpy(s, c->out + c->out_off, n);
    int32_t sent = tcp_send(c->handle, sp, (int32_t)n);
    if (sent < 0) return sent;
    if (sent == 0) break;
    *worked = 1;
    c->last_active = a->now;
    c->bytes_out += (uint32_t)sent;
    c->out_off += (uint32_t)sent;
  }
  return 0;
}

static int service_conn(struct apps* a, struct app_conn* c, uint32_t sp, uint8_t* s, uint32_t chunk) {
  int worked = 0;
  int32_t f = tcp_poll(c->handle);
  if (f < 0 || (f & EMBERTCP_POLL_ERROR)) { conn_failed(a, c, f < 0 ? f : EMBERTCP_ECONNRESET); return 1; }
  int32_t e = read_conn(a, c, sp, s, chunk, &worked);
  if (e == 0 && !c->closed && (f & EMBERTCP_POLL_ESTABLISHED)) e = send_conn(a, c, sp, s, chunk, &worked);
  if (e < 0) { conn_failed(a, c, e); return 1; }
  if (!c->closed && c->close_when_drained && app_drained(c)) {
    tcp_close(c->handle);
    c->closed = 1;
    worked = 1;
  }
  if (c->closed && c->peer_closed) {
    a->finished[c->app]++;
    conn_event(a, c, "closed", 0);
    forget(a, c);
    return 1;
  }
  if (a->now - c->last_active > kinds[c->app]->idle_ms) {
    conn_event(a, c, "aborted, idle", 0);
    tcp_abort(c->handle);
    a->failed[c->app]++;
    forget(a, c);
    return 1;
  }
  return worked;
}

int apps_accept(struct apps* a, uint32_t now_ms) {
  a->now = now_ms;
  return accept_all(a);
}

int apps_service(struct apps* a, uint32_t now_ms) {
  a->now = now_ms;
  uint32_t sp = net_scratch(), chunk = (uint32_t)net_scratch_size();
  if (chunk > EMBERTCP_APP_BUF) chunk = EMBERTCP_APP_BUF;
  uint8_t* s = embertcp_mem(sp, chunk);
  if (!s) return 0;
  int worked = accept_all(a);
  for (uint32_t i = 0; i < EMBERTCP_APP_CONNS; i++)
    if (a->conns[i].handle > 0 && service_conn(a, &a->conns[i], sp, s, chunk)) worked = 1;
  /* Slots freed above let waiting connections in. */
  if (worked) accept_all(a);
  return worked;
}

int32_t apps_wake(const struct apps* a, uint32_t now_ms) {
  int64_t best = -1;
  for (uint32_t i = 0; i < EMBERTCP_APP_CONNS; i++) {
    const struct app_conn* c = &a->conns[i];
    if (c->handle <= 0) continue;
    int64_t at = (int64_t)c->last_active + kinds[c->app]->idle_ms + 1;
    if (c->http.answered && (int64_t)c->http.linger_until < at) at = c->http.linger_until;
    int64_t d = at - (int64_t)now_ms;
    if (d < 0) d = 0;
    if (best < 0 || d < best) best = d;
  }
  return (int32_t)best;
}

void apps_stop(struct apps* a) {
  for (uint32_t i = 0; i < EMBERTCP_APP_CONNS; i++)
    if (a->conns[i].handle > 0) { tcp_abort(a->conns[i].handle); forget(a, &a->conns[i]); }
  for (uint32_t i = 0; i < APP_COUNT; i++)
    if (a->listener[i] > 0) tcp_abort(a->listener[i]);
}
