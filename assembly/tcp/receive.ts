// Received text (RFC 9293 §3.10.7.4 seventh step) and the peer's FIN when
// it arrives beyond a hole: in-order text goes into the receive ring and
// advances RCV.NXT; text beyond RCV.NXT is written at its ring position and
// its range kept in a short sorted list of out-of-order blocks per TCB
// (tcp/tcb.ts), merged as gaps fill. ACK timing follows RFC 5681 §4.2 and
// RFC 9293 §3.8.6.3.

import { TCP_OOO_HOLES } from "../config";
import { Stat, count } from "../stats";
import { PSH, Segment } from "./segment";
import { seqGt, seqLe, seqLt, seqMax, seqMin } from "./seq";
import { F, Tcb, hasFlag, holeBase, holeCount, setFlag, setHoleCount } from "./tcb";
import { rxWrite } from "./rings";
import { ackInOrder } from "./delack";

// @ts-ignore: decorator
@inline function blockStart(b: usize, k: i32): u32 { return load<u32>(b + (<usize>k << 3)); }
// @ts-ignore: decorator
@inline function blockEnd(b: usize, k: i32): u32 { return load<u32>(b + (<usize>k << 3), 4); }

/**
 * Record [start, end) as received beyond RCV.NXT, merging with the blocks
 * it touches. False when it touches none and every slot is taken.
 */
function addBlock(t: Tcb, start: u32, end: u32): bool {
  const b = holeBase(t);
  const n = holeCount(t);
  let i = 0;
  while (i < n && seqLt(blockEnd(b, i), start)) i++;
  let j = i;
  let s = start;
  let e = end;
  while (j < n && seqLe(blockStart(b, j), e)) {
    s = seqMin(s, blockStart(b, j));
    e = seqMax(e, blockEnd(b, j));
    j++;
  }
  const merged = j - i;
  if (merged == 0 && n == TCP_OOO_HOLES) return false;
  if (merged != 1) memory.copy(b + (<usize>(i + 1) << 3), b + (<usize>j << 3), <usize>(n - j) << 3);
  store<u32>(b + (<usize>i << 3), s);
  store<u32>(b + (<usize>i << 3), e, 4);
  setHoleCount(t, n - merged + 1);
  return true;
}

/**
 * A FIN at sequence `fin`, beyond RCV.NXT: keep it as the end of the last
 * out-of-order block (an empty block if no data touches it), so the TCB
 * needs one flag and no sequence field. Not kept when data was already
 * received beyond it (the peer cannot send past its FIN), when another
 * FIN is already kept, or when no block slot is free: the peer sends it
 * again.
 */
export function rememberFin(t: Tcb, fin: u32): void {
  if (hasFlag(t, <u16>F.FIN_OOO)) return;
  const n = holeCount(t);
  if (n > 0 && seqGt(blockEnd(holeBase(t), n - 1), fin)) return;
  if (!addBlock(t, fin, fin)) return;
  setFlag(t, <u16>F.FIN_OOO);
  // A duplicate ACK at once, as for any out-of-order segment (RFC 5681 §4.2).
  setFlag(t, <u16>F.ACK_NOW);
}

/** Seventh step: in-order text of `seg` advances RCV.NXT; later text waits in the hole list. */
export function receiveText(t: Tcb, seg: Segment): void {
  const seq = seg.seq;
  let len = seg.dataLen;
  const kept = holeCount(t);
  if (hasFlag(t, <u16>F.FIN_OOO) && kept > 0) {
    // Nothing follows the peer's FIN (RFC 9293 §3.10.7.4 eighth step): text
    // beyond the FIN kept at the end of the last block is not taken.
    const fin = blockEnd(holeBase(t), kept - 1);
    if (seqGt(seq + <u32>len, fin)) len = max<i32>(<i32>(fin - seq), 0);
    if (len == 0) { setFlag(t, <u16>F.ACK_NOW); return; }
  }
  if (seq == t.rcvNxt) {
    rxWrite(t, seq, seg.dataPtr, len);
    const before = t.rcvNxt;
    t.rcvNxt += <u32>len;
    // Blocks that now touch RCV.NXT join the in-order data.
    const b = holeBase(t);
    let n = holeCount(t);
    const hadHoles = n > 0;
    while (n > 0 && seqLe(blockStart(b, 0), t.rcvNxt)) {
      t.rcvNxt = seqMax(t.rcvNxt, blockEnd(b, 0));
      n--;
      memory.copy(b, b + 8, <usize>n << 3);
    }
    setHoleCount(t, n);
    t.rxLen += <u16>(t.rcvNxt - before);
    // RFC 5681 §4.2: ACK at once when a gap is being filled; otherwise
    // the delayed-ACK policy (tcp/delack.ts).
    if (hadHoles) setFlag(t, <u16>F.ACK_NOW);
    else ackInOrder(t, len, (seg.flags & PSH) != 0);
    return;
  }
  // Out of order (SEG.seq > RCV.NXT after trimming): keep it and send a
  // duplicate ACK at once (RFC 5681 §4.2).
  setFlag(t, <u16>F.ACK_NOW);
  if (addBlock(t, seq, seq + <u32>len)) {
    rxWrite(t, seq, seg.dataPtr, len);
    count(Stat.TCP_OOO_SEGMENTS);
  } else {
    count(Stat.TCP_OOO_DROPPED);
  }
}
