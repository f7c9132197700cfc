// The secret keys of TCP's keyed hashes, drawn from hal.entropy: the ISN
// key (tcp/isn.ts), the ephemeral-port key (tcp/ports.ts) and the SYN-cookie
// keys (tcp/cookie.ts). Every key half is drawn the same way, through this
// one helper, so a given entropy source always yields the same keys in the
// same order of hal.entropy() calls.

import { entropy } from "../hal";

/** 64 secret bits: two hal.entropy() calls, the first in the low half. */
export function secretWord(): u64 {
  const lo = <u64>entropy();
  return lo | (<u64>entropy() << 32);
}
