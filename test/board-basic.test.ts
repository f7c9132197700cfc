/**
 * A board (wasm stack on link 1 + ENC28J60 model + clock) on an in-process
 * cable, driven in virtual time: it comes up over the chip's reset wait,
 * announces itself, answers ARP and ping, counts and drops bad frames,
 * reports a lost cable, and polls only when something is due.
 */
import { describe, expect, test } from "vitest";
import { Board, runVirtual } from "../host-sim/board.js";
import { VirtualClock } from "../host-sim/clock.js";
import { appendFcs } from "../host-sim/crc32.js";
import { createPair, type PairEnd } from "../host-sim/links/index.js";
import { buildArp, buildEthernet, buildIcmp, buildIpv4, parseArp, parseEthernet, parseIcmp, parseIpv4, pattern } from "../host-sim/wire/index.js";

const BOARD_MAC = "02:00:00:00:00:0b";
const PEER_MAC = "02:00:00:00:00:0a";

function rig(opts: { baud?: number; checkFcs?: boolean } = {}) {
  const clock = new VirtualClock();
  const [peer, cable] = createPair(clock, { baud: opts.baud, checkFcs: opts.checkFcs ?? true });
  const got: Uint8Array[] = [];
  peer.onFrame = (f) => got.push(f.subarray(0, f.length - 4));
  const board = new Board({ name: "B", link: cable, clock, mac: BOARD_MAC, ip: "10.0.0.2", gateway: "10.0.0.1", seed: 5 }).start();
  return { clock, peer, board, got };
}

function send(peer: PairEnd, frame: Uint8Array) {
  peer.send(appendFcs(frame));
}

const arpRequest = () => buildEthernet({
  dst: "ff:ff:ff:ff:ff:ff", src: PEER_MAC, type: 0x0806,
  payload: buildArp({ op: 1, sha: PEER_MAC, spa: "10.0.0.1", tha: "00:00:00:00:00:00", tpa: "10.0.0.2" }),
});

const echoRequest = (seq: number, data: Uint8Array) => buildEthernet({
  dst: BOARD_MAC, src: PEER_MAC, type: 0x0800,
  payload: buildIpv4({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 1, payload: buildIcmp({ type: 8, code: 0, id: 7, seq, data }) }),
});

describe("board on the ENC28J60 model", () => {
  test("comes up after the chip's reset wait and sends a gratuitous ARP", () => {
    const { clock, board, got } = rig();
    runVirtual(clock, 50);
    expect(board.failure).toBeNull();
    const arps = got.filter((f) => parseEthernet(f).type === 0x0806).map((f) => parseArp(parseEthernet(f).payload));
    expect(arps.length).toBeGreaterThanOrEqual(1);
    expect(arps[0]).toMatchObject({ op: 1, spa: "10.0.0.2", tpa: "10.0.0.2" });
    expect(board.stack.stats().enc_link_up).toBe(1);
  });

  test("answers ARP and 20 pings of assorted sizes, byte-exact", () => {
    const { clock, peer, board, got } = rig();
    runVirtual(clock, 50);
    got.length = 0;
    send(peer, arpRequest());
    runVirtual(clock, 20);
    const reply = got.map((f) => parseEthernet(f)).find((e) => e.type === 0x0806);
    expect(reply && parseArp(reply.payload)).toMatchObject({ op: 2, sha: BOARD_MAC, spa: "10.0.0.2", tha: PEER_MAC, tpa: "10.0.0.1" });
    for (let seq = 1; seq <= 20; seq++) {
      got.length = 0;
      const data = pattern((seq * 73) % 1400, seq);
      send(peer, echoRequest(seq, data));
      expect(runVirtual(clock, 100, () => got.length > 0)).toBe(true);
      const ip = parseIpv4(parseEthernet(got[0]).payload);
      expect(ip).toMatchObject({ src: "10.0.0.2", dst: "10.0.0.1", protocol: 1, checksumValid: true });
      const icmp = parseIcmp(ip.payload);
      expect(icmp).toMatchObject({ type: 0, code: 0, id: 7, seq, checksumValid: true });
      expect(Buffer.compare(Buffer.from(icmp.data), Buffer.from(data))).toBe(0);
    }
    const s = board.stack.stats();
    expect(s.icmp_echo_replies).toBe(20);
    expect(s.enc_rx_drop).toBe(0);
  });

  test("a frame with a bad FCS is dropped by the chip and the board keeps answering", () => {
    const { clock, peer, board, got } = rig({ checkFcs: false });
    runVirtual(clock, 50);
    send(peer, arpRequest());
    const bad = appendFcs(echoRequest(1, pattern(64)));
    bad[bad.length - 1] ^= 0xff;
    peer.send(bad);
    runVirtual(clock, 20);
    expect(board.chip.counters.rxCrcDropped).toBe(1);
    got.length = 0;
    send(peer, echoRequest(2, pattern(64)));
    expect(runVirtual(clock, 100, () => got.some((f) => parseEthernet(f).type === 0x0800))).toBe(true);
  });

  test("idle board polls only at its deadlines, not in a loop", () => {
    const { clock, board } = rig();
    runVirtual(clock, 100);
    const before = board.polls;
    runVirtual(clock, 10_000);
    // ARP/TCP timers may tick, but far fewer than one poll per ms.
    expect(board.polls - before).toBeLessThan(100);
  });

  test("a cable pulled at the far end is reported once as a link event", () => {
    const clock = new VirtualClock();
    const [peer, cable] = createPair(clock);
    const events: string[] = [];
    const board = new Board({ link: cable, clock, mac: BOARD_MAC, ip: "10.0.0.2", seed: 1, onEvent: (e) => events.push(`${e.kind}: ${e.text}`) }).start();
    runVirtual(clock, 20);
    peer.close();
    runVirtual(clock, 20);
    expect(events.filter((e) => e.startsWith("link: link down"))).toHaveLength(1);
    board.stop();
    expect(board.isRunning).toBe(false);
  });

  test("paced serial cable: a ping at 115200 baud takes the line time both ways", () => {
    const { clock, peer, got } = rig({ baud: 115200 });
    runVirtual(clock, 50);
    send(peer, arpRequest());
    runVirtual(clock, 50);
    got.length = 0;
    const t0 = clock.now();
    send(peer, echoRequest(1, pattern(1000)));
    expect(runVirtual(clock, 1000, () => got.some((f) => parseEthernet(f).type === 0x0800))).toBe(true);
    // ~1046 wire bytes each way, 10 bits a byte at 115200 b/s: about 91 ms each way.
    expect(clock.now() - t0).toBeGreaterThan(170);
    expect(clock.now() - t0).toBeLessThan(260);
  });
});

