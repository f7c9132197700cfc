/*
 * measure.h - instruction counts of the stack's calls, for the
 * measurement build only (build:mcu --define PORT_MEASURE=1, run by
 * bench/mcu.ts under QEMU -icount shift=0, where every instruction is one
 * nanosecond of virtual time and SysTick's 25 MHz tick is 40 instructions).
 *
 * A measured call runs with interrupts masked (bytes wait in the UART,
 * which QEMU holds back while its buffer is full), so the count is the
 * call's own; time spent in hal_frame_out (SLIP and the UART, the link's
 * cost rather than the stack's) is taken out. A span is read from the
 * SysTick counter alone; calls are far shorter than its 1 ms period. One
 * sample is exact to a tick; the bench reports the mean of thousands.
 */
#ifndef MEASURE_H
#define MEASURE_H

#include <stdint.h>
#include "mps2.h"
#include "board.h"

struct measure_sum { uint32_t n; uint64_t ticks; };

struct measure {
  struct measure_sum segment; /* net_input of a full-size TCP segment */
  struct measure_sum syn;     /* net_input of a SYN */
  struct measure_sum idle;    /* net_poll with nothing to do */
  struct measure_sum link_in; /* SLIP decode + FCS check of a full-size frame */
  uint32_t out_ticks;         /* inside hal_frame_out during the current call */
  uint32_t call_ticks;        /* the whole net_input call of the current packet */
};

/** Ticks from `start` (a SYST_CVR value) to now, across at most one reload. */
static inline uint32_t measure_since(uint32_t start) {
  uint32_t now = SYST_CVR;
  return start >= now ? start - now : start + CLOCK_TICKS_PER_MS - now;
}

static inline void measure_add(struct measure_sum *s, uint32_t ticks) {
  s->n++;
  s->ticks += ticks;
}

#endif /* MEASURE_H */
