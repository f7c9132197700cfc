/**
 * `embertcp trace` run as a command on real-looking captures: a capture
 * with many connections is listed one line each and --conn / --port /
 * --host pick what to draw; pcapng input (what tshark and Wireshark write
 * by default) gives the same report as pcap; forged peers that never answer
 * their SYN/ACK are shown half-open in SYN-RECEIVED, never ESTABLISHED;
 * --svg says where it wrote; bad options are one line and exit 2. A capture
 * that `tshark -i any` writes (Linux cooked headers, pcapng) of real Linux
 * TCP in a namespace of the test's own traces too.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sampleConversation, writeCapture } from "./helpers/links-capture.js";
import { writePcapng } from "./helpers/pcapng-writer.js";
import { createBareNetns } from "../host-sim/netns.js";
import { readPcap } from "../host-sim/pcap.js";
import { readCapture } from "../host-sim/pcapng.js";
import { connectionOutcome, traceCapture } from "../host-sim/trace/index.js";
import { interopGate } from "./helpers/interop.js";
import { ACK, SYN, type TcpSegment } from "../host-sim/wire/index.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), `embertcp-cli-trace-${process.pid}-`));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const tmp = (name: string) => path.join(dir, name);

function embertcp(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ["bin/embertcp.js", ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** The sample conversation, then `n` forged SYNs from 198.18.0.k each answered by a SYN/ACK that is never acknowledged. */
function floodSpecs(n: number): TcpSegment[] {
  const specs: TcpSegment[] = sampleConversation();
  for (let k = 1; k <= n; k++) {
    const peer = `198.18.0.${k}`;
    specs.push({ srcIp: peer, dstIp: "10.0.0.2", srcPort: 40000 + k, dstPort: 80, seq: 1000 * k, flags: SYN, mss: 1460 });
    specs.push({ srcIp: "10.0.0.2", dstIp: peer, srcPort: 80, dstPort: 40000 + k, seq: 5000 * k, ack: 1000 * k + 1, flags: SYN | ACK, mss: 1460 });
  }
  return specs;
}

const flood = tmp("flood.pcap");
beforeAll(() => writeCapture(flood, floodSpecs(12)));

