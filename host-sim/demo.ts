/**
 * `embertcp demo` (what `npm start` runs): two boards — each the wasm stack
 * on the ENC28J60 model — talk over a serial line, and the demo shows, from a
 * capture of that line, what the seed notes describe:
 *
 *   1. the three-way handshake as a ladder diagram,
 *   2. a data exchange with the seq/ack table (seed 001),
 *   3. the four-way close,
 *   4. a spoofed SYN flood against the server while the client still
 *      connects, with a live netstat view of SYN-RECEIVED entries and the
 *      SYN-queue/cookie counters,
 *   5. a summary; the capture is written as demo.pcap.
 *
 * Topology: board B (server: echo 7, http 80) sits on one end of the serial
 * line; the other end goes into a small learning switch with board A (the
 * client) and the attacker on its other ports. The attacker forges SYNs from
 * random off-link addresses and answers ARP for B's gateway with an address
 * that goes nowhere, so B's SYN-ACKs to the forged sources are lost, as they
 * are on a real network.
 *
 * By default the line is in-process (a link pair modelling a 115200-baud UART
 * carrying SLIP-framed frames) and everything runs in virtual time, so the
 * demo takes a second or two of wall time and prints the same thing every
 * run. With `serial: [A, B]` the boards use two real serial ports (e.g. a
 * null-modem pair or socat ptys) and run in real time.
 */

import * as fs from "node:fs";
import { Board, runVirtual } from "./board.js";
import { type Clock, RealClock, VirtualClock } from "./clock.js";
import { appendFcs } from "./crc32.js";
import { EchoServer, HttpServer, TcpClient } from "./apps/index.js";
import { createPair, LearningSwitch, type LinkEnd, SerialLink } from "./links/index.js";
import { FLOOD_COUNTERS, formatSnapshot, snapshot } from "./netstat.js";
import { PcapWriter, readPcap, tapLink } from "./pcap.js";
import { ipToNumber } from "./stack.js";
import { connectionRows, renderLadder, renderTable, traceCapture } from "./trace/index.js";
import { Prng } from "./links/faults.js";
import { internetChecksum, onesSum } from "./inet.js";
import { dhcpDnsScene, dhcpServers } from "./demo-dhcp.js";

export interface DemoOptions {
  /** Two serial device paths (real time) instead of the in-process line. */
  serial?: [string, string];
  /** Line rate (default 115200). */
  baud?: number;
  /** Capture file (default demo.pcap; null: none). */
  pcap?: string | null;
  /** Spoofed SYNs in the flood (default 400). */
  floodSyns?: number;
  /** How long to keep watching after the last forged SYN (default 15 s; board A retries its SYN meanwhile). */
  settleMs?: number;
  /** Real ms to pause between lines of the live netstat view (default 0). */
  liveDelayMs?: number;
  print?: (line: string) => void;
}

export interface DemoSummary {
  echoedBytes: number;
  handshakeMs: number;
  captureFrames: number;
  pcapPath: string | null;
  spoofedSyns: number;
  synRx: number;
  synqOverflows: number;
  cookiesSent: number;
  cookiesAccepted: number;
  maxSynReceived: number;
  /** The client's connection made during the flood: ms to establish, or null if it failed. */
  floodConnectMs: number | null;
  floodClientError: string | null;
  /** The client's HTTP request during the flood got a 200. */
  floodHttpOk: boolean;
}

const A = { ip: "10.0.0.1", mac: "02:00:0a:00:00:01" };
const B = { ip: "10.0.0.2", mac: "02:00:0a:00:00:02" };
const GATEWAY = "10.0.0.254";
const BLACKHOLE_MAC = "02:00:0a:00:00:fe";
const ATTACKER_MAC = "02:00:0a:00:00:66";
const MESSAGES = ["Hello B, this is board A.\n", "Three lines over a serial line,\n", "echoed back by your port 7.\n"];

// ---- frames the attacker forges (built here, independent of the stack) ----

function mac(s: string): number[] { return s.split(":").map((h) => parseInt(h, 16)); }
function put32(b: Uint8Array, o: number, v: number): void { b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 255; b[o + 2] = (v >>> 8) & 255; b[o + 3] = v & 255; }

