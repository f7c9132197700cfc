// Passive OPEN (RFC 9293 §3.10.1, §3.10.7.2): LISTEN processing, the
// half-open connections in the SYN queue (tcp/synq.ts), SYN cookies
// (RFC 4987 §3.6, tcp/cookie.ts), and accept/close of a listener whose
// table and accept queue live in tcp/listeners.ts.
//
// A SYN to a listener makes a 24-byte SYN-queue entry (no TCB) and a
// SYN-ACK. The SYN-ACK is sent again after SYNACK_RTO_MS, then twice that,
// and so on, SYNACK_RETRIES times; the entry is dropped silently when the
// wait after the last retransmission ends, so a half-open connection lives
// SYNACK_RTO_MS · (2^(SYNACK_RETRIES+1) − 1) ms (63 s by default: 1+2+4+8+16+32).
// The ACK of ISS+1 completes the handshake: only then is a TCB taken, put
// in SYN-RECEIVED and handed back to input.ts, which moves it to
// ESTABLISHED and takes any text or FIN the ACK carries (the checks of the
// first to fifth steps were made here, against the entry, once); the
// connection then waits in the listener's accept queue (bounded by the
// backlog) until tcp_accept.
//
// SYN cookies, net_config SYNCOOKIES: 0 never (a SYN finding the queue full
// is dropped), 1 when the SYN queue is full, 2 always. A cookie SYN-ACK
// keeps no state; an ACK for no connection and no entry whose ack − 1 is a
// valid cookie creates the connection directly, with the cookie's MSS.
//
// Overload: a SYN that finds its listener's accept queue full, or no TCB
// free, none in TIME-WAIT to recycle and none idle enough to reclaim
// (net_config tcb_full, tcp/reclaim.ts), is dropped unanswered and counted
// (LISTEN_OVERFLOWS, like Linux's ListenOverflows): no entry, no cookie, so
// no handshake completes that no TCB can hold, and the client's SYN
// retransmission retries later.
//
// Floods (RFC 4987 §2, §3): nothing here grows. A completed handshake that
// still finds the accept queue full or no free TCB (the queue filled while
// it was half-open) is dropped and counted (ACCEPTQ_OVERFLOWS); the entry stays so its SYN-ACK retransmission draws
// another ACK later, and no live connection is ever evicted for it (only a
// TIME-WAIT TCB may be recycled, as for any new connection, or with
// tcb_full 1 one idle beyond reclaim_idle_ms). A forged ACK
// gets at most one RST, and none while cookies are being sent because the
// queue overflowed (mode 1), so ACK floods are never amplified.
//
// Interface to the rest of TCP:
//   listenInput(l, seg)    LISTEN/SYN-RECEIVED processing of a segment no
//                          TCB took; returns a new TCB whose handshake the
//                          segment completed, or null
//   listenPoll()           SYN-ACK retransmission and expiry
//   listenNextDeadline()   for net_poll
//   listenAccept/Readable/Close   tcp_accept, tcp_poll, tcp_close of a listener

import { TCP_RX_BUF } from "../config";
import { EAGAIN, EINVAL } from "../errors";
import { Stat, count } from "../stats";
import { ourIp } from "../netif";
import { ConfigKey, config } from "../netconfig";
import { earliest, expired, nowMs } from "../time";
import { State } from "./abi";
import { ACK, RST, SYN, Segment, has } from "./segment";
import { seqInWindow } from "./seq";
import { isnFor } from "./isn";
import { cookieCheck, cookieMake } from "./cookie";
import { DEFAULT_MSS, OUR_MSS, acceptable, challengeAllowed, peerMss } from "./rules";
import {
  acceptQueueAt, acceptQueueFull, acceptQueueLen, acceptQueuePush, cookieStamp, cookiesOut, listenerOptions,
  listenerRelease,
} from "./listeners";
import {
  F, Tcb, initConnection, initReceive, setFlag, setState, synchronized, tcbAt, tcbFree, tcbHandle, tcbHash, tcbIndex,
  tcbLeaveQueue, tcbOptions,
} from "./tcb";
import { tcbObtain, tcbObtainable } from "./reclaim";
import { optionsCopy } from "./options";
import { emit, replyRst, sendRst } from "./output";
import {
  synqAdd, synqCount, synqDeadline, synqFind, synqFull, synqIrs, synqIss, synqListener, synqLocalPort,
  synqPeerMss, synqRemoteIp, synqRemotePort, synqRemove, synqResent, synqRetried, synqRetries, synqSentOnce,
} from "./synq";

