import { describe, expect, test } from "vitest";
import { internetChecksum, buildEthernet, buildIcmp, buildIpv4, parseEthernet, parseIcmp, parseIpv4, pattern } from "../host-sim/wire/index.js";
import { BOARD_IP, BOARD_MAC, PEER_IP, PEER_MAC, echoRequest, newIpBoard, peerArpRequest, peerIpFrame } from "./helpers/board.js";

/** A board that already knows the peer's MAC. */
function boardWithPeer() {
  const b = newIpBoard();
  b.stack.input(peerArpRequest());
  b.stack.takeSent();
  return b;
}

describe("ICMP echo", () => {
  test.each([0, 56, 1472])("echo request with %i data bytes → byte-exact echo reply", (n) => {
    const b = boardWithPeer();
    const data = pattern(n, n + 1);
    b.stack.input(echoRequest(data, 0xbeef, 0x0102, { id: 0x7777, ttl: 17 }));
    const [f, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    expect(f.length).toBe(14 + 20 + 8 + n);
    const e = parseEthernet(f);
    expect(e).toMatchObject({ dst: PEER_MAC, src: BOARD_MAC, type: 0x0800 });
    const ipH = parseIpv4(e.payload);
    expect(ipH).toMatchObject({
      version: 4, ihl: 5, tos: 0, totalLength: 20 + 8 + n, flags: 0b010, fragOffset: 0,
      ttl: 64, protocol: 1, checksumValid: true, src: BOARD_IP, dst: PEER_IP,
    });
    const icmp = parseIcmp(ipH.payload);
    expect(icmp).toMatchObject({ type: 0, code: 0, id: 0xbeef, seq: 0x0102, checksumValid: true });
    expect(icmp.data).toEqual(data);
    // The reply is the request with type 0 and a fresh checksum.
    const expected = buildIcmp({ type: 0, code: 0, id: 0xbeef, seq: 0x0102, data });
    expect(ipH.payload).toEqual(expected);
    expect(b.stack.stats()).toMatchObject({ icmp_rx: 1, icmp_echo_replies: 1, ip_rx: 1, ip_tx: 1 });
  });

  test("IP identifications are unpredictable, not a counter (RFC 6864 §4.1, RFC 7739 §5.1): 1,000 replies, no run of +1 steps", () => {
    const b = boardWithPeer();
    for (let i = 0; i < 1000; i++) b.stack.input(echoRequest(pattern(8), 1, i));
    const ids = b.stack.takeSent().map((f) => parseIpv4(parseEthernet(f).payload).id);
    expect(ids).toHaveLength(1000);
    // A counter (the idle-scan zombie of RFC 7739 §3) steps by a small constant.
    const steps = ids.slice(1).map((id, i) => (id - ids[i]) & 0xffff);
    expect(steps.filter((d) => d >= 1 && d <= 16).length).toBeLessThan(10);
    // Spread over the 16-bit range: every eighth of it is hit.
    const eighths = new Set(ids.map((id) => id >> 13));
    expect(eighths.size).toBe(8);
  });

  test("two boards with different entropy send different identification sequences", () => {
    const first = (seed: number) => {
      const b = newIpBoard({ seed });
      b.stack.input(peerArpRequest());
      b.stack.takeSent();
      for (let i = 0; i < 4; i++) b.stack.input(echoRequest(pattern(8), 1, i));
      return b.stack.takeSent().map((f) => parseIpv4(parseEthernet(f).payload).id);
    };
    expect(first(1)).not.toEqual(first(2));
  });

  test.each([1501, 1504])("an echo request in a %i-byte datagram (over the 1500-byte MTU) → no reply, ip_drop_oversize (RFC 1122 §3.3.3)", (total) => {
    const b = boardWithPeer();
    b.stack.input(echoRequest(pattern(total - 28)));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats()).toMatchObject({ ip_drop_oversize: 1, icmp_echo_replies: 0 });
  });

  test("an echo request in a 1500-byte datagram → a 1514-byte reply frame, the largest the board sends", () => {
    const b = boardWithPeer();
    b.stack.input(echoRequest(pattern(1472)));
    const [f] = b.stack.takeSent();
    expect(f.length).toBe(1514);
    expect(parseIpv4(parseEthernet(f).payload).totalLength).toBe(1500);
  });

  test("a request carrying IP options (IHL 6) is answered without them", () => {
    const b = boardWithPeer();
    b.stack.input(echoRequest(pattern(20), 3, 4, { ihl: 6 }));
    const [f] = b.stack.takeSent();
    const ipH = parseIpv4(parseEthernet(f).payload);
    expect(ipH.ihl).toBe(5);
    expect(parseIcmp(ipH.payload)).toMatchObject({ type: 0, id: 3, seq: 4, checksumValid: true });
  });

  test("Ethernet padding after the datagram is ignored (RFC 894 minimum frame)", () => {
    const b = boardWithPeer();
    const f = echoRequest(new Uint8Array(0));
    const padded = new Uint8Array(60);
    padded.set(f);
    padded.fill(0xaa, f.length);
    b.stack.input(padded);
    const [r] = b.stack.takeSent();
    expect(parseIcmp(parseIpv4(parseEthernet(r).payload).payload)).toMatchObject({ type: 0, checksumValid: true, data: new Uint8Array(0) });
  });

  test("bad ICMP checksum → no reply, icmp_drop_checksum", () => {
    const b = boardWithPeer();
    b.stack.input(peerIpFrame({ protocol: 1, payload: buildIcmp({ type: 8, code: 0, id: 1, seq: 1, data: pattern(8), checksum: 0x1234 }) }));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats()).toMatchObject({ icmp_drop_checksum: 1, icmp_echo_replies: 0 });
  });

  test("ICMP shorter than its 8-byte header → no reply, icmp_drop_checksum", () => {
    const b = boardWithPeer();
    b.stack.input(peerIpFrame({ protocol: 1, payload: Uint8Array.of(8, 0, 0xf7, 0xff) }));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats().icmp_drop_checksum).toBe(1);
  });

  test.each([
    ["echo reply", 0, 0],
    ["destination unreachable", 3, 1],
    ["echo request with code 1", 8, 1],
    ["timestamp", 13, 0],
  ])("%s → not answered, icmp_drop_type", (_n, type, code) => {
    const b = boardWithPeer();
    b.stack.input(peerIpFrame({ protocol: 1, payload: buildIcmp({ type, code, id: 1, seq: 1, data: pattern(8) }) }));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats().icmp_drop_type).toBe(1);
  });

  test.each(["255.255.255.255", "10.0.0.255"])("echo to broadcast %s → not answered (RFC 1122 §3.2.2.6)", (dst) => {
    const b = boardWithPeer();
    b.stack.input(buildEthernet({ dst: "ff:ff:ff:ff:ff:ff", src: PEER_MAC, type: 0x0800,
      payload: buildIpv4({ src: PEER_IP, dst, protocol: 1, payload: buildIcmp({ type: 8, code: 0, id: 1, seq: 1, data: pattern(8) }) }) }));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats()).toMatchObject({ icmp_rx: 1, icmp_drop_broadcast: 1 });
  });

  test("the reply's ICMP checksum is right for odd data lengths", () => {
    const b = boardWithPeer();
    b.stack.input(echoRequest(pattern(33)));
    const [f] = b.stack.takeSent();
    const icmpBytes = parseIpv4(parseEthernet(f).payload).payload;
    expect(internetChecksum(icmpBytes)).toBe(0);
  });
});
