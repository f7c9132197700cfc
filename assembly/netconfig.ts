// Runtime tunables behind net_config(key, value). Keys and defaults are ABI
// (docs/ABI.md "net_config keys"). A negative value reads the current one.

import { EINVAL } from "./errors";

export const enum ConfigKey {
  SYNCOOKIES = 0,        // 0 never, 1 when the SYN queue is full, 2 always
  SYNACK_RETRIES,        // SYN-ACK retransmissions before a half-open entry is dropped
  MSL_MS,                // maximum segment lifetime; TIME-WAIT lasts 2*MSL
  FULL_DUPLEX,           // ENC28J60 duplex: 0 half (default), 1 full; applied at net_init
  EPHEMERAL_LOW,         // RFC 6056 ephemeral port range, inclusive
  EPHEMERAL_HIGH,
  RTO_MIN_MS,            // RFC 6298 bounds on the retransmission timeout
  RTO_MAX_MS,
  TCP_MAX_RETRIES,       // RTO expiries, or unanswered zero-window probes, in a row before ETIMEDOUT
  DELACK_MS,             // delayed-ACK timeout (RFC 1122 §4.2.3.2: at most 500 ms)
  NAGLE,                 // 1 on, 0 off (RFC 896)
  COOKIE_PERIOD_MS,      // SYN-cookie secret rotation period; a cookie lives two
  CHALLENGE_ACK_LIMIT,   // RFC 5961 §7 challenge ACKs per second, for the whole stack
  ARP_TIMEOUT_MS,        // ARP cache entry lifetime
  ARP_RETRIES,           // ARP requests for an unresolved next hop
  ARP_RETRY_MS,          // interval between those requests
  SYNACK_RTO_MS,         // first SYN-ACK retransmission wait (then doubling)
  TCB_FULL,              // a new connection finds every TCB live: 0 refuse, 1 reclaim the longest-idle one idle over reclaim_idle_ms
  RECLAIM_IDLE_MS,       // how long an ESTABLISHED/CLOSE-WAIT connection must not have heard from its peer to be reclaimed
  COUNT
}

// One row per key, in ConfigKey order: the inclusive bounds every write
// is checked against, then the current value (the default until
// net_config changes it). Bounds first, the table has no run of zero
// bytes long enough for the optimizer to cut it into three data segments;
// each segment is one more copy when a C port instantiates the module
// (51 bytes of Cortex-M4 code).
// @ts-ignore: decorator
@inline const ROW_BYTES: usize = 12;
// @ts-ignore: decorator
@inline const ROW_LOWEST: usize = 0;
// @ts-ignore: decorator
@inline const ROW_HIGHEST: usize = 4;
// @ts-ignore: decorator
@inline const ROW_VALUE: usize = 8;
const rows = memory.data<i32>([
  // lowest highest    value
  0,       2,         1,         // SYNCOOKIES
  0,       16,        5,         // SYNACK_RETRIES
  1,       600000,    30000,     // MSL_MS
  0,       1,         0,         // FULL_DUPLEX
  1024,    65535,     49152,     // EPHEMERAL_LOW
  1024,    65535,     65535,     // EPHEMERAL_HIGH
  1,       600000,    200,       // RTO_MIN_MS (docs/TCP.md "Minimum RTO"; RFC 6298 §2.4 suggests 1000)
  1,       600000,    60000,     // RTO_MAX_MS (RFC 6298 §2.5)
  1,       64,        8,         // TCP_MAX_RETRIES
  1,       500,       40,        // DELACK_MS (docs/TCP.md "Delayed ACKs")
  0,       1,         1,         // NAGLE
  1000,    3600000,   64000,     // COOKIE_PERIOD_MS
  1,       1000000,   10,        // CHALLENGE_ACK_LIMIT
  1000,    86400000,  300000,    // ARP_TIMEOUT_MS
  1,       16,        3,         // ARP_RETRIES
  10,      60000,     1000,      // ARP_RETRY_MS
  10,      60000,     1000,      // SYNACK_RTO_MS (RFC 6298 initial RTO)
  0,       1,         0,         // TCB_FULL
  1,       2147483647, 60000,    // RECLAIM_IDLE_MS
]);

/** Current value of a tunable. */
// @ts-ignore: decorator
@inline export function config(key: ConfigKey): i32 {
  return load<i32>(rows + <usize>key * ROW_BYTES, ROW_VALUE);
}

/** net_config: set (value >= 0) or read (value < 0). Returns 0, the value read, or EINVAL. */
export function setConfig(key: i32, value: i32): i32 {
  if (<u32>key >= <u32>ConfigKey.COUNT) return EINVAL;
  const row = rows + <usize>key * ROW_BYTES;
  if (value < 0) return load<i32>(row, ROW_VALUE);
  if (value < load<i32>(row, ROW_LOWEST) || value > load<i32>(row, ROW_HIGHEST)) return EINVAL;
  // EPHEMERAL_LOW/HIGH and RTO_MIN/MAX_MS are pairs of adjacent keys, the
  // low end even: neither end may cross the other.
  if (key >= ConfigKey.EPHEMERAL_LOW && key <= ConfigKey.RTO_MAX_MS) {
    const other = config(<ConfigKey>(key ^ 1));
    if ((key & 1) == 0 ? value > other : value < other) return EINVAL;
  }
  store<i32>(row, value, ROW_VALUE);
  return 0;
}
