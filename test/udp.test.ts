/**
 * UDP through the ABI (RFC 768, RFC 1122 §4.1): every field of what the
 * board sends, what it accepts and drops, its socket table and rings, and
 * the ICMP port unreachable it answers with (RFC 792, RFC 1812 §4.3.2.8).
 */
import { describe, expect, test } from "vitest";
import { ERRNO } from "../host-sim/errors.js";
import {
  BROADCAST_MAC, buildArp, buildEthernet, buildIpv4, buildUdp, internetChecksum, ipNumber, parseEthernet, parseIcmp, parseIpv4, pattern, udpFrame,
} from "../host-sim/wire/index.js";
import { BOARD_IP, BOARD_MAC, PEER_IP, PEER_MAC, advance, newIpBoard, peerArpRequest, type IpBoard } from "./helpers/board.js";
import { readUdpFrame, withUdpLength } from "./helpers/udp-packets.js";
import { errnoOf } from "./helpers/tcp-harness.js";

function boardWithPeer(o: { gateway?: string } = {}): IpBoard {
  const b = newIpBoard(o);
  b.stack.input(peerArpRequest());
  b.stack.takeSent();
  return b;
}

/** A datagram from the peer to the board. */
function fromPeer(srcPort: number, dstPort: number, payload: Uint8Array, over: { checksum?: number; length?: number; dst?: string; dstMac?: string } = {}) {
  const f = udpFrame({ srcIp: PEER_IP, dstIp: over.dst ?? BOARD_IP, srcPort, dstPort, payload, checksum: over.checksum }, { srcMac: PEER_MAC, dstMac: over.dstMac ?? BOARD_MAC });
  return over.length === undefined ? f : withUdpLength(f, over.length);
}

