/*
 * main.c - embertcp on an MPS2 Cortex-M board under QEMU: the port's one
 * `struct port`, its interrupt handlers, the module's hal imports and the
 * poll loop of docs/EMBEDDING.md ("The poll loop").
 *
 * Link 0 (host frames): Ethernet frames with their FCS travel SLIP-framed
 * over UART0 (slip.h), the way a board with a serial link talks to the
 * simulator. UART1 carries the log. A trap in the module logs one "trap:"
 * line, a fault or an unexpected exception one "fault:" line, and the
 * board resets; the next boot logs its "boot" line again, which is how the
 * host notices.
 */
#include "mps2.h"
#include "board.h"
#include "config.h"
#include "entropy.h"
#include "slip.h"
#include "measure.h"
#include "apps.h"
#include "embertcp.h"
#include "embertcp-rt.h"

#ifndef PORT_CPU_NAME
#define PORT_CPU_NAME "cortex-m"
#endif
#define STATS_EVERY_MS 2000u
#ifndef PORT_MEASURE
#define PORT_MEASURE 0
#endif

struct port {
  volatile uint32_t ms; /* SysTick_Handler */
  struct uart_rx rx;    /* UARTRX0_IRQHandler */
  uint32_t ends_taken;  /* END bytes decoded so far (rx.ends: received) */
  struct uart_tx tx;
  struct slip_rx slip;
  struct slip_stats stats;
  struct entropy entropy;
  struct apps apps;
  uint32_t scratch;      /* module offset of net_scratch() */
  uint32_t stats_at;     /* when the link counters were last logged */
  uint32_t stats_sum;    /* their sum then: log only on change */
  struct measure m;      /* PORT_MEASURE builds */
};

static struct port port;

void SysTick_Handler(void) { port.ms++; }

void UARTRX0_IRQHandler(void) {
  entropy_stir(&port.entropy, SYST_CVR);
  uart_rx_service(MPS2_UART0, &port.rx);
}

void UARTOVF_IRQHandler(void) { uart_rx_service(MPS2_UART0, &port.rx); }

void HardFault_Handler(void) { port_fault("fault", "hard fault"); }

__attribute__((noreturn)) void port_fault(const char *kind, const char *why) {
  irq_disable();
  log_str(kind);
  log_str(": ");
  log_str(why);
  log_str("; resetting\n");
  SCB_AIRCR = SCB_AIRCR_RESET;
  for (;;) {
  }
}

_Noreturn void embertcp_port_trap(int code, const char *why) {
  (void)code;
  port_fault("trap", why);
}

/* ---- the module's hal imports ---- */
void hal_spi_select(int32_t active) { (void)active; }          /* link 0: no ENC28J60 */
void hal_spi_transfer(uint32_t ptr, int32_t len) { (void)ptr; (void)len; }
uint32_t hal_entropy(void) { return entropy_next(&port.entropy); }

void hal_frame_out(uint32_t ptr, int32_t len) {
  uint32_t t0 = PORT_MEASURE ? SYST_CVR : 0u;
  const uint8_t *frame = embertcp_mem(ptr, (uint32_t)len);
  if (frame) slip_send(&port.tx, frame, (uint32_t)len, &port.stats);
  if (PORT_MEASURE) port.m.out_ticks += measure_since(t0) + 1u;
}

void hal_log(int32_t level, uint32_t ptr, int32_t len) {
  const uint8_t *text = embertcp_mem(ptr, (uint32_t)len);
  if (!text) return;
  log_str("log ");
  log_u32((uint32_t)level);
  log_str(" ");
  log_bytes(text, (uint32_t)len);
  log_str("\n");
}

/* ---- the link: whole SLIP packets out of the receive ring ---- */

#if PORT_TEST_HOOKS
/* Test builds only (build:mcu --define PORT_TEST_HOOKS=1): a frame of the
 * IEEE 802 local experimental EtherType 88B5 makes the runtime trap as an
 * out-of-bounds access in the module would, so a test can watch the trap
 * path (log, reset, the host's report) work. */
