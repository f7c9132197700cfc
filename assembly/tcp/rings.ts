// Copies between the per-connection rings and linear memory. A data byte
// with sequence number s sits at (s - ISS - 1) mod TCP_TX_BUF in the send
// ring and at (s - IRS - 1) mod TCP_RX_BUF in the receive ring (tcp/tcb.ts),
// so every copy is "position from sequence number, then at most two pieces
// around the wrap". Both ring sizes are powers of two (assembly/config.ts).

import { TCP_RX_BUF, TCP_TX_BUF } from "../config";
import { Tcb, rxReadSeq, rxRing, txRing, txStart } from "./tcb";

/** Copy `len` bytes from `src` into the ring of `size` bytes at `ring`, from `pos` on, wrapping. */
function ringWrite(ring: usize, size: i32, pos: i32, src: usize, len: i32): void {
  const first = min<i32>(len, size - pos);
  memory.copy(ring + <usize>pos, src, <usize>first);
  if (first < len) memory.copy(ring, src + <usize>first, <usize>(len - first));
}

/** Copy `len` bytes out of the ring of `size` bytes at `ring`, from `pos` on, to `dst`, wrapping. */
function ringRead(ring: usize, size: i32, pos: i32, dst: usize, len: i32): void {
  const first = min<i32>(len, size - pos);
  memory.copy(dst, ring + <usize>pos, <usize>first);
  if (first < len) memory.copy(dst + <usize>first, ring, <usize>(len - first));
}

// @ts-ignore: decorator
@inline function txPos(t: Tcb, seq: u32): i32 { return <i32>((seq - t.iss - 1) & <u32>(TCP_TX_BUF - 1)); }
// @ts-ignore: decorator
@inline function rxPos(t: Tcb, seq: u32): i32 { return <i32>((seq - t.irs - 1) & <u32>(TCP_RX_BUF - 1)); }

/** Append `len` user bytes at `src` to the send ring (the caller checked the room). */
export function txAppend(t: Tcb, src: usize, len: i32): void {
  ringWrite(txRing(t), TCP_TX_BUF, txPos(t, txStart(t) + <u32>t.txLen), src, len);
  t.txLen += <u16>len;
}

/** Copy `len` send-ring bytes starting at sequence `seq` to `dst`. */
export function txRead(t: Tcb, seq: u32, dst: usize, len: i32): void {
  ringRead(txRing(t), TCP_TX_BUF, txPos(t, seq), dst, len);
}

/** Put `len` received bytes at `src`, with sequence `seq`, at their place in the receive ring. */
export function rxWrite(t: Tcb, seq: u32, src: usize, len: i32): void {
  ringWrite(rxRing(t), TCP_RX_BUF, rxPos(t, seq), src, len);
}

/** Take `len` unread in-order bytes (the caller checked there are that many) out to `dst`. */
export function rxTake(t: Tcb, dst: usize, len: i32): void {
  ringRead(rxRing(t), TCP_RX_BUF, rxPos(t, rxReadSeq(t)), dst, len);
  t.rxLen -= <u16>len;
}
