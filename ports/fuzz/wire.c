/* wire.c - see wire.h. */
#include <string.h>

#include "wire.h"

const uint8_t peer_mac[6] = {2, 0, 0, 0, 0, 1}, board_mac[6] = {2, 0, 0, 0, 0, 2};

static uint32_t sum16(const uint8_t* p, size_t n, uint32_t s) {
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1) s += (uint32_t)p[n - 1] << 8;
  return s;
}

static uint16_t fold(uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

static uint16_t get16(const uint8_t* p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t* p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void put16(uint8_t* p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t* p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }

/* The transport checksum over the RFC 793 §3.1 pseudo-header. */
static uint16_t l4_sum(const uint8_t* ip, const uint8_t* l4, size_t n) {
  uint32_t s = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)n;
  return fold(sum16(l4, n, s));
}

static void note_tcp(const uint8_t* t, size_t n, struct seen* seen) {
  uint8_t flags = t[13];
  seen->valid = 1;
  seen->board_port = get16(t);
  seen->peer_port = get16(t + 2);
  seen->seq = get32(t + 4);
  seen->ack = get32(t + 8);
  seen->flags = flags;
  seen->len = (uint32_t)(n - (size_t)(t[12] >> 4) * 4) + ((flags & 0x02) ? 1 : 0) + ((flags & 0x01) ? 1 : 0);
}

const char* wire_check_out(const uint8_t* f, size_t n, struct seen* seen) {
  if (n < 14 || n > MAX_FRAME) return "frame length outside 14..1514";
  uint16_t type = get16(f + 12);
  if (type == 0x0806) return n < 42 ? "short ARP" : NULL;
  if (type != 0x0800) return "unknown ethertype";
  const uint8_t* ip = f + 14;
  if (n < 34 || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5) return "bad IPv4 header";
  size_t ihl = (size_t)(ip[0] & 15) * 4, total = get16(ip + 2);
  if (total < ihl || 14 + total > n) return "IPv4 total length outside the frame";
  if (fold(sum16(ip, ihl, 0)) != 0) return "bad IPv4 header checksum";
  const uint8_t* l4 = ip + ihl;
  size_t l4n = total - ihl;
  if (ip[9] == 6) {
    if (l4n < 20 || (size_t)(l4[12] >> 4) * 4 > l4n || (l4[12] >> 4) < 5) return "bad TCP header length";
    if (l4_sum(ip, l4, l4n) != 0) return "bad TCP checksum";
    note_tcp(l4, l4n, seen);
  } else if (ip[9] == 1) {
    if (l4n < 8 || fold(sum16(l4, l4n, 0)) != 0) return "bad ICMP checksum";
  } else if (ip[9] == 17) {
    if (l4n < 8 || get16(l4 + 4) != l4n) return "bad UDP length";
    if (get16(l4 + 6) != 0 && l4_sum(ip, l4, l4n) != 0) return "bad UDP checksum";
  }
  return NULL;
}

void wire_fix(uint8_t* f, size_t n) {
  if (n < 34 || get16(f + 12) != 0x0800) return;
  uint8_t* ip = f + 14;
  size_t ihl = (size_t)(ip[0] & 15) * 4, total = get16(ip + 2);
  if (ihl < 20 || total < ihl || 14 + total > n) return;
  put16(ip + 10, 0);
  put16(ip + 10, fold(sum16(ip, ihl, 0)));
  uint8_t* l4 = ip + ihl;
  size_t l4n = total - ihl;
  if (ip[9] == 6 && l4n >= 20) { put16(l4 + 16, 0); put16(l4 + 16, l4_sum(ip, l4, l4n)); }
  else if (ip[9] == 1 && l4n >= 4) { put16(l4 + 2, 0); put16(l4 + 2, fold(sum16(l4, l4n, 0))); }
  else if (ip[9] == 17 && l4n >= 8) { put16(l4 + 6, 0); put16(l4 + 6, l4_sum(ip, l4, l4n)); }
}

static void eth_ip(uint8_t* f, uint8_t proto, size_t l4n) {
  memcpy(f, board_mac, 6);
  memcpy(f + 6, peer_mac, 6);
  put16(f + 12, 0x0800);
  uint8_t* ip = f + 14;
  memset(ip, 0, 20);
  ip[0] = 0x45;
  put16(ip + 2, (uint32_t)(20 + l4n));
  ip[6] = 0x40;  /* DF */
  ip[8] = 64;
  ip[9] = proto;
  put32(ip + 12, PEER_IP);
  put32(ip + 16, BOARD_IP);
}

size_t wire_tcp(uint8_t* f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                uint16_t win, uint16_t opt_mss, const uint8_t* payload, size_t len) {
  size_t hl = opt_mss ? 24 : 20;
  if (54 + 4 + len > MAX_FRAME) len = MAX_FRAME - 58;
  eth_ip(f, 6, hl + len);
  uint8_t* t = f + 34;
  memset(t, 0, hl);
  put16(t, sport);
  put16(t + 2, dport);
  put32(t + 4, seq);
  put32(t + 8, ack);
  t[12] = (uint8_t)((hl / 4) << 4);
  t[13] = flags;
  put16(t + 14, win);
  if (opt_mss) { t[20] = 2; t[21] = 4; put16(t + 22, opt_mss); }
  if (len) memcpy(t + hl, payload, len);
  wire_fix(f, 34 + hl + len);
  return 34 + hl + len;
}

size_t wire_arp_reply(uint8_t* f) {
  memcpy(f, board_mac, 6);
  memcpy(f + 6, peer_mac, 6);
  put16(f + 12, 0x0806);
  uint8_t* a = f + 14;
  put16(a, 1);
  put16(a + 2, 0x0800);
  a[4] = 6;
  a[5] = 4;
  put16(a + 6, 2);  /* reply */
  memcpy(a + 8, peer_mac, 6);
  put32(a + 14, PEER_IP);
  memcpy(a + 18, board_mac, 6);
  put32(a + 24, BOARD_IP);
  return 42;
}