#include "wasm-rt.h"
static void test_hooks(const uint8_t *frame, uint32_t len) {
  if (len >= ETH_HEADER && frame[12] == 0x88u && frame[13] == 0xB5u) wasm_rt_trap(WASM_RT_TRAP_OOB);
}
#else
static void test_hooks(const uint8_t *frame, uint32_t len) { (void)frame; (void)len; }
#endif

/* A TCP segment with SYN and without ACK (IPv4 in Ethernet II, RFC 9293 §3.1). */
static int is_syn(const uint8_t *f, uint32_t len) {
  if (len < ETH_HEADER + 20u || f[12] != 0x08u || f[13] != 0x00u || f[23] != 6u) return 0;
  uint32_t tcp = ETH_HEADER + 4u * (f[14] & 0x0Fu);
  return len >= tcp + 20u && (f[tcp + 13] & 0x12u) == 0x02u;
}

/* Hand a frame to the module; measurement builds count its instructions. */
static void input(uint32_t len) {
  if (!PORT_MEASURE) {
    net_input(port.scratch, (int32_t)len);
    return;
  }
  /* Interrupts are masked by link_service for the whole packet. */
  struct measure_sum *sum = len >= 1514u ? &port.m.segment : is_syn(port.slip.buf, len) ? &port.m.syn : 0;
  port.m.out_ticks = 0;
  uint32_t t0 = SYST_CVR;
  net_input(port.scratch, (int32_t)len);
  uint32_t call = measure_since(t0);
  port.m.call_ticks = call;
  if (sum) measure_add(sum, call - port.m.out_ticks);
}

/* net_poll; measurement builds count the instructions of polls that had nothing to do. */
static int32_t poll(uint32_t now, int idle) {
  if (!PORT_MEASURE) return net_poll(now);
  irq_disable();
  port.m.out_ticks = 0;
  uint32_t t0 = SYST_CVR;
  int32_t next = net_poll(now);
  uint32_t ticks = measure_since(t0);
  irq_enable();
  if (idle && port.m.out_ticks == 0) measure_add(&port.m.idle, ticks);
  return next;
}

/* Decode one packet up to its END into the scratch buffer and hand a good
 * frame to the module. Runs only once the END is in the ring, so the
 * scratch buffer holds no half packet while the apps use it. */
static void take_packet(void) {
  struct uart_rx *rx = &port.rx;
  uint32_t tail = rx->tail, head = rx->head;
  /* Bytes before the first one after a loss (uart.c, mark_gap). */
  uint32_t until_gap = rx->gap ? rx->gap_at - tail : UINT32_MAX;
  for (uint32_t i = 0; tail + i != head; i++) {
    if (i == until_gap) {
      rx->gap = 0;
      slip_rx_lost(&port.slip);
    }
    uint8_t c = rx->buf[(tail + i) & (UART_RX_RING - 1u)];
    uint32_t len = slip_rx_byte(&port.slip, c, &port.stats);
    if (c != SLIP_END) continue;
    rx->tail = tail + i + 1u;
    port.ends_taken++;
    if (len) {
      test_hooks(port.slip.buf, len);
      input(len);
    }
    return;
  }
  rx->tail = head;
}

/* Returns whether a packet was taken. */
static int link_service(void) {
  /* A full ring without an END holds a packet longer than any frame:
   * decode it too (it is counted oversize at its END) to make room. */
  if (port.ends_taken == port.rx.ends && port.rx.head - port.rx.tail < UART_RX_RING) return 0;
  if (!PORT_MEASURE) {
    take_packet();
    return 1;
  }
  uint32_t frames = port.stats.frames_in, bytes = port.stats.bytes_in;
  port.m.call_ticks = 0;
  irq_disable();
  uint32_t t0 = SYST_CVR;
  take_packet();
  uint32_t ticks = measure_since(t0) - port.m.call_ticks;
  irq_enable();
  /* The link's own work on a full-size frame (1514 + FCS): decode and FCS check. */
  if (port.stats.frames_in != frames && port.stats.bytes_in - bytes == 1518u) measure_add(&port.m.link_in, ticks);
  return 1;
}

static void log_sum(const char *name, const struct measure_sum *m) {
  log_str(" ");
  log_str(name);
  log_str("=");
  log_u32(m->n);
  log_str("/");
  log_u32((uint32_t)m->ticks);
}

