// Ethernet II header view (IEEE 802.3 §3.2, EtherType framing per RFC 894).
//
//   0                   6                   12      14
//  +-------------------+-------------------+-------+----------
//  | destination MAC   | source MAC        | type  | payload
//  +-------------------+-------------------+-------+----------
//
// Frames here never carry the FCS: the link (host or ENC28J60) owns it.
// A view only reads and writes fields; callers check ETH_HEADER_LEN first.

import { swap16 } from "../bytes";

// @ts-ignore: decorator
@inline export const ETH_HEADER_LEN: i32 = 14;
// @ts-ignore: decorator
@inline export const ETH_DST: usize = 0;
// @ts-ignore: decorator
@inline export const ETH_SRC: usize = 6;
// @ts-ignore: decorator
@inline const ETH_TYPE: usize = 12;

// @ts-ignore: decorator
@inline export const ETHERTYPE_IPV4: u16 = 0x0800;
// @ts-ignore: decorator
@inline export const ETHERTYPE_ARP: u16 = 0x0806;

/** EtherType field. */
// @ts-ignore: decorator
@inline export function ethType(p: usize): u16 { return swap16(load<u16>(p, ETH_TYPE)); }

// @ts-ignore: decorator
@inline export function setEthType(p: usize, t: u16): void { store<u16>(p, swap16(t), ETH_TYPE); }

/** Copy a 6-byte MAC address (out of line: ten callers, and a call is shorter than its two loads and stores on a Cortex-M). */
export function macCopy(dst: usize, src: usize): void {
  store<u32>(dst, load<u32>(src));
  store<u16>(dst, load<u16>(src, 4), 4);
}

/** Two MAC addresses are equal. */
// @ts-ignore: decorator
@inline export function macEqual(a: usize, b: usize): bool {
  return load<u32>(a) == load<u32>(b) && load<u16>(a, 4) == load<u16>(b, 4);
}

/** FF:FF:FF:FF:FF:FF. */
// @ts-ignore: decorator
@inline export function macIsBroadcast(p: usize): bool {
  return load<u32>(p) == 0xffffffff && load<u16>(p, 4) == 0xffff;
}

/** Fill a MAC address with FF:FF:FF:FF:FF:FF. */
// @ts-ignore: decorator
@inline export function macSetBroadcast(p: usize): void {
  store<u32>(p, 0xffffffff);
  store<u16>(p, 0xffff, 4);
}

/** Fill a MAC address with 00:00:00:00:00:00 (an ARP request's unknown target, RFC 826). */
// @ts-ignore: decorator
@inline export function macClear(p: usize): void {
  store<u32>(p, 0);
  store<u16>(p, 0, 4);
}
