// Congestion control and loss recovery for the sender (RFC 5681, RFC 9438,
// RFC 6582, RFC 3042, RFC 3465): how the congestion window grows with new
// ACKs, fast retransmit and NewReno fast recovery on duplicate ACKs, and
// limited transmit before the third duplicate. The RTO side (RFC 6298,
// RFC 5681 §3.1 (4)) is in tcp/timer.ts; it takes ssthresh from
// lossSsthresh() here.
//
// - The window's response to loss is CUBIC's (RFC 9438, which updates
//   RFC 5681 to allow it) in its Reno-friendly region (§4.3):
//   ssthresh = β·FlightSize with β = 0.7 (§4.6, and §4.8 after an RTO),
//   then congestion avoidance adds α = 3(1 - β)/(1 + β) = 9/17 SMSS per
//   round trip until the window is back at cwnd_prior, 1 SMSS after that.
//   The cubic function W_cubic (§4.2) is not computed: it would need the
//   epoch's start time and W_max in the TCB, and within our windows (at
//   most 64 KiB) it stays below W_est whenever the RTT is under 20 ms, or
//   under 100 ms for windows up to 12 segments (see
//   docs/TCP.md "Loss recovery"). Where it would not, the window here is
//   smaller than RFC 9438's, never larger. cwnd_prior is taken as ssthresh/β, the
//   FlightSize at the reduction (no TCB byte is left for cwnd itself).
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
import { F, Tcb, clearFlag, dupAckCount, hasFlag, setDupAckCount, setFlag } from "./tcb";
import { armRetransmit, stopTimer } from "./deadlines";
import { retransmitFirst, tcpOutput } from "./output";

/** RFC 9438 §4.6 β_cubic = 7/10 and §4.3 α_cubic = 3(1 - β)/(1 + β) = 9/17, as fractions. */
// @ts-ignore: decorator
@inline const BETA_NUM: u32 = 7;
// @ts-ignore: decorator
@inline const BETA_DEN: u32 = 10;
// @ts-ignore: decorator
@inline const ALPHA_NUM: u32 = 9;
// @ts-ignore: decorator
@inline const ALPHA_DEN: u32 = 17;

/**
 * The sender's duplicate-ACK count (tcb.ts dupAckCount, 7 bits): outside
 * recovery, bits 0-2 count duplicates in a row (saturating at 4: only the
 * third acts) and bits 3-4 the segments limited transmit sent for the first
 * two; in recovery, PARTIAL_SEEN after the first partial ACK (the timer is
 * not restarted again).
 */
// @ts-ignore: decorator
@inline const DUPS: u8 = 7;
// @ts-ignore: decorator
@inline const LT_SHIFT: u8 = 3;
// @ts-ignore: decorator
@inline const PARTIAL_SEEN: u8 = 0x7f;

function setCwnd(t: Tcb, c: u32): void { t.cwnd = <u16>min<u32>(c, 0xffff); }

/**
 * Loss detected (third duplicate ACK or RTO): ssthresh = max(β·FlightSize,
 * 2·SMSS) (RFC 9438 §4.6, §4.8; RFC 5681 §3.1's floor of two segments).
 */
export function lossSsthresh(t: Tcb, flight: u32): void {
  const mss = <u32>t.sndMss;
  t.ssthresh = <u16>min<u32>(max<u32>(flight * BETA_NUM / BETA_DEN, mss << 1), 0xffff);
}

/**
 * Congestion avoidance (RFC 9438 §4.3, bytes as RFC 3465 counts them):
 * W_est grows by α_cubic·SMSS per window of `n` acknowledged bytes while
 * below cwnd_prior (ssthresh/β), by SMSS after that, as RFC 5681 §3.1.
 */
function avoidanceStep(t: Tcb, c: u32, n: u32): u32 {
  const mss = <u32>t.sndMss;
  const prior = <u32>t.ssthresh * BETA_DEN / BETA_NUM;
  const step = c < prior ? mss * n * ALPHA_NUM / (c * ALPHA_DEN) : mss * n / c;
  return c + max<u32>(1, step);
}

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
      // RFC 6582 §3.2 step 3, full acknowledgment: deflate the window to
      // ssthresh (the second of the RFC's two options). The first,
      // min(ssthresh, FlightSize + SMSS), restarts slow start from two
      // segments whenever recovery ends with little in flight, the usual
      // case when the send ring bounds the flight: the ring stays full of
      // data behind the hole, so nothing new goes out during recovery.
      // The burst this allows is at most ssthresh, 0.7 of what was in
      // flight when the loss was detected.
      setCwnd(t, <u32>t.ssthresh);
      clearFlag(t, <u16>F.RECOVERY);
      setDupAckCount(t, 0);
    } else {
      // Partial acknowledgment: the next hole is lost too.
      count(Stat.TCP_FAST_RETRANSMITS);
      retransmitFirst(t);
      let c = <u32>t.cwnd;
      c = c > dataAcked ? c - dataAcked : 0;
      if (dataAcked >= mss) c += mss;
      setCwnd(t, max<u32>(c, mss));
      restart = dupAckCount(t) != PARTIAL_SEEN;
      setDupAckCount(t, PARTIAL_SEEN);
    }
  } else {
    setDupAckCount(t, 0);
    // RFC 3465: the limit L = 2 (§2.3) is slow start's; congestion
    // avoidance counts every byte acknowledged (§2.1), so an ACK that the
    // receiver held for the application's read still buys its share.
    const c = <u32>t.cwnd;
    setCwnd(t, c < <u32>t.ssthresh ? c + min<u32>(dataAcked, mss << 1) : avoidanceStep(t, c, dataAcked));
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
  const state = dupAckCount(t);
  const dups = min<u8>((state & DUPS) + 1, 4);
  let sentByLt = state >> LT_SHIFT;
  if (dups < 3) {
    // RFC 3042: one new segment per duplicate, cwnd itself unchanged.
    const c = t.cwnd;
    const before = t.sndMax;
    setCwnd(t, <u32>c + <u32>dups * mss);
    tcpOutput(t);
    t.cwnd = c;
    if (t.sndMax != before) sentByLt++;
  }
  setDupAckCount(t, dups | (sentByLt << LT_SHIFT));
  if (dups < 3) return;
  // Step 2: only for losses after the last recovery point.
  if (dups != 3 || !seqGe(ack, t.recover)) return;
  // RFC 5681 §3.2 step 2: what limited transmit sent beyond cwnd (which
  // is unchanged since) is not part of the FlightSize that sets ssthresh.
  // A segment the first two duplicates let out within cwnd, because the
  // peer's window moved, is ordinary transmission and counts.
  const flight = t.sndMax - t.sndUna;
  const beyond = flight > <u32>t.cwnd ? flight - <u32>t.cwnd : 0;
  lossSsthresh(t, flight - min<u32>(beyond, <u32>sentByLt * mss));
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
