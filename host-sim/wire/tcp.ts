/**
 * TCP segments (RFC 9293 §3.1): header, options (§3.2) and the checksum
 * over the IPv4 pseudo-header; and whole Ethernet/IPv4/TCP frames, the
 * unit the simulator, the trace and the tests exchange.
 *
 *   0      2      4     8     12        13     14     16     18     20
 *   | sport | dport | seq | ack | doff/rsv | flags | wnd | csum | urp | options... | data
 */
import { EMPTY, type Ip, type Mac, concat, view } from "./bytes.js";
import { internetChecksum } from "./checksum.js";
import { ETHERTYPE_IPV4, buildEthernet, parseEthernet, type ParsedEth } from "./eth.js";
import { IPPROTO_TCP, type Ipv4Packet, type ParsedIpv4, buildIpv4, parseIpv4, pseudoHeaderSum } from "./ipv4.js";

/** RFC 9293 §3.1 control bits. */
export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;
/** Option kinds (RFC 9293 §3.2). */
export const OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2;

/** One TCP segment with the IPv4 addresses that frame it. Unset fields are 0, the window 65535. */
export interface TcpSegment {
  srcIp: Ip; dstIp: Ip; srcPort: number; dstPort: number;
  seq: number; ack?: number; flags: number; window?: number; urgent?: number;
  /** An MSS option (kind 2, length 4) placed first in the option list. */
  mss?: number;
  /** Raw option bytes after the MSS option; zero-padded (EOL) to a multiple of 4. */
  options?: Uint8Array;
  payload?: Uint8Array;
}

/** Ways to bend a header beyond what a segment describes (for malformed-input tests). */
export interface TcpBuildOptions {
  /** The data-offset field in 32-bit words (default: the real header length). */
  dataOffset?: number;
  /** The 4 reserved bits (RFC 9293 §3.1: zero when sent, ignored on receipt). */
  reserved?: number;
  /** Added to the right checksum (1: a checksum that is off by one). */
  checksumDelta?: number;
}

export interface TcpOption { kind: number; length?: number; data: Uint8Array; }

export interface ParsedOptions {
  list: TcpOption[];
  mss?: number;
  /** A length of 0 or 1, a length past the option space, or an MSS whose length is not 4. */
  malformed: boolean;
}

export interface ParsedTcp {
  srcPort: number; dstPort: number; seq: number; ack: number;
  dataOffset: number; reserved: number; flags: number; window: number; checksum: number; urgent: number;
  checksumValid: boolean;
  optionBytes: Uint8Array; options: ParsedOptions;
  payload: Uint8Array;
  /** Sequence space the segment takes: payload plus one each for SYN and FIN (RFC 9293 §3.4). */
  segLen: number;
}

/** An MSS option (kind 2, length 4). */
export function mssOption(mss: number): Uint8Array {
  return Uint8Array.of(OPT_MSS, 4, (mss >> 8) & 0xff, mss & 0xff);
}

/** The option bytes of a segment, padded with EOL to a multiple of 4. */
export function optionBytes(seg: Pick<TcpSegment, "mss" | "options">): Uint8Array {
  const raw = concat(seg.mss !== undefined ? mssOption(seg.mss) : EMPTY, seg.options ?? EMPTY);
  const padded = new Uint8Array((raw.length + 3) & ~3);
  padded.set(raw);
  return padded;
}

/** Walk an option list as RFC 9293 §3.1 lays it out: kind 0 ends it, 1 pads, every other kind has a length octet. */
export function parseOptions(bytes: Uint8Array): ParsedOptions {
  const list: TcpOption[] = [];
  let mss: number | undefined;
  for (let i = 0; i < bytes.length;) {
    const kind = bytes[i];
    if (kind === OPT_EOL) { list.push({ kind, data: EMPTY }); break; }
    if (kind === OPT_NOP) { list.push({ kind, data: EMPTY }); i++; continue; }
    if (i + 1 >= bytes.length) return { list, mss, malformed: true };
    const length = bytes[i + 1];
    if (length < 2 || i + length > bytes.length) return { list, mss, malformed: true };
    const data = bytes.slice(i + 2, i + length);
    if (kind === OPT_MSS) {
      if (length !== 4) return { list, mss, malformed: true };
      mss = (data[0] << 8) | data[1];
    }
    list.push({ kind, length, data });
    i += length;
  }
  return { list, mss, malformed: false };
}

/** The TCP header and payload of `seg`, the checksum computed over the pseudo-header. */
export function buildTcp(seg: TcpSegment, opt: TcpBuildOptions = {}): Uint8Array {
  const options = optionBytes(seg);
  const payload = seg.payload ?? EMPTY;
  const headerLen = 20 + options.length;
  if (headerLen > 60) throw new Error(`TCP header of ${headerLen} bytes is longer than 60`);
  const tcp = new Uint8Array(headerLen + payload.length);
  const v = view(tcp);
  v.setUint16(0, seg.srcPort);
  v.setUint16(2, seg.dstPort);
  v.setUint32(4, seg.seq >>> 0);
  v.setUint32(8, (seg.ack ?? 0) >>> 0);
  tcp[12] = (((opt.dataOffset ?? headerLen / 4) & 0x0f) << 4) | ((opt.reserved ?? 0) & 0x0f);
  tcp[13] = seg.flags & 0xff;
  v.setUint16(14, seg.window ?? 65535);
  v.setUint16(18, seg.urgent ?? 0);
  tcp.set(options, 20);
  tcp.set(payload, headerLen);
  const sum = internetChecksum(tcp, 0, tcp.length, pseudoHeaderSum(seg.srcIp, seg.dstIp, IPPROTO_TCP, tcp.length));
  v.setUint16(16, (sum + (opt.checksumDelta ?? 0)) & 0xffff);
  return tcp;
}

