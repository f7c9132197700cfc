// Named u32 counters, written out by net_stats in this exact order.
// The order is ABI (docs/ABI.md "net_stats counters"); append, never reorder.
// Every dropped frame or segment bumps exactly one drop counter.


export const enum Stat {
  // Link and Ethernet (ip/eth.ts)
  ETH_RX_FRAMES = 0,     // frames handed to the stack
  ETH_TX_FRAMES,         // frames handed to the link
  ETH_DROP_SHORT,        // shorter than an Ethernet header
  ETH_DROP_OVERSIZE,     // longer than FRAME_MAX
  ETH_DROP_NOT_OURS,     // destination neither our MAC nor broadcast
  ETH_DROP_TYPE,         // EtherType we do not speak
  ETH_DROP_TX,           // outgoing frames the link device refused (not ready, failed)
  // ARP (ip/arp.ts)
  ARP_RX,                // ARP packets received
  ARP_DROP_MALFORMED,    // wrong hardware/protocol type or lengths, truncated
  ARP_REPLIES_SENT,      // replies to requests for our address
  ARP_REQUESTS_SENT,     // requests (including retries and the gratuitous one)
  ARP_CACHE_UPDATES,     // entries learned or refreshed
  ARP_DROP_UNRESOLVED,   // packets dropped: next hop never answered
  ARP_DROP_PENDING,      // packets displaced while waiting on resolution
  // IPv4 (ip/ipv4.ts)
  IP_RX,                 // datagrams received
  IP_TX,                 // datagrams sent
  IP_DROP_HEADER,        // version, IHL or total length wrong
  IP_DROP_CHECKSUM,      // header checksum wrong
  IP_DROP_NOT_OURS,      // destination not us, not broadcast
  IP_DROP_FRAGMENT,      // fragments (no reassembly)
  IP_DROP_PROTO,         // protocol we do not speak
  IP_DROP_NO_ROUTE,      // off-link destination and no gateway
  // ICMP (ip/icmp.ts)
  ICMP_RX,               // ICMP messages received
  ICMP_ECHO_REPLIES,     // echo replies sent
  ICMP_DROP_CHECKSUM,    // checksum wrong or message truncated
  ICMP_DROP_TYPE,        // types other than echo request
  ICMP_DROP_BROADCAST,   // echo requests to a broadcast address (not answered)
  // TCP (tcp/)
  TCP_RX_SEGMENTS,       // segments received
  TCP_TX_SEGMENTS,       // segments sent
  TCP_DROP_CHECKSUM,     // checksum wrong
  TCP_DROP_MALFORMED,    // data offset, option list or length wrong
  TCP_DROP_UNACCEPTABLE, // failed the RFC 9293 §3.10.7.4 acceptability test
  TCP_RST_SENT,          // resets sent
  TCP_RST_RX,            // resets received and acted upon
  TCP_RST_IGNORED,       // resets outside the window (dropped)
  TCP_CHALLENGE_ACKS,    // RFC 5961 challenge ACKs sent
  TCP_RETRANSMITS,       // segments retransmitted on RTO
  TCP_FAST_RETRANSMITS,  // segments retransmitted on three duplicate ACKs
  TCP_TIMEOUTS,          // connections dropped after the retry limit (retransmissions or unanswered zero-window probes) or the user timeout
  TCP_OOO_SEGMENTS,      // out-of-order segments placed in the receive ring
  TCP_OOO_DROPPED,       // out-of-order segments dropped (no hole slot, or past IRS+1 before the handshake completed)
  TCP_PERSIST_PROBES,    // zero-window probes sent
  TCP_DELAYED_ACKS,      // ACKs sent by the delayed-ACK timer
  TCP_ACTIVE_OPENS,      // tcp_connect calls that sent a SYN
  TCP_PASSIVE_OPENS,     // connections created by a listener
  TCP_NO_TCB,            // connection refused for want of a free TCB
  TCP_ESTABLISHED_RESETS,// established connections reset by the peer
  // Listen queues and SYN cookies (tcp/passive.ts, tcp/listeners.ts, tcp/cookie.ts)
  SYN_RX,                // SYNs to a listener
  SYNACK_SENT,           // SYN-ACKs sent (first transmissions)
  SYNACK_RETRANSMITS,    // SYN-ACKs sent again: by the SYN-queue timer or for a duplicate SYN
  SYNQ_OVERFLOWS,        // SYNs that found the SYN queue full
  SYNQ_EXPIRED,          // half-open entries dropped after synack_retries
  SYNQ_RESETS,           // half-open entries removed by a RST
  COOKIES_SENT,          // SYN-ACKs carrying a cookie
  COOKIES_ACCEPTED,      // ACKs with a valid cookie that made a connection
  COOKIES_REJECTED,      // ACKs with an invalid or expired cookie
  ACCEPTQ_OVERFLOWS,     // completed handshakes dropped: accept queue or TCBs full
  // ENC28J60 driver (enc28j60/driver.ts)
  ENC_RX_FRAMES,         // frames read from the chip
  ENC_TX_FRAMES,         // frames the chip reported sent
  ENC_RX_DROP,           // frames dropped by the receive status vector or size
  ENC_RX_OVERFLOWS,      // RXERIF events (ring full or EPKTCNT at 255)
  ENC_RX_RESETS,         // receiver re-initialisations (overflow, corrupt pointer)
  ENC_TX_ERRORS,         // aborted transmissions (TXERIF / TSV)
  ENC_TX_RETRIES,        // late-collision retransmissions (DS80349 issue 13)
  ENC_CHIP_RESETS,       // full chip re-initialisations
  ENC_LINK_CHANGES,      // link up/down transitions seen
  ENC_LINK_UP,           // 1 while the PHY reports link, else 0 (a gauge)
  // Exports
  API_EINVAL,            // ABI calls rejected with EINVAL
  // Appended: earlier positions never move (docs/ABI.md)
  LISTEN_OVERFLOWS,      // SYNs dropped unanswered: accept queue full, or no TCB free or recyclable
  IP_DROP_SOURCE,        // datagrams from a source no host may have (0/8, 127/8, multicast, class E, broadcast)
  IP_DROP_OVERSIZE,      // datagrams over the 1500-byte MTU, received or about to be sent
  ARP_DROP_SENDER,       // ARP packets whose sender MAC is multicast/broadcast or sender IP no host may have
  // UDP (udp/)
  UDP_RX,                // datagrams received
  UDP_TX,                // datagrams sent
  UDP_DROP_MALFORMED,    // length field shorter than the header or past the packet
  UDP_DROP_CHECKSUM,     // checksum present and wrong
  UDP_DROP_NO_PORT,      // no socket on the destination port
  UDP_DROP_RX_FULL,      // the socket's receive ring had no room for the datagram
  ICMP_UNREACH_SENT,     // ICMP port unreachable messages sent
  ICMP_UNREACH_LIMITED,  // port unreachable messages suppressed by the rate limit
  // DHCP client (dhcp/)
  DHCP_TX,               // messages sent (DISCOVER, REQUEST, DECLINE)
  DHCP_RX,               // replies accepted (OFFER, ACK, NAK)
  DHCP_DROP,             // replies dropped: malformed, foreign xid or chaddr, missing or contradictory options
  DHCP_NAKS,             // DHCPNAKs acted upon
  DHCP_DECLINES,         // offered addresses declined after an ARP conflict (RFC 5227)
  DHCP_LEASES,           // leases bound or extended
  DHCP_EXPIRED,          // leases that ran out (address given up)
  // DNS resolver (dns/)
  DNS_QUERIES_SENT,      // queries sent, retries included
  DNS_ANSWERS,           // answers accepted (an address, NXDOMAIN or no address)
  DNS_DROP_MISMATCH,     // answers with the wrong ID, server, port or question
  DNS_DROP_MALFORMED,    // answers that failed parsing (lengths, pointers, counts, names)
  DNS_DROP_TRUNCATED,    // answers with TC set
  DNS_CACHE_HITS,        // dns_query calls answered from the cache
  DNS_TIMEOUTS,          // queries given up after the retries
  TCP_KEEPALIVE_PROBES,  // keep-alive probes sent (RFC 1122 §4.2.3.6)
  TCP_KEEPALIVE_DROPS,   // connections failed with ETIMEDOUT after KEEPCNT unanswered probes
  TCP_RECLAIMED,         // idle connections reset to make room for a new one (net_config tcb_full 1)
  COUNT
}

