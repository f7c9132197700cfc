import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { VirtualClock } from "../host-sim/clock.js";
import { appendFcs, crc32, fcsValid } from "../host-sim/crc32.js";
import { createMockSerialPair, createPair, LearningSwitch, withFaults } from "../host-sim/links/index.js";
import { PcapWriter, readPcap, tapLink } from "../host-sim/pcap.js";
import { traceCapture } from "../host-sim/trace/index.js";
import { A_MAC, B_MAC, sampleConversation } from "./helpers/links-capture.js";
import { pattern, tcpFrame } from "../host-sim/wire/index.js";
import { runUntilIdle } from "./helpers/links-frames.js";
import { waitFor } from "./helpers/links-socat.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "embertcp-compose-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("crc32 (IEEE 802.3 FCS)", () => {
  test("check value of '123456789' is 0xCBF43926", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  test("FCS goes least significant byte first, so a frame plus its FCS leaves the CRC-32 residue 0x2144DF1C", () => {
    for (let i = 1; i < 50; i++) {
      const f = appendFcs(pattern(14 + i * 29, i));
      expect(crc32(f)).toBe(0x2144df1c);
      expect(fcsValid(f)).toBe(true);
      const bad = f.slice();
      bad[i % bad.length] ^= 1 << (i % 8);
      expect(fcsValid(bad)).toBe(false);
    }
    expect(fcsValid(new Uint8Array(3))).toBe(false);
  });
});

describe("links compose", () => {
  test("A —pair— switch —pair— B, tapped at A: the capture traces as the sample conversation", () => {
    const clock = new VirtualClock();
    const sw = new LearningSwitch({ clock });
    const w = new PcapWriter(path.join(dir, "compose.pcap"), { clock });
    const a = tapLink(sw.connect(clock, { latencyMs: 0.25 }), w);
    const b = sw.connect(clock, { latencyMs: 0.25 });
    const third = sw.connect(clock);
    let thirdSaw = 0;
    third.onFrame = () => thirdSaw++;
    const atB: Uint8Array[] = [], atA: Uint8Array[] = [];
    a.onFrame = (f) => atA.push(f);
    b.onFrame = (f) => atB.push(f);
    // Play the conversation: each side sends its segments in order, one per ms.
    sampleConversation().forEach((s, i) => clock.at(i, () => (s.srcMac === A_MAC ? a : b).send(appendFcs(tcpFrame(s, { srcMac: s.srcMac, dstMac: s.dstMac })))));
    runUntilIdle(clock);
    w.close();
    expect(atB.length + atA.length).toBe(13);
    expect(thirdSaw).toBe(1); // only the first frame, before B's address was learned
    const r = traceCapture(readPcap(path.join(dir, "compose.pcap")));
    expect(r.connections.length).toBe(1);
    expect(r.text).toMatch(/ 1 +A->B +SYN +10000 +0 /);
    expect(r.text).toMatch(/ 2 +B->A +SYN\/ACK +20000 +10001 /);
    expect(r.text).toMatch(/ 3 +A->B +ACK +10001 +20001 /);
    expect(sw.macTable()).toEqual(new Map([[A_MAC, 1], [B_MAC, 2]]));
  });

  test("a serial pair as a switch port, with corruption injected before the switch: bad frames stop at the switch", async () => {
    const clock = new VirtualClock();
    const sw = new LearningSwitch({ clock });
    const serial = createMockSerialPair();
    await Promise.all([serial.a.opened(), serial.b.opened()]);
    try {
      sw.attach(serial.b);
      const dest = sw.connect(clock);
      const got: Uint8Array[] = [];
      dest.onFrame = (f) => got.push(f);
      const noisy = withFaults(serial.a, clock, { seed: 99, corrupt: 0.3, direction: "out" });
      for (let i = 0; i < 200; i++) noisy.send(appendFcs(tcpFrame({ srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 1, dstPort: 2, seq: i, flags: 0x10, payload: pattern(64, i + 1) })));
      const corrupted = noisy.stats()["out.corrupted"];
      expect(corrupted).toBeGreaterThan(30);
      // Frames cross the mock serial line on the event loop; the switch then forwards in virtual time.
      await waitFor(() => serial.b.stats().framesIn + serial.b.stats().dropBadFcs === 200, 10_000, "serial delivery");
      runUntilIdle(clock);
      // A flipped bit may hit the SLIP layer's view or the FCS; either way nothing bad gets through.
      expect(got.length).toBe(200 - corrupted);
      expect(got.every(fcsValid)).toBe(true);
      expect(serial.b.stats().dropBadFcs).toBe(corrupted);
    } finally {
      serial.a.close();
      serial.b.close();
    }
  });
});
