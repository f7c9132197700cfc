// IPv4 input (RFC 791, host rules RFC 1122 §3.2.1): validate a received
// datagram in the order of RFC 1122 §3.2.1.1-.3, dropping with one counter
// per reason, and hand its payload to ICMP, TCP or UDP. Fragments are not
// reassembled (embedded peers send MSS-sized segments, RFC 9293 §3.7.1)
// and are dropped and counted. This module sits above the transports; the
// header view and the output path they use are ip/ipv4.ts, below them.

import { LINK_MTU, WITH_UDP } from "../config";
import { Stat, count } from "../stats";
import { isBroadcast, ourIp, validPeer } from "../netif";
import { halves, sumLe, sumVerifies } from "./checksum";
import {
  FLAG_MF, FRAG_OFFSET_MASK, IPV4_HEADER_LEN, PROTO_ICMP, PROTO_TCP, fragField, ipv4Dst, ipv4Src, proto, totalLen, verIhl,
} from "./ipv4";
import { icmpInput } from "./icmp";
import { tcpInput } from "../tcp/input";
import { PROTO_UDP } from "../udp/header";
import { udpInput } from "../udp/udp";

/** Handle a datagram (`len` bytes after the Ethernet header). */
export function ipv4Input(p: usize, len: i32): void {
  count(Stat.IP_RX);
  if (len < IPV4_HEADER_LEN) { count(Stat.IP_DROP_HEADER); return; }
  const vi = verIhl(p);
  const hlen = <i32>(vi & 0x0f) << 2;
  const total = totalLen(p);
  // Version 4, IHL >= 5, header inside the datagram, datagram inside the
  // frame (Ethernet may pad short frames: trailing bytes are ignored).
  if ((vi >> 4) != 4 || hlen < IPV4_HEADER_LEN || hlen > total || total > len) {
    count(Stat.IP_DROP_HEADER);
    return;
  }
  // RFC 1122 §3.3.3, RFC 894: nothing larger than the link's 1500-byte MTU
  // is taken, so nothing we answer with (an echo reply) can exceed it.
  if (total > LINK_MTU) { count(Stat.IP_DROP_OVERSIZE); return; }
  if (!headerSumValid(p, hlen)) { count(Stat.IP_DROP_CHECKSUM); return; }
  const dst = ipv4Dst(p);
  const src = ipv4Src(p);
  if (dst != ourIp() && !isBroadcast(dst) && !unconfiguredUdp(p)) { count(Stat.IP_DROP_NOT_OURS); return; }
  const pr = proto(p);
  if (!sourceAllowed(src, pr)) { count(Stat.IP_DROP_SOURCE); return; }
  const frag = fragField(p);
  if ((frag & FLAG_MF) != 0 || (frag & FRAG_OFFSET_MASK) != 0) { count(Stat.IP_DROP_FRAGMENT); return; }
  if (pr == PROTO_TCP) tcpInput(src, dst, p + hlen, total - hlen);
  else if (pr == PROTO_ICMP) icmpInput(src, dst, p + hlen, total - hlen);
  else if (WITH_UDP && pr == PROTO_UDP) udpInput(src, dst, p + hlen, total - hlen, p, hlen);
  else count(Stat.IP_DROP_PROTO);
}


/**
 * The header checksum verifies (RFC 791 §3.1, RFC 1071): the sum of the
 * whole header is 0xffff. Its first 20 bytes are summed from three loads,
 * without the general loop (every received frame pays it); options, rare,
 * through it.
 */
// @ts-ignore: decorator
@inline function headerSumValid(p: usize, hlen: i32): bool {
  let acc = halves(load<u64>(p)) + halves(load<u64>(p, 8)) + <u64>load<u32>(p, 16);
  if (hlen > IPV4_HEADER_LEN) acc += sumLe(p + <usize>IPV4_HEADER_LEN, hlen - IPV4_HEADER_LEN);
  return sumVerifies(acc);
}

/**
 * RFC 1122 §3.2.1.3: a datagram whose source no host may have (0/8,
 * 127/8, multicast, class E, a broadcast) is discarded silently, so no RST,
 * SYN-ACK or echo reply ever goes to such an address. The one exception is
 * 0.0.0.0 itself over UDP: a host still learning its address (a DHCP
 * client, RFC 2131 §4.1) sends from it, and a DHCP server must hear it.
 */
function sourceAllowed(src: u32, pr: u8): bool {
  return validPeer(src) || (src == 0 && pr == PROTO_UDP);
}

/**
 * Before DHCP has bound an address a server may unicast its OFFER and ACK
 * to the address it offers (RFC 2131 §4.1, broadcast bit clear): while we
 * have no address, UDP to any destination is taken.
 */
// @ts-ignore: decorator
@inline function unconfiguredUdp(p: usize): bool {
  return WITH_UDP && ourIp() == 0 && proto(p) == PROTO_UDP;
}
