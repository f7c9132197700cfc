// Compile-time limits. Every static pool is sized from these; a build with
// other limits is a recompile (see docs/EMBEDDING.md). Each can be overridden
// on the asc command line with `--use EMBER_<NAME>=<value>`, which is how the
// tests and benches build small variants (e.g. 4 TCBs for the flood test).

/** TCP control blocks (established, closing or actively opening connections). */
// @ts-ignore: decorator
@inline export const TCB_COUNT: i32 = isDefined(EMBER_TCB_COUNT) ? EMBER_TCB_COUNT : 8;

/** Bytes in each connection's send ring (power of two). */
// @ts-ignore: decorator
@inline export const TCP_TX_BUF: i32 = isDefined(EMBER_TCP_TX_BUF) ? EMBER_TCP_TX_BUF : 4096;

/** Bytes in each connection's receive ring (power of two). */
// @ts-ignore: decorator
@inline export const TCP_RX_BUF: i32 = isDefined(EMBER_TCP_RX_BUF) ? EMBER_TCP_RX_BUF : 4096;

/**
 * The most a ring holds at once: its size, up to 65,535 bytes. The TCB
 * keeps ring lengths in 16 bits and the window field carries no more
 * (RFC 9293 §3.1; window scaling, RFC 7323, is not used), so a 64 KiB ring
 * keeps one byte free rather than wrapping its length to 0.
 */
// @ts-ignore: decorator
@inline export const TCP_TX_HOLD: i32 = TCP_TX_BUF > 0xffff ? 0xffff : TCP_TX_BUF;
// @ts-ignore: decorator
@inline export const TCP_RX_HOLD: i32 = TCP_RX_BUF > 0xffff ? 0xffff : TCP_RX_BUF;

/** Out-of-order holes tracked per receive ring. */
// @ts-ignore: decorator
@inline export const TCP_OOO_HOLES: i32 = isDefined(EMBER_TCP_OOO_HOLES) ? EMBER_TCP_OOO_HOLES : 4;

/** Listening sockets. */
// @ts-ignore: decorator
@inline export const LISTENER_COUNT: i32 = isDefined(EMBER_LISTENER_COUNT) ? EMBER_LISTENER_COUNT : 4;

/** Half-open (SYN-RECEIVED) entries shared by all listeners. */
// @ts-ignore: decorator
@inline export const SYN_QUEUE: i32 = isDefined(EMBER_SYN_QUEUE) ? EMBER_SYN_QUEUE : 16;

/** ARP cache entries. */
// @ts-ignore: decorator
@inline export const ARP_ENTRIES: i32 = isDefined(EMBER_ARP_ENTRIES) ? EMBER_ARP_ENTRIES : 8;

/** Largest Ethernet frame handled, without FCS (1500 MTU + 14 header + 4 spare). */
// @ts-ignore: decorator
@inline export const FRAME_MAX: i32 = 1518;

/** Bytes in the host I/O scratch buffer (net_scratch_size). */
// @ts-ignore: decorator
@inline export const SCRATCH_SIZE: i32 = 1536;

/** IPv4 MTU of the link: the largest datagram sent or taken (RFC 894, RFC 1122 §3.3.3). */
// @ts-ignore: decorator
@inline export const LINK_MTU: i32 = 1500;

/** UDP (RFC 768) in the build: 1 yes, 0 no (udp_* exports absent; DHCP and DNS need it). */
// @ts-ignore: decorator
@inline export const UDP: i32 = isDefined(EMBER_UDP) ? EMBER_UDP : 1;

/** The DHCP client (RFC 2131) in the build: 1 yes, 0 no (net_init then needs an address). */
// @ts-ignore: decorator
@inline export const DHCP: i32 = isDefined(EMBER_DHCP) ? EMBER_DHCP : 1;

/** The DNS stub resolver (RFC 1035) in the build: 1 yes, 0 no (dns_* exports absent). */
// @ts-ignore: decorator
@inline export const DNS: i32 = isDefined(EMBER_DNS) ? EMBER_DNS : 1;

/** Congestion control (RFC 5681, RFC 9438) in the sender: 1 yes, 0 no (the peer's window alone bounds the flight). */
// 0 is for measuring the stack against one that runs without it (smoltcp's
// default, NoControl; `npm run bench:netsim` prints both) and for a
// point-to-point link that carries nothing else. RFC 5681 §3 makes the
// algorithms a MUST for a TCP on a shared network, so never ship a 0 build
// to one. cwnd is still kept and reported (tcp_status); it is not applied.
// @ts-ignore: decorator
@inline export const CONGESTION_CONTROL: i32 = isDefined(EMBER_CONGESTION_CONTROL) ? EMBER_CONGESTION_CONTROL : 1;

/** UDP sockets the application can bind (DHCP and DNS have their own besides). */
// @ts-ignore: decorator
@inline export const UDP_SOCKETS: i32 = isDefined(EMBER_UDP_SOCKETS) ? EMBER_UDP_SOCKETS : 4;

/** Bytes in each UDP socket's receive ring of whole datagrams (8 bytes of bookkeeping each). */
// @ts-ignore: decorator
@inline export const UDP_RX_BUF: i32 = isDefined(EMBER_UDP_RX_BUF) ? EMBER_UDP_RX_BUF : 2048;

/** DNS answers cached (A records, kept for min(TTL, 1 hour)). */
// @ts-ignore: decorator
@inline export const DNS_CACHE: i32 = isDefined(EMBER_DNS_CACHE) ? EMBER_DNS_CACHE : 4;

/** DNS queries in flight at once (each on its own random port). */
// @ts-ignore: decorator
@inline export const DNS_QUERIES: i32 = isDefined(EMBER_DNS_QUERIES) ? EMBER_DNS_QUERIES : 2;

/** UDP is compiled in. */
// @ts-ignore: decorator
@inline export const WITH_UDP: bool = UDP != 0;
/** The DHCP client is compiled in (it needs UDP). */
// @ts-ignore: decorator
@inline export const WITH_DHCP: bool = UDP != 0 && DHCP != 0;
/** The DNS resolver is compiled in (it needs UDP). */
// @ts-ignore: decorator
@inline export const WITH_DNS: bool = UDP != 0 && DNS != 0;
