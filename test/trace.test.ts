import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { VirtualClock } from "../host-sim/clock.js";
import { appendFcs } from "../host-sim/crc32.js";
import { PcapWriter, readPcap } from "../host-sim/pcap.js";
import { connectionRows, groupConnections, decodeFrames, renderSvg, traceCapture, traceFile } from "../host-sim/trace/index.js";
import { refusedConnection, sampleConversation, midStreamRows, writeCapture } from "./helpers/links-capture.js";
import { ACK, FIN, SYN, type TcpSegment, pattern, tcpFrame } from "../host-sim/wire/index.js";
import { xmlProblems } from "./helpers/links-xml.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "embertcp-trace-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const tmp = (name: string) => path.join(dir, name);

function capture(name: string, specs: TcpSegment[], opts: { leadingNoise?: number } = {}): string {
  const p = tmp(name);
  writeCapture(p, specs, opts);
  return p;
}

/** The table rows of `text` for a connection, as arrays of cells. */
function tableRows(text: string, connection = 1): string[][] {
  const block = text.split(/\n(?=TCP connection )/)[connection];
  const lines = block.split("\n");
  const head = lines.findIndex((l) => /^\s*#\s+dir\s+flags\s+seq\s+ack\s+len\s+frame$/.test(l));
  expect(head).toBeGreaterThan(0);
  return lines.slice(head + 1).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));
}

