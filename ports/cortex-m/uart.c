/*
 * uart.c - the CMSDK APB UART (Cortex-M System Design Kit TRM, "UART"):
 * a one-byte receive buffer and a one-byte transmit buffer, so reception
 * is interrupt driven into a ring (a byte waiting in the UART when the
 * next one arrives is an overrun, and the stack may run for a while
 * between reads). Transmission waits for the transmit buffer; with pacing
 * it also waits the 10 bit times a byte takes on a real line, because
 * QEMU's model sends at emulation speed whatever the baud divider says.
 */
#include "mps2.h"
#include "board.h"

void uart_init(uint32_t base, uint32_t baud, int rx_irq) {
  /* BAUDDIV = PCLK / baud, at least 16 (CMSDK TRM). */
  uint32_t div = MPS2_SYSCLK_HZ / (baud ? baud : 115200u);
  UART_BAUDDIV(base) = div < 16u ? 16u : div;
  uint32_t ctrl = UART_CTRL_TXEN;
  if (rx_irq >= 0) {
    ctrl |= UART_CTRL_RXEN | UART_CTRL_RXINTEN | UART_CTRL_RXOVRINTEN;
    NVIC_ISER0 = (1u << (uint32_t)rx_irq) | (1u << MPS2_IRQ_UART_OVR);
  }
  UART_CTRL(base) = ctrl;
}

void uart_tx_init(struct uart_tx *tx, uint32_t base, uint32_t pace_baud, const volatile uint32_t *ms) {
  tx->base = base;
  tx->ms = ms;
  tx->ticks_per_byte = pace_baud ? (MPS2_SYSCLK_HZ * 10u / pace_baud) : 0u;
  tx->line_free_at = 0;
}

void uart_put(struct uart_tx *tx, uint8_t c) {
  if (tx->ticks_per_byte) {
    uint64_t now = clock_ticks(tx->ms);
    while (now < tx->line_free_at) now = clock_ticks(tx->ms);
    /* An idle line earns no credit: the byte starts now. */
    if (tx->line_free_at < now) tx->line_free_at = now;
    tx->line_free_at += tx->ticks_per_byte;
  }
  while (UART_STATE(tx->base) & UART_STATE_TXFULL) {
  }
  UART_DATA(tx->base) = c;
}

/* Remember where the first unread loss is, so the packet it hit is dropped. */
static void mark_gap(struct uart_rx *rx) {
  if (rx->gap) return;
  rx->gap_at = rx->head;
  rx->gap = 1;
}

void uart_rx_service(uint32_t base, struct uart_rx *rx) {
  /* Clear the interrupt before draining: a byte that lands after the last
   * read raises it again. Clearing after the loop could swallow that
   * byte's interrupt, and with the byte left unread the UART takes no more
   * (QEMU's model holds the line while its buffer is full): receive stops. */
  UART_INTSTATUS(base) = UART_INT_RX | UART_INT_RXOVR;
  if (UART_STATE(base) & UART_STATE_RXOVR) {
    /* A byte was lost in the UART itself: count it, clear the flag. */
    rx->lost_hw++;
    mark_gap(rx);
    UART_STATE(base) = UART_STATE_RXOVR;
  }
  while (UART_STATE(base) & UART_STATE_RXFULL) {
    uint8_t c = (uint8_t)UART_DATA(base);
    uint32_t head = rx->head;
    if (head - rx->tail >= UART_RX_RING) {
      rx->lost_ring++;
      mark_gap(rx);
      continue;
    }
    rx->buf[head & (UART_RX_RING - 1u)] = c;
    rx->head = head + 1u;
    if (c == 0xC0u) rx->ends++; /* SLIP END: a packet is complete */
  }
}
