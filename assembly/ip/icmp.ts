// ICMP echo (RFC 792; host rules RFC 1122 §3.2.2.6): every echo request
// addressed to us is answered with the same identifier, sequence number and
// data. Other message types are counted and dropped; echoes to a broadcast
// address are not answered (RFC 1122 §3.2.2.6 allows silence; it keeps the
// board out of broadcast-amplification attacks).
//
//  0 type  1 code  2 checksum(2)  4 identifier(2)  6 sequence(2)  8 data...

import { Stat, count } from "../stats";
import { internetChecksum } from "./checksum";
import { PROTO_ICMP, ipv4Payload, ipv4Send } from "./ipv4";
import { isBroadcast } from "../netif";
import { swap16 } from "../bytes";

// @ts-ignore: decorator
@inline const ICMP_HEADER_LEN: i32 = 8;
// @ts-ignore: decorator
@inline const TYPE_ECHO_REPLY: u8 = 0;
// @ts-ignore: decorator
@inline const TYPE_ECHO_REQUEST: u8 = 8;

/** Handle an ICMP message of `len` bytes from `src` to `dst`. */
export function icmpInput(src: u32, dst: u32, p: usize, len: i32): void {
  count(Stat.ICMP_RX);
  if (len < ICMP_HEADER_LEN || internetChecksum(p, len) != 0) { count(Stat.ICMP_DROP_CHECKSUM); return; }
  if (load<u8>(p) != TYPE_ECHO_REQUEST || load<u8>(p, 1) != 0) { count(Stat.ICMP_DROP_TYPE); return; }
  if (isBroadcast(dst)) { count(Stat.ICMP_DROP_BROADCAST); return; }
  const out = ipv4Payload();
  // Identifier, sequence number and data come back unchanged.
  memory.copy(out + 4, p + 4, <usize>(len - 4));
  // Type echo reply (0), code 0, checksum 0 while summing: one word.
  store<u32>(out, TYPE_ECHO_REPLY);
  store<u16>(out, swap16(internetChecksum(out, len)), 2);
  count(Stat.ICMP_ECHO_REPLIES);
  ipv4Send(src, PROTO_ICMP, len);
}
