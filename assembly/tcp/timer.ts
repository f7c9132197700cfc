// Expiry of the per-connection deadlines that tcp/deadlines.ts arms:
// tcpTimers() runs the expired ones for every TCB in use (net_poll),
// tcpNextDeadline() tells net_poll when to call again.
//
// RFC 6298 §5.4–5.6: on expiry retransmit the earliest unacknowledged
// segment and back off; Karn's rule (§3) keeps retransmitted segments out
// of the RTT estimate. After TCP_MAX_RETRIES expiries in a row the
// connection fails with ETIMEDOUT.

import { Stat, count } from "../stats";
import { ConfigKey, config } from "../netconfig";
import { earliest, expired } from "../time";
import { State } from "./abi";
import { Err, F, Tcb, clearFlag, connectionClosed, hasFlag, synchronized, tcbUsed, tcbUsedCount } from "./tcb";
import { MAX_BACKOFF_SHIFT, armPersist, armRetransmit, stopTimer } from "./deadlines";
import { sendAck, sendProbe, sendRst, tcpOutput } from "./output";

/**
 * FIN-WAIT-2 timed out: reset the peer (it would get one for its next
 * segment anyway, RFC 9293 §3.10.7.1) and free the TCB.
 */
function finWait2Timeout(t: Tcb): void {
  sendRst(t);
  connectionClosed(t, Err.NONE);
}

/** The persist timer expired: probe and back off, without a retry limit while the peer answers (RFC 9293 §3.8.6.1). */
function persistTimeout(t: Tcb): void {
  sendProbe(t);
  if (t.retries < <u8>MAX_BACKOFF_SHIFT) t.retries++;
  armPersist(t);
}

function retransmitTimeout(t: Tcb): void {
  if (hasFlag(t, <u16>F.PERSIST) || (t.sndWnd == 0 && synchronized(t) && t.sndUna == t.sndNxt)) {
    persistTimeout(t);
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
