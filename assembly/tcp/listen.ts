// Passive OPEN (RFC 9293 §3.10.1, §3.10.7.2): the listener table, the
// half-open connections in the SYN queue (tcp/synq.ts), SYN cookies
// (RFC 4987 §3.6, tcp/cookie.ts) and each listener's accept queue.
//
// A SYN to a listener makes a 24-byte SYN-queue entry (no TCB) and a
// SYN-ACK. The SYN-ACK is sent again after SYNACK_RTO_MS, then twice that,
// and so on, SYNACK_RETRIES times; the entry is dropped silently when the
// wait after the last retransmission ends, so a half-open connection lives
// SYNACK_RTO_MS · (2^(SYNACK_RETRIES+1) − 1) ms (63 s by default: 1+2+4+8+16+32).
// The ACK of ISS+1 completes the handshake: only then is a TCB taken, put
// in SYN-RECEIVED and handed back to input.ts, whose normal processing
// moves it to ESTABLISHED and takes any text or FIN the ACK carries; the
// connection then waits in the listener's accept queue (bounded by the
// backlog) until tcp_accept.
//
// SYN cookies, net_config SYNCOOKIES: 0 never (a SYN finding the queue full
// is dropped), 1 when the SYN queue is full, 2 always. A cookie SYN-ACK
// keeps no state; an ACK for no connection and no entry whose ack − 1 is a
// valid cookie creates the connection directly, with the cookie's MSS.
//
// Floods (RFC 4987 §2, §3): nothing here grows. A completed handshake that
// finds the accept queue full or no free TCB is dropped and counted
// (ACCEPTQ_OVERFLOWS); the entry stays so its SYN-ACK retransmission draws
// another ACK later, and no live connection is ever evicted for it (only a
// TIME-WAIT TCB may be recycled, as for any new connection). A forged ACK
// gets at most one RST, and none while cookies are being sent because the
// queue overflowed (mode 1), so ACK floods are never amplified.
//
// Interface to the rest of TCP:
//   listenerFor(port)      which listener takes a segment to `port`
//   listenInput(l)         LISTEN/SYN-RECEIVED processing of SEG for a
//                          segment no TCB took; returns a new TCB that
//                          input.ts must process SEG on, or null
//   listenPoll()           SYN-ACK retransmission and expiry
//   listenNextDeadline()   for net_poll
//   listHalfOpen(...)      the SYN-queue rows of tcp_list

import { LISTENER_COUNT, TCP_RX_BUF } from "../config";
import { EADDRINUSE, EAGAIN, EINVAL, ENOMEM } from "../errors";
import { Stat, count } from "../stats";
import { ourIp } from "../netif";
import { ConfigKey, config } from "../netconfig";
import { earliest, expired, nowMs } from "../time";
import { ListField, State } from "./abi";
import { ACK, RST, SEG, SYN, emitTcp, has, segLen } from "./segment";
import { seqInWindow } from "./seq";
import { isnFor } from "./isn";
import { cookieCheck, cookieInit, cookieMake } from "./cookie";
import { OUR_MSS, replyRst, sendRst } from "./output";
import { initialWindow } from "./timer";
import {
  F, NO_LISTENER, Tcb, setFlag, setState, synchronized, tcbAllocReusing, tcbAt, tcbFree, tcbHandle, tcbHash, tcbIndex,
} from "./tcb";
import { initConnection } from "./input";
import {
  synqAdd, synqCount, synqDeadline, synqFind, synqFull, synqInit, synqIrs, synqIss, synqListener, synqLocalPort,
  synqPeerMss, synqRemoteIp, synqRemotePort, synqRemove, synqResent, synqRetried, synqRetries, synqSentOnce,
} from "./synq";

/** Connections a listener holds for tcp_accept at most, whatever the backlog. */
// @ts-ignore: decorator
@inline export const ACCEPTQ_MAX: i32 = 16;

/** RFC 9293 §3.7.1: the MSS to assume when a SYN has no option. */
// @ts-ignore: decorator
@inline const DEFAULT_MSS: u16 = 536;
/** Smallest peer MSS honoured (as input.ts). */
// @ts-ignore: decorator
@inline const MIN_MSS: u16 = 64;
/** The window a SYN-ACK offers: the whole receive ring of the TCB to come. */
// @ts-ignore: decorator
@inline const SYN_WINDOW: u32 = TCP_RX_BUF > 0xffff ? 0xffff : <u32>TCP_RX_BUF;
/** The longest wait between SYN-ACKs (keeps deadlines far from u32 wrap). */
// @ts-ignore: decorator
@inline const MAX_WAIT_MS: u64 = 0x3fffffff;

