// The TCP header (RFC 9293 §3.1): a packet view, the parsed segment record
// and the header builder. Nothing here keeps connection state or sends:
// tcp/output.ts hands what writeTcp() built to IPv4.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-------------------------------+-------------------------------+
//  |          Source Port          |       Destination Port        |  0
//  |                        Sequence Number                        |  4
//  |                    Acknowledgment Number                      |  8
//  | DOff  | Rsrvd |C|E|U|A|P|R|S|F|            Window             | 12
//  |           Checksum            |         Urgent Pointer        | 16
//  |                    Options (DOff*4 - 20 bytes)                | 20
//  +---------------------------------------------------------------+
//
// parseTcp() checks the length, data offset, checksum and option list
// before anything is read into the record; a bad segment is counted
// (TCP_DROP_CHECKSUM or TCP_DROP_MALFORMED) and never reaches the state
// machine. Protocol code reads only a Segment record, passed explicitly.

import { Stat, count } from "../stats";
import { foldLe, halves, pseudoHeaderLe, sumFinish, sumLe, sumVerifies } from "../ip/checksum";
import { PROTO_TCP, ipv4Payload } from "../ip/ipv4";
import { swap16 } from "../bytes";

// @ts-ignore: decorator
@inline export const TCP_HEADER_LEN: i32 = 20;
// @ts-ignore: decorator
@inline const TCP_SRC_PORT: usize = 0;
// @ts-ignore: decorator
@inline const TCP_DST_PORT: usize = 2;
// @ts-ignore: decorator
@inline const TCP_SEQ: usize = 4;
// @ts-ignore: decorator
@inline const TCP_ACK: usize = 8;
// @ts-ignore: decorator
@inline const TCP_DOFF: usize = 12;
// @ts-ignore: decorator
@inline const TCP_FLAGS: usize = 13;
// @ts-ignore: decorator
@inline const TCP_WINDOW: usize = 14;
// @ts-ignore: decorator
@inline const TCP_CHECKSUM: usize = 16;
// @ts-ignore: decorator
@inline const TCP_URGENT: usize = 18;

// Control bits.
// @ts-ignore: decorator
@inline export const FIN: u8 = 0x01;
// @ts-ignore: decorator
@inline export const SYN: u8 = 0x02;
// @ts-ignore: decorator
@inline export const RST: u8 = 0x04;
// @ts-ignore: decorator
@inline export const PSH: u8 = 0x08;
// @ts-ignore: decorator
@inline export const ACK: u8 = 0x10;
// @ts-ignore: decorator
@inline export const URG: u8 = 0x20;

// Options (RFC 9293 §3.2).
// @ts-ignore: decorator
@inline const OPT_END: u8 = 0;
// @ts-ignore: decorator
@inline const OPT_NOP: u8 = 1;
// @ts-ignore: decorator
@inline const OPT_MSS: u8 = 2;
// @ts-ignore: decorator
@inline const OPT_MSS_LEN: u8 = 4;
/** Bytes of the MSS option we put on SYN and SYN-ACK segments. */
// @ts-ignore: decorator
@inline export const MSS_OPTION_LEN: i32 = 4;

// Field views; valid only after the length check in parseTcp.
// @ts-ignore: decorator
@inline function srcPort(p: usize): u16 { return swap16(load<u16>(p, TCP_SRC_PORT)); }
// @ts-ignore: decorator
@inline function dstPort(p: usize): u16 { return swap16(load<u16>(p, TCP_DST_PORT)); }
// @ts-ignore: decorator
@inline function seqField(p: usize): u32 { return bswap<u32>(load<u32>(p, TCP_SEQ)); }
// @ts-ignore: decorator
@inline function ackField(p: usize): u32 { return bswap<u32>(load<u32>(p, TCP_ACK)); }
// @ts-ignore: decorator
@inline function headerLen(p: usize): i32 { return <i32>(load<u8>(p, TCP_DOFF) >> 4) << 2; }
// @ts-ignore: decorator
@inline function flagsField(p: usize): u8 { return load<u8>(p, TCP_FLAGS); }
// @ts-ignore: decorator
@inline function windowField(p: usize): u16 { return swap16(load<u16>(p, TCP_WINDOW)); }
// @ts-ignore: decorator
@inline function urgentField(p: usize): u16 { return swap16(load<u16>(p, TCP_URGENT)); }

/** A parsed segment: one static record (SEG), refilled per segment; see docs/ARCHITECTURE.md "Memory". */
@unmanaged export class Segment {
  srcIp: u32;
  dstIp: u32;
  seq: u32;
  ack: u32;
  dataPtr: usize;
  dataLen: i32;
  srcPort: u16;
  dstPort: u16;
  wnd: u16;
  up: u16;
  /** Peer's MSS option, 0 when absent. */
  mss: u16;
  flags: u8;
  /** Text length as it arrived, before any trimming to the window (RFC 5681 §2 duplicate ACK test). */
  receivedLen: i32;
}

const segStore = memory.data(offsetof<Segment>(), 8);
/** The segment as parsed from the wire. */
export const SEG = changetype<Segment>(segStore);

/** The segment carries control bit(s) `f`. */
// @ts-ignore: decorator
@inline export function has(seg: Segment, f: u8): bool { return (seg.flags & f) != 0; }

/** SEG.LEN: data plus one for SYN and one for FIN (RFC 9293 §3.4). */
// @ts-ignore: decorator
@inline export function segLen(seg: Segment): u32 {
  return <u32>seg.dataLen + <u32>(seg.flags & SYN ? 1 : 0) + <u32>(seg.flags & FIN ? 1 : 0);
}

