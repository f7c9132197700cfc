/*
 * main.c - embertcp-tap: embertcp (wasm2c C) as a native Linux process on
 * a TAP device, the counterpart of lwIP's unix port. One thread, one
 * epoll loop over the TAP and a signalfd: frames are read in batches and
 * handed to net_input, net_poll runs at the deadline it returns (the clock
 * is CLOCK_MONOTONIC), the apps run after each turn. SIGINT/SIGTERM end
 * the loop with a summary; a trap in the module ends it with status 3.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "embertcp.h"
#include "embertcp-rt.h"
#include "port.h"
#include "tap.h"

#define BATCH 64            /* frames per wake before timers and apps run (accepts: every APPS_BACKLOG) */
#define MAX_FRAME 1514      /* Ethernet without FCS */
#define STATS_EVERY_MS 10000

struct port port = {.tap = -1, .epoll = -1, .signals = -1};

uint32_t port_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return (uint32_t)((ns - port.start_ns) / 1000000u);
}

void port_event(void* ctx, const char* kind, const char* text) {
  (void)ctx;
  uint32_t t = port_now();
  printf("[%5u.%03u] %s: %s\n", t / 1000, t % 1000, kind, text);
  fflush(stdout);
}

static uint32_t stat(uint32_t index) {
  uint32_t sp = net_scratch();
  int32_t n = net_stats(sp);
  const uint8_t* v = embertcp_mem(sp + index * 4, 4);
  uint32_t x = 0;
  if (v && (int32_t)index < n) memcpy(&x, v, 4);
  return x;
}

/* Indices into net_stats (docs/ABI.md). */
#define ST_ARP_REPLIES 9
#define ST_ARP_REQUESTS 10
#define ST_ARP_UPDATES 11

static uint32_t accepted_total(void) {
  uint32_t n = 0;
  for (int i = 0; i < APP_COUNT; i++) n += port.apps.accepted[i];
  return n;
}

static void summary_line(char* out, size_t len) {
  snprintf(out, len, "%u frames in, %u out, %u connections accepted, %u oversize frames dropped, %u frames not sent, "
           "%llu dropped by the TAP queue", port.frames_in, port.frames_out, accepted_total(), port.drop_oversize, port.drop_tx,
           (unsigned long long)tap_queue_drops(port.opt.tap));
}

/* Connection changes every 200 ms, ARP cache changes, a stats line every 10 s while traffic flows. */
static void sample(void) {
  if (port.now - port.last_list_ms >= 200) {
    conns_sample(&port.conns);
    port.last_list_ms = port.now;
  }
  uint32_t arp = stat(ST_ARP_UPDATES);
  if (arp != port.last_arp_updates) {
    char line[128];
    snprintf(line, sizeof line, "cache updated (%u updates, %u replies sent, %u requests sent)", arp, stat(ST_ARP_REPLIES),
             stat(ST_ARP_REQUESTS));
    port_event(0, "arp", line);
    port.last_arp_updates = arp;
  }
  if (port.now - port.last_stats_ms >= STATS_EVERY_MS) {
    char line[200];
    summary_line(line, sizeof line);
    if (strcmp(line, port.last_stats) != 0) port_event(0, "stats", line);
    memcpy(port.last_stats, line, sizeof line);
    port.last_stats_ms = port.now;
  }
}

_Noreturn void embertcp_port_trap(int code, const char* why) {
  fprintf(stderr, "embertcp-tap: the module trapped (%d: %s); stopping\n", code, why);
  fflush(stdout);
  _exit(3);
}

/* Read up to BATCH frames. Returns 0, or -1 when the TAP is gone. */
static int read_frames(void) {
  uint32_t sp = net_scratch(), cap = (uint32_t)net_scratch_size();
  uint8_t* s = embertcp_mem(sp, cap);
  if (!s) return -1;
  for (int i = 0; i < BATCH; i++) {
    /* Straight into the scratch buffer; it holds more than MAX_FRAME, so
     * a longer frame shows as a read longer than MAX_FRAME. */
    ssize_t n = read(port.tap, s, cap);
    if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    if (n == 0) return -1;
    if (n > MAX_FRAME) { port.drop_oversize++; continue; }
    port.frames_in++;
    net_input(sp, (int32_t)n);
    /* A batch may complete more handshakes than an accept queue holds. */
    if ((i + 1) % APPS_BACKLOG == 0) apps_accept(&port.apps, port.now);
  }
  return 0;
}

