import { describe, expect, test } from "vitest";
import { BROADCAST_MAC, buildArp, buildEthernet, parseArp, parseEthernet, parseIcmp, parseIpv4, pattern } from "../host-sim/wire/index.js";
import { BOARD_IP, BOARD_MAC, PEER_IP, PEER_MAC, advance, echoRequest, newIpBoard, peerArpRequest } from "./helpers/board.js";
import { Stack } from "../host-sim/stack.js";

const ZERO_MAC = "00:00:00:00:00:00";

function arpFrame(op: number, o: { sha: string; spa: string; tha?: string; tpa: string; dst?: string }): Uint8Array {
  return buildEthernet({ dst: o.dst ?? BROADCAST_MAC, src: o.sha, type: 0x0806, payload: buildArp({ op, sha: o.sha, spa: o.spa, tha: o.tha ?? ZERO_MAC, tpa: o.tpa }) });
}

describe("ARP at start-up", () => {
  test("init: a gratuitous ARP request announces the board's address (RFC 5227 §2.3)", () => {
    const stack = new Stack();
    stack.init({ mac: BOARD_MAC, ip: BOARD_IP, netmask: "255.255.255.0", gateway: PEER_IP });
    const [f, ...rest] = stack.takeSent();
    expect(rest).toEqual([]);
    expect(f.length).toBe(42);
    const e = parseEthernet(f);
    expect(e).toMatchObject({ dst: BROADCAST_MAC, src: BOARD_MAC, type: 0x0806 });
    expect(parseArp(e.payload)).toEqual({
      htype: 1, ptype: 0x0800, hlen: 6, plen: 4, op: 1,
      sha: BOARD_MAC, spa: BOARD_IP, tha: ZERO_MAC, tpa: BOARD_IP,
    });
    expect(stack.stats().arp_requests_sent).toBe(1);
  });
});

describe("ARP requests for the board", () => {
  test("request for our address → reply with our MAC, to the asker", () => {
    const b = newIpBoard();
    b.stack.input(peerArpRequest());
    const [f, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    const e = parseEthernet(f);
    expect(e).toMatchObject({ dst: PEER_MAC, src: BOARD_MAC, type: 0x0806 });
    expect(parseArp(e.payload)).toEqual({
      htype: 1, ptype: 0x0800, hlen: 6, plen: 4, op: 2,
      sha: BOARD_MAC, spa: BOARD_IP, tha: PEER_MAC, tpa: PEER_IP,
    });
    expect(b.stack.stats()).toMatchObject({ arp_rx: 1, arp_replies_sent: 1, arp_cache_updates: 1 });
  });

  test("request for another address → no reply, nothing learned", () => {
    const b = newIpBoard();
    b.stack.input(peerArpRequest(undefined, "10.0.0.77"));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats()).toMatchObject({ arp_rx: 1, arp_replies_sent: 0, arp_cache_updates: 0 });
    // Not learned: an echo from that peer makes the board ask for its MAC.
    b.stack.input(echoRequest(pattern(8)));
    const [f] = b.stack.takeSent();
    expect(parseEthernet(f).type).toBe(0x0806);
    expect(parseArp(parseEthernet(f).payload)).toMatchObject({ op: 1, tpa: PEER_IP });
  });

  test("a probe (sender 0.0.0.0, RFC 5227) is answered but teaches nothing", () => {
    const b = newIpBoard();
    b.stack.input(arpFrame(1, { sha: PEER_MAC, spa: "0.0.0.0", tpa: BOARD_IP }));
    const [f] = b.stack.takeSent();
    expect(parseArp(parseEthernet(f).payload)).toMatchObject({ op: 2, tha: PEER_MAC, tpa: "0.0.0.0" });
    expect(b.stack.stats().arp_cache_updates).toBe(0);
  });

  test.each([
    ["hardware type 6", { htype: 6 }],
    ["protocol type 0x86dd", { ptype: 0x86dd }],
    ["hardware length 8", { hlen: 8 }],
    ["protocol length 16", { plen: 16 }],
    ["opcode 3", { op: 3 }],
  ])("malformed: %s → dropped and counted", (_name, over) => {
    const b = newIpBoard();
    const payload = buildArp({ op: 1, sha: PEER_MAC, spa: PEER_IP, tha: ZERO_MAC, tpa: BOARD_IP, ...over });
    b.stack.input(buildEthernet({ dst: BROADCAST_MAC, src: PEER_MAC, type: 0x0806, payload }));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats()).toMatchObject({ arp_rx: 1, arp_drop_malformed: 1, arp_replies_sent: 0 });
  });

  test.each([0, 1, 27])("truncated to %i bytes → dropped and counted", (n) => {
    const b = newIpBoard();
    const f = peerArpRequest().subarray(0, 14 + n);
    b.stack.input(f);
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats()).toMatchObject({ arp_rx: 1, arp_drop_malformed: 1 });
  });
});