/** Copy record `src` into `dst` (a working copy that may be trimmed). */
// @ts-ignore: decorator
@inline export function segCopy(dst: Segment, src: Segment): Segment {
  memory.copy(changetype<usize>(dst), changetype<usize>(src), offsetof<Segment>());
  return dst;
}

/**
 * Validate the `len` bytes at `p` (an IPv4 payload from `src` to `dst`) and
 * fill `seg`. Returns false (after counting why) for a segment to drop.
 */
export function parseTcp(seg: Segment, src: u32, dst: u32, p: usize, len: i32): bool {
  if (len < TCP_HEADER_LEN) { count(Stat.TCP_DROP_MALFORMED); return false; }
  const hlen = headerLen(p);
  if (hlen < TCP_HEADER_LEN || hlen > len) { count(Stat.TCP_DROP_MALFORMED); return false; }
  // RFC 9293 §3.1: the checksum covers the pseudo-header, header and text.
  if (!sumVerifies(pseudoHeaderLe(src, dst, PROTO_TCP, <u32>len) + sumLe(p, len))) {
    count(Stat.TCP_DROP_CHECKSUM);
    return false;
  }
  const sp = srcPort(p);
  const dp = dstPort(p);
  if (sp == 0 || dp == 0) { count(Stat.TCP_DROP_MALFORMED); return false; }
  let mss: u16 = 0;
  // Options: END stops the list, NOP is one byte, every other kind carries
  // its length (RFC 9293 §3.2); unknown kinds are skipped by that length
  // (RFC 9293 §3.1 "MUST ... ignore options it does not implement").
  let i: i32 = TCP_HEADER_LEN;
  while (i < hlen) {
    const kind = load<u8>(p + <usize>i);
    if (kind == OPT_END) break;
    if (kind == OPT_NOP) { i++; continue; }
    if (i + 1 >= hlen) { count(Stat.TCP_DROP_MALFORMED); return false; }
    const olen = <i32>load<u8>(p + <usize>i, 1);
    if (olen < 2 || i + olen > hlen) { count(Stat.TCP_DROP_MALFORMED); return false; }
    if (kind == OPT_MSS) {
      if (olen != <i32>OPT_MSS_LEN) { count(Stat.TCP_DROP_MALFORMED); return false; }
      mss = swap16(load<u16>(p + <usize>i, 2));
    }
    i += olen;
  }
  seg.srcIp = src;
  seg.dstIp = dst;
  seg.srcPort = sp;
  seg.dstPort = dp;
  seg.seq = seqField(p);
  seg.ack = ackField(p);
  seg.flags = flagsField(p);
  seg.wnd = windowField(p);
  seg.up = urgentField(p);
  seg.mss = mss;
  seg.dataPtr = p + <usize>hlen;
  seg.dataLen = len - hlen;
  seg.receivedLen = len - hlen;
  return true;
}

/** Where emitted segment text goes: after the header and, on SYNs, the MSS option. */
// @ts-ignore: decorator
@inline export function emitDataPtr(withMss: bool): usize {
  return ipv4Payload() + <usize>(TCP_HEADER_LEN + (withMss ? MSS_OPTION_LEN : 0));
}

/**
 * Write a header in front of `dataLen` bytes already at emitDataPtr(mss != 0)
 * and checksum it from `localIp` to `remoteIp`. `mss` > 0 adds the MSS
 * option. Returns the segment's length, for IPv4.
 *
 * The header goes out as little-endian words built in registers (bytes in
 * wire order: a u16 field lands as bswap of its value), and the checksum
 * adds those words rather than reading them back (ip/checksum.ts); only
 * the text is summed from memory.
 */
export function writeTcp(
  localIp: u32, localPort: u16, remoteIp: u32, remotePort: u16,
  seq: u32, ack: u32, flags: u8, wnd: u16, mss: u16, dataLen: i32,
): i32 {
  const p = ipv4Payload();
  const hlen = TCP_HEADER_LEN + (mss != 0 ? MSS_OPTION_LEN : 0);
  // Bytes 0-7: source port, destination port, sequence number.
  const ports = <u64>swap16(localPort) | (<u64>swap16(remotePort) << 16);
  const w0 = ports | (<u64>bswap<u32>(seq) << 32);
  // Bytes 8-15: acknowledgment number, data offset, flags, window.
  const w1 = <u64>bswap<u32>(ack) | (<u64>((hlen >> 2) << 4) << 32) | (<u64>flags << 40) | (<u64>swap16(wnd) << 48);
  let acc = halves(w0) + halves(w1);
  if (mss != 0) {
    const option = <u32>OPT_MSS | (<u32>OPT_MSS_LEN << 8) | (<u32>swap16(mss) << 16);
    store<u32>(p, option, TCP_HEADER_LEN);
    acc += <u64>option;
  }
  if (dataLen > 0) acc += sumLe(p + <usize>hlen, dataLen);
  const total = hlen + dataLen;
  const sum = foldLe(acc + pseudoHeaderLe(localIp, remoteIp, PROTO_TCP, <u32>total));
  store<u64>(p, w0, TCP_SRC_PORT);
  store<u64>(p, w1, TCP_ACK);
  // Bytes 16-19: checksum, urgent pointer 0.
  store<u32>(p, <u32>swap16(sumFinish(sum)), TCP_CHECKSUM);
  return total;
}
