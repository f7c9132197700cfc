/* chargen.c - Character generator (RFC 864, port 19): lines of 72
 * printable characters (the 95 from '!' to '~', each line starting one
 * further on) ended by CR LF, for as long as the peer reads; what the peer
 * sends is discarded, and its FIN stops the stream and closes. */
#include "app.h"

#define LINE 72
#define PRINTABLE 95
/* Lines per refill: 20 * 74 = 1480 bytes, about one full segment. */
#define LINES (EMBERTCP_APP_BUF / (LINE + 2) < 20 ? EMBERTCP_APP_BUF / (LINE + 2) : 20)

static void chargen_data(struct apps* a, struct app_conn* c, const uint8_t* data, uint32_t n) {
  (void)a;
  (void)c;
  (void)data;
  (void)n;
}

static void chargen_refill(struct apps* a, struct app_conn* c) {
  (void)a;
  uint32_t o = 0;
  for (uint32_t l = c->chargen_line; l < c->chargen_line + LINES; l++) {
    uint32_t start = l % PRINTABLE;
    for (uint32_t i = 0; i < LINE; i++) c->buf[o++] = (uint8_t)(33 + (start + i) % PRINTABLE);
    c->buf[o++] = 13;
    c->buf[o++] = 10;
  }
  c->chargen_line += LINES;
  app_queue(c, c->buf, o);
}

static void chargen_peer_closed(struct apps* a, struct app_conn* c) {
  (void)a;
  c->out_off = c->out_len;  /* stop generating: drop what is queued */
  c->close_when_drained = 1;
}

const struct app_kind app_chargen = {"chargen", 19, 60000, 0, chargen_data, chargen_refill, chargen_peer_closed, 0};
