/**
 * The packet library (host-sim/wire): checksums against published vectors
 * (RFC 1071 §3, a well-known IPv4 header) and a SYN Linux sent, builders and parsers
 * round-tripping every field, parsers refusing what does not fit without
 * throwing, and — where tshark is installed — Wireshark's own dissectors
 * agreeing that every checksum the builders write is right.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { VirtualClock } from "../host-sim/clock.js";
import { appendFcs } from "../host-sim/crc32.js";
import { PcapWriter } from "../host-sim/pcap.js";
import {
  ACK, ARP_REPLY, ARP_REQUEST, ETHERTYPE_ARP, ETHERTYPE_IPV4, FIN, ICMP_ECHO_REQUEST, IPPROTO_UDP, OPT_NOP, PSH, SYN,
  arpFrame, buildEthernet, buildIcmp, buildIpv4, buildTcp, buildUdp, checksumOf, flagNames, internetChecksum, ipNumber, ipString,
  macBytes, onesSum, parseArpFrame, parseEthernet, parseIcmp, parseIpv4, parseOptions, parseTcp, parseTcpFrame, parseTcpPacket, parseUdp, pattern, tcpFrame,
} from "../host-sim/wire/index.js";

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((h) => parseInt(h, 16)));

describe("the Internet checksum", () => {
  test("RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2", () => {
    const b = hex("0001 f203 f4f5 f6f7");
    expect(onesSum(b)).toBe(0xddf2);
    expect(internetChecksum(b)).toBe(0x220d);
  });

  test("a published IPv4 header (checksum b861) checks to 0 and is recomputed to b861", () => {
    const h = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
    expect(internetChecksum(h)).toBe(0);
    h[10] = 0; h[11] = 0;
    expect(internetChecksum(h)).toBe(0xb861);
  });

  test("a SYN Linux sent (captured with tshark -i any on loopback): its IPv4 header checksum checks, its options parse as Linux wrote them", () => {
    // IPv4 + TCP of 127.0.0.1:40316 → 127.0.0.1:47123 SYN; the TCP checksum on loopback is left to offload, so only the IPv4 one is whole.
    const ip = hex("4500 003c 1cee 4000 4006 1fcc 7f00 0001 7f00 0001" +
      "9d7c b813 e517 ce2f 0000 0000 a002 ffd7 fe30 0000 0204 ffd7 0402 080a f6ff 39d0 0000 0000 0103 030a");
    const p = parseTcpPacket(ip);
    if (typeof p === "string") throw new Error(p);
    expect(p.ip).toMatchObject({ checksum: 0x1fcc, checksumValid: true, df: true, ttl: 64, id: 0x1cee, src: "127.0.0.1", dst: "127.0.0.1" });
    expect(p.tcp).toMatchObject({ srcPort: 40316, dstPort: 47123, seq: 0xe517ce2f, flags: SYN, window: 65495, dataOffset: 10 });
    expect(p.tcp.options.malformed).toBe(false);
    expect(p.tcp.options.mss).toBe(65495);
    expect(p.tcp.options.list.map((o) => [o.kind, o.length ?? 1])).toEqual([[2, 4], [4, 2], [8, 10], [1, 1], [3, 3]]);
    ip[10] = 0; ip[11] = 0;
    expect(internetChecksum(ip, 0, 20)).toBe(0x1fcc);
  });

  test("split into parts of odd length, the sum is the same as over one buffer", () => {
    const all = pattern(101, 9);
    for (const cut of [0, 1, 2, 33, 50, 100, 101]) {
      expect(checksumOf(all.subarray(0, cut), all.subarray(cut))).toBe(internetChecksum(all));
    }
    expect(checksumOf(all.subarray(0, 3), all.subarray(3, 4), all.subarray(4, 7), all.subarray(7))).toBe(internetChecksum(all));
  });
});

describe("builders and parsers round-trip", () => {
  test("Ethernet II with and without an 802.1Q tag", () => {
    const f = buildEthernet({ dst: "ff:ff:ff:ff:ff:ff", src: "02:00:0a:00:00:01", type: ETHERTYPE_ARP, payload: pattern(28) });
    expect(parseEthernet(f)).toMatchObject({ dst: "ff:ff:ff:ff:ff:ff", src: "02:00:0a:00:00:01", type: ETHERTYPE_ARP, offset: 14 });
    const tagged = buildEthernet({ dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01", type: 0x8100, payload: Uint8Array.of(0x00, 0x05, 0x08, 0x00, 0x45) });
    expect(parseEthernet(tagged)).toMatchObject({ type: ETHERTYPE_IPV4, vlan: 5, offset: 18 });
    expect(parseEthernet(new Uint8Array(13))).toBeNull();
    expect(parseEthernet(tagged.subarray(0, 16))).toBeNull();
  });

  test("ARP request and reply (RFC 826)", () => {
    const req = arpFrame({ op: ARP_REQUEST, sha: "02:00:0a:00:00:01", spa: "10.0.0.1", tpa: "10.0.0.2" });
    expect(parseEthernet(req)!.dst).toBe("ff:ff:ff:ff:ff:ff");
    expect(parseArpFrame(req)).toEqual({ htype: 1, ptype: 0x0800, hlen: 6, plen: 4, op: 1, sha: "02:00:0a:00:00:01", spa: "10.0.0.1", tha: "00:00:00:00:00:00", tpa: "10.0.0.2" });
    const rep = arpFrame({ op: ARP_REPLY, sha: "02:00:0a:00:00:02", spa: "10.0.0.2", tha: "02:00:0a:00:00:01", tpa: "10.0.0.1" });
    expect(parseEthernet(rep)!.dst).toBe("02:00:0a:00:00:01");
    expect(parseArpFrame(rep)!.op).toBe(2);
    expect(parseArpFrame(rep.subarray(0, 41))).toBeNull();
  });

  test("IPv4: every field, NOP options, and what is refused", () => {
    const p = buildIpv4({ src: "10.0.0.1", dst: 0x0a000002, protocol: IPPROTO_UDP, payload: pattern(9), id: 0xbeef, ttl: 3, tos: 0x10, flags: 1, fragOffset: 0x123, ihl: 6 });
    const q = parseIpv4(p)!;
    expect(q).toMatchObject({ version: 4, ihl: 6, tos: 0x10, totalLength: 33, id: 0xbeef, flags: 1, df: false, mf: true, fragOffset: 0x123, ttl: 3, protocol: 17, checksumValid: true, src: "10.0.0.1", dst: "10.0.0.2" });
    expect([...p.subarray(20, 24)]).toEqual([1, 1, 1, 1]);
    expect(q.payload).toEqual(pattern(9));
    expect(parseIpv4(buildIpv4({ src: "1.2.3.4", dst: "5.6.7.8", protocol: 6, payload: pattern(4), checksum: 0x1234 }))!.checksumValid).toBe(false);
    expect(parseIpv4(buildIpv4({ src: "1.2.3.4", dst: "5.6.7.8", protocol: 6, payload: pattern(4), version: 6 }))).toBeNull();
    expect(parseIpv4(buildIpv4({ src: "1.2.3.4", dst: "5.6.7.8", protocol: 6, payload: pattern(4), totalLength: 200 }))).toBeNull();
    expect(parseIpv4(buildIpv4({ src: "1.2.3.4", dst: "5.6.7.8", protocol: 6, payload: pattern(4), ihl: 4 }))).toBeNull();
    // Ethernet padding after the datagram is not payload.
    const padded = new Uint8Array(46); padded.set(buildIpv4({ src: "1.2.3.4", dst: "5.6.7.8", protocol: 6, payload: pattern(4) }));
    expect(parseIpv4(padded)!.payload.length).toBe(4);
  });

  test("ICMP echo (RFC 792)", () => {
    const m = buildIcmp({ type: ICMP_ECHO_REQUEST, code: 0, id: 0x4242, seq: 7, data: pattern(33) });
    expect(parseIcmp(m)).toMatchObject({ type: 8, code: 0, id: 0x4242, seq: 7, checksumValid: true, data: pattern(33) });
    m[10] ^= 1;
    expect(parseIcmp(m)!.checksumValid).toBe(false);
    expect(parseIcmp(m.subarray(0, 7))).toBeNull();
  });

  test("UDP (RFC 768): pseudo-header checksum, 0 means none", () => {
    const u = buildUdp({ srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 5353, dstPort: 53, payload: pattern(5) });
    expect(parseUdp(u, "10.0.0.1", "10.0.0.2")).toMatchObject({ srcPort: 5353, dstPort: 53, length: 13, checksumValid: true, payload: pattern(5) });
    expect(parseUdp(u, "10.0.0.1", "10.0.0.3")!.checksumValid).toBe(false);
    const none = buildUdp({ srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 1, dstPort: 2, payload: pattern(5), checksum: 0 });
    expect(parseUdp(none, "9.9.9.9", "8.8.8.8")!.checksumValid).toBe(true);
    expect(parseUdp(u.subarray(0, 12), "10.0.0.1", "10.0.0.2")).toBeNull();
  });

  test("TCP: header, MSS and raw options, payload; the frame parses back to the same segment", () => {
    const seg = { srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 49152, dstPort: 80, seq: 0xfffffff0, ack: 20001, flags: PSH | ACK, window: 4096, urgent: 3, mss: 1460, options: Uint8Array.of(OPT_NOP, OPT_NOP, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2), payload: pattern(100) };
    const f = tcpFrame(seg, { srcMac: "02:00:0a:00:00:01", dstMac: "02:00:0a:00:00:02", id: 77 });
    const p = parseTcpFrame(f);
    if (typeof p === "string") throw new Error(p);
    expect(p.eth).toMatchObject({ src: "02:00:0a:00:00:01", dst: "02:00:0a:00:00:02", type: 0x0800 });
    expect(p.ip).toMatchObject({ id: 77, df: true, protocol: 6, checksumValid: true, src: "10.0.0.1", dst: "10.0.0.2" });
    expect(p.tcp).toMatchObject({ srcPort: 49152, dstPort: 80, seq: 0xfffffff0, ack: 20001, flags: PSH | ACK, window: 4096, urgent: 3, dataOffset: 9, checksumValid: true, segLen: 100 });
    expect(p.tcp.options.mss).toBe(1460);
    expect(p.tcp.options.list.map((o) => o.kind)).toEqual([2, 1, 1, 8]);
    expect(p.tcp.payload).toEqual(pattern(100));
  });

  test("TCP: SYN and FIN take sequence space; damage options show as written", () => {
    const t = buildTcp({ srcIp: "1.1.1.1", dstIp: "2.2.2.2", srcPort: 1, dstPort: 2, seq: 5, flags: SYN | FIN }, { reserved: 0xf, checksumDelta: 1, dataOffset: 5 });
    const p = parseTcp(t, "1.1.1.1", "2.2.2.2")!;
    expect(p).toMatchObject({ segLen: 2, reserved: 0xf, checksumValid: false, window: 65535, ack: 0 });
    expect(parseTcp(buildTcp({ srcIp: "1.1.1.1", dstIp: "2.2.2.2", srcPort: 1, dstPort: 2, seq: 5, flags: SYN }, { dataOffset: 15 }), "1.1.1.1", "2.2.2.2")).toBeNull();
    expect(parseTcp(t.subarray(0, 19), "1.1.1.1", "2.2.2.2")).toBeNull();
  });

  test("TCP options: malformed lengths are reported, never thrown", () => {
    expect(parseOptions(Uint8Array.of(2, 4, 5, 0xb4, 0, 9, 9)).mss).toBe(1460);
    expect(parseOptions(Uint8Array.of(2, 3, 5)).malformed).toBe(true);
    expect(parseOptions(Uint8Array.of(8, 1)).malformed).toBe(true);
    expect(parseOptions(Uint8Array.of(8, 20, 0)).malformed).toBe(true);
    expect(parseOptions(Uint8Array.of(1, 8)).malformed).toBe(true);
  });

  test("frames that are not TCP, later fragments, and cut headers", () => {
    expect(parseTcpFrame(arpFrame({ op: 1, sha: "02:00:00:00:00:01", spa: "10.0.0.1", tpa: "10.0.0.2" }))).toBe("other");
    const frag = buildEthernet({ dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01", type: 0x0800, payload: buildIpv4({ src: "1.1.1.1", dst: "2.2.2.2", protocol: 6, payload: pattern(8), flags: 0, fragOffset: 3 }) });
    expect(parseTcpFrame(frag)).toBe("other");
    const f = tcpFrame({ srcIp: "1.1.1.1", dstIp: "2.2.2.2", srcPort: 1, dstPort: 2, seq: 1, flags: ACK });
    expect(parseTcpFrame(f.subarray(0, 40))).toBe("malformed");
    expect(parseTcpFrame(f.subarray(0, 10))).toBe("malformed");
    expect(parseTcpFrame(tcpFrame({ srcIp: "1.1.1.1", dstIp: "2.2.2.2", srcPort: 1, dstPort: 2, seq: 1, flags: ACK }, { truncateTcpTo: 12 }))).toBe("malformed");
  });

  test("addresses and flag names", () => {
    expect(ipNumber("10.0.0.2")).toBe(0x0a000002);
    expect(ipString(0xc0a80001)).toBe("192.168.0.1");
    expect([...macBytes("02-00-0a-00-00-ff")]).toEqual([2, 0, 10, 0, 0, 255]);
    expect(() => ipNumber("10.0.0.256")).toThrow(/bad IPv4/);
    expect(() => macBytes("02:00")).toThrow(/bad MAC/);
    expect(flagNames(SYN | ACK)).toBe("SYN/ACK");
    expect(flagNames(FIN | PSH | ACK)).toBe("FIN/PSH/ACK");
    expect(flagNames(0)).toBe("none");
  });
});

describe("parsers on hostile bytes", () => {
  test("10,000 random and mutated frames: every parser returns a value or null, none throws", () => {
    const seeds = [
      tcpFrame({ srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 1, dstPort: 2, seq: 3, flags: SYN, mss: 1460, payload: pattern(20) }),
      arpFrame({ op: 1, sha: "02:00:00:00:00:01", spa: "10.0.0.1", tpa: "10.0.0.2" }),
      buildEthernet({ dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01", type: 0x0800, payload: buildIpv4({ src: "1.1.1.1", dst: "2.2.2.2", protocol: 17, payload: buildUdp({ srcIp: "1.1.1.1", dstIp: "2.2.2.2", srcPort: 1, dstPort: 2, payload: pattern(9) }) }) }),
    ];
    const bytes = pattern(10_000 * 8, 77);
    let k = 0;
    const next = () => bytes[k++ % bytes.length];
    for (let i = 0; i < 10_000; i++) {
      let f: Uint8Array;
      if (i % 4 === 0) f = pattern(next() % 120, i + 1);
      else {
        f = seeds[i % seeds.length].slice(0, seeds[i % seeds.length].length - (next() % 8));
        for (let m = next() % 6; m > 0; m--) f[next() % f.length] = next();
      }
      expect(() => {
        parseTcpFrame(f); parseArpFrame(f); parseEthernet(f); parseIpv4(f.subarray(14)); parseIcmp(f.subarray(34));
        parseUdp(f.subarray(34), "1.1.1.1", "2.2.2.2"); parseTcp(f.subarray(34), "1.1.1.1", "2.2.2.2"); parseOptions(f.subarray(54));
      }).not.toThrow();
    }
  });
});

const haveTshark = spawnSync("tshark", ["-v"], { stdio: "ignore" }).status === 0;
if (!haveTshark && !process.env.CI) console.warn("wire: the tshark cross-check is skipped: tshark is not installed (CI installs it)");

describe("Wireshark agrees with the builders", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "embertcp-wire-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.runIf(haveTshark || !!process.env.CI)("IPv4, TCP, UDP and ICMP checksums are all Good, nothing malformed", () => {
    const file = path.join(dir, "wire.pcap");
    const w = new PcapWriter(file, { clock: new VirtualClock() });
    const frames = [
      tcpFrame({ srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 49152, dstPort: 80, seq: 10000, flags: SYN, mss: 1460 }),
      tcpFrame({ srcIp: "10.0.0.2", dstIp: "10.0.0.1", srcPort: 80, dstPort: 49152, seq: 20000, ack: 10001, flags: SYN | ACK, mss: 536 }),
      tcpFrame({ srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 49152, dstPort: 80, seq: 10001, ack: 20001, flags: PSH | ACK, payload: pattern(333) }),
      buildEthernet({ dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01", type: 0x0800, payload: buildIpv4({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 17, payload: buildUdp({ srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 40000, dstPort: 9, payload: pattern(31) }) }) }),
      buildEthernet({ dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01", type: 0x0800, payload: buildIpv4({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 1, payload: buildIcmp({ type: 8, code: 0, id: 1, seq: 2, data: pattern(57) }) }) }),
      arpFrame({ op: 1, sha: "02:00:00:00:00:01", spa: "10.0.0.1", tpa: "10.0.0.2" }),
    ];
    for (const f of frames) w.write(appendFcs(f)); // the writer takes wire frames, FCS included
    w.close();
    const tshark = (filter: string) => {
      const r = spawnSync("tshark", ["-n", "-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
        "-Y", filter], { encoding: "utf8", timeout: 60_000 });
      expect(r.status).toBe(0);
      return r.stdout.trim().split("\n").filter((l) => l).length;
    };
    expect(tshark("frame")).toBe(frames.length);
    expect(tshark('ip.checksum.status == "Good"')).toBe(5);
    expect(tshark('tcp.checksum.status == "Good" || udp.checksum.status == "Good" || icmp.checksum.status == "Good"')).toBe(5);
    expect(tshark("_ws.malformed || _ws.expert.severity == error")).toBe(0);
  });
});
