/*
 * instr.c - the module's work per received segment and per SYN, for
 * instruction counts under `valgrind --tool=callgrind` (bench/native.ts).
 * No network: frames built by ports/fuzz/wire.c go straight to net_input,
 * frames out go nowhere. Callgrind collects only inside the measured
 * functions (--toggle-collect=rx_input: the module taking a frame, with the
 * replies it sends; rx_read: the app's tcp_recv), so building frames and
 * setting up are not counted.
 *
 *   instr segments N   a passive connection to port 9, then N in-order
 *                      full-size segments (1460 bytes, checksum checked by
 *                      the module); each is net_input, then tcp_recv until
 *                      the ring is empty (what a reading app costs), with
 *                      the ACKs they draw
 *   instr syns N       N SYNs to a listener from N different off-link
 *                      sources: the SYN queue fills, then every SYN is
 *                      answered with a SYN cookie (RFC 4987)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embertcp.h"
#include "embertcp-rt.h"
#include "wire.h"

static struct {
  uint32_t rng, frames_out;
  struct seen seen;
  uint8_t frame[MAX_FRAME];
} b = {.rng = 0x2545f491u};

_Noreturn void embertcp_port_trap(int code, const char* why) {
  fprintf(stderr, "instr: the module trapped (%d: %s)\n", code, why);
  exit(3);
}
void hal_spi_select(int32_t active) { (void)active; }
void hal_spi_transfer(uint32_t ptr, int32_t len) { (void)ptr; (void)len; }
void hal_log(int32_t level, uint32_t ptr, int32_t len) { (void)level; (void)ptr; (void)len; }
uint32_t hal_entropy(void) {
  b.rng ^= b.rng << 13;
  b.rng ^= b.rng >> 17;
  b.rng ^= b.rng << 5;
  return b.rng;
}

/* Only what the peer must know (the board's sequence numbers); the frame goes nowhere. */
void hal_frame_out(uint32_t ptr, int32_t len) {
  const uint8_t* f = embertcp_mem(ptr, (uint32_t)len);
  if (f && len >= 54 && f[12] == 8 && f[13] == 0 && f[23] == 6) {
    b.seen.valid = 1;
    b.seen.seq = (uint32_t)f[38] << 24 | (uint32_t)f[39] << 16 | (uint32_t)f[40] << 8 | f[41];
  }
  b.frames_out++;
}

/* Not measured: the frame into the scratch buffer, as a NIC driver would deliver it. */
static uint32_t place(size_t n) {
  uint32_t sp = net_scratch();
  memcpy(embertcp_mem(sp, (uint32_t)n), b.frame, n);
  return sp;
}

/* Measured: the module taking one frame (parsing, checksums, TCP, the replies it sends). */
__attribute__((noinline)) int32_t rx_input(uint32_t sp, size_t n) { return net_input(sp, (int32_t)n); }

/* Measured: the app reading what arrived (the copy out of the receive ring, window updates). */
__attribute__((noinline)) void rx_read(int32_t c, uint32_t sp) {
  while (tcp_recv(c, sp, 1536) > 0) {}
}

static void input(size_t n) {
  if (rx_input(place(n), n) < 0) { fprintf(stderr, "instr: net_input refused a frame\n"); exit(1); }
}

static int32_t connect_peer(uint32_t* seq) {
  int32_t l = tcp_listen(9, 4);
  input(wire_arp_reply(b.frame));
  input(wire_tcp(b.frame, 40000, 9, *seq, 0, 0x02, 65535, 1460, 0, 0));
  if (!b.seen.valid) { fprintf(stderr, "instr: no SYN-ACK\n"); exit(1); }
  (*seq)++;
  input(wire_tcp(b.frame, 40000, 9, *seq, b.seen.seq + 1, 0x10, 65535, 0, 0, 0));
  int32_t c = tcp_accept(l);
  if (c <= 0) { fprintf(stderr, "instr: no connection (%d)\n", c); exit(1); }
  return c;
}

/* n full-size segments in, each read out by the app. */
static void segments(int32_t c, uint32_t seq, uint32_t ack, const uint8_t* payload, uint32_t n, uint32_t* now) {
  for (uint32_t i = 0; i < n; i++) {
    input(wire_tcp(b.frame, 40000, 9, seq, ack, 0x10, 65535, 0, payload, 1460));
    seq += 1460;
    rx_read(c, net_scratch());
    if ((i & 63) == 63) net_poll(*now += 1);
  }
}

/* n SYNs from distinct off-link sources. */
static void syns(uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    size_t len = wire_tcp(b.frame, (uint16_t)(1024 + i), 7, i * 2654435761u, 0, 0x02, 64240, 1460, 0, 0);
    uint32_t src = 0xC6120000u + (i & 0xffff);  /* 198.18.0.0/15, the benchmarking range (RFC 2544) */
    b.frame[26] = (uint8_t)(src >> 24); b.frame[27] = (uint8_t)(src >> 16); b.frame[28] = (uint8_t)(src >> 8); b.frame[29] = (uint8_t)src;
    wire_fix(b.frame, len);
    input(len);
  }
}

int main(int argc, char** argv) {
  if (argc != 3 || (strcmp(argv[1], "segments") != 0 && strcmp(argv[1], "syns") != 0) || atoi(argv[2]) <= 0) {
    fprintf(stderr, "usage: instr segments|syns N\n");
    return 2;
  }
  uint32_t n = (uint32_t)atoi(argv[2]), now = 1000;
  embertcp_rt_start();
  uint32_t sp = net_scratch();
  memcpy(embertcp_mem(sp, 6), board_mac, 6);
  if (net_init(EMBERTCP_LINK_HOST_FRAMES, sp, BOARD_IP, 0xffffff00u, PEER_IP) < 0) return 1;
  net_poll(now);
  if (strcmp(argv[1], "segments") == 0) {
    uint32_t seq = 1000;
    int32_t c = connect_peer(&seq);
    static uint8_t payload[1460];
    for (int i = 0; i < 1460; i++) payload[i] = (uint8_t)(i * 31 + 7);
    segments(c, seq, b.seen.seq + 1, payload, n, &now);
    uint32_t st = net_scratch();
    net_stats(st);
    printf("segments %u frames out %u\n", n, b.frames_out);
  } else {
    tcp_listen(7, 16);
    input(wire_arp_reply(b.frame));
    syns(n);
    printf("syns %u frames out %u\n", n, b.frames_out);
  }
  return 0;
}
