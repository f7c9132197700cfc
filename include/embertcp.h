/*
 * embertcp.h - the embertcp.wasm ABI for firmware hosts written in C.
 *
 * Two uses:
 *  1. A native WebAssembly runtime (WAMR, wasm3) hosting embertcp.wasm
 *     implements the EMBERTCP_HAL_* imports below (module "hal") and calls
 *     the exports through its runtime API with these signatures.
 *  2. A C firmware compiled to wasm32 (clang --target=wasm32) that is
 *     instantiated next to embertcp.wasm declares the exports as imports
 *     from module "embertcp" (define EMBERTCP_WASM_IMPORTS before including).
 *
 * See docs/ABI.md for the meaning of every call, the error codes, the
 * net_stats counter order and the tcp_status / tcp_list layouts.
 * All values are 32-bit; IPv4 addresses are big-endian numbers
 * (10.0.0.2 == 0x0A000002u). Pointers are offsets into embertcp's memory.
 */
#ifndef EMBERTCP_H
#define EMBERTCP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Error codes (negative results) ---- */
#define EMBERTCP_EINVAL        (-1)
#define EMBERTCP_ENOMEM        (-2)
#define EMBERTCP_EAGAIN        (-3)
#define EMBERTCP_ENOTCONN      (-4)
#define EMBERTCP_ECONNRESET    (-5)
#define EMBERTCP_ECONNREFUSED  (-6)
#define EMBERTCP_ETIMEDOUT     (-7)
#define EMBERTCP_EADDRINUSE    (-8)
#define EMBERTCP_ECLOSED       (-9)
#define EMBERTCP_ENODEV        (-10)
#define EMBERTCP_EMSGSIZE      (-11)
#define EMBERTCP_ENOTFOUND     (-12)
#define EMBERTCP_ENETUNREACH   (-13)

/* ---- net_init links ---- */
#define EMBERTCP_LINK_HOST_FRAMES 0
#define EMBERTCP_LINK_ENC28J60    1

/* ---- The imported-memory build (build/embertcp.imported-memory.wasm) ----
 * It imports its memory as "env" "memory" (64 KiB pages, initial = maximum)
 * instead of exporting one, and keeps all its static data at or above the
 * base: a firmware sharing the memory owns everything below it. */
#define EMBERTCP_IMPORTED_MEMORY_BASE  0x10000u
#define EMBERTCP_IMPORTED_MEMORY_PAGES 4

/* ---- tcp_state values (RFC 9293 §3.3.2) ---- */
enum embertcp_state {
  EMBERTCP_CLOSED = 0, EMBERTCP_LISTEN, EMBERTCP_SYN_SENT, EMBERTCP_SYN_RECEIVED,
  EMBERTCP_ESTABLISHED, EMBERTCP_FIN_WAIT_1, EMBERTCP_FIN_WAIT_2, EMBERTCP_CLOSE_WAIT,
  EMBERTCP_CLOSING, EMBERTCP_LAST_ACK, EMBERTCP_TIME_WAIT
};

/* ---- tcp_poll flags ---- */
#define EMBERTCP_POLL_READABLE    0x01
#define EMBERTCP_POLL_WRITABLE    0x02
#define EMBERTCP_POLL_PEER_CLOSED 0x04
#define EMBERTCP_POLL_ERROR       0x08
#define EMBERTCP_POLL_ESTABLISHED 0x10

/* ---- net_config keys ---- */
enum embertcp_config_key {
  EMBERTCP_CFG_SYNCOOKIES = 0, EMBERTCP_CFG_SYNACK_RETRIES, EMBERTCP_CFG_MSL_MS,
  EMBERTCP_CFG_FULL_DUPLEX, EMBERTCP_CFG_EPHEMERAL_LOW, EMBERTCP_CFG_EPHEMERAL_HIGH,
  EMBERTCP_CFG_RTO_MIN_MS, EMBERTCP_CFG_RTO_MAX_MS, EMBERTCP_CFG_TCP_MAX_RETRIES,
  EMBERTCP_CFG_DELACK_MS, EMBERTCP_CFG_NAGLE, EMBERTCP_CFG_COOKIE_PERIOD_MS,
  EMBERTCP_CFG_CHALLENGE_ACK_LIMIT, EMBERTCP_CFG_ARP_TIMEOUT_MS, EMBERTCP_CFG_ARP_RETRIES,
  EMBERTCP_CFG_ARP_RETRY_MS, EMBERTCP_CFG_SYNACK_RTO_MS, EMBERTCP_CFG_TCB_FULL,
  EMBERTCP_CFG_RECLAIM_IDLE_MS
};

/* ---- tcp_option keys (value >= 0 sets, < 0 reads) ---- */
enum embertcp_tcp_option {
  EMBERTCP_OPT_NODELAY = 0, EMBERTCP_OPT_KEEPALIVE, EMBERTCP_OPT_KEEPIDLE_MS,
  EMBERTCP_OPT_KEEPINTVL_MS, EMBERTCP_OPT_KEEPCNT, EMBERTCP_OPT_USER_TIMEOUT_MS
};

/* ---- tcp_status record: 24 u32 fields ---- */
typedef struct embertcp_status {
  uint32_t state, local_ip, local_port, remote_ip, remote_port;
  uint32_t iss, irs, snd_una, snd_nxt, snd_wnd, rcv_nxt, rcv_wnd;
  uint32_t rto_ms, send_queued, recv_queued;
  uint32_t snd_up, rcv_up, snd_wl1, snd_wl2, cwnd, ssthresh, srtt_ms, retries, snd_mss;
} embertcp_status;

