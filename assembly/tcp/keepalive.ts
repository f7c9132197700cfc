// Keep-alives (RFC 1122 §4.2.3.6), per connection through tcp_option
// KEEPALIVE, KEEPIDLE_MS, KEEPINTVL_MS and KEEPCNT (tcp/options.ts). An
// idle connection, ESTABLISHED or CLOSE-WAIT with nothing in flight and no
// timer of its own, that has heard nothing from its peer for KEEPIDLE_MS
// gets a probe, then another every KEEPINTVL_MS; any acceptable segment
// from the peer (tcp/tcb.ts tcbHeard) starts the idle time again. After
// KEEPCNT unanswered probes the connection fails with ETIMEDOUT and the
// peer gets a RST, as Linux does, in case it is alive but cannot answer.
//
// The probe is <SEQ=SND.NXT−1><ACK=RCV.NXT><CTL=ACK> without data. RFC 1122
// says an implementation SHOULD send no data and MAY send one garbage
// octet for peers that do not answer a zero-length segment below their
// window; such peers (pre-RFC 1122 BSD) are gone, Linux and the BSDs probe
// without data, and a garbage octet could only be sent as a byte the peer
// has already acknowledged. The old sequence number is what draws the
// answer: the segment is not acceptable, so the peer sends an ACK
// (RFC 9293 §3.10.7.4 first step).
//
// The deadline is derived, not stored: the next step is due KEEPIDLE_MS +
// probes · KEEPINTVL_MS after the last segment heard.

import { Stat, count } from "../stats";
import { nowMs } from "../time";
import { userSendState } from "./rules";
import { Err, F, Tcb, connectionClosed, hasFlag, tcbOptions } from "./tcb";
import { keepAliveDue, keepAliveOn, keepCount, setUnansweredProbes, unansweredProbes } from "./options";
import { sendRst, sendSegment } from "./output";

/** Keep-alives run on `t` now: asked for, ESTABLISHED or CLOSE-WAIT, and no retransmission or persist timer. */
function keepAliveRunning(t: Tcb): bool {
  return keepAliveOn(tcbOptions(t)) && userSendState(t.state) && !hasFlag(t, <u16>F.TIMER);
}

/** Send the next probe, or give up after KEEPCNT unanswered ones, when due (net_poll). */
export function keepAliveTimer(t: Tcb): void {
  if (!keepAliveRunning(t)) return;
  const o = tcbOptions(t);
  if (nowMs() - t.heardAt < keepAliveDue(o)) return;
  const n = unansweredProbes(o);
  if (n >= keepCount(o)) {
    count(Stat.TCP_KEEPALIVE_DROPS);
    sendRst(t);
    connectionClosed(t, Err.TIMEDOUT);
    return;
  }
  count(Stat.TCP_KEEPALIVE_PROBES);
  sendSegment(t, t.sndMax - 1, 0, 0);
  setUnansweredProbes(o, n + 1);
}

/** Fold the connection's next keep-alive step into `next` (ms, -1 = none). */
export function keepAliveNext(t: Tcb, next: i32): i32 {
  if (!keepAliveRunning(t)) return next;
  // Due may lie more than 2^31 ms ahead (up to 128 · 32,767 s), beyond
  // what a wrap-safe deadline compares: count the time left instead.
  const elapsed = nowMs() - t.heardAt;
  const due = keepAliveDue(tcbOptions(t));
  const left = elapsed >= due ? 0 : <i32>min<u32>(due - elapsed, 0x7fffffff);
  return next < 0 || left < next ? left : next;
}
