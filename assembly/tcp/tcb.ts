// The TCB pool (RFC 9293 §3.3.1): TCB_COUNT control blocks in static memory,
// each with a send ring, a receive ring and a short list of out-of-order
// blocks, plus the 4-tuple index and the handle scheme of docs/ABI.md. A
// FIN received beyond a hole is kept as the end of the last block (F_FIN_OOO).
//
// Layout of one TCB (120 bytes, rings and hole list excluded):
//
//   0 state u8     1 retries u8   2 flags u16     4 gen u16   6 localPort u16
//   8 remotePort   10 sndMss      12 remoteIp     16 iss      20 irs
//  24 sndUna       28 sndNxt      32 sndMax       36 sndWnd u16  38 txLen u16
//  40 sndWl1       44 sndWl2      48 rcvNxt       52 rcvUp    56 rcvAdv
//  60 rxLen u16    62 dupAcks u8  63 listener u8  64 rtxAt    68 delackAt
//  72 rttSeq       76 rttStart    80 srtt8 u16   82 rttvar4 u16
//  84 nagleEnd     88 cwnd u16    90 ssthresh u16 92 recover
//  96 tcp_option block (16 bytes, tcp/options.ts)  112 heardAt  116 unackedSince
//
// The last 24 bytes serve tcp_option: keep-alives need the time the peer
// was last heard from, the user timeout the time the oldest data began to
// wait, and both the per-connection settings.
//
// Derived rather than stored: ring positions come from sequence numbers
// (data byte with sequence s sits at (s - ISS - 1) mod TCP_TX_BUF in the
// send ring, (s - IRS - 1) mod TCP_RX_BUF in the receive ring); RCV.WND is
// the free receive space; the RTO is computed from SRTT/RTTVAR and the
// backoff count; SND.UP equals SND.UNA since the ABI sends no urgent data;
// the local address is the interface's.
//
// Lookup: a chained hash over (remote address, remote port, local port)
// with one u16 link per TCB, so a segment costs a bucket walk whose length
// does not grow with TCB_COUNT. In-use TCBs are also kept in a dense list
// so timers visit only those.

import { TCB_COUNT, TCP_OOO_HOLES, TCP_RX_BUF, TCP_RX_HOLD, TCP_TX_BUF } from "../config";
import { State } from "./abi";
import { ECONNREFUSED, ECONNRESET, ETIMEDOUT } from "../errors";
import { acceptQueueRemove } from "./listeners";
import { OUR_MSS, finReceivedState, initialWindow, synchronizedState } from "./rules";
import { ConfigKey, config } from "../netconfig";
import { nowMs } from "../time";
import { noDelay, setUnansweredProbes } from "./options";

