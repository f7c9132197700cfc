// The resolver's cache of A answers: DNS_CACHE entries of a wire-form name,
// its address and an expiry on the u64 clock, kept min(TTL, CACHE_MAX_S)
// (RFC 1035 §3.2.1: TTL is how long it may be cached; the cap bounds how
// long a poisoned or stale answer could live). A new answer replaces the
// entry for the same name, else a free or expired one, else the one
// nearest expiry. A TTL of 0 is not cached (RFC 1035 §3.2.1).

import { DNS_CACHE } from "../config";
import { longNowMs } from "../time";
import { NAME_MAX, sameName } from "./name";

// @ts-ignore: decorator
@inline const CACHE_MAX_S: u32 = 3600;
// @ts-ignore: decorator
@inline const C_EXPIRES: usize = 0;   // u64, 0 = free
// @ts-ignore: decorator
@inline const C_ADDR: usize = 8;      // u32
// @ts-ignore: decorator
@inline const C_LEN: usize = 12;      // u32: name length
// @ts-ignore: decorator
@inline const C_NAME: usize = 16;
// @ts-ignore: decorator
@inline const ENTRY: usize = 16 + 256;

// @ts-ignore: decorator
@lazy const entries = memory.data(<i32>ENTRY * DNS_CACHE, 8);

// @ts-ignore: decorator
@inline function at(i: i32): usize { return entries + <usize>i * ENTRY; }

// @ts-ignore: decorator
@inline function live(e: usize): bool { return load<u64>(e, C_EXPIRES) > longNowMs(); }

/** Empty the cache (net_init). */
export function cacheInit(): void {
  memory.fill(entries, 0, ENTRY * <usize>DNS_CACHE);
}

/** The cached address of wire name `name`, 0 when none is live. */
export function cacheLookup(name: usize, len: i32): u32 {
  for (let i = 0; i < DNS_CACHE; i++) {
    const e = at(i);
    if (live(e) && sameName(e + C_NAME, <i32>load<u32>(e, C_LEN), name, len)) return load<u32>(e, C_ADDR);
  }
  return 0;
}

/** Keep `addr` for `name` for min(ttlS, CACHE_MAX_S) seconds. */
export function cacheStore(name: usize, len: i32, addr: u32, ttlS: u32): void {
  if (ttlS == 0 || len > NAME_MAX) return;
  let victim = -1;
  for (let i = 0; i < DNS_CACHE && victim < 0; i++) {
    const e = at(i);
    if (live(e) && sameName(e + C_NAME, <i32>load<u32>(e, C_LEN), name, len)) victim = i;
  }
  for (let i = 0; i < DNS_CACHE && victim < 0; i++) if (!live(at(i))) victim = i;
  if (victim < 0) {
    victim = 0;
    for (let i = 1; i < DNS_CACHE; i++) {
      if (load<u64>(at(i), C_EXPIRES) < load<u64>(at(victim), C_EXPIRES)) victim = i;
    }
  }
  const e = at(victim);
  store<u64>(e, longNowMs() + <u64>min(ttlS, CACHE_MAX_S) * 1000, C_EXPIRES);
  store<u32>(e, addr, C_ADDR);
  store<u32>(e, <u32>len, C_LEN);
  memory.copy(e + C_NAME, name, <usize>len);
}
