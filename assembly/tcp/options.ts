// Per-connection options behind tcp_option (docs/ABI.md "tcp_option keys"):
// Nagle off (RFC 9293 §3.7.4), keep-alives (RFC 1122 §4.2.3.6) and the
// user timeout (RFC 5482). A block of OPTIONS_BYTES lives in every TCB and
// in every listener record, whose block is copied into the connections it
// accepts; this module alone knows its layout, ranges and defaults.
//
//   0 keepIdleMs u32   4 keepIntvlMs u32   8 keepCnt u8   9 bits u8 (NODELAY, KEEPALIVE)
//  10 probes u8 (TCB only)   11 pad   12 userTimeoutMs u32
//
// probes counts the keep-alive or zero-window probes sent since the peer
// was last heard from (tcp/tcb.ts tcbHeard clears it); the two never run
// at once, since keep-alives wait while the persist timer runs.
//
// The u32 of key k (KEEPIDLE_MS onwards) sits at (k − KEEPIDLE_MS) · 4;
// KEEPCNT, whose word that would be, is the byte at its start.
//
// A zero field means "the default", so a zeroed block is the defaults and a
// fresh TCB or listener needs no set-up.
//
// Bounds: KEEPIDLE_MS and KEEPINTVL_MS at most 32,767 s and KEEPCNT at most
// 127 (Linux's limits), so the time from the last segment heard to the
// keep-alive verdict, idle + KEEPCNT · interval, always fits a u32 of ms.

import { EINVAL } from "../errors";
import { TcpOption } from "./abi";

// @ts-ignore: decorator
@inline export const OPTIONS_BYTES: usize = 16;
// @ts-ignore: decorator
@inline const KEEP_CNT: usize = 8;
// @ts-ignore: decorator
@inline const BITS: usize = 9;
// @ts-ignore: decorator
@inline const PROBES: usize = 10;
// @ts-ignore: decorator
@inline const BIT_NODELAY: u8 = 1;
// @ts-ignore: decorator
@inline const BIT_KEEPALIVE: u8 = 2;

// One row per key, in TcpOption order: default, lowest, highest.
const rows = memory.data<i32>([
  0,        0,  1,           // NODELAY
  0,        0,  1,           // KEEPALIVE: off unless asked for (RFC 1122 §4.2.3.6 "MUST default to off")
  7200000,  1,  32767000,    // KEEPIDLE_MS: "MUST default to no less than two hours" (RFC 1122 §4.2.3.6)
  75000,    1,  32767000,    // KEEPINTVL_MS
  9,        1,  127,         // KEEPCNT
  0,        0,  0x7fffffff,  // USER_TIMEOUT_MS (RFC 5482); 0: the retry limit applies
]);

// @ts-ignore: decorator
@inline function row(key: i32, col: i32): i32 { return load<i32>(rows + (<usize>(key * 3 + col) << 2)); }

/** The bit a flag key sets in BITS, or 0 for a numeric key. */
function bitOf(key: i32): u8 {
  return key == TcpOption.NODELAY ? BIT_NODELAY : key == TcpOption.KEEPALIVE ? BIT_KEEPALIVE : 0;
}

/** Where a u32 key is stored. */
// @ts-ignore: decorator
@inline function wordAt(key: i32): usize { return <usize>(key - TcpOption.KEEPIDLE_MS) << 2; }

/** The value of `key` in the block at `o`, defaults resolved; EINVAL for an unknown key. */
export function optionGet(o: usize, key: i32): i32 {
  if (<u32>key >= <u32>TcpOption.COUNT) return EINVAL;
  const bit = bitOf(key);
  if (bit != 0) return (load<u8>(o, BITS) & bit) != 0 ? 1 : 0;
  const raw = key == TcpOption.KEEPCNT ? <i32>load<u8>(o, KEEP_CNT) : load<i32>(o + wordAt(key));
  return raw == 0 ? row(key, 0) : raw;
}

/** Set `key` in the block at `o`: 0, or EINVAL for an unknown key or a value out of range. */
export function optionSet(o: usize, key: i32, value: i32): i32 {
  if (<u32>key >= <u32>TcpOption.COUNT) return EINVAL;
  if (value < row(key, 1) || value > row(key, 2)) return EINVAL;
  const bit = bitOf(key);
  if (bit != 0) {
    const b = load<u8>(o, BITS);
    store<u8>(o, value != 0 ? b | bit : b & ~bit, BITS);
  } else if (key == TcpOption.KEEPCNT) {
    store<u8>(o, <u8>value, KEEP_CNT);
  } else {
    store<i32>(o + wordAt(key), value);
  }
  return 0;
}

/** Copy a listener's options into a connection it accepted (probes start at 0). */
export function optionsCopy(dst: usize, src: usize): void {
  memory.copy(dst, src, OPTIONS_BYTES);
  store<u8>(dst, 0, PROBES);
}

/** Back to the defaults. */
export function optionsClear(o: usize): void { memory.fill(o, 0, OPTIONS_BYTES); }

/** TCP_NODELAY is set. */
// @ts-ignore: decorator
@inline export function noDelay(o: usize): bool { return (load<u8>(o, BITS) & BIT_NODELAY) != 0; }

/** Keep-alives are asked for. */
// @ts-ignore: decorator
@inline export function keepAliveOn(o: usize): bool { return (load<u8>(o, BITS) & BIT_KEEPALIVE) != 0; }

/** The RFC 5482 user timeout in ms, 0 when none is set. */
// @ts-ignore: decorator
@inline export function userTimeoutMs(o: usize): u32 { return load<u32>(o, 12); }

/** Keep-alive or zero-window probes sent since the peer was last heard from. */
// @ts-ignore: decorator
@inline export function unansweredProbes(o: usize): u32 { return <u32>load<u8>(o, PROBES); }
// @ts-ignore: decorator
@inline export function setUnansweredProbes(o: usize, n: u32): void { store<u8>(o, <u8>n, PROBES); }

/**
 * ms after the last segment heard when the next keep-alive step is due:
 * probe number `probes` + 1, or, once KEEPCNT probes went unanswered, the
 * verdict (RFC 1122 §4.2.3.6). At most 32,767,000 · 128 < 2^32.
 */
export function keepAliveDue(o: usize): u32 {
  const idle = <u32>optionGet(o, TcpOption.KEEPIDLE_MS);
  return idle + unansweredProbes(o) * <u32>optionGet(o, TcpOption.KEEPINTVL_MS);
}

/** KEEPCNT in force. */
export function keepCount(o: usize): u32 { return <u32>optionGet(o, TcpOption.KEEPCNT); }