static int setup(void) {
  struct options* o = &port.opt;
  port.tap = tap_open(o->tap);
  if (port.tap < 0) {
    fprintf(stderr, "embertcp-tap: cannot create TAP %s: %s; TAP devices need root (or CAP_NET_ADMIN) and /dev/net/tun\n",
            o->tap, strerror(errno));
    return -1;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, 0);
  port.signals = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  port.epoll = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN};
  ev.data.fd = port.tap;
  if (port.signals < 0 || port.epoll < 0 || epoll_ctl(port.epoll, EPOLL_CTL_ADD, port.tap, &ev) < 0) return -1;
  ev.data.fd = port.signals;
  return epoll_ctl(port.epoll, EPOLL_CTL_ADD, port.signals, &ev);
}

static int start_stack(void) {
  struct options* o = &port.opt;
  uint32_t sp = net_scratch();
  uint8_t* mac = embertcp_mem(sp, 6);
  memcpy(mac, o->mac, 6);
  int32_t r = net_init(EMBERTCP_LINK_HOST_FRAMES, sp, o->ip, o->netmask, o->gateway);
  if (r < 0) { fprintf(stderr, "embertcp-tap: net_init failed (%d)\n", r); return -1; }
  if (o->syncookies >= 0) net_config(EMBERTCP_CFG_SYNCOOKIES, o->syncookies);
  char line[160];
  snprintf(line, sizeof line, "board %u.%u.%u.%u/%u (%02x:%02x:%02x:%02x:%02x:%02x) on TAP %s, %u bytes of module memory",
           o->ip >> 24, (o->ip >> 16) & 255, (o->ip >> 8) & 255, o->ip & 255, o->prefix, o->mac[0], o->mac[1], o->mac[2],
           o->mac[3], o->mac[4], o->mac[5], o->tap, embertcp_mem_size());
  port_event(0, "link", line);
  apps_start(&port.apps, o->apps, o->ip, port_now(), port_event, 0);
  return 0;
}

/* The loop: returns the exit status. */
static int run(void) {
  int32_t next = net_poll(port.now = port_now());
  uint32_t poll_at = port.now + (uint32_t)(next < 0 ? 1000 : next);
  for (;;) {
    int32_t wait = (int32_t)(poll_at - port_now());
    int32_t app = apps_wake(&port.apps, port_now());
    if (app >= 0 && app < wait) wait = app;
    if (wait > 200) wait = 200;  /* ARP and stats sampling */
    if (wait < 0) wait = 0;
    struct epoll_event evs[2];
    int n = epoll_wait(port.epoll, evs, 2, wait);
    if (n < 0 && errno != EINTR) { perror("embertcp-tap: epoll_wait"); return 1; }
    int input = 0;
    for (int i = 0; i < n; i++) {
      if (evs[i].data.fd == port.signals) return 0;
      if (evs[i].events & (EPOLLERR | EPOLLHUP) || read_frames() < 0) {
        port_event(0, "link", "TAP gone; stopping");
        return 1;
      }
      input = 1;
    }
    port.now = port_now();
    if (input || (int32_t)(port.now - poll_at) >= 0) {
      next = net_poll(port.now);
      poll_at = port.now + (uint32_t)(next < 0 ? 1000 : next);
    }
    /* Apps may queue data or close: poll again at once so it goes out. */
    for (int turn = 0; turn < 8 && apps_service(&port.apps, port.now); turn++) {
      next = net_poll(port.now);
      poll_at = port.now + (uint32_t)(next < 0 ? 1000 : next);
    }
    sample();
  }
}

int main(int argc, char** argv) {
  char why[200];
  int r = options_parse(argc, argv, &port.opt, why, sizeof why);
  if (r == 1) { puts(USAGE); return 0; }
  if (r < 0) { fprintf(stderr, "embertcp-tap: %s (%s)\n", why, USAGE); return 2; }
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  port.start_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  embertcp_rt_start();  /* first: a module that cannot even load traps before the TAP exists */
  if (setup() < 0 || start_stack() < 0) return 1;
  printf("running; Ctrl-C to stop\n");
  fflush(stdout);
  int status = run();
  apps_stop(&port.apps);
  net_poll(port_now());  /* the resets of the aborts go out */
  char line[200];
  summary_line(line, sizeof line);
  printf("stopped: %s\n", line);
  close(port.tap);
  return status;
}
