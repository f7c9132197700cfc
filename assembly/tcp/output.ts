// Segment output: everything the stack sends goes through here. tcpOutput()
// decides what a connection may send now (SYN, data re-cut from the send
// ring, FIN, or a bare ACK) under the send window, the congestion window,
// Nagle and sender-side SWS avoidance; the reply helpers answer segments
// that have no connection (RFC 9293 §3.10.7.1) and send RFC 5961 challenge
// ACKs under their rate limit.
//
// Retransmission never keeps copies: SND.NXT is moved back (RTO) or one
// segment is cut again at SND.UNA (fast retransmit), and the bytes are read
// from the ring again.

import { CONGESTION_CONTROL, TCP_RX_BUF, TCP_TX_HOLD } from "../config";
import { Stat, count } from "../stats";
import { ourIp } from "../netif";
import { nowMs } from "../time";
import { PROTO_TCP, ipv4Send } from "../ip/ipv4";
import { State } from "./abi";
import { ACK, FIN, PSH, RST, SYN, Segment, emitDataPtr, has, segLen, writeTcp } from "./segment";
import { seqGt, seqLt, seqMax } from "./seq";
import { OUR_MSS, challengeAllowed, maySendState, retransmitSpan, userSendState } from "./rules";
import { F, Tcb, clearFlag, hasFlag, rxSpace, setFlag, setPushedOwed, txStart } from "./tcb";
import { txRead } from "./rings";
import { armPersist, armRetransmit } from "./deadlines";
import { holdShort, nagleSent } from "./nagle";

/**
 * The least step of the right edge (receiver SWS avoidance, RFC 9293
 * §3.8.6.2.2): min(Fr·RCV.BUFF, MSS) with Fr = 1/4 rather than the
 * recommended 1/2. With rings of four segments or more the MSS decides
 * either way; with a 4 KiB ring (1460 + 1460 + 1176) Fr = 1/2 asks for
 * 1460, so the read of the ring's 1176-byte tail could not reopen the
 * window and the sender's next segment waited for one more ACK. A quarter
 * of the ring is still no silly window.
 */
// @ts-ignore: decorator
@inline function edgeStep(): u32 { return <u32>min<i32>(TCP_RX_BUF >> 2, <i32>OUR_MSS); }

/**
 * The window to put in a segment, moving the advertised right edge only
 * by at least edgeStep() and never to the left (RFC 9293 §3.8.6).
 */
export function windowToAdvertise(t: Tcb): u16 {
  const edge = t.rcvNxt + rxSpace(t);
  if (seqGt(edge, t.rcvAdv)) {
    if (edge - t.rcvAdv >= edgeStep() || t.rcvAdv == t.rcvNxt) t.rcvAdv = edge;
  }
  if (seqLt(t.rcvAdv, t.rcvNxt)) t.rcvAdv = t.rcvNxt;
  const w = t.rcvAdv - t.rcvNxt;
  return <u16>(w > 0xffff ? 0xffff : w);
}

/** The window would open by at least edgeStep() if we advertised now. */
export function windowUpdateDue(t: Tcb): bool {
  const edge = t.rcvNxt + rxSpace(t);
  if (!seqGt(edge, t.rcvAdv)) return false;
  return edge - t.rcvAdv >= edgeStep();
}

/**
 * Build a segment around `dataLen` bytes already at emitDataPtr(mss != 0)
 * and send it: the one place TCP hands a datagram to IPv4.
 */
export function emit(
  localPort: u16, remoteIp: u32, remotePort: u16,
  seq: u32, ack: u32, flags: u8, wnd: u16, mss: u16, dataLen: i32,
): void {
  const len = writeTcp(ourIp(), localPort, remoteIp, remotePort, seq, ack, flags, wnd, mss, dataLen);
  count(Stat.TCP_TX_SEGMENTS);
  ipv4Send(remoteIp, PROTO_TCP, len);
}

/**
 * Send one segment of this connection: `len` ring bytes from `seq`, with
 * `flags` (ACK is added once synchronized, and RCV.NXT with it). A SYN
 * carries our MSS option.
 */
