/* conns.h - connection events by sampling tcp_list, like `embertcp sim`:
 * a new entry, a state change, an entry gone. */
#ifndef EMBERTCP_LINUX_CONNS_H
#define EMBERTCP_LINUX_CONNS_H

#include <stdint.h>

#include "embertcp.h"

/* One sample holds as many entries as fit the scratch buffer (at least 64). */
#define CONNS_MAX 64

struct conns {
  uint32_t count;
  embertcp_list_entry e[CONNS_MAX];
};

/* Compare tcp_list with the last sample in `c`, print one event per difference, keep the new sample. */
void conns_sample(struct conns* c);

#endif
