// DHCP message view, option writer and reply parser (RFC 2131 §2, RFC
// 2132). Every reply is hostile until parsed: each option's length is
// checked against the datagram before a byte of it is read, options we use
// must have their RFC 2132 lengths, and a message type given twice is a
// contradiction. Option overload (52) is not honoured: sname and file are
// never read as options.
//
//   0 op  1 htype  2 hlen  3 hops  4 xid(4)  8 secs(2)  10 flags(2)
//  12 ciaddr  16 yiaddr  20 siaddr  24 giaddr  28 chaddr(16)
//  44 sname(64)  108 file(128)  236 magic cookie 99.130.83.99  240 options

import { OUR_MAC } from "../netif";
import { macCopy, macEqual } from "../ip/eth";
import { swap16 } from "../bytes";

// @ts-ignore: decorator
@inline export const D_XID: usize = 4;
// @ts-ignore: decorator
@inline export const D_SECS: usize = 8;
// @ts-ignore: decorator
@inline export const D_CIADDR: usize = 12;
// @ts-ignore: decorator
@inline export const D_YIADDR: usize = 16;
// @ts-ignore: decorator
@inline const D_CHADDR: usize = 28;
// @ts-ignore: decorator
@inline const D_COOKIE: usize = 236;
// @ts-ignore: decorator
@inline export const D_OPTIONS: i32 = 240;
// @ts-ignore: decorator
@inline const MAGIC: u32 = 0x63825363;
/** RFC 1542 §3.2: servers may drop a BOOTP message shorter than 300 bytes. */
// @ts-ignore: decorator
@inline export const D_MIN_LEN: i32 = 300;

// Options (RFC 2132).
// @ts-ignore: decorator
@inline export const OPT_PAD: u8 = 0;
// @ts-ignore: decorator
@inline export const OPT_MASK: u8 = 1;
// @ts-ignore: decorator
@inline export const OPT_ROUTER: u8 = 3;
// @ts-ignore: decorator
@inline export const OPT_DNS: u8 = 6;
// @ts-ignore: decorator
@inline export const OPT_HOSTNAME: u8 = 12;
// @ts-ignore: decorator
@inline export const OPT_REQUESTED_IP: u8 = 50;
// @ts-ignore: decorator
@inline export const OPT_LEASE: u8 = 51;
// @ts-ignore: decorator
@inline export const OPT_MSG_TYPE: u8 = 53;
// @ts-ignore: decorator
@inline export const OPT_SERVER_ID: u8 = 54;
// @ts-ignore: decorator
@inline export const OPT_PARAMS: u8 = 55;
// @ts-ignore: decorator
@inline export const OPT_T1: u8 = 58;
// @ts-ignore: decorator
@inline export const OPT_T2: u8 = 59;
// @ts-ignore: decorator
@inline export const OPT_CLIENT_ID: u8 = 61;
// @ts-ignore: decorator
@inline export const OPT_END: u8 = 255;

// Message types (option 53).
// @ts-ignore: decorator
@inline export const DHCPDISCOVER: u8 = 1;
// @ts-ignore: decorator
@inline export const DHCPOFFER: u8 = 2;
// @ts-ignore: decorator
@inline export const DHCPREQUEST: u8 = 3;
// @ts-ignore: decorator
@inline export const DHCPDECLINE: u8 = 4;
// @ts-ignore: decorator
@inline export const DHCPACK: u8 = 5;
// @ts-ignore: decorator
@inline export const DHCPNAK: u8 = 6;

/** A parsed reply: what the client reads (one static record, filled once per reply). */
@unmanaged export class Reply {
  type: u8 = 0;
  hasMask: bool = false;
  hasLease: bool = false;
  yiaddr: u32 = 0;
  serverId: u32 = 0;
  mask: u32 = 0;
  router: u32 = 0;
  dns1: u32 = 0;
  dns2: u32 = 0;
  leaseS: u32 = 0;
  t1S: u32 = 0;
  t2S: u32 = 0;
}

// @ts-ignore: decorator
@lazy export const REPLY = changetype<Reply>(memory.data(offsetof<Reply>(), 4));

// @ts-ignore: decorator
@inline function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

