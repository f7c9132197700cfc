// Segment arrival (RFC 9293 §3.10.7): parse, find the connection, then run
// the event processing. SYN-SENT has its own steps (§3.10.7.3); every later
// state runs segmentArrives(), the steps of §3.10.7.4 in the RFC's order as
// one function each: sequence number (four-case table, RFC 5961 §5 for
// the ACK in a zero window), RST (RFC 5961 §3), security, SYN (RFC 5961 §4),
// ACK (RFC 5961 §5.2 bounds, RFC 6298 timing, RFC 5681/6582 congestion
// control, window update), URG (RFC 6093: only the pointer is tracked, the
// data stays inline), text (tcp/receive.ts), FIN. A segment for no
// connection goes to tcp/passive.ts (LISTEN) or draws a reset.
//
// The parsed record is never trimmed in place: the part inside the window
// is a copy (IN_WINDOW) that the fifth to eighth steps read, while the
// second step compares the sequence number as received (RFC 5961 §3.2).
// Whatever must be sent is sent by tcpOutput at the end.

import { Stat, count } from "../stats";
import { ourIp } from "../netif";
import { nowMs } from "../time";
import { State } from "./abi";
import { ACK, FIN, RST, SEG, SYN, Segment, URG, has, parseTcp, segCopy } from "./segment";
import { seqGe, seqGt, seqLe, seqLt } from "./seq";
import { acceptable, dataState, finReceivedState, peerMss, receivingState } from "./rules";
import {
  Err, F, Tcb, clearFlag, connectionClosed, finSeq, hasFlag, holeCount, initReceive, rxSpace, setFlag, setState, tcbFree,
  tcbHeard, tcbLookup,
} from "./tcb";
import { armFinWait2, rttSample, startTimeWait, stopTimer } from "./deadlines";
import { challengeAck, replyRst, tcpOutput } from "./output";
import { receiveText, rememberFin } from "./receive";
import { ccDuplicateAck, ccNewAck } from "./recovery";
import { listenerFor } from "./listeners";
import { listenInput } from "./passive";

/** RFC 5961 §5.2 MAX.SND.WND without window scaling. */
// @ts-ignore: decorator
@inline const MAX_SND_WND: u32 = 0xffff;

const inWindowStore = memory.data(offsetof<Segment>(), 8);
/** The part of the current segment inside the receive window (the first step's trimming). */
const IN_WINDOW = changetype<Segment>(inWindowStore);

/** What the first step decided. */
const enum Verdict {
  /** Not acceptable: answered (or ignored) and dropped. */
  DROPPED,
  /** Acceptable: go on with the segment cut to the window. */
  ACCEPTED,
  /** Zero window: only the ACK fields count, the text is not taken. */
  ACK_ONLY,
}

/** A TCP segment of `len` bytes at `p` from `src` to `dst` (IPv4 payload). */
export function tcpInput(src: u32, dst: u32, p: usize, len: i32): void {
  count(Stat.TCP_RX_SEGMENTS);
  const seg = SEG;
  if (!parseTcp(seg, src, dst, p, len)) return;
  // RFC 1122 §4.2.3.10: TCP is unicast only; broadcasts get no answer.
  if (dst != ourIp()) { count(Stat.TCP_DROP_MALFORMED); return; }
  const t = tcbLookup(src, seg.srcPort, seg.dstPort);
  if (t === null) { noConnection(seg); return; }
  if (t.state == <u8>State.SYN_SENT) synSent(t, seg);
  else segmentArrives(t, seg);
}

/** A segment for no connection: a listener's, or CLOSED (RFC 9293 §3.10.7.1). */
function noConnection(seg: Segment): void {
  const l = listenerFor(seg.dstPort);
  if (l >= 0) {
    const t = listenInput(l, seg);
    if (t !== null) passiveOpened(t, seg);
    return;
  }
  if (has(seg, RST)) { count(Stat.TCP_RST_IGNORED); return; }
  replyRst(seg);
}

