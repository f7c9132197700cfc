/*
 * text.h - appending text to a fixed buffer without printf, so the apps
 * need nothing from libc but memcpy. A writer that runs out of room stops
 * writing and remembers it (`full`); the text stays NUL-terminated.
 */
#ifndef EMBERTCP_APPS_TEXT_H
#define EMBERTCP_APPS_TEXT_H

#include <stdint.h>

struct text {
  char* buf;
  uint32_t cap, len;
  uint8_t full;
};

void text_init(struct text* t, char* buf, uint32_t cap);
void text_str(struct text* t, const char* s);
void text_bytes(struct text* t, const char* s, uint32_t n);
void text_u32(struct text* t, uint32_t v);
/* Zero-padded to `width` digits. */
void text_u32w(struct text* t, uint32_t v, uint32_t width);
/* a.b.c.d from a big-endian number (0x0A000002 = 10.0.0.2). */
void text_ip(struct text* t, uint32_t ip);
/* a.b.c.d:port */
void text_endpoint(struct text* t, uint32_t ip, uint32_t port);
/* The RFC 9293 name of a tcp_state value ("ESTABLISHED", "SYN-RECEIVED", ...). */
const char* text_state_name(uint32_t state);
/* s with & < > " ' as numeric references (for HTML). */
void text_html(struct text* t, const char* s);

#endif
