// Ephemeral port selection, RFC 6056 §3.3.3 Algorithm 3 ("Simple
// Hash-Based Port Selection Algorithm"):
//
//     offset = F(local_IP, remote_IP, remote_port, secret_key)
//     port   = min_ephemeral + (next_ephemeral + offset) % num_ephemeral
//
// F is SipHash-2-4 (tcp/siphash.ts) under a 128-bit secret from hal.entropy,
// truncated to 32 bits. The stack has one address, so local_IP is the same
// for every connection and is left out of F. The range is the net_config
// pair EPHEMERAL_LOW..EPHEMERAL_HIGH (inclusive, default 49152..65535, RFC
// 6335 §6), read on every call so a changed range applies at once.
//
// Why this algorithm: ports towards one destination follow each other
// (few collisions with our own earlier connections, RFC 6056 §3.3.3), while
// an off-path attacker cannot tell which port we will use towards another
// destination, the second thing (after the ISN) it must guess to inject
// into a connection (RFC 6056 §1).
//
// Contract with the caller (tcp_connect), the RFC's loop split in two:
//     for (attempt = 0; attempt < portCount(); attempt++) {
//       port = portCandidate(remoteIp, remotePort, attempt);
//       if (the 4-tuple is free) { portUsed(); use port; }
//     }
// portUsed() advances next_ephemeral by attempt + 1 for the last candidate
// handed out, exactly as the RFC's loop increments it once per port tried.

import { secretWord } from "../hal";
import { ConfigKey, config } from "../netconfig";
import { sipHash2 } from "../siphash";

let key0: u64 = 0;
let key1: u64 = 0;
/** RFC 6056 next_ephemeral. */
let nextEphemeral: u32 = 0;
/** Attempt number of the last portCandidate (what portUsed commits). */
let lastAttempt: u32 = 0;

/** Draw the port secret (four hal.entropy() calls) and reset the counter. Called once from net_init. */
export function portsInit(): void {
  key0 = secretWord();
  key1 = secretWord();
  nextEphemeral = 0;
  lastAttempt = 0;
}

/** Number of ports in the configured ephemeral range (the caller's attempt bound). */
export function portCount(): i32 {
  return config(ConfigKey.EPHEMERAL_HIGH) - config(ConfigKey.EPHEMERAL_LOW) + 1;
}

/**
 * The `attempt`-th candidate local port towards remoteIp:remotePort.
 * Attempts 0..portCount()-1 visit every port of the range exactly once.
 */
export function portCandidate(remoteIp: u32, remotePort: u16, attempt: i32): u16 {
  const low = config(ConfigKey.EPHEMERAL_LOW);
  const num = <u32>portCount();
  // 8 bytes: remoteIp | remotePort << 32 (little-endian words, siphash.ts).
  const offset = <u32>sipHash2(key0, key1, <u64>remoteIp | (<u64>remotePort << 32));
  lastAttempt = <u32>attempt;
  // (offset + next_ephemeral + attempt) % num, with offset and the counter
  // reduced first so that the sum (below 3 · 65536) never wraps in u32.
  const k = (offset % num + nextEphemeral % num + <u32>attempt) % num;
  return <u16>(low + <i32>k);
}

/** The last candidate was taken: advance next_ephemeral past every port tried for it. */
export function portUsed(): void {
  nextEphemeral += lastAttempt + 1;
}