describe("trace picks connections", () => {
  test("a capture with many connections is listed one line each, with how each ends", () => {
    const r = embertcp("trace", flood);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines[0]).toBe("37 frames: 37 TCP segments in 13 connections, 0 other frames skipped, 0 malformed");
    expect(lines.filter((l) => /^TCP connection \d+:/.test(l)).length).toBe(13);
    expect(r.out).toContain("TCP connection 1: A 10.0.0.1:49152 -> B 10.0.0.2:80, 13 segments, relative seq/ack; ends A TIME-WAIT, B CLOSED");
    expect(r.out).toMatch(/draw one with --conn N, or pick them by --port P or --host A\.B\.C\.D/);
    expect(r.out).not.toMatch(/\|--/); // no ladder drawn
    expect(lines.length).toBeLessThan(20);
  });

  test("--all draws every connection of a big capture", () => {
    const r = embertcp("trace", flood, "--all");
    expect(r.code).toBe(0);
    expect(r.out.match(/^TCP connection \d+:/gm)).toHaveLength(13);
    expect(r.out.match(/^\s+#\s+time ms\s+A state/gm)).toHaveLength(13);
  });

  test("--conn N draws that one connection", () => {
    const r = embertcp("trace", flood, "--conn", "1");
    expect(r.code).toBe(0);
    expect(r.out).toContain("showing 1 of 13 (--conn 1)");
    expect(r.out).toMatch(/\|-- SYN seq=0 -+>\|  SYN-RECEIVED/);
    expect(r.out.match(/^TCP connection /gm)).toHaveLength(1);
  });

  test("--port and --host pick by either side, and combine", () => {
    const byHost = embertcp("trace", flood, "--host", "198.18.0.3");
    expect(byHost.code).toBe(0);
    expect(byHost.out.match(/^TCP connection (\d+): A 198\.18\.0\.3:40003/gm)).toHaveLength(1);
    expect(byHost.out.match(/^TCP connection /gm)).toHaveLength(1);
    const byPort = embertcp("trace", flood, "--port", "40005");
    expect(byPort.out.match(/^TCP connection \d+: A 198\.18\.0\.5:40005/gm)).toHaveLength(1);
    const both = embertcp("trace", flood, "--port", "80", "--host", "10.0.0.1");
    expect(both.out).toContain("showing 1 of 13 (--port 80 --host 10.0.0.1)");
    const none = embertcp("trace", flood, "--host", "192.0.2.1");
    expect(none.code).toBe(0);
    expect(none.out).toContain("showing 0 of 13 (--host 192.0.2.1): none matches");
  });

  test.each([
    [["--conn", "0"], /--conn 0: give a whole number from 1 to 1000000/],
    [["--conn", "x"], /--conn x: give a whole number/],
    [["--port", "70000"], /--port 70000: give a whole number from 0 to 65535/],
    [["--host", "10.0.0"], /--host 10\.0\.0: give an IPv4 address/],
    [["--conn"], /--conn needs N/],
    [["-x"], /unknown option -x/],
    [["other.pcap"], /unexpected "other\.pcap" after FILE\.pcap/],
  ])("bad option %j: one line, exit 2", (extra, re) => {
    const r = embertcp("trace", flood, ...(extra as string[]));
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(re);
  });

  test("a reader that stops early (| head -1) ends the output quietly: nothing on stderr, no EPIPE stack trace", () => {
    const err = tmp("epipe.err");
    // Far more output than a pipe buffers, so the writer meets the closed pipe.
    const big = tmp("big.pcap");
    writeCapture(big, floodSpecs(250));
    const piped = spawnSync("sh", ["-c", `"${process.execPath}" bin/embertcp.js trace "${big}" --all 2>"${err}" | head -1`],
      { encoding: "utf8", timeout: 60_000 });
    expect(piped.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(fs.readFileSync(err, "utf8")).toBe("");
  });

  test("--conn past the last connection: one line, exit 2", () => {
    const r = embertcp("trace", flood, "--conn", "14");
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`embertcp trace: no connection 14: ${flood} has 13 (see \`embertcp help trace\`)`);
  });
});

describe("trace reads what tshark and Wireshark write", () => {
  test("a pcapng capture gives the same report as the pcap it was made from", () => {
    const ng = tmp("flood.pcapng");
    const haveEditcap = spawnSync("editcap", ["-h"], { stdio: "ignore" }).status === 0;
    if (haveEditcap) expect(spawnSync("editcap", ["-F", "pcapng", flood, ng]).status).toBe(0);
    else fs.writeFileSync(ng, writePcapng([{ interfaces: [{}], packets: readPcap(flood).records.map((r) => ({ data: r.data, tsUnits: Math.round(r.tsMs * 1000) })) }]));
    const a = embertcp("trace", flood, "--conn", "1"), b = embertcp("trace", ng, "--conn", "1");
    expect(b.code).toBe(0);
    expect(b.out).toBe(a.out);
  });

  test("a big-endian pcapng with a nanosecond clock traces too", () => {
    const ng = tmp("be.pcapng");
    fs.writeFileSync(ng, writePcapng([{ littleEndian: false, interfaces: [{ tsresol: 9 }], packets: readPcap(flood).records.map((r) => ({ data: r.data, tsUnits: Math.round(r.tsMs * 1e6) })) }]));
    const r = embertcp("trace", ng, "--conn", "1");
    expect(r.code).toBe(0);
    expect(r.out).toBe(embertcp("trace", flood, "--conn", "1").out);
  });
});

/** A flood capture's records re-framed with Linux cooked headers (SLL v1 or v2) instead of Ethernet. */
function cooked(v2: boolean): Uint8Array {
  const packets = readPcap(flood).records.map((r) => {
    const ip = r.data.subarray(14);
    const h = new Uint8Array(v2 ? 20 : 16);
    const dv = new DataView(h.buffer);
    if (v2) { dv.setUint16(0, 0x0800); dv.setUint32(4, 1); dv.setUint16(8, 1); h[10] = 0; h[11] = 6; h.set(r.data.subarray(6, 12), 12); }
    else { dv.setUint16(0, 0); dv.setUint16(2, 1); dv.setUint16(4, 6); h.set(r.data.subarray(6, 12), 6); dv.setUint16(14, 0x0800); }
    const data = new Uint8Array(h.length + ip.length); data.set(h); data.set(ip, h.length);
    return { data, tsUnits: Math.round(r.tsMs * 1000) };
  });
  return writePcapng([{ interfaces: [{ linkType: v2 ? 276 : 113 }], packets }]);
}

describe("trace reads what tshark -i any writes", () => {
  test.each([["SLL", false], ["SLL2", true]])("Linux cooked headers (%s) give the same ladders", (_kind, v2) => {
    const file = tmp(v2 ? "sll2.pcapng" : "sll.pcapng");
    fs.writeFileSync(file, cooked(v2 as boolean));
    const ladder = (out: string) => out.split("\n").filter((l) => l.includes("|")).join("\n");
    const r = embertcp("trace", file, "--conn", "1");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toBe("37 frames: 37 TCP segments in 13 connections, 0 other frames skipped, 0 malformed");
    expect(ladder(r.out)).toBe(ladder(embertcp("trace", flood, "--conn", "1").out));
  });

  test.runIf(interopGate(["tshark"]))("a real capture: Linux TCP on loopback in the test's own namespace", async () => {
    const ns = createBareNetns("embtr");
    try {
      const file = tmp("any.pcapng");
      const port = 20000 + (process.pid % 20000);
      const cap = ns.spawn(["tshark", "-n", "-i", "any", "-f", `tcp port ${port}`, "-a", "duration:20", "-w", file]);
      let err = "";
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`tshark did not start: ${err}`)), 15_000);
        cap.stderr!.on("data", (d) => { err += d; if (/Capturing on/.test(err)) { clearTimeout(t); resolve(); } });
      });
      const script = `const net=require("net");const s=net.createServer(c=>{c.on("data",d=>c.write(d));c.on("end",()=>c.end())});` +
        `s.listen(${port},"127.0.0.1",()=>{const c=net.connect(${port},"127.0.0.1",()=>{c.write("hello");c.end()});c.resume();c.on("close",()=>s.close())})`;
      const node = await ns.exec([process.execPath, "-e", script], { timeoutMs: 10_000 });
      expect(node.code).toBe(0);
      // Stop the capture once it holds the whole close (dumpcap writes as it goes), or after 10 s.
      const closed = () => {
        try { return traceCapture(readCapture(file)).connections.some((c) => connectionOutcome(c) === "A TIME-WAIT, B CLOSED"); } catch { return false; }
      };
      for (let t = 0; t < 100 && !closed(); t++) await new Promise((r) => setTimeout(r, 100));
      cap.kill("SIGINT");
      await new Promise<void>((r) => { if (cap.exitCode !== null) r(); else cap.once("exit", () => r()); });
      expect(fs.readFileSync(file).readUInt32LE(0)).toBe(0x0a0d0d0a);
      expect([113, 276]).toContain(readCapture(file).linkType);
      const r = embertcp("trace", file);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`TCP connection 1: A 127\\.0\\.0\\.1:\\d+ -> B 127\\.0\\.0\\.1:${port}, \\d+ segments, relative seq/ack; ends A TIME-WAIT, B CLOSED`));
      expect(r.out).toMatch(/\|-- PSH\/ACK seq=1 ack=1 len=5 -+>\|/);
    } finally {
      await ns.destroy();
    }
  });
});

