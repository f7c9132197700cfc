/**
 * `embertcp sim` on a serial line made of a socat pty pair, with a second
 * board (real time) on the other end: the sim's echo answers over SLIP,
 * `embertcp netstat` reads its control socket, noise / truncated SLIP /
 * broken escapes / oversize and bad-FCS frames on the line are dropped and
 * counted while the board keeps answering, and a killed socat is reported
 * in one line while the sim keeps serving netstat.
 */
import { closeSync, existsSync, mkdtempSync, openSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TcpClient } from "../host-sim/apps/index.js";
import { Board } from "../host-sim/board.js";
import { RealClock } from "../host-sim/clock.js";
import { appendFcs } from "../host-sim/crc32.js";
import { SerialLink, slipEncode } from "../host-sim/links/index.js";
import { readPcap } from "../host-sim/pcap.js";
import { type SimHandle, startSim } from "../host-sim/sim.js";
import { traceCapture } from "../host-sim/trace/index.js";
import { ptyPair, type PtyPair, toolGate } from "./helpers/links-socat.js";
import { main } from "../host-sim/cli.js";
import { runCli } from "./helpers/cli.js";
import { until } from "./helpers/until.js";

const run = toolGate("socat");

const cli = runCli;

describe.runIf(run)("embertcp sim on a pty pair", () => {
  let pty: PtyPair;
  let sim: SimHandle;
  let peer: Board;
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "embertcp-sim-"));
  const control = join(dir, "ctl.sock");
  const capture = join(dir, "sim.pcap");

  beforeAll(async () => {
    pty = await ptyPair();
    sim = await startSim({ serial: pty.paths[0], baud: 921600, ip: "10.5.0.2/24", apps: "echo,http", control, pcap: capture, seed: 3, print: (l) => lines.push(l) });
    const link = new SerialLink({ path: pty.paths[1], baudRate: 921600 });
    await link.opened();
    peer = new Board({ name: "peer", link, clock: new RealClock(), mac: "02:00:0a:05:00:01", ip: "10.5.0.1", seed: 4 }).start();
  });
  afterAll(async () => {
    peer?.stop();
    await sim?.stop();
    await pty?.kill();
  });

  async function echoOnce(n: number): Promise<TcpClient> {
    const c = new TcpClient({ ip: "10.5.0.2", port: 7, send: n });
    peer.addApp(c);
    expect(await until(() => c.done, 20_000)).toBe(true);
    expect(c.error).toBeNull();
    expect(c.bytesIn).toBe(n);
    return c;
  }

  test("prints the board line and its control socket, and serves echo over SLIP", async () => {
    expect(lines.join("\n")).toMatch(/board 10\.5\.0\.2\/24 \(02:00:0a:05:00:02\) on serial \/dev\/pts\/\d+ at 921600 baud/);
    expect(lines.join("\n")).toContain(`control socket ${control}`);
    await echoOnce(20_000);
    expect(lines.some((l) => /conn: echo 10\.5\.0\.2:7 accepted 10\.5\.0\.1:\d+$/.test(l))).toBe(true);
    expect(await until(() => lines.some((l) => /conn: echo 10\.5\.0\.1:\d+ closed, 20000 bytes in, 20000 out$/.test(l)), 2000)).toBe(true);
    expect(await until(() => lines.some((l) => / arp: cache updated/.test(l)), 2000)).toBe(true);
  });

  test("embertcp netstat --control shows the listeners and the flood counters", async () => {
    const r = await cli(["netstat", "--control", control]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/tcp +10\.5\.0\.2:7 +\*:\* +LISTEN/);
    expect(r.out).toMatch(/tcp +10\.5\.0\.2:80 +\*:\* +LISTEN/);
    expect(r.out).toMatch(/SYN-RECEIVED 0; syn_rx \d+, synack_sent \d+/);
    const all = await cli(["netstat", "--control", control, "--all"]);
    expect(all.out).toMatch(/counters: .*tcp_passive_opens=\d+/);
  });

  test("noise, truncated SLIP, a broken escape, an oversize and a bad-FCS frame are dropped and counted; echo still works", async () => {
    const before = sim.board.link.stats();
    const fd = openSync(pty.paths[1], "w");
    try {
      const good = appendFcs(new Uint8Array(60).fill(0x11));
      const badFcs = good.slice(); badFcs[20] ^= 1;
      writeSync(fd, Buffer.from([0xc0, 1, 2, 3, 4, 5, 0xc0]));                          // noise: a runt
      writeSync(fd, Buffer.concat([Buffer.from(slipEncode(good)).subarray(0, 30), Buffer.from([0xc0])])); // truncated frame
      writeSync(fd, Buffer.from([0xdb, 0x00, 0x42, 0xc0]));                               // broken escape
      writeSync(fd, Buffer.concat([Buffer.alloc(3000, 0x55), Buffer.from([0xc0])]));    // oversize
      writeSync(fd, Buffer.from(slipEncode(badFcs)));                                     // bad FCS
    } finally { closeSync(fd); }
    expect(await until(() => {
      const s = sim.board.link.stats();
      return s.dropRunt > before.dropRunt && s.dropSlipEscape > before.dropSlipEscape && s.dropOversize > before.dropOversize && s.dropBadFcs > before.dropBadFcs + 0;
    }, 5000)).toBe(true);
    await echoOnce(5000);
    expect(sim.board.failure).toBeNull();
  });

  test("a killed line (socat gone) is reported in one line; the sim keeps answering netstat", async () => {
    await pty.kill();
    expect(await until(() => lines.some((l) => /link: link down: /.test(l)), 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(lines.filter((l) => /link: link down: /.test(l))).toHaveLength(1);
    const r = await cli(["netstat", "--control", control]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/LISTEN/);
    expect(sim.board.isRunning).toBe(true);
  });

  test("after stop the sim's --pcap capture holds the echo connections, control socket gone", async () => {
    await sim.stop();
    expect(existsSync(control)).toBe(false);
    const t = traceCapture(readPcap(capture));
    expect(t.malformed).toBe(0);
    expect(t.connections.filter((c) => c.b === "10.5.0.2:7").length).toBeGreaterThanOrEqual(2);
  });
});

