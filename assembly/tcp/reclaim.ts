// A TCB for a new connection, by the policy net_config tcb_full chooses
// when every TCB is taken (docs/TCP.md "A full TCB pool"):
//
//   0  refuse (default): a free TCB, else the TIME-WAIT TCB closest to
//      expiry (tcp/tcb.ts), else none: tcp_connect says ENOMEM and a SYN
//      is dropped and counted (tcp/passive.ts);
//   1  reclaim: failing those, the ESTABLISHED or CLOSE-WAIT connection
//      that has heard nothing from its peer for longest, if that is at
//      least reclaim_idle_ms, is reset (RST to the peer) and its TCB given
//      to the new connection, the way lwIP kills its lowest-priority PCB.
//
// A reclaimed connection is freed at once, so its handle is stale (EINVAL)
// from then on, as after tcp_abort. Only a peer that completes a handshake
// (or our own tcp_connect) can reclaim: SYNs alone never take a TCB.

import { Stat, count } from "../stats";
import { ConfigKey, config } from "../netconfig";
import { nowMs } from "../time";
import { userSendState } from "./rules";
import { Tcb, tcbAllocReusing, tcbAvailable, tcbFree, tcbUsed, tcbUsedCount } from "./tcb";
import { sendRst } from "./output";

/** The connection tcb_full 1 would reclaim now, or null. */
function reclaimVictim(): Tcb | null {
  if (config(ConfigKey.TCB_FULL) != 1) return null;
  const threshold = <u32>config(ConfigKey.RECLAIM_IDLE_MS);
  const now = nowMs();
  let victim: Tcb | null = null;
  let longest: u32 = 0;
  const n = tcbUsedCount();
  for (let k = 0; k < n; k++) {
    const t = tcbUsed(k);
    if (!userSendState(t.state)) continue;
    const idle = now - t.heardAt;
    if (idle >= threshold && (victim === null || idle > longest)) {
      victim = t;
      longest = idle;
    }
  }
  return victim;
}

/** Whether tcbObtain() would find a TCB now. */
export function tcbObtainable(): bool {
  return tcbAvailable() || reclaimVictim() !== null;
}

/** A TCB for a new connection (zeroed but for its generation), or null when the policy refuses. */
export function tcbObtain(): Tcb | null {
  const t = tcbAllocReusing();
  if (t !== null) return t;
  const victim = reclaimVictim();
  if (victim === null) return null;
  count(Stat.TCP_RECLAIMED);
  sendRst(victim);
  tcbFree(victim);
  return tcbAllocReusing();
}