describe("trace: a handshake, a data phase and the four-way close", () => {
  const file = capture("seed.pcap", sampleConversation());
  const text = traceFile(file);

  test("summary names what was found", () => {
    expect(text.split("\n")[0]).toBe("13 frames: 13 TCP segments in 1 connection, 0 other frames skipped, 0 malformed");
    expect(text).toContain("TCP connection 1: A 10.0.0.1:49152 -> B 10.0.0.2:80, 13 segments, absolute seq/ack");
  });

  test("handshake table: 10000/0, 20000/10001, 10001/20001 (RFC 9293 §3.5)", () => {
    const rows = tableRows(text);
    expect(rows.slice(0, 3).map((r) => r.slice(0, 5))).toEqual([
      ["1", "A->B", "SYN", "10000", "0"],
      ["2", "B->A", "SYN/ACK", "20000", "10001"],
      ["3", "A->B", "ACK", "10001", "20001"],
    ]);
  });

  test("data phase: each ack is the peer's seq plus its payload size (RFC 9293 §3.4)", () => {
    const rows = tableRows(text);
    expect(rows.slice(3, 9)).toEqual([
      ["4", "A->B", "ACK", "10001", "20001", "1460", "1514"],
      ["5", "B->A", "ACK", "20001", "11461", "0", "54"],
      ["6", "A->B", "PSH/ACK", "11461", "20001", "1460", "1514"],
      ["7", "B->A", "ACK", "20001", "12921", "0", "54"],
      ["8", "B->A", "PSH/ACK", "20001", "12921", "100", "154"],
      ["9", "A->B", "ACK", "12921", "20101", "0", "54"],
    ]);
  });

  test("four-way close: FIN counts one sequence number (RFC 9293 §3.6)", () => {
    expect(tableRows(text).slice(9).map((r) => r.slice(0, 5))).toEqual([
      ["10", "A->B", "FIN/ACK", "12921", "20101"],
      ["11", "B->A", "ACK", "20101", "12922"],
      ["12", "B->A", "FIN/ACK", "20101", "12922"],
      ["13", "A->B", "ACK", "12922", "20102"],
    ]);
  });

  test("ladder: arrows point from sender to receiver with flag/seq/ack labels and the states each side enters", () => {
    const lines = text.split("\n");
    const header = lines.find((l) => l.includes("A state"))!;
    const ladder = lines.filter((l) => l.includes("|"));
    const row = (n: number) => ladder.find((l) => l.trimStart().startsWith(`${n} `))!;
    expect(header).toMatch(/^ +# +time ms +A state +A 10\.0\.0\.1:49152 +B 10\.0\.0\.2:80  B state$/);
    // The side names sit over their lifelines.
    expect(header.indexOf("A 10.0.0.1")).toBe(ladder[0].indexOf("|"));
    expect(header.indexOf("  B state")).toBe(ladder[0].lastIndexOf("|") + 1);
    expect(ladder[0]).toMatch(/CLOSED +\| +\| +LISTEN$/);
    expect(row(1)).toMatch(/SYN-SENT +\|-- SYN seq=10000 -+>\| +SYN-RECEIVED$/);
    expect(row(2)).toMatch(/ESTABLISHED +\|<-+ SYN\/ACK seq=20000 ack=10001 --\|$/);
    expect(row(3)).toMatch(/\|-- ACK seq=10001 ack=20001 -+>\| +ESTABLISHED$/);
    expect(row(4)).toMatch(/\|-- ACK seq=10001 ack=20001 len=1460 -+>\|$/);
    expect(row(8)).toMatch(/\|<-+ PSH\/ACK seq=20001 ack=12921 len=100 --\|$/);
    expect(row(10)).toMatch(/FIN-WAIT-1 +\|-- FIN\/ACK seq=12921 ack=20101 -+>\| +CLOSE-WAIT$/);
    expect(row(11)).toMatch(/FIN-WAIT-2 +\|<-+ ACK seq=20101 ack=12922 --\|$/);
    expect(row(12)).toMatch(/TIME-WAIT +\|<-+ FIN\/ACK seq=20101 ack=12922 --\| +LAST-ACK$/);
    expect(row(13)).toMatch(/\|-- ACK seq=12922 ack=20102 -+>\| +CLOSED$/);
    // Every arrow has the same width, so the lifelines are straight.
    const bars = new Set(ladder.map((l) => `${l.indexOf("|")},${l.lastIndexOf("|")}`));
    expect(bars.size).toBe(1);
    expect(row(2)).toMatch(/^ +2 +0\.500 /);
  });

  test("relative numbering starts each side at 0 (SYN) and 1 (first data byte)", () => {
    const rel = traceFile(file, { relative: true });
    expect(rel).toContain("relative seq/ack");
    expect(tableRows(rel).map((r) => r.slice(0, 5))).toEqual([
      ["1", "A->B", "SYN", "0", "0"],
      ["2", "B->A", "SYN/ACK", "0", "1"],
      ["3", "A->B", "ACK", "1", "1"],
      ["4", "A->B", "ACK", "1", "1"],
      ["5", "B->A", "ACK", "1", "1461"],
      ["6", "A->B", "PSH/ACK", "1461", "1"],
      ["7", "B->A", "ACK", "1", "2921"],
      ["8", "B->A", "PSH/ACK", "1", "2921"],
      ["9", "A->B", "ACK", "2921", "101"],
      ["10", "A->B", "FIN/ACK", "2921", "101"],
      ["11", "B->A", "ACK", "101", "2922"],
      ["12", "B->A", "FIN/ACK", "101", "2922"],
      ["13", "A->B", "ACK", "2922", "102"],
    ]);
    expect(rel).toMatch(/\|-- SYN seq=0 -+>\|/);
    expect(rel).toMatch(/\|<-+ SYN\/ACK seq=0 ack=1 --\|/);
  });

  test("the SVG is well-formed, one arrow per segment, labels escaped and present", () => {
    const svgPath = tmp("conversation.svg");
    traceFile(file, { svg: svgPath });
    const svg = fs.readFileSync(svgPath, "utf8");
    const { problems, elements } = xmlProblems(svg);
    expect(problems).toEqual([]);
    expect(svg).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((svg.match(/class="seg"/g) ?? []).length).toBe(13);
    expect(elements.get("line")).toBe(13 + 2);
    expect(svg).toContain(">SYN seq=10000<");
    expect(svg).toContain(">SYN/ACK seq=20000 ack=10001<");
    expect(svg).toContain(">TIME-WAIT<");
  });
});

describe("trace: other captures", () => {
  test("data rows 23-26 of a capture starting mid-connection, after 22 other frames", () => {
    const text = traceFile(capture("data.pcap", midStreamRows(), { leadingNoise: 22 }));
    expect(text.split("\n")[0]).toBe("26 frames: 4 TCP segments in 1 connection, 22 other frames skipped, 0 malformed");
    expect(text).toContain("(capture starts mid-connection)");
    expect(tableRows(text)).toEqual([
      ["23", "A->B", "ACK", "40000", "70000", "1460", "1514"],
      ["24", "B->A", "ACK", "70000", "41460", "0", "54"],
      ["25", "A->B", "ACK", "41460", "70000", "1460", "1514"],
      ["26", "B->A", "ACK", "70000", "42920", "0", "54"],
    ]);
    // Relative to the first numbers seen, as Wireshark does without a SYN.
    expect(tableRows(traceFile(tmp("data.pcap"), { relative: true })).map((r) => [r[3], r[4]])).toEqual([["0", "0"], ["0", "1460"], ["1460", "0"], ["0", "2920"]]);
  });

  test("a refused connection: RST/ACK after SYN, the server never leaves CLOSED", () => {
    const text = traceFile(capture("refused.pcap", refusedConnection()));
    const lines = text.split("\n");
    expect(lines.find((l) => l.includes("RST/ACK seq=0 ack=5001"))).toMatch(/^\s+2 +[\d.]+ +CLOSED +\|<-+ RST\/ACK seq=0 ack=5001 --\|$/);
    expect(lines.find((l) => /\|\s+\|/.test(l))).toMatch(/CLOSED +\| +\| +CLOSED$/);
  });

  test("simultaneous close passes through CLOSING to TIME-WAIT on both sides", () => {
    const A = { srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 1000, dstPort: 2000 };
    const B = { srcIp: "10.0.0.2", dstIp: "10.0.0.1", srcPort: 2000, dstPort: 1000 };
    const specs: TcpSegment[] = [
      { ...A, seq: 100, flags: SYN }, { ...B, seq: 300, ack: 101, flags: SYN | ACK }, { ...A, seq: 101, ack: 301, flags: ACK },
      { ...A, seq: 101, ack: 301, flags: FIN | ACK }, { ...B, seq: 301, ack: 101, flags: FIN | ACK },
      { ...A, seq: 102, ack: 302, flags: ACK }, { ...B, seq: 302, ack: 102, flags: ACK },
    ];
    const conns = groupConnections(decodeFrames(readPcap(capture("simclose.pcap", specs)).records).segments);
    expect(connectionRows(conns[0]).map((r) => r.states)).toEqual([
      { A: "SYN-SENT", B: "SYN-RECEIVED" }, { A: "ESTABLISHED" }, { B: "ESTABLISHED" },
      { A: "FIN-WAIT-1", B: "CLOSE-WAIT" }, { A: "CLOSING", B: "CLOSING" },
      { B: "TIME-WAIT" }, { A: "TIME-WAIT" },
    ]);
  });

  test("connections are told apart by endpoints and by a new ISN on a reused port pair; a retransmitted SYN is not new", () => {
    const A = { srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 1000, dstPort: 80 };
    const B = { srcIp: "10.0.0.2", dstIp: "10.0.0.1", srcPort: 80, dstPort: 1000 };
    const C = { srcIp: "10.0.0.3", dstIp: "10.0.0.2", srcPort: 1000, dstPort: 80 };
    const specs: TcpSegment[] = [
      { ...A, seq: 1, flags: SYN }, { ...C, seq: 9, flags: SYN }, { ...A, seq: 1, flags: SYN }, // retransmission
      { ...B, seq: 50, ack: 2, flags: SYN | ACK }, { ...A, seq: 2, ack: 51, flags: ACK },
      { ...A, seq: 7777, flags: SYN }, // same ports later, a new incarnation
    ];
    const r = traceCapture(readPcap(capture("multi.pcap", specs)));
    expect(r.connections.map((c) => [c.a, c.b, c.segments.length])).toEqual([
      ["10.0.0.1:1000", "10.0.0.2:80", 4], ["10.0.0.3:1000", "10.0.0.2:80", 1], ["10.0.0.1:1000", "10.0.0.2:80", 1],
    ]);
    expect(r.text).toContain("TCP connection 3: A 10.0.0.1:1000 -> B 10.0.0.2:80, 1 segments");
    expect(xmlProblems(r.svg).problems).toEqual([]);
  });

  test("truncated and inconsistent frames are counted as malformed, not trusted", () => {
    const clock = new VirtualClock();
    const p = tmp("bad.pcap");
    const w = new PcapWriter(p, { clock });
    const good = tcpFrame({ srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: 1, dstPort: 2, seq: 5, flags: SYN });
    w.write(appendFcs(good));
    w.write(appendFcs(good.subarray(0, 30))); // cut inside the IP header
    const lying = good.slice();
    lying[14 + 2] = 0x05; lying[14 + 3] = 0xdc; // IP total length 1500 > frame
    w.write(appendFcs(lying));
    const badOff = good.slice();
    badOff[14 + 20 + 12] = 0x20; // TCP data offset 8 bytes < 20
    w.write(appendFcs(badOff));
    w.write(new Uint8Array(8)); // shorter than an Ethernet header
    w.close();
    const r = traceCapture(readPcap(p));
    expect(r.malformed).toBe(4);
    expect(r.connections.length).toBe(1);
    expect(r.text.split("\n")[0]).toBe("5 frames: 1 TCP segments in 1 connection, 0 other frames skipped, 4 malformed");
  });

  test("addresses and labels are XML-escaped in the SVG", () => {
    const conns = groupConnections(decodeFrames(readPcap(capture("esc.pcap", sampleConversation())).records).segments);
    conns[0].a = `<evil & "quoted">`;
    const { problems } = xmlProblems(renderSvg(conns));
    expect(problems).toEqual([]);
    expect(renderSvg(conns)).toContain("A &lt;evil &amp; &quot;quoted&quot;&gt;");
  });

  test("the XML checker itself rejects broken documents", () => {
    expect(xmlProblems("<svg><text>a < b</text></svg>").problems.length).toBeGreaterThan(0);
    expect(xmlProblems("<svg><g></svg>").problems.length).toBeGreaterThan(0);
    expect(xmlProblems('<svg a="1" a="2"/>').problems.length).toBeGreaterThan(0);
    expect(xmlProblems("<svg>&nbsp;</svg>").problems.length).toBeGreaterThan(0);
    expect(xmlProblems("<a/><b/>").problems.length).toBeGreaterThan(0);
    expect(xmlProblems('<?xml version="1.0"?>\n<svg x="1"><g/></svg>\n').problems).toEqual([]);
  });

  test("a non-Ethernet capture is refused with a clear message", () => {
    const file = readPcap(capture("eth.pcap", refusedConnection()));
    expect(() => traceCapture({ ...file, linkType: 101 })).toThrow(/link type 101/);
  });
});