/**
 * Counters every build keeps, in ABI order. A build without UDP, DHCP or
 * DNS keeps their counters too (they stay 0), so the positions of counters
 * appended later never depend on the build.
 */
// @ts-ignore: decorator
@inline export const STAT_SLOTS: i32 = <i32>Stat.COUNT;

const counters = memory.data(STAT_SLOTS * 4);

/**
 * Add one to a counter. Not @inline: a call is a constant and a branch,
 * the body a load, an add and a store at the counter's address, and
 * there are over a hundred call sites. Out of line it saved 364 bytes of
 * Cortex-M4 code (wasm2c, arm-none-eabi-gcc -Os) and 1,093 of wasm; gcc
 * -O2 on x86-64 inlines it again (+4 instructions per flooding SYN).
 */
export function count(s: Stat): void {
  const p = counters + (<usize>s << 2);
  store<u32>(p, load<u32>(p) + 1);
}

/** Set a gauge counter. */
// @ts-ignore: decorator
@inline export function setGauge(s: Stat, v: u32): void {
  store<u32>(counters + (<usize>s << 2), v);
}

/** Read a counter (tests of internals, status page). */
export function statValue(s: Stat): u32 {
  return load<u32>(counters + (<usize>s << 2));
}

/** Copy all counters to `out`; returns how many. */
export function copyStats(out: usize): i32 {
  memory.copy(out, counters, <usize>STAT_SLOTS << 2);
  return STAT_SLOTS;
}
