/*
 * board.h - the board services of the Cortex-M port: the millisecond and
 * sub-millisecond clock (SysTick), the CMSDK UART driver, the log UART and
 * the fault path. One job per file: clock.c, uart.c, log.c, fault in main.c.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stdint.h>
#include "mps2.h"

/* ---- clock.c: SysTick at the 25 MHz processor clock, one interrupt per ms ---- */
#define CLOCK_TICKS_PER_MS (MPS2_SYSCLK_HZ / 1000u)
void clock_init(void);
/** Processor clock ticks since boot (25 MHz) from the millisecond count the
 * SysTick handler keeps (`ms`) and the counter's current value. */
uint64_t clock_ticks(const volatile uint32_t *ms);

/* ---- uart.c: CMSDK APB UART ---- */
#ifndef UART_RX_RING
#define UART_RX_RING 4096u /* power of two; bytes held between main-loop passes */
#endif

/** Receive ring filled by the RX interrupt, drained by the main loop. */
struct uart_rx {
  volatile uint8_t buf[UART_RX_RING];
  volatile uint32_t head;      /* written by the ISR only */
  volatile uint32_t tail;      /* written by the main loop only, a packet at a time */
  volatile uint32_t ends;      /* SLIP END bytes received (packets complete) */
  volatile uint32_t lost_ring; /* bytes dropped because the ring was full */
  volatile uint32_t lost_hw;   /* receive overruns the UART reported */
  volatile uint32_t gap_at;    /* ring position right after the first unread loss */
  volatile uint8_t gap;        /* 1: gap_at is set */
};

/** Transmit pacing: a byte takes 10 bit times on a real line. */
struct uart_tx {
  uint32_t base;
  const volatile uint32_t *ms; /* the SysTick millisecond count */
  uint32_t ticks_per_byte; /* 0: no pacing */
  uint64_t line_free_at;   /* clock_ticks() when the last byte has left */
};

void uart_init(uint32_t base, uint32_t baud, int rx_irq);
void uart_tx_init(struct uart_tx *tx, uint32_t base, uint32_t pace_baud, const volatile uint32_t *ms);
void uart_put(struct uart_tx *tx, uint8_t c);
/** The RX interrupt's work: move every received byte into the ring. */
void uart_rx_service(uint32_t base, struct uart_rx *rx);

/* ---- log.c: text lines on UART1 (QEMU's second -serial), never paced ---- */
void log_str(const char *s);
void log_u32(uint32_t v);
void log_bytes(const uint8_t *p, uint32_t len);

/* ---- startup.c ---- */
/** Bytes of the main stack ever used (its high-water mark since boot). */
uint32_t stack_used(void);

/* ---- main.c ---- */
/** Log "<kind>: <why>; resetting", then reset the board (SCB AIRCR SYSRESETREQ). */
__attribute__((noreturn)) void port_fault(const char *kind, const char *why);

#endif /* BOARD_H */