export function sendSegment(t: Tcb, seq: u32, len: i32, flags: u8): void {
  const syn = (flags & SYN) != 0;
  // Our SYN carries no text, so text always follows the bare header.
  if (len > 0) txRead(t, seq, emitDataPtr(false), len);
  let ack: u32 = 0;
  if (t.state != <u8>State.SYN_SENT) {
    flags |= ACK;
    ack = t.rcvNxt;
    clearFlag(t, <u16>(F.DELACK | F.ONE_FULL | F.ACK_NOW));
    setPushedOwed(t, false);
  }
  const wnd = (flags & RST) != 0 ? <u16>0 : windowToAdvertise(t);
  emit(t.localPort, t.remoteIp, t.remotePort, seq, ack, flags, wnd, syn ? OUR_MSS : 0, len);
}

/**
 * A bare ACK: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. After a timeout has
 * moved SND.NXT back for retransmission, the highest sequence number sent
 * stands in for it: the peer's RCV.NXT may already be past SND.NXT, and an
 * ACK below it would be unacceptable there and answered by another ACK
 * (RFC 9293 §3.10.7.4), forever. While probing a zero window the probe
 * byte is not counted, so the ACK stays at the peer's RCV.NXT.
 */
export function sendAck(t: Tcb): void {
  sendSegment(t, hasFlag(t, <u16>F.PERSIST) ? t.sndNxt : t.sndMax, 0, ACK);
}

/** ABORT's reset: <SEQ=SND.NXT><CTL=RST> (RFC 9293 §3.10.5), SND.NXT being the highest sent. */
export function sendRst(t: Tcb): void {
  count(Stat.TCP_RST_SENT);
  emit(t.localPort, t.remoteIp, t.remotePort, t.sndMax, 0, RST, 0, 0, 0);
}

/**
 * RFC 5961 §3.2/§4.2 challenge ACK, drawn from the stack's one budget
 * (tcp/rules.ts, §7) so it cannot be used to flood.
 */
export function challengeAck(t: Tcb): void {
  if (challengeAllowed()) sendAck(t);
}

/**
 * Reset for `seg` when no connection takes it (RFC 9293 §3.10.7.1): if it
 * had an ACK, <SEQ=SEG.ACK><CTL=RST>; otherwise
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Never in answer to a RST.
 */
export function replyRst(seg: Segment): void {
  if (has(seg, RST)) return;
  count(Stat.TCP_RST_SENT);
  if (has(seg, ACK)) emit(seg.dstPort, seg.srcIp, seg.srcPort, seg.ack, 0, RST, 0, 0, 0);
  else emit(seg.dstPort, seg.srcIp, seg.srcPort, 0, seg.seq + segLen(seg), RST | ACK, 0, 0, 0);
}

/**
 * Send whatever the connection may send now; an ACK owed (F_ACK_NOW) goes
 * out on its own when nothing else carries it. `writing`: called from
 * tcp_send, where Nagle takes a short tail as likely not the last
 * (tcp/nagle.ts).
 */
export function tcpOutput(t: Tcb, writing: bool = false): void {
  const s = t.state;
  if (s == <u8>State.SYN_SENT || s == <u8>State.SYN_RECEIVED) {
    synOutput(t);
    return;
  }
  if (maySendState(s)) sendQueued(t, writing);
  if (hasFlag(t, <u16>F.ACK_NOW)) sendAck(t);
}

/** SYN-SENT and SYN-RECEIVED: our SYN (again, after SND.NXT was moved back), or an owed ACK. */
function synOutput(t: Tcb): void {
  if (t.sndNxt == t.iss) {
    if (t.sndMax == t.iss) {
      // First transmission: time the handshake (RFC 6298 §2.2 takes the
      // first sample from it).
      t.rttSeq = t.iss + 1;
      t.rttStart = nowMs();
      setFlag(t, <u16>F.RTT);
    } else {
      // Sent again: its ACK is ambiguous (RFC 6298 §3, Karn), and after a
      // timeout the RTO restarts at 3 s once established (§5.7).
      clearFlag(t, <u16>F.RTT);
      if (t.retries > 0) setFlag(t, <u16>F.SYN_RETX);
    }
    sendSegment(t, t.iss, 0, SYN);
    // Nothing beyond the SYN has been sent before the handshake completes.
    t.sndNxt = t.iss + 1;
    t.sndMax = t.iss + 1;
    if (!hasFlag(t, <u16>F.TIMER)) armRetransmit(t);
  } else if (hasFlag(t, <u16>F.ACK_NOW) && t.state == <u8>State.SYN_RECEIVED) {
    sendAck(t);
  }
}