describe("board in real time", () => {
  test("an idle board sleeps on timers: few polls in 600 ms, and it still answers a ping at once", async () => {
    const { RealClock } = await import("../host-sim/clock.js");
    const clock = new RealClock();
    const [peer, cable] = createPair(clock);
    const got: Uint8Array[] = [];
    peer.onFrame = (f) => got.push(f.subarray(0, f.length - 4));
    const board = new Board({ link: cable, clock, mac: BOARD_MAC, ip: "10.0.0.2", seed: 9 }).start();
    try {
      await new Promise((r) => setTimeout(r, 100));
      const before = board.polls;
      await new Promise((r) => setTimeout(r, 600));
      expect(board.polls - before).toBeLessThan(30);
      send(peer, arpRequest());
      send(peer, echoRequest(1, pattern(100)));
      const t0 = Date.now();
      while (!got.some((f) => parseEthernet(f).type === 0x0800) && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 2));
      expect(got.some((f) => parseEthernet(f).type === 0x0800)).toBe(true);
      expect(Date.now() - t0).toBeLessThan(500);
    } finally {
      board.stop();
    }
  });

  test("frames beyond 50 ms of 10 Mb/s wire backlog are dropped and counted before the chip", () => {
    const { clock, peer, board } = rig();
    runVirtual(clock, 50);
    // 200 full frames at once: about 1.2 ms of wire each, so only the first ~42 fit in 50 ms.
    for (let i = 0; i < 200; i++) send(peer, echoRequest(i, pattern(1400)));
    runVirtual(clock, 1);
    expect(board.wireDrops).toBeGreaterThan(100);
    expect(board.wireDrops).toBeLessThan(170);
    runVirtual(clock, 2000);
    expect(board.failure).toBeNull();
  });
});

describe("board: bad frames on the cable", () => {
  test("an oversize frame (2000 bytes, good FCS) is dropped and counted; the board keeps answering", () => {
    const { clock, peer, board, got } = rig({ checkFcs: false });
    runVirtual(clock, 50);
    send(peer, arpRequest());
    const big = new Uint8Array(2000);
    big.set(echoRequest(1, pattern(100)));
    send(peer, big);
    runVirtual(clock, 20);
    const s = board.stack.stats();
    expect(s.enc_rx_drop + s.eth_drop_oversize).toBe(1);
    got.length = 0;
    send(peer, echoRequest(2, pattern(64)));
    expect(runVirtual(clock, 100, () => got.some((f) => parseEthernet(f).type === 0x0800))).toBe(true);
  });

  test("runts and random bytes with a good FCS are dropped and counted, never answered", () => {
    const { clock, peer, board, got } = rig({ checkFcs: false });
    runVirtual(clock, 50);
    got.length = 0;
    const before = board.stack.stats();
    for (let i = 0; i < 50; i++) send(peer, pattern(10 + ((i * 37) % 1400), 100 + i));
    runVirtual(clock, 200);
    expect(got).toHaveLength(0);
    const s = board.stack.stats();
    const dropped = (["eth_drop_short", "eth_drop_not_ours", "eth_drop_type", "enc_rx_drop"] as const).reduce((n, k) => n + s[k] - before[k], 0)
      + board.chip.counters.rxFiltered;
    expect(dropped).toBe(50);
    expect(board.failure).toBeNull();
  });
});
