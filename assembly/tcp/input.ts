// Segment arrival (RFC 9293 §3.10.7): parse, find the connection, then run
// the event processing in the RFC's order. For synchronized states
// (§3.10.7.4): acceptability with the four-case table and trimming to the
// window; RST (RFC 5961 §3: exact → reset, in window → challenge ACK);
// SYN (RFC 5961 §4: challenge ACK); ACK (RFC 5961 §5 bounds, RFC 6298
// timing, RFC 5681/6582 congestion control, window update); URG (RFC 6093:
// only the pointer is tracked, urgent data stays inline); text (in order
// into the ring, out of order into a hole list); FIN. Whatever must be sent
// is sent by tcpOutput at the end.

import { TCP_OOO_HOLES, TCP_RX_BUF } from "../config";
import { Stat, count } from "../stats";
import { ourIp } from "../netif";
import { nowMs } from "../time";
import { State } from "./abi";
import { ACK, FIN, RST, SEG, SYN, URG, has, parseTcp, segLen } from "./segment";
import { seqGe, seqGt, seqInWindow, seqLe, seqLt, seqMax, seqMin } from "./seq";
import {
  Err, F, NO_LISTENER, Tcb, clearFlag, connectionClosed, finSeq, hasFlag, holeBase, holeCount, rxRing, rxSpace,
  setFlag, setHoleCount, setState, synchronized, tcbFree, tcbLookup,
} from "./tcb";
import { OUR_MSS, challengeAck, replyRst, retransmitFirst, sendSegment, tcpOutput } from "./output";
import { armDelack, armFinWait2, armRetransmit, initialWindow, rttSample, startTimeWait, stopTimer } from "./timer";
import { listenInput, listenerFor } from "./listen";

/** RFC 9293 §3.7.1: the MSS to assume when the peer sends no option. */
// @ts-ignore: decorator
@inline const DEFAULT_MSS: u16 = 536;
/** Smallest peer MSS honoured; a lower option would only multiply headers. */
// @ts-ignore: decorator
@inline const MIN_MSS: u16 = 64;
/** RFC 5961 §5.2 MAX.SND.WND without window scaling. */
// @ts-ignore: decorator
@inline const MAX_SND_WND: u32 = 0xffff;

/** SEG.dataLen before trimming (RFC 5681 §2: a duplicate ACK carries no data). */
let rawDataLen: i32 = 0;

/** A TCP segment of `len` bytes at `p` from `src` to `dst` (IPv4 payload). */
export function tcpInput(src: u32, dst: u32, p: usize, len: i32): void {
  count(Stat.TCP_RX_SEGMENTS);
  if (!parseTcp(src, dst, p, len)) return;
  rawDataLen = SEG.dataLen;
  // RFC 1122 §4.2.3.10: TCP is unicast only; broadcasts get no answer.
  if (dst != ourIp()) { count(Stat.TCP_DROP_MALFORMED); return; }
  const t = tcbLookup(src, SEG.srcPort, SEG.dstPort);
  if (t === null) { noConnection(); return; }
  if (t.state == <u8>State.SYN_SENT) synSent(t);
  else segmentArrives(t);
}

/** A segment for no connection: a listener's, or CLOSED (RFC 9293 §3.10.7.1). */
function noConnection(): void {
  const l = listenerFor(SEG.dstPort);
  if (l >= 0) {
    // A completed passive handshake comes back as a TCB in SYN-RECEIVED.
    const t = listenInput(l);
    if (t !== null) segmentArrives(t);
    return;
  }
  if (has(RST)) { count(Stat.TCP_RST_IGNORED); return; }
  replyRst();
}

/** Send-side variables of a new connection with our ISS. */
export function initConnection(t: Tcb, iss: u32): void {
  t.iss = iss;
  t.sndUna = iss;
  t.sndNxt = iss;
  t.sndMax = iss;
  t.recover = iss;
  t.sndMss = OUR_MSS;
  t.ssthresh = 0xffff;
  t.cwnd = initialWindow(OUR_MSS);
}