/** The fields of a TCP segment between `srcIp` and `dstIp`, or null when its header does not fit. */
export function parseTcp(b: Uint8Array, srcIp: Ip, dstIp: Ip): ParsedTcp | null {
  if (b.length < 20) return null;
  const v = view(b);
  const dataOffset = b[12] >> 4;
  if (dataOffset < 5 || dataOffset * 4 > b.length) return null;
  const flags = b[13];
  const optionBytesRaw = b.slice(20, dataOffset * 4);
  const payload = b.slice(dataOffset * 4);
  return {
    srcPort: v.getUint16(0), dstPort: v.getUint16(2), seq: v.getUint32(4), ack: v.getUint32(8),
    dataOffset, reserved: b[12] & 0x0f, flags, window: v.getUint16(14), checksum: v.getUint16(16), urgent: v.getUint16(18),
    checksumValid: internetChecksum(b, 0, b.length, pseudoHeaderSum(srcIp, dstIp, IPPROTO_TCP, b.length)) === 0,
    optionBytes: optionBytesRaw, options: parseOptions(optionBytesRaw), payload,
    segLen: payload.length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0),
  };
}

/** How a TCP frame is dressed beyond the segment: MACs, IPv4 fields, damage. */
export interface TcpFrameOptions extends TcpBuildOptions, Pick<Ipv4Packet, "id" | "ttl" | "tos" | "flags"> {
  srcMac?: Mac; dstMac?: Mac;
  /** Added to the right IPv4 header checksum (1: off by one). */
  ipChecksumDelta?: number;
  /** Cut the TCP bytes to this many after building (the IPv4 total length follows). */
  truncateTcpTo?: number;
}

/** A whole Ethernet/IPv4/TCP frame (no FCS). MACs default to 02:00:00:00:00:01 → 02:00:00:00:00:02. */
export function tcpFrame(seg: TcpSegment, opt: TcpFrameOptions = {}): Uint8Array {
  let tcp = buildTcp(seg, opt);
  if (opt.truncateTcpTo !== undefined) tcp = tcp.slice(0, opt.truncateTcpTo);
  const ip = buildIpv4({ src: seg.srcIp, dst: seg.dstIp, protocol: IPPROTO_TCP, payload: tcp, id: opt.id, ttl: opt.ttl, tos: opt.tos, flags: opt.flags });
  if (opt.ipChecksumDelta) view(ip).setUint16(10, (view(ip).getUint16(10) + opt.ipChecksumDelta) & 0xffff);
  return buildEthernet({ dst: opt.dstMac ?? "02:00:00:00:00:02", src: opt.srcMac ?? "02:00:00:00:00:01", type: ETHERTYPE_IPV4, payload: ip });
}

export interface ParsedTcpPacket { ip: ParsedIpv4; tcp: ParsedTcp; }
export interface ParsedTcpFrame extends ParsedTcpPacket { eth: ParsedEth; }

/** Why a frame did not parse as TCP: not IPv4/TCP (or a later fragment) at all, or headers that do not fit. */
export type NotTcp = "other" | "malformed";

/** The IPv4 and TCP headers of an IPv4 datagram; "other" when it is not TCP, "malformed" when the headers do not fit. */
export function parseTcpPacket(b: Uint8Array): ParsedTcpPacket | NotTcp {
  const ip = parseIpv4(b);
  if (!ip) return "malformed";
  // Only the first fragment carries the TCP header (RFC 791 §3.2).
  if (ip.protocol !== IPPROTO_TCP || ip.fragOffset !== 0) return "other";
  const tcp = parseTcp(ip.payload, ip.src, ip.dst);
  return tcp ? { ip, tcp } : "malformed";
}

/** Every header of an Ethernet/IPv4/TCP frame; "other" for anything else, "malformed" when the headers do not fit. */
export function parseTcpFrame(f: Uint8Array): ParsedTcpFrame | NotTcp {
  const eth = parseEthernet(f);
  if (!eth) return "malformed";
  if (eth.type !== ETHERTYPE_IPV4) return "other";
  const p = parseTcpPacket(eth.payload);
  return typeof p === "string" ? p : { eth, ...p };
}

/** "SYN", "SYN/ACK", "FIN/PSH/ACK", ... in a fixed order (SYN FIN RST PSH ACK URG ECE CWR), "none" for none. */
export function flagNames(flags: number): string {
  const all: [number, string][] = [[SYN, "SYN"], [FIN, "FIN"], [RST, "RST"], [PSH, "PSH"], [ACK, "ACK"], [URG, "URG"], [ECE, "ECE"], [CWR, "CWR"]];
  const names = all.filter(([bit]) => flags & bit).map(([, n]) => n);
  return names.length ? names.join("/") : "none";
}
