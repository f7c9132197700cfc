/*
 * A C firmware that links embertcp at the instance level: this module and
 * build/embertcp.imported-memory.wasm are instantiated side by side and
 * share one linear memory. embertcp's exports are this module's imports
 * (module "embertcp", declared by include/embertcp.h); its static data
 * starts at EMBERTCP_IMPORTED_MEMORY_BASE, and everything of ours (stack,
 * data, buffers) lies below that, so the pointers we pass are plain C
 * pointers into our own arrays.
 *
 * The board runtime calls fw_start once, fw_frame_in for each received
 * frame copied to fw_rx_buffer(), and fw_loop whenever the deadline it
 * returned has passed. The service is an echo server (RFC 862, TCP port 7).
 */
#define EMBERTCP_WASM_IMPORTS
#include "embertcp.h"

#define ECHO_PORT 7
#define MAX_CONNS 4
#define PENDING_SIZE 512
#define RX_BUFFER_SIZE 1536

#define EXPORT(name) __attribute__((export_name(#name)))

struct slot {
  int32_t conn;     /* handle, or -1 when free */
  int32_t off, len; /* bytes received but not yet accepted by tcp_send */
  uint8_t pending[PENDING_SIZE];
};

static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x20};
static struct slot slots[MAX_CONNS];
static uint8_t rx_buffer[RX_BUFFER_SIZE];
static int32_t listener = -1;
static uint32_t echoed;

static uint32_t addr(const void *p) { return (uint32_t)(uintptr_t)p; }

EXPORT(fw_start) int32_t fw_start(uint32_t ip, uint32_t netmask, uint32_t gateway) {
  int32_t r = net_init(EMBERTCP_LINK_HOST_FRAMES, addr(mac), ip, netmask, gateway);
  if (r < 0) return r;
  for (int i = 0; i < MAX_CONNS; i++) slots[i].conn = -1;
  listener = tcp_listen(ECHO_PORT, MAX_CONNS);
  return listener < 0 ? listener : 0;
}

EXPORT(fw_rx_buffer) uint32_t fw_rx_buffer(void) { return addr(rx_buffer); }
EXPORT(fw_rx_buffer_size) int32_t fw_rx_buffer_size(void) { return RX_BUFFER_SIZE; }

EXPORT(fw_frame_in) int32_t fw_frame_in(int32_t len) {
  if (len < 0 || len > RX_BUFFER_SIZE) return EMBERTCP_EINVAL;
  return net_input(addr(rx_buffer), len);
}

EXPORT(fw_echoed) uint32_t fw_echoed(void) { return echoed; }

static void drop(struct slot *s, int abort) {
  if (abort) tcp_abort(s->conn);
  else tcp_close(s->conn);
  s->conn = -1;
}

/* Move bytes from the receive side to the send side; 1 if any moved. */
static int serve(struct slot *s) {
  int moved = 0;
  for (;;) {
    if (s->len == 0) {
      int32_t n = tcp_recv(s->conn, addr(s->pending), PENDING_SIZE);
      if (n == EMBERTCP_EAGAIN) break;
      if (n == 0) { drop(s, 0); return 1; }  /* end of stream */
      if (n < 0) { drop(s, 1); return 1; }   /* reset or timed out */
      s->off = 0;
      s->len = n;
      moved = 1;
    }
    int32_t sent = tcp_send(s->conn, addr(s->pending + s->off), s->len);
    if (sent < 0) { drop(s, 1); return 1; }
    if (sent == 0) break;                     /* send ring full */
    echoed += (uint32_t)sent;
    s->off += sent;
    s->len -= sent;
    moved = 1;
  }
  return moved;
}

EXPORT(fw_loop) int32_t fw_loop(uint32_t now_ms) {
  int32_t next = net_poll(now_ms);
  if (next < -1) return next;
  for (int i = 0; i < MAX_CONNS && listener >= 0; i++) {
    if (slots[i].conn >= 0) continue;
    int32_t c = tcp_accept(listener);
    if (c < 0) break;
    slots[i].conn = c;
    slots[i].off = slots[i].len = 0;
  }
  int busy = 0;
  for (int i = 0; i < MAX_CONNS; i++)
    if (slots[i].conn >= 0 && serve(&slots[i])) busy = 1;
  return busy ? net_poll(now_ms) : next;
}

/*
 * Bad input, the way a buggy firmware would pass it: ranges past the end of
 * memory, negative lengths, lengths that wrap. Each call must answer
 * EINVAL; returns a bit mask of the calls that did not (0 = all good).
 */
EXPORT(fw_probe_bad_inputs) uint32_t fw_probe_bad_inputs(void) {
  uint32_t end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
  uint32_t bad = 0, bit = 1;
#define EXPECT_EINVAL(call) do { if ((call) != EMBERTCP_EINVAL) bad |= bit; bit <<= 1; } while (0)
  EXPECT_EINVAL(net_init(EMBERTCP_LINK_HOST_FRAMES, end - 3, 0x0A000002u, 0xFFFFFF00u, 0));
  EXPECT_EINVAL(net_input(end - 10, 60));
  EXPECT_EINVAL(net_input(addr(rx_buffer), -1));
  EXPECT_EINVAL(net_stats(end - 8));
  EXPECT_EINVAL(net_stats(0xFFFFFFF0u));
  EXPECT_EINVAL(tcp_send(1, end - 4, 64));
  EXPECT_EINVAL(tcp_send(1, 0xFFFFFFFFu, 2));
  EXPECT_EINVAL(tcp_recv(1, end - 100, 1000));
  EXPECT_EINVAL(tcp_recv(1, addr(rx_buffer), -5));
  EXPECT_EINVAL(tcp_recv(1, 0xFFFFFF00u, 0x200));
  EXPECT_EINVAL(tcp_status(1, end - 95));
  EXPECT_EINVAL(tcp_list(end - 24, 2));
  EXPECT_EINVAL(tcp_list(addr(rx_buffer), 0x40000000));
  EXPECT_EINVAL(tcp_list(addr(rx_buffer), -1));
#undef EXPECT_EINVAL
  return bad;
}

/* How many calls fw_probe_bad_inputs makes. */
EXPORT(fw_probe_count) int32_t fw_probe_count(void) { return 14; }