/** Receive-side variables from the peer's SYN in SEG, and its MSS option. */
export function acceptSyn(t: Tcb): void {
  t.irs = SEG.seq;
  t.rcvNxt = SEG.seq + 1;
  t.rcvUp = t.rcvNxt;
  t.rcvAdv = t.rcvNxt + rxSpace(t);
  t.sndWnd = SEG.wnd;
  t.sndWl1 = SEG.seq;
  t.sndWl2 = SEG.ack;
  let mss = SEG.mss == 0 ? DEFAULT_MSS : SEG.mss;
  if (mss > OUR_MSS) mss = OUR_MSS;
  if (mss < MIN_MSS) mss = MIN_MSS;
  t.sndMss = mss;
  t.cwnd = initialWindow(<u32>mss);
}

/** Our SYN has been acknowledged (SND.UNA is past ISS): the connection is established. */
function established(t: Tcb): void {
  // The first RTT sample comes from the handshake when the SYN went out
  // only once (RFC 6298 §2.2, §3 Karn); a clock that ran backwards gives none.
  if (hasFlag(t, <u16>F.RTT) && seqGe(t.sndUna, t.rttSeq)) {
    const r = nowMs() - t.rttStart;
    if (<i32>r >= 0) rttSample(t, r);
  }
  t.retries = 0;
  stopTimer(t);
  clearFlag(t, <u16>F.RTT);
  // A close issued in SYN-RECEIVED was queued until now (RFC 9293 §3.10.4).
  if (hasFlag(t, <u16>F.CLOSED)) setState(t, State.FIN_WAIT_1);
  else setState(t, State.ESTABLISHED);
}

/** SYN-SENT processing (RFC 9293 §3.10.7.3). */
function synSent(t: Tcb): void {
  let ackOk = false;
  // First: the ACK must acknowledge our SYN and nothing beyond it.
  if (has(ACK)) {
    if (seqLe(SEG.ack, t.iss) || seqGt(SEG.ack, t.sndNxt)) {
      if (!has(RST)) replyRst();
      else count(Stat.TCP_RST_IGNORED);
      return;
    }
    ackOk = true;
  }
  // Second: a RST counts only with an acceptable ACK (RFC 5961 §3.2 note for SYN-SENT).
  if (has(RST)) {
    if (ackOk) {
      count(Stat.TCP_RST_RX);
      connectionClosed(t, Err.REFUSED);
    } else {
      count(Stat.TCP_RST_IGNORED);
    }
    return;
  }
  // Fourth: the SYN.
  if (!has(SYN)) { count(Stat.TCP_DROP_UNACCEPTABLE); return; }
  acceptSyn(t);
  if (ackOk) {
    t.sndUna = SEG.ack;
    established(t);
    setFlag(t, <u16>F.ACK_NOW);
    // Text or FIN in the SYN-ACK: continue at the sixth step after the SYN.
    SEG.seq += 1;
    SEG.flags &= ~SYN;
    trimToWindow(t, t.rcvAdv - t.rcvNxt);
    processTextAndFin(t);
    if (t.state != <u8>State.CLOSED) tcpOutput(t);
    return;
  }
  // Simultaneous open: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED.
  setState(t, State.SYN_RECEIVED);
  t.sndNxt = t.iss;
  tcpOutput(t);
}

/** RFC 9293 §3.10.7.4 acceptability of SEG (the four-case table). */
function acceptable(t: Tcb, wnd: u32): bool {
  const slen = segLen();
  const lo = t.rcvNxt;
  const hi = t.rcvNxt + wnd;
  if (slen == 0) return wnd == 0 ? SEG.seq == lo : seqInWindow(SEG.seq, lo, hi);
  if (wnd == 0) return false;
  return seqInWindow(SEG.seq, lo, hi) || seqInWindow(SEG.seq + slen - 1, lo, hi);
}

