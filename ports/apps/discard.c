/* discard.c - Discard (RFC 863, port 9): reads and throws away
 * everything; closes after the peer's FIN. */
#include "app.h"

static void discard_data(struct apps* a, struct app_conn* c, const uint8_t* data, uint32_t n) {
  (void)c;
  (void)data;
  a->discarded += n;
}

const struct app_kind app_discard = {"discard", 9, 60000, 0, discard_data, 0, 0, 0};
