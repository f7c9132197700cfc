import { describe, expect, test } from "vitest";
import { SYN, buildEthernet, buildIcmp, buildIpv4, pattern, tcpFrame } from "../host-sim/wire/index.js";
import { BOARD_IP, BOARD_MAC, PEER_IP, PEER_MAC, echoRequest, newIpBoard, peerArpRequest, peerIpFrame } from "./helpers/board.js";
import type { StatName } from "../host-sim/abi-tables.js";

function boardWithPeer() {
  const b = newIpBoard();
  b.stack.input(peerArpRequest());
  b.stack.takeSent();
  return b;
}

const echo = () => buildIcmp({ type: 8, code: 0, id: 1, seq: 1, data: pattern(16) });

/** Feed one frame; expect no reply and exactly the named drop counter to rise by one. */
function expectDropped(frame: Uint8Array, counter: StatName) {
  expectDroppedOn(boardWithPeer(), frame, counter);
}

function expectDroppedOn(b: ReturnType<typeof boardWithPeer>, frame: Uint8Array, counter: StatName) {
  const before = b.stack.stats();
  b.stack.input(frame);
  expect(b.stack.takeSent()).toEqual([]);
  const after = b.stack.stats();
  const risen = Object.keys(after).filter((k) => k.includes("drop") && after[k as StatName] !== before[k as StatName]);
  expect(risen).toEqual([counter]);
  expect(after[counter] - before[counter]).toBe(1);
}

describe("IPv4 input validation (RFC 791, RFC 1122 §3.2.1)", () => {
  test("bad header checksum → ip_drop_checksum", () => {
    expectDropped(peerIpFrame({ protocol: 1, payload: echo(), checksum: 0xdead }), "ip_drop_checksum");
  });

  test("a header with options: a byte changed in the options after the checksum was computed → ip_drop_checksum", () => {
    const frame = peerIpFrame({ protocol: 1, payload: echo(), ihl: 7 });
    frame[14 + 24] ^= 0x40; // the second option word: only a sum over the whole header sees it
    expectDropped(frame, "ip_drop_checksum");
  });

  test("destination neither ours nor broadcast → ip_drop_not_ours", () => {
    expectDropped(peerIpFrame({ protocol: 1, payload: echo(), dst: "10.0.0.3" }), "ip_drop_not_ours");
  });

  test.each([0, 1, 4])("IHL %i (< 5) → ip_drop_header", (ihl) => {
    expectDropped(peerIpFrame({ protocol: 1, payload: echo(), ihl }), "ip_drop_header");
  });

  test("version 6 in an IPv4 frame → ip_drop_header", () => {
    expectDropped(peerIpFrame({ protocol: 1, payload: echo(), version: 6 }), "ip_drop_header");
  });

  test("total length past the end of the frame → ip_drop_header", () => {
    expectDropped(peerIpFrame({ protocol: 1, payload: echo(), totalLength: 20 + 24 + 1 }), "ip_drop_header");
  });

  test("total length shorter than the header → ip_drop_header", () => {
    expectDropped(peerIpFrame({ protocol: 1, payload: echo(), totalLength: 19 }), "ip_drop_header");
  });

  test("IHL pointing past the total length → ip_drop_header", () => {
    expectDropped(peerIpFrame({ protocol: 1, payload: new Uint8Array(0), ihl: 15, totalLength: 40 }), "ip_drop_header");
  });

  test.each([
    ["more-fragments set", { flags: 0b001 }],
    ["offset 185", { fragOffset: 185 }],
    ["last fragment (offset 1, MF clear)", { fragOffset: 1 }],
  ])("fragment (%s) → ip_drop_fragment", (_n, over) => {
    expectDropped(peerIpFrame({ protocol: 1, payload: echo(), ...over }), "ip_drop_fragment");
  });

  test("DF alone is not a fragment: answered", () => {
    const b = boardWithPeer();
    b.stack.input(peerIpFrame({ protocol: 1, payload: echo(), flags: 0b010 }));
    expect(b.stack.takeSent()).toHaveLength(1);
  });

  test("protocol 132 (SCTP) → ip_drop_proto", () => {
    expectDropped(peerIpFrame({ protocol: 132, payload: pattern(12) }), "ip_drop_proto");
  });

  test.each(["255.255.255.255", "224.0.0.1", "10.0.0.255", "0.0.0.0", "0.1.2.3", "127.0.0.1", "127.9.9.9", "240.0.0.1"])(
    "echo request from %s (no host has it, RFC 1122 §3.2.1.3) → silently discarded, ip_drop_source", (src) => {
      expectDropped(peerIpFrame({ protocol: 1, payload: echo(), src }), "ip_drop_source");
    });

  test.each(["0.0.0.0", "127.0.0.1", "224.0.0.251", "10.0.0.255"])(
    "TCP SYN from %s (RFC 1122 §3.2.1.3) → no SYN-ACK and no RST, ip_drop_source", (src) => {
      const syn = tcpFrame({ srcIp: src, dstIp: BOARD_IP, srcPort: 40000, dstPort: 80, seq: 1, flags: SYN, mss: 1460 },
        { srcMac: PEER_MAC, dstMac: BOARD_MAC });
      const b = boardWithPeer();
      b.stack.listen(80, 4);
      expectDroppedOn(b, syn, "ip_drop_source");
      // And to a port with no listener, where the answer would be a RST.
      expectDroppedOn(boardWithPeer(), syn, "ip_drop_source");
    });
});

describe("Ethernet input", () => {
  test("frame for another MAC → eth_drop_not_ours", () => {
    expectDropped(peerIpFrame({ protocol: 1, payload: echo() }, PEER_MAC, "02:00:00:00:00:33"), "eth_drop_not_ours");
  });

  test("multicast destination MAC → eth_drop_not_ours", () => {
    expectDropped(peerIpFrame({ protocol: 1, payload: echo() }, PEER_MAC, "01:00:5e:00:00:01"), "eth_drop_not_ours");
  });

  test("EtherType 0x86dd (IPv6) → eth_drop_type", () => {
    expectDropped(buildEthernet({ dst: BOARD_MAC, src: PEER_MAC, type: 0x86dd, payload: pattern(40) }), "eth_drop_type");
  });

  test("a frame longer than 1518 bytes → eth_drop_oversize", () => {
    const big = new Uint8Array(1600);
    big.set(echoRequest(pattern(1400)));
    expectDropped(big, "eth_drop_oversize");
  });

  test.each(Array.from({ length: 61 }, (_, n) => n))("truncated echo frame of %i bytes → no reply, one drop counter, no trap", (n) => {
    const full = echoRequest(pattern(18)); // 60 bytes
    const b = boardWithPeer();
    const before = b.stack.stats();
    b.stack.input(full.subarray(0, n));
    const sent = b.stack.takeSent();
    const after = b.stack.stats();
    const risen = Object.keys(after).filter((k) => /drop/.test(k) && after[k as StatName] !== before[k as StatName]);
    if (n === 60) {
      expect(sent).toHaveLength(1);
      expect(risen).toEqual([]);
    } else {
      expect(sent).toEqual([]);
      // Under 14 bytes there is no Ethernet header; beyond it, either the IPv4
      // header is cut short or its total length runs past the frame.
      expect(risen).toEqual([n < 14 ? "eth_drop_short" : "ip_drop_header"]);
    }
  });
});