describe("udp_sendto", () => {
  test.each([0, 1, 100, 1472])("%i data bytes → one datagram with every field right", (n) => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    const data = pattern(n, 3);
    expect(b.stack.udpSendto(s, PEER_IP, 7, data)).toBe(n);
    const [f, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    expect(f.length).toBe(14 + 20 + 8 + n);
    const { eth, ip: iph, udp } = readUdpFrame(f);
    expect(eth).toMatchObject({ dst: PEER_MAC, src: BOARD_MAC, type: 0x0800 });
    expect(iph).toMatchObject({ version: 4, ihl: 5, tos: 0, totalLength: 28 + n, flags: 0b010, fragOffset: 0, ttl: 64, protocol: 17, checksumValid: true, src: BOARD_IP, dst: PEER_IP });
    expect(udp).toMatchObject({ srcPort: 5000, dstPort: 7, length: 8 + n, checksummed: true });
    expect(udp.payload).toEqual(data);
    expect(b.stack.stats()).toMatchObject({ udp_tx: 1, ip_tx: 1 });
  });

  test("1473 data bytes → EMSGSIZE, nothing sent (no fragmentation)", () => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    expect(errnoOf(() => b.stack.udpSendto(s, PEER_IP, 7, pattern(1473)))).toBe("EMSGSIZE");
    expect(b.stack.takeSent()).toEqual([]);
  });

  test.each(["255.255.255.255", "10.0.0.255"])("to the broadcast address %s → Ethernet broadcast, no ARP", (dst) => {
    const b = newIpBoard();
    const s = b.stack.udpBind(5000);
    b.stack.udpSendto(s, dst, 9, pattern(4));
    const [f, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    const { eth, ip: iph, udp } = readUdpFrame(f);
    expect(eth.dst).toBe(BROADCAST_MAC);
    expect(iph.dst).toBe(dst);
    expect(udp.checksummed).toBe(true);
  });

  test("unknown next hop: ARP first, the datagram follows the reply", () => {
    const b = newIpBoard();
    const s = b.stack.udpBind(5000);
    b.stack.udpSendto(s, PEER_IP, 7, pattern(10));
    const [arp, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    expect(parseEthernet(arp)!.type).toBe(0x0806);
    b.stack.input(buildEthernet({ dst: BOARD_MAC, src: PEER_MAC, type: 0x0806, payload: Uint8Array.from([0, 1, 8, 0, 6, 4, 0, 2, ...PEER_MAC.split(":").map((h) => parseInt(h, 16)), 10, 0, 0, 1, ...BOARD_MAC.split(":").map((h) => parseInt(h, 16)), 10, 0, 0, 2]) }));
    const [f] = b.stack.takeSent();
    expect(readUdpFrame(f).udp).toMatchObject({ srcPort: 5000, dstPort: 7, checksummed: true });
  });

  test("two unresolved next hops each keep one datagram; a newer one to the same hop displaces the older", () => {
    const b = newIpBoard();
    const s = b.stack.udpBind(5000);
    const other = { mac: "02:00:00:00:00:33", ip: "10.0.0.33" };
    b.stack.udpSendto(s, PEER_IP, 7, pattern(10, 1));
    b.stack.udpSendto(s, other.ip, 7, pattern(10, 2));
    b.stack.udpSendto(s, other.ip, 7, pattern(10, 3));
    expect(b.stack.takeSent().map((f) => parseEthernet(f)!.type)).toEqual([0x0806, 0x0806]);
    expect(b.stack.stats().arp_drop_pending).toBe(1);
    const reply = (from: { mac: string; ip: string }) => buildEthernet({
      dst: BOARD_MAC, src: from.mac, type: 0x0806,
      payload: buildArp({ op: 2, sha: from.mac, spa: from.ip, tha: BOARD_MAC, tpa: BOARD_IP }),
    });
    b.stack.input(reply(other));
    b.stack.input(reply({ mac: PEER_MAC, ip: PEER_IP }));
    const got = b.stack.takeSent().map((f) => readUdpFrame(f));
    expect(got.map((g) => [g.eth.dst, g.ip.dst, [...g.udp.payload]])).toEqual([
      ["02:00:00:00:00:33", other.ip, [...pattern(10, 3)]],
      [PEER_MAC, PEER_IP, [...pattern(10, 1)]],
    ]);
  });

  test("off-link with no gateway → ENETUNREACH; multicast, loopback, 0/8, class E, port 0 → EINVAL", () => {
    const b = boardWithPeer({ gateway: "0.0.0.0" });
    const s = b.stack.udpBind(5000);
    expect(errnoOf(() => b.stack.udpSendto(s, "192.0.2.1", 7, pattern(4)))).toBe("ENETUNREACH");
    expect(errnoOf(() => b.stack.udpSendto(s, "224.0.0.1", 7, pattern(4)))).toBe("EINVAL");
    expect(errnoOf(() => b.stack.udpSendto(s, PEER_IP, 0, pattern(4)))).toBe("EINVAL");
    expect(errnoOf(() => b.stack.udpSendto(s, 0, 7, pattern(4)))).toBe("EINVAL");
    // RFC 1122 §3.2.1.3: loopback, this network (0/8) and class E are never destinations.
    for (const ip of ["127.0.0.1", "0.1.2.3", "240.0.0.1"]) expect(errnoOf(() => b.stack.udpSendto(s, ip, 7, pattern(4))), ip).toBe("EINVAL");
    expect(b.stack.takeSent()).toEqual([]);
  });
});

describe("udp_bind / udp_close / udp_port", () => {
  test("a bound port is EADDRINUSE; the fifth socket is ENOMEM; close frees the slot and staleness is EINVAL", () => {
    const b = newIpBoard();
    const socks = [1, 2, 3, 4].map((p) => b.stack.udpBind(6000 + p));
    expect(errnoOf(() => b.stack.udpBind(6001))).toBe("EADDRINUSE");
    expect(errnoOf(() => b.stack.udpBind(7000))).toBe("ENOMEM");
    b.stack.udpClose(socks[0]);
    expect(errnoOf(() => b.stack.udpClose(socks[0]))).toBe("EINVAL");
    expect(errnoOf(() => b.stack.udpPort(socks[0]))).toBe("EINVAL");
    const again = b.stack.udpBind(6001);
    expect(again).not.toBe(socks[0]);
    expect(b.stack.udpPort(again)).toBe(6001);
  });

  test("udp_bind(0) draws distinct random ports from the ephemeral range 49152..65535 (RFC 6056)", () => {
    const ports = new Set<number>();
    for (const seed of [1, 2, 3]) {
      const b = newIpBoard({ seed });
      for (let i = 0; i < 4; i++) ports.add(b.stack.udpPort(b.stack.udpBind(0)));
    }
    expect(ports.size).toBeGreaterThan(8);
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(49152);
  });

  test.each([-1, 65536])("udp_bind(%i) → EINVAL", (p) => {
    const b = newIpBoard();
    expect(b.stack.exports.udp_bind!(p)).toBe(ERRNO.EINVAL);
  });

  test("handles that were never issued → EINVAL from every call", () => {
    const b = newIpBoard();
    for (const h of [0, -1, 1, 0x7fffffff, 255]) {
      expect(b.stack.exports.udp_close!(h)).toBe(ERRNO.EINVAL);
      expect(b.stack.exports.udp_port!(h)).toBe(ERRNO.EINVAL);
      expect(b.stack.exports.udp_recvfrom!(h, 0, 10, 16)).toBe(ERRNO.EINVAL);
    }
  });

  test("recvfrom with a buffer or meta pointer outside memory → EINVAL", () => {
    const b = newIpBoard();
    const s = b.stack.udpBind(5000);
    const end = b.stack.exports.memory.buffer.byteLength;
    expect(b.stack.exports.udp_recvfrom!(s, end - 4, 10, 0)).toBe(ERRNO.EINVAL);
    expect(b.stack.exports.udp_recvfrom!(s, 0, 10, end - 8)).toBe(ERRNO.EINVAL);
    expect(b.stack.exports.udp_sendto!(s, ipNumber(PEER_IP), 7, end - 4, 10)).toBe(ERRNO.EINVAL);
  });
});

describe("input", () => {
  test("a datagram to a bound port is queued whole with its source; recvfrom returns it once", () => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    expect(b.stack.udpRecvfrom(s)).toBeNull();
    b.stack.input(fromPeer(40000, 5000, pattern(33)));
    expect(b.stack.udpRecvfrom(s)).toEqual({ data: pattern(33), from: PEER_IP, port: 40000, length: 33 });
    expect(b.stack.udpRecvfrom(s)).toBeNull();
    expect(b.stack.stats()).toMatchObject({ udp_rx: 1, udp_drop_checksum: 0, udp_drop_malformed: 0 });
  });

  test("a longer datagram than the buffer is truncated, meta has the full length, and the rest is discarded", () => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    b.stack.input(fromPeer(40000, 5000, pattern(100, 1)));
    b.stack.input(fromPeer(40001, 5000, pattern(5, 2)));
    expect(b.stack.udpRecvfrom(s, 10)).toEqual({ data: pattern(100, 1).subarray(0, 10), from: PEER_IP, port: 40000, length: 100 });
    expect(b.stack.udpRecvfrom(s)).toEqual({ data: pattern(5, 2), from: PEER_IP, port: 40001, length: 5 });
  });

  test("an empty datagram is a datagram", () => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    b.stack.input(fromPeer(40000, 5000, new Uint8Array(0)));
    expect(b.stack.udpRecvfrom(s)).toEqual({ data: new Uint8Array(0), from: PEER_IP, port: 40000, length: 0 });
  });

  test("checksum 0 (none computed) is accepted; a wrong one is dropped and counted", () => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    b.stack.input(fromPeer(40000, 5000, pattern(8), { checksum: 0 }));
    expect(b.stack.udpRecvfrom(s)?.data).toEqual(pattern(8));
    const good = buildUdp({ srcIp: PEER_IP, dstIp: BOARD_IP, srcPort: 40000, dstPort: 5000, payload: pattern(8) });
    const bad = (new DataView(good.buffer).getUint16(6) ^ 0x0101) || 1;
    b.stack.input(fromPeer(40000, 5000, pattern(8), { checksum: bad }));
    expect(b.stack.udpRecvfrom(s)).toBeNull();
    expect(b.stack.stats().udp_drop_checksum).toBe(1);
    expect(b.stack.takeSent()).toEqual([]);
  });

  test.each([
    ["length 7 (shorter than the header)", 7],
    ["length past the IP payload", 8 + 9],
  ])("%s → udp_drop_malformed, nothing queued", (_n, length) => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    b.stack.input(fromPeer(40000, 5000, pattern(8), { length, checksum: 0 }));
    expect(b.stack.udpRecvfrom(s)).toBeNull();
    expect(b.stack.stats().udp_drop_malformed).toBe(1);
  });

  test("a length field shorter than the IP payload: the bytes after it are not data", () => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    b.stack.input(fromPeer(40000, 5000, pattern(8), { length: 8 + 3, checksum: 0 }));
    expect(b.stack.udpRecvfrom(s)?.data).toEqual(pattern(8).subarray(0, 3));
  });

  test("a datagram shorter than the UDP header → udp_drop_malformed", () => {
    const b = boardWithPeer();
    b.stack.input(buildEthernet({ dst: BOARD_MAC, src: PEER_MAC, type: 0x0800, payload: buildIpv4({ src: PEER_IP, dst: BOARD_IP, protocol: 17, payload: pattern(5) }) }));
    expect(b.stack.stats().udp_drop_malformed).toBe(1);
  });

  test("the ring keeps datagrams in order and drops (and counts) one that does not fit whole", () => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    // 2048-byte ring, 8 bytes of bookkeeping per datagram: three of 600 fit, a fourth does not.
    // Seeds start at 1 so every datagram's bytes differ (pattern() takes a seed of 0 as 1).
    for (let i = 0; i < 4; i++) b.stack.input(fromPeer(40000 + i, 5000, pattern(600, i + 1)));
    expect(b.stack.stats().udp_drop_rx_full).toBe(1);
    for (let i = 0; i < 3; i++) expect(b.stack.udpRecvfrom(s)).toEqual({ data: pattern(600, i + 1), from: PEER_IP, port: 40000 + i, length: 600 });
    expect(b.stack.udpRecvfrom(s)).toBeNull();
    // Room again, and entries wrap around the end of the ring intact.
    for (let round = 0; round < 5; round++) {
      b.stack.input(fromPeer(41000, 5000, pattern(700, round + 1)));
      expect(b.stack.udpRecvfrom(s)?.data).toEqual(pattern(700, round + 1));
    }
  });

  test("udp_close drops the queued datagrams", () => {
    const b = boardWithPeer();
    const s = b.stack.udpBind(5000);
    b.stack.input(fromPeer(40000, 5000, pattern(8)));
    b.stack.udpClose(s);
    const s2 = b.stack.udpBind(5000);
    expect(b.stack.udpRecvfrom(s2)).toBeNull();
  });
});