/** Write the fixed part of a client message at `p` (the caller zeroed D_MIN_LEN bytes). */
export function writeHeader(p: usize, xid: u32, secs: u16, ciaddr: u32): usize {
  store<u8>(p, 1);        // op BOOTREQUEST
  store<u8>(p, 1, 1);     // htype Ethernet
  store<u8>(p, 6, 2);     // hlen
  store<u32>(p, bswap<u32>(xid), D_XID);
  store<u16>(p, swap16(secs), D_SECS);
  store<u32>(p, bswap<u32>(ciaddr), D_CIADDR);
  macCopy(p + D_CHADDR, OUR_MAC);
  store<u32>(p, bswap<u32>(MAGIC), D_COOKIE);
  return p + <usize>D_OPTIONS;
}

/** One option with a 1-byte value; returns the next write position. */
export function optByte(w: usize, code: u8, v: u8): usize {
  store<u8>(w, code);
  store<u8>(w, 1, 1);
  store<u8>(w, v, 2);
  return w + 3;
}

/** One option with an address value. */
export function optAddr(w: usize, code: u8, v: u32): usize {
  store<u8>(w, code);
  store<u8>(w, 4, 1);
  store<u32>(w, bswap<u32>(v), 2);
  return w + 6;
}

/** One option with `len` bytes copied from `src`. */
export function optBytes(w: usize, code: u8, src: usize, len: i32): usize {
  store<u8>(w, code);
  store<u8>(w, <u8>len, 1);
  memory.copy(w + 2, src, <usize>len);
  return w + 2 + <usize>len;
}

/**
 * Check the fixed part of a reply (`len` bytes at `p`): a BOOTREPLY on
 * Ethernet for our exchange (`xid`) and our hardware address, with the
 * magic cookie.
 */
export function replyIsOurs(p: usize, len: i32, xid: u32): bool {
  if (len < D_OPTIONS) return false;
  if (load<u8>(p) != 2 || load<u8>(p, 1) != 1 || load<u8>(p, 2) != 6) return false;
  if (be32(p + D_XID) != xid || !macEqual(p + D_CHADDR, OUR_MAC)) return false;
  return be32(p + D_COOKIE) == MAGIC;
}

/** Read one known option of `l` bytes at `v` into REPLY; false when its length is wrong. */
function takeOption(code: u8, v: usize, l: i32): bool {
  const r = REPLY;
  if (code == OPT_MSG_TYPE) {
    if (l != 1 || r.type != 0) return false; // a second type contradicts the first
    r.type = load<u8>(v);
  } else if (code == OPT_MASK) {
    if (l != 4) return false;
    r.mask = be32(v);
    r.hasMask = true;
  } else if (code == OPT_ROUTER || code == OPT_DNS) {
    if (l < 4 || (l & 3) != 0) return false;
    if (code == OPT_ROUTER) r.router = be32(v);
    else {
      r.dns1 = be32(v);
      if (l >= 8) r.dns2 = be32(v + 4);
    }
  } else if (code == OPT_SERVER_ID || code == OPT_LEASE || code == OPT_T1 || code == OPT_T2) {
    if (l != 4) return false;
    const x = be32(v);
    if (code == OPT_SERVER_ID) r.serverId = x;
    else if (code == OPT_LEASE) { r.leaseS = x; r.hasLease = true; }
    else if (code == OPT_T1) r.t1S = x;
    else r.t2S = x;
  }
  return true;
}

/** Parse the options of a reply into REPLY; false when malformed (a length past the end, a bad known option, no END). */
export function parseReply(p: usize, len: i32): bool {
  memory.fill(changetype<usize>(REPLY), 0, offsetof<Reply>());
  REPLY.yiaddr = be32(p + D_YIADDR);
  let i = D_OPTIONS;
  while (i < len) {
    const code = load<u8>(p + <usize>i);
    if (code == OPT_END) return REPLY.type != 0;
    if (code == OPT_PAD) { i++; continue; }
    if (i + 2 > len) return false;
    const l = <i32>load<u8>(p + <usize>i, 1);
    if (i + 2 + l > len) return false;
    if (!takeOption(code, p + <usize>(i + 2), l)) return false;
    i += 2 + l;
  }
  return false; // RFC 2131 §2: the options end with END
}
