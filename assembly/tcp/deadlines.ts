// Per-connection timers as deadlines, and the RTO they are armed with.
// One slot (rtxAt) serves as the retransmission, persist, FIN-WAIT-2 or
// TIME-WAIT timer, the other (delackAt) as the delayed-ACK timer; time
// enters once per net_poll (docs/ARCHITECTURE.md "Time"). This module only
// arms and stops them; tcp/timer.ts runs the expired ones.
//
// RFC 6298: RTO = SRTT + max(G, 4·RTTVAR) bounded by RTO_MIN/RTO_MAX
// (1 s before the first measurement, §2.1; 3 s if the SYN or SYN-ACK timed
// out, §5.7), doubled on every expiry (§5.5).

import { ConfigKey, config } from "../netconfig";
import { nowMs, timeBefore } from "../time";
import { State } from "./abi";
import { F, Tcb, clearFlag, hasFlag, setFlag, setState, synchronized, tcbOptions } from "./tcb";
import { userTimeoutMs } from "./options";

// @ts-ignore: decorator
@inline const RTO_INITIAL_MS: u32 = 1000; // RFC 6298 §2.1
// @ts-ignore: decorator
@inline const RTO_AFTER_SYN_LOSS_MS: u32 = 3000; // RFC 6298 §5.7
/** Largest backoff exponent of the RTO and of persist probes. */
// @ts-ignore: decorator
@inline export const MAX_BACKOFF_SHIFT: i32 = 16;
/** Largest RTT sample kept: SRTT × 8 fits in 16 bits. */
// @ts-ignore: decorator
@inline const RTT_SAMPLE_MAX_MS: u32 = 8191;

/** The current RTO of the connection, backoff included. */
export function rtoMs(t: Tcb): u32 {
  const lo = <u32>config(ConfigKey.RTO_MIN_MS);
  const hi = <u32>config(ConfigKey.RTO_MAX_MS);
  let base: u32 = RTO_INITIAL_MS;
  // RFC 6298 §5.7: the SYN (or SYN-ACK) timed out, so once data flows the
  // RTO is 3 s until the first measurement; the handshake's own backoff
  // keeps the 1 s base.
  if (hasFlag(t, <u16>F.SYN_RETX) && synchronized(t)) base = RTO_AFTER_SYN_LOSS_MS;
  if (hasFlag(t, <u16>F.HAVE_RTT)) {
    // rttvar4 is RTTVAR in quarter-ms, i.e. 4·RTTVAR in ms; G is 1 ms.
    base = (<u32>t.srtt8 >> 3) + max<u32>(1, <u32>t.rttvar4);
    if (base < lo) base = lo;
  }
  if (base > hi) base = hi;
  // base · 2^shift capped at hi, compared before shifting so that nothing
  // overflows: base · 2^shift > hi exactly when base > hi >> shift.
  const shift = <u32>min<i32>(<i32>t.retries, MAX_BACKOFF_SHIFT);
  return base > hi >> shift ? hi : base << shift;
}

/** Fold one RTT measurement into SRTT/RTTVAR (RFC 6298 §2.2, §2.3). */
export function rttSample(t: Tcb, r: u32): void {
  // SRTT × 8 is kept in 16 bits, so a sample above 8.19 s counts as 8.19 s
  // (the RTO still backs off to RTO_MAX from there, RFC 6298 §5.5).
  if (r > RTT_SAMPLE_MAX_MS) r = RTT_SAMPLE_MAX_MS;
  if (!hasFlag(t, <u16>F.HAVE_RTT)) {
    t.srtt8 = <u16>(r << 3);
    t.rttvar4 = <u16>(r << 1);
    setFlag(t, <u16>F.HAVE_RTT);
    return;
  }
  const delta = <i32>r - <i32>(t.srtt8 >> 3);
  t.srtt8 = <u16>(<i32>t.srtt8 + delta);
  const mag = delta < 0 ? -delta : delta;
  t.rttvar4 = <u16>(<i32>t.rttvar4 - <i32>(t.rttvar4 >> 2) + mag);
}

