/*
 * log.c - diagnostic text on UART1, QEMU's second -serial: boot and fault
 * lines, link counters and the module's hal log. Blocking and unpaced; the
 * SLIP link on UART0 never carries text.
 */
#include "mps2.h"
#include "board.h"

static void put(uint8_t c) {
  while (UART_STATE(MPS2_UART1) & UART_STATE_TXFULL) {
  }
  UART_DATA(MPS2_UART1) = c;
}

void log_bytes(const uint8_t *p, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) put(p[i]);
}

void log_str(const char *s) {
  while (*s) put((uint8_t)*s++);
}

void log_u32(uint32_t v) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  while (n) put((uint8_t)digits[--n]);
}