describe("ICMP port unreachable (RFC 1122 §4.1.3.1, RFC 792)", () => {
  test("a datagram to an unbound port → type 3 code 3 quoting the IP header and 8 data bytes", () => {
    const b = boardWithPeer();
    const frame = fromPeer(40000, 9999, pattern(20));
    b.stack.input(frame);
    const [f, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    const e = parseEthernet(f)!;
    expect(e).toMatchObject({ dst: PEER_MAC, src: BOARD_MAC, type: 0x0800 });
    const iph = parseIpv4(e.payload)!;
    expect(iph).toMatchObject({ protocol: 1, src: BOARD_IP, dst: PEER_IP, ttl: 64, checksumValid: true, totalLength: 20 + 8 + 20 + 8 });
    const icmp = parseIcmp(iph.payload)!;
    expect(icmp).toMatchObject({ type: 3, code: 3, checksumValid: true, id: 0, seq: 0 });
    expect(icmp.data).toEqual(frame.subarray(14, 14 + 28));
    expect(internetChecksum(iph.payload)).toBe(0);
    expect(b.stack.stats()).toMatchObject({ udp_drop_no_port: 1, icmp_unreach_sent: 1 });
  });

  test.each([
    ["255.255.255.255", BROADCAST_MAC],
    ["10.0.0.255", BROADCAST_MAC],
  ])("to the broadcast address %s → no ICMP (RFC 1122 §3.2.2)", (dst, dstMac) => {
    const b = boardWithPeer();
    b.stack.input(fromPeer(40000, 9999, pattern(4), { dst, dstMac }));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats()).toMatchObject({ udp_drop_no_port: 1, icmp_unreach_sent: 0 });
  });

  test("from 0.0.0.0 (a host without an address) → no ICMP", () => {
    const b = boardWithPeer();
    b.stack.input(udpFrame({ srcIp: "0.0.0.0", dstIp: BOARD_IP, srcPort: 68, dstPort: 9999, payload: pattern(4) }, { srcMac: PEER_MAC, dstMac: BOARD_MAC }));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats()).toMatchObject({ udp_drop_no_port: 1, icmp_unreach_sent: 0 });
  });

  test("rate-limited: a burst of 5, then one per 200 ms", () => {
    const b = boardWithPeer();
    for (let i = 0; i < 12; i++) b.stack.input(fromPeer(40000, 9000 + i, pattern(4)));
    expect(b.stack.takeSent()).toHaveLength(5);
    expect(b.stack.stats()).toMatchObject({ icmp_unreach_sent: 5, icmp_unreach_limited: 7 });
    advance(b, 199);
    b.stack.input(fromPeer(40000, 9100, pattern(4)));
    expect(b.stack.takeSent()).toHaveLength(0);
    advance(b, 1);
    b.stack.input(fromPeer(40000, 9101, pattern(4)));
    expect(b.stack.takeSent()).toHaveLength(1);
    advance(b, 10_000);
    for (let i = 0; i < 8; i++) b.stack.input(fromPeer(40000, 9200 + i, pattern(4)));
    expect(b.stack.takeSent()).toHaveLength(5);
  });
});
