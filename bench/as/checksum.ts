// Benchmark entry: the RFC 1071 checksum of assembly/ip/checksum.ts over a
// large buffer, timed by the host (bench/ip.ts), one call per pass so no
// pass can be folded away.
import { onesSum } from "../../assembly/ip/checksum";

/** Start of a free region the host fills with data. */
export function region(): usize {
  return (__heap_base + 15) & ~15;
}

/** Folded one's-complement sum of `len` bytes at `ptr`. */
export function sum(ptr: usize, len: i32): u32 {
  return onesSum(ptr, len);
}
