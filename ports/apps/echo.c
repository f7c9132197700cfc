/* echo.c - Echo (RFC 862, port 7): every byte received is sent back; the
 * connection closes after the peer's FIN once the echo is out. */
#include <string.h>

#include "app.h"

static void echo_data(struct apps* a, struct app_conn* c, const uint8_t* data, uint32_t n) {
  (void)a;
  /* The loop reads only once the last echo went out (backpressure), and
   * never more than EMBERTCP_APP_BUF at a time. */
  memcpy(c->buf, data, n);
  app_queue(c, c->buf, n);
}

const struct app_kind app_echo = {"echo", 7, 60000, 1, echo_data, 0, 0, 0};
