// IPv4 (RFC 791) with the host requirements of RFC 1122 §3.2.1.
//
//   0       4       8              16      19                31
//  +-------+-------+--------------+-------------------------+
//  |Version|  IHL  |     TOS      |      Total Length       |   0
//  |        Identification        |Flags|  Fragment Offset  |   4
//  |     TTL       |   Protocol   |     Header Checksum     |   8
//  |                     Source Address                     |  12
//  |                   Destination Address                  |  16
//  +--------------------------------------------------------+
//
// Input validates in the order of RFC 1122 §3.2.1.1-.3 and drops with one
// counter per reason; fragments are not reassembled (embedded peers send
// MSS-sized segments, RFC 9293 §3.7.1) and are dropped and counted.
// Output always uses a 20-byte header, DF set, TTL 64.

import { Stat, count } from "../stats";
import { entropy } from "../hal";
import { OUR_MAC, TX_FRAME, isBroadcast, onLink, ourGateway, ourIp } from "../netif";
import { linkTransmit } from "../link";
import { ETH_DST, ETH_HEADER_LEN, ETH_SRC, ETHERTYPE_IPV4, macCopy, macSetBroadcast, setEthType } from "./eth";
import { internetChecksum } from "./checksum";
import { arpHold, arpResolve } from "./arp";
import { icmpInput } from "./icmp";
import { tcpInput } from "../tcp/input";
import { WITH_UDP } from "../config";
import { PROTO_UDP } from "../udp/header";
import { udpInput } from "../udp/udp";

// @ts-ignore: decorator
@inline export const IPV4_HEADER_LEN: i32 = 20;
// @ts-ignore: decorator
@inline export const PROTO_ICMP: u8 = 1;
// @ts-ignore: decorator
@inline export const PROTO_TCP: u8 = 6;
// @ts-ignore: decorator
@inline const TTL_OUT: u8 = 64; // RFC 1700 default TTL
// @ts-ignore: decorator
@inline const FLAG_DF: u16 = 0x4000;
// @ts-ignore: decorator
@inline const FLAG_MF: u16 = 0x2000;
// @ts-ignore: decorator
@inline const FRAG_OFFSET_MASK: u16 = 0x1fff;

// Field views.
// @ts-ignore: decorator
@inline function verIhl(p: usize): u8 { return load<u8>(p); }
// @ts-ignore: decorator
@inline function totalLen(p: usize): i32 { return <i32>bswap<u16>(load<u16>(p, 2)); }
// @ts-ignore: decorator
@inline function fragField(p: usize): u16 { return bswap<u16>(load<u16>(p, 6)); }
// @ts-ignore: decorator
@inline function proto(p: usize): u8 { return load<u8>(p, 9); }
// @ts-ignore: decorator
@inline export function ipv4Src(p: usize): u32 { return bswap<u32>(load<u32>(p, 12)); }
// @ts-ignore: decorator
@inline export function ipv4Dst(p: usize): u32 { return bswap<u32>(load<u32>(p, 16)); }

let ident: u16 = 0;

/** Start the identification counter at a random value (RFC 6864 §4.3 prefers unpredictable IDs). */
export function ipv4Init(): void {
  ident = <u16>entropy();
}

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
  if (internetChecksum(p, hlen) != 0) { count(Stat.IP_DROP_CHECKSUM); return; }
  const dst = ipv4Dst(p);
  const src = ipv4Src(p);
  if (dst != ourIp() && !isBroadcast(dst) && !unconfiguredUdp(p)) { count(Stat.IP_DROP_NOT_OURS); return; }
  // RFC 1122 §3.2.1.3: a source that is broadcast or multicast is invalid.
  if (src == 0xffffffff || (src >>> 28) == 0xe || isBroadcast(src)) { count(Stat.IP_DROP_HEADER); return; }
  const frag = fragField(p);
  if ((frag & FLAG_MF) != 0 || (frag & FRAG_OFFSET_MASK) != 0) { count(Stat.IP_DROP_FRAGMENT); return; }
  const pr = proto(p);
  if (pr == PROTO_TCP) tcpInput(src, dst, p + hlen, total - hlen);
  else if (pr == PROTO_ICMP) icmpInput(src, dst, p + hlen, total - hlen);
  else if (WITH_UDP && pr == PROTO_UDP) udpInput(src, dst, p + hlen, total - hlen, p, hlen);
  else count(Stat.IP_DROP_PROTO);
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

/** Where a transport writes its outgoing payload before ipv4Send. */
// @ts-ignore: decorator
@inline export function ipv4Payload(): usize {
  return TX_FRAME + ETH_HEADER_LEN + IPV4_HEADER_LEN;
}

/**
 * Send the `payloadLen` bytes already at ipv4Payload() to `dst`. On-link
 * destinations are resolved directly, others through the gateway; without
 * a gateway an off-link datagram is dropped (IP_DROP_NO_ROUTE).
 */
export function ipv4Send(dst: u32, protocol: u8, payloadLen: i32): void {
  const f = TX_FRAME;
  const ip = f + ETH_HEADER_LEN;
  const total = IPV4_HEADER_LEN + payloadLen;
  store<u8>(ip, 0x45);
  store<u8>(ip, 0, 1);
  store<u16>(ip, bswap<u16>(<u16>total), 2);
  store<u16>(ip, bswap<u16>(ident++), 4);
  store<u16>(ip, bswap<u16>(FLAG_DF), 6);
  store<u8>(ip, TTL_OUT, 8);
  store<u8>(ip, protocol, 9);
  store<u16>(ip, 0, 10);
  store<u32>(ip, bswap<u32>(ourIp()), 12);
  store<u32>(ip, bswap<u32>(dst), 16);
  store<u16>(ip, bswap<u16>(internetChecksum(ip, IPV4_HEADER_LEN)), 10);
  macCopy(f + ETH_SRC, OUR_MAC);
  setEthType(f, ETHERTYPE_IPV4);
  count(Stat.IP_TX);
  const frameLen = ETH_HEADER_LEN + total;
  if (isBroadcast(dst)) {
    macSetBroadcast(f + ETH_DST);
    linkTransmit(f, frameLen);
    return;
  }
  let hop = dst;
  if (!onLink(dst)) {
    hop = ourGateway();
    if (hop == 0) { count(Stat.IP_DROP_NO_ROUTE); return; }
  }
  if (arpResolve(hop, f + ETH_DST)) linkTransmit(f, frameLen);
  else arpHold(hop, f, frameLen);
}