/** Ethernet + IPv4 + TCP SYN with an MSS option, checksums filled in. */
export function spoofedSyn(o: { srcMac: string; dstMac: string; src: number; dst: number; sport: number; dport: number; seq: number }): Uint8Array {
  const f = new Uint8Array(14 + 20 + 24);
  f.set(mac(o.dstMac), 0); f.set(mac(o.srcMac), 6); f[12] = 0x08;
  const ip = 14, tcp = 34;
  f[ip] = 0x45; f[ip + 3] = 44; f[ip + 6] = 0x40; f[ip + 8] = 64; f[ip + 9] = 6;
  put32(f, ip + 12, o.src); put32(f, ip + 16, o.dst);
  const ic = internetChecksum(f, ip, ip + 20); f[ip + 10] = ic >> 8; f[ip + 11] = ic & 255;
  f[tcp] = o.sport >> 8; f[tcp + 1] = o.sport & 255; f[tcp + 2] = o.dport >> 8; f[tcp + 3] = o.dport & 255;
  put32(f, tcp + 4, o.seq);
  f[tcp + 12] = 6 << 4; f[tcp + 13] = 0x02; f[tcp + 14] = 0xfa; f[tcp + 15] = 0xf0;
  f.set([2, 4, 0x05, 0xb4], tcp + 20);
  // RFC 9293 §3.1: the checksum covers a pseudo-header of addresses, protocol and length.
  const pseudo = new Uint8Array(12);
  put32(pseudo, 0, o.src); put32(pseudo, 4, o.dst); pseudo[9] = 6; pseudo[11] = 24;
  const tc = internetChecksum(f, tcp, tcp + 24, onesSum(pseudo, 0, 12)); f[tcp + 16] = tc >> 8; f[tcp + 17] = tc & 255;
  return f;
}

/** An ARP reply "ip is-at mac" to `to`. */
function arpReply(o: { mac: string; ip: number; toMac: string; toIp: number; srcMac: string }): Uint8Array {
  const f = new Uint8Array(42);
  f.set(mac(o.toMac), 0); f.set(mac(o.srcMac), 6); f[12] = 8; f[13] = 6;
  f.set([0, 1, 8, 0, 6, 4, 0, 2], 14); f.set(mac(o.mac), 22); put32(f, 28, o.ip); f.set(mac(o.toMac), 32); put32(f, 38, o.toIp);
  return f;
}

/**
 * Board A's side of the echo exchange: one line at a time, the next only
 * after the previous one came back, then a close — so the capture shows
 * seq and ack advancing line by line before the FINs.
 */
class EchoChat extends TcpClient {
  private line = 0;
  private readonly lines: Uint8Array[];
  constructor(ip: string, lines: string[]) {
    super({ ip, port: 7, closeAfterSend: false });
    this.lines = lines.map((l) => new TextEncoder().encode(l));
  }
  /** Bytes of the lines sent so far. */
  private sentBytes(): number { return this.lines.slice(0, this.line).reduce((n, l) => n + l.length, 0); }
  service(board: Board): boolean {
    let worked = super.service(board);
    const s = this.sock;
    if (!s || this.done || this.connectedAt < 0) return worked;
    try {
      if (this.bytesIn === this.sentBytes()) {
        if (this.line < this.lines.length) { this.bytesOut += s.send(this.lines[this.line++]); worked = true; }
        else if (!this.sentClose) { s.close(); this.sentClose = true; worked = true; }
      }
    } catch (e) { this.error = String(e); }
    return worked;
  }
}

// ---- the run ----