/** Cut SEG down to the receive window: old bytes (and SYN) in front, excess (and FIN) behind. */
function trimToWindow(t: Tcb, wnd: u32): void {
  if (seqLt(SEG.seq, t.rcvNxt)) {
    let d = t.rcvNxt - SEG.seq;
    if (has(SYN)) { SEG.flags &= ~SYN; d--; SEG.seq++; }
    if (d >= <u32>SEG.dataLen) {
      // Everything, and a FIN right after it, is old.
      if (d > <u32>SEG.dataLen) SEG.flags &= ~FIN;
      SEG.dataPtr += <usize>SEG.dataLen;
      SEG.dataLen = 0;
    } else {
      SEG.dataPtr += <usize>d;
      SEG.dataLen -= <i32>d;
    }
    SEG.seq = t.rcvNxt;
  }
  const room = <i32>(t.rcvNxt + wnd - SEG.seq);
  if (SEG.dataLen > room) {
    SEG.dataLen = max<i32>(room, 0);
    SEG.flags &= ~FIN;
  }
}

/** Processing for every state after SYN-SENT (RFC 9293 §3.10.7.4). */
function segmentArrives(t: Tcb): void {
  const s = t.state;
  // RFC 9293 §3.6.1 / RFC 6191: a new SYN with a higher sequence number may
  // reopen a 4-tuple that sits in TIME-WAIT.
  if (s == <u8>State.TIME_WAIT && has(SYN) && !has(RST) && !has(ACK) && seqGt(SEG.seq, t.rcvNxt)) {
    const l = listenerFor(t.localPort);
    if (l >= 0) {
      tcbFree(t);
      listenInput(l);
      return;
    }
  }
  if (has(SYN) && !has(RST)) {
    if (s == <u8>State.SYN_RECEIVED) {
      if (SEG.seq == t.irs && !has(ACK)) {
        // The peer did not get our SYN-ACK: send it again.
        t.sndNxt = t.iss;
        tcpOutput(t);
        return;
      }
      if (t.listener != NO_LISTENER && seqInWindow(SEG.seq, t.rcvNxt, t.rcvAdv)) {
        // Fourth step: a passive open returns to LISTEN.
        connectionClosed(t, Err.NONE);
        return;
      }
    }
    // RFC 5961 §4.2: a SYN in a synchronized state gets a challenge ACK,
    // whatever its sequence number, and is dropped.
    if (s != <u8>State.SYN_RECEIVED || t.listener == NO_LISTENER) {
      challengeAck(t);
      return;
    }
  }
  const wnd = t.rcvAdv - t.rcvNxt;
  let ackOnly = false;
  // First: sequence number.
  if (!acceptable(t, wnd)) {
    if (has(RST)) { count(Stat.TCP_RST_IGNORED); return; }
    // Zero window: valid ACKs still count (RFC 9293 §3.10.7.4).
    if (wnd == 0 && SEG.seq == t.rcvNxt && has(ACK)) {
      ackOnly = true;
    } else {
      count(Stat.TCP_DROP_UNACCEPTABLE);
      if (s == <u8>State.TIME_WAIT && has(FIN)) startTimeWait(t);
      setFlag(t, <u16>F.ACK_NOW);
      tcpOutput(t);
      return;
    }
  }
  // Second: RST (RFC 5961 §3.2).
  if (has(RST)) {
    if (SEG.seq != t.rcvNxt) { challengeAck(t); return; }
    count(Stat.TCP_RST_RX);
    if (s == <u8>State.SYN_RECEIVED) {
      connectionClosed(t, t.listener != NO_LISTENER ? Err.NONE : Err.REFUSED);
    } else if (s == <u8>State.ESTABLISHED || s == <u8>State.FIN_WAIT_1 || s == <u8>State.FIN_WAIT_2
      || s == <u8>State.CLOSE_WAIT) {
      count(Stat.TCP_ESTABLISHED_RESETS);
      connectionClosed(t, Err.RESET);
    } else {
      connectionClosed(t, Err.NONE);
    }
    return;
  }
  if (ackOnly) SEG.dataLen = 0;
  else trimToWindow(t, wnd);
  // Fifth: ACK.
  if (!has(ACK)) { count(Stat.TCP_DROP_UNACCEPTABLE); return; }
  if (t.state == <u8>State.SYN_RECEIVED) {
    if (!seqLt(t.sndUna, SEG.ack) || !seqLe(SEG.ack, t.sndNxt)) { replyRst(); return; }
    t.sndUna = SEG.ack;
    t.sndWnd = SEG.wnd;
    t.sndWl1 = SEG.seq;
    t.sndWl2 = SEG.ack;
    established(t);
  } else if (!processAck(t)) {
    return;
  }
  if (ackOnly) {
    setFlag(t, <u16>F.ACK_NOW);
    tcpOutput(t);
    return;
  }
  if (t.state == <u8>State.CLOSED) return;
  processTextAndFin(t);
  if (t.state != <u8>State.CLOSED) tcpOutput(t);
}