/**
 * `seg` completed a passive open: tcp/passive.ts checked it against the
 * half-open entry (first to fifth steps: in the window, no RST, no SYN
 * to act on, ACK of ISS+1), so what is left is the fifth step's
 * transition to ESTABLISHED and the sixth to eighth steps.
 */
function passiveOpened(t: Tcb, seg: Segment): void {
  const inWin = trimToWindow(t, seg, t.rcvAdv - t.rcvNxt);
  synReceivedAcked(t, inWin);
  textAndFin(t, inWin);
}

/** Receive-side variables from the peer's SYN in `seg`, and its MSS option. */
function acceptSyn(t: Tcb, seg: Segment): void {
  initReceive(t, seg.seq, rxSpace(t), peerMss(seg.mss));
  t.sndWnd = seg.wnd;
  t.sndWl1 = seg.seq;
  t.sndWl2 = seg.ack;
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
  tcbHeard(t);
  clearFlag(t, <u16>F.RTT);
  // A close issued in SYN-RECEIVED was queued until now (RFC 9293 §3.10.4).
  if (hasFlag(t, <u16>F.CLOSED)) setState(t, State.FIN_WAIT_1);
  else setState(t, State.ESTABLISHED);
}

/** SYN-SENT processing (RFC 9293 §3.10.7.3). */
function synSent(t: Tcb, seg: Segment): void {
  let ackOk = false;
  // First: the ACK must acknowledge our SYN and nothing beyond it.
  if (has(seg, ACK)) {
    if (seqLe(seg.ack, t.iss) || seqGt(seg.ack, t.sndNxt)) {
      if (!has(seg, RST)) replyRst(seg);
      else count(Stat.TCP_RST_IGNORED);
      return;
    }
    ackOk = true;
  }
  // Second: a RST counts only with an acceptable ACK (RFC 5961 §3.2 note for SYN-SENT).
  if (has(seg, RST)) {
    if (ackOk) {
      count(Stat.TCP_RST_RX);
      connectionClosed(t, Err.REFUSED);
    } else {
      count(Stat.TCP_RST_IGNORED);
    }
    return;
  }
  // Fourth: the SYN.
  if (!has(seg, SYN)) { count(Stat.TCP_DROP_UNACCEPTABLE); return; }
  acceptSyn(t, seg);
  if (ackOk) {
    t.sndUna = seg.ack;
    established(t);
    setFlag(t, <u16>F.ACK_NOW);
    // Text or FIN in the SYN-ACK: continue at the sixth step after the SYN,
    // which the cut to the window removes (it sits before RCV.NXT).
    textAndFin(t, trimToWindow(t, seg, t.rcvAdv - t.rcvNxt));
    return;
  }
  // Simultaneous open: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED.
  setState(t, State.SYN_RECEIVED);
  t.sndNxt = t.iss;
  tcpOutput(t);
}

/**
 * `seg` cut down to the receive window, as a copy in IN_WINDOW: old bytes
 * (and the SYN) in front, excess (and the FIN) behind (RFC 9293 §3.10.7.4
 * first step, "trimmed to the window").
 */
function trimToWindow(t: Tcb, seg: Segment, wnd: u32): Segment {
  const w = segCopy(IN_WINDOW, seg);
  if (seqLt(w.seq, t.rcvNxt)) {
    let d = t.rcvNxt - w.seq;
    if (has(w, SYN)) { w.flags &= ~SYN; d--; w.seq++; }
    if (d >= <u32>w.dataLen) {
      // Everything, and a FIN right after it, is old.
      if (d > <u32>w.dataLen) w.flags &= ~FIN;
      w.dataPtr += <usize>w.dataLen;
      w.dataLen = 0;
    } else {
      w.dataPtr += <usize>d;
      w.dataLen -= <i32>d;
    }
    w.seq = t.rcvNxt;
  }
  const room = <i32>(t.rcvNxt + wnd - w.seq);
  if (w.dataLen > room) {
    w.dataLen = max<i32>(room, 0);
    w.flags &= ~FIN;
  }
  return w;
}

