/* conns.c - see conns.h. */
#include <stdio.h>
#include <string.h>

#include "embertcp-rt.h"
#include "conns.h"
#include "port.h"
#include "text.h"

static int same_key(const embertcp_list_entry* a, const embertcp_list_entry* b) {
  return a->handle == b->handle && a->local_ip == b->local_ip && a->local_port == b->local_port &&
         a->remote_ip == b->remote_ip && a->remote_port == b->remote_port;
}

static const embertcp_list_entry* find(const embertcp_list_entry* e, uint32_t n, const embertcp_list_entry* key) {
  for (uint32_t i = 0; i < n; i++)
    if (same_key(&e[i], key)) return &e[i];
  return 0;
}

/* "10.0.0.2:7 10.0.0.1:40000 " (a listener's remote is *:*), then `what`. */
static void event(const embertcp_list_entry* e, const char* what, uint32_t old_state) {
  char line[160];
  struct text t;
  text_init(&t, line, sizeof line);
  text_endpoint(&t, e->local_ip, e->local_port);
  text_str(&t, " ");
  if (e->state == EMBERTCP_LISTEN) text_str(&t, "*:*"); else text_endpoint(&t, e->remote_ip, e->remote_port);
  text_str(&t, " ");
  if (what) { text_str(&t, what); text_str(&t, text_state_name(old_state)); text_str(&t, ")"); }
  else if (old_state != e->state) { text_str(&t, text_state_name(old_state)); text_str(&t, " -> "); text_str(&t, text_state_name(e->state)); }
  else text_str(&t, text_state_name(e->state));
  port_event(0, "conn", line);
}

void conns_sample(struct conns* c) {
  uint32_t sp = net_scratch(), max = (uint32_t)net_scratch_size() / sizeof(embertcp_list_entry);
  if (max > CONNS_MAX) max = CONNS_MAX;
  int32_t n = tcp_list(sp, (int32_t)max);
  const embertcp_list_entry* now = (const embertcp_list_entry*)(const void*)embertcp_mem(sp, max * sizeof *now);
  if (n < 0 || !now) return;
  for (int32_t i = 0; i < n; i++) {
    const embertcp_list_entry* old = find(c->e, c->count, &now[i]);
    if (!old) event(&now[i], 0, now[i].state);
    else if (old->state != now[i].state) event(&now[i], 0, old->state);
  }
  for (uint32_t i = 0; i < c->count; i++)
    if (!find(now, (uint32_t)n, &c->e[i])) event(&c->e[i], "gone (was ", c->e[i].state);
  c->count = (uint32_t)n;
  memcpy(c->e, now, (size_t)n * sizeof *now);
}
