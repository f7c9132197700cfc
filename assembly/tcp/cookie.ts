// SYN cookies, RFC 4987 §3.6: when the SYN queue is full (or always, by
// net_config SYNCOOKIES) the listener keeps no state for a SYN and instead
// encodes what it needs into the ISS of its SYN-ACK. A returning ACK proves
// the peer saw that SYN-ACK (ack - 1 = the cookie), and the cookie gives back
// the MSS class; the connection is then created directly.
//
// Layout of the 32-bit cookie (= the SYN-ACK's ISS). It follows the order of
// Bernstein's original scheme (cr.yp.to/syncookies.html: 5 bits of a 64 s
// time counter, 3 bits of MSS encoding, 24 bits of a secret function), with
// two changes: the counter is cut to 2 bits to give the MAC 27, and the
// peer's ISN is an input of the MAC instead of being added to the cookie.
//
//    31 30 29    27 26                                          0
//   +-----+--------+---------------------------------------------+
//   |  t  |  mss   |                  MAC (27 bits)              |
//   +-----+--------+---------------------------------------------+
//
//   t    the period counter T = nowMs() / COOKIE_PERIOD_MS, low 2 bits.
//        A cookie is valid while T is its own counter or the next one,
//        so it lives between one and two periods (default 64 s each).
//   mss  index into MSS_TABLE: the largest class value <= the peer's MSS.
//   MAC  low 27 bits of SipHash-2-4 (siphash.ts) keyed with the secret
//        of period T, over the 21 bytes w0 ‖ w1 ‖ w2 (five bytes), where
//          w0 = localIp | remoteIp << 32
//          w1 = localPort | remotePort << 16 | peerIsn << 32
//          w2 = T (all 32 bits) | mss index << 32
//        so the 4-tuple, the peer's ISN, the full counter and the MSS class
//        are all authenticated (the MSS cannot be raised by flipping bits).
//        21 bytes rather than three whole words: the last five ride in
//        SipHash's length word, two SipRounds fewer per SYN under a flood.
//
// Secrets: a current and a previous 128-bit SipHash key from hal.entropy.
// When T advances by one, current becomes previous and a new current is
// drawn, so cookies issued just before the rotation still verify; when T
// jumps by more (idle listener, period changed, the u32 millisecond clock
// wrapping after 49.7 days) both are redrawn and older cookies die. Rotation
// happens lazily on the next cookieMake/cookieCheck: no timer, no state per
// SYN: 36 bytes of state plus the 16-byte MSS table.
//
// Forgery: a blind attacker needs t (2 bits, guessable from the clock) and
// the 27-bit MAC for a 4-tuple and ISN of its choice; any of the 8 classes
// is valid, so one forged ACK is accepted with probability 2^-27 (docs/TCP.md
// "Forged ACKs"). The trade-off RFC 4987 §3.6 names remains: only
// 8 MSS values and no other TCP options survive a cookie, and a peer's MSS
// between two classes costs it the difference (a 500-byte MSS is served
// 64-byte segments), never a segment over its MSS.
//
// Caller contract (tcp/passive.ts):
//   SYN  → iss = cookieMake(localIp, localPort, remoteIp, remotePort, SEG.SEQ, peer MSS)
//   ACK  → mss = cookieCheck(localIp, localPort, remoteIp, remotePort,
//                            SEG.SEQ - 1, SEG.ACK - 1)
//          (the ACK's seq is IRS + 1 and its ack is ISS + 1: the caller
//          subtracts one from each); mss < 0 means drop, otherwise send
//          with min(mss, our own MSS). A SYN without an MSS option passes
//          536 (RFC 9293 §3.7.1); an option below MIN_MSS gets the MIN_MSS
//          class, as tcp/rules.ts peerMss clamps it for a queued handshake. These functions count nothing: the caller
//          bumps COOKIES_SENT/ACCEPTED/REJECTED (stats.ts), so no counter
//          is added for them.

import { secretWord } from "../hal";
import { ConfigKey, config } from "../netconfig";
import { nowMs } from "../time";
import { sipHash21 } from "../siphash";
import { MIN_MSS } from "./rules";

// @ts-ignore: decorator
@inline const T_SHIFT: u32 = 30;
// @ts-ignore: decorator
@inline const T_MASK: u32 = 3;
// @ts-ignore: decorator
@inline const MSS_SHIFT: u32 = 27;
// @ts-ignore: decorator
@inline const MSS_MASK: u32 = 7;
/** Number of MAC bits in a cookie. */
// @ts-ignore: decorator
@inline export const COOKIE_MAC_BITS: u32 = 27;
// @ts-ignore: decorator
@inline const MAC_MASK: u32 = (1 << COOKIE_MAC_BITS) - 1;
/** Number of MSS classes (3 bits). */
// @ts-ignore: decorator
@inline export const COOKIE_MSS_CLASSES: i32 = 8;