@unmanaged export class Tcb {
  state: u8;
  /** RTO expiries (or persist probes) in a row: the backoff exponent. */
  retries: u8;
  flags: u16;
  /** Handle generation; bumped when the TCB is freed. */
  gen: u16;
  localPort: u16;
  remotePort: u16;
  /** Largest segment text we send (peer's MSS option, bounded by ours). */
  sndMss: u16;
  remoteIp: u32;
  iss: u32;
  irs: u32;
  sndUna: u32;
  sndNxt: u32;
  /** Highest sequence number sent so far (SND.NXT is pulled back on RTO). */
  sndMax: u32;
  sndWnd: u16;
  /** Bytes in the send ring from the first unacknowledged data byte. */
  txLen: u16;
  sndWl1: u32;
  sndWl2: u32;
  rcvNxt: u32;
  rcvUp: u32;
  /** Right edge of the window last advertised (never moved left). */
  rcvAdv: u32;
  /** In-order bytes the user has not read yet. */
  rxLen: u16;
  /**
   * Bits 0-6: the sender's duplicate-ACK state (tcp/recovery.ts: the count
   * up to 4, the segments limited transmit sent, a mark); bit 7: the ACK owed covers a
   * pushed segment, the receiver's (tcp/delack.ts). Independent halves of
   * one byte, through the accessors below.
   */
  dupAcks: u8;
  /** Listener index while the connection waits to be accepted, else NO_LISTENER. */
  listener: u8;
  /** Retransmission, persist or TIME-WAIT deadline (F_TIMER). */
  rtxAt: u32;
  /** Delayed-ACK deadline (F_DELACK). */
  delackAt: u32;
  /** The segment being timed ends here (F_RTT). */
  rttSeq: u32;
  rttStart: u32;
  /** RFC 6298 SRTT in ms × 8 and RTTVAR in ms × 4 (F_HAVE_RTT); samples saturate at 8191 ms. */
  srtt8: u16;
  rttvar4: u16;
  /** End of the last segment sent shorter than the MSS (Minshall's Nagle, tcp/nagle.ts). */
  nagleEnd: u32;
  cwnd: u16;
  ssthresh: u16;
  /** RFC 6582 "recover". */
  recover: u32;
  /** tcp_option settings and the count of unanswered keep-alive or zero-window probes (tcp/options.ts layout, OPTIONS_BYTES). */
  opt0: u32;
  opt1: u32;
  opt2: u32;
  opt3: u32;
  /** When the peer was last heard from (an acceptable segment): keep-alive and reclaim idle time. */
  heardAt: u32;
  /** Since when the oldest unacknowledged data has waited (RFC 5482 user timeout). */
  unackedSince: u32;
}

/** TCB flag bits. */
export const enum F {
  USED = 1 << 0,        // slot allocated
  OWNED = 1 << 1,       // the user holds a handle (connect or accept)
  CLOSED = 1 << 2,      // the user called close: a FIN follows the queued data
  TIMER = 1 << 3,       // rtxAt is armed
  PERSIST = 1 << 4,     // ... as the persist timer
  DELACK = 1 << 5,      // delackAt is armed: an ACK is owed
  ONE_FULL = 1 << 6,    // one full-sized segment is waiting for its ACK
  RTT = 1 << 7,         // a segment is being timed
  HAVE_RTT = 1 << 8,    // SRTT/RTTVAR hold a measurement
  RECOVERY = 1 << 9,    // NewReno fast recovery
  ACK_NOW = 1 << 10,    // output must send an ACK even without data
  HASHED = 1 << 11,     // in the 4-tuple index
  ERR_SHIFT = 12,       // 2-bit error kind (Err)
  ERR_MASK = 3 << 12,
  FIN_OOO = 1 << 14,    // the peer's FIN arrived beyond a hole: it ends the last out-of-order block
  SYN_RETX = 1 << 15,   // our SYN (or SYN-ACK) was retransmitted on timeout (RFC 6298 §5.7)
}

/** Why a connection died (kept until the user closes it). */
export const enum Err { NONE = 0, RESET = 1, REFUSED = 2, TIMEDOUT = 3 }

// @ts-ignore: decorator
@inline export const NO_LISTENER: u8 = 0xff;
// @ts-ignore: decorator
@inline const NONE: u16 = 0xffff;
// @ts-ignore: decorator
@inline export const TCB_BYTES: i32 = <i32>offsetof<Tcb>();
// @ts-ignore: decorator
@inline const HASH_SIZE: i32 = TCB_COUNT <= 8 ? 16 : TCB_COUNT <= 32 ? 64 : TCB_COUNT <= 128 ? 256 : 1024;