/** Run the demo; prints as it goes and returns the figures. */
export async function runDemo(o: DemoOptions = {}): Promise<DemoSummary> {
  const print = o.print ?? ((l: string) => console.log(l));
  const baud = o.baud ?? 115200;
  const real = !!o.serial;
  const clock: Clock = real ? new RealClock() : new VirtualClock();
  const pcapPath = o.pcap === undefined ? "demo.pcap" : o.pcap;
  const floodSyns = o.floodSyns ?? 400;

  // The serial line: in-process, or two real ports.
  let lineA: LinkEnd, lineB: LinkEnd;
  let lineWhat: string;
  const serials: SerialLink[] = [];
  if (o.serial) {
    const [pa, pb] = o.serial.map((path) => new SerialLink({ path, baudRate: baud, pace: true, clock }));
    serials.push(pa, pb);
    try { await Promise.all([pa.opened(), pb.opened()]); } catch (e) {
      pa.close(); pb.close();
      throw new Error(`${(e as Error).message}; give two ports joined by a cable or a socat pty pair`);
    }
    lineA = pa; lineB = pb;
    lineWhat = `serial ports ${o.serial[0]} <-> ${o.serial[1]} at ${baud} baud, real time`;
  } else {
    [lineA, lineB] = createPair(clock, { baud, checkFcs: true });
    lineWhat = `an in-process serial line at ${baud} baud (SLIP framing time modelled), virtual time`;
  }

  // Capture the line at the switch side, in memory (the trace reads it back) and to the file at the end.
  const chunks: Uint8Array[] = [];
  const pcap = new PcapWriter({ write: (b) => chunks.push(b.slice()) }, { clock });
  const tappedLine = tapLink(lineA, pcap);
  const sw = new LearningSwitch({ clock });
  sw.attach(tappedLine);
  const portA = sw.connect(clock);
  const portX = sw.connect(clock);

  const downs: string[] = [];
  const echo = new EchoServer();
  const http = new HttpServer();
  const boardB = new Board({ name: "B", link: lineB, clock, mac: B.mac, ip: 0 /* DHCP from A: host-sim/demo-dhcp.ts */, gateway: GATEWAY, seed: 0xb0b, onEvent: (e) => { if (e.kind === "link" && e.text.startsWith("link down")) downs.push(`B ${e.text}`); } });
  const boardA = new Board({ name: "A", link: portA, clock, mac: A.mac, ip: A.ip, gateway: GATEWAY, seed: 0xa11ce });

  // The attacker answers ARP for B's gateway so B sends its SYN-ACKs into the void.
  const gw = ipToNumber(GATEWAY);
  portX.onFrame = (f) => {
    const isArpRequest = f[12] === 8 && f[13] === 6 && f[21] === 1;
    const target = (f[38] << 24 | f[39] << 16 | f[40] << 8 | f[41]) >>> 0;
    if (isArpRequest && target === gw) {
      const senderMac = [...f.subarray(22, 28)].map((x) => x.toString(16).padStart(2, "0")).join(":");
      const senderIp = (f[28] << 24 | f[29] << 16 | f[30] << 8 | f[31]) >>> 0;
      portX.send(appendFcs(arpReply({ mac: BLACKHOLE_MAC, ip: gw, toMac: senderMac, toIp: senderIp, srcMac: BLACKHOLE_MAC })));
    }
  };

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Let time pass until `until` holds or `ms` have gone by. */
  const runFor = async (ms: number, until?: () => boolean): Promise<boolean> => {
    if (clock instanceof VirtualClock) return runVirtual(clock, ms, until, 5);
    const end = clock.now() + ms;
    while (clock.now() < end) { if (until?.()) return true; await sleep(5); }
    return until ? until() : true;
  };
  const t = () => `[${(clock.now() / 1000).toFixed(3).padStart(8)} s]`;
  const stats = (b: Board) => b.stack.stats();

  try {
    print("embertcp demo: two boards, each the embertcp.wasm stack driving an ENC28J60 model,");
    print(`on ${lineWhat}.`);
    print(`  A ${A.ip} (${A.mac})  client, on a switch with the attacker`);
    print(`  B ${B.ip} (${B.mac})  server: echo on 7, http on 80`);
    print("");
    boardA.start();
    dhcpServers({ boardA, ipA: A.ip, ipB: B.ip, router: GATEWAY });
    boardB.start([echo, http]);
    await runFor(real ? 1000 : 200);
    print(`${t()} both boards up; gratuitous ARPs sent (A ${stats(boardA).arp_requests_sent}, B ${stats(boardB).arp_requests_sent})`);
    await dhcpDnsScene({ boardA, boardB, ipB: B.ip, router: GATEWAY, print, t, runFor });

    // 1-3: one echo connection, then its ladder and table from the capture.
    const data = new TextEncoder().encode(MESSAGES.join(""));
    const client = new EchoChat(B.ip, MESSAGES);
    const t0 = clock.now();
    boardA.addApp(client);
    await runFor(real ? 8000 : 30_000, () => client.done);
    if (process.env.EMBER_DEMO_DEBUG) console.error(JSON.stringify({ a: boardA.counters(), b: boardB.counters(), sw: sw.stats() }));
    if (!client.done || client.error) throw new Error(`the echo connection did not complete (${client.error ?? "timed out"}): is TCP in this build?`);
    await runFor(real ? 500 : 200);
    const handshakeMs = client.connectedAt - t0;
    const echoed = new TextDecoder().decode(client.received);
    print(`${t()} A connected to ${B.ip}:7 in ${handshakeMs.toFixed(1)} ms, sent ${data.length} bytes, got ${client.bytesIn} back${echoed === MESSAGES.join("") ? " (identical)" : " (DIFFERENT!)"}, both sides closed`);
    pcap.flush();
    const trace = traceCapture(readPcap(Buffer.concat(chunks)), { relative: true });
    const conn = trace.connections.find((c) => c.b === `${B.ip}:7`);
    if (conn) {
      const rows = connectionRows(conn, { relative: true });
      const firstData = rows.findIndex((r) => r.len > 0);
      const firstFin = rows.findIndex((r) => r.flags.includes("FIN"));
      const ladder = renderLadder(conn, { relative: true }).split("\n");
      const table = renderTable(conn, { relative: true }).split("\n");
      const head = ladder.slice(0, 2);
      print("");
      print(`1. Three-way handshake (A = ${conn.a} opens, B = ${conn.b} listens; numbers relative to each ISN)`);
      print([...head, ...ladder.slice(2, 2 + (firstData < 0 ? 3 : firstData))].join("\n"));
      print("");
      print("2. Data: A's three lines and B's echo; seq advances by the bytes sent, ack = the next byte expected");
      const dataRows = table.slice(1 + Math.max(firstData, 0), 1 + (firstFin < 0 ? rows.length : firstFin));
      print([table[0], ...dataRows].join("\n"));
      print("");
      print("3. Four-way close: each FIN takes one sequence number and is acknowledged on its own");
      print([...head, ...ladder.slice(2 + (firstFin < 0 ? rows.length : firstFin))].join("\n"));
    }

    // 4: the flood.
    print("");
    print(`4. SYN flood: ${floodSyns} SYNs to ${B.ip}:80 from forged off-link sources, while A opens a connection to port 80`);
    const rng = new Prng(0xf100d);
    const before = stats(boardB);
    let sent = 0;
    let maxSynRecv = 0;
    // Forge SYNs at a steady rate the line can carry (about 150 a second at 115200 baud).
    const perMs = Math.min(0.15, (baud / 10 / 1000) / 80);
    const floodStart = clock.now();
    const floodOne = () => {
      if (sent >= floodSyns) return;
      const src = ((198 << 24) | (18 << 16) | rng.below(1 << 17)) >>> 0;
      portX.send(appendFcs(spoofedSyn({ srcMac: BLACKHOLE_MAC, dstMac: B.mac, src, dst: ipToNumber(B.ip), sport: 1024 + rng.below(60000), dport: 80, seq: rng.below(2 ** 32) >>> 0 })));
      sent++;
      clock.at(floodStart + sent / perMs, floodOne);
    };
    floodOne();
    const legit = new TcpClient({ ip: B.ip, port: 80, send: new TextEncoder().encode("GET /netstat HTTP/1.0\r\n\r\n") });
    let legitStarted = -1;
    const floodMs = floodSyns / perMs;
    print(`   ${"time".padEnd(14)}${"SYN-RECV".padEnd(10)}${"syn_rx".padEnd(8)}${"synack".padEnd(8)}${"overflow".padEnd(10)}${"cookies sent/ok".padEnd(17)}A's connection`);
    let shownTable = false;
    const step = 250;
    let lastRow = "";
    let lastPrinted = -Infinity;
    let doneShown = false;
    const settleMs = o.settleMs ?? 15_000;
    for (let k = 0; clock.now() - floodStart < floodMs + settleMs; k++) {
      if (legitStarted < 0 && clock.now() - floodStart >= floodMs / 3) { legitStarted = clock.now(); boardA.addApp(legit); }
      await runFor(step);
      const snap = snapshot(boardB);
      const synRecv = snap.connections.filter((r) => r.state === "SYN-RECEIVED").length;
      maxSynRecv = Math.max(maxSynRecv, synRecv);
      const s = snap.stats;
      const aState = legitStarted < 0 ? "-" : legit.error ? `failed: ${legit.error}` : legit.done ? "done" : legit.connectedAt >= 0 ? "ESTABLISHED" : "SYN-SENT";
      const row = `${String(synRecv).padEnd(10)}${String(s.syn_rx - before.syn_rx).padEnd(8)}${String(s.synack_sent - before.synack_sent).padEnd(8)}` +
        `${String(s.synq_overflows - before.synq_overflows).padEnd(10)}${`${s.cookies_sent - before.cookies_sent}/${s.cookies_accepted - before.cookies_accepted}`.padEnd(17)}${aState}`;
      // A row when something changed, at most every 500 ms, and a heartbeat every 3 s.
      const now = clock.now();
      const justDone = legit.done && !doneShown;
      if ((row !== lastRow && now - lastPrinted >= 500) || now - lastPrinted >= 3000 || justDone) {
        doneShown = legit.done;
        print(`   ${t().padEnd(14)}${row}`);
        lastRow = row;
        lastPrinted = now;
        if (o.liveDelayMs) await sleep(o.liveDelayMs);
      }
      if (!shownTable && synRecv >= 4 && sent >= floodSyns / 2) {
        shownTable = true;
        const lines = formatSnapshot(snap).split("\n");
        const rows = lines.slice(2, -1);
        print("   netstat on B at this moment:");
        for (const l of [lines[1], ...rows.slice(0, 8)]) print(`     ${l}`);
        if (rows.length > 8) print(`     ... ${rows.length - 8} more`);
      }
      if (legit.done && sent >= floodSyns) break;
    }
    const after = stats(boardB);
    const floodConnectMs = legit.connectedAt >= 0 ? legit.connectedAt - legitStarted : null;
    const reply = new TextDecoder().decode(legit.received);
    const floodHttpOk = /^HTTP\/1\.1 200 OK/.test(reply);
    if (floodConnectMs !== null) print(`   A connected ${floodConnectMs.toFixed(0)} ms after its first SYN and fetched B's /netstat: ${reply.split("\r\n")[0] || "no answer"}`);
    else print(`   A could not connect during the flood (${legit.error ?? "still trying"}): the forged entries filled B's SYN queue` +
      (after.cookies_sent === before.cookies_sent ? " and this build sent no SYN cookies" : ""));

    // 5: summary and the capture file.
    pcap.close();
    const bytes = Buffer.concat(chunks);
    const frames = readPcap(bytes).records.length;
    if (pcapPath) fs.writeFileSync(pcapPath, bytes);
    const summary: DemoSummary = {
      echoedBytes: client.bytesIn, handshakeMs, captureFrames: frames, pcapPath,
      spoofedSyns: sent, synRx: after.syn_rx - before.syn_rx, synqOverflows: after.synq_overflows - before.synq_overflows,
      cookiesSent: after.cookies_sent - before.cookies_sent, cookiesAccepted: after.cookies_accepted - before.cookies_accepted,
      maxSynReceived: maxSynRecv, floodConnectMs, floodClientError: legit.error, floodHttpOk,
    };
    print("");
    print("5. Summary");
    print(`   echo: ${summary.echoedBytes} bytes back byte for byte; handshake ${handshakeMs.toFixed(1)} ms on the line`);
    print(`   flood: ${sent} forged SYNs; B saw ${summary.synRx}, held at most ${maxSynRecv} half-open entries, ` +
      `overflowed its SYN queue ${summary.synqOverflows} times, sent ${summary.cookiesSent} cookies and accepted ${summary.cookiesAccepted}`);
    print(`   A during the flood: ${floodConnectMs !== null ? `connected in ${floodConnectMs.toFixed(0)} ms, HTTP ${floodHttpOk ? "200" : "failed"}` : "no connection"}`);
    print(`   B's counters: ${FLOOD_COUNTERS.map((k) => `${k} ${after[k]}`).join(", ")}`);
    print(`   capture: ${frames} frames${pcapPath ? ` in ${pcapPath}; open it in Wireshark or run \`embertcp trace ${pcapPath}\`` : " (not written)"}`);
    for (const d of downs) print(`   note: ${d}`);
    print(`   simulated time ${(clock.now() / 1000).toFixed(1)} s`);
    return summary;
  } finally {
    boardA.stop();
    boardB.stop();
    sw.close();
    for (const s of serials) s.close();
  }
}