describe("embertcp CLI", () => {
  test.each(["demo", "sim", "bridge", "netstat", "ping", "trace", "flash"])("%s --help prints its usage and exits 0", async (name) => {
    const r = await cli([name, "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: embertcp ${name}`));
  });

  test("--help lists every command", async () => {
    const r = await cli(["--help"]);
    for (const c of ["demo", "sim", "bridge", "netstat", "ping", "trace", "flash"]) expect(r.out).toMatch(new RegExp(`^  ${c} `, "m"));
  });

  test.each([
    [["nosuch"], 2, /^embertcp: unknown command "nosuch"; run `embertcp --help` for the list$/],
    [["sim", "--ip", "10.0.0.2/24"], 2, /^embertcp sim: give exactly one of --serial PATH or --tap NAME \(see `embertcp help sim`\)$/],
    [["sim", "--serial", "/dev/embertcp-nonexistent"], 1, /^embertcp sim: cannot open \/dev\/embertcp-nonexistent: .*; check the path/],
    [["sim", "--serial", "/dev/x", "--ip", "10.0.0.300/24"], 2, /^embertcp sim: --ip 10\.0\.0\.300\/24: write an IPv4 address with a prefix length, e\.g\. --ip 10\.0\.0\.2\/24 /],
    [["demo", "--serial", "onlyone"], 2, /^embertcp demo: --serial takes two ports/],
    [["demo", "--speed"], 2, /^embertcp demo: unknown option --speed/],
    [["bridge", "--tap", "x"], 2, /^embertcp bridge: bridge needs both --tap NAME and --serial PATH/],
    [["netstat", "--control", "/tmp/embertcp-no-such.sock"], 1, /^embertcp netstat: no control socket at \/tmp\/embertcp-no-such\.sock: is the sim running\?/],
    [["trace", "/tmp/embertcp-no-such.pcap"], 1, /^embertcp trace: no such file: /],
  ])("%j → one clear error line, exit %i", async (argv, code, re) => {
    const r = await cli(argv as string[]);
    expect(r.code).toBe(code);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(re);
  });

  test("trace of a demo capture prints the echo connection", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "embertcp-cli-")), "demo.pcap");
    const d = await cli(["demo", "--fast", "--syns", "20", "--pcap", file]);
    expect(d.code).toBe(0);
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => { out.push(String(s)); return true; }) as typeof process.stdout.write;
    let code: number;
    try { code = await main(["trace", file]); } finally { process.stdout.write = write; }
    expect(code).toBe(0);
    expect(out.join("")).toMatch(/TCP connection 1: A 10\.0\.0\.1:\d+ -> B 10\.0\.0\.2:7/);
  });
});
