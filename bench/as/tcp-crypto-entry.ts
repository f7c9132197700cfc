// Test entry for the TCP security building blocks: thin exports around
// SipHash-2-4, RFC 6528 ISNs, RFC 6056 ports and RFC 4987 SYN cookies, plus
// loops that run inside wasm (a million forged cookies, bench loops) so the
// tests and the bench do not pay a JS→wasm call per iteration. Built by
// bench/tcp-crypto-wasm.ts.

import { sipHashBytes, sipHashWords, sipHash2, sipHash4, sipHash21 } from "../../assembly/siphash";
import { isnInit, isnFor } from "../../assembly/tcp/isn";
import { portsInit, portCandidate, portUsed, portCount } from "../../assembly/tcp/ports";
import { cookieInit, cookieMake, cookieCheck } from "../../assembly/tcp/cookie";
import { setNow as timeSetNow } from "../../assembly/time";
import { setConfig } from "../../assembly/netconfig";

const buf = memory.data(256);

/** A static 256-byte buffer for hash input. */
export function buffer(): usize { return buf; }
export function setNow(ms: u32): void { timeSetNow(ms); }
export function netConfig(key: i32, value: i32): i32 { return setConfig(key, value); }

export function hashBytes(k0: u64, k1: u64, ptr: usize, len: i32): u64 { return sipHashBytes(k0, k1, ptr, <usize>len); }
export function hashWords(k0: u64, k1: u64, ptr: usize, n: i32): u64 { return sipHashWords(k0, k1, ptr, n); }
export function hash2(k0: u64, k1: u64, w0: u64): u64 { return sipHash2(k0, k1, w0); }
export function hash4(k0: u64, k1: u64, w0: u64, w1: u64): u64 { return sipHash4(k0, k1, w0, w1); }
export function hash21(k0: u64, k1: u64, w0: u64, w1: u64, w2: u64): u64 { return sipHash21(k0, k1, w0, w1, w2); }

export function isnInitX(): void { isnInit(); }
export function isn(localIp: u32, localPort: i32, remoteIp: u32, remotePort: i32): u32 {
  return isnFor(localIp, <u16>localPort, remoteIp, <u16>remotePort);
}

export function portsInitX(): void { portsInit(); }
export function candidate(remoteIp: u32, remotePort: i32, attempt: i32): i32 {
  return <i32>portCandidate(remoteIp, <u16>remotePort, attempt);
}
export function used(): void { portUsed(); }
export function count(): i32 { return portCount(); }

export function cookieInitX(): void { cookieInit(); }
export function make(localIp: u32, localPort: i32, remoteIp: u32, remotePort: i32, peerIsn: u32, peerMss: i32): u32 {
  return cookieMake(localIp, <u16>localPort, remoteIp, <u16>remotePort, peerIsn, <u16>peerMss);
}
export function check(localIp: u32, localPort: i32, remoteIp: u32, remotePort: i32, peerIsn: u32, cookie: u32): i32 {
  return cookieCheck(localIp, <u16>localPort, remoteIp, <u16>remotePort, peerIsn, cookie);
}

// xorshift32 (Marsaglia): the forger's guesses, independent of hal.entropy.
let rng: u32 = 1;
function next(): u32 {
  let x = rng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  rng = x;
  return x;
}

/**
 * A blind attacker's forged ACKs against one 4-tuple and peer ISN
 * (10.0.0.1:80 <- 192.168.1.7:40000, ISN 0x12345678): `n` random cookies,
 * except that the bits in `fixedMask` are taken from `fixed` (e.g. the 2
 * counter bits, as if the attacker knew our clock). Returns how many
 * cookieCheck accepted.
 */
export function cookieForgeryTrial(n: i32, seed: u32, fixed: u32, fixedMask: u32): i32 {
  rng = seed != 0 ? seed : 1;
  let accepted = 0;
  for (let i = 0; i < n; i++) {
    const c = (next() & ~fixedMask) | (fixed & fixedMask);
    if (cookieCheck(0x0a000001, 80, 0xc0a80107, 40000, 0x12345678, c) >= 0) accepted++;
  }
  return accepted;
}

// Bench loops: `n` calls with varying inputs; the folded result keeps the
// optimiser from dropping the calls.
export function benchIsn(n: i32): u32 {
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) acc ^= isnFor(0x0a000001, 80, 0xc0a80100 + <u32>i, <u16>(40000 + (i & 0xff)));
  return acc;
}
export function benchCookieMake(n: i32): u32 {
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) acc ^= cookieMake(0x0a000001, 80, 0xc0a80100 + <u32>i, 40000, <u32>i * 2654435761, 1460);
  return acc;
}
export function benchCookieCheck(n: i32): u32 {
  const c = cookieMake(0x0a000001, 80, 0xc0a80107, 40000, 0x12345678, 1460);
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) acc += <u32>cookieCheck(0x0a000001, 80, 0xc0a80107, 40000, 0x12345678, c + <u32>(i & 1));
  return acc;
}
export function benchPort(n: i32): u32 {
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) acc ^= <u32>portCandidate(0xc0a80100 + <u32>i, 80, i & 7);
  return acc;
}
export function benchSipHash4(n: i32): u64 {
  let acc: u64 = 0;
  for (let i = 0; i < n; i++) acc ^= sipHash4(acc, 0x0f0e0d0c0b0a0908, <u64>i, 0);
  return acc;
}