/* ---- udp_recvfrom meta: 3 u32 fields ---- */
typedef struct embertcp_udp_meta {
  uint32_t src_ip, src_port, length; /* length: the whole datagram, even when truncated */
} embertcp_udp_meta;

/* ---- net_addr record: 8 u32 fields ---- */
typedef struct embertcp_addr {
  uint32_t ip, netmask, gateway, dns1, dns2, dhcp_state, lease_left_s, dhcp_server;
} embertcp_addr;

/* ---- net_addr dhcp_state ---- */
enum embertcp_dhcp_state {
  EMBERTCP_DHCP_STATIC = 0, EMBERTCP_DHCP_INIT, EMBERTCP_DHCP_SELECTING, EMBERTCP_DHCP_REQUESTING,
  EMBERTCP_DHCP_CHECKING, EMBERTCP_DHCP_BOUND, EMBERTCP_DHCP_RENEWING, EMBERTCP_DHCP_REBINDING
};

/* ---- tcp_list entry: 6 u32 fields; handle is -1 for a half-open entry or a connection tcp_close let go of ---- */
typedef struct embertcp_list_entry {
  int32_t handle;
  uint32_t state, local_ip, local_port, remote_ip, remote_port;
} embertcp_list_entry;

#if defined(EMBERTCP_WASM_IMPORTS) && defined(__wasm__)
#define EMBERTCP_EXPORT(name) __attribute__((import_module("embertcp"), import_name(#name)))
#else
#define EMBERTCP_EXPORT(name)
#endif

/* ---- Exports of embertcp.wasm ---- */
EMBERTCP_EXPORT(net_init) int32_t net_init(int32_t link, uint32_t mac_ptr, uint32_t ip, uint32_t netmask, uint32_t gateway);
EMBERTCP_EXPORT(net_poll) int32_t net_poll(uint32_t now_ms);
EMBERTCP_EXPORT(net_input) int32_t net_input(uint32_t ptr, int32_t len);
EMBERTCP_EXPORT(net_scratch) uint32_t net_scratch(void);
EMBERTCP_EXPORT(net_scratch_size) int32_t net_scratch_size(void);
EMBERTCP_EXPORT(net_config) int32_t net_config(int32_t key, int32_t value);
EMBERTCP_EXPORT(net_stats) int32_t net_stats(uint32_t out_ptr);
EMBERTCP_EXPORT(tcp_listen) int32_t tcp_listen(int32_t port, int32_t backlog);
EMBERTCP_EXPORT(tcp_accept) int32_t tcp_accept(int32_t listener);
EMBERTCP_EXPORT(tcp_connect) int32_t tcp_connect(uint32_t ip, int32_t port);
EMBERTCP_EXPORT(tcp_send) int32_t tcp_send(int32_t conn, uint32_t ptr, int32_t len);
EMBERTCP_EXPORT(tcp_recv) int32_t tcp_recv(int32_t conn, uint32_t ptr, int32_t len);
EMBERTCP_EXPORT(tcp_close) int32_t tcp_close(int32_t conn);
EMBERTCP_EXPORT(tcp_abort) int32_t tcp_abort(int32_t conn);
EMBERTCP_EXPORT(tcp_poll) int32_t tcp_poll(int32_t conn);
EMBERTCP_EXPORT(tcp_state) int32_t tcp_state(int32_t conn);
EMBERTCP_EXPORT(tcp_status) int32_t tcp_status(int32_t conn, uint32_t out_ptr);
EMBERTCP_EXPORT(tcp_list) int32_t tcp_list(uint32_t out_ptr, int32_t max);
EMBERTCP_EXPORT(tcp_option) int32_t tcp_option(int32_t conn, int32_t key, int32_t value);
/* Absent from a build made with EMBER_UDP=0 (all of these), EMBER_DHCP=0 (net_addr,
 * net_hostname) or EMBER_DNS=0 (dns_*); see docs/EMBEDDING.md. */
EMBERTCP_EXPORT(udp_bind) int32_t udp_bind(int32_t port);
EMBERTCP_EXPORT(udp_sendto) int32_t udp_sendto(int32_t sock, uint32_t ip, int32_t port, uint32_t ptr, int32_t len);
EMBERTCP_EXPORT(udp_recvfrom) int32_t udp_recvfrom(int32_t sock, uint32_t ptr, int32_t len, uint32_t meta_ptr);
EMBERTCP_EXPORT(udp_close) int32_t udp_close(int32_t sock);
EMBERTCP_EXPORT(udp_port) int32_t udp_port(int32_t sock);
EMBERTCP_EXPORT(net_addr) int32_t net_addr(uint32_t out_ptr);
EMBERTCP_EXPORT(net_hostname) int32_t net_hostname(uint32_t ptr, int32_t len);
EMBERTCP_EXPORT(dns_server) int32_t dns_server(int32_t index, uint32_t ip);
EMBERTCP_EXPORT(dns_query) int32_t dns_query(uint32_t name_ptr, int32_t len);
EMBERTCP_EXPORT(dns_result) int32_t dns_result(int32_t q, uint32_t out_ptr);

/* ---- Imports of embertcp.wasm (module "hal"): the host provides these ---- */
void hal_spi_select(int32_t active);                       /* "spi_select" */
void hal_spi_transfer(uint32_t ptr, int32_t len);          /* "spi_transfer" */
void hal_frame_out(uint32_t ptr, int32_t len);             /* "frame_out" */
uint32_t hal_entropy(void);                                /* "entropy" */
void hal_log(int32_t level, uint32_t ptr, int32_t len);    /* "log" */

#ifdef __cplusplus
}
#endif

#endif /* EMBERTCP_H */
