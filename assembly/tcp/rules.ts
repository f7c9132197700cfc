// TCP rules that more than one module applies, each written once: the
// segment acceptability test (RFC 9293 §3.10.7.4), the MSS we announce and
// the clamp of the peer's (RFC 9293 §3.7.1), the initial congestion window
// (RFC 5681 §3.1), how much a retransmission may carry (RFC 9293
// §3.8.6.2.1), the predicates over connection states, and the one
// challenge-ACK budget of the whole stack (RFC 5961 §7).
//
// A leaf of tcp/: it knows segment records and state numbers, never a TCB,
// so the TCB pool, the listener code and the input/output paths can all
// use it without importing each other.

import { LINK_MTU } from "../config";
import { Stat, count } from "../stats";
import { ConfigKey, config } from "../netconfig";
import { nowMs } from "../time";
import { State } from "./abi";
import { Segment, segLen } from "./segment";
import { seqInWindow } from "./seq";

/** The MSS we announce: link MTU less the IPv4 and TCP headers (RFC 9293 §3.7.1). */
// @ts-ignore: decorator
@inline export const OUR_MSS: u16 = <u16>(LINK_MTU - 40);
/** RFC 9293 §3.7.1: the MSS to assume when the peer sends no option. */
// @ts-ignore: decorator
@inline export const DEFAULT_MSS: u16 = 536;
/** Smallest peer MSS honoured; a lower option would only multiply headers. Also the smallest SYN-cookie class (tcp/cookie.ts). */
// @ts-ignore: decorator
@inline export const MIN_MSS: u16 = 64;

/** The MSS to send with, from the peer's option (0 = absent), bounded by ours. */
export function peerMss(option: u16): u16 {
  let mss = option == 0 ? DEFAULT_MSS : option;
  if (mss > OUR_MSS) mss = OUR_MSS;
  if (mss < MIN_MSS) mss = MIN_MSS;
  return mss;
}

/** RFC 5681 §3.1 initial window for the connection's SMSS. */
export function initialWindow(mss: u32): u16 {
  const w = mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
  return <u16>min<u32>(w, 0xffff);
}

/**
 * Bytes a retransmission from SND.UNA may carry: only what is outstanding
 * (sent before: below the highest sequence number sent), only within the
 * peer's window SND.UNA + SND.WND, and one segment at most. RFC 9293
 * §3.8.6.2.1 and RFC 1122 §4.2.2.16 forbid sending beyond the offered
 * window, and RFC 5681 §3.2 retransmits "what appears to be the missing
 * segment", never data that was not sent: bytes past SND.NXT sent without
 * moving it would be acknowledged later by ACKs we drop as "ACK of unsent data".
 */
export function retransmitSpan(outstanding: u32, sndWnd: u32, mss: u32): u32 {
  return min<u32>(min<u32>(outstanding, sndWnd), mss);
}

/**
 * RFC 9293 §3.10.7.4 acceptability of `seg` against the receive window
 * [rcvNxt, rcvNxt + wnd) (the four-case table).
 */
export function acceptable(seg: Segment, rcvNxt: u32, wnd: u32): bool {
  const slen = segLen(seg);
  const hi = rcvNxt + wnd;
  if (slen == 0) return wnd == 0 ? seg.seq == rcvNxt : seqInWindow(seg.seq, rcvNxt, hi);
  if (wnd == 0) return false;
  return seqInWindow(seg.seq, rcvNxt, hi) || seqInWindow(seg.seq + slen - 1, rcvNxt, hi);
}

/** The SYN exchange has completed at least once. */
// @ts-ignore: decorator
@inline export function synchronizedState(s: u8): bool { return s >= <u8>State.ESTABLISHED; }

/** The peer's stream is open: text and FIN are taken (RFC 9293 §3.10.7.4 seventh step). */
// @ts-ignore: decorator
@inline export function receivingState(s: u8): bool {
  return s == <u8>State.ESTABLISHED || s == <u8>State.FIN_WAIT_1 || s == <u8>State.FIN_WAIT_2;
}

/** The user may still queue data: our FIN is not due yet. */
// @ts-ignore: decorator
@inline export function userSendState(s: u8): bool {
  return s == <u8>State.ESTABLISHED || s == <u8>State.CLOSE_WAIT;
}

/** Data flows in at least one direction (a RST here is a reset connection, RFC 9293 §3.10.7.4 second step). */
// @ts-ignore: decorator
@inline export function dataState(s: u8): bool { return receivingState(s) || s == <u8>State.CLOSE_WAIT; }

/** States in which our side may still send data or its FIN. */
// @ts-ignore: decorator
@inline export function maySendState(s: u8): bool {
  return userSendState(s) || s == <u8>State.FIN_WAIT_1 || s == <u8>State.CLOSING || s == <u8>State.LAST_ACK;
}

/** States that have already taken the peer's FIN (RFC 9293 §3.10.7.4 eighth step). */
// @ts-ignore: decorator
@inline export function finReceivedState(s: u8): bool {
  return s == <u8>State.CLOSE_WAIT || s == <u8>State.CLOSING || s == <u8>State.LAST_ACK || s == <u8>State.TIME_WAIT;
}

// The challenge-ACK budget: one per stack, shared by TCBs and half-open
// entries, so together they never send more than CHALLENGE_ACK_LIMIT a second.
let challengeWindowStart: u32 = 0;
let challengeCount: i32 = 0;

/** Restart the RFC 5961 §7 budget (net_init). */
export function challengeInit(): void {
  challengeWindowStart = nowMs();
  challengeCount = 0;
}

/**
 * Draw one challenge ACK (RFC 5961 §3.2, §4.2) from the budget of
 * CHALLENGE_ACK_LIMIT per second for the whole stack (§7); counted when
 * granted. False: the caller sends nothing.
 */
export function challengeAllowed(): bool {
  const now = nowMs();
  if (now - challengeWindowStart >= 1000) {
    challengeWindowStart = now;
    challengeCount = 0;
  }
  if (challengeCount >= config(ConfigKey.CHALLENGE_ACK_LIMIT)) return false;
  challengeCount++;
  count(Stat.TCP_CHALLENGE_ACKS);
  return true;
}
