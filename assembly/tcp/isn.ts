// Initial sequence numbers, RFC 6528 §3:
//
//     ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
//
// M is "a 4 microsecond timer"; the stack only knows milliseconds (time
// enters through net_poll, docs/ARCHITECTURE.md "Time"), so M = nowMs() * 250, which advances at
// the same average rate and wraps with the sequence space (u32). F is
// SipHash-2-4 (tcp/siphash.ts), a keyed PRF, truncated to its low 32 bits,
// keyed with 128 secret bits taken from hal.entropy at net_init (RFC 6528 §3:
// "Key lengths of 128 bits should be adequate"; RFC 9293 §3.4.1 MUST-9: F
// must not be computable from the outside; the MD5 RFC 6528 mentions is only
// an example). The key is never changed, so a reincarnated 4-tuple never sees
// its ISN jump backwards (the risk RFC 6528 §3 gives for re-keying).
//
// Why: an off-path attacker who can guess the ISN can inject data or resets
// into a connection (session hijacking, RFC 6528 §1 and RFC 1948 on ISN
// prediction). With a secret F, ISNs of different 4-tuples are unrelated,
// while for one 4-tuple they still grow with the clock so a new incarnation
// starts above the old one's sequence numbers (RFC 9293 §3.4.1).
//
// Invariant: the key is set once by isnInit() and never changes; isnFor is a
// pure function of (key, clock, 4-tuple).

import { secretWord } from "../hal";
import { nowMs } from "../time";
import { sipHash4 } from "../siphash";

/** M's rate: 4 µs ticks per millisecond. */
// @ts-ignore: decorator
@inline export const ISN_TICKS_PER_MS: u32 = 250;

let key0: u64 = 0;
let key1: u64 = 0;

/** Draw the ISN secret: four hal.entropy() calls (128 bits). Called once from net_init. */
export function isnInit(): void {
  key0 = secretWord();
  key1 = secretWord();
}

/** RFC 6528 ISN for a connection: M (4-µs clock) + low 32 bits of SipHash-2-4(4-tuple). */
export function isnFor(localIp: u32, localPort: u16, remoteIp: u32, remotePort: u16): u32 {
  // The 12 bytes of the 4-tuple as two little-endian words:
  // w0 = localIp | remoteIp << 32, w1 = localPort | remotePort << 16.
  const w0 = <u64>localIp | (<u64>remoteIp << 32);
  const w1 = <u64>localPort | (<u64>remotePort << 16);
  const f = <u32>sipHash4(key0, key1, w0, w1);
  return nowMs() * ISN_TICKS_PER_MS + f;
}
