/**
 * DHCP (RFC 2131/2132) and DNS (RFC 1035) messages built and parsed in
 * TypeScript, sharing no code with the AssemblyScript stack, so the tests
 * read the module's traffic against an independent reading of the RFCs.
 * The DHCP builders play the server, the DNS builders the name server; both
 * can be bent into every malformed shape the tests need. UDP datagrams and
 * the frames around them come from host-sim/wire; here only what the tests
 * add to it: reading a board's frame as UDP, and a bent length field.
 */
import {
  ETHERTYPE_IPV4, IPPROTO_UDP, ipNumber, ipString, macBytes, macString, parseEthernet, parseIpv4, parseUdp, view,
} from "../../host-sim/wire/index.js";

// ---------- UDP ----------

/**
 * A frame the board sent, read as Ethernet + IPv4 + UDP (throws when it is
 * not one). `checksummed` is what the board must send: a checksum present
 * (not 0) and right, where wire's `checksumValid` also accepts an absent one.
 */
export function readUdpFrame(f: Uint8Array) {
  const eth = parseEthernet(f);
  if (!eth) throw new Error(`not Ethernet: ${f.length} bytes`);
  if (eth.type !== ETHERTYPE_IPV4) throw new Error(`not IPv4: type ${eth.type.toString(16)}`);
  const ip = parseIpv4(eth.payload);
  if (!ip) throw new Error("malformed IPv4 header");
  if (ip.protocol !== IPPROTO_UDP) throw new Error(`not UDP: protocol ${ip.protocol}`);
  const udp = parseUdp(ip.payload, ip.src, ip.dst);
  if (!udp) throw new Error("malformed UDP header");
  return { eth, ip, udp: { ...udp, checksummed: udp.checksum !== 0 && udp.checksumValid } };
}

/** A copy of an Ethernet/IPv4/UDP frame with the UDP length field set to `length` (nothing else changes). */
export function withUdpLength(f: Uint8Array, length: number): Uint8Array {
  const out = f.slice();
  const eth = parseEthernet(out);
  const ip = eth && parseIpv4(eth.payload);
  if (!eth || !ip) throw new Error("not an IPv4 frame");
  view(out).setUint16(eth.offset + ip.ihl * 4 + 4, length);
  return out;
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
  v.setUint32(16, ipNumber(o.yiaddr ?? "0.0.0.0"));
  b.set(macBytes(o.chaddr ?? "00:00:00:00:00:00"), 28);
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
    ciaddr: ipString(v.getUint32(12)), yiaddr: ipString(v.getUint32(16)), siaddr: ipString(v.getUint32(20)), giaddr: ipString(v.getUint32(24)),
    chaddr: macString(b.subarray(28, 34)), magicOk: MAGIC.every((m, k) => b[236 + k] === m), options, length: b.length, ended,
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
