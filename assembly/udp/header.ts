// UDP header view (RFC 768).
//
//   0      7 8     15 16    23 24    31
//  +--------+--------+--------+--------+
//  |   Source Port   |    Dest Port    |   0
//  +--------+--------+--------+--------+
//  |     Length      |    Checksum     |   4
//  +--------+--------+--------+--------+
//
// Length counts header and data. A checksum of 0 means "none computed";
// a computed 0 is sent as FFFFh (RFC 768, "Fields"). Callers check
// UDP_HEADER_LEN against the packet before any accessor.

import { foldLe, pseudoHeaderLe, sumFinish, sumLe, sumVerifies } from "../ip/checksum";
import { swap16 } from "../bytes";

// @ts-ignore: decorator
@inline export const UDP_HEADER_LEN: i32 = 8;
// @ts-ignore: decorator
@inline export const PROTO_UDP: u8 = 17;
// @ts-ignore: decorator
@inline const U_SRC_PORT: usize = 0;
// @ts-ignore: decorator
@inline const U_DST_PORT: usize = 2;
// @ts-ignore: decorator
@inline const U_LENGTH: usize = 4;
// @ts-ignore: decorator
@inline const U_CHECKSUM: usize = 6;

// @ts-ignore: decorator
@inline export function udpSrcPort(p: usize): u16 { return swap16(load<u16>(p, U_SRC_PORT)); }
// @ts-ignore: decorator
@inline export function udpDstPort(p: usize): u16 { return swap16(load<u16>(p, U_DST_PORT)); }
// @ts-ignore: decorator
@inline export function udpLength(p: usize): i32 { return <i32>swap16(load<u16>(p, U_LENGTH)); }
// @ts-ignore: decorator
@inline export function udpChecksumField(p: usize): u16 { return load<u16>(p, U_CHECKSUM); }

/** The checksum over pseudo-header, header and data verifies (call only when the field is non-zero). */
export function udpChecksumOk(src: u32, dst: u32, p: usize, len: i32): bool {
  return sumVerifies(pseudoHeaderLe(src, dst, PROTO_UDP, <u32>len) + sumLe(p, len));
}

/** Write the header of a `len`-byte datagram (data already in place) with its checksum. */
export function udpEmitHeader(p: usize, src: u32, srcPort: u16, dst: u32, dstPort: u16, len: i32): void {
  store<u16>(p, swap16(srcPort), U_SRC_PORT);
  store<u16>(p, swap16(dstPort), U_DST_PORT);
  store<u16>(p, swap16(<u16>len), U_LENGTH);
  store<u16>(p, 0, U_CHECKSUM);
  let c = sumFinish(foldLe(pseudoHeaderLe(src, dst, PROTO_UDP, <u32>len) + sumLe(p, len)));
  if (c == 0) c = 0xffff; // RFC 768: an all-zero result is sent as all ones
  store<u16>(p, swap16(c), U_CHECKSUM);
}
