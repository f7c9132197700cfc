// Per-connection timers as deadlines (STYLE 6): one slot (rtxAt) serves as
// the retransmission timer, the persist timer, the FIN-WAIT-2 timer or the
// TIME-WAIT timer, the other (delackAt) as the delayed-ACK timer.
// tcpTimers() runs the expired ones for every TCB in use; tcpNextDeadline()
// tells net_poll when to call again.
//
// RFC 6298: RTO = SRTT + max(G, 4·RTTVAR) bounded by RTO_MIN/RTO_MAX
// (1 s before the first measurement, §2.1; 3 s if the SYN or SYN-ACK timed
// out, §5.7), doubled on every expiry (§5.5), with Karn's rule (§3: no
// sample from a retransmitted segment). The first sample is the handshake's
// when the SYN went out once. After TCP_MAX_RETRIES expiries in a row the
// connection fails with ETIMEDOUT.

import { Stat, count } from "../stats";
import { ConfigKey, config } from "../netconfig";
import { earliest, expired, nowMs } from "../time";
import { State } from "./abi";
import {
  Err, F, Tcb, clearFlag, connectionClosed, hasFlag, setFlag, setState, synchronized, tcbUsed, tcbUsedCount,
} from "./tcb";
import { sendAck, sendProbe, sendRst, tcpOutput } from "./output";

// @ts-ignore: decorator
@inline const RTO_INITIAL_MS: u32 = 1000; // RFC 6298 §2.1
// @ts-ignore: decorator
@inline const RTO_AFTER_SYN_LOSS_MS: u32 = 3000; // RFC 6298 §5.7
// @ts-ignore: decorator
@inline const MAX_BACKOFF_SHIFT: i32 = 16;

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
    base = (t.srtt8 >> 3) + max<u32>(1, t.rttvar4);
    if (base < lo) base = lo;
  }
  if (base > hi) base = hi;
  const shift = min<i32>(<i32>t.retries, MAX_BACKOFF_SHIFT);
  const r = <u64>base << <u64>shift;
  return r > <u64>hi ? hi : <u32>r;
}

/** Fold one RTT measurement into SRTT/RTTVAR (RFC 6298 §2.2, §2.3). */
export function rttSample(t: Tcb, r: u32): void {
  if (r > 0x0fffffff) r = 0x0fffffff;
  if (!hasFlag(t, <u16>F.HAVE_RTT)) {
    t.srtt8 = r << 3;
    t.rttvar4 = r << 1;
    setFlag(t, <u16>F.HAVE_RTT);
    return;
  }
  const delta = <i32>r - <i32>(t.srtt8 >> 3);
  t.srtt8 = <u32>(<i32>t.srtt8 + delta);
  const mag = delta < 0 ? -delta : delta;
  t.rttvar4 = <u32>(<i32>t.rttvar4 - <i32>(t.rttvar4 >> 2) + mag);
}

/** (Re)start the retransmission timer at the current RTO (RFC 6298 §5.1, §5.3). */
export function armRetransmit(t: Tcb): void {
  t.rtxAt = nowMs() + rtoMs(t);
  setFlag(t, <u16>F.TIMER);
  clearFlag(t, <u16>F.PERSIST);
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

/**
 * FIN-WAIT-2 timed out: reset the peer (it would get one for its next
 * segment anyway, RFC 9293 §3.10.7.1) and free the TCB.
 */
function finWait2Timeout(t: Tcb): void {
  sendRst(t);
  connectionClosed(t, Err.NONE);
}

/** RFC 5681 §3.1 initial window for the connection's SMSS. */
export function initialWindow(mss: u32): u16 {
  const w = mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
  return <u16>min<u32>(w, 0xffff);
}

function retransmitTimeout(t: Tcb): void {
  if (hasFlag(t, <u16>F.PERSIST) || (t.sndWnd == 0 && synchronized(t) && t.sndUna == t.sndNxt)) {
    // Persist: probe and back off, without a retry limit while the peer
    // keeps answering (RFC 9293 §3.8.6.1).
    sendProbe(t);
    if (t.retries < <u8>MAX_BACKOFF_SHIFT) t.retries++;
    armPersist(t);
    return;
  }
  if (t.sndUna == t.sndMax) { stopTimer(t); return; }
  t.retries++;
  if (<i32>t.retries > config(ConfigKey.TCP_MAX_RETRIES)) {
    count(Stat.TCP_TIMEOUTS);
    connectionClosed(t, Err.TIMEDOUT);
    return;
  }
  count(Stat.TCP_RETRANSMITS);
  // RFC 5681 §3.1 (4): ssthresh = max(FlightSize / 2, 2·SMSS); cwnd = 1 SMSS.
  const mss = <u32>t.sndMss;
  const flight = t.sndMax - t.sndUna;
  t.ssthresh = <u16>min<u32>(max<u32>(flight >> 1, mss << 1), 0xffff);
  t.cwnd = <u16>mss;
  // RFC 6582 §3.2 step 4: no fast retransmit for losses from before the timeout.
  t.recover = t.sndMax;
  clearFlag(t, <u16>(F.RECOVERY | F.RTT));
  t.dupAcks = 0;
  if (t.sndWnd == 0 && synchronized(t)) {
    // The window closed with data in flight: go back and probe it.
    t.sndNxt = t.sndUna;
    sendProbe(t);
    armPersist(t);
    return;
  }
  // Go back to SND.UNA and re-cut from the ring (a SYN state resends the SYN).
  // With cwnd at one SMSS, output sends exactly the first segment again.
  t.sndNxt = synchronized(t) ? t.sndUna : t.iss;
  tcpOutput(t);
  armRetransmit(t);
}

/** Run every expired timer (net_poll). */
export function tcpTimers(): void {
  let k = 0;
  while (k < tcbUsedCount()) {
    const t = tcbUsed(k);
    const before = tcbUsedCount();
    if (hasFlag(t, <u16>F.DELACK) && expired(t.delackAt)) {
      count(Stat.TCP_DELAYED_ACKS);
      sendAck(t);
    }
    if (hasFlag(t, <u16>F.TIMER) && expired(t.rtxAt)) {
      if (t.state == <u8>State.TIME_WAIT) connectionClosed(t, Err.NONE);
      else if (t.state == <u8>State.FIN_WAIT_2) finWait2Timeout(t);
      else retransmitTimeout(t);
    }
    // A freed TCB is replaced at index k by the last one in use.
    if (tcbUsedCount() == before) k++;
  }
}

/** ms until the earliest TCP deadline, -1 when none. */
export function tcpNextDeadline(): i32 {
  let next: i32 = -1;
  const n = tcbUsedCount();
  for (let k = 0; k < n; k++) {
    const t = tcbUsed(k);
    if (hasFlag(t, <u16>F.TIMER)) next = earliest(next, t.rtxAt);
    if (hasFlag(t, <u16>F.DELACK)) next = earliest(next, t.delackAt);
  }
  return next;
}
