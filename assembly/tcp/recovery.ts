// Congestion control and loss recovery for the sender (RFC 5681, RFC 6582,
// RFC 3042, RFC 3465): how the congestion window grows with new ACKs, fast
// retransmit and NewReno fast recovery on duplicate ACKs, and limited
// transmit before the third duplicate. The RTO side (RFC 6298, RFC 5681
// §3.1 (4)) is in tcp/timer.ts.
//
// - Growth counts bytes (RFC 3465 §2.1, as RFC 5681 §3.1 allows): slow
//   start adds the bytes acknowledged up to 2·SMSS per ACK (L = 2, §2.3),
//   congestion avoidance SMSS·acked/cwnd, so a receiver that acknowledges
//   every second segment (RFC 9293 §3.8.6.3) does not halve the growth.
// - Limited transmit (RFC 3042 §2): the first and second duplicate ACK each
//   let one new segment out beyond cwnd (at most cwnd + 2·SMSS in flight,
//   within the peer's window), so a window of four or fewer segments still
//   produces the three duplicates fast retransmit needs.
// - NewReno (RFC 6582 §3.2): "recover" is one past the highest sequence
//   sent (RFC 6582 counts it as the highest byte, so "covers more than
//   recover" is ack >= recover here). A partial ACK resends the next hole
//   at once and deflates cwnd by the bytes acknowledged, plus one SMSS if
//   at least one was; the retransmission timer restarts only for the first
//   partial ACK (the "Impatient" variant §3.2 step 3 specifies), so a
//   window with many losses falls back to the RTO instead of repairing one
//   hole per round trip for many round trips.

import { Stat, count } from "../stats";
import { nowMs } from "../time";
import { seqGe } from "./seq";
import { F, Tcb, clearFlag, hasFlag, setFlag } from "./tcb";
import { armRetransmit, stopTimer } from "./deadlines";
import { retransmitFirst, tcpOutput } from "./output";

/** dupAcks while in recovery after the first partial ACK (the timer is not restarted again). */
// @ts-ignore: decorator
@inline const PARTIAL_SEEN: u8 = 0xff;

function setCwnd(t: Tcb, c: u32): void { t.cwnd = <u16>min<u32>(c, 0xffff); }

/**
 * New data acknowledged (`dataAcked` bytes, SND.UNA already advanced):
 * grow or deflate cwnd, handle a partial ACK in recovery, and restart or
 * stop the retransmission timer.
 */
export function ccNewAck(t: Tcb, dataAcked: u32): void {
  const mss = <u32>t.sndMss;
  let restart = true;
  if (hasFlag(t, <u16>F.RECOVERY)) {
    if (seqGe(t.sndUna, t.recover)) {
      // RFC 6582 §3.2 step 3, full acknowledgment: deflate the window.
      setCwnd(t, min<u32>(<u32>t.ssthresh, max<u32>(t.sndMax - t.sndUna, mss) + mss));
      clearFlag(t, <u16>F.RECOVERY);
      t.dupAcks = 0;
    } else {
      // Partial acknowledgment: the next hole is lost too.
      count(Stat.TCP_FAST_RETRANSMITS);
      retransmitFirst(t);
      let c = <u32>t.cwnd;
      c = c > dataAcked ? c - dataAcked : 0;
      if (dataAcked >= mss) c += mss;
      setCwnd(t, max<u32>(c, mss));
      restart = t.dupAcks != PARTIAL_SEEN;
      t.dupAcks = PARTIAL_SEEN;
    }
  } else {
    t.dupAcks = 0;
    const c = <u32>t.cwnd;
    const n = min<u32>(dataAcked, mss << 1);
    setCwnd(t, c < <u32>t.ssthresh ? c + n : c + max<u32>(1, mss * n / c));
  }
  // Progress: what is still unacknowledged waits from now for the user
  // timeout (RFC 5482 §3), whether or not the retransmission timer restarts.
  t.unackedSince = nowMs();
  if (t.sndUna == t.sndMax) stopTimer(t);
  else if (restart) armRetransmit(t);
}

/** A duplicate ACK (RFC 5681 §2) acknowledging `ack`. */
export function ccDuplicateAck(t: Tcb, ack: u32): void {
  const mss = <u32>t.sndMss;
  if (hasFlag(t, <u16>F.RECOVERY)) {
    // RFC 6582 §3.2 step 4: each further duplicate means a segment left the network.
    setCwnd(t, <u32>t.cwnd + mss);
    return;
  }
  if (t.dupAcks < 255) t.dupAcks++;
  if (t.dupAcks < 3) {
    // RFC 3042: one new segment per duplicate, cwnd itself unchanged.
    const c = t.cwnd;
    setCwnd(t, <u32>c + <u32>t.dupAcks * mss);
    tcpOutput(t);
    t.cwnd = c;
    return;
  }
  // Step 2: only for losses after the last recovery point.
  if (t.dupAcks != 3 || !seqGe(ack, t.recover)) return;
  t.ssthresh = <u16>min<u32>(max<u32>((t.sndMax - t.sndUna) >> 1, mss << 1), 0xffff);
  t.recover = t.sndMax;
  count(Stat.TCP_FAST_RETRANSMITS);
  retransmitFirst(t);
  // The oldest segment has just gone again: its timer starts over (as
  // RFC 6582 §3.2 step 3 does for the next hole, and Linux when it resends
  // the head). Left running from the last new ACK it expires one RTO after
  // the lost segment was first sent, and with an RTO near two round trips
  // (the 200 ms floor on a 100 ms path) at the moment this retransmission's
  // ACK arrives: a spurious timeout that sends the window again from one SMSS.
  armRetransmit(t);
  setCwnd(t, <u32>t.ssthresh + 3 * mss);
  setFlag(t, <u16>F.RECOVERY);
}