const pool = memory.data(TCB_COUNT * <i32>offsetof<Tcb>(), 16);
// The rings are @lazy, placed above every eager static like netif.ts's
// frame buffers: eager, their 64 KiB (default limits) pushed the tables
// declared after them out of reach of a Thumb-2 load's immediate offset.
// @ts-ignore: decorator
@lazy const txRings = memory.data(TCB_COUNT * TCP_TX_BUF, 16);
// @ts-ignore: decorator
@lazy const rxRings = memory.data(TCB_COUNT * TCP_RX_BUF, 16);
/** Out-of-order blocks per TCB: (start, end) sequence pairs, sorted, disjoint. */
const holes = memory.data(TCB_COUNT * TCP_OOO_HOLES * 8, 8);
const holeCounts = memory.data(TCB_COUNT);
const buckets = memory.data(HASH_SIZE * 2, 2);
const chain = memory.data(TCB_COUNT * 2, 2);
const freeStack = memory.data(TCB_COUNT * 2, 2);
const usedList = memory.data(TCB_COUNT * 2, 2);
const usedPos = memory.data(TCB_COUNT * 2, 2);
let freeTop: i32 = 0;
let usedCount: i32 = 0;

// @ts-ignore: decorator
@inline export function tcbAt(i: i32): Tcb {
  return changetype<Tcb>(pool + <usize>i * offsetof<Tcb>());
}

// @ts-ignore: decorator
@inline export function tcbIndex(t: Tcb): i32 {
  return <i32>((changetype<usize>(t) - pool) / offsetof<Tcb>());
}

/** Base of the TCB's send ring. */
// @ts-ignore: decorator
@inline export function txRing(t: Tcb): usize { return txRings + <usize>tcbIndex(t) * <usize>TCP_TX_BUF; }

/** Base of the TCB's receive ring. */
// @ts-ignore: decorator
@inline export function rxRing(t: Tcb): usize { return rxRings + <usize>tcbIndex(t) * <usize>TCP_RX_BUF; }

/** The TCB's out-of-order list and its length. */
// @ts-ignore: decorator
@inline export function holeBase(t: Tcb): usize { return holes + <usize>tcbIndex(t) * <usize>(TCP_OOO_HOLES * 8); }
// @ts-ignore: decorator
@inline export function holeCount(t: Tcb): i32 { return <i32>load<u8>(holeCounts + <usize>tcbIndex(t)); }
// @ts-ignore: decorator
@inline export function setHoleCount(t: Tcb, n: i32): void { store<u8>(holeCounts + <usize>tcbIndex(t), <u8>n); }

// @ts-ignore: decorator
@inline export function hasFlag(t: Tcb, f: u16): bool { return (t.flags & f) != 0; }
export function setFlag(t: Tcb, f: u16): void { t.flags |= f; }
export function clearFlag(t: Tcb, f: u16): void { t.flags &= ~f; }

// @ts-ignore: decorator
@inline const PUSHED_OWED: u8 = 0x80;
// @ts-ignore: decorator
@inline const DUP_COUNT: u8 = 0x7f;

/** Duplicate ACKs in a row (bits 0-6 of Tcb.dupAcks). */
// @ts-ignore: decorator
@inline export function dupAckCount(t: Tcb): u8 { return t.dupAcks & DUP_COUNT; }
export function setDupAckCount(t: Tcb, n: u8): void { t.dupAcks = (t.dupAcks & PUSHED_OWED) | (n & DUP_COUNT); }
/** The ACK owed covers a segment that carried PSH (bit 7 of Tcb.dupAcks). */
// @ts-ignore: decorator
@inline export function pushedOwed(t: Tcb): bool { return (t.dupAcks & PUSHED_OWED) != 0; }
export function setPushedOwed(t: Tcb, on: bool): void { t.dupAcks = on ? t.dupAcks | PUSHED_OWED : t.dupAcks & DUP_COUNT; }

/** The error a dead connection reports (0 when alive). */
export function tcbError(t: Tcb): i32 {
  const e = (t.flags & <u16>F.ERR_MASK) >> <u16>F.ERR_SHIFT;
  if (e == Err.RESET) return ECONNRESET;
  if (e == Err.REFUSED) return ECONNREFUSED;
  if (e == Err.TIMEDOUT) return ETIMEDOUT;
  return 0;
}

/** Record why the connection died. */
export function setError(t: Tcb, e: Err): void {
  t.flags = (t.flags & ~<u16>F.ERR_MASK) | (<u16>e << <u16>F.ERR_SHIFT);
}

