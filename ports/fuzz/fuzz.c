/*
 * fuzz.c - a libFuzzer target on embertcp's wasm2c C (ports/runtime):
 * each input is a byte stream decoded into operations on a fresh module
 * (docs/PORTS.md, "Fuzzing", lists the encoding): raw frames, frames with
 * their checksums fixed, the peer's TCP segments built from what the board
 * last sent (so handshakes, transfers and closes are reachable), clock
 * steps with net_poll, and socket calls with fuzzed handles, pointers and
 * lengths. The four apps of ports/apps (echo, discard, chargen, HTTP) run
 * after every operation, so their code is fuzzed too. Failures, each an
 * abort() that libFuzzer reports with the input: a trap in the module, a
 * sanitizer report, a frame out of the module that is malformed or fails
 * its own checksum check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embertcp.h"
#include "embertcp-rt.h"
#include "apps.h"
#include "wire.h"

#define CONNS 8
#define MAX_OPS 512

static struct {
  const uint8_t* in;
  size_t n, at;
  uint32_t now, rng;
  int32_t conn[CONNS];
  struct apps apps;
  struct seen seen;
  int trace;
} fz;

_Noreturn void embertcp_port_trap(int code, const char* why) {
  fprintf(stderr, "embertcp fuzz: the module trapped (%d: %s)\n", code, why);
  abort();
}

void hal_spi_select(int32_t active) { (void)active; }
void hal_spi_transfer(uint32_t ptr, int32_t len) { (void)ptr; (void)len; }
void hal_log(int32_t level, uint32_t ptr, int32_t len) { (void)level; (void)ptr; (void)len; }

/* Deterministic per input, so a crash replays. */
uint32_t hal_entropy(void) {
  fz.rng ^= fz.rng << 13;
  fz.rng ^= fz.rng >> 17;
  fz.rng ^= fz.rng << 5;
  return fz.rng;
}

/* EMBERTCP_FUZZ_TRACE=1: one line per frame out, to see what a seed reaches. */
static void trace(const uint8_t* f, int32_t len) {
  const struct seen* s = &fz.seen;
  if (f[12] == 8 && f[13] == 0 && f[23] == 6)
    fprintf(stderr, "out tcp %u>%u flags %02x seq %u ack %u len %u%s\n", s->board_port, s->peer_port, s->flags, s->seq, s->ack,
            s->len, len > 60 && memcmp(f + 54, "HTTP/1.1 ", 9) == 0 ? " (HTTP answer)" : "");
  else
    fprintf(stderr, "out %s %d bytes\n", f[12] == 8 && f[13] == 6 ? "arp" : f[23] == 1 ? "icmp" : "frame", len);
}

void hal_frame_out(uint32_t ptr, int32_t len) {
  const uint8_t* f = embertcp_mem(ptr, (uint32_t)len);
  const char* why = f ? wire_check_out(f, (size_t)len, &fz.seen) : "frame_out outside memory";
  if (why) {
    fprintf(stderr, "embertcp fuzz: bad frame out (%d bytes): %s\n", len, why);
    abort();
  }
  if (fz.trace) trace(f, len);
}

static uint32_t take(size_t bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < bytes; i++) v = v << 8 | (fz.at < fz.n ? fz.in[fz.at++] : 0);
  return v;
}

/* Up to `max` bytes of the input, copied into module memory at the scratch buffer. */
static int32_t take_into_scratch(size_t len, uint32_t* sp) {
  *sp = net_scratch();
  size_t cap = (size_t)net_scratch_size();
  if (len > cap) len = cap;
  if (len > fz.n - fz.at) len = fz.n - fz.at;
  memcpy(embertcp_mem(*sp, (uint32_t)cap), fz.in + fz.at, len);
  fz.at += len;
  return (int32_t)len;
}

static void input_frame(const uint8_t* f, size_t n) {
  uint32_t sp = net_scratch();
  memcpy(embertcp_mem(sp, (uint32_t)n), f, n);
  net_input(sp, (int32_t)n);
}

static void op_frame(int fix) {
  uint32_t sp;
  int32_t n = take_into_scratch(take(2) % 1600, &sp);
  if (fix) wire_fix(embertcp_mem(sp, (uint32_t)n), (size_t)n);
  net_input(sp, n);
}