// Per listener: port (0 = free), handle generation, backlog, queue length,
// the time of its last cookie and whether it has sent one, then
// ACCEPTQ_MAX TCB indexes in arrival order.
const ports = memory.data(LISTENER_COUNT * 2, 2);
const gens = memory.data(LISTENER_COUNT * 2, 2);
const backlogs = memory.data(LISTENER_COUNT);
const qlens = memory.data(LISTENER_COUNT);
const cookieAt = memory.data(LISTENER_COUNT * 4, 4);
const cookieSent = memory.data(LISTENER_COUNT);
const queues = memory.data(LISTENER_COUNT * ACCEPTQ_MAX * 2, 2);

// RFC 5961 §7 budget for challenge ACKs from half-open entries.
let challengeStart: u32 = 0;
let challengeCount: i32 = 0;

// @ts-ignore: decorator
@inline function portOf(l: i32): u16 { return load<u16>(ports + (<usize>l << 1)); }
// @ts-ignore: decorator
@inline function qlen(l: i32): i32 { return <i32>load<u8>(qlens + <usize>l); }
// @ts-ignore: decorator
@inline function qAt(l: i32, k: i32): usize { return queues + (<usize>(l * ACCEPTQ_MAX + k) << 1); }
// @ts-ignore: decorator
@inline function acceptQueueFull(l: i32): bool { return qlen(l) >= <i32>load<u8>(backlogs + <usize>l); }

/** Forget every listener and half-open entry; draw the cookie secrets (net_init). */
export function listenInit(): void {
  memory.fill(ports, 0, <usize>LISTENER_COUNT * 2);
  memory.fill(qlens, 0, <usize>LISTENER_COUNT);
  memory.fill(cookieSent, 0, <usize>LISTENER_COUNT);
  synqInit();
  challengeStart = nowMs();
  challengeCount = 0;
}

/** Draw the SYN-cookie secrets (net_init, after the ISN and port keys). */
export function listenSecretsInit(): void {
  cookieInit();
}

/** tcp_listen: a listener handle, EADDRINUSE or ENOMEM. */
export function listenOpen(port: u16, backlog: i32): i32 {
  let free = -1;
  for (let l = 0; l < LISTENER_COUNT; l++) {
    const p = portOf(l);
    if (p == port) return EADDRINUSE;
    if (p == 0 && free < 0) free = l;
  }
  if (free < 0) return ENOMEM;
  store<u16>(ports + (<usize>free << 1), port);
  store<u8>(backlogs + <usize>free, <u8>min<i32>(max<i32>(backlog, 1), ACCEPTQ_MAX));
  store<u8>(qlens + <usize>free, 0);
  store<u8>(cookieSent + <usize>free, 0);
  return listenerHandle(free);
}

/** Listener handles: generation high, 0x8000 | index + 1 low. */
function listenerHandle(l: i32): i32 {
  return (<i32>load<u16>(gens + (<usize>l << 1)) << 16) | 0x8000 | (l + 1);
}

/** The listener a handle names, or -1. */
export function listenerFromHandle(h: i32): i32 {
  if (h <= 0 || (h & 0x8000) == 0) return -1;
  const l = (h & 0x7fff) - 1;
  if (l >= LISTENER_COUNT || portOf(l) == 0) return -1;
  if (<i32>load<u16>(gens + (<usize>l << 1)) != (h >>> 16)) return -1;
  return l;
}

/** The listener on local `port`, or -1. */
export function listenerFor(port: u16): i32 {
  for (let l = 0; l < LISTENER_COUNT; l++) if (portOf(l) == port) return l;
  return -1;
}

/** Local port of listener `l`. */
export function listenerPort(l: i32): u16 { return portOf(l); }

// ---------- segments ----------

/** <SEQ=ISS><ACK=IRS+1><CTL=SYN,ACK> with our MSS and the whole window. */
function sendSynAck(localPort: u16, remoteIp: u32, remotePort: u16, iss: u32, irs: u32): void {
  emitTcp(localPort, remoteIp, remotePort, iss, irs + 1, SYN | ACK, <u16>SYN_WINDOW, OUR_MSS, 0);
}

