// A receive ring of whole datagrams (one per UDP socket). Each entry is an
// 8-byte record (source address, source port, data length) followed by the
// data, the next entry starting at the following multiple of 4. Entries may
// wrap around the end of the ring; copies split at the end. A datagram that
// does not fit whole is refused: UDP keeps message boundaries (RFC 768), so
// a partial one would be a different datagram.

import { UDP_RX_BUF } from "../config";

// @ts-ignore: decorator
@inline export const ENTRY_HEADER: i32 = 8;

/** Room an entry with `len` data bytes takes. */
// @ts-ignore: decorator
@inline export function entrySize(len: i32): i32 { return (ENTRY_HEADER + len + 3) & ~3; }

/** Copy `n` bytes from `src` into the ring at offset `off` (wrapping). */
export function ringWrite(ring: usize, off: i32, src: usize, n: i32): void {
  const first = min(n, UDP_RX_BUF - off);
  memory.copy(ring + <usize>off, src, <usize>first);
  if (n > first) memory.copy(ring, src + <usize>first, <usize>(n - first));
}

/** Copy `n` bytes out of the ring at offset `off` (wrapping) to `dst`. */
export function ringRead(ring: usize, off: i32, dst: usize, n: i32): void {
  const first = min(n, UDP_RX_BUF - off);
  memory.copy(dst, ring + <usize>off, <usize>first);
  if (n > first) memory.copy(dst + <usize>first, ring, <usize>(n - first));
}

/** Offset `n` bytes after `off`, wrapped. */
// @ts-ignore: decorator
@inline export function ringAdvance(off: i32, n: i32): i32 {
  const r = off + n;
  return r >= UDP_RX_BUF ? r - UDP_RX_BUF : r;
}
