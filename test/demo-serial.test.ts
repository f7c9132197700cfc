/**
 * `embertcp demo --serial A,B` on two real serial ports: a socat pty pair
 * stands in for a null-modem cable, the boards run in real time and the
 * links pace bytes at 921600 baud. Bounded: a small flood and a short watch.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runDemo } from "../host-sim/demo.js";
import { readPcap } from "../host-sim/pcap.js";
import { ptyPair, toolGate } from "./helpers/links-socat.js";

const run = toolGate("socat");

describe.runIf(run)("embertcp demo on real serial ports", () => {
  test("the echo exchange, ladder and flood run over a socat pty pair in real time", async () => {
    const pty = await ptyPair();
    const file = join(mkdtempSync(join(tmpdir(), "embertcp-demo-serial-")), "demo.pcap");
    const lines: string[] = [];
    try {
      const t0 = Date.now();
      const s = await runDemo({ serial: pty.paths, baud: 921600, pcap: file, floodSyns: 60, settleMs: 4000, print: (l) => lines.push(l) });
      const out = lines.join("\n");
      expect(out).toMatch(/on serial ports \/dev\/pts\/\d+ <-> \/dev\/pts\/\d+ at 921600 baud, real time/);
      expect(s.echoedBytes).toBe(86);
      expect(out).toMatch(/\|-- SYN seq=0 -+>\|  SYN-RECEIVED/);
      expect(out).toMatch(/TIME-WAIT +\|<-+ FIN\S* seq=87 ack=88 --\|  LAST-ACK/);
      expect(s.spoofedSyns).toBe(60);
      expect(s.synRx).toBeGreaterThanOrEqual(60);
      expect(readPcap(file).records.length).toBe(s.captureFrames);
      expect(Date.now() - t0).toBeLessThan(30_000);
    } finally {
      await pty.kill();
    }
  }, 45_000);
});