/**
 * The ACK field in a synchronized state. Returns false when the segment
 * is finished with (dropped, or the connection closed).
 */
function processAck(t: Tcb): bool {
  const ack = SEG.ack;
  // RFC 5961 §5.2: acceptable only in [SND.UNA - MAX.SND.WND, SND.NXT]
  // (SND.NXT here is the highest ever sent); otherwise ACK and drop.
  if (seqGt(ack, t.sndMax) || seqLt(ack, t.sndUna - MAX_SND_WND)) {
    count(Stat.TCP_DROP_UNACCEPTABLE);
    setFlag(t, <u16>F.ACK_NOW);
    tcpOutput(t);
    return false;
  }
  let finAcked = false;
  if (seqGt(ack, t.sndUna)) {
    finAcked = newAck(t);
  } else if (ack == t.sndUna && rawDataLen == 0 && !has(FIN) && SEG.wnd == t.sndWnd && t.sndUna != t.sndMax
    && SEG.wnd != 0 && !hasFlag(t, <u16>F.PERSIST)) {
    // RFC 5681 §2 duplicate ACK; answers to zero-window probes are not.
    duplicateAck(t);
  }
  // Window update (RFC 9293 §3.10.7.4): only from a newer segment.
  if (seqLt(t.sndWl1, SEG.seq) || (t.sndWl1 == SEG.seq && seqLe(t.sndWl2, ack))) {
    const wasShut = t.sndWnd == 0;
    t.sndWnd = SEG.wnd;
    t.sndWl1 = SEG.seq;
    t.sndWl2 = ack;
    if (wasShut && t.sndWnd != 0 && hasFlag(t, <u16>F.PERSIST)) {
      stopTimer(t);
      t.retries = 0;
    }
  }
  const s = t.state;
  if (s == <u8>State.FIN_WAIT_1) {
    if (finAcked) {
      setState(t, State.FIN_WAIT_2);
      armFinWait2(t);
    }
  } else if (s == <u8>State.CLOSING) {
    // Only the ACK of our FIN matters here; the rest is ignored.
    if (finAcked) startTimeWait(t);
    return false;
  } else if (s == <u8>State.LAST_ACK) {
    if (finAcked) { connectionClosed(t, Err.NONE); return false; }
  }
  return true;
}