/** Empty the pool (net_init). */
export function tcbPoolInit(): void {
  // Generations survive a restart, one step on, so that no handle from
  // before net_init names a connection after it (docs/ABI.md).
  for (let i = 0; i < TCB_COUNT; i++) {
    const t = tcbAt(i);
    const gen = (t.gen + 1) & 0x7fff;
    memory.fill(changetype<usize>(t), 0, offsetof<Tcb>());
    t.gen = gen;
  }
  memory.fill(buckets, 0xff, <usize>HASH_SIZE * 2);
  memory.fill(holeCounts, 0, <usize>TCB_COUNT);
  // Lowest index on top so the first connections take the first slots.
  for (let i = 0; i < TCB_COUNT; i++) store<u16>(freeStack + (<usize>i << 1), <u16>(TCB_COUNT - 1 - i));
  freeTop = TCB_COUNT;
  usedCount = 0;
}

/** Take a free TCB (zeroed but for its generation), or null. */
export function tcbAlloc(): Tcb | null {
  if (freeTop == 0) return null;
  freeTop--;
  const i = <i32>load<u16>(freeStack + (<usize>freeTop << 1));
  const t = tcbAt(i);
  const gen = t.gen;
  memory.fill(changetype<usize>(t), 0, offsetof<Tcb>());
  t.gen = gen;
  t.flags = <u16>F.USED;
  t.listener = NO_LISTENER;
  t.heardAt = nowMs();
  setHoleCount(t, 0);
  store<u16>(usedList + (<usize>usedCount << 1), <u16>i);
  store<u16>(usedPos + (<usize>i << 1), <u16>usedCount);
  usedCount++;
  return t;
}

/** Return a TCB to the pool, out of the index and of any accept queue; its handles become stale. */
export function tcbFree(t: Tcb): void {
  if (!hasFlag(t, <u16>F.USED)) return;
  tcbUnhash(t);
  tcbLeaveQueue(t);
  const i = tcbIndex(t);
  const pos = <i32>load<u16>(usedPos + (<usize>i << 1));
  usedCount--;
  const last = load<u16>(usedList + (<usize>usedCount << 1));
  store<u16>(usedList + (<usize>pos << 1), last);
  store<u16>(usedPos + (<usize>last << 1), <u16>pos);
  t.flags = 0;
  t.state = <u8>State.CLOSED;
  t.gen = (t.gen + 1) & 0x7fff;
  store<u16>(freeStack + (<usize>freeTop << 1), <u16>i);
  freeTop++;
}

/** TCBs in use, for timer and list walks: index k in [0, tcbUsedCount()). */
// @ts-ignore: decorator
@inline export function tcbUsedCount(): i32 { return usedCount; }
export function tcbUsed(k: i32): Tcb { return tcbAt(<i32>load<u16>(usedList + (<usize>k << 1))); }

/** Handle for a connection: generation in the high half, index + 1 in the low 15 bits. */
export function tcbHandle(t: Tcb): i32 {
  return (<i32>t.gen << 16) | (tcbIndex(t) + 1);
}

/** The TCB a user handle names, or null when bad or stale. */
export function tcbFromHandle(h: i32): Tcb | null {
  if (h <= 0 || (h & 0x8000) != 0) return null;
  const i = (h & 0x7fff) - 1;
  if (i >= TCB_COUNT) return null;
  const t = tcbAt(i);
  if ((t.flags & (<u16>F.USED | <u16>F.OWNED)) != (<u16>F.USED | <u16>F.OWNED)) return null;
  if (<i32>t.gen != (h >>> 16)) return null;
  return t;
}

function bucketOf(remoteIp: u32, remotePort: u16, localPort: u16): usize {
  // Fibonacci hashing of the mixed tuple: spreads sequential ports and
  // addresses evenly over the table.
  let k = remoteIp ^ (<u32>remotePort << 16 | <u32>localPort);
  k = (k ^ (k >>> 15)) * 0x9e3779b1;
  return buckets + (<usize>(k >>> 16) & <usize>(HASH_SIZE - 1)) * 2;
}

