/**
 * IPv4 datagrams (RFC 791 §3.1) and the pseudo-header sum that TCP
 * (RFC 9293 §3.1) and UDP (RFC 768) checksums cover.
 *
 *   0        1        2        4        6          8     9      10     12    16    20
 *   | ver/ihl | tos   | total  | id     | flags/frag | ttl | proto | csum | src | dst | options...
 */
import { type Ip, ipBytes, ipNumber, ipString, view } from "./bytes.js";
import { internetChecksum, onesSum } from "./checksum.js";

/** Protocol numbers (the IANA registry RFC 791 §3.1 refers to). */
export const IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17;
/** The flags field's Don't Fragment and More Fragments bits, as the 3-bit value (RFC 791 §3.1). */
export const IP_FLAG_DF = 2, IP_FLAG_MF = 1;

export interface Ipv4Packet {
  src: Ip; dst: Ip; protocol: number; payload: Uint8Array;
  /** Defaults: ttl 64, id 0, flags DF, fragment offset 0, tos 0. */
  ttl?: number; id?: number; flags?: number; fragOffset?: number; tos?: number;
  /** Header length in 32-bit words (default 5); words past 5 are filled with NOP options (RFC 791 §3.1 option 1). */
  ihl?: number;
  version?: number;
  /** Override the total-length field. */
  totalLength?: number;
  /** Override the header checksum (default: the right one). */
  checksum?: number;
}

export interface ParsedIpv4 {
  version: number; ihl: number; tos: number; totalLength: number; id: number;
  flags: number; df: boolean; mf: boolean; fragOffset: number;
  ttl: number; protocol: number; checksum: number; checksumValid: boolean;
  src: string; dst: string;
  /** The payload as the total length bounds it (not the Ethernet padding after it). */
  payload: Uint8Array;
}

/** An IPv4 datagram carrying `payload`. */
export function buildIpv4(p: Ipv4Packet): Uint8Array {
  const ihl = p.ihl ?? 5;
  const hlen = Math.max(ihl, 5) * 4;
  const b = new Uint8Array(hlen + p.payload.length);
  const v = view(b);
  b[0] = ((p.version ?? 4) << 4) | (ihl & 0x0f);
  b[1] = p.tos ?? 0;
  v.setUint16(2, p.totalLength ?? b.length);
  v.setUint16(4, p.id ?? 0);
  v.setUint16(6, (((p.flags ?? IP_FLAG_DF) & 7) << 13) | ((p.fragOffset ?? 0) & 0x1fff));
  b[8] = p.ttl ?? 64;
  b[9] = p.protocol;
  b.set(ipBytes(p.src), 12);
  b.set(ipBytes(p.dst), 16);
  b.fill(1, 20, hlen);
  v.setUint16(10, p.checksum ?? internetChecksum(b, 0, hlen));
  b.set(p.payload, hlen);
  return b;
}

/**
 * The header of an IPv4 datagram, or null when it is not one that can be
 * read: version not 4, header shorter than 20 bytes, or a total length
 * smaller than the header or larger than the bytes there are.
 */
export function parseIpv4(b: Uint8Array): ParsedIpv4 | null {
  if (b.length < 20 || b[0] >> 4 !== 4) return null;
  const v = view(b);
  const ihl = b[0] & 0x0f;
  const hlen = ihl * 4;
  const total = v.getUint16(2);
  if (ihl < 5 || total < hlen || total > b.length) return null;
  const ff = v.getUint16(6);
  return {
    version: 4, ihl, tos: b[1], totalLength: total, id: v.getUint16(4),
    flags: ff >> 13, df: (ff & 0x4000) !== 0, mf: (ff & 0x2000) !== 0, fragOffset: ff & 0x1fff,
    ttl: b[8], protocol: b[9], checksum: v.getUint16(10), checksumValid: internetChecksum(b, 0, hlen) === 0,
    src: ipString(b.subarray(12, 16)), dst: ipString(b.subarray(16, 20)),
    payload: b.subarray(hlen, total),
  };
}

/** The folded sum of the pseudo-header (source, destination, zero, protocol, length), the start of a TCP or UDP checksum. */
export function pseudoHeaderSum(src: Ip, dst: Ip, protocol: number, length: number): number {
  const s = ipNumber(src), d = ipNumber(dst);
  return onesSum([], 0, 0, (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff) + protocol + length);
}