/** The SYN-ACK of entry `i` again. */
function resendSynAck(i: i32): void {
  sendSynAck(synqLocalPort(i), synqRemoteIp(i), synqRemotePort(i), synqIss(i), synqIrs(i));
}

/** <SEQ=ISS+1><ACK=RCV.NXT><CTL=ACK> for entry `i` (SND.NXT is ISS+1 in SYN-RECEIVED). */
function sendEntryAck(i: i32): void {
  emitTcp(synqLocalPort(i), synqRemoteIp(i), synqRemotePort(i), synqIss(i) + 1, synqIrs(i) + 1, ACK,
    <u16>SYN_WINDOW, 0, 0);
}

/** Wait after SYN-ACK transmission number `sent` (1 = the first): SYNACK_RTO_MS · 2^(sent−1). */
function waitAfter(sent: i32): u32 {
  const w = <u64>config(ConfigKey.SYNACK_RTO_MS) << <u64>(sent - 1);
  return <u32>(w > MAX_WAIT_MS ? MAX_WAIT_MS : w);
}

/** The peer's MSS from SEG's option (RFC 9293 §3.7.1 default), bounded by ours. */
function peerMss(): u16 {
  let mss = SEG.mss == 0 ? DEFAULT_MSS : SEG.mss;
  if (mss > OUR_MSS) mss = OUR_MSS;
  if (mss < MIN_MSS) mss = MIN_MSS;
  return mss;
}

/** A cookie from listener `l` may still be valid (it sent one within two periods). */
function cookiesOut(l: i32): bool {
  if (load<u8>(cookieSent + <usize>l) == 0) return false;
  const age = nowMs() - load<u32>(cookieAt + (<usize>l << 2));
  return age < (<u32>config(ConfigKey.COOKIE_PERIOD_MS) << 1);
}

/**
 * LISTEN/SYN-RECEIVED processing of SEG for listener `l` (no TCB took it).
 * Returns a TCB in SYN-RECEIVED that input.ts must run SEG through
 * (RFC 9293 §3.10.7.4), or null when SEG is finished with.
 */
export function listenInput(l: i32): Tcb | null {
  const i = synqFind(SEG.srcIp, SEG.srcPort, SEG.dstPort);
  if (i >= 0) return halfOpenInput(l, i);
  // RFC 9293 §3.10.7.2. First: a RST is ignored.
  if (has(RST)) { count(Stat.TCP_RST_IGNORED); return null; }
  // Second: an ACK is bad here, unless it returns a cookie.
  if (has(ACK)) {
    if (has(SYN)) { replyRst(); return null; }
    return cookieAck(l);
  }
  // Third: a SYN opens a connection; anything else is dropped.
  if (!has(SYN)) { count(Stat.TCP_DROP_UNACCEPTABLE); return null; }
  count(Stat.SYN_RX);
  const mode = config(ConfigKey.SYNCOOKIES);
  if (mode == 2) { sendCookie(l); return null; }
  if (synqFull()) {
    count(Stat.SYNQ_OVERFLOWS);
    if (mode == 1) sendCookie(l);
    return null;
  }
  const lp = SEG.dstPort;
  const iss = isnFor(ourIp(), lp, SEG.srcIp, SEG.srcPort);
  // Data on the SYN is not kept (RFC 9293 §3.10.7.2 allows queueing it; the
  // SYN-ACK acknowledges only the SYN, so the peer sends it again).
  synqAdd(l, lp, SEG.srcIp, SEG.srcPort, iss, SEG.seq, peerMss(), nowMs() + waitAfter(1));
  count(Stat.SYNACK_SENT);
  sendSynAck(lp, SEG.srcIp, SEG.srcPort, iss, SEG.seq);
  return null;
}