/** Enter the TCB's 4-tuple in the index (after the ports and address are set). */
export function tcbHash(t: Tcb): void {
  if (hasFlag(t, <u16>F.HASHED)) return;
  const b = bucketOf(t.remoteIp, t.remotePort, t.localPort);
  const i = tcbIndex(t);
  store<u16>(chain + (<usize>i << 1), load<u16>(b));
  store<u16>(b, <u16>i);
  setFlag(t, <u16>F.HASHED);
}

/** Remove the TCB from the index (it no longer receives segments). */
export function tcbUnhash(t: Tcb): void {
  if (!hasFlag(t, <u16>F.HASHED)) return;
  clearFlag(t, <u16>F.HASHED);
  const i = <u16>tcbIndex(t);
  let link = bucketOf(t.remoteIp, t.remotePort, t.localPort);
  // A chain holds each TCB at most once, so no walk is longer than the
  // pool: the bound keeps a damaged chain from ever hanging the stack.
  for (let n = 0; n < TCB_COUNT; n++) {
    const j = load<u16>(link);
    if (j == NONE) return;
    if (j == i) { store<u16>(link, load<u16>(chain + (<usize>j << 1))); return; }
    link = chain + (<usize>j << 1);
  }
}

/** The connection with this 4-tuple (the local address is ours), or null. */
export function tcbLookup(remoteIp: u32, remotePort: u16, localPort: u16): Tcb | null {
  let j = load<u16>(bucketOf(remoteIp, remotePort, localPort));
  for (let n = 0; j != NONE && n < TCB_COUNT; n++) { // bounded as in tcbUnhash
    const t = tcbAt(<i32>j);
    if (t.remoteIp == remoteIp && t.remotePort == remotePort && t.localPort == localPort) return t;
    j = load<u16>(chain + (<usize>j << 1));
  }
  return null;
}

/** Every state change goes through here: one place to count and trace (docs/ARCHITECTURE.md). */
export function setState(t: Tcb, s: State): void {
  t.state = <u8>s;
  if (s == State.CLOSED) {
    tcbUnhash(t);
    clearFlag(t, <u16>(F.TIMER | F.PERSIST | F.DELACK | F.ACK_NOW));
  }
}

/** The connection's tcp_option block (tcp/options.ts). */
// @ts-ignore: decorator
@inline export function tcbOptions(t: Tcb): usize { return changetype<usize>(t) + offsetof<Tcb>("opt0"); }

/** Nagle (RFC 9293 §3.7.4) applies: on for the stack (net_config nagle) and not turned off by NODELAY. */
export function nagleOn(t: Tcb): bool {
  return config(ConfigKey.NAGLE) != 0 && !noDelay(tcbOptions(t));
}

/**
 * An acceptable segment arrived: the peer is alive, keep-alive idle time
 * starts again (RFC 1122 §4.2.3.6) and no probe is unanswered, keep-alive
 * or zero-window (RFC 1122 §4.2.2.17).
 */
export function tcbHeard(t: Tcb): void {
  t.heardAt = nowMs();
  setUnansweredProbes(tcbOptions(t), 0);
}

/** The peer's FIN has been received (RFC 9293 §3.10.7.4 eighth step states). */
// @ts-ignore: decorator
@inline export function finReceived(t: Tcb): bool { return finReceivedState(t.state); }

/** The SYN exchange has completed at least once. */
// @ts-ignore: decorator
@inline export function synchronized(t: Tcb): bool { return synchronizedState(t.state); }

/**
 * Sequence number of the first byte in the send ring: SND.UNA. Data is
 * queued only once synchronized (tcp_send refuses it before), when
 * SND.UNA is past our SYN, so the ring's first byte is always there.
 */
// @ts-ignore: decorator
@inline export function txStart(t: Tcb): u32 { return t.sndUna; }

