// The Internet checksum (RFC 1071): the 16-bit one's-complement of the
// one's-complement sum of 16-bit words.
//
// RFC 1071 §2(B): the sum is independent of byte order, so sums are taken
// in the little-endian domain: native 32-bit halves added into a 64-bit
// accumulator (no carry handling until the end), folded and byte-swapped
// once (foldLe). Bulk data is read as 64-bit loads split in two: a C port
// checks the bounds of every load, so half the loads is a quarter less work
// per byte. A header being written is summed from the words in hand
// (halves), not read back. All folded values this module returns are
// "network order as a number": store them with swap16 or compare them
// with header fields read through it.

import { swap16 } from "../bytes";

/** The two 32-bit halves of a little-endian word, added: its share of a sum. */
// @ts-ignore: decorator
@inline export function halves(w: u64): u64 {
  return (w & 0xffffffff) + (w >> 32);
}

/** Little-endian-domain sum of `len` bytes at `ptr`, not folded (at most 2^45 for any frame). */
export function sumLe(ptr: usize, len: i32): u64 {
  let acc: u64 = 0;
  let p = ptr;
  let n = <usize>len;
  // 32 bytes per step: eight 32-bit halves added into a u64 cannot
  // overflow for any frame-sized input (2^29 steps would be needed).
  while (n >= 32) {
    acc += halves(load<u64>(p)) + halves(load<u64>(p, 8)) + halves(load<u64>(p, 16)) + halves(load<u64>(p, 24));
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    acc += halves(load<u64>(p));
    p += 8;
    n -= 8;
  }
  if (n >= 4) {
    acc += <u64>load<u32>(p);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    acc += <u64>load<u16>(p);
    p += 2;
    n -= 2;
  }
  // An odd last byte is the high byte of a big-endian word; in the
  // little-endian domain that is the low byte.
  if (n != 0) acc += <u64>load<u8>(p);
  return acc;
}

/** A little-endian-domain sum folded to 16 bits, network order. */
export function foldLe(acc: u64): u32 {
  acc = (acc & 0xffffffff) + (acc >> 32);
  acc = (acc & 0xffffffff) + (acc >> 32);
  let s = <u32>acc;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return <u32>swap16(<u16>s);
}

/** One's-complement sum of `len` bytes at `ptr`, folded to 16 bits, network order. */
export function onesSum(ptr: usize, len: i32): u32 {
  return foldLe(sumLe(ptr, len));
}

/** The checksum field value for data whose folded sum is `sum`. */
// @ts-ignore: decorator
@inline export function sumFinish(sum: u32): u16 {
  return <u16>(~sum & 0xffff);
}

/** Checksum of a buffer (RFC 1071), network order as a number. */
export function internetChecksum(ptr: usize, len: i32): u16 {
  return sumFinish(onesSum(ptr, len));
}

/**
 * The TCP/UDP pseudo-header's share of a little-endian-domain sum
 * (RFC 9293 §3.1, RFC 768): source and destination as they lie in the
 * header, then the word zero, protocol, length read little-endian. Added
 * to the segment's sumLe and folded once.
 */
// @ts-ignore: decorator
@inline export function pseudoHeaderLe(src: u32, dst: u32, proto: u32, len: u32): u64 {
  return <u64>bswap<u32>(src) + <u64>bswap<u32>(dst) + <u64>((proto << 8) | (<u32>swap16(<u16>len) << 16));
}

/** A folded little-endian-domain sum over data that carries its own checksum verifies (RFC 1071 §1). */
// @ts-ignore: decorator
@inline export function sumVerifies(acc: u64): bool {
  return foldLe(acc) == 0xffff;
}
