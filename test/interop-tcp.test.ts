/**
 * Linux as a real TCP peer of a board, through a TAP in a namespace of this
 * test's own: curl the status page, 1 MiB through echo byte-exact, the board
 * as a client of a Linux server, 50 Linux clients at once, and the close
 * handshake and a RST as tshark sees them on the TAP. Every command is
 * bounded in bytes and time; the namespace goes away in afterAll.
 */
import { randomBytes, createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EchoServer, HttpServer, makeApps, patternByte, TcpClient } from "../host-sim/apps/index.js";
import {
  boardBehindTap, BOARD_IP, CONCURRENT_ECHO_PY, interopGate, LINUX_IP, type Rig, startCapture, tcpRows, waitListening,
} from "./helpers/interop.js";
import { until } from "./helpers/until.js";

const run = interopGate(["curl", "nc", "tshark", "ss"]);

describe.runIf(run)("interop: Linux and a board over TCP", () => {
  let rig: Rig;
  let echo: EchoServer;
  let http: HttpServer;
  const dir = mkdtempSync(join(tmpdir(), "embertcp-interop-"));

  beforeAll(async () => {
    echo = new EchoServer({ backlog: 8 });
    http = new HttpServer();
    // A short MSL keeps TIME-WAIT from pinning TCBs across the tests.
    rig = await boardBehindTap({ apps: [echo, http, ...makeApps("discard,chargen")], config: { msl_ms: 1000 } });
  });
  afterAll(async () => { await rig?.teardown(); });

  test("curl gets the status page with the connection table", async () => {
    const r = await rig.ns.exec(["curl", "-sS", "--max-time", "10", "-D", "-", `http://${BOARD_IP}/`], { timeoutMs: 15_000 });
    expect(r.stderr).toBe("");
    const text = r.stdout.toString();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('<table id="connections">');
    // The request's own connection, as the board saw it while answering.
    expect(text).toMatch(new RegExp(`<td>${BOARD_IP}:80</td><td>${LINUX_IP}:\\d+</td><td class="state">ESTABLISHED</td>`));
    expect(http.answered[200]).toBeGreaterThanOrEqual(1);
  });

  test("nc sends 1 MiB to echo and gets the same 1 MiB back", async () => {
    const data = randomBytes(1 << 20);
    const r = await rig.ns.exec(["nc", "-N", "-w", "20", BOARD_IP, "7"], { input: data, timeoutMs: 40_000 });
    expect(r.timedOut).toBe(false);
    expect(r.stdout.length).toBe(data.length);
    expect(createHash("sha256").update(r.stdout).digest("hex")).toBe(createHash("sha256").update(data).digest("hex"));
  });

  test("the board as client: 200 KiB to a Linux nc server", async () => {
    const server = rig.ns.spawn(["nc", "-l", "-d", "-w", "20", "5000"]);
    const got: Buffer[] = [];
    server.stdout!.on("data", (d: Buffer) => got.push(d));
    const exited = new Promise<void>((r) => server.once("exit", () => r()));
    await waitListening(rig.ns, 5000);
    const c = new TcpClient({ ip: LINUX_IP, port: 5000, send: 200 * 1024, keep: false });
    rig.board.addApp(c);
    expect(await until(() => c.done, 30_000)).toBe(true);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    expect(c.error).toBeNull();
    const all = Buffer.concat(got);
    expect(all.length).toBe(200 * 1024);
    expect(all.every((b, i) => b === patternByte(i))).toBe(true);
    expect(rig.board.stack.stats().tcp_active_opens).toBeGreaterThanOrEqual(1);
  });

  test("50 Linux clients at once on echo all get their bytes back", async () => {
    // 50 clients on 8 TCBs: a SYN that finds no TCB is dropped (docs/TCP.md
    // "Overload"), so late clients wait for Linux's SYN backoff (1, 2, 4, 8,
    // 16, 32 s): allow past the retry at 63 s. The clients start within
    // 100 ms: started in the same instant, Linux's retransmission timers of
    // all 50 stay in phase, so every backoff step brings ~40 full segments
    // (48 ms of 10BASE-T) at once, the board's switch port (50 ms) drops the
    // tail, and the same clients lose every round.
    const r = await rig.ns.exec(["python3", "-c", CONCURRENT_ECHO_PY, BOARD_IP, "7", "50", "2000", "100", "100"], { timeoutMs: 110_000 });
    if (r.stdout.toString().trim() !== "ok 50") {
      const s = rig.board.stack.stats();
      console.log(r.stdout.toString(), JSON.stringify(Object.fromEntries(Object.entries(s).filter(([k, v]) => v && /tcp|syn|cookie|accept|listen/.test(k)))), rig.board.wireDrops);
      console.log(rig.board.stack.list().map((e) => `${e.handle} ${e.state} ${e.remotePort}`).join("\n"));
    }
    expect(r.timedOut).toBe(false);
    expect(r.stdout.toString().trim()).toBe("ok 50");
    expect(await until(() => echo.conns.size === 0, 5000)).toBe(true);
  }, 120_000);

  test("tshark on the TAP sees the four-way close of an echo connection and a RST for a closed port", async () => {
    const cap = await startCapture(rig.ns, join(dir, "close.pcap"));
    const e = await rig.ns.exec(["nc", "-N", "-w", "10", "-p", "40007", BOARD_IP, "7"], { input: Buffer.from("hello, board\n"), timeoutMs: 15_000 });
    expect(e.stdout.toString()).toBe("hello, board\n");
    const refused = await rig.ns.exec(["nc", "-w", "5", "-p", "40099", BOARD_IP, "12345"], { timeoutMs: 10_000 });
    expect(refused.code).not.toBe(0);
    const file = await cap.stop();

    const fields = ["ip.src", "tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tcp.seq_raw", "tcp.ack_raw", "tcp.len"];
    const rows = (await tcpRows(file, fields, "tcp.port == 40007")).map((r) => ({
      src: r[0], syn: r[3] === "1" || r[3] === "True", ack: r[4] === "1" || r[4] === "True", fin: r[5] === "1" || r[5] === "True",
      rst: r[6] === "1" || r[6] === "True", seq: Number(r[7]), ackNo: Number(r[8]), len: Number(r[9]),
    }));
    expect(rows.some((r) => r.rst)).toBe(false);
    const fins = rows.filter((r) => r.fin);
    expect(fins.map((r) => r.src)).toEqual([LINUX_IP, BOARD_IP]);
    // Each FIN is acknowledged: ack = its seq + its data + 1 (the FIN's own sequence number).
    for (const f of fins) {
      const acked = rows.some((r) => r.src !== f.src && r.ack && r.ackNo === ((f.seq + f.len + 1) >>> 0));
      expect(acked).toBe(true);
    }
    const rst = (await tcpRows(file, fields, "tcp.port == 40099")).map((r) => ({ src: r[0], syn: r[3], rst: r[6], seq: Number(r[7]), ack: Number(r[8]) }));
    const syn = rst.find((r) => r.src === LINUX_IP);
    const reset = rst.find((r) => r.src === BOARD_IP);
    expect(syn).toBeDefined();
    expect(reset).toBeDefined();
    expect(reset!.rst === "1" || reset!.rst === "True").toBe(true);
    // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SEG.LEN counting the SYN.
    expect(reset!.ack).toBe((syn!.seq + 1) >>> 0);
  });
});
