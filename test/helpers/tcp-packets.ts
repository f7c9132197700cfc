/**
 * Ethernet II / IPv4 (RFC 791) / TCP (RFC 9293 §3.1) frame builders and
 * parsers for the packet-level TCP tests, written from the RFCs alone: they
 * import nothing from assembly/ and nothing from host-sim/, so a mistake in
 * the stack's own header code cannot hide behind the same mistake here.
 *
 * Checksums are the RFC 1071 one's-complement sum; the TCP checksum covers
 * the RFC 9293 §3.1 pseudo-header (source, destination, zero, protocol 6,
 * TCP length). Options follow RFC 9293 §3.1/§3.2: kind 0 EOL, kind 1 NOP,
 * every other kind carries a length octet counting kind and length.
 *
 * A `Segment` is a template: tests spread it and override fields
 * (`{ ...SYN, seq: 10000 }`). Sequence numbers are u32 and wrap; use
 * `seqAdd`/`seqDiff` for arithmetic on them.
 */

/** RFC 9293 §3.1 control bits. */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

/** Option kinds (RFC 9293 §3.2). */
export const OPT_EOL = 0;
export const OPT_NOP = 1;
export const OPT_MSS = 2;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const IPPROTO_TCP = 6;

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

// ---------- byte helpers ----------

export const EMPTY = new Uint8Array(0);

