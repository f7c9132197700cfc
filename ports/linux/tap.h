/* tap.h - a Linux TAP device as embertcp's link 0: Ethernet frames without FCS. */
#ifndef EMBERTCP_LINUX_TAP_H
#define EMBERTCP_LINUX_TAP_H

#include <stdint.h>

/* Create (or attach to) TAP `name` in the current network namespace and
 * bring it up. Returns the non-blocking fd, or -1 with errno set. */
int tap_open(const char* name);
/* Frames Linux dropped on their way to us because the TAP's queue was full
 * (the loop fell behind a flood): the device's tx_dropped counter. */
uint64_t tap_queue_drops(const char* name);

#endif
