/**
 * Frame builders for the link, pcap and trace tests: real Ethernet II /
 * IPv4 (RFC 791) / TCP (RFC 9293) frames with correct header checksums
 * (RFC 1071 one's-complement sum, TCP over the RFC 9293 §3.1 pseudo-header),
 * written here from the RFCs and independent of the stack's own code.
 */

import { appendFcs } from "../../host-sim/crc32.js";
import { checksum, ethFrame } from "./frames.js";

export { BROADCAST, ethFrame } from "./frames.js";

function ipBytes(ip: string): Uint8Array {
  return Uint8Array.from(ip.split(".").map((d) => parseInt(d, 10)));
}

/** RFC 1071 checksum over the concatenation of `parts` (frames.ts `checksum`). */
function inetChecksum(...parts: Uint8Array[]): number {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { all.set(p, o); o += p.length; }
  return checksum(all);
}

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;

export interface TcpSpec {
  srcMac?: string; dstMac?: string;
  srcIp: string; dstIp: string;
  srcPort: number; dstPort: number;
  seq: number; ack?: number; flags: number;
  window?: number; mss?: number;
  payload?: Uint8Array;
  ipId?: number; ttl?: number;
}

/** An Ethernet/IPv4/TCP frame without FCS, every checksum correct. */
export function tcpFrame(t: TcpSpec): Uint8Array {
  const payload = t.payload ?? new Uint8Array(0);
  const optLen = t.mss !== undefined ? 4 : 0;
  const tcpLen = 20 + optLen + payload.length;
  const tcp = new Uint8Array(tcpLen);
  const dv = new DataView(tcp.buffer);
  dv.setUint16(0, t.srcPort);
  dv.setUint16(2, t.dstPort);
  dv.setUint32(4, t.seq >>> 0);
  dv.setUint32(8, (t.ack ?? 0) >>> 0);
  tcp[12] = ((20 + optLen) / 4) << 4;
  tcp[13] = t.flags;
  dv.setUint16(14, t.window ?? 65535);
  if (t.mss !== undefined) { tcp[20] = 2; tcp[21] = 4; dv.setUint16(22, t.mss); }
  tcp.set(payload, 20 + optLen);
  const src = ipBytes(t.srcIp), dst = ipBytes(t.dstIp);
  const pseudo = new Uint8Array(12);
  pseudo.set(src, 0); pseudo.set(dst, 4); pseudo[9] = 6;
  pseudo[10] = tcpLen >> 8; pseudo[11] = tcpLen & 0xff;
  dv.setUint16(16, inetChecksum(pseudo, tcp));
  const ip = ipv4Packet({ src: t.srcIp, dst: t.dstIp, protocol: 6, payload: tcp, id: t.ipId, ttl: t.ttl });
  return ethFrame({ dst: t.dstMac ?? "02:00:00:00:00:02", src: t.srcMac ?? "02:00:00:00:00:01", type: 0x0800, payload: ip });
}

export function ipv4Packet(p: { src: string; dst: string; protocol: number; payload: Uint8Array; id?: number; ttl?: number }): Uint8Array {
  const ip = new Uint8Array(20 + p.payload.length);
  const dv = new DataView(ip.buffer);
  ip[0] = 0x45;
  dv.setUint16(2, ip.length);
  dv.setUint16(4, p.id ?? 0);
  dv.setUint16(6, 0x4000); // DF
  ip[8] = p.ttl ?? 64;
  ip[9] = p.protocol;
  ip.set(ipBytes(p.src), 12);
  ip.set(ipBytes(p.dst), 16);
  dv.setUint16(10, inetChecksum(ip.subarray(0, 20)));
  ip.set(p.payload, 20);
  return ip;
}

/** A UDP/IPv4 frame without FCS (a non-TCP packet for the trace to skip). */
export function udpFrame(u: { srcIp: string; dstIp: string; srcPort: number; dstPort: number; payload: Uint8Array }): Uint8Array {
  const udp = new Uint8Array(8 + u.payload.length);
  const dv = new DataView(udp.buffer);
  dv.setUint16(0, u.srcPort); dv.setUint16(2, u.dstPort); dv.setUint16(4, udp.length);
  udp.set(u.payload, 8);
  const pseudo = new Uint8Array(12);
  pseudo.set(ipBytes(u.srcIp), 0); pseudo.set(ipBytes(u.dstIp), 4); pseudo[9] = 17;
  pseudo[10] = udp.length >> 8; pseudo[11] = udp.length & 0xff;
  dv.setUint16(6, inetChecksum(pseudo, udp) || 0xffff);
  return ethFrame({ dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01", type: 0x0800, payload: ipv4Packet({ src: u.srcIp, dst: u.dstIp, protocol: 17, payload: udp }) });
}

/** A wire frame (with FCS) from `src` to `dst` carrying `payload` under a local ethertype. */
export function testFrame(dst: string, src: string, payload: Uint8Array): Uint8Array {
  return appendFcs(ethFrame({ dst, src, type: 0x88b5, payload }));
}

/** A deterministic byte generator for payloads (xorshift32). */
export function bytesFrom(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Advance a VirtualClock-like object until nothing is pending (bounded). */
export function runUntilIdle(clock: { nextAt(): number | undefined; advanceTo(t: number): void }, limit = 1_000_000): void {
  for (let i = 0; i < limit; i++) {
    const t = clock.nextAt();
    if (t === undefined) return;
    clock.advanceTo(t);
  }
  throw new Error("clock never went idle");
}