/** The window a SYN-ACK offers: the whole receive ring of the TCB to come. */
// @ts-ignore: decorator
@inline const SYN_WINDOW: u32 = TCP_RX_BUF > 0xffff ? 0xffff : <u32>TCP_RX_BUF;
/** The longest wait between SYN-ACKs (keeps deadlines far from u32 wrap). */
// @ts-ignore: decorator
@inline const MAX_WAIT_MS: u32 = 0x3fffffff;

// ---------- segments ----------

/** <SEQ=ISS><ACK=IRS+1><CTL=SYN,ACK> with our MSS and the whole window. */
function sendSynAck(localPort: u16, remoteIp: u32, remotePort: u16, iss: u32, irs: u32): void {
  emit(localPort, remoteIp, remotePort, iss, irs + 1, SYN | ACK, <u16>SYN_WINDOW, OUR_MSS, 0);
}

/** The SYN-ACK of entry `i` again. */
function resendSynAck(i: i32): void {
  sendSynAck(synqLocalPort(i), synqRemoteIp(i), synqRemotePort(i), synqIss(i), synqIrs(i));
}

/** <SEQ=ISS+1><ACK=RCV.NXT><CTL=ACK> for entry `i` (SND.NXT is ISS+1 in SYN-RECEIVED). */
function sendEntryAck(i: i32): void {
  emit(synqLocalPort(i), synqRemoteIp(i), synqRemotePort(i), synqIss(i) + 1, synqIrs(i) + 1, ACK,
    <u16>SYN_WINDOW, 0, 0);
}

/** Wait after SYN-ACK transmission number `sent` (1 = the first): SYNACK_RTO_MS · 2^(sent−1). */
function waitAfter(sent: i32): u32 {
  // Capped before shifting, so that nothing overflows: rto · 2^shift
  // exceeds MAX_WAIT_MS exactly when rto exceeds MAX_WAIT_MS >> shift.
  // The shift is at most SYNACK_RETRIES (16, netconfig.ts), below 32.
  const rto = <u32>config(ConfigKey.SYNACK_RTO_MS);
  const shift = <u32>(sent - 1);
  return rto > MAX_WAIT_MS >> shift ? MAX_WAIT_MS : rto << shift;
}

/**
 * LISTEN/SYN-RECEIVED processing of `seg` for listener `l` (no TCB took
 * it). Returns a TCB in SYN-RECEIVED whose handshake `seg` completed, for
 * input.ts to finish (RFC 9293 §3.10.7.4), or null when `seg` is done with.
 */
export function listenInput(l: i32, seg: Segment): Tcb | null {
  const i = synqFind(seg.srcIp, seg.srcPort, seg.dstPort);
  if (i >= 0) return halfOpenInput(l, i, seg);
  // RFC 9293 §3.10.7.2. First: a RST is ignored.
  if (has(seg, RST)) { count(Stat.TCP_RST_IGNORED); return null; }
  // Second: an ACK is bad here, unless it returns a cookie.
  if (has(seg, ACK)) {
    if (has(seg, SYN)) { replyRst(seg); return null; }
    return cookieAck(l, seg);
  }
  // Third: a SYN opens a connection; anything else is dropped.
  if (!has(seg, SYN)) { count(Stat.TCP_DROP_UNACCEPTABLE); return null; }
  count(Stat.SYN_RX);
  // Overload: a handshake that no TCB could hold is not begun, neither by
  // an entry nor by a cookie, so the peer's SYN retransmission (RFC 9293
  // §3.8.1) backs off and tries again later. Floods never fill the accept
  // queue or take TCBs, so this does not weaken the SYN-flood defence.
  if (acceptQueueFull(l) || !tcbObtainable()) { count(Stat.LISTEN_OVERFLOWS); return null; }
  const mode = config(ConfigKey.SYNCOOKIES);
  if (mode == 2) { sendCookie(l, seg); return null; }
  if (synqFull()) {
    count(Stat.SYNQ_OVERFLOWS);
    if (mode == 1) sendCookie(l, seg);
    return null;
  }
  const lp = seg.dstPort;
  const iss = isnFor(ourIp(), lp, seg.srcIp, seg.srcPort);
  // Data on the SYN is not kept (RFC 9293 §3.10.7.2 allows queueing it; the
  // SYN-ACK acknowledges only the SYN, so the peer sends it again).
  synqAdd(l, lp, seg.srcIp, seg.srcPort, iss, seg.seq, peerMss(seg.mss), nowMs() + waitAfter(1));
  count(Stat.SYNACK_SENT);
  sendSynAck(lp, seg.srcIp, seg.srcPort, iss, seg.seq);
  return null;
}

