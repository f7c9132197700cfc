/**
 * Segment templates for the packet-level TCP tests. Frames are built and
 * parsed by the packet library (host-sim/wire), written from the RFCs and
 * sharing no code with the stack, so a mistake in the stack's own header
 * code cannot hide behind the same mistake here; this file adds what only
 * the tests need: a `Segment` with every field set (tests spread a template
 * and override fields: `{ ...SYN, seq: 10000 }`), ways to damage a frame,
 * wrap-safe sequence arithmetic, and the one-line descriptions failure
 * messages use.
 */
import {
  ACK, CWR, ECE, FIN, PSH, RST, SYN, URG, type ParsedTcp, type ParsedIpv4, tcpFrame, parseTcpFrame,
} from "../../host-sim/wire/index.js";

export {
  ACK, CWR, ECE, EMPTY, ETHERTYPE_ARP, ETHERTYPE_IPV4, FIN, IPPROTO_TCP, OPT_EOL, OPT_MSS, OPT_NOP, PSH, RST, SYN, URG,
  concat, ipBytes, ipNumber, ipString, macBytes, macString, mssOption, optionBytes, parseOptions, pattern, text,
  type ParsedOptions, type TcpOption,
} from "../../host-sim/wire/index.js";

/** One TCP segment with the IPv4 addresses that frame it. */
export interface Segment {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  urgent: number;
  /** An MSS option (kind 2, length 4) placed first in the option list. */
  mss?: number;
  /** Raw option bytes after the MSS option; zero-padded (EOL) to a multiple of 4. */
  options?: Uint8Array;
  payload: Uint8Array;
}

/** Ways to damage or dress a frame beyond what a Segment describes. */
export interface FrameOptions {
  srcMac?: string;
  dstMac?: string;
  ipId?: number;
  ttl?: number;
  /** Override the TCP data offset (in 32-bit words) written into the header. */
  dataOffset?: number;
  /** Write a TCP checksum that is off by one. */
  badTcpChecksum?: boolean;
  /** Write an IPv4 header checksum that is off by one. */
  badIpChecksum?: boolean;
  /** Set the reserved bits (RFC 9293 §3.1: must be zero when sent, ignored on receipt). */
  reserved?: number;
  /** Cut the IPv4 datagram (and the frame) to this many TCP octets after building; IPv4 total length follows. */
  truncateTcpTo?: number;
}

/** Sequence arithmetic modulo 2^32 (RFC 9293 §3.4). */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** a - b as a signed 32-bit distance. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** A whole Ethernet/IPv4/TCP frame for `seg`. MACs default to the test peer → board; IPv4 id 0x1234. */
export function buildTcpFrame(seg: Segment, opt: FrameOptions = {}): Uint8Array {
  return tcpFrame(seg, {
    srcMac: opt.srcMac ?? "02:00:00:00:00:02", dstMac: opt.dstMac ?? "02:00:00:00:00:01", id: opt.ipId ?? 0x1234, ttl: opt.ttl,
    dataOffset: opt.dataOffset, reserved: opt.reserved, checksumDelta: opt.badTcpChecksum ? 1 : 0, truncateTcpTo: opt.truncateTcpTo,
    ipChecksumDelta: opt.badIpChecksum ? 1 : 0,
  });
}

/** A frame the board sent, every header as parsed, and its segment as a template. */
export interface SegmentFrame {
  eth: { dst: string; src: string; type: number };
  ip: ParsedIpv4;
  tcp: ParsedTcp;
  /** The segment as a template (mss only when the option is present; `options` holds the raw option bytes). */
  seg: Segment;
  /** Sequence space the segment occupies: payload plus one each for SYN and FIN (RFC 9293 §3.4). */
  segLen: number;
  frameLength: number;
}

/** Every field of an Ethernet/IPv4/TCP frame, or null if the frame is not IPv4/TCP or is truncated. */
export function parseSegmentFrame(frame: Uint8Array): SegmentFrame | null {
  const p = parseTcpFrame(frame);
  if (typeof p === "string") return null;
  const t = p.tcp;
  const seg: Segment = {
    srcIp: p.ip.src, dstIp: p.ip.dst, srcPort: t.srcPort, dstPort: t.dstPort, seq: t.seq, ack: t.ack,
    flags: t.flags, window: t.window, urgent: t.urgent, options: t.optionBytes, payload: t.payload,
  };
  if (t.options.mss !== undefined) seg.mss = t.options.mss;
  return { eth: { dst: p.eth.dst, src: p.eth.src, type: p.eth.type }, ip: p.ip, tcp: t, seg, segLen: t.segLen, frameLength: frame.length };
}

/** "ACK|SYN"-style names (high bit first) for failure messages. */
export function flagList(flags: number): string {
  const all: [number, string][] = [[CWR, "CWR"], [ECE, "ECE"], [URG, "URG"], [ACK, "ACK"], [PSH, "PSH"], [RST, "RST"], [SYN, "SYN"], [FIN, "FIN"]];
  return all.filter(([bit]) => flags & bit).map(([, n]) => n).join("|") || "none";
}

/** One line per segment for failure messages: "10.0.0.2:80 > 10.0.0.1:40000 ACK|SYN seq=… ack=… win=… len=…". */
export function describeSegment(s: Segment): string {
  return `${s.srcIp}:${s.srcPort} > ${s.dstIp}:${s.dstPort} ${flagList(s.flags)} seq=${s.seq >>> 0} ack=${s.ack >>> 0} ` +
    `win=${s.window} urg=${s.urgent}${s.mss !== undefined ? ` mss=${s.mss}` : ""} len=${s.payload.length}`;
}
