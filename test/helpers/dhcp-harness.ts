/**
 * A board that starts with no address (net_init with ip 0) and a DHCP
 * server played by the test: its replies are built by ./udp-packets.ts,
 * the board's messages parsed by the same, and the board's ARP probes and
 * requests are visible to the test, so every RFC 2131/5227 step can be
 * driven and checked on the wire.
 */
import { Stack } from "../../host-sim/stack.js";
import { BROADCAST_MAC, type ParsedArp, buildArp, buildEthernet, parseArp, parseEthernet, udpFrame } from "../../host-sim/wire/index.js";
import { DHCP, addrBytes, dhcpReply, parseDhcp, readUdpFrame, u32Bytes, type DhcpMessage } from "./udp-packets.js";

export const BOARD_MAC = "02:00:00:00:00:01";
export const SERVER_MAC = "02:00:00:00:00:02";
export const SERVER_IP = "10.0.0.1";
export const OFFERED = "10.0.0.57";
export const LEASE_S = 3600;

export interface DhcpBoard { stack: Stack; now: number }

/** A board with the DHCP client started at time `startMs` (its DISCOVER is left in the sent frames). */
export function dhcpBoard(o: { seed?: number; hostname?: string; startMs?: number } = {}): DhcpBoard {
  const stack = new Stack({ seed: o.seed ?? 1 });
  if (o.hostname) stack.setHostname(o.hostname);
  stack.init({ mac: BOARD_MAC, ip: 0 });
  const b = { stack, now: o.startMs ?? 1000 };
  stack.poll(b.now);
  return b;
}

/** Advance virtual time by `ms`, polling at every deadline the board names. */
export function advance(b: DhcpBoard, ms: number): void {
  const end = b.now + ms;
  for (let guard = 0; guard < 100000; guard++) {
    const next = b.stack.poll(b.now >>> 0);
    if (next < 0 || b.now + Math.max(next, 1) > end) break;
    b.now += Math.max(next, 1);
  }
  b.now = end;
  b.stack.poll(b.now >>> 0);
}

export interface Sent { at: number; dhcp?: DhcpMessage; ipSrc?: string; ipDst?: string; ethDst?: string; arp?: ParsedArp; udp?: { srcPort: number; dstPort: number; checksummed: boolean } }

/** The frames the board sent since the last call, read as DHCP or ARP. */
export function taken(b: DhcpBoard): Sent[] {
  return b.stack.takeSent().map((f) => {
    const e = parseEthernet(f);
    if (!e) throw new Error(`board sent a ${f.length}-byte frame`);
    if (e.type === 0x0806) {
      const arp = parseArp(e.payload);
      if (!arp) throw new Error(`board sent a ${e.payload.length}-byte ARP packet`);
      return { at: b.now, arp, ethDst: e.dst };
    }
    if (e.type !== 0x0800 || e.payload[9] !== 17) return { at: b.now, ethDst: e.dst }; // TCP of a test's own connection
    const u = readUdpFrame(f);
    const isDhcp = u.udp.dstPort === 67;
    return { at: b.now, ipSrc: u.ip.src, ipDst: u.ip.dst, ethDst: u.eth.dst, udp: u.udp, dhcp: isDhcp ? parseDhcp(u.udp.payload) : undefined };
  });
}

/** Run until the board sends a DHCP message (at most `ms`), returning it with its time. */
export function nextDhcp(b: DhcpBoard, ms = 200_000, step = 10): Sent {
  const end = b.now + ms;
  for (;;) {
    const d = taken(b).find((s) => s.dhcp);
    if (d) return d;
    if (b.now >= end) throw new Error("no DHCP message");
    advance(b, step);
  }
}

/** Standard options of a server reply. */
export function serverOptions(o: { lease?: number; t1?: number; t2?: number; mask?: string; router?: string; dns?: string[] } = {}): Array<[number, Uint8Array]> {
  const opts: Array<[number, Uint8Array]> = [
    [54, addrBytes(SERVER_IP)],
    [51, u32Bytes(o.lease ?? LEASE_S)],
    [1, addrBytes(o.mask ?? "255.255.255.0")],
    [3, addrBytes(o.router ?? SERVER_IP)],
    [6, addrBytes(...(o.dns ?? ["10.0.0.1", "10.0.0.53"]))],
  ];
  if (o.t1 !== undefined) opts.push([58, u32Bytes(o.t1)]);
  if (o.t2 !== undefined) opts.push([59, u32Bytes(o.t2)]);
  return opts;
}

/** Hand a server reply (DHCP payload bytes) to the board, as a broadcast from port 67. */
export function fromServer(b: DhcpBoard, payload: Uint8Array, o: { dst?: string; dstMac?: string; srcPort?: number; src?: string } = {}): void {
  b.stack.input(udpFrame(
    { srcIp: o.src ?? SERVER_IP, dstIp: o.dst ?? "255.255.255.255", srcPort: o.srcPort ?? 67, dstPort: 68, payload },
    { srcMac: SERVER_MAC, dstMac: o.dstMac ?? BROADCAST_MAC },
  ));
  b.stack.poll(b.now >>> 0);
}

/** A reply of `type` to the board's message `m`. */
export function reply(m: DhcpMessage, type: number, o: Parameters<typeof serverOptions>[0] & { yiaddr?: string } = {}): Uint8Array {
  return dhcpReply({ xid: m.xid, type, yiaddr: o.yiaddr ?? OFFERED, chaddr: BOARD_MAC, options: type === DHCP.NAK ? [[54, addrBytes(SERVER_IP)]] : serverOptions(o) });
}

/** The peer answers an ARP request of the board for `ipAddr`. */
export function arpReply(b: DhcpBoard, ipAddr: string, fromMac = SERVER_MAC, to = OFFERED): void {
  b.stack.input(buildEthernet({ dst: BOARD_MAC, src: fromMac, type: 0x0806, payload: buildArp({ op: 2, sha: fromMac, spa: ipAddr, tha: BOARD_MAC, tpa: to }) }));
}

/** Drive DISCOVER → OFFER → REQUEST → ACK → probes → BOUND; returns the REQUEST and the time of binding. */
export function bind(b: DhcpBoard, o: Parameters<typeof serverOptions>[0] = {}): { request: DhcpMessage; boundAt: number } {
  const discover = nextDhcp(b).dhcp!;
  fromServer(b, reply(discover, DHCP.OFFER, o));
  const request = nextDhcp(b).dhcp!;
  fromServer(b, reply(request, DHCP.ACK, o));
  for (let t = 0; t < 10_000 && b.stack.netAddr().dhcpState !== 5; t += 10) advance(b, 10);
  taken(b);
  return { request, boundAt: b.now };
}