/** A stateless SYN-ACK whose ISS is a cookie (RFC 4987 §3.6). */
function sendCookie(l: i32, seg: Segment): void {
  const lp = seg.dstPort;
  const iss = cookieMake(ourIp(), lp, seg.srcIp, seg.srcPort, seg.seq, seg.mss == 0 ? DEFAULT_MSS : seg.mss);
  cookieStamp(l);
  count(Stat.COOKIES_SENT);
  count(Stat.SYNACK_SENT);
  sendSynAck(lp, seg.srcIp, seg.srcPort, iss, seg.seq);
}

/**
 * An ACK (no SYN, no RST) for no connection and no entry. With cookies off,
 * or none sent lately in mode 1, RFC 9293 §3.10.7.2: <SEQ=SEG.ACK><CTL=RST>.
 * Otherwise ack − 1 must be a cookie for this 4-tuple and seq − 1; a bad one
 * is dropped and counted, and reset only in mode 2: in mode 1 cookies go
 * out only while the SYN queue overflows, so an ACK flood during a SYN
 * flood draws nothing; in mode 2 each forged ACK draws one RST of its own
 * size at most, never more.
 */
function cookieAck(l: i32, seg: Segment): Tcb | null {
  const mode = config(ConfigKey.SYNCOOKIES);
  if (mode == 0 || (mode == 1 && !cookiesOut(l))) { replyRst(seg); return null; }
  const mss = cookieCheck(ourIp(), seg.dstPort, seg.srcIp, seg.srcPort, seg.seq - 1, seg.ack - 1);
  if (mss < 0) {
    count(Stat.COOKIES_REJECTED);
    if (mode == 2) replyRst(seg);
    return null;
  }
  const t = handshakeDone(l, seg, seg.ack - 1, seg.seq - 1, <u16>min<i32>(mss, <i32>OUR_MSS));
  if (t !== null) count(Stat.COOKIES_ACCEPTED);
  return t;
}

/**
 * SYN-RECEIVED processing (RFC 9293 §3.10.7.4) for half-open entry `i`:
 * the first, second, fourth and fifth steps against the entry; the third
 * (security) has nothing to check without IP security options.
 */
function halfOpenInput(l: i32, i: i32, seg: Segment): Tcb | null {
  const irs = synqIrs(i);
  const iss = synqIss(i);
  // Fourth step first for a SYN (RFC 5961 §4.2: whatever its sequence number).
  if (has(seg, SYN) && !has(seg, RST) && halfOpenSyn(i, seg, irs)) return null;
  // First: sequence number.
  if (!acceptable(seg, irs + 1, SYN_WINDOW)) {
    if (has(seg, RST)) { count(Stat.TCP_RST_IGNORED); return null; }
    count(Stat.TCP_DROP_UNACCEPTABLE);
    sendEntryAck(i);
    return null;
  }
  // Second: RST. Exactly RCV.NXT removes the entry; elsewhere in the window
  // it draws a challenge ACK from the stack's budget (RFC 5961 §3.2, §7).
  if (has(seg, RST)) {
    if (seg.seq != irs + 1) {
      if (challengeAllowed()) sendEntryAck(i);
      return null;
    }
    count(Stat.TCP_RST_RX);
    count(Stat.SYNQ_RESETS);
    synqRemove(i);
    return null;
  }
  // Fifth: ACK. Only ISS+1 is acceptable; anything else gets <SEQ=SEG.ACK><CTL=RST>.
  if (!has(seg, ACK)) { count(Stat.TCP_DROP_UNACCEPTABLE); return null; }
  if (seg.ack != iss + 1) { replyRst(seg); return null; }
  // The handshake completes only with the segment at IRS+1, as a cookie's
  // does. A later one (the ACK a repeated SYN-ACK draws, say) means the
  // peer's ACK and first data were lost, or dropped here while no TCB was
  // free: a TCB made now would hold a gap until the peer's backed-off
  // retransmission timer resends IRS+1, idle and out of reach of other
  // handshakes. The entry waits for that segment instead.
  if (seg.seq != irs + 1) { count(Stat.TCP_OOO_DROPPED); return null; }
  const t = handshakeDone(l, seg, iss, irs, synqPeerMss(i));
  if (t === null) return null;
  if (synqSentOnce(i)) {
    // Time the handshake from the one SYN-ACK (RFC 6298 §2.2, §3); the
    // sample is taken when input.ts moves the TCB to ESTABLISHED.
    t.rttSeq = iss + 1;
    t.rttStart = synqDeadline(i) - waitAfter(1);
    setFlag(t, <u16>F.RTT);
  } else if (synqRetries(i) > 0) {
    setFlag(t, <u16>F.SYN_RETX); // RFC 6298 §5.7
  }
  synqRemove(i);
  return t;
}

