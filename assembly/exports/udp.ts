// The udp_* exports (docs/ABI.md "UDP"): argument checks, then udp/udp.ts.
// In a build without the part the bodies fold to nothing, so the code and
// static RAM they reach are not compiled in before scripts/features.mjs
// removes the exports themselves.

import { EMSGSIZE } from "../errors";
import { WITH_UDP } from "../config";
import { counted, invalid, validRange } from "../args";
import { isBroadcast, validPeer } from "../netif";
import { UDP_MAX_PAYLOAD, udpBind, udpClose, udpPort, udpRecvfrom, udpSendto } from "../udp/udp";

/** A socket on `port` (0: a random ephemeral port). */
export function udp_bind(port: i32): i32 {
  if (!WITH_UDP) return invalid(); // left out of this build: no code, no RAM
  if (port < 0 || port > 0xffff) return invalid();
  return counted(udpBind(port));
}

/** One datagram of `len` bytes at `ptr` to ip:port; `len`, or an error. */
export function udp_sendto(sock: i32, ip: u32, port: i32, ptr: usize, len: i32): i32 {
  if (!WITH_UDP) return invalid(); // left out of this build: no code, no RAM
  // A host may send to any host or a broadcast, never to 0/8, loopback,
  // multicast (not joined) or class E (RFC 1122 §3.2.1.3, §4.1.3.6).
  const dest = validPeer(ip) || isBroadcast(ip);
  if (port <= 0 || port > 0xffff || !dest || !validRange(ptr, len)) return invalid();
  if (len > UDP_MAX_PAYLOAD) return EMSGSIZE;
  return counted(udpSendto(sock, ip, port, ptr, len));
}

/** The oldest queued datagram into `ptr` (at most `len` bytes), its source and length into `meta_ptr` (3 u32). */
export function udp_recvfrom(sock: i32, ptr: usize, len: i32, meta_ptr: usize): i32 {
  if (!WITH_UDP) return invalid(); // left out of this build: no code, no RAM
  if (!validRange(ptr, len) || !validRange(meta_ptr, 12)) return invalid();
  return counted(udpRecvfrom(sock, ptr, len, meta_ptr));
}

/** Free a socket and its queued datagrams. */
export function udp_close(sock: i32): i32 {
  if (!WITH_UDP) return invalid(); // left out of this build: no code, no RAM
  return counted(udpClose(sock));
}

/** The local port of a socket. */
export function udp_port(sock: i32): i32 {
  if (!WITH_UDP) return invalid(); // left out of this build: no code, no RAM
  return counted(udpPort(sock));
}
