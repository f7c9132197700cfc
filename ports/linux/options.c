/* options.c - parsing embertcp-tap's command line; every mistake is one line. */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "apps.h"

static int parse_ip(const char* s, uint32_t* ip) {
  unsigned a, b, c, d;
  char tail;
  if (sscanf(s, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 || d > 255) return -1;
  *ip = (a << 24) | (b << 16) | (c << 8) | d;
  return 0;
}

static int parse_cidr(const char* s, struct options* o) {
  char addr[32];
  const char* slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  if (n >= sizeof addr) return -1;
  memcpy(addr, s, n);
  addr[n] = 0;
  unsigned prefix = 24;
  char tail;
  if (slash && sscanf(slash + 1, "%2u%c", &prefix, &tail) != 1) return -1;
  if (parse_ip(addr, &o->ip) < 0 || prefix < 1 || prefix > 30) return -1;
  o->prefix = prefix;
  o->netmask = 0xffffffffu << (32 - prefix);
  return 0;
}

static int parse_mac(const char* s, uint8_t mac[6]) {
  unsigned m[6];
  char tail;
  if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &tail) != 6) return -1;
  if (m[0] & 1) return -1;  /* a group address cannot be a station's */
  for (int i = 0; i < 6; i++) mac[i] = (uint8_t)m[i];
  return 0;
}

#define BAD(...) do { snprintf(why, why_len, __VA_ARGS__); return -1; } while (0)

static int one(const char* opt, const char* v, struct options* o, int* have_mac, char* why, uint32_t why_len) {
  if (strcmp(opt, "--tap") == 0) {
    if (strlen(v) < 1 || strlen(v) > 15 || strchr(v, '/')) BAD("bad TAP name \"%s\": 1 to 15 characters", v);
    o->tap = v;
  } else if (strcmp(opt, "--ip") == 0) {
    if (parse_cidr(v, o) < 0) BAD("bad address \"%s\": use A.B.C.D/NN with NN 1..30, e.g. 10.0.0.2/24", v);
  } else if (strcmp(opt, "--gw") == 0) {
    if (parse_ip(v, &o->gateway) < 0) BAD("bad gateway \"%s\": use A.B.C.D", v);
  } else if (strcmp(opt, "--mac") == 0) {
    if (parse_mac(v, o->mac) < 0) BAD("bad MAC \"%s\": use six hex pairs like 02:00:0a:00:00:02 (not a group address)", v);
    *have_mac = 1;
  } else if (strcmp(opt, "--apps") == 0) {
    const char* bad = 0;
    if (apps_parse(v, &o->apps, &bad) < 0) BAD("unknown app \"%.*s\": choose from echo, discard, chargen, http", (int)strcspn(bad, ","), bad);
  } else if (strcmp(opt, "--syncookies") == 0) {
    if (strlen(v) != 1 || v[0] < '0' || v[0] > '2') BAD("bad --syncookies \"%s\": 0 never, 1 when the SYN queue is full, 2 always", v);
    o->syncookies = v[0] - '0';
  } else {
    BAD("unknown option %s", opt);
  }
  return 0;
}

int options_parse(int argc, char** argv, struct options* o, char* why, uint32_t why_len) {
  memset(o, 0, sizeof *o);
  o->apps = APPS_ALL;
  o->syncookies = -1;
  int have_mac = 0;
  for (int i = 1; i < argc; i += 2) {  /* every option takes a value */
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    if (strncmp(argv[i], "--", 2) != 0) BAD("unexpected argument \"%s\"", argv[i]);
    if (i + 1 >= argc) BAD("%s needs a value", argv[i]);
    if (one(argv[i], argv[i + 1], o, &have_mac, why, why_len) < 0) return -1;
  }
  if (!o->tap) BAD("--tap NAME is required");
  if (!o->ip) BAD("--ip A.B.C.D/NN is required");
  if (o->gateway && (o->gateway & o->netmask) != (o->ip & o->netmask)) BAD("gateway is not on the board's subnet");
  if (!have_mac) {  /* like embertcp sim: 02:00 and the IPv4 address */
    o->mac[0] = 2;
    o->mac[1] = 0;
    for (int k = 0; k < 4; k++) o->mac[2 + k] = (uint8_t)(o->ip >> (24 - 8 * k));
  }
  return 0;
}