/**
 * A SYN for half-open entry `i`. True when it is done with: the same SYN
 * again (the peer missed our SYN-ACK: same ISS, one entry), or a new one in
 * the window (fourth step: a passive open returns to LISTEN).
 */
function halfOpenSyn(i: i32, seg: Segment, irs: u32): bool {
  count(Stat.SYN_RX);
  if (seg.seq == irs && !has(seg, ACK)) {
    count(Stat.SYNACK_RETRANSMITS);
    synqResent(i);
    resendSynAck(i);
    return true;
  }
  if (seqInWindow(seg.seq, irs + 1, irs + 1 + SYN_WINDOW)) {
    synqRemove(i);
    return true;
  }
  return false;
}

/**
 * The handshake with the peer of `seg` is complete (our SYN, ISS, is being
 * acknowledged): a TCB in SYN-RECEIVED on listener `l`'s accept queue, or
 * null (counted) when the queue is at its backlog or no TCB is free.
 */
function handshakeDone(l: i32, seg: Segment, iss: u32, irs: u32, mss: u16): Tcb | null {
  if (acceptQueueFull(l)) { count(Stat.ACCEPTQ_OVERFLOWS); return null; }
  const t = tcbObtain();
  if (t === null) {
    count(Stat.TCP_NO_TCB);
    count(Stat.ACCEPTQ_OVERFLOWS);
    return null;
  }
  t.localPort = seg.dstPort;
  t.remoteIp = seg.srcIp;
  t.remotePort = seg.srcPort;
  initConnection(t, iss);
  t.sndNxt = iss + 1;
  t.sndMax = iss + 1;
  // The peer's window (SND.WND, SND.WL1, SND.WL2) comes from the ACK that
  // completed the handshake, which input.ts takes next.
  initReceive(t, irs, SYN_WINDOW, mss);
  t.listener = <u8>l;
  optionsCopy(tcbOptions(t), listenerOptions(l));
  setState(t, State.SYN_RECEIVED);
  tcbHash(t);
  acceptQueuePush(l, tcbIndex(t));
  count(Stat.TCP_PASSIVE_OPENS);
  return t;
}

// ---------- timers ----------

/** Retransmit due SYN-ACKs; drop entries whose last wait has ended. */
export function listenPoll(): void {
  const retries = config(ConfigKey.SYNACK_RETRIES);
  let i = 0;
  while (i < synqCount()) {
    if (!expired(synqDeadline(i))) { i++; continue; }
    const r = synqRetries(i);
    if (r >= retries) {
      count(Stat.SYNQ_EXPIRED);
      synqRemove(i);
      continue;
    }
    synqRetried(i, nowMs() + waitAfter(r + 2));
    count(Stat.SYNACK_RETRANSMITS);
    resendSynAck(i);
    i++;
  }
}

/** ms until the next SYN-queue deadline, -1 when the queue is empty. */
export function listenNextDeadline(): i32 {
  let next: i32 = -1;
  const n = synqCount();
  for (let i = 0; i < n; i++) next = earliest(next, synqDeadline(i));
  return next;
}

// ---------- accept and close ----------

/** The first queued connection whose handshake completed, or null. */
function firstReady(l: i32): Tcb | null {
  const n = acceptQueueLen(l);
  for (let k = 0; k < n; k++) {
    const t = tcbAt(acceptQueueAt(l, k));
    if (synchronized(t)) return t;
  }
  return null;
}

/** tcp_accept: a connection handle or EAGAIN. */
export function listenAccept(l: i32): i32 {
  const t = firstReady(l);
  if (t === null) return EAGAIN;
  tcbLeaveQueue(t);
  setFlag(t, <u16>F.OWNED);
  return tcbHandle(t);
}

/** A connection is waiting to be accepted. */
export function listenReadable(l: i32): bool { return firstReady(l) !== null; }

/**
 * Close listener `l`: queued connections and half-open entries are reset
 * (RFC 9293 §3.10.4: CLOSE of a listener; the peers learn at once).
 */
export function listenClose(l: i32): i32 {
  if (l < 0) return EINVAL;
  while (acceptQueueLen(l) > 0) {
    const t = tcbAt(acceptQueueAt(l, 0));
    sendRst(t);
    tcbFree(t);
  }
  let i = 0;
  while (i < synqCount()) {
    if (synqListener(i) != l) { i++; continue; }
    count(Stat.TCP_RST_SENT);
    emit(synqLocalPort(i), synqRemoteIp(i), synqRemotePort(i), synqIss(i) + 1, 0, RST, 0, 0, 0);
    synqRemove(i);
  }
  listenerRelease(l);
  return 0;
}
