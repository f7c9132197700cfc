// TCP segment arrival. Until the TCP core lands, every segment is counted
// and dropped (TCP_DROP_MALFORMED stays untouched; TCP_RX_SEGMENTS counts).

import { Stat, count } from "../stats";

/** A TCP segment of `len` bytes at `p` from `src` to `dst` (IPv4 payload). */
export function tcpInput(src: u32, dst: u32, p: usize, len: i32): void {
  count(Stat.TCP_RX_SEGMENTS);
}