/* "measure segment=N/TICKS syn=... idle=... linkIn=...": calls and SysTick ticks. */
static void log_measure(void) {
  log_str("measure");
  log_sum("segment", &port.m.segment);
  log_sum("syn", &port.m.syn);
  log_sum("idle", &port.m.idle);
  log_sum("linkIn", &port.m.link_in);
  log_str("\n");
}

static void log_stats(uint32_t now) {
  const struct slip_stats *s = &port.stats;
  uint32_t sum = s->frames_in + s->frames_out + s->drop_bad_fcs + s->drop_slip_escape + s->drop_oversize +
                 s->drop_runt + s->drop_overrun + port.rx.lost_ring + port.rx.lost_hw;
  if (sum == port.stats_sum || now - port.stats_at < STATS_EVERY_MS) return;
  port.stats_sum = sum;
  port.stats_at = now;
  log_str("link framesIn=");     log_u32(s->frames_in);
  log_str(" framesOut=");        log_u32(s->frames_out);
  log_str(" dropBadFcs=");       log_u32(s->drop_bad_fcs);
  log_str(" dropSlipEscape=");   log_u32(s->drop_slip_escape);
  log_str(" dropOversize=");     log_u32(s->drop_oversize);
  log_str(" dropRunt=");         log_u32(s->drop_runt);
  log_str(" dropOverrun=");      log_u32(s->drop_overrun);
  log_str(" lostBytes=");        log_u32(port.rx.lost_ring + port.rx.lost_hw);
  log_str(" stackUsed=");        log_u32(stack_used());
  log_str("\n");
  if (PORT_MEASURE) log_measure();
}

/* "echo 10.0.0.1:40000 accepted" and the like, one line each. */
static void app_event(void *ctx, const char *kind, const char *text) {
  (void)ctx;
  log_str(kind);
  log_str(" ");
  log_str(text);
  log_str("\n");
}

static void log_ip(uint32_t ip) {
  for (int i = 3; i >= 0; i--) {
    log_u32((ip >> (8 * i)) & 0xFFu);
    if (i) log_str(".");
  }
}

static void start(void) {
  const volatile struct port_config *cfg = &port_config;
  clock_init();
  uart_init(MPS2_UART1, 115200u, -1);
  uart_init(MPS2_UART0, cfg->baud, MPS2_IRQ_UART0_RX);
  uart_tx_init(&port.tx, MPS2_UART0, cfg->pace ? cfg->baud : 0u, &port.ms);
  entropy_init(&port.entropy, cfg->seed);
  embertcp_rt_start();
  port.scratch = net_scratch();
  uint32_t size = (uint32_t)net_scratch_size();
  slip_rx_init(&port.slip, embertcp_mem(port.scratch, size), size);
  uint8_t *mac = embertcp_mem(port.scratch, 6);
  for (int i = 0; i < 6; i++) mac[i] = cfg->mac[i];
  int32_t rc = net_init(EMBERTCP_LINK_HOST_FRAMES, port.scratch, cfg->ip, cfg->netmask, cfg->gateway);
  log_str("boot embertcp " PORT_CPU_NAME " ip ");
  log_ip(cfg->ip);
  log_str(" memory ");
  log_u32(embertcp_mem_size());
  log_str(" bytes");
  if (rc < 0) {
    log_str(" net_init error ");
    log_u32((uint32_t)-rc);
    log_str("\n");
    port_fault("fault", "net_init failed");
  }
  log_str("\n");
  apps_start(&port.apps, cfg->apps, cfg->ip, port.ms, app_event, 0);
}

int main(void) {
  start();
  int apps_busy = 0;
  for (;;) {
    uint32_t now = port.ms;
    int busy = link_service();
    int32_t next = poll(now, !busy && !apps_busy);
    apps_busy = apps_service(&port.apps, now);
    busy |= apps_busy;
    log_stats(now);
    if (busy || next == 0) continue;
    /* Sleep until an interrupt: a byte, or the next millisecond tick. */
    irq_disable();
    if (port.ends_taken == port.rx.ends) wait_for_interrupt();
    irq_enable();
  }
}