/** Sequence number of our FIN (meaningful once the user closed). */
// @ts-ignore: decorator
@inline export function finSeq(t: Tcb): u32 { return txStart(t) + <u32>t.txLen; }

/** Sequence number of the first unread byte in the receive ring. */
// @ts-ignore: decorator
@inline export function rxReadSeq(t: Tcb): u32 {
  return t.rcvNxt - <u32>t.rxLen - (finReceived(t) ? 1 : 0);
}

/** Free receive space from RCV.NXT: RCV.WND (no window scaling, RFC 7323 not used). */
// @ts-ignore: decorator
@inline export function rxSpace(t: Tcb): u32 {
  return <u32>(TCP_RX_HOLD - <i32>t.rxLen);
}

/**
 * The connection reached CLOSED (normally, by reset or by timeout). A TCB
 * the user still holds stays allocated with its error until tcp_close or
 * tcp_abort (docs/ABI.md "Handles"); any other is freed at once.
 */
export function connectionClosed(t: Tcb, e: Err): void {
  setState(t, State.CLOSED);
  if (e != Err.NONE) setError(t, e);
  // One still waiting in an accept queue has no user yet (tcp_accept sets
  // F_OWNED as it takes it out), so it is freed too, and leaves the queue.
  if (!hasFlag(t, <u16>F.OWNED) || hasFlag(t, <u16>F.CLOSED)) tcbFree(t);
}

/** Take the TCB out of its listener's accept queue, if it waits in one. */
export function tcbLeaveQueue(t: Tcb): void {
  const l = <i32>t.listener;
  if (l == <i32>NO_LISTENER) return;
  t.listener = NO_LISTENER;
  acceptQueueRemove(l, tcbIndex(t));
}

/** Send-side variables of a new connection with our ISS. */
export function initConnection(t: Tcb, iss: u32): void {
  t.iss = iss;
  t.sndUna = iss;
  t.sndNxt = iss;
  t.sndMax = iss;
  t.recover = iss;
  t.nagleEnd = iss;
  t.sndMss = OUR_MSS;
  t.ssthresh = 0xffff;
  t.cwnd = initialWindow(OUR_MSS);
}

/**
 * Receive-side variables from the peer's ISN `irs` with `wnd` offered past
 * it, and the segment size `mss` we send with (the peer's MSS, already
 * bounded) with the initial window it gives (RFC 5681 §3.1).
 */
export function initReceive(t: Tcb, irs: u32, wnd: u32, mss: u16): void {
  t.irs = irs;
  t.rcvNxt = irs + 1;
  t.rcvUp = irs + 1;
  t.rcvAdv = irs + 1 + wnd;
  t.sndMss = mss;
  t.cwnd = initialWindow(<u32>mss);
}

/** The TIME-WAIT TCB closest to expiry, or null when there is none. */
function timeWaitVictim(): Tcb | null {
  let victim: Tcb | null = null;
  for (let k = 0; k < usedCount; k++) {
    const t = tcbUsed(k);
    if (t.state != <u8>State.TIME_WAIT) continue;
    if (victim === null || <i32>(t.rtxAt - victim.rtxAt) < 0) victim = t;
  }
  return victim;
}

/** Whether tcbAllocReusing() would find a TCB now (a free one or a TIME-WAIT one). */
export function tcbAvailable(): bool {
  return freeTop > 0 || timeWaitVictim() !== null;
}

/**
 * A free TCB, or failing that the TIME-WAIT TCB closest to expiry given up
 * early (its 4-tuple can no longer be reopened by an old duplicate that
 * the new connection could mistake: the new one uses a fresh ISN,
 * RFC 6528 §3). Null when every TCB carries a live connection.
 */
export function tcbAllocReusing(): Tcb | null {
  if (freeTop == 0) {
    const victim = timeWaitVictim();
    if (victim !== null) connectionClosed(victim, Err.NONE);
  }
  return tcbAlloc();
}