/** SND.UNA < SEG.ACK =< SND.MAX: new data acknowledged. Returns "our FIN is acked". */
function newAck(t: Tcb): bool {
  const ack = SEG.ack;
  const finBefore = finSeq(t);
  const finSent = hasFlag(t, <u16>F.CLOSED) && seqGt(t.sndMax, finBefore);
  const acked = ack - t.sndUna;
  const dataAcked = min<u32>(acked, <u32>t.txLen);
  t.txLen -= <u16>dataAcked;
  t.sndUna = ack;
  if (seqGt(ack, t.sndNxt)) t.sndNxt = ack;
  if (hasFlag(t, <u16>F.RTT) && seqGe(ack, t.rttSeq)) {
    rttSample(t, nowMs() - t.rttStart);
    clearFlag(t, <u16>F.RTT);
  }
  t.retries = 0;
  const mss = <u32>t.sndMss;
  if (hasFlag(t, <u16>F.RECOVERY)) {
    if (seqGe(ack, t.recover)) {
      // RFC 6582 §3.2 step 3, full acknowledgment: deflate the window.
      const flight = t.sndMax - t.sndUna;
      t.cwnd = <u16>min<u32>(<u32>t.ssthresh, max<u32>(flight, mss) + mss);
      clearFlag(t, <u16>F.RECOVERY);
      t.dupAcks = 0;
    } else {
      // Partial acknowledgment: the next hole is lost too; resend it at once
      // and deflate by the amount acknowledged (RFC 6582 §3.2 step 3).
      count(Stat.TCP_FAST_RETRANSMITS);
      retransmitFirst(t);
      let c = <u32>t.cwnd;
      c = c > dataAcked ? c - dataAcked : 0;
      if (dataAcked >= mss) c += mss;
      t.cwnd = <u16>min<u32>(max<u32>(c, mss), 0xffff);
    }
  } else {
    t.dupAcks = 0;
    // RFC 5681 §3.1: slow start below ssthresh, congestion avoidance above.
    let c = <u32>t.cwnd;
    if (c < <u32>t.ssthresh) c += min<u32>(dataAcked, mss);
    else c += max<u32>(1, mss * mss / c);
    t.cwnd = <u16>min<u32>(c, 0xffff);
  }
  if (t.sndUna == t.sndMax) stopTimer(t);
  else armRetransmit(t);
  return finSent && seqGt(ack, finBefore);
}

/** RFC 5681 §3.2 / RFC 6582 §3.2: duplicate ACKs, fast retransmit, fast recovery. */
function duplicateAck(t: Tcb): void {
  if (t.dupAcks < 255) t.dupAcks++;
  const mss = <u32>t.sndMss;
  if (hasFlag(t, <u16>F.RECOVERY)) {
    // Step 4: each further duplicate means a segment left the network.
    t.cwnd = <u16>min<u32>(<u32>t.cwnd + mss, 0xffff);
    return;
  }
  if (t.dupAcks != 3) return;
  // Step 2: only for losses after the last recovery point.
  if (!seqGe(SEG.ack, t.recover)) return;
  const flight = t.sndMax - t.sndUna;
  t.ssthresh = <u16>min<u32>(max<u32>(flight >> 1, mss << 1), 0xffff);
  t.recover = t.sndMax;
  count(Stat.TCP_FAST_RETRANSMITS);
  retransmitFirst(t);
  t.cwnd = <u16>min<u32>(<u32>t.ssthresh + 3 * mss, 0xffff);
  setFlag(t, <u16>F.RECOVERY);
}

/** Sixth to eighth steps: URG, segment text, FIN. */
function processTextAndFin(t: Tcb): void {
  const s = t.state;
  const receiving = s == <u8>State.ESTABLISHED || s == <u8>State.FIN_WAIT_1 || s == <u8>State.FIN_WAIT_2;
  // Sixth: RFC 6093 — the pointer marks the byte after the urgent data,
  // which is delivered inline with the rest.
  if (receiving && has(URG) && SEG.up != 0) {
    const up = SEG.seq + <u32>SEG.up;
    if (seqGt(up, t.rcvUp)) t.rcvUp = up;
  }
  // Seventh: text, only while the peer's stream is open.
  if (receiving && SEG.dataLen > 0) {
    const before = t.rcvNxt;
    receiveText(t);
    // A half-closed connection still receiving is not idle: the FIN-WAIT-2
    // timer counts from the peer's last new data.
    if (s == <u8>State.FIN_WAIT_2 && t.rcvNxt != before) armFinWait2(t);
  }
  // Eighth: FIN, once everything before it has arrived. A FIN beyond a hole
  // is remembered and taken when the hole fills (the segment is queued for
  // processing in sequence, RFC 9293 §3.10.7.4 "segments with higher
  // beginning sequence numbers may be held"); a repeated FIN never gets
  // this far (it fails the acceptability test and is answered there).
  if (finReceived8(s)) return;
  let fin = has(FIN) && SEG.seq + <u32>SEG.dataLen == t.rcvNxt;
  if (has(FIN) && !fin && receiving) rememberFin(t, SEG.seq + <u32>SEG.dataLen);
  if (hasFlag(t, <u16>F.FIN_OOO) && holeCount(t) == 0) fin = true;
  if (!fin) return;
  clearFlag(t, <u16>F.FIN_OOO);
  t.rcvNxt += 1;
  setFlag(t, <u16>F.ACK_NOW);
  if (s == <u8>State.ESTABLISHED || s == <u8>State.SYN_RECEIVED) setState(t, State.CLOSE_WAIT);
  else if (s == <u8>State.FIN_WAIT_1) setState(t, State.CLOSING);
  else if (s == <u8>State.FIN_WAIT_2 || s == <u8>State.TIME_WAIT) startTimeWait(t);
}