// The 8 MSS classes, ascending. A peer's MSS is rounded down to a class, so
// we never send a segment larger than it asked for (RFC 9293 §3.7.1).
//   64   the smallest peer MSS we honour (tcp/rules.ts MIN_MSS): an MSS
//        below 536 is legal, though rare, and rounding it down to anything
//        larger would send segments the peer said it cannot take
//   536  RFC 9293 §3.7.1 default (576-byte datagrams every host accepts),
//        and what a SYN without an MSS option means; MSS values from 537
//        to 1199 are rare on today's paths and also get 536
//   1200 IPv6-minimum-sized paths (1280) tunnelled, QUIC-sized paths
//   1360 IPsec / GRE overheads
//   1400 common VPN MSS clamp
//   1440 1500 MTU with 20 bytes of IP/TCP options or a thin tunnel
//   1452 PPPoE (1492 MTU, RFC 2516)
//   1460 plain Ethernet (1500 MTU), the usual case
const MSS_TABLE = memory.data<u16>([MIN_MSS, 536, 1200, 1360, 1400, 1440, 1452, 1460]);

let curKey0: u64 = 0;
let curKey1: u64 = 0;
let prevKey0: u64 = 0;
let prevKey1: u64 = 0;
/** Period counter T that the current key belongs to (previous key: T - 1). */
let curT: u32 = 0;

// @ts-ignore: decorator
@inline function periodNow(): u32 {
  return nowMs() / <u32>config(ConfigKey.COOKIE_PERIOD_MS);
}

function drawCurrent(): void {
  curKey0 = secretWord();
  curKey1 = secretWord();
}

function drawPrevious(): void {
  prevKey0 = secretWord();
  prevKey1 = secretWord();
}

/** Bring the keys up to the current period; returns T. */
function rotate(): u32 {
  const t = periodNow();
  if (t != curT) {
    if (t == curT + 1) {
      prevKey0 = curKey0;
      prevKey1 = curKey1;
    } else {
      drawPrevious();
    }
    drawCurrent();
    curT = t;
  }
  return t;
}

/** Draw both cookie secrets (eight hal.entropy() calls) for the current period. Called once from net_init. */
export function cookieInit(): void {
  drawCurrent();
  drawPrevious();
  curT = periodNow();
}

/** Index of the largest class <= mss (0, the MIN_MSS class, when mss is below every class). */
function mssClass(mss: u16): u32 {
  let c: u32 = <u32>COOKIE_MSS_CLASSES - 1;
  while (c > 0 && load<u16>(MSS_TABLE + (<usize>c << 1)) > mss) c--;
  return c;
}

// @ts-ignore: decorator
@inline function mac(k0: u64, k1: u64, localIp: u32, localPort: u16, remoteIp: u32, remotePort: u16,
                     peerIsn: u32, t: u32, cls: u32): u32 {
  const w0 = <u64>localIp | (<u64>remoteIp << 32);
  const w1 = <u64>localPort | (<u64>remotePort << 16) | (<u64>peerIsn << 32);
  const w2 = <u64>t | (<u64>cls << 32);
  return <u32>sipHash21(k0, k1, w0, w1, w2) & MAC_MASK;
}

/** The ISS for a SYN-ACK answering a SYN (peer ISN, peer MSS) without keeping state. */
export function cookieMake(localIp: u32, localPort: u16, remoteIp: u32, remotePort: u16,
                           peerIsn: u32, peerMss: u16): u32 {
  const t = rotate();
  const cls = mssClass(peerMss);
  return ((t & T_MASK) << T_SHIFT) | (cls << MSS_SHIFT)
    | mac(curKey0, curKey1, localIp, localPort, remoteIp, remotePort, peerIsn, t, cls);
}

/**
 * Verify `cookie` (= the ACK's ack - 1) for this 4-tuple and peer ISN (= the
 * ACK's seq - 1). Returns the MSS class value to use, or -1 when the cookie is
 * forged, for another connection, or older than the previous period.
 */
export function cookieCheck(localIp: u32, localPort: u16, remoteIp: u32, remotePort: u16,
                            peerIsn: u32, cookie: u32): i32 {
  const now = rotate();
  const tField = cookie >>> T_SHIFT;
  let t = now;
  let k0 = curKey0;
  let k1 = curKey1;
  if (tField != (now & T_MASK)) {
    t = now - 1;
    if (tField != (t & T_MASK)) return -1;
    k0 = prevKey0;
    k1 = prevKey1;
  }
  const cls = (cookie >>> MSS_SHIFT) & MSS_MASK;
  if ((cookie & MAC_MASK) != mac(k0, k1, localIp, localPort, remoteIp, remotePort, peerIsn, t, cls)) return -1;
  return <i32>load<u16>(MSS_TABLE + (<usize>cls << 1));
}
