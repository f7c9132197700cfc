/**
 * The stateful fuzzer (host-sim/fuzz): the CI-sized run of 10^6 frames
 * against the release module, replay by seed, and the oracles themselves
 * (each must reject what it exists to reject, or the long run proves
 * nothing). `npm run bench:fuzz` prints the rate; 10^8 frames on demand.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { fuzz } from "../host-sim/fuzz/run.js";
import { refused } from "../host-sim/fuzz/calls.js";
import type { Module } from "../host-sim/fuzz/module.js";
import { ERRNO } from "../host-sim/errors.js";
import { checkOutput } from "../host-sim/fuzz/oracle.js";
import { Peer } from "../host-sim/fuzz/peer.js";
import { peerReceive } from "../host-sim/fuzz/peer-input.js";
import { BOARD_IP, BOARD_MAC, hostMac } from "../host-sim/fuzz/world.js";
import { ACK, SYN, ipNumber, parseTcp, buildTcp, pattern, tcpFrame } from "../host-sim/wire/index.js";

const fromBoard = (dst: string, extra: Parameters<typeof tcpFrame>[1] = {}, payload?: Uint8Array) =>
  tcpFrame({ srcIp: BOARD_IP, dstIp: dst, srcPort: 80, dstPort: 1000, seq: 1, ack: 1, flags: ACK, payload }, { srcMac: BOARD_MAC, dstMac: hostMac(ipNumber(dst)), ...extra });

describe("fuzzer oracles reject what they exist to reject", () => {
  test("a well-formed segment from the board passes", () => {
    expect(checkOutput(fromBoard("10.0.0.20")).kind).toBe("tcp");
  });

  test.each([
    ["RFC 1122 §3.2.1.3: a datagram to 127.0.0.1", () => tcpFrame({ srcIp: BOARD_IP, dstIp: "127.0.0.1", srcPort: 80, dstPort: 1, seq: 1, flags: ACK }, { srcMac: BOARD_MAC, dstMac: hostMac(ipNumber("10.0.0.1")) }), /no host may have/],
    ["RFC 1122 §3.3.3: a datagram over the 1500-byte MTU", () => fromBoard("10.0.0.20", {}, pattern(1461)), /MTU/],
    ["a frame to a MAC that does not own the address", () => fromBoard("10.0.0.20", { dstMac: "02:00:00:00:01:99" }), /not 02:00:00:00:01:14/],
    ["a bad TCP checksum", () => fromBoard("10.0.0.20", { checksumDelta: 1 }), /checksum/],
    ["a bad IPv4 checksum", () => fromBoard("10.0.0.20", { ipChecksumDelta: 1 }), /IPv4 header/],
    ["a source MAC that is not the board's", () => fromBoard("10.0.0.20", { srcMac: "02:00:00:00:00:07" }), /source MAC/],
  ])("%s fails", (_n, frame, why) => {
    expect(() => checkOutput(frame())).toThrow(why);
  });

  test("RFC 9293 §3.8.6 and §3.7.1: data past the offered window, or over our MSS, fails the peer's checks", () => {
    const mk = () => {
      const p = new Peer({ ip: ipNumber("10.0.0.20"), port: 1000, boardPort: 80, iss: 100, mss: 536, wnd: 1000, seed: 1, stream: 4000 }, "syn-sent");
      const synAck = parseTcp(buildTcp({ srcIp: BOARD_IP, dstIp: "10.0.0.20", srcPort: 80, dstPort: 1000, seq: 5000, ack: 101, flags: SYN | ACK, mss: 1460 }), BOARD_IP, "10.0.0.20")!;
      const ack = peerReceive(p, synAck)!;
      p.noteOffer(ack.ack!, ack.window!);
      p.sndNxt = 101 + 2000; // as if it had sent 2000 bytes the board echoes
      return p;
    };
    const seg = (seq: number, n: number) => parseTcp(buildTcp({ srcIp: BOARD_IP, dstIp: "10.0.0.20", srcPort: 80, dstPort: 1000, seq, ack: 101, flags: ACK, payload: mk().stream.subarray(seq - 5001, seq - 5001 + n) }), BOARD_IP, "10.0.0.20")!;
    expect(() => peerReceive(mk(), seg(5001, 500))).not.toThrow();
    expect(() => peerReceive(mk(), seg(5001 + 600, 500))).toThrow(/beyond the right edge/);
    expect(() => peerReceive(mk(), seg(5001, 537))).toThrow(/over the MSS 536/);
    const p = mk();
    const flipped = p.stream.slice(0, 3).map((b) => b ^ 0xff);
    const wrong = parseTcp(buildTcp({ srcIp: BOARD_IP, dstIp: "10.0.0.20", srcPort: 80, dstPort: 1000, seq: 5001, ack: 101, flags: ACK, payload: flipped }), BOARD_IP, "10.0.0.20")!;
    expect(() => peerReceive(p, wrong)).toThrow(/echo byte 0 is/);
  });

  test("docs/ABI.md: a refused call may move its api_einval counter and write nothing else", () => {
    const mem = new Uint8Array(256).fill(0xa5);
    const module = (write: () => void) => ({ memory: mem, expect: () => { write(); return ERRNO.EINVAL; } }) as unknown as Module;
    expect(() => refused(module(() => mem.fill(0, 8, 12)), "tcp_status", [1, 100])).not.toThrow();
    expect(() => refused(module(() => mem.fill(0, 100, 196)), "tcp_status", [1, 100])).toThrow(/refused but wrote memory at 100\.\.195/);
  });
});

describe("fuzz runs", () => {
  test("the same seed and instance replay the same run", () => {
    const a = fuzz({ seed: 77, instance: 2, perInstance: 3000 });
    const b = fuzz({ seed: 77, instance: 2, perInstance: 3000 });
    expect(a.failure).toBeNull();
    expect([a.frames, a.sent, a.calls]).toEqual([b.frames, b.sent, b.calls]);
    expect(a.frames).toBeGreaterThanOrEqual(3000);
  });

  test("10^6 frames of seed 1: no trap, no growth, no failed check, every health check passes", () => {
    const r = fuzz({ seed: 1, frames: 1_000_000 });
    const f = r.failure;
    expect(f && `instance ${f.instance} frame ${f.frame}: ${f.message}\n${f.log.join("\n")}`).toBeNull();
    expect(r.frames).toBeGreaterThanOrEqual(1_000_000);
    expect(r.sent).toBeGreaterThan(r.frames / 2);
  }, 400_000);

  test("a wrong command line is one line on stderr and exit 2", () => {
    for (const args of [["--seconds", "x"], ["--bogus"], ["--seconds", "1", "--frames", "5"]]) {
      const r = spawnSync(process.execPath, ["dist/host-sim/fuzz/main.js", ...args], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^fuzz:wasm: /);
    }
  });
});
