/**
 * Test-only frames for the link, pcap and trace tests: a wire frame under a
 * local EtherType, and a clock runner. Ethernet/IPv4/TCP/UDP frames come
 * from the packet library (host-sim/wire).
 */

import { appendFcs } from "../../host-sim/crc32.js";
import { buildEthernet } from "../../host-sim/wire/index.js";

/** A wire frame (with FCS) from `src` to `dst` carrying `payload` under a local EtherType (IEEE 802 local experimental 0x88b5). */
export function testFrame(dst: string, src: string, payload: Uint8Array): Uint8Array {
  return appendFcs(buildEthernet({ dst, src, type: 0x88b5, payload }));
}

/** Advance a VirtualClock-like object until nothing is pending (bounded). */
export function runUntilIdle(clock: { nextAt(): number | undefined; advanceTo(t: number): void }, limit = 1_000_000): void {
  for (let i = 0; i < limit; i++) {
    const t = clock.nextAt();
    if (t === undefined) return;
    clock.advanceTo(t);
  }
  throw new Error("clock never went idle");
}
