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
// This module is the header view and the output path, below every
// transport: output always uses a 20-byte header, DF set, TTL 64. Input
// (validation and the hand-off to ICMP and TCP) is ip/input.ts, above them.

import { LINK_MTU } from "../config";
import { Stat, count } from "../stats";
import { secretWord } from "../hal";
import { sipHash2 } from "../siphash";
import { OUR_MAC, TX_FRAME, isBroadcast, nextHop, ourIp } from "../netif";
import { linkTransmit } from "../link";
import { ETH_DST, ETH_HEADER_LEN, ETH_SRC, ETHERTYPE_IPV4, macCopy, macSetBroadcast, setEthType } from "./eth";
import { foldLe, halves, sumFinish } from "./checksum";
import { arpHold, arpResolve } from "./arp";
import { swap16 } from "../bytes";

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
@inline export const FLAG_MF: u16 = 0x2000;
// @ts-ignore: decorator
@inline export const FRAG_OFFSET_MASK: u16 = 0x1fff;

// Field views.
// @ts-ignore: decorator
@inline export function verIhl(p: usize): u8 { return load<u8>(p); }
// @ts-ignore: decorator
@inline export function totalLen(p: usize): i32 { return <i32>swap16(load<u16>(p, 2)); }
// @ts-ignore: decorator
@inline export function fragField(p: usize): u16 { return swap16(load<u16>(p, 6)); }
// @ts-ignore: decorator
@inline export function proto(p: usize): u8 { return load<u8>(p, 9); }
// @ts-ignore: decorator
@inline export function ipv4Src(p: usize): u32 { return bswap<u32>(load<u32>(p, 12)); }
// @ts-ignore: decorator
@inline export function ipv4Dst(p: usize): u32 { return bswap<u32>(load<u32>(p, 16)); }

// Identification (RFC 6864 §4.1): every datagram we send is atomic (DF
// set, never fragmented), so its ID serves no reassembly and may be any
// value. A global counter would leak our traffic rate and make the board an
// idle-scan zombie (RFC 7739 §3, §5.1), so each ID is 16 bits of a keyed
// PRF of a counter: unpredictable without the key, never incremental. One
// PRF output (64 bits) serves four datagrams: the four lanes are as
// unpredictable as one, and a SipHash per datagram was a tenth of the cost
// of answering a SYN.
let idKey0: u64 = 0;
let idKey1: u64 = 0;
/** Identifications drawn so far: ID n is lane n mod 4 of the PRF of n / 4. */
let idCount: u64 = 0;
/** The unused lanes of the current group's PRF output, next lowest. */
let idLanes: u64 = 0;

/** Draw a fresh identification key (net_init). */
export function ipv4Init(): void {
  idKey0 = secretWord();
  idKey1 = secretWord();
  idCount = 0;
}

/** The next identification: unpredictable to anyone without the key. */
function nextId(): u16 {
  if ((idCount & 3) == 0) idLanes = sipHash2(idKey0, idKey1, idCount >> 2);
  idCount++;
  const id = <u16>idLanes;
  idLanes >>= 16;
  return id;
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
  if (total > LINK_MTU) { count(Stat.IP_DROP_OVERSIZE); return; }
  // The header as little-endian words in wire byte order, summed in
  // registers (ip/checksum.ts) and stored once. Bytes 0-7: version and
  // length (0x45), TOS 0, total length, identification, flags (DF) and
  // fragment offset 0.
  const w0 = <u64>0x45 | (<u64>swap16(<u16>total) << 16) | (<u64>swap16(nextId()) << 32) | (<u64>swap16(FLAG_DF) << 48);
  // Bytes 8-15: TTL, protocol, checksum (0 while summing), source address.
  const w1 = <u64>TTL_OUT | (<u64>protocol << 8) | (<u64>bswap<u32>(ourIp()) << 32);
  // Bytes 16-19: destination address.
  const w2 = bswap<u32>(dst);
  const checksum = sumFinish(foldLe(halves(w0) + halves(w1) + <u64>w2));
  store<u64>(ip, w0);
  store<u64>(ip, w1 | (<u64>swap16(checksum) << 16), 8);
  store<u32>(ip, w2, 16);
  macCopy(f + ETH_SRC, OUR_MAC);
  setEthType(f, ETHERTYPE_IPV4);
  count(Stat.IP_TX);
  const frameLen = ETH_HEADER_LEN + total;
  if (isBroadcast(dst)) {
    macSetBroadcast(f + ETH_DST);
    linkTransmit(f, frameLen);
    return;
  }
  const hop = nextHop(dst);
  if (hop == 0) { count(Stat.IP_DROP_NO_ROUTE); return; }
  if (arpResolve(hop, f + ETH_DST)) linkTransmit(f, frameLen);
  else arpHold(hop, f, frameLen);
}