describe("forged half-open peers", () => {
  test("a SYN answered by a SYN/ACK that is never acknowledged stays SYN-SENT / SYN-RECEIVED, never ESTABLISHED", () => {
    const r = embertcp("trace", flood, "--host", "198.18.0.7");
    expect(r.code).toBe(0);
    expect(r.out).toContain("ends half-open: B SYN-RECEIVED, A never answered its SYN/ACK (a forged or lost peer)");
    const ladder = r.out.split("\n").filter((l) => /\|/.test(l));
    expect(ladder.join("\n")).not.toContain("ESTABLISHED");
    expect(ladder.find((l) => l.includes("SYN seq=0 "))).toMatch(/SYN-SENT .*\|  SYN-RECEIVED$/);
  });

  test("a peer that does answer becomes ESTABLISHED at the SYN/ACK, as before", () => {
    const r = embertcp("trace", flood, "--conn", "1");
    expect(r.out).toMatch(/ESTABLISHED +\|<-+ SYN\/ACK seq=0 ack=1 --\|/);
  });
});

describe("--svg", () => {
  test("says where it wrote, and what", () => {
    const svg = tmp("one.svg");
    const r = embertcp("trace", flood, "--conn", "2", "--svg", svg);
    expect(r.code).toBe(0);
    expect(r.out.trim().split("\n").at(-1)).toBe(`wrote the ladder of 1 connection as SVG to ${path.resolve(svg)}`);
    expect(fs.readFileSync(svg, "utf8")).toContain(">SYN seq=0<");
  });

  test("an SVG path that cannot be written: one line naming --svg, exit 2, checked before the capture is read", () => {
    const r = embertcp("trace", flood, "--conn", "1", "--svg", path.join(dir, "no", "such", "dir.svg"));
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/^embertcp trace: --svg /);
    expect(r.out).toBe("");
  });
});
