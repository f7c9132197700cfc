import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { VirtualClock } from "../host-sim/clock.js";
import { appendFcs } from "../host-sim/crc32.js";
import { createPair } from "../host-sim/links/pair.js";
import { PcapWriter, readPcap, tapLink } from "../host-sim/pcap.js";
import { sampleConversation, writeCapture } from "./helpers/links-capture.js";
import { ACK, PSH, pattern, tcpFrame, udpFrame } from "../host-sim/wire/index.js";
import { runUntilIdle, testFrame } from "./helpers/links-frames.js";
import { toolGate } from "./helpers/links-socat.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "embertcp-pcap-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const tmp = (name: string) => path.join(dir, name);

/** A PcapWriter into memory. */
function memWriter(clock: VirtualClock, opts: { snaplen?: number; epochMs?: number } = {}) {
  const chunks: Uint8Array[] = [];
  const w = new PcapWriter({ write: (b) => chunks.push(b.slice()) }, { clock, ...opts });
  const bytes = () => { w.flush(); return Uint8Array.from(chunks.flatMap((c) => [...c])); };
  return { w, bytes };
}

describe("pcap writer and reader", () => {
  test("global header: magic a1b2c3d4, version 2.4, snaplen, LINKTYPE_ETHERNET", () => {
    const { bytes } = memWriter(new VirtualClock(), { snaplen: 4096 });
    const b = bytes();
    const dv = new DataView(b.buffer);
    expect(b.length).toBe(24);
    expect(dv.getUint32(0, true)).toBe(0xa1b2c3d4);
    expect([dv.getUint16(4, true), dv.getUint16(6, true)]).toEqual([2, 4]);
    expect([dv.getInt32(8, true), dv.getUint32(12, true)]).toEqual([0, 0]);
    expect(dv.getUint32(16, true)).toBe(4096);
    expect(dv.getUint32(20, true)).toBe(1);
  });

  test("records: FCS stripped, clock timestamps (µs) plus epoch, lengths", () => {
    const clock = new VirtualClock(0);
    const { w, bytes } = memWriter(clock, { epochMs: 1_700_000_000_000 });
    const f1 = testFrame("02:00:00:00:00:02", "02:00:00:00:00:01", pattern(100, 1));
    w.write(f1);
    clock.advanceTo(1234.5678);
    const f2 = testFrame("02:00:00:00:00:01", "02:00:00:00:00:02", pattern(10, 2));
    w.write(f2);
    const b = bytes();
    const dv = new DataView(b.buffer);
    expect(dv.getUint32(24, true)).toBe(1_700_000_000);
    expect(dv.getUint32(28, true)).toBe(0);
    expect(dv.getUint32(32, true)).toBe(f1.length - 4);
    expect(dv.getUint32(36, true)).toBe(f1.length - 4);
    expect(b.subarray(40, 40 + f1.length - 4)).toEqual(f1.subarray(0, f1.length - 4));
    const r = readPcap(b);
    expect(r.records.map((x) => x.tsMs)).toEqual([1_700_000_000_000, 1_700_000_001_234.568]);
    expect(r.records[1].data).toEqual(f2.subarray(0, f2.length - 4));
    expect(r.truncated).toBe(false);
    expect(w.packets).toBe(2);
  });

  test("snaplen keeps the first bytes and the original length", () => {
    const { w, bytes } = memWriter(new VirtualClock(), { snaplen: 64 });
    const f = testFrame("02:00:00:00:00:02", "02:00:00:00:00:01", pattern(300, 3));
    w.write(f);
    const r = readPcap(bytes());
    expect(r.records[0].data).toEqual(f.subarray(0, 64));
    expect(r.records[0].origLen).toBe(f.length - 4);
  });

  test("reader accepts big-endian and nanosecond files, flags a cut-short file, rejects pcapng", () => {
    const be = new Uint8Array(24 + 16 + 3);
    const dv = new DataView(be.buffer);
    dv.setUint32(0, 0xa1b23c4d); dv.setUint16(4, 2); dv.setUint16(6, 4); dv.setUint32(16, 65535); dv.setUint32(20, 1);
    dv.setUint32(24, 10); dv.setUint32(28, 500_000_000); dv.setUint32(32, 3); dv.setUint32(36, 3);
    be.set([7, 8, 9], 40);
    const r = readPcap(be);
    expect(r.records).toEqual([{ tsMs: 10_500, data: Uint8Array.from([7, 8, 9]), origLen: 3 }]);
    expect(readPcap(be.subarray(0, be.length - 1))).toMatchObject({ records: [], truncated: true });
    const ng = new Uint8Array(28);
    new DataView(ng.buffer).setUint32(0, 0x0a0d0d0a, true);
    expect(() => readPcap(ng)).toThrow(/pcapng/);
    expect(() => readPcap(new Uint8Array(5))).toThrow(/not a pcap/);
  });

  test("tapLink records what an end sends and receives, in clock order, and passes frames on", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock, { latencyMs: 2 });
    const { w, bytes } = memWriter(clock);
    const ta = tapLink(a, w);
    const got: Uint8Array[] = [];
    ta.onFrame = (f) => got.push(f);
    b.onFrame = (f) => b.send(f.slice().reverse().reverse());
    const f = testFrame("02:00:00:00:00:02", "02:00:00:00:00:01", pattern(50, 4));
    ta.send(f);
    runUntilIdle(clock);
    expect(got).toEqual([f]);
    const r = readPcap(bytes());
    expect(r.records.map((x) => x.tsMs)).toEqual([0, 4]);
    expect(r.records.every((x) => x.data.length === f.length - 4)).toBe(true);
    expect(ta.stats()).toEqual(a.stats());
  });

  test("a file path target writes a complete file on close", () => {
    const p = tmp("file.pcap");
    writeCapture(p, sampleConversation());
    const r = readPcap(p);
    expect(r.records.length).toBe(13);
    expect(fs.statSync(p).size).toBe(24 + r.records.reduce((n, x) => n + 16 + x.data.length, 0));
  });
});

