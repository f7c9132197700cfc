/**
 * `embertcp demo` in virtual time: it prints the handshake ladder, the
 * seq/ack table and the four-way close from its own capture, runs the flood
 * with a live netstat view, writes a capture that tshark reads with zero
 * malformed packets, prints the same thing on every run, and is quick.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runDemo, type DemoSummary } from "../host-sim/demo.js";
import { readPcap } from "../host-sim/pcap.js";
import { traceCapture } from "../host-sim/trace/index.js";
import { ARP_REQUEST, SYN, parseArpFrame, parseTcpFrame } from "../host-sim/wire/index.js";

const dir = mkdtempSync(join(tmpdir(), "embertcp-demo-"));

async function demo(name: string, syns = 400): Promise<{ out: string; s: DemoSummary; file: string; ms: number }> {
  const lines: string[] = [];
  const file = join(dir, name);
  const t0 = Date.now();
  const s = await runDemo({ pcap: file, floodSyns: syns, print: (l) => lines.push(l) });
  return { out: lines.join("\n"), s, file, ms: Date.now() - t0 };
}

const haveTshark = spawnSync("tshark", ["-v"], { stdio: "ignore" }).status === 0;
if (!haveTshark && !process.env.CI) console.warn("demo capture check skipped: tshark is not installed (CI installs it)");

describe("embertcp demo", () => {
  test("prints the handshake ladder, the data table and the four-way close from its capture", async () => {
    const { out, s, ms } = await demo("a.pcap");
    expect(ms).toBeLessThan(20_000);
    expect(s.echoedBytes).toBe(86);
    expect(out).toMatch(/1\. Three-way handshake/);
    expect(out).toMatch(/\|-- SYN seq=0 -+>\|  SYN-RECEIVED/);
    expect(out).toMatch(/ESTABLISHED +\|<-+ SYN\/ACK seq=0 ack=1 --\|/);
    expect(out).toMatch(/\|-- ACK seq=1 ack=1 -+>\|  ESTABLISHED/);
    // Each line's seq is the previous seq plus its length; acks answer them (RFC 9293 §3.4).
    expect(out).toMatch(/A->B +PSH\/ACK +1 +1 +26/);
    expect(out).toMatch(/B->A +PSH\/ACK +1 +27 +26/);
    expect(out).toMatch(/A->B +PSH\/ACK +27 +27 +32/);
    expect(out).toMatch(/B->A +PSH\/ACK +59 +87 +28/);
    expect(out).toMatch(/3\. Four-way close/);
    expect(out).toMatch(/FIN-WAIT-1 +\|-- FIN\S* seq=87 ack=87 -+>\|  CLOSE-WAIT/);
    expect(out).toMatch(/TIME-WAIT +\|<-+ FIN\S* seq=87 ack=88 --\|  LAST-ACK/);
    expect(out).toMatch(/\|-- ACK seq=88 ack=88 -+>\|  CLOSED/);
  });

  test("the flood shows SYN-RECEIVED entries in a live netstat view and is counted", async () => {
    const { out, s } = await demo("b.pcap");
    expect(out).toMatch(/4\. SYN flood: 400 SYNs/);
    expect(out).toMatch(/SYN-RECV +syn_rx +synack +overflow +cookies sent\/ok/);
    expect(out).toMatch(/10\.0\.0\.2:80 +198\.1[89]\.\d+\.\d+:\d+ +SYN-RECEIVED +\(SYN queue\)/);
    expect(s.spoofedSyns).toBe(400);
    expect(s.synRx).toBeGreaterThanOrEqual(400);
    expect(s.maxSynReceived).toBeGreaterThan(0);
    expect(out).toMatch(/5\. Summary/);
  });

  test("during the flood board A still connects and fetches a page (SYN cookies)", async () => {
    const { s } = await demo("c.pcap");
    expect(s.cookiesSent).toBeGreaterThan(0);
    expect(s.floodConnectMs).not.toBeNull();
    expect(s.floodHttpOk).toBe(true);
  });

  test("runs are identical: same text, same capture bytes", async () => {
    const a = await demo("d1.pcap", 100), b = await demo("d2.pcap", 100);
    expect(a.out.replace(/d[12]\.pcap/g, "")).toBe(b.out.replace(/d[12]\.pcap/g, ""));
    expect(Buffer.compare(readFileSync(a.file), readFileSync(b.file))).toBe(0);
  });

  test.runIf(haveTshark || !!process.env.CI)("tshark reads demo.pcap with 0 malformed packets and good checksums", async () => {
    const { file, s } = await demo("e.pcap");
    const r = spawnSync("tshark", ["-n", "-r", file, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
      "-Y", "_ws.malformed || _ws.expert.severity == error || ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\""], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("");
    const all = spawnSync("tshark", ["-n", "-r", file], { encoding: "utf8", timeout: 60_000 });
    expect(all.stdout.trim().split("\n").length).toBe(s.captureFrames);
    const t = traceCapture(readPcap(file));
    expect(t.malformed).toBe(0);
  });
});

describe("embertcp demo explains what a learner sees", () => {
  test("the four-way close ladder starts from ESTABLISHED on both sides", async () => {
    const { out } = await demo("close.pcap", 20);
    const close = out.split("3. Four-way close")[1].split("\n");
    expect(close[2]).toMatch(/^\s+ESTABLISHED\s+\|\s+\|\s+ESTABLISHED$/);
    expect(close[3]).toMatch(/FIN-WAIT-1 +\|-- FIN/);
  });

  test("the connect time is SYN to SYN/ACK on the ladder plus the boards' own time; no ARP is needed since the DHCP scene taught A B's MAC", async () => {
    const { out, s, file } = await demo("connect.pcap", 20);
    const m = /A connected to 10\.0\.0\.2:7 in ([\d.]+) ms from tcp_connect to ESTABLISHED: no ARP \(A already knows B's MAC from B's DHCP and DNS requests\), ([\d.]+) ms from SYN to SYN\/ACK \(the ladder below\), ([\d.]+) ms in the boards/.exec(out);
    expect(m).not.toBeNull();
    const [total, handshake, boards] = m!.slice(1).map(Number);
    expect(Math.abs(handshake + boards - total)).toBeLessThanOrEqual(0.15);
    // The ladder's SYN/ACK row carries the same time.
    const synAck = /\n\s+\d+\s+([\d.]+)\s+ESTABLISHED\s+\|<-+ SYN\/ACK seq=0 ack=1/.exec(out);
    expect(Number(synAck![1]).toFixed(1)).toBe(handshake.toFixed(1));
    expect(s.handshakeMs.toFixed(1)).toBe(total.toFixed(1));
    // The capture agrees: A never asks for B's MAC (B's DHCP and DNS traffic taught it), and says so.
    const recs = readPcap(file).records;
    const asks = recs.filter((r) => { const a = parseArpFrame(r.data); return a?.op === ARP_REQUEST && a.spa === "10.0.0.1" && a.tpa === "10.0.0.2"; });
    expect(asks).toEqual([]);
    expect(out).toMatch(/A knows B's MAC already \(B's DHCP and DNS requests taught it\), so the SYN is A's first frame/);
  });

  test("A's SYN during the flood is on the wire once, and every SYN B saw is accounted for", async () => {
    const { out, s, file } = await demo("syns.pcap");
    const fromA = readPcap(file).records.filter((r) => {
      const p = parseTcpFrame(r.data);
      return typeof p !== "string" && p.ip.src === "10.0.0.1" && p.tcp.dstPort === 80 && (p.tcp.flags & 0x12) === SYN;
    });
    expect(fromA.length).toBe(1);
    expect(s.synRx).toBe(s.spoofedSyns + 1);
    expect(out).toContain(`B saw ${s.synRx} SYNs on port 80: the 400 forged and 1 from A`);
  });
});

describe.runIf(haveTshark || !!process.env.CI)("tshark -z expert on the demo's capture", () => {
  test("shows no warning or error, and every note it shows is explained by the demo", () => {
    const file = join(dir, "expert.pcap");
    const run = spawnSync(process.execPath, ["bin/embertcp.js", "demo", "--fast", "--pcap", file], { encoding: "utf8", timeout: 120_000 });
    expect(run.status).toBe(0);
    const r = spawnSync("tshark", ["-n", "-r", file, "-q", "-z", "expert"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/^(Errors|Warns|Warnings) \(/m);
    const notes = (r.stdout.split(/^Notes \(\d+\)/m)[1] ?? "").split(/^\S.*\(\d+\)\n=+/m)[0];
    const rows = [...notes.matchAll(/^\s+(\d+)\s+\S+\s+\S+\s+(.+)$/gm)].map((x) => ({ n: Number(x[1]), what: x[2].trim() }));
    expect(rows.length).toBeGreaterThan(0);
    for (const { n, what } of rows) {
      if (/connection closing/.test(what)) expect(run.stdout).toContain('"connection closing" notes are the close in 3');
      else if (/retransmission/.test(what)) expect(run.stdout).toContain(`${n} "suspected retransmission" notes are SYN-ACKs B sent again`);
      else throw new Error(`a note the demo does not explain: ${n} × ${what}`);
    }
  });

  test("the trace commands the summary suggests pick the connections it names", () => {
    const file = join(dir, "hint.pcap");
    const run = spawnSync(process.execPath, ["bin/embertcp.js", "demo", "--fast", "--syns", "40", "--pcap", file], { encoding: "utf8", timeout: 120_000 });
    expect(run.stdout).toContain("draw one with `--conn N` (1 is the echo connection; `--host 10.0.0.1 --port 80` finds A's during the flood)");
    const one = spawnSync(process.execPath, ["bin/embertcp.js", "trace", file, "--conn", "1"], { encoding: "utf8", timeout: 60_000 });
    expect(one.stdout).toMatch(/^TCP connection 1: A 10\.0\.0\.1:\d+ -> B 10\.0\.0\.2:7,/m);
    const a = spawnSync(process.execPath, ["bin/embertcp.js", "trace", file, "--host", "10.0.0.1", "--port", "80"], { encoding: "utf8", timeout: 60_000 });
    expect(a.stdout).toMatch(/showing 1 of \d+ \(--port 80 --host 10\.0\.0\.1\)/);
    expect(a.stdout).toMatch(/^TCP connection \d+: A 10\.0\.0\.1:\d+ -> B 10\.0\.0\.2:80, .*; ends A TIME-WAIT, B CLOSED$/m);
  });
});
