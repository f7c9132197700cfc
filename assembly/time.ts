// The clock, as given to net_poll. Time enters the stack only there
// (docs/ARCHITECTURE.md "Time"): every module reads `nowMs()`, nothing
// reads a real clock.
// Milliseconds are u32 and wrap every 49.7 days, so every comparison goes
// through the wrap-safe helpers below, like sequence numbers do.

import { WITH_DHCP, WITH_DNS } from "./config";

let current: u32 = 0;
// Milliseconds since the first net_poll as a u64, for deadlines that can lie
// further out than the u32 clock's half range (a DHCP lease, a DNS TTL):
// it grows by each poll's step, so it survives the wrap of now_ms.
let elapsed: u64 = 0;

/** The time of the current (or last) net_poll, in ms. */
// @ts-ignore: decorator
@inline export function nowMs(): u32 { return current; }

/** Set by net_poll only. */
export function setNow(ms: u32): void {
  if (WITH_DHCP || WITH_DNS) {
    const step = <i32>(ms - current);
    if (step > 0) elapsed += <u64>step;
  }
  current = ms;
}

/** Monotonic milliseconds that never wrap (advances with net_poll's clock). */
// @ts-ignore: decorator
@inline export function longNowMs(): u64 { return elapsed; }

/** Fold a u64 deadline (longNowMs scale) into a running "next wake-up" value, capped to i32. */
export function earliestLong(acc: i32, deadline: u64): i32 {
  const d = deadline > elapsed ? deadline - elapsed : 0;
  const ms = d > 0x7fffffff ? 0x7fffffff : <i32>d;
  return acc < 0 || ms < acc ? ms : acc;
}

/** a is earlier than b (wrap-safe). */
// @ts-ignore: decorator
@inline export function timeBefore(a: u32, b: u32): bool { return <i32>(a - b) < 0; }

/** The deadline has passed (or is now). */
// @ts-ignore: decorator
@inline export function expired(deadline: u32): bool { return <i32>(deadline - current) <= 0; }

/** Milliseconds from now until `deadline`, 0 if already due. */
// @ts-ignore: decorator
@inline export function msUntil(deadline: u32): i32 {
  const d = <i32>(deadline - current);
  return d > 0 ? d : 0;
}

/** Fold a deadline into a running "next wake-up" value (-1 = none yet). */
// @ts-ignore: decorator
@inline export function earliest(acc: i32, deadline: u32): i32 {
  const d = msUntil(deadline);
  return acc < 0 || d < acc ? d : acc;
}
