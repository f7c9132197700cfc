/*
 * app.h - what the server loop (server.c) asks of each app, and the few
 * helpers apps share. Internal to ports/apps.
 */
#ifndef EMBERTCP_APPS_APP_H
#define EMBERTCP_APPS_APP_H

#include "apps.h"

struct app_kind {
  const char* name;
  uint16_t port;
  uint32_t idle_ms;        /* abort a connection quiet for this long */
  uint8_t backpressure;    /* read only once the output is sent (echo: the window closes) */
  void (*on_data)(struct apps* a, struct app_conn* c, const uint8_t* data, uint32_t n);
  /* Output sent and room in the ring: queue more (may be NULL). */
  void (*refill)(struct apps* a, struct app_conn* c);
  /* The peer's FIN arrived (NULL: close once the output is sent). */
  void (*on_peer_closed)(struct apps* a, struct app_conn* c);
  /* The connection is being forgotten (may be NULL). */
  void (*on_free)(struct apps* a, struct app_conn* c);
};

extern const struct app_kind app_echo, app_discard, app_chargen, app_http;

/* Queue `n` bytes at `p` (which must stay valid until sent) on `c`. */
void app_queue(struct app_conn* c, const uint8_t* p, uint32_t n);
/* Whether everything queued on `c` has gone to tcp_send. */
int app_drained(const struct app_conn* c);
/* The shared event line: kind plus text. */
void app_event(struct apps* a, const char* kind, const char* text);

#endif
