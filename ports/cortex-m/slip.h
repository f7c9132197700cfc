/*
 * slip.h - Ethernet frames with their FCS, SLIP-framed (RFC 1055), on a
 * UART: the same line format as the simulator's serial link
 * (host-sim/links/serial.ts and slip.ts), so `embertcp bridge` and
 * `embertcp qemu` put the board on a Linux TAP unchanged.
 *
 * Receiving: bytes go through a strict decoder (an ESC followed by anything
 * but ESC_END/ESC_ESC breaks the packet; so does a packet longer than the
 * buffer or a byte lost on the way in); a broken packet is discarded up to
 * the next END and counted; empty packets are ignored (RFC 1055). A whole
 * packet shorter than header + FCS, or whose FCS is wrong, is dropped and
 * counted too. What is left is a frame without its FCS for net_input.
 *
 * Sending: END, the frame and its FCS escaped, END (the leading END flushes
 * line noise into a packet of its own, as RFC 1055 suggests).
 */
#ifndef SLIP_H
#define SLIP_H

#include <stdint.h>
#include "board.h"

#define SLIP_END 0xC0u
#define SLIP_ESC 0xDBu
#define SLIP_ESC_END 0xDCu
#define SLIP_ESC_ESC 0xDDu

#define ETH_HEADER 14u
#define ETH_FCS 4u

/** Link counters, printed on the log UART (names as in host-sim serial.ts). */
struct slip_stats {
  uint32_t frames_in, bytes_in, frames_out, bytes_out;
  uint32_t drop_bad_fcs, drop_slip_escape, drop_oversize, drop_runt, drop_overrun;
};

struct slip_rx {
  uint8_t *buf;  /* where packets are decoded: the module's scratch buffer */
  uint32_t cap;  /* its size; a longer packet is "oversize" */
  uint32_t len;
  uint8_t escaped;
  uint8_t broken; /* 0, or which drop counter the packet goes to */
};

enum { SLIP_OK = 0, SLIP_BROKEN_ESCAPE, SLIP_BROKEN_OVERSIZE, SLIP_BROKEN_OVERRUN };

void slip_rx_init(struct slip_rx *rx, uint8_t *buf, uint32_t cap);
/** Bytes were lost on the way in: the packet being received is broken. */
void slip_rx_lost(struct slip_rx *rx);
/** An END arrived: check and count the packet; its frame length without FCS if good, else 0. */
uint32_t slip_rx_end(struct slip_rx *rx, struct slip_stats *st);

/**
 * Feed one line byte. Returns the length of a good frame without its FCS,
 * now at rx->buf, when this byte completed one; 0 otherwise. Inline: it
 * runs for every byte on the line.
 */
static inline uint32_t slip_rx_byte(struct slip_rx *rx, uint8_t c, struct slip_stats *st) {
  if (c == SLIP_END) return slip_rx_end(rx, st);
  if (rx->broken != SLIP_OK) return 0;
  if (rx->escaped) {
    rx->escaped = 0;
    if (c == SLIP_ESC_END) c = SLIP_END;
    else if (c == SLIP_ESC_ESC) c = SLIP_ESC;
    else { rx->broken = SLIP_BROKEN_ESCAPE; return 0; }
  } else if (c == SLIP_ESC) {
    rx->escaped = 1;
    return 0;
  }
  if (rx->len == rx->cap) { rx->broken = SLIP_BROKEN_OVERSIZE; return 0; }
  rx->buf[rx->len++] = c;
  return 0;
}

/** Send one frame (no FCS) with its FCS appended, SLIP-framed. */
void slip_send(struct uart_tx *tx, const uint8_t *frame, uint32_t len, struct slip_stats *st);

/** CRC-32 of IEEE 802.3 §3.2.9 (reflected 0xEDB88320, init and final XOR all ones). */
uint32_t crc32(const uint8_t *p, uint32_t len);

#endif /* SLIP_H */
