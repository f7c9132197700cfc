/**
 * UDP (RFC 768), DHCP (RFC 2131/2132) and DNS (RFC 1035) messages built and
 * parsed in TypeScript, sharing no code with the AssemblyScript stack, so
 * the tests read the module's traffic against an independent reading of
 * the RFCs. The DHCP builders play the server, the DNS builders the name
 * server; both can be bent into every malformed shape the tests need.
 */
import { checksum, ethFrame, ip, ipStr, ipv4Packet, mac, macStr, parseEth, parseIpv4, type Ipv4 } from "./frames.js";

// ---------- UDP ----------

export interface Udp { srcPort: number; dstPort: number; data: Uint8Array; length?: number; checksum?: number }

/** RFC 768 checksum over the pseudo-header, header and data. */
export function udpChecksum(src: string, dst: string, udp: Uint8Array): number {
  const pseudo = new Uint8Array(12 + udp.length);
  const v = new DataView(pseudo.buffer);
  v.setUint32(0, ip(src));
  v.setUint32(4, ip(dst));
  pseudo[9] = 17;
  v.setUint16(10, udp.length);
  pseudo.set(udp, 12);
  return checksum(pseudo);
}

/** A UDP datagram; checksum computed unless given (0 = none). */
export function udpPacket(src: string, dst: string, u: Udp): Uint8Array {
  const b = new Uint8Array(8 + u.data.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, u.srcPort);
  v.setUint16(2, u.dstPort);
  v.setUint16(4, u.length ?? b.length);
  b.set(u.data, 8);
  const c = udpChecksum(src, dst, b);
  v.setUint16(6, u.checksum ?? (c === 0 ? 0xffff : c));
  return b;
}

export interface ParsedUdp { srcPort: number; dstPort: number; length: number; checksum: number; checksumValid: boolean; data: Uint8Array }

export function parseUdp(src: string, dst: string, b: Uint8Array): ParsedUdp {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const cs = v.getUint16(6);
  return {
    srcPort: v.getUint16(0), dstPort: v.getUint16(2), length: v.getUint16(4), checksum: cs,
    checksumValid: cs !== 0 && udpChecksum(src, dst, b) === 0, data: b.subarray(8, v.getUint16(4)),
  };
}

/** An Ethernet frame carrying a UDP datagram. */
export function udpFrame(o: { srcMac: string; dstMac: string; src: string; dst: string; ipOver?: Partial<Ipv4> } & Udp): Uint8Array {
  return ethFrame({
    dst: o.dstMac, src: o.srcMac, type: 0x0800,
    payload: ipv4Packet({ src: o.src, dst: o.dst, proto: 17, payload: udpPacket(o.src, o.dst, o), ...o.ipOver }),
  });
}

/** A frame the board sent, read as Ethernet + IPv4 + UDP (throws when it is not UDP). */
export function readUdpFrame(f: Uint8Array) {
  const e = parseEth(f);
  if (e.type !== 0x0800) throw new Error(`not IPv4: type ${e.type.toString(16)}`);
  const ipH = parseIpv4(e.payload);
  if (ipH.proto !== 17) throw new Error(`not UDP: protocol ${ipH.proto}`);
  return { eth: e, ip: ipH, udp: parseUdp(ipH.src, ipH.dst, ipH.payload) };
}

// ---------- DHCP ----------

export const DHCP = { DISCOVER: 1, OFFER: 2, REQUEST: 3, DECLINE: 4, ACK: 5, NAK: 6 } as const;
const MAGIC = [99, 130, 83, 99];

export interface DhcpMessage {
  op: number; xid: number; secs: number; flags: number;
  ciaddr: string; yiaddr: string; siaddr: string; giaddr: string; chaddr: string;
  /** Options in order, as code → bytes (53 first when built). */
  options: Array<[number, Uint8Array]>;
  length: number;
  htype: number; hlen: number; magicOk: boolean;
  /** The options field ended with END (255). */
  ended: boolean;
}

export const addrBytes = (...a: string[]) => Uint8Array.from(a.flatMap((s) => s.split(".").map(Number)));
export const u32Bytes = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);