/** UTF-8 bytes of a string. */
export function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** `n` deterministic bytes (xorshift32 stream from `seed`). */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function macBytes(mac: string): Uint8Array {
  const b = mac.split(":").map((h) => parseInt(h, 16));
  if (b.length !== 6 || b.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad MAC ${mac}`);
  return Uint8Array.from(b);
}

export function macString(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(":");
}

export function ipBytes(ip: string): Uint8Array {
  const b = ip.split(".").map(Number);
  if (b.length !== 4 || b.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`bad IPv4 address ${ip}`);
  return Uint8Array.from(b);
}

export function ipString(b: Uint8Array): string {
  return Array.from(b).join(".");
}

/** A dotted quad as the ABI's big-endian u32. */
export function ipNumber(ip: string): number {
  const b = ipBytes(ip);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

/** Sequence arithmetic modulo 2^32 (RFC 9293 §3.4). */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** a - b as a signed 32-bit distance. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** RFC 1071 internet checksum over the concatenation of `parts`. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let pending = -1;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (pending < 0) pending = p[i];
      else { sum += (pending << 8) | p[i]; pending = -1; }
    }
  }
  if (pending >= 0) sum += pending << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function pseudoHeader(src: Uint8Array, dst: Uint8Array, tcpLen: number): Uint8Array {
  const p = new Uint8Array(12);
  p.set(src, 0);
  p.set(dst, 4);
  p[9] = IPPROTO_TCP;
  p[10] = tcpLen >> 8;
  p[11] = tcpLen & 0xff;
  return p;
}

// ---------- options ----------

/** An MSS option (RFC 9293 §3.2, kind 2 length 4). */
export function mssOption(mss: number): Uint8Array {
  return Uint8Array.of(OPT_MSS, 4, (mss >> 8) & 0xff, mss & 0xff);
}

/** The option bytes of a segment, padded with EOL to a multiple of 4. */
export function optionBytes(seg: Pick<Segment, "mss" | "options">): Uint8Array {
  const raw = concat(seg.mss !== undefined ? mssOption(seg.mss) : EMPTY, seg.options ?? EMPTY);
  const padded = new Uint8Array((raw.length + 3) & ~3);
  padded.set(raw);
  return padded;
}

export interface TcpOption {
  kind: number;
  /** The length octet (absent for EOL/NOP). */
  length?: number;
  data: Uint8Array;
}

export interface ParsedOptions {
  list: TcpOption[];
  mss?: number;
  /** A length of 0 or 1, a length past the option space, or an MSS whose length is not 4. */
  malformed: boolean;
}

/** Walk an option list as RFC 9293 §3.1 lays it out; stop at EOL. */
export function parseOptions(bytes: Uint8Array): ParsedOptions {
  const list: TcpOption[] = [];
  let mss: number | undefined;
  let i = 0;
  while (i < bytes.length) {
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

// ---------- building ----------

/** The TCP header and payload of `seg`, checksum computed over the pseudo-header. */
export function buildTcp(seg: Segment, opt: FrameOptions = {}): Uint8Array {
  const options = optionBytes(seg);
  const headerLen = 20 + options.length;
  if (headerLen > 60) throw new Error(`TCP header of ${headerLen} bytes is longer than 60`);
  const tcp = new Uint8Array(headerLen + seg.payload.length);
  const v = new DataView(tcp.buffer);
  v.setUint16(0, seg.srcPort);
  v.setUint16(2, seg.dstPort);
  v.setUint32(4, seg.seq >>> 0);
  v.setUint32(8, seg.ack >>> 0);
  const offset = opt.dataOffset ?? headerLen / 4;
  tcp[12] = ((offset & 0x0f) << 4) | ((opt.reserved ?? 0) & 0x0f);
  tcp[13] = seg.flags & 0xff;
  v.setUint16(14, seg.window);
  v.setUint16(18, seg.urgent);
  tcp.set(options, 20);
  tcp.set(seg.payload, headerLen);
  let sum = internetChecksum(pseudoHeader(ipBytes(seg.srcIp), ipBytes(seg.dstIp), tcp.length), tcp);
  if (opt.badTcpChecksum) sum = (sum + 1) & 0xffff;
  v.setUint16(16, sum);
  return tcp;
}

/** An IPv4 datagram (20-byte header, DF) carrying `payload`. */
export function buildIpv4(src: string, dst: string, protocol: number, payload: Uint8Array, opt: FrameOptions = {}): Uint8Array {
  const ip = new Uint8Array(20 + payload.length);
  const v = new DataView(ip.buffer);
  ip[0] = 0x45;
  v.setUint16(2, ip.length);
  v.setUint16(4, opt.ipId ?? 0x1234);
  v.setUint16(6, 0x4000);
  ip[8] = opt.ttl ?? 64;
  ip[9] = protocol;
  ip.set(ipBytes(src), 12);
  ip.set(ipBytes(dst), 16);
  let sum = internetChecksum(ip.subarray(0, 20));
  if (opt.badIpChecksum) sum = (sum + 1) & 0xffff;
  v.setUint16(10, sum);
  ip.set(payload, 20);
  return ip;
}

/** An Ethernet II frame (no FCS). */
export function buildEthernet(dst: string, src: string, type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set(macBytes(dst), 0);
  f.set(macBytes(src), 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  f.set(payload, 14);
  return f;
}

/** A whole Ethernet/IPv4/TCP frame for `seg`. MACs default to the test peer → board. */
export function buildTcpFrame(seg: Segment, opt: FrameOptions = {}): Uint8Array {
  let tcp = buildTcp(seg, opt);
  if (opt.truncateTcpTo !== undefined) tcp = tcp.slice(0, opt.truncateTcpTo);
  const ip = buildIpv4(seg.srcIp, seg.dstIp, IPPROTO_TCP, tcp, opt);
  return buildEthernet(opt.dstMac ?? "02:00:00:00:00:01", opt.srcMac ?? "02:00:00:00:00:02", ETHERTYPE_IPV4, ip);
}

/** An ARP request or reply (RFC 826) for IPv4 over Ethernet. */
export function buildArp(a: {
  op: 1 | 2; senderMac: string; senderIp: string; targetMac: string; targetIp: string; ethDst: string;
}): Uint8Array {
  const p = new Uint8Array(28);
  const v = new DataView(p.buffer);
  v.setUint16(0, 1);
  v.setUint16(2, ETHERTYPE_IPV4);
  p[4] = 6;
  p[5] = 4;
  v.setUint16(6, a.op);
  p.set(macBytes(a.senderMac), 8);
  p.set(ipBytes(a.senderIp), 14);
  p.set(macBytes(a.targetMac), 18);
  p.set(ipBytes(a.targetIp), 24);
  return buildEthernet(a.ethDst, a.senderMac, ETHERTYPE_ARP, p);
}

// ---------- parsing ----------

export interface ParsedArp {
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** The ARP packet in an Ethernet frame, or null if it is not ARP for IPv4. */
export function parseArpFrame(frame: Uint8Array): ParsedArp | null {
  if (frame.length < 14 + 28 || ((frame[12] << 8) | frame[13]) !== ETHERTYPE_ARP) return null;
  const p = frame.subarray(14);
  const v = new DataView(p.buffer, p.byteOffset, p.length);
  if (v.getUint16(0) !== 1 || v.getUint16(2) !== ETHERTYPE_IPV4 || p[4] !== 6 || p[5] !== 4) return null;
  return {
    op: v.getUint16(6),
    senderMac: macString(p.subarray(8, 14)),
    senderIp: ipString(p.subarray(14, 18)),
    targetMac: macString(p.subarray(18, 24)),
    targetIp: ipString(p.subarray(24, 28)),
  };
}

export interface ParsedTcpFrame {
  eth: { dst: string; src: string; type: number };
  ip: {
    version: number; ihl: number; tos: number; totalLength: number; id: number;
    df: boolean; mf: boolean; fragOffset: number; ttl: number; protocol: number;
    src: string; dst: string; checksumValid: boolean;
  };
  tcp: {
    dataOffset: number; reserved: number; checksum: number; checksumValid: boolean;
    optionBytes: Uint8Array; options: ParsedOptions;
  };
  /** The segment as a template (mss only when the option is present; `options` holds the raw option bytes). */
  seg: Segment;
  /** Sequence space the segment occupies: payload length plus one for SYN and one for FIN (RFC 9293 §3.4). */
  segLen: number;
  frameLength: number;
}

/** Every field of an Ethernet/IPv4/TCP frame, or null if the frame is not IPv4/TCP or is truncated. */
export function parseTcpFrame(frame: Uint8Array): ParsedTcpFrame | null {
  if (frame.length < 14 + 20) return null;
  const type = (frame[12] << 8) | frame[13];
  if (type !== ETHERTYPE_IPV4) return null;
  const ipb = frame.subarray(14);
  const iv = new DataView(ipb.buffer, ipb.byteOffset, ipb.length);
  const version = ipb[0] >> 4;
  const ihl = ipb[0] & 0x0f;
  const totalLength = iv.getUint16(2);
  if (version !== 4 || ihl < 5 || totalLength > ipb.length || totalLength < ihl * 4 || ipb[9] !== IPPROTO_TCP) return null;
  const hl = ihl * 4;
  const tcpb = ipb.subarray(hl, totalLength);
  if (tcpb.length < 20) return null;
  const tv = new DataView(tcpb.buffer, tcpb.byteOffset, tcpb.length);
  const dataOffset = tcpb[12] >> 4;
  if (dataOffset < 5 || dataOffset * 4 > tcpb.length) return null;
  const src = ipString(ipb.subarray(12, 16));
  const dst = ipString(ipb.subarray(16, 20));
  const optionBytesRaw = tcpb.slice(20, dataOffset * 4);
  const options = parseOptions(optionBytesRaw);
  const flags = tcpb[13];
  const payload = tcpb.slice(dataOffset * 4);
  const seg: Segment = {
    srcIp: src, dstIp: dst,
    srcPort: tv.getUint16(0), dstPort: tv.getUint16(2),
    seq: tv.getUint32(4), ack: tv.getUint32(8),
    flags, window: tv.getUint16(14), urgent: tv.getUint16(18),
    options: optionBytesRaw,
    payload,
  };
  if (options.mss !== undefined) seg.mss = options.mss;
  const frag = iv.getUint16(6);
  return {
    eth: { dst: macString(frame.subarray(0, 6)), src: macString(frame.subarray(6, 12)), type },
    ip: {
      version, ihl, tos: ipb[1], totalLength, id: iv.getUint16(4),
      df: (frag & 0x4000) !== 0, mf: (frag & 0x2000) !== 0, fragOffset: frag & 0x1fff,
      ttl: ipb[8], protocol: ipb[9], src, dst,
      checksumValid: internetChecksum(ipb.subarray(0, hl)) === 0,
    },
    tcp: {
      dataOffset, reserved: tcpb[12] & 0x0f, checksum: tv.getUint16(16),
      checksumValid: internetChecksum(pseudoHeader(ipb.subarray(12, 16), ipb.subarray(16, 20), tcpb.length), tcpb) === 0,
      optionBytes: optionBytesRaw, options,
    },
    seg,
    segLen: payload.length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0),
    frameLength: frame.length,
  };
}

/** "SYN|ACK"-style names for failure messages. */
export function flagNames(flags: number): string {
  const names: string[] = [];
  const all: [number, string][] = [[CWR, "CWR"], [ECE, "ECE"], [URG, "URG"], [ACK, "ACK"], [PSH, "PSH"], [RST, "RST"], [SYN, "SYN"], [FIN, "FIN"]];
  for (const [bit, name] of all) if (flags & bit) names.push(name);
  return names.join("|") || "none";
}

/** One line per segment for failure messages: "10.0.0.2:80 > 10.0.0.1:40000 SYN|ACK seq=… ack=… win=… len=…". */
export function describeSegment(s: Segment): string {
  return `${s.srcIp}:${s.srcPort} > ${s.dstIp}:${s.dstPort} ${flagNames(s.flags)} seq=${s.seq >>> 0} ack=${s.ack >>> 0} ` +
    `win=${s.window} urg=${s.urgent}${s.mss !== undefined ? ` mss=${s.mss}` : ""} len=${s.payload.length}`;
}
