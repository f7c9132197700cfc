// ICMP destination unreachable, code 3 "port unreachable" (RFC 792; RFC
// 1122 §3.2.2.1 and §4.1.3.1: UDP SHOULD send it for a datagram to a port
// with no socket). The message quotes the offending datagram's IP header
// and its first 8 data bytes (RFC 792 "Destination Unreachable Message").
//
// Never for a datagram sent to a broadcast or multicast address, nor when
// we have no address to send from (RFC 1122 §3.2.2: no ICMP error about a
// broadcast/multicast datagram). A token bucket limits the rate (RFC 1812
// §4.3.2.8): UNREACH_BURST messages at once, one more every
// UNREACH_REFILL_MS, so a port scan or a spoofed flood cannot turn the
// board into a traffic source.

import { Stat, count } from "../stats";
import { isBroadcast, ourIp } from "../netif";
import { nowMs } from "../time";
import { internetChecksum } from "./checksum";
import { PROTO_ICMP, ipv4Payload, ipv4Send } from "./ipv4";
import { swap16 } from "../bytes";

// @ts-ignore: decorator
@inline const TYPE_DEST_UNREACH: u8 = 3;
// @ts-ignore: decorator
@inline const CODE_PORT_UNREACH: u8 = 3;
// @ts-ignore: decorator
@inline const QUOTED_DATA: i32 = 8;
// @ts-ignore: decorator
@inline const UNREACH_BURST: u32 = 5;
// @ts-ignore: decorator
@inline const UNREACH_REFILL_MS: u32 = 200;

let tokens: u32 = UNREACH_BURST;
let refilledAt: u32 = 0;

/** Fill the bucket (net_init). */
export function unreachableInit(): void {
  tokens = UNREACH_BURST;
  refilledAt = nowMs();
}

function takeToken(): bool {
  const steps = (nowMs() - refilledAt) / UNREACH_REFILL_MS;
  if (steps > 0) {
    tokens = min(UNREACH_BURST, tokens + steps);
    refilledAt += steps * UNREACH_REFILL_MS;
  }
  if (tokens == 0) return false;
  tokens--;
  return true;
}

/**
 * Answer the datagram at `ip` (header `hlen` bytes, `dataLen` bytes after
 * it) from `src` to `dst` with a port unreachable, unless the rules above
 * say no.
 */
export function sendPortUnreachable(src: u32, dst: u32, ip: usize, hlen: i32, dataLen: i32): void {
  // Nor to a source of 0.0.0.0 (a host still configuring itself: there is no one to tell).
  if (isBroadcast(dst) || (dst >>> 28) == 0xe || ourIp() == 0 || src == 0) return;
  if (!takeToken()) { count(Stat.ICMP_UNREACH_LIMITED); return; }
  const out = ipv4Payload();
  const quoted = hlen + min(dataLen, QUOTED_DATA);
  store<u8>(out, TYPE_DEST_UNREACH);
  store<u8>(out, CODE_PORT_UNREACH, 1);
  store<u16>(out, 0, 2);
  store<u32>(out, 0, 4); // unused, must be zero
  memory.copy(out + 8, ip, <usize>quoted);
  store<u16>(out, swap16(internetChecksum(out, 8 + quoted)), 2);
  count(Stat.ICMP_UNREACH_SENT);
  ipv4Send(src, PROTO_ICMP, 8 + quoted);
}
