// UDP (RFC 768, host rules RFC 1122 §4.1): input demultiplexing to the
// socket table, output, and the calls behind the udp_* exports.
//
// Input: the length field must cover the header and fit the IP payload
// (bytes after it are ignored, RFC 1122 §4.1.3.4 leaves them to us); a
// non-zero checksum must verify (RFC 1122 §4.1.3.4: MUST check when
// present); the datagram goes whole into the ring of the socket bound to
// its destination port, or is dropped and counted when the ring is full.
// No socket: ICMP port unreachable (ip/unreachable.ts decides whether).
// Output: the checksum is always computed (RFC 1122 §4.1.3.4 "MUST be
// enabled by default"); no fragmentation, so a datagram that does not fit
// one packet on the link is refused with EMSGSIZE.

import { LINK_MTU } from "../config";
import { EAGAIN, EINVAL, EMSGSIZE, ENETUNREACH } from "../errors";
import { Stat, count } from "../stats";
import { ourIp, routable } from "../netif";
import { ipv4Payload, ipv4Send } from "../ip/ipv4";
import { sendPortUnreachable } from "../ip/unreachable";
import {
  PROTO_UDP, UDP_HEADER_LEN, udpChecksumField, udpChecksumOk, udpDstPort, udpEmitHeader, udpLength, udpSrcPort,
} from "./header";
import {
  socketClose, socketDequeue, socketEnqueue, socketFind, socketOpen, socketPort, socketSlot, socketsInit,
} from "./sockets";

/** Largest datagram payload that fits one IPv4 packet on the link (20-byte IPv4 header, 8-byte UDP header). */
// @ts-ignore: decorator
@inline export const UDP_MAX_PAYLOAD: i32 = LINK_MTU - 20 - 8;

/** Reset every socket (net_init). */
export function udpInit(): void {
  socketsInit();
}

/** A UDP datagram of `len` bytes at `p`; `ip` is its IPv4 header of `hlen` bytes. */
export function udpInput(src: u32, dst: u32, p: usize, len: i32, ip: usize, hlen: i32): void {
  count(Stat.UDP_RX);
  if (len < UDP_HEADER_LEN) { count(Stat.UDP_DROP_MALFORMED); return; }
  const ulen = udpLength(p);
  if (ulen < UDP_HEADER_LEN || ulen > len) { count(Stat.UDP_DROP_MALFORMED); return; }
  if (udpChecksumField(p) != 0 && !udpChecksumOk(src, dst, p, ulen)) { count(Stat.UDP_DROP_CHECKSUM); return; }
  const sp = udpSrcPort(p);
  const i = socketFind(udpDstPort(p));
  if (i < 0) {
    count(Stat.UDP_DROP_NO_PORT);
    sendPortUnreachable(src, dst, ip, hlen, len);
    return;
  }
  if (!socketEnqueue(i, src, sp, p + UDP_HEADER_LEN, ulen - UDP_HEADER_LEN)) count(Stat.UDP_DROP_RX_FULL);
}

/** Where a datagram's data goes before udpTransmit. */
// @ts-ignore: decorator
@inline export function udpPayload(): usize { return ipv4Payload() + UDP_HEADER_LEN; }

/**
 * Send the `len` bytes already at udpPayload() from local `srcPort` to
 * dst:dstPort. The stack's own clients (DHCP, DNS) call this directly.
 */
export function udpTransmit(srcPort: u16, dst: u32, dstPort: u16, len: i32): void {
  const total = UDP_HEADER_LEN + len;
  udpEmitHeader(ipv4Payload(), ourIp(), srcPort, dst, dstPort, total);
  count(Stat.UDP_TX);
  ipv4Send(dst, PROTO_UDP, total);
}

/** udp_bind. */
export function udpBind(port: i32): i32 {
  return socketOpen(<u16>port, false);
}

/** udp_sendto. */
export function udpSendto(sock: i32, dst: u32, port: i32, ptr: usize, len: i32): i32 {
  const i = socketSlot(sock, false);
  if (i < 0) return EINVAL;
  if (len > UDP_MAX_PAYLOAD) return EMSGSIZE;
  if (ourIp() == 0 || !routable(dst)) return ENETUNREACH;
  memory.copy(udpPayload(), ptr, <usize>len);
  udpTransmit(socketPort(i), dst, <u16>port, len);
  return len;
}

/** udp_recvfrom. */
export function udpRecvfrom(sock: i32, ptr: usize, len: i32, meta: usize): i32 {
  const i = socketSlot(sock, false);
  if (i < 0) return EINVAL;
  const n = socketDequeue(i, ptr, len, meta);
  if (n < 0) return EAGAIN;
  return min(n, len);
}

/** udp_close. */
export function udpClose(sock: i32): i32 {
  const i = socketSlot(sock, false);
  if (i < 0) return EINVAL;
  socketClose(i);
  return 0;
}

/** udp_port. */
export function udpPort(sock: i32): i32 {
  const i = socketSlot(sock, false);
  if (i < 0) return EINVAL;
  return <i32>socketPort(i);
}
