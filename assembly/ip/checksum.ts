// The Internet checksum (RFC 1071): the 16-bit one's-complement of the
// one's-complement sum of 16-bit words.
//
// RFC 1071 §2(B): the sum is independent of byte order, so the bulk loop
// adds native little-endian 32-bit words into a 64-bit accumulator (no carry
// handling until the end) and the folded result is byte-swapped once. All
// values this module returns are "network order as a number": store them
// with bswap<u16> or compare them with header fields read through bswap.

/** One's-complement sum of `len` bytes at `ptr`, folded to 16 bits, network order. */
export function onesSum(ptr: usize, len: i32): u32 {
  let acc: u64 = 0;
  let p = ptr;
  let n = <usize>len;
  // 16 bytes per step: four u32 loads into a u64 cannot overflow for any
  // frame-sized input (2^32 steps would be needed).
  while (n >= 16) {
    acc += <u64>load<u32>(p) + <u64>load<u32>(p, 4) + <u64>load<u32>(p, 8) + <u64>load<u32>(p, 12);
    p += 16;
    n -= 16;
  }
  while (n >= 4) {
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
  acc = (acc & 0xffffffff) + (acc >> 32);
  acc = (acc & 0xffffffff) + (acc >> 32);
  let s = <u32>acc;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return <u32>bswap<u16>(<u16>s);
}

/** Add two folded sums with end-around carry. */
// @ts-ignore: decorator
@inline export function sumAdd(a: u32, b: u32): u32 {
  let s = a + b;
  s = (s & 0xffff) + (s >> 16);
  return (s & 0xffff) + (s >> 16);
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

/** Folded sum of the TCP/UDP pseudo-header (RFC 9293 §3.1, RFC 768). */
export function pseudoHeaderSum(src: u32, dst: u32, proto: u32, len: u32): u32 {
  let s: u64 = <u64>(src >>> 16) + <u64>(src & 0xffff) + <u64>(dst >>> 16) + <u64>(dst & 0xffff) + <u64>proto + <u64>len;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return <u32>s;
}