/** A server's reply. `raw` options are appended verbatim (after the built ones) so tests can break the encoding. */
export function dhcpReply(o: {
  xid: number; type?: number; yiaddr?: string; chaddr?: string; op?: number; magic?: number[];
  options?: Array<[number, Uint8Array]>; raw?: number[]; noEnd?: boolean;
}): Uint8Array {
  const opts: number[] = [];
  if (o.type !== undefined) opts.push(53, 1, o.type);
  for (const [code, v] of o.options ?? []) opts.push(code, v.length, ...v);
  opts.push(...(o.raw ?? []));
  if (!o.noEnd) opts.push(255);
  const b = new Uint8Array(240 + opts.length);
  const v = new DataView(b.buffer);
  b[0] = o.op ?? 2;
  b[1] = 1;
  b[2] = 6;
  v.setUint32(4, o.xid);
  v.setUint32(16, ip(o.yiaddr ?? "0.0.0.0"));
  b.set(mac(o.chaddr ?? "00:00:00:00:00:00"), 28);
  b.set(o.magic ?? MAGIC, 236);
  b.set(opts, 240);
  return b;
}

export function parseDhcp(b: Uint8Array): DhcpMessage {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const options: Array<[number, Uint8Array]> = [];
  let i = 240;
  let ended = false;
  while (i < b.length) {
    const c = b[i];
    if (c === 0) { i++; continue; }
    if (c === 255) { ended = true; break; }
    options.push([c, b.slice(i + 2, i + 2 + b[i + 1])]);
    i += 2 + b[i + 1];
  }
  return {
    op: b[0], htype: b[1], hlen: b[2], xid: v.getUint32(4), secs: v.getUint16(8), flags: v.getUint16(10),
    ciaddr: ipStr(v.getUint32(12)), yiaddr: ipStr(v.getUint32(16)), siaddr: ipStr(v.getUint32(20)), giaddr: ipStr(v.getUint32(24)),
    chaddr: macStr(b.subarray(28, 34)), magicOk: MAGIC.every((m, k) => b[236 + k] === m), options, length: b.length, ended,
  };
}

/** An option's value, or undefined. */
export function opt(m: DhcpMessage, code: number): Uint8Array | undefined {
  return m.options.find(([c]) => c === code)?.[1];
}

// ---------- DNS ----------

/** A name as labels (no compression). */
export function dnsName(name: string): number[] {
  const out: number[] = [];
  for (const l of name.split(".").filter(Boolean)) out.push(l.length, ...new TextEncoder().encode(l));
  out.push(0);
  return out;
}

export interface DnsQuery { id: number; flags: number; qdcount: number; ancount: number; nscount: number; arcount: number; qname: string; qtype: number; qclass: number; length: number }

export function parseDnsQuery(b: Uint8Array): DnsQuery {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const labels: string[] = [];
  let i = 12;
  while (b[i] !== 0) { labels.push(new TextDecoder().decode(b.subarray(i + 1, i + 1 + b[i]))); i += 1 + b[i]; }
  i++;
  return {
    id: v.getUint16(0), flags: v.getUint16(2), qdcount: v.getUint16(4), ancount: v.getUint16(6), nscount: v.getUint16(8), arcount: v.getUint16(10),
    qname: labels.join("."), qtype: v.getUint16(i), qclass: v.getUint16(i + 2), length: b.length,
  };
}

export interface Rr { name: number[]; type: number; ttl: number; rdata: number[]; cls?: number; rdlength?: number }

/** An answer: header, the question (as given, bytes), then the records; counts may be overridden to lie. */
export function dnsAnswer(o: {
  id: number; question: number[]; qtype?: number; answers?: Rr[]; rcode?: number; tc?: boolean; qr?: boolean;
  qdcount?: number; ancount?: number; raw?: number[];
}): Uint8Array {
  const out: number[] = [];
  const u16 = (n: number) => out.push(n >> 8, n & 255);
  u16(o.id);
  out.push(((o.qr ?? true) ? 0x80 : 0) | (o.tc ? 0x02 : 0) | 0x01, 0x80 | (o.rcode ?? 0));
  u16(o.qdcount ?? 1);
  u16(o.ancount ?? (o.answers?.length ?? 0));
  u16(0);
  u16(0);
  out.push(...o.question);
  u16(o.qtype ?? 1);
  u16(1);
  for (const r of o.answers ?? []) {
    out.push(...r.name);
    u16(r.type);
    u16(r.cls ?? 1);
    out.push(...u32Bytes(r.ttl));
    u16(r.rdlength ?? r.rdata.length);
    out.push(...r.rdata);
  }
  out.push(...(o.raw ?? []));
  return Uint8Array.from(out);
}

/** A compression pointer to `offset` (RFC 1035 §4.1.4). */
export const ptr = (offset: number) => [0xc0 | (offset >> 8), offset & 255];