const tshark = toolGate("tshark", "-v");

function tsharkRun(args: string[]): string {
  const r = spawnSync("tshark", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tshark ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** Lines tshark flags as malformed or with expert errors (bad checksums included). */
function tsharkProblems(file: string): string[] {
  return tsharkRun(["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
    "-Y", "_ws.malformed || _ws.expert.severity >= error"]).split("\n").filter((l) => l.trim());
}

describe.runIf(tshark)("captures read by tshark", () => {
  test("the seed conversation: zero malformed, checksums good, fields as written", () => {
    const p = tmp("seed.pcap");
    writeCapture(p, sampleConversation(), { leadingNoise: 2 });
    expect(tsharkProblems(p)).toEqual([]);
    const fields = tsharkRun(["-r", p, "-o", "tcp.check_checksum:TRUE", "-Y", "tcp", "-T", "fields",
      "-e", "frame.number", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-e", "tcp.len", "-e", "tcp.checksum.status"])
      .trim().split("\n").map((l) => l.split("\t"));
    expect(fields.length).toBe(13);
    expect(fields.slice(0, 3)).toEqual([["3", "10000", "0", "0", "1"], ["4", "20000", "10001", "0", "1"], ["5", "10001", "20001", "0", "1"]]);
    expect(fields.every((f) => f[4] === "1")).toBe(true); // Wireshark checksum status 1 = good (0 bad, 2 unverified)
  });

  test("frames captured from a link (with FCS stripped) through a tap are clean too", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock);
    const p = tmp("tap.pcap");
    const w = new PcapWriter(p, { clock });
    const ta = tapLink(a, w);
    b.onFrame = () => {};
    for (let i = 0; i < 200; i++) {
      ta.send(appendFcs(tcpFrame({ srcIp: "10.1.0.1", dstIp: "10.1.0.2", srcPort: 1024 + i, dstPort: 7, seq: i * 1000, ack: 1, flags: PSH | ACK, payload: pattern(i * 7, i + 1) })));
      ta.send(appendFcs(udpFrame({ srcIp: "10.1.0.1", dstIp: "10.1.0.2", srcPort: 9, dstPort: 9, payload: pattern(i, i + 2) })));
      clock.advance(1);
    }
    runUntilIdle(clock);
    w.close();
    expect(tsharkProblems(p)).toEqual([]);
    expect(tsharkRun(["-r", p]).trim().split("\n").length).toBe(400);
  });

  test("control: a frame with a wrong TCP checksum is flagged (the check above can fail)", () => {
    const clock = new VirtualClock();
    const p = tmp("bad.pcap");
    const w = new PcapWriter(p, { clock });
    const f = tcpFrame({ srcIp: "10.1.0.1", dstIp: "10.1.0.2", srcPort: 1, dstPort: 2, seq: 1, flags: ACK, payload: pattern(20, 1) });
    f[14 + 20 + 16] ^= 0xff;
    w.write(appendFcs(f));
    w.close();
    expect(tsharkProblems(p).length).toBe(1);
  });
});
