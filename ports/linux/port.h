/* port.h - everything the Linux host keeps: one struct port. */
#ifndef EMBERTCP_LINUX_PORT_H
#define EMBERTCP_LINUX_PORT_H

#include <stdint.h>

#include "apps.h"
#include "conns.h"
#include "options.h"

struct port {
  struct options opt;
  int tap, epoll, signals;
  uint64_t start_ns;
  uint32_t now;                 /* ms since start: the module's clock */
  uint32_t frames_in, frames_out, drop_oversize, drop_tx;
  uint32_t last_arp_updates, last_stats_ms, last_list_ms;
  struct conns conns;
  char last_stats[200];
  uint8_t entropy[256];
  uint32_t entropy_left;
  struct apps apps;
};

extern struct port port;

/* One line per event, like `embertcp sim`: "[   1.234] kind: text". */
void port_event(void* ctx, const char* kind, const char* text);
/* Milliseconds since start from CLOCK_MONOTONIC. */
uint32_t port_now(void);

#endif
