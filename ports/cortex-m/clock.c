/*
 * clock.c - SysTick as the millisecond clock (Armv7-M ARM B3.3). The
 * counter runs on the processor clock and reloads every millisecond; the
 * port's SysTick_Handler counts milliseconds. clock_ticks() combines that
 * count with the counter's value into a 25 MHz timestamp, which the UART
 * pacing and the measurement build use (under QEMU -icount shift=0 one
 * instruction is one nanosecond of virtual time: one tick, 40 instructions).
 */
#include "mps2.h"
#include "board.h"

void clock_init(void) {
  SYST_RVR = CLOCK_TICKS_PER_MS - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

uint64_t clock_ticks(const volatile uint32_t *ms) {
  /* The counter counts down. If the millisecond count changed while the
   * value was read, the counter reloaded in between: read again. */
  for (;;) {
    uint32_t before = *ms;
    uint32_t val = SYST_CVR;
    if (before == *ms) return (uint64_t)before * CLOCK_TICKS_PER_MS + (CLOCK_TICKS_PER_MS - 1u - val);
  }
}
