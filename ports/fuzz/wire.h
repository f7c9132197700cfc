/*
 * wire.h - the fuzz target's view of frames: the Internet checksum
 * (RFC 1071), checking a frame the module sent, fixing the checksums of a
 * frame about to go in, and building the peer's TCP segments.
 */
#ifndef EMBERTCP_FUZZ_WIRE_H
#define EMBERTCP_FUZZ_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define PEER_IP 0x0A000001u   /* 10.0.0.1, also the gateway */
#define BOARD_IP 0x0A000002u  /* 10.0.0.2/24 */
#define MAX_FRAME 1514

extern const uint8_t peer_mac[6], board_mac[6];

/* What the peer knows of the board's last TCP segment. */
struct seen {
  int valid;
  uint16_t board_port, peer_port;
  uint32_t seq, ack, len;  /* len counts SYN and FIN */
  uint8_t flags;
};

/* NULL when `f` (as the module sent it) is well formed with valid
 * checksums, else what is wrong. Updates `seen` from a TCP segment. */
const char* wire_check_out(const uint8_t* f, size_t n, struct seen* seen);
/* Recompute the IPv4 header and TCP/UDP/ICMP checksums of `f` in place,
 * as far as its lengths allow. */
void wire_fix(uint8_t* f, size_t n);
/* Ethernet + IPv4 + TCP from the peer to the board, checksums set;
 * returns the frame length. `opt_mss` 0: no options. */
size_t wire_tcp(uint8_t* f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                uint16_t win, uint16_t opt_mss, const uint8_t* payload, size_t len);
/* The peer's ARP reply to the board (so its MAC is known). */
size_t wire_arp_reply(uint8_t* f);

#endif
