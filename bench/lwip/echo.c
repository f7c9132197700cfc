/*
 * lwip-echo: the comparison peer of `npm run bench:native`. Debian's lwIP
 * (package liblwip-dev, 2.1.3: built with NO_SYS=0, so a tapif reader
 * thread hands frames to the tcpip thread) on a TAP, serving echo (RFC 862)
 * on port 7 with lwIP's raw TCP API in the tcpip thread, the way an lwIP
 * board would. The Linux client suite then measures it as it measures
 * embertcp-tap.
 *
 *   PRECONFIGURED_TAPIF=NAME lwip-echo A.B.C.D NETMASK GATEWAY
 *
 * lwIP's tapif opens the TAP of that name itself; the caller brings it up
 * and gives Linux its address. Prints "running" once the interface is up;
 * SIGINT or SIGTERM ends it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "netif/tapif.h"

static struct netif tap;

/* Everything received goes back at once: copy it into the send buffer as
 * far as it fits, and keep the rest for the next ACK (sent callback). */
struct echo_state { struct pbuf* pending; };

static void echo_flush(struct tcp_pcb* pcb, struct echo_state* es) {
  while (es->pending) {
    struct pbuf* p = es->pending;
    if (p->len > tcp_sndbuf(pcb) || tcp_write(pcb, p->payload, p->len, TCP_WRITE_FLAG_COPY) != ERR_OK) break;
    tcp_recved(pcb, p->len);
    es->pending = p->next;
    if (es->pending) pbuf_ref(es->pending);
    pbuf_free(p);
  }
  tcp_output(pcb);
}

static void echo_end(struct tcp_pcb* pcb, struct echo_state* es) {
  tcp_arg(pcb, NULL);
  tcp_recv(pcb, NULL);
  tcp_sent(pcb, NULL);
  tcp_err(pcb, NULL);
  if (es) { if (es->pending) pbuf_free(es->pending); free(es); }
  if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
}

static err_t echo_sent(void* arg, struct tcp_pcb* pcb, u16_t len) {
  (void)len;
  if (arg) echo_flush(pcb, arg);
  return ERR_OK;
}

static err_t echo_recv(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err) {
  struct echo_state* es = arg;
  if (!p || err != ERR_OK) {  /* the peer closed: close too */
    if (p) pbuf_free(p);
    echo_end(pcb, es);
    return ERR_OK;
  }
  if (es->pending) pbuf_cat(es->pending, p); else es->pending = p;
  echo_flush(pcb, es);
  return ERR_OK;
}

static void echo_err(void* arg, err_t err) {
  (void)err;
  struct echo_state* es = arg;  /* lwIP has freed the pcb */
  if (es) { if (es->pending) pbuf_free(es->pending); free(es); }
}

static err_t echo_accept(void* arg, struct tcp_pcb* pcb, err_t err) {
  (void)arg;
  if (err != ERR_OK || !pcb) return ERR_VAL;
  struct echo_state* es = calloc(1, sizeof *es);
  if (!es) return ERR_MEM;
  tcp_nagle_disable(pcb);
  tcp_arg(pcb, es);
  tcp_recv(pcb, echo_recv);
  tcp_sent(pcb, echo_sent);
  tcp_err(pcb, echo_err);
  return ERR_OK;
}

static ip4_addr_t addr, mask, gw;
static sys_sem_t ready;

static void start(void* arg) {
  (void)arg;
  netif_add(&tap, &addr, &mask, &gw, NULL, tapif_init, tcpip_input);
  netif_set_default(&tap);
  netif_set_up(&tap);
  netif_set_link_up(&tap);
  struct tcp_pcb* l = tcp_new();
  if (!l || tcp_bind(l, IP_ADDR_ANY, 7) != ERR_OK || !(l = tcp_listen(l))) {
    fprintf(stderr, "lwip-echo: cannot listen on port 7\n");
    exit(1);
  }
  tcp_accept(l, echo_accept);
  sys_sem_signal(&ready);
}

int main(int argc, char** argv) {
  if (argc != 4 || !ip4addr_aton(argv[1], &addr) || !ip4addr_aton(argv[2], &mask) || !ip4addr_aton(argv[3], &gw)) {
    fprintf(stderr, "usage: PRECONFIGURED_TAPIF=NAME lwip-echo ADDRESS NETMASK GATEWAY\n");
    return 2;
  }
  if (!getenv("PRECONFIGURED_TAPIF")) {
    fprintf(stderr, "lwip-echo: set PRECONFIGURED_TAPIF to the TAP's name\n");
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);  /* lwIP's threads inherit the mask */
  if (sys_sem_new(&ready, 0) != ERR_OK) return 1;
  tcpip_init(start, NULL);
  sys_arch_sem_wait(&ready, 0);
  printf("running\n");
  fflush(stdout);
  int sig;
  sigwait(&set, &sig);
  return 0;
}