/**
 * (Re)start the retransmission timer at the current RTO (RFC 6298 §5.1,
 * §5.3). Started afresh (no retransmission timer was running), it also
 * starts the wait of the oldest unacknowledged data; with an RFC 5482 user
 * timeout the timer fires no later than that wait's end.
 */
export function armRetransmit(t: Tcb): void {
  const now = nowMs();
  if (!hasFlag(t, <u16>F.TIMER) || hasFlag(t, <u16>F.PERSIST)) t.unackedSince = now;
  t.rtxAt = now + rtoMs(t);
  setFlag(t, <u16>F.TIMER);
  clearFlag(t, <u16>F.PERSIST);
  clampToUserTimeout(t);
}

/**
 * A running retransmission timer fires no later than the end of the RFC
 * 5482 user timeout (not the persist, FIN-WAIT-2 or TIME-WAIT timer that
 * share its slot: those run with nothing unacknowledged or no retries).
 */
export function clampToUserTimeout(t: Tcb): void {
  const ut = userTimeoutMs(tcbOptions(t));
  if (ut == 0 || !hasFlag(t, <u16>F.TIMER) || hasFlag(t, <u16>F.PERSIST) || t.sndUna == t.sndMax) return;
  if (timeBefore(t.unackedSince + ut, t.rtxAt)) t.rtxAt = t.unackedSince + ut;
}

/**
 * Retransmissions of the oldest data should stop: once it has waited the
 * user timeout when one is set (RFC 5482), else after TCP_MAX_RETRIES
 * timeouts in a row (RFC 1122 §4.2.3.5).
 */
export function retransmissionsExhausted(t: Tcb): bool {
  const ut = userTimeoutMs(tcbOptions(t));
  if (ut != 0) return nowMs() - t.unackedSince >= ut;
  return <i32>t.retries > config(ConfigKey.TCP_MAX_RETRIES);
}

/** Start the persist timer (RFC 9293 §3.8.6.1), backed off like the RTO. */
export function armPersist(t: Tcb): void {
  t.rtxAt = nowMs() + rtoMs(t);
  setFlag(t, <u16>(F.TIMER | F.PERSIST));
}

/** Stop the retransmission/persist timer (RFC 6298 §5.2). */
export function stopTimer(t: Tcb): void {
  clearFlag(t, <u16>(F.TIMER | F.PERSIST));
}

/** Owe an ACK within DELACK_MS (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2). */
export function armDelack(t: Tcb): void {
  if (hasFlag(t, <u16>F.DELACK)) return;
  t.delackAt = nowMs() + <u32>config(ConfigKey.DELACK_MS);
  setFlag(t, <u16>F.DELACK);
}

/** Enter TIME-WAIT, or restart its 2·MSL timer (RFC 9293 §3.10.7.4 eighth step). */
export function startTimeWait(t: Tcb): void {
  setState(t, State.TIME_WAIT);
  t.rtxAt = nowMs() + (<u32>config(ConfigKey.MSL_MS) << 1);
  setFlag(t, <u16>F.TIMER);
  clearFlag(t, <u16>(F.PERSIST | F.RTT | F.RECOVERY));
}

/**
 * (Re)start the FIN-WAIT-2 timer: 2·MSL (60 s by default, Linux's
 * tcp_fin_timeout) from entering FIN-WAIT-2 or from the peer's last new
 * data. RFC 9293 §3.10.4 lets a closed connection wait for the peer's FIN
 * forever; the user has let go of it (tcp_close), so a peer that never
 * sends its FIN must not keep the TCB.
 */
export function armFinWait2(t: Tcb): void {
  t.rtxAt = nowMs() + (<u32>config(ConfigKey.MSL_MS) << 1);
  setFlag(t, <u16>F.TIMER);
  clearFlag(t, <u16>F.PERSIST);
}
