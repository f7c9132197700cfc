// Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Every comparison
// of sequence or acknowledgement numbers goes through these helpers: the
// difference is read as a signed 32-bit number, so "a before b" stays true
// across the wrap as long as the two are less than 2^31 apart.

/** a < b in sequence space. */
// @ts-ignore: decorator
@inline export function seqLt(a: u32, b: u32): bool { return <i32>(a - b) < 0; }

/** a <= b in sequence space. */
// @ts-ignore: decorator
@inline export function seqLe(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }

/** a > b in sequence space. */
// @ts-ignore: decorator
@inline export function seqGt(a: u32, b: u32): bool { return <i32>(a - b) > 0; }

/** a >= b in sequence space. */
// @ts-ignore: decorator
@inline export function seqGe(a: u32, b: u32): bool { return <i32>(a - b) >= 0; }

/** lo <= s < hi (a half-open window, RFC 9293 §3.4 "RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND"). */
// @ts-ignore: decorator
@inline export function seqInWindow(s: u32, lo: u32, hi: u32): bool { return seqLe(lo, s) && seqLt(s, hi); }

/** The later of two sequence numbers. */
// @ts-ignore: decorator
@inline export function seqMax(a: u32, b: u32): u32 { return seqGt(a, b) ? a : b; }

/** The earlier of two sequence numbers. */
// @ts-ignore: decorator
@inline export function seqMin(a: u32, b: u32): u32 { return seqLt(a, b) ? a : b; }