/** `seg` without its text: all a zero window lets through (first step). */
function withoutText(seg: Segment): Segment {
  const w = segCopy(IN_WINDOW, seg);
  w.dataLen = 0;
  return w;
}

/** Processing for every state after SYN-SENT: RFC 9293 §3.10.7.4, step by step. */
function segmentArrives(t: Tcb, seg: Segment): void {
  const wnd = t.rcvAdv - t.rcvNxt;
  const v = firstCheckSequence(t, seg, wnd);
  if (v == Verdict.DROPPED) return;
  tcbHeard(t);
  if (secondCheckRst(t, seg)) return;
  thirdCheckSecurity(t, seg);
  if (fourthCheckSyn(t, seg)) return;
  // The first step's cut to the window, made once the second to fourth
  // steps have seen the segment as received (RFC 5961 §3.2 compares the
  // RST's own sequence number with RCV.NXT).
  const inWin = v == Verdict.ACK_ONLY ? withoutText(seg) : trimToWindow(t, seg, wnd);
  if (!fifthCheckAck(t, inWin)) return;
  if (v == Verdict.ACK_ONLY) {
    setFlag(t, <u16>F.ACK_NOW);
    tcpOutput(t);
    return;
  }
  if (t.state == <u8>State.CLOSED) return;
  textAndFin(t, inWin);
}

/**
 * First step (RFC 9293 §3.10.7.4): "If a segment's contents straddle the
 * boundary between old and new, only the new parts are processed", and
 * "If an incoming segment is not acceptable, an acknowledgment should be
 * sent in reply (unless the RST bit is set, if so drop the segment and
 * return)". A SYN goes on to the fourth step whatever its sequence number
 * (RFC 5961 §4.2).
 */
function firstCheckSequence(t: Tcb, seg: Segment, wnd: u32): Verdict {
  if (has(seg, SYN) && !has(seg, RST)) return Verdict.ACCEPTED;
  if (acceptable(seg, t.rcvNxt, wnd)) return Verdict.ACCEPTED;
  if (has(seg, RST)) { count(Stat.TCP_RST_IGNORED); return Verdict.DROPPED; }
  // "If the RCV.WND is zero, no segments will be acceptable, but special
  // allowance should be made to accept valid ACKs, URGs, and RSTs."
  if (wnd == 0 && seg.seq == t.rcvNxt && has(seg, ACK)) return Verdict.ACK_ONLY;
  count(Stat.TCP_DROP_UNACCEPTABLE);
  if (t.state == <u8>State.TIME_WAIT && has(seg, FIN)) startTimeWait(t);
  setFlag(t, <u16>F.ACK_NOW);
  tcpOutput(t);
  return Verdict.DROPPED;
}

/**
 * Second step: "check the RST bit". RFC 5961 §3.2: "If the RST bit is set
 * and the sequence number exactly matches the next expected sequence
 * number (RCV.NXT), then TCP MUST reset the connection"; any other
 * in-window RST draws a challenge ACK. True when the segment is done with.
 */
function secondCheckRst(t: Tcb, seg: Segment): bool {
  if (!has(seg, RST)) return false;
  if (seg.seq != t.rcvNxt) { challengeAck(t); return true; }
  count(Stat.TCP_RST_RX);
  const s = t.state;
  if (s == <u8>State.SYN_RECEIVED) {
    // Only an active (simultaneous) open sits in SYN-RECEIVED with a TCB;
    // passive ones are half-open entries (tcp/passive.ts). "If this
    // connection was initiated with an active OPEN ... the connection was refused."
    connectionClosed(t, Err.REFUSED);
  } else if (dataState(s)) {
    count(Stat.TCP_ESTABLISHED_RESETS);
    connectionClosed(t, Err.RESET);
  } else {
    connectionClosed(t, Err.NONE);
  }
  return true;
}

/**
 * Third step: "check security". The stack sends and accepts no IP
 * security options (RFC 9293 §3.10.7.4 leaves compartments to RFC 791
 * users), so there is nothing to compare.
 */