/** A stateless SYN-ACK whose ISS is a cookie (RFC 4987 §3.6). */
function sendCookie(l: i32): void {
  const lp = SEG.dstPort;
  const iss = cookieMake(ourIp(), lp, SEG.srcIp, SEG.srcPort, SEG.seq, SEG.mss == 0 ? DEFAULT_MSS : SEG.mss);
  store<u32>(cookieAt + (<usize>l << 2), nowMs());
  store<u8>(cookieSent + <usize>l, 1);
  count(Stat.COOKIES_SENT);
  count(Stat.SYNACK_SENT);
  sendSynAck(lp, SEG.srcIp, SEG.srcPort, iss, SEG.seq);
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
function cookieAck(l: i32): Tcb | null {
  const mode = config(ConfigKey.SYNCOOKIES);
  const out = cookiesOut(l);
  if (mode == 0 || (mode == 1 && !out)) { replyRst(); return null; }
  const mss = cookieCheck(ourIp(), SEG.dstPort, SEG.srcIp, SEG.srcPort, SEG.seq - 1, SEG.ack - 1);
  if (mss < 0) {
    count(Stat.COOKIES_REJECTED);
    if (mode == 2) replyRst();
    return null;
  }
  const t = handshakeDone(l, SEG.ack - 1, SEG.seq - 1, <u16>min<i32>(mss, <i32>OUR_MSS));
  if (t !== null) count(Stat.COOKIES_ACCEPTED);
  return t;
}

/** RFC 9293 §3.10.7.4 four-case acceptability against entry `i`'s receive window. */
function acceptable(irs: u32): bool {
  const lo = irs + 1;
  const hi = lo + SYN_WINDOW;
  const slen = segLen();
  if (slen == 0) return seqInWindow(SEG.seq, lo, hi);
  return seqInWindow(SEG.seq, lo, hi) || seqInWindow(SEG.seq + slen - 1, lo, hi);
}

/** SYN-RECEIVED processing (RFC 9293 §3.10.7.4) for half-open entry `i`. */
function halfOpenInput(l: i32, i: i32): Tcb | null {
  const irs = synqIrs(i);
  const iss = synqIss(i);
  if (has(SYN) && !has(RST)) {
    count(Stat.SYN_RX);
    if (SEG.seq == irs && !has(ACK)) {
      // The same SYN again: the peer missed our SYN-ACK. Same ISS, one entry.
      count(Stat.SYNACK_RETRANSMITS);
      synqResent(i);
      resendSynAck(i);
      return null;
    }
    if (seqInWindow(SEG.seq, irs + 1, irs + 1 + SYN_WINDOW)) {
      // Fourth step: a passive open returns to LISTEN.
      synqRemove(i);
      return null;
    }
  }
  // First: sequence number.
  if (!acceptable(irs)) {
    if (has(RST)) { count(Stat.TCP_RST_IGNORED); return null; }
    count(Stat.TCP_DROP_UNACCEPTABLE);
    sendEntryAck(i);
    return null;
  }
  // Second: RST. Exactly RCV.NXT removes the entry; elsewhere in the window
  // it draws a rate-limited challenge ACK (RFC 5961 §3.2, §7).
  if (has(RST)) {
    if (SEG.seq != irs + 1) { challenge(i); return null; }
    count(Stat.TCP_RST_RX);
    count(Stat.SYNQ_RESETS);
    synqRemove(i);
    return null;
  }
  // Fifth: ACK. Only ISS+1 is acceptable; anything else gets <SEQ=SEG.ACK><CTL=RST>.
  if (!has(ACK)) { count(Stat.TCP_DROP_UNACCEPTABLE); return null; }
  if (SEG.ack != iss + 1) { replyRst(); return null; }
  const t = handshakeDone(l, iss, irs, synqPeerMss(i));
  if (t === null) return null;
  if (synqSentOnce(i)) {
    // Time the handshake from the one SYN-ACK (RFC 6298 §2.2, §3); the
    // sample is taken when SYN-RECEIVED processing accepts this ACK.
    t.rttSeq = iss + 1;
    t.rttStart = synqDeadline(i) - waitAfter(1);
    setFlag(t, <u16>F.RTT);
  } else if (synqRetries(i) > 0) {
    setFlag(t, <u16>F.SYN_RETX); // RFC 6298 §5.7
  }
  synqRemove(i);
  return t;
}

/** RFC 5961 §3.2 challenge ACK from an entry, at most CHALLENGE_ACK_LIMIT per second (§7). */
function challenge(i: i32): void {
  const now = nowMs();
  if (now - challengeStart >= 1000) {
    challengeStart = now;
    challengeCount = 0;
  }
  if (challengeCount >= config(ConfigKey.CHALLENGE_ACK_LIMIT)) return;
  challengeCount++;
  count(Stat.TCP_CHALLENGE_ACKS);
  sendEntryAck(i);
}

/**
 * The handshake with the peer in SEG is complete (our SYN, ISS, is being
 * acknowledged): a TCB in SYN-RECEIVED on listener `l`'s accept queue, or
 * null (counted) when the queue is at its backlog or no TCB is free.
 */
function handshakeDone(l: i32, iss: u32, irs: u32, mss: u16): Tcb | null {
  if (acceptQueueFull(l)) { count(Stat.ACCEPTQ_OVERFLOWS); return null; }
  const t = tcbAllocReusing();
  if (t === null) {
    count(Stat.TCP_NO_TCB);
    count(Stat.ACCEPTQ_OVERFLOWS);
    return null;
  }
  t.localPort = SEG.dstPort;
  t.remoteIp = SEG.srcIp;
  t.remotePort = SEG.srcPort;
  initConnection(t, iss);
  t.sndNxt = iss + 1;
  t.sndMax = iss + 1;
  t.irs = irs;
  t.rcvNxt = irs + 1;
  t.rcvUp = irs + 1;
  t.rcvAdv = irs + 1 + SYN_WINDOW;
  t.sndWl1 = irs;
  t.sndWl2 = iss;
  t.sndMss = mss;
  t.cwnd = initialWindow(<u32>mss);
  t.listener = <u8>l;
  setState(t, State.SYN_RECEIVED);
  tcbHash(t);
  const n = qlen(l);
  store<u16>(qAt(l, n), <u16>tcbIndex(t));
  store<u8>(qlens + <usize>l, <u8>(n + 1));
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

// ---------- accept queue ----------

/** Remove a TCB from its listener's accept queue. */
export function acceptQueueRemove(t: Tcb): void {
  const l = <i32>t.listener;
  if (l == <i32>NO_LISTENER) return;
  t.listener = NO_LISTENER;
  const i = <u16>tcbIndex(t);
  const n = qlen(l);
  for (let k = 0; k < n; k++) {
    if (load<u16>(qAt(l, k)) == i) {
      memory.copy(qAt(l, k), qAt(l, k + 1), <usize>(n - 1 - k) << 1);
      store<u8>(qlens + <usize>l, <u8>(n - 1));
      return;
    }
  }
}

/** The first queued connection whose handshake completed, or null. */
function firstReady(l: i32): Tcb | null {
  const n = qlen(l);
  for (let k = 0; k < n; k++) {
    const t = tcbAt(<i32>load<u16>(qAt(l, k)));
    if (synchronized(t)) return t;
  }
  return null;
}

/** tcp_accept: a connection handle or EAGAIN. */
export function listenAccept(l: i32): i32 {
  const t = firstReady(l);
  if (t === null) return EAGAIN;
  acceptQueueRemove(t);
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
  while (qlen(l) > 0) {
    const t = tcbAt(<i32>load<u16>(qAt(l, 0)));
    sendRst(t);
    acceptQueueRemove(t);
    tcbFree(t);
  }
  let i = 0;
  while (i < synqCount()) {
    if (synqListener(i) != l) { i++; continue; }
    count(Stat.TCP_RST_SENT);
    emitTcp(synqLocalPort(i), synqRemoteIp(i), synqRemotePort(i), synqIss(i) + 1, 0, RST, 0, 0, 0);
    synqRemove(i);
  }
  store<u16>(ports + (<usize>l << 1), 0);
  const g = gens + (<usize>l << 1);
  store<u16>(g, (load<u16>(g) + 1) & 0x7fff);
  return 0;
}

/** Handle of listener slot `l` if it listens, else 0. */
export function listenerSlotHandle(l: i32): i32 { return portOf(l) != 0 ? listenerHandle(l) : 0; }

/**
 * tcp_list rows for the half-open entries (handle -1, SYN-RECEIVED, their
 * 4-tuples: netstat's SYN_RECV lines), written from row `n` while n < max.
 * Returns the new row count.
 */
export function listHalfOpen(out: usize, n: i32, max: i32): i32 {
  const step = <usize>ListField.COUNT << 2;
  const m = synqCount();
  for (let i = 0; i < m && n < max; i++) {
    const p = out + <usize>n * step;
    store<u32>(p + (<usize>ListField.HANDLE << 2), <u32>-1);
    store<u32>(p + (<usize>ListField.STATE << 2), <u32>State.SYN_RECEIVED);
    store<u32>(p + (<usize>ListField.LOCAL_IP << 2), ourIp());
    store<u32>(p + (<usize>ListField.LOCAL_PORT << 2), <u32>synqLocalPort(i));
    store<u32>(p + (<usize>ListField.REMOTE_IP << 2), synqRemoteIp(i));
    store<u32>(p + (<usize>ListField.REMOTE_PORT << 2), <u32>synqRemotePort(i));
    n++;
  }
  return n;
}
