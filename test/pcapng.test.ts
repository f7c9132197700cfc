/**
 * The pcapng reader (host-sim/pcapng.ts) against the format description:
 * both byte orders, timestamp resolutions in powers of 10 and of 2, Simple
 * Packet Blocks, unknown blocks skipped, several sections, packets of other
 * link types left out, a cut-short file kept up to its last whole block —
 * and, where tshark is installed, files that editcap itself wrote.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { readPcap } from "../host-sim/pcap.js";
import { readCapture, readPcapng } from "../host-sim/pcapng.js";
import { traceFile } from "../host-sim/trace/index.js";
import { sampleConversation, writeCapture } from "./helpers/links-capture.js";
import { writePcapng } from "./helpers/pcapng-writer.js";
import { pattern } from "../host-sim/wire/index.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "embertcp-pcapng-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("pcapng reader", () => {
  test.each([true, false])("little-endian %s: Enhanced Packet Blocks with microsecond and nanosecond clocks", (littleEndian) => {
    const bytes = writePcapng([{
      littleEndian,
      interfaces: [{ snaplen: 65535 }, { tsresol: 9 }],
      packets: [
        { tsUnits: 1_500_000, data: pattern(60, 1) },
        { tsUnits: 2_000_000_123, data: pattern(61, 2), iface: 1, origLen: 100 },
      ],
    }]);
    const f = readPcapng(bytes);
    expect(f.linkType).toBe(1);
    expect(f.truncated).toBe(false);
    expect(f.records.map((r) => [r.data.length, r.origLen])).toEqual([[60, 60], [61, 100]]);
    expect(f.records[0].tsMs).toBe(1500);
    expect(f.records[1].tsMs).toBeCloseTo(2000.000123, 9);
    expect(f.records[1].data).toEqual(pattern(61, 2));
  });

  test("a power-of-two resolution, a Simple Packet Block, an unknown block and a second section", () => {
    const bytes = writePcapng([
      { interfaces: [{ tsresol: 0x80 | 10 }], packets: [{ tsUnits: 2048, data: pattern(60, 3) }], unknownBlock: true },
      { littleEndian: false, interfaces: [{ snaplen: 40 }], packets: [{ simple: true, data: pattern(40, 4), origLen: 90 }] },
    ]);
    const f = readPcapng(bytes);
    expect(f.records.map((r) => [r.tsMs, r.data.length, r.origLen])).toEqual([[2000, 60, 60], [0, 40, 90]]);
    expect(f.records[1].data).toEqual(pattern(40, 4));
  });

  test("packets of another link type are left out and counted; a cut file keeps its whole blocks", () => {
    const bytes = writePcapng([{ interfaces: [{}, { linkType: 101 }], packets: [{ data: pattern(60) }, { data: pattern(30), iface: 1 }, { data: pattern(70) }] }]);
    const f = readPcapng(bytes);
    expect(f.records.length).toBe(2);
    expect(f.otherLinkPackets).toBe(1);
    const cut = readPcapng(bytes.subarray(0, bytes.length - 10));
    expect(cut.truncated).toBe(true);
    expect(cut.records.length).toBe(1);
  });

  test("wire data never throws: lengths that lie, a bad byte-order magic, an unknown interface", () => {
    const good = writePcapng([{ interfaces: [{}], packets: [{ data: pattern(60) }] }]);
    const lying = good.slice();
    new DataView(lying.buffer).setUint32(good.length - 4 - 60 - 12 - 4 - 4 + 0, 7, true); // a block length that is not a multiple of 4
    expect(() => readPcapng(lying)).not.toThrow();
    const badBom = good.slice(); badBom[8] ^= 0xff;
    expect(readPcapng(badBom)).toMatchObject({ truncated: true, records: [] });
    const noIface = writePcapng([{ interfaces: [], packets: [{ data: pattern(60) }] }]);
    expect(readPcapng(noIface)).toMatchObject({ truncated: true, records: [] });
    expect(() => readPcapng(new Uint8Array(8))).toThrow(/not a pcapng/);
  });

  test("2,000 mutated files: the reader keeps what it can and never throws", () => {
    const good = writePcapng([{ interfaces: [{ tsresol: 6 }, {}], packets: [{ data: pattern(60), tsUnits: 5 }, { data: pattern(70), iface: 1 }, { simple: true, data: pattern(40) }] }]);
    const noise = pattern(2000 * 8, 5);
    for (let i = 0; i < 2000; i++) {
      const f = good.slice(0, good.length - (noise[i] % 16));
      for (let m = 0; m < 1 + (noise[i + 1] % 4); m++) f[8 + (noise[(i * 7 + m) % noise.length] * 13 + i) % (f.length - 8)] = noise[(i * 3 + m) % noise.length];
      expect(() => readPcapng(f)).not.toThrow();
    }
  });

  test("readCapture takes either format", () => {
    const p = path.join(dir, "classic.pcap");
    writeCapture(p, sampleConversation());
    expect(readCapture(p).records.length).toBe(13);
    const ng = writePcapng([{ interfaces: [{}], packets: readPcap(p).records.map((r) => ({ data: r.data, tsUnits: Math.round(r.tsMs * 1000) })) }]);
    expect(readCapture(ng).records.map((r) => r.data)).toEqual(readPcap(p).records.map((r) => r.data));
  });
});

const haveEditcap = spawnSync("editcap", ["-h"], { stdio: "ignore" }).status === 0;
if (!haveEditcap && !process.env.CI) console.warn("pcapng: the editcap cases are skipped: editcap (tshark's package) is not installed (CI installs it)");

describe.runIf(haveEditcap || !!process.env.CI)("captures editcap writes as pcapng", () => {
  test("trace gives the same report for the pcapng copy as for the pcap", () => {
    const p = path.join(dir, "seed.pcap"), ng = path.join(dir, "seed.pcapng");
    writeCapture(p, sampleConversation());
    const r = spawnSync("editcap", ["-F", "pcapng", p, ng], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(fs.readFileSync(ng).readUInt32LE(0)).toBe(0x0a0d0d0a);
    const ngFile = readCapture(ng);
    expect(ngFile.records.map((x) => [x.tsMs, x.origLen])).toEqual(readPcap(p).records.map((x) => [x.tsMs, x.origLen]));
    expect(traceFile(ng)).toBe(traceFile(p));
  });

  test("a nanosecond-resolution copy reads to the same times", () => {
    const p = path.join(dir, "seed2.pcap"), ng = path.join(dir, "seed2-ns.pcapng");
    writeCapture(p, sampleConversation());
    const r = spawnSync("editcap", ["-F", "pcapng", "--set-resolution", "ns", p, ng], { encoding: "utf8" });
    if (r.status !== 0) return; // older editcap without --set-resolution: the µs case above covers the format
    expect(readCapture(ng).records.map((x) => x.tsMs)).toEqual(readPcap(p).records.map((x) => x.tsMs));
  });
});
