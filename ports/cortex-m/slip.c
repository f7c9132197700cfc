/*
 * slip.c - SLIP framing (RFC 1055) with the Ethernet FCS, see slip.h.
 */
#include "slip.h"

void slip_rx_init(struct slip_rx *rx, uint8_t *buf, uint32_t cap) {
  rx->buf = buf;
  rx->cap = cap;
  rx->len = 0;
  rx->escaped = 0;
  rx->broken = SLIP_OK;
}

void slip_rx_lost(struct slip_rx *rx) {
  if (rx->broken == SLIP_OK) rx->broken = SLIP_BROKEN_OVERRUN;
}

/* The frame's last four bytes are the FCS of the rest, least significant byte first. */
static int fcs_valid(const uint8_t *p, uint32_t len) {
  uint32_t n = len - ETH_FCS;
  uint32_t c = crc32(p, n);
  return p[n] == (uint8_t)c && p[n + 1] == (uint8_t)(c >> 8) && p[n + 2] == (uint8_t)(c >> 16) &&
         p[n + 3] == (uint8_t)(c >> 24);
}

uint32_t slip_rx_end(struct slip_rx *rx, struct slip_stats *st) {
  /* An END straight after ESC is a broken escape (RFC 1055 defines two). */
  if (rx->escaped && rx->broken == SLIP_OK) rx->broken = SLIP_BROKEN_ESCAPE;
  uint32_t len = rx->len;
  uint8_t broken = rx->broken;
  rx->len = 0;
  rx->escaped = 0;
  rx->broken = SLIP_OK;
  if (broken == SLIP_BROKEN_ESCAPE) st->drop_slip_escape++;
  else if (broken == SLIP_BROKEN_OVERSIZE) st->drop_oversize++;
  else if (broken == SLIP_BROKEN_OVERRUN) st->drop_overrun++;
  if (broken != SLIP_OK || len == 0) return 0;
  if (len < ETH_HEADER + ETH_FCS) { st->drop_runt++; return 0; }
  if (!fcs_valid(rx->buf, len)) { st->drop_bad_fcs++; return 0; }
  st->frames_in++;
  st->bytes_in += len;
  return len - ETH_FCS;
}

static void put_escaped(struct uart_tx *tx, uint8_t c) {
  if (c == SLIP_END) { uart_put(tx, SLIP_ESC); uart_put(tx, SLIP_ESC_END); }
  else if (c == SLIP_ESC) { uart_put(tx, SLIP_ESC); uart_put(tx, SLIP_ESC_ESC); }
  else uart_put(tx, c);
}

void slip_send(struct uart_tx *tx, const uint8_t *frame, uint32_t len, struct slip_stats *st) {
  uint32_t fcs = crc32(frame, len);
  uart_put(tx, SLIP_END);
  for (uint32_t i = 0; i < len; i++) put_escaped(tx, frame[i]);
  for (int i = 0; i < 4; i++) put_escaped(tx, (uint8_t)(fcs >> (8 * i)));
  uart_put(tx, SLIP_END);
  st->frames_out++;
  st->bytes_out += len + ETH_FCS;
}