/**
 * Send queued data and the FIN under the send and congestion windows,
 * sender SWS avoidance and Nagle; arm the persist timer when a shut
 * window holds data back.
 */
function sendQueued(t: Tcb, writing: bool): void {
  const start = txStart(t);
  const finQueued = hasFlag(t, <u16>F.CLOSED) && !userSendState(t.state);
  for (;;) {
    const sent = <i32>(t.sndNxt - start);
    const unsent = <i32>t.txLen - sent;
    // The FIN, at start + txLen (finSeq), is due until SND.NXT has passed
    // it, that is while unsent >= 0.
    const finDue = finQueued && unsent >= 0;
    if (unsent <= 0 && !finDue) break;
    // From here on unsent >= 0: data waits, or the FIN is due.
    const flight = <i32>(t.sndNxt - t.sndUna);
    const wnd = CONGESTION_CONTROL != 0 ? min<i32>(<i32>t.sndWnd, <i32>t.cwnd) : <i32>t.sndWnd;
    const usable = wnd > flight ? wnd - flight : 0;
    const mss = <i32>t.sndMss;
    let len = min<i32>(unsent, min<i32>(mss, usable));
    const all = len == unsent;
    const withFin = finDue && all;
    if (len == 0 && !withFin) break;
    // A segment cut short by the end of the queued data or by the window's
    // edge: Nagle and sender SWS avoidance (tcp/nagle.ts).
    if (len > 0 && holdShort(t, len, all, finDue, writing)) break;
    if (len > 0 && !hasFlag(t, <u16>F.RTT) && t.sndNxt == t.sndMax) {
      // RFC 6298 §3: time one segment per window, never a retransmission.
      t.rttSeq = t.sndNxt + <u32>len;
      t.rttStart = nowMs();
      setFlag(t, <u16>F.RTT);
    }
    sendSegment(t, t.sndNxt, len, withFin ? FIN | PSH : (all && len > 0 ? PSH : 0));
    nagleSent(t, t.sndNxt, len);
    t.sndNxt += <u32>len + (withFin ? 1 : 0);
    t.sndMax = seqMax(t.sndMax, t.sndNxt);
    if (!hasFlag(t, <u16>F.TIMER) || hasFlag(t, <u16>F.PERSIST)) armRetransmit(t);
    if (withFin) break;
  }
  // Data waits, nothing is in flight and the peer's window is shut: the
  // persist timer probes it (RFC 9293 §3.8.6.1).
  if (t.sndNxt == t.sndUna && <i32>t.txLen > <i32>(t.sndNxt - start) && t.sndWnd == 0 && !hasFlag(t, <u16>F.TIMER)) {
    armPersist(t);
  }
}

/** Retransmit one segment at SND.UNA (fast retransmit, NewReno partial ACK), cut by retransmitSpan. */
export function retransmitFirst(t: Tcb): void {
  // The send ring holds txLen bytes from SND.UNA (txStart).
  const inRing = <i32>t.txLen;
  const sent = min<u32>(<u32>inRing, t.sndMax - t.sndUna);
  const len = <i32>retransmitSpan(sent, <u32>t.sndWnd, <u32>t.sndMss);
  const fin = hasFlag(t, <u16>F.CLOSED) && len == inRing && seqLt(t.sndUna + <u32>len, t.sndMax)
    && !userSendState(t.state);
  if (len == 0 && !fin) return;
  clearFlag(t, <u16>F.RTT); // Karn: no sample from a retransmitted segment
  sendSegment(t, t.sndUna, len, fin ? FIN | PSH : 0);
}

/** A zero-window probe: one byte beyond the window (RFC 9293 §3.8.6.1). */
export function sendProbe(t: Tcb): void {
  const unsent = <i32>t.txLen - <i32>(t.sndNxt - txStart(t));
  count(Stat.TCP_PERSIST_PROBES);
  if (unsent <= 0) { sendAck(t); return; }
  sendSegment(t, t.sndNxt, 1, 0);
  // The byte counts as sent for ACK acceptability; SND.NXT stays so the
  // byte is sent again normally once the window opens.
  t.sndMax = seqMax(t.sndMax, t.sndNxt + 1);
}

/** Bytes the send ring can still take. */
// @ts-ignore: decorator
@inline export function txFree(t: Tcb): i32 { return TCP_TX_HOLD - <i32>t.txLen; }
