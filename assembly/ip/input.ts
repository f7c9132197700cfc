// IPv4 input (RFC 791, host rules RFC 1122 §3.2.1): validate a received
// datagram in the order of RFC 1122 §3.2.1.1-.3, dropping with one counter
// per reason, and hand its payload to ICMP or TCP. Fragments are not
// reassembled (embedded peers send MSS-sized segments, RFC 9293 §3.7.1)
// and are dropped and counted. This module sits above the transports; the
// header view and the output path they use are ip/ipv4.ts, below them.

import { Stat, count } from "../stats";
import { isBroadcast, ourIp } from "../netif";
import { internetChecksum } from "./checksum";
import {
  FLAG_MF, FRAG_OFFSET_MASK, IPV4_HEADER_LEN, PROTO_ICMP, PROTO_TCP, fragField, ipv4Dst, ipv4Src, proto, totalLen, verIhl,
} from "./ipv4";
import { icmpInput } from "./icmp";
import { tcpInput } from "../tcp/input";

/** Handle a datagram (`len` bytes after the Ethernet header). */
export function ipv4Input(p: usize, len: i32): void {
  count(Stat.IP_RX);
  if (len < IPV4_HEADER_LEN) { count(Stat.IP_DROP_HEADER); return; }
  const vi = verIhl(p);
  const hlen = <i32>(vi & 0x0f) << 2;
  const total = totalLen(p);
  // Version 4, IHL >= 5, header inside the datagram, datagram inside the
  // frame (Ethernet may pad short frames: trailing bytes are ignored).
  if ((vi >> 4) != 4 || hlen < IPV4_HEADER_LEN || hlen > total || total > len) {
    count(Stat.IP_DROP_HEADER);
    return;
  }
  if (internetChecksum(p, hlen) != 0) { count(Stat.IP_DROP_CHECKSUM); return; }
  const dst = ipv4Dst(p);
  const src = ipv4Src(p);
  if (dst != ourIp() && !isBroadcast(dst)) { count(Stat.IP_DROP_NOT_OURS); return; }
  // RFC 1122 §3.2.1.3: a source that is broadcast or multicast is invalid.
  if (src == 0xffffffff || (src >>> 28) == 0xe || isBroadcast(src)) { count(Stat.IP_DROP_HEADER); return; }
  const frag = fragField(p);
  if ((frag & FLAG_MF) != 0 || (frag & FRAG_OFFSET_MASK) != 0) { count(Stat.IP_DROP_FRAGMENT); return; }
  const pr = proto(p);
  if (pr == PROTO_TCP) tcpInput(src, dst, p + hlen, total - hlen);
  else if (pr == PROTO_ICMP) icmpInput(src, dst, p + hlen, total - hlen);
  else count(Stat.IP_DROP_PROTO);
}

