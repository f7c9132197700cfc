/* text.c - see text.h. */
#include <string.h>

#include "text.h"

void text_init(struct text* t, char* buf, uint32_t cap) {
  t->buf = buf;
  t->cap = cap;
  t->len = 0;
  t->full = 0;
  if (cap > 0) buf[0] = 0;
}

void text_bytes(struct text* t, const char* s, uint32_t n) {
  if (t->full) return;
  if (t->len + n + 1 > t->cap) {
    t->full = 1;
    return;
  }
  memcpy(t->buf + t->len, s, n);
  t->len += n;
  t->buf[t->len] = 0;
}

void text_str(struct text* t, const char* s) { text_bytes(t, s, (uint32_t)strlen(s)); }

void text_u32w(struct text* t, uint32_t v, uint32_t width) {
  char d[10];
  uint32_t n = 0;
  do {
    d[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n < width && n < sizeof d) d[n++] = '0';
  char out[10];
  for (uint32_t i = 0; i < n; i++) out[i] = d[n - 1 - i];
  text_bytes(t, out, n);
}

void text_u32(struct text* t, uint32_t v) { text_u32w(t, v, 1); }

void text_ip(struct text* t, uint32_t ip) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    text_u32(t, (ip >> shift) & 255u);
    if (shift > 0) text_bytes(t, ".", 1);
  }
}

void text_endpoint(struct text* t, uint32_t ip, uint32_t port) {
  text_ip(t, ip);
  text_bytes(t, ":", 1);
  text_u32(t, port);
}

void text_html(struct text* t, const char* s) {
  for (; *s; s++) {
    if (strchr("&<>\"'", *s)) {
      text_bytes(t, "&#", 2);
      text_u32(t, (uint32_t)(unsigned char)*s);
      text_bytes(t, ";", 1);
    } else {
      text_bytes(t, s, 1);
    }
  }
}

const char* text_state_name(uint32_t state) {
  static const char* const names[] = {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
                                      "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"};
  return state < sizeof names / sizeof names[0] ? names[state] : "?";
}
