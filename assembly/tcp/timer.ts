// Expiry of the per-connection deadlines that tcp/deadlines.ts arms:
// tcpTimers() runs the expired ones for every TCB in use (net_poll),
// tcpNextDeadline() tells net_poll when to call again.
//
// RFC 6298 §5.4–5.6: on expiry retransmit the earliest unacknowledged
// segment and back off; Karn's rule (§3) keeps retransmitted segments out
// of the RTT estimate. After TCP_MAX_RETRIES expiries in a row, or once
// the oldest data has waited the RFC 5482 user timeout, the connection
// fails with ETIMEDOUT. A shut window is probed by the persist timer
// (RFC 9293 §3.8.6.1) for as long as the peer answers; a peer that answers
// TCP_MAX_RETRIES probes in a row with nothing fails it the same way. Idle
// connections with keep-alives on are probed (tcp/keepalive.ts).

import { Stat, count } from "../stats";
import { ConfigKey, config } from "../netconfig";
import { earliest, expired } from "../time";
import { State } from "./abi";
import { Err, F, Tcb, clearFlag, connectionClosed, hasFlag, setDupAckCount, synchronized, tcbOptions, tcbUsed, tcbUsedCount } from "./tcb";
import { MAX_BACKOFF_SHIFT, armPersist, armRetransmit, retransmissionsExhausted, stopTimer } from "./deadlines";
import { keepAliveNext, keepAliveTimer } from "./keepalive";
import { setUnansweredProbes, unansweredProbes } from "./options";
import { sendAck, sendProbe, sendRst, tcpOutput } from "./output";
import { lossSsthresh } from "./recovery";

/**
 * FIN-WAIT-2 timed out: reset the peer (it would get one for its next
 * segment anyway, RFC 9293 §3.10.7.1) and free the TCB.
 */
function finWait2Timeout(t: Tcb): void {
  sendRst(t);
  connectionClosed(t, Err.NONE);
}

/** Send a zero-window probe and count it unanswered until the peer is heard from (tcp/tcb.ts tcbHeard). */
function probe(t: Tcb): void {
  const o = tcbOptions(t);
  sendProbe(t);
  setUnansweredProbes(o, unansweredProbes(o) + 1);
}

/**
 * The persist timer expired: probe and back off (RFC 9293 §3.8.6.1).
 * RFC 1122 §4.2.2.17: while the peer answers the probes the connection
 * stays open, however long its window stays shut. A peer that has answered
 * none of TCP_MAX_RETRIES probes in a row is gone, as one that acknowledges
 * none of as many retransmissions is (RFC 1122 §4.2.3.5): the connection
 * fails with ETIMEDOUT, so a vanished peer cannot hold a TCB for ever, least
 * of all one the application has closed. The RFC 5482 user timeout does not
 * apply: it bounds data waiting for an ACK, not a window held shut.
 */
function persistTimeout(t: Tcb): void {
  if (<i32>unansweredProbes(tcbOptions(t)) >= config(ConfigKey.TCP_MAX_RETRIES)) {
    count(Stat.TCP_TIMEOUTS);
    connectionClosed(t, Err.TIMEDOUT);
    return;
  }
  probe(t);
  if (t.retries < <u8>MAX_BACKOFF_SHIFT) t.retries++;
  armPersist(t);
}

function retransmitTimeout(t: Tcb): void {
  if (hasFlag(t, <u16>F.PERSIST) || (t.sndWnd == 0 && synchronized(t) && t.sndUna == t.sndNxt)) {
    persistTimeout(t);
    return;
  }
  if (t.sndUna == t.sndMax) { stopTimer(t); return; }
  if (t.retries < 0xff) t.retries++;
  if (retransmissionsExhausted(t)) {
    count(Stat.TCP_TIMEOUTS);
    connectionClosed(t, Err.TIMEDOUT);
    return;
  }
  count(Stat.TCP_RETRANSMITS);
  // RFC 9438 §4.8: ssthresh as for fast retransmit (β·FlightSize, not
  // RFC 5681 §3.1 (4)'s half); cwnd = 1 SMSS, RFC 5681's loss window.
  lossSsthresh(t, t.sndMax - t.sndUna);
  t.cwnd = t.sndMss;
  // RFC 6582 §3.2 step 4: no fast retransmit for losses from before the timeout.
  t.recover = t.sndMax;
  clearFlag(t, <u16>(F.RECOVERY | F.RTT));
  setDupAckCount(t, 0);
  if (t.sndWnd == 0 && synchronized(t)) {
    // The window closed with data in flight: go back and probe it.
    t.sndNxt = t.sndUna;
    probe(t);
    armPersist(t);
    return;
  }
  // Go back to SND.UNA and re-cut from the ring (a SYN state, where SND.UNA
  // is still ISS, resends the SYN). With cwnd at one SMSS, output sends
  // exactly the first segment again.
  t.sndNxt = t.sndUna;
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
    if (tcbUsedCount() == before) keepAliveTimer(t);
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
    next = keepAliveNext(t, next);
  }
  return next;
}