describe("ARP cache", () => {
  test("learn: after the peer's request, an echo reply goes straight to the peer's MAC", () => {
    const b = newIpBoard();
    b.stack.input(peerArpRequest());
    b.stack.takeSent();
    b.stack.input(echoRequest(pattern(8)));
    const [f, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    expect(parseEthernet(f)).toMatchObject({ dst: PEER_MAC, src: BOARD_MAC, type: 0x0800 });
  });

  test("a reply that answers nothing we asked still updates an existing entry (RFC 826 merge)", () => {
    const b = newIpBoard();
    b.stack.input(peerArpRequest());
    b.stack.takeSent();
    const newMac = "02:00:00:00:00:99";
    b.stack.input(arpFrame(2, { sha: newMac, spa: PEER_IP, tha: BOARD_MAC, tpa: "10.0.0.50", dst: BOARD_MAC }));
    b.stack.input(echoRequest(pattern(8)));
    const [f] = b.stack.takeSent();
    expect(parseEthernet(f).dst).toBe(newMac);
  });

  test("age: an entry older than arp_timeout_ms is forgotten and resolved again", () => {
    const b = newIpBoard();
    b.stack.setConfig("arp_timeout_ms", 60_000);
    b.stack.input(peerArpRequest());
    b.stack.takeSent();
    advance(b, 60_001);
    b.stack.takeSent();
    b.stack.input(echoRequest(pattern(8)));
    const [f, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    expect(parseEthernet(f)).toMatchObject({ dst: BROADCAST_MAC, type: 0x0806 });
    expect(parseArp(parseEthernet(f).payload)).toMatchObject({ op: 1, sha: BOARD_MAC, spa: BOARD_IP, tpa: PEER_IP });
  });

  test("refresh: an entry used in the last quarter of its life is re-asked by unicast, still used meanwhile", () => {
    const b = newIpBoard();
    b.stack.setConfig("arp_timeout_ms", 60_000);
    b.stack.input(peerArpRequest());
    b.stack.takeSent();
    advance(b, 46_000);
    b.stack.input(echoRequest(pattern(8)));
    const sent = b.stack.takeSent().map(parseEthernet);
    expect(sent.map((e) => e.type).sort()).toEqual([0x0800, 0x0806]);
    const req = sent.find((e) => e.type === 0x0806)!;
    expect(req.dst).toBe(PEER_MAC);
    expect(parseArp(req.payload)).toMatchObject({ op: 1, tpa: PEER_IP });
    expect(sent.find((e) => e.type === 0x0800)!.dst).toBe(PEER_MAC);
    // The peer's reply renews the entry: well past the original expiry it is still used.
    b.stack.input(arpFrame(2, { sha: PEER_MAC, spa: PEER_IP, tha: BOARD_MAC, tpa: BOARD_IP, dst: BOARD_MAC }));
    advance(b, 30_000);
    b.stack.takeSent();
    b.stack.input(echoRequest(pattern(8)));
    expect(b.stack.takeSent().map((f) => parseEthernet(f).type)).toEqual([0x0800]);
  });
});

describe("a packet waiting on resolution", () => {
  test("the echo reply is held while the board asks, and sent when the answer comes", () => {
    const b = newIpBoard();
    b.stack.input(echoRequest(pattern(56), 7, 9));
    const [req] = b.stack.takeSent();
    expect(parseArp(parseEthernet(req).payload)).toMatchObject({ op: 1, tpa: PEER_IP, tha: ZERO_MAC });
    b.stack.input(arpFrame(2, { sha: PEER_MAC, spa: PEER_IP, tha: BOARD_MAC, tpa: BOARD_IP, dst: BOARD_MAC }));
    const [f, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    const e = parseEthernet(f);
    expect(e).toMatchObject({ dst: PEER_MAC, src: BOARD_MAC, type: 0x0800 });
    const icmp = parseIcmp(parseIpv4(e.payload).payload);
    expect(icmp).toMatchObject({ type: 0, id: 7, seq: 9, checksumValid: true });
    expect(icmp.data).toEqual(pattern(56));
  });

  test("bounded retries: arp_retries requests arp_retry_ms apart, then the packet is dropped and counted", () => {
    const b = newIpBoard();
    b.stack.input(echoRequest(pattern(8)));
    const times: number[] = [];
    for (const f of b.stack.takeSent()) if (parseEthernet(f).type === 0x0806) times.push(b.now);
    for (let t = 0; t < 10_000; t += 100) {
      advance(b, 100);
      for (const f of b.stack.takeSent()) if (parseEthernet(f).type === 0x0806) times.push(b.now);
    }
    expect(times).toEqual([0, 1000, 2000]);
    expect(b.stack.stats()).toMatchObject({ arp_requests_sent: 4, arp_drop_unresolved: 1 });
    // A late answer finds nothing held any more.
    b.stack.input(arpFrame(2, { sha: PEER_MAC, spa: PEER_IP, tha: BOARD_MAC, tpa: BOARD_IP, dst: BOARD_MAC }));
    expect(b.stack.takeSent()).toEqual([]);
  });

  test("a newer packet displaces the held one (arp_drop_pending)", () => {
    const b = newIpBoard();
    b.stack.input(echoRequest(pattern(8), 1, 1));
    b.stack.input(echoRequest(pattern(8), 1, 2));
    b.stack.takeSent();
    expect(b.stack.stats().arp_drop_pending).toBe(1);
    b.stack.input(arpFrame(2, { sha: PEER_MAC, spa: PEER_IP, tha: BOARD_MAC, tpa: BOARD_IP, dst: BOARD_MAC }));
    const sent = b.stack.takeSent();
    expect(sent).toHaveLength(1);
    expect(parseIcmp(parseIpv4(parseEthernet(sent[0]).payload).payload).seq).toBe(2);
  });
});

describe("routing", () => {
  test("off-subnet traffic goes to the gateway's MAC", () => {
    const b = newIpBoard({ gateway: "10.0.0.1" });
    const gwMac = "02:00:00:00:00:fe";
    b.stack.input(peerArpRequest({ mac: gwMac, ip: "10.0.0.1" }));
    b.stack.takeSent();
    b.stack.input(echoRequest(pattern(8), 1, 1, { src: "192.0.2.9" }));
    const [f, ...rest] = b.stack.takeSent();
    expect(rest).toEqual([]);
    const e = parseEthernet(f);
    expect(e.dst).toBe(gwMac);
    expect(parseIpv4(e.payload)).toMatchObject({ src: BOARD_IP, dst: "192.0.2.9" });
  });

  test("off-subnet with no gateway → dropped and counted, nothing sent", () => {
    const b = newIpBoard({ gateway: "0.0.0.0" });
    b.stack.input(echoRequest(pattern(8), 1, 1, { src: "192.0.2.9" }));
    expect(b.stack.takeSent()).toEqual([]);
    expect(b.stack.stats().ip_drop_no_route).toBe(1);
  });
});
