/**
 * The Internet checksum (RFC 1071 §4.1): the one's-complement sum of
 * big-endian 16-bit words, folded to 16 bits and complemented. An odd byte
 * at the end counts as the high half of a word. Written from the RFC, not
 * from the AssemblyScript implementation it is used to check.
 */

/** Folded one's-complement sum of bytes[start, end), added to `init` (RFC 1071 §2). */
export function onesSum(bytes: ArrayLike<number>, start = 0, end = bytes.length, init = 0): number {
  let s = init;
  for (let i = start; i + 1 < end; i += 2) s += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) & 1) s += bytes[end - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The checksum field value for bytes[start, end): 0 when a checksum field inside is already right. */
export function internetChecksum(bytes: ArrayLike<number>, start = 0, end = bytes.length, init = 0): number {
  return ~onesSum(bytes, start, end, init) & 0xffff;
}

/**
 * The checksum over the concatenation of `parts`, as if they were one
 * buffer: a part of odd length shifts the next one into the low halves of
 * the words (RFC 1071 §2 (B): the sum is independent of how it is split
 * only at even boundaries).
 */
export function checksumOf(...parts: ArrayLike<number>[]): number {
  let s = 0;
  let odd = -1;
  for (const p of parts) {
    let i = 0;
    if (odd >= 0 && p.length > 0) { s += (odd << 8) | p[0]; odd = -1; i = 1; }
    const even = i + ((p.length - i) & ~1);
    s = onesSum(p, i, even, s);
    if (even < p.length) odd = p[even];
  }
  if (odd >= 0) s = onesSum([odd], 0, 1, s);
  return ~s & 0xffff;
}
