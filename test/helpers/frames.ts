/**
 * Ethernet, ARP, IPv4 and ICMP frames built and parsed in TypeScript, with
 * no code shared with the AssemblyScript stack, so the tests check the
 * module against an independent reading of RFC 826, 791 and 792.
 */

export const BROADCAST = "ff:ff:ff:ff:ff:ff";

export function mac(s: string): Uint8Array {
  return Uint8Array.from(s.split(":").map((h) => parseInt(h, 16)));
}

export function macStr(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

export function ip(s: string): number {
  return s.split(".").reduce((a, p) => ((a << 8) | Number(p)) >>> 0, 0);
}

export function ipStr(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** RFC 1071 checksum, computed the plain way: big-endian 16-bit words. */
export function checksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Eth { dst: string; src: string; type: number; payload: Uint8Array; }

export function ethFrame(e: Eth): Uint8Array {
  const f = new Uint8Array(14 + e.payload.length);
  f.set(mac(e.dst), 0);
  f.set(mac(e.src), 6);
  f[12] = e.type >> 8;
  f[13] = e.type & 0xff;
  f.set(e.payload, 14);
  return f;
}

export function parseEth(f: Uint8Array): Eth {
  return { dst: macStr(f.subarray(0, 6)), src: macStr(f.subarray(6, 12)), type: (f[12] << 8) | f[13], payload: f.subarray(14) };
}

export interface Arp {
  op: number; sha: string; spa: string; tha: string; tpa: string;
  htype?: number; ptype?: number; hlen?: number; plen?: number;
}

export function arpPacket(a: Arp): Uint8Array {
  const p = new Uint8Array(28);
  const v = new DataView(p.buffer);
  v.setUint16(0, a.htype ?? 1);
  v.setUint16(2, a.ptype ?? 0x0800);
  p[4] = a.hlen ?? 6;
  p[5] = a.plen ?? 4;
  v.setUint16(6, a.op);
  p.set(mac(a.sha), 8);
  v.setUint32(14, ip(a.spa));
  p.set(mac(a.tha), 18);
  v.setUint32(24, ip(a.tpa));
  return p;
}

export function parseArp(p: Uint8Array): Required<Arp> {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return {
    htype: v.getUint16(0), ptype: v.getUint16(2), hlen: p[4], plen: p[5], op: v.getUint16(6),
    sha: macStr(p.subarray(8, 14)), spa: ipStr(v.getUint32(14)), tha: macStr(p.subarray(18, 24)), tpa: ipStr(v.getUint32(24)),
  };
}

export interface Ipv4 {
  src: string; dst: string; proto: number; payload: Uint8Array;
  ttl?: number; id?: number; flags?: number; fragOffset?: number; tos?: number;
  /** Header length in 32-bit words (default 5); extra words are NOP options. */
  ihl?: number; version?: number;
  /** Override the total-length field. */
  totalLength?: number;
  /** Override the header checksum (default: correct). */
  checksum?: number;
}

export function ipv4Packet(p: Ipv4): Uint8Array {
  const ihl = p.ihl ?? 5;
  const hlen = Math.max(ihl, 5) * 4;
  const b = new Uint8Array(hlen + p.payload.length);
  const v = new DataView(b.buffer);
  b[0] = ((p.version ?? 4) << 4) | (ihl & 0xf);
  b[1] = p.tos ?? 0;
  v.setUint16(2, p.totalLength ?? b.length);
  v.setUint16(4, p.id ?? 0x1234);
  v.setUint16(6, ((p.flags ?? 0) << 13) | (p.fragOffset ?? 0));
  b[8] = p.ttl ?? 64;
  b[9] = p.proto;
  v.setUint32(12, ip(p.src));
  v.setUint32(16, ip(p.dst));
  for (let i = 20; i < hlen; i++) b[i] = 1; // NOP options
  v.setUint16(10, p.checksum ?? checksum(b.subarray(0, hlen)));
  b.set(p.payload, hlen);
  return b;
}

export interface ParsedIpv4 {
  version: number; ihl: number; tos: number; totalLength: number; id: number; flags: number; fragOffset: number;
  ttl: number; proto: number; checksum: number; checksumValid: boolean; src: string; dst: string; payload: Uint8Array;
}

export function parseIpv4(b: Uint8Array): ParsedIpv4 {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ihl = b[0] & 0xf;
  const total = v.getUint16(2);
  return {
    version: b[0] >> 4, ihl, tos: b[1], totalLength: total, id: v.getUint16(4),
    flags: v.getUint16(6) >> 13, fragOffset: v.getUint16(6) & 0x1fff, ttl: b[8], proto: b[9],
    checksum: v.getUint16(10), checksumValid: checksum(b.subarray(0, ihl * 4)) === 0,
    src: ipStr(v.getUint32(12)), dst: ipStr(v.getUint32(16)), payload: b.subarray(ihl * 4, total),
  };
}

export interface Icmp { type: number; code: number; id: number; seq: number; data: Uint8Array; checksum?: number; }

export function icmpPacket(m: Icmp): Uint8Array {
  const b = new Uint8Array(8 + m.data.length);
  const v = new DataView(b.buffer);
  b[0] = m.type;
  b[1] = m.code;
  v.setUint16(4, m.id);
  v.setUint16(6, m.seq);
  b.set(m.data, 8);
  v.setUint16(2, m.checksum ?? checksum(b));
  return b;
}

export function parseIcmp(b: Uint8Array): Icmp & { checksum: number; checksumValid: boolean } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    type: b[0], code: b[1], checksum: v.getUint16(2), checksumValid: checksum(b) === 0,
    id: v.getUint16(4), seq: v.getUint16(6), data: b.subarray(8),
  };
}

/** Deterministic bytes for payloads. */
export function pattern(n: number, seed = 7): Uint8Array {
  const b = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; b[i] = s >>> 24; }
  return b;
}