// @ts-ignore: decorator
@inline function thirdCheckSecurity(t: Tcb, seg: Segment): void {}

/**
 * Fourth step: "check the SYN bit". RFC 5961 §4.2: "If the SYN bit is set,
 * irrespective of the exact sequence number, TCP MUST send an ACK (also
 * referred to as challenge ACK) to the remote peer" and drop the segment.
 * Before that, two SYNs are not attacks: a retransmitted SYN in
 * SYN-RECEIVED (our SYN-ACK was lost) and a new connection's SYN in
 * TIME-WAIT (RFC 9293 §3.6.1, RFC 6191). True when the segment is done with.
 */
function fourthCheckSyn(t: Tcb, seg: Segment): bool {
  if (!has(seg, SYN) || has(seg, RST)) return false;
  const s = t.state;
  if (s == <u8>State.TIME_WAIT && !has(seg, ACK) && seqGt(seg.seq, t.rcvNxt)) {
    const l = listenerFor(t.localPort);
    if (l >= 0) {
      tcbFree(t);
      listenInput(l, seg);
      return true;
    }
  }
  if (s == <u8>State.SYN_RECEIVED && seg.seq == t.irs && !has(seg, ACK)) {
    t.sndNxt = t.iss;
    tcpOutput(t);
    return true;
  }
  challengeAck(t);
  return true;
}

/**
 * Fifth step: "check the ACK field". "If the ACK bit is off, drop the
 * segment and return." False when the segment is done with.
 */
function fifthCheckAck(t: Tcb, seg: Segment): bool {
  if (!has(seg, ACK)) { count(Stat.TCP_DROP_UNACCEPTABLE); return false; }
  if (t.state != <u8>State.SYN_RECEIVED) return processAck(t, seg);
  // SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED
  // state"; otherwise <SEQ=SEG.ACK><CTL=RST>.
  if (!seqLt(t.sndUna, seg.ack) || !seqLe(seg.ack, t.sndNxt)) { replyRst(seg); return false; }
  synReceivedAcked(t, seg);
  return true;
}

/** SYN-RECEIVED and our SYN acknowledged by `seg`: take its window and enter ESTABLISHED. */
function synReceivedAcked(t: Tcb, seg: Segment): void {
  t.sndUna = seg.ack;
  t.sndWnd = seg.wnd;
  t.sndWl1 = seg.seq;
  t.sndWl2 = seg.ack;
  established(t);
}

/**
 * The ACK field in a synchronized state. Returns false when the segment
 * is finished with (dropped, or the connection closed).
 */
function processAck(t: Tcb, seg: Segment): bool {
  const ack = seg.ack;
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
    finAcked = newAck(t, seg);
  } else if (ack == t.sndUna && seg.receivedLen == 0 && !has(seg, FIN) && seg.wnd == t.sndWnd && t.sndUna != t.sndMax
    && seg.wnd != 0 && !hasFlag(t, <u16>F.PERSIST)) {
    // RFC 5681 §2 duplicate ACK; answers to zero-window probes are not.
    ccDuplicateAck(t, seg.ack);
  }
  windowUpdate(t, seg);
  return ackClosesState(t, finAcked);
}

/** RFC 9293 §3.10.7.4 fifth step: "update the send window" only from a newer segment. */
function windowUpdate(t: Tcb, seg: Segment): void {
  if (seqLt(t.sndWl1, seg.seq) || (t.sndWl1 == seg.seq && seqLe(t.sndWl2, seg.ack))) {
    const wasShut = t.sndWnd == 0;
    t.sndWnd = seg.wnd;
    t.sndWl1 = seg.seq;
    t.sndWl2 = seg.ack;
    if (wasShut && t.sndWnd != 0 && hasFlag(t, <u16>F.PERSIST)) {
      stopTimer(t);
      t.retries = 0;
    }
  }
}

/**
 * The fifth step's per-state rules once our FIN may be acknowledged
 * (FIN-WAIT-1, CLOSING, LAST-ACK). False when the segment is finished with.
 */