/** States that have already taken the peer's FIN. */
// @ts-ignore: decorator
@inline function finReceived8(s: u8): bool {
  return s == <u8>State.CLOSE_WAIT || s == <u8>State.CLOSING || s == <u8>State.LAST_ACK || s == <u8>State.TIME_WAIT;
}

/** Copy SEG's text into the receive ring at its sequence position. */
function writeRx(t: Tcb, seq: u32, src: usize, len: i32): void {
  const ring = rxRing(t);
  const pos = <i32>((seq - t.irs - 1) & <u32>(TCP_RX_BUF - 1));
  const first = min<i32>(len, TCP_RX_BUF - pos);
  memory.copy(ring + <usize>pos, src, <usize>first);
  if (first < len) memory.copy(ring, src + <usize>first, <usize>(len - first));
}

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
function rememberFin(t: Tcb, fin: u32): void {
  if (hasFlag(t, <u16>F.FIN_OOO)) return;
  const n = holeCount(t);
  if (n > 0 && seqGt(blockEnd(holeBase(t), n - 1), fin)) return;
  if (!addBlock(t, fin, fin)) return;
  setFlag(t, <u16>F.FIN_OOO);
  // A duplicate ACK at once, as for any out-of-order segment (RFC 5681 §4.2).
  setFlag(t, <u16>F.ACK_NOW);
}

/** Seventh step: in-order text advances RCV.NXT; later text waits in the hole list. */
function receiveText(t: Tcb): void {
  const seq = SEG.seq;
  let len = SEG.dataLen;
  const kept = holeCount(t);
  if (hasFlag(t, <u16>F.FIN_OOO) && kept > 0) {
    // Nothing follows the peer's FIN (RFC 9293 §3.10.7.4 eighth step): text
    // beyond the FIN kept at the end of the last block is not taken.
    const fin = blockEnd(holeBase(t), kept - 1);
    if (seqGt(seq + <u32>len, fin)) len = max<i32>(<i32>(fin - seq), 0);
    if (len == 0) { setFlag(t, <u16>F.ACK_NOW); return; }
  }
  if (seq == t.rcvNxt) {
    writeRx(t, seq, SEG.dataPtr, len);
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
    if (hadHoles) {
      // RFC 5681 §4.2: ACK at once when a gap is being filled.
      setFlag(t, <u16>F.ACK_NOW);
    } else if (hasFlag(t, <u16>F.ONE_FULL)) {
      // RFC 9293 §3.8.6.3: at least every second full-sized segment.
      setFlag(t, <u16>F.ACK_NOW);
    } else {
      if (len >= <i32>t.sndMss) setFlag(t, <u16>F.ONE_FULL);
      armDelack(t);
    }
    return;
  }
  // Out of order (SEG.seq > RCV.NXT after trimming): keep it and send a
  // duplicate ACK at once (RFC 5681 §4.2).
  setFlag(t, <u16>F.ACK_NOW);
  if (addBlock(t, seq, seq + <u32>len)) {
    writeRx(t, seq, SEG.dataPtr, len);
    count(Stat.TCP_OOO_SEGMENTS);
  } else {
    count(Stat.TCP_OOO_DROPPED);
  }
}
