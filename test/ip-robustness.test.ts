import { describe, expect, test } from "vitest";
import { buildEthernet, buildIcmp, buildIpv4, pattern } from "../host-sim/wire/index.js";
import { BOARD_MAC, PEER_IP, PEER_MAC, echoRequest, newIpBoard, peerArpRequest, peerIpFrame } from "./helpers/board.js";

/** xorshift32 for reproducible garbage. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

describe("any frame from the wire", () => {
  test("100,000 mixed frames: no trap, memory unchanged, every frame accounted for", () => {
    const b = newIpBoard();
    const r = rng(12345);
    const size = b.stack.exports.memory.buffer.byteLength;
    const templates = [
      peerArpRequest(),
      echoRequest(pattern(56)),
      echoRequest(pattern(1472)),
      peerIpFrame({ protocol: 6, payload: pattern(40) }),
      peerIpFrame({ protocol: 17, payload: pattern(20) }),
      buildEthernet({ dst: BOARD_MAC, src: PEER_MAC, type: 0x0800, payload: buildIpv4({ src: PEER_IP, dst: "10.0.0.2", protocol: 1, flags: 1, payload: buildIcmp({ type: 8, code: 0, id: 1, seq: 1, data: pattern(8) }) }) }),
    ];
    let replies = 0;
    for (let i = 0; i < 100_000; i++) {
      const t = templates[r() % templates.length];
      let f: Uint8Array;
      switch (r() % 4) {
        case 0: f = t; break;
        case 1: { // flip a few bytes
          f = t.slice();
          for (let k = 0; k < 1 + (r() % 4); k++) f[r() % f.length] ^= 1 + (r() % 255);
          break;
        }
        case 2: f = t.subarray(0, r() % (t.length + 1)); break; // truncate
        default: { // random bytes with our MAC in front half the time
          f = new Uint8Array(r() % 1600);
          for (let k = 0; k < f.length; k++) f[k] = r() & 0xff;
          if (f.length >= 14 && r() & 1) { f.set([2, 0, 0, 0, 0, 1], 0); f[12] = 8; f[13] = r() & 1 ? 0 : 6; }
        }
      }
      b.stack.input(f);
      replies += b.stack.takeSent().length;
      if (i % 1000 === 0) b.stack.poll(i);
    }
    expect(b.stack.exports.memory.buffer.byteLength).toBe(size);
    const s = b.stack.stats();
    expect(s.eth_rx_frames).toBe(100_000);
    expect(replies).toBeGreaterThan(10_000);
    // The board still answers normally afterwards.
    b.stack.input(peerArpRequest());
    b.stack.takeSent();
    b.stack.input(echoRequest(pattern(56), 9, 9));
    expect(b.stack.takeSent()).toHaveLength(1);
  });
});