function ackClosesState(t: Tcb, finAcked: bool): bool {
  const s = t.state;
  if (s == <u8>State.FIN_WAIT_1) {
    if (finAcked) {
      setState(t, State.FIN_WAIT_2);
      armFinWait2(t);
    }
  } else if (s == <u8>State.CLOSING) {
    // "In addition to the processing for the ESTABLISHED state, if the ACK
    // acknowledges our FIN, then enter the TIME-WAIT state; otherwise,
    // ignore the segment": its text and FIN are not taken (the later steps
    // do nothing in CLOSING), but what the ESTABLISHED processing did
    // stands, so data and the FIN queued behind a window this ACK opened
    // go out now (textAndFin's output).
    if (finAcked) { startTimeWait(t); return false; }
  } else if (s == <u8>State.LAST_ACK) {
    if (finAcked) { connectionClosed(t, Err.NONE); return false; }
  }
  return true;
}

/** SND.UNA < SEG.ACK =< SND.MAX: new data acknowledged. Returns "our FIN is acked". */
function newAck(t: Tcb, seg: Segment): bool {
  const ack = seg.ack;
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
  ccNewAck(t, dataAcked);
  return finSent && seqGt(ack, finBefore);
}

/** Sixth to eighth steps for the in-window part of a segment, then whatever is to be sent. */
function textAndFin(t: Tcb, seg: Segment): void {
  const s = t.state;
  sixthCheckUrg(t, seg);
  seventhProcessText(t, seg);
  eighthCheckFin(t, seg, s);
  if (t.state != <u8>State.CLOSED) tcpOutput(t);
}

/**
 * Sixth step: "check the URG bit". RFC 6093: the pointer marks the byte
 * after the urgent data, which is delivered inline with the rest.
 */
function sixthCheckUrg(t: Tcb, seg: Segment): void {
  if (receivingState(t.state) && has(seg, URG) && seg.up != 0) {
    const up = seg.seq + <u32>seg.up;
    if (seqGt(up, t.rcvUp)) t.rcvUp = up;
  }
}

/** Seventh step: "process the segment text", only while the peer's stream is open. */
function seventhProcessText(t: Tcb, seg: Segment): void {
  const s = t.state;
  if (!receivingState(s) || seg.dataLen <= 0) return;
  const before = t.rcvNxt;
  receiveText(t, seg);
  // A half-closed connection still receiving is not idle: the FIN-WAIT-2
  // timer counts from the peer's last new data.
  if (s == <u8>State.FIN_WAIT_2 && t.rcvNxt != before) armFinWait2(t);
}

/**
 * Eighth step: "check the FIN bit", once everything before it has arrived.
 * A FIN beyond a hole is remembered and taken when the hole fills ("segments
 * with higher beginning sequence numbers may be held"); a repeated FIN
 * never gets this far (it fails the first step and is answered there).
 * `s` is the state the segment arrived in.
 */
function eighthCheckFin(t: Tcb, seg: Segment, s: u8): void {
  if (finReceivedState(s)) return;
  let fin = has(seg, FIN) && seg.seq + <u32>seg.dataLen == t.rcvNxt;
  if (has(seg, FIN) && !fin && receivingState(s)) rememberFin(t, seg.seq + <u32>seg.dataLen);
  if (hasFlag(t, <u16>F.FIN_OOO) && holeCount(t) == 0) fin = true;
  if (!fin) return;
  clearFlag(t, <u16>F.FIN_OOO);
  t.rcvNxt += 1;
  setFlag(t, <u16>F.ACK_NOW);
  if (s == <u8>State.ESTABLISHED || s == <u8>State.SYN_RECEIVED) setState(t, State.CLOSE_WAIT);
  else if (s == <u8>State.FIN_WAIT_1) setState(t, State.CLOSING);
  else if (s == <u8>State.FIN_WAIT_2 || s == <u8>State.TIME_WAIT) startTimeWait(t);
}
