// The clock, as given to net_poll. Time enters the stack only there
// (docs/ARCHITECTURE.md "Time"): every module reads `nowMs()`, nothing
// reads a real clock.
// Milliseconds are u32 and wrap every 49.7 days, so every comparison goes
// through the wrap-safe helpers below, like sequence numbers do.

let current: u32 = 0;

/** The time of the current (or last) net_poll, in ms. */
// @ts-ignore: decorator
@inline export function nowMs(): u32 { return current; }

/** Set by net_poll only. */
export function setNow(ms: u32): void { current = ms; }

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
