// Receive-ring pointer arithmetic (DS39662 §7.2), pure so it can be tested
// on its own. The ring is RX_START..RX_END inclusive with RX_START = 0000h
// (DS80349 issue 5), so wrapping is a subtraction of the ring size.

import { RX_START, RX_END } from "./regs";

// @ts-ignore: decorator
@inline export const RX_SIZE: u32 = RX_END - RX_START + 1;

/** `p + n` inside the ring (p in the ring, n < 2 ring sizes). */
export function rxRingAdd(p: u32, n: u32): u32 {
  let q = p + n;
  if (q > RX_END) q -= RX_SIZE;
  if (q > RX_END) q -= RX_SIZE;
  return q;
}

/** Where the packet after one at `p` with byte count `count` must start:
 * 6-byte header, the frame with its FCS, then a pad byte to an even address
 * (§7.2.2). Used to cross-check the next-packet pointer. */
export function rxNextExpected(p: u32, count: u32): u32 {
  return rxRingAdd(p, (6 + count + 1) & ~1);
}

/** The odd ERXRDPT value that frees everything before `next` (DS80349
 * issue 14: an even ERXRDPT can corrupt the ring). `next` is even, so
 * next - 1 is odd; at the ring start the byte before is RX_END (odd). */
export function rxReadPtrFor(next: u32): u32 {
  return next == RX_START ? RX_END : next - 1;
}

/** A next-packet pointer the hardware could have written: even, in the ring. */
export function rxPtrValid(p: u32): bool {
  return (p & 1) == 0 && p >= RX_START && p <= RX_END;
}