/* A segment from the peer answering the board's last one: its ACK as our sequence number, its end as our ACK. */
static void op_peer(void) {
  uint8_t flags = (uint8_t)take(1), f[MAX_FRAME], payload[1460];
  uint16_t win = (uint16_t)take(2);
  /* Length byte: high bit set, that many (& 0x7f) bytes from the input (an HTTP request); else len * 6 pattern bytes. */
  size_t len = take(1);
  if (len & 0x80) {
    len &= 0x7f;
    for (size_t i = 0; i < len; i++) payload[i] = (uint8_t)take(1);
  } else {
    len *= 6;
    for (size_t i = 0; i < len; i++) payload[i] = (uint8_t)(i * 7 + fz.at);
  }
  const struct seen* s = &fz.seen;
  uint32_t delta = take(1) & 3 ? 0 : take(4);  /* sometimes off by an arbitrary amount */
  size_t n = wire_tcp(f, s->valid ? s->peer_port : 40000, s->valid ? s->board_port : 7, s->ack + delta,
                      s->seq + s->len, flags, win, 0, payload, len);
  input_frame(f, n);
}

static const uint16_t ports[4] = {7, 80, 9, 19};

static void op_syn(void) {
  uint8_t f[MAX_FRAME], sel = (uint8_t)take(1);
  uint16_t dport = sel & 4 ? (uint16_t)take(2) : ports[sel & 3];
  uint16_t sport = (uint16_t)take(2);
  uint32_t seq = take(4);
  input_frame(f, wire_tcp(f, sport, dport, seq, 0, 0x02, 64240, sel & 8 ? 0 : (uint16_t)(536 + take(1) * 4), 0, 0));
}

static int32_t* slot(void) { return &fz.conn[take(1) % CONNS]; }

static void keep(int32_t h) {
  if (h <= 0) return;
  for (int i = 0; i < CONNS; i++) if (fz.conn[i] <= 0) { fz.conn[i] = h; return; }
  fz.conn[h % CONNS] = h;
}

static void op_call(void) {
  uint32_t sp;
  int32_t* c = slot();
  switch (take(1) % 12) {
    case 0: keep(tcp_connect(take(1) & 1 ? PEER_IP : take(4), (int32_t)take(2))); break;
    case 1: {
      int32_t n = take_into_scratch(take(2) % 2048, &sp);
      tcp_send(*c, sp, n);
      break;
    }
    case 2: tcp_recv(*c, net_scratch(), (int32_t)(take(2) % 2048)); break;
    case 3: tcp_close(*c); break;
    case 4: tcp_abort(*c); *c = 0; break;
    case 5: tcp_poll(*c); tcp_state(*c); tcp_status(*c, net_scratch()); break;
    case 6: tcp_list(net_scratch(), (int32_t)(take(1) % 64)); break;
    case 7: net_stats(net_scratch()); break;
    case 8: net_config((int32_t)(take(1) % 24) - 2, (int32_t)take(4)); break;
    case 9: keep(tcp_listen((int32_t)take(2), (int32_t)(take(1) % 20) - 2)); break;
    /* Arbitrary pointers and lengths: EINVAL, never a trap. */
    case 10: tcp_send(*c, take(4), (int32_t)take(4)); tcp_recv(*c, take(4), (int32_t)take(4)); break;
    default: tcp_status((int32_t)take(4), take(4)); tcp_recv((int32_t)take(4), net_scratch(), 16); break;
  }
}

static void start(void) {
  memset(&fz.seen, 0, sizeof fz.seen);
  memset(fz.conn, 0, sizeof fz.conn);
  fz.now = 1000;
  fz.rng = 0x9e3779b9u;
  embertcp_rt_start();
  uint32_t sp = net_scratch();
  memcpy(embertcp_mem(sp, 6), board_mac, 6);
  if (net_init(EMBERTCP_LINK_HOST_FRAMES, sp, BOARD_IP, 0xffffff00u, PEER_IP) < 0) abort();
  apps_start(&fz.apps, APPS_ALL, BOARD_IP, fz.now, NULL, NULL);
  net_poll(fz.now);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int env_read;
  if (!env_read) { env_read = 1; fz.trace = getenv("EMBERTCP_FUZZ_TRACE") != NULL; }
  fz.in = data;
  fz.n = size;
  fz.at = 0;
  start();
  uint8_t f[64];
  for (int ops = 0; fz.at < fz.n && ops < MAX_OPS; ops++) {
    switch (take(1) % 8) {
      case 0: op_frame(0); break;
      case 1: op_frame(1); break;
      case 2: op_peer(); break;
      case 3: op_syn(); break;
      case 4: fz.now += take(2); net_poll(fz.now); break;
      case 5: fz.now += take(1); net_poll(fz.now); break;
      case 6: op_call(); break;
      default: input_frame(f, wire_arp_reply(f)); break;
    }
    apps_service(&fz.apps, fz.now);
  }
  return 0;
}
