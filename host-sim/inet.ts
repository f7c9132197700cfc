/**
 * The Internet checksum (RFC 1071) for the simulator's own frames (the
 * demo's forged SYNs, the ping host) and the chip model's DMA checksum.
 * Independent of the AssemblyScript implementation it is used to check.
 */

/** Folded one's-complement sum of big-endian 16-bit words of bytes[start, end), added to `init`. */
export function onesSum(bytes: ArrayLike<number>, start = 0, end = bytes.length, init = 0): number {
  let s = init;
  for (let i = start; i + 1 < end; i += 2) s += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) & 1) s += bytes[end - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The checksum field value for bytes[start, end) (0 when the field inside is already right). */
export function internetChecksum(bytes: ArrayLike<number>, start = 0, end = bytes.length, init = 0): number {
  return ~onesSum(bytes, start, end, init) & 0xffff;
}
