/**
 * The CLI's real-time pieces against Linux, each in a namespace of the
 * test's own: `sim --tap --netns` (curl through the TAP, netstat over the
 * control socket, the TAP deleted under it), and `bridge` (a TAP joined to a
 * socat pty whose other end is a board on a serial line: Linux pings and
 * curls the board through the bridge; killing socat is one line and the TAP
 * stays up).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeApps } from "../host-sim/apps/index.js";
import { Board } from "../host-sim/board.js";
import { RealClock } from "../host-sim/clock.js";
import { SerialLink } from "../host-sim/links/index.js";
import { addAddress, type BareNetns, createBareNetns } from "../host-sim/netns.js";
import { fetchControl, formatSnapshot } from "../host-sim/netstat.js";
import { type SimHandle, startSim } from "../host-sim/sim.js";
import { LinkBridge } from "../host-sim/tap/bridge.js";
import { TapLink } from "../host-sim/tap/link.js";
import { interopGate } from "./helpers/interop.js";
import { ptyPair, type PtyPair } from "./helpers/links-socat.js";
import { until } from "./helpers/until.js";

const run = interopGate(["curl", "socat", "hping3"]);

describe.runIf(run)("interop: embertcp sim --tap in a namespace", () => {
  let ns: BareNetns;
  let sim: SimHandle;
  const lines: string[] = [];
  const control = join(mkdtempSync(join(tmpdir(), "embertcp-simtap-")), "ctl.sock");
  beforeAll(async () => {
    ns = createBareNetns();
    sim = await startSim({ tap: "esim0", netns: ns.name, ip: "10.7.0.2/24", gateway: "10.7.0.1", apps: "echo,http", control, config: { msl_ms: 1000 }, print: (l) => lines.push(l) });
    addAddress(ns.name, "esim0", "10.7.0.1/24");
  });
  afterAll(async () => {
    await sim?.stop();
    await ns?.destroy();
  });

  test("Linux curls the sim's status page and netstat shows the listeners", async () => {
    const r = await ns.exec(["curl", "-sS", "--max-time", "10", "http://10.7.0.2/netstat"], { timeoutMs: 15_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout.toString()).toMatch(/tcp +10\.7\.0\.2:80 +10\.7\.0\.1:\d+ +ESTABLISHED/);
    const snap = await fetchControl(control);
    expect(formatSnapshot(snap)).toMatch(/tcp +10\.7\.0\.2:7 +\*:\* +LISTEN/);
    expect(lines.join("\n")).toMatch(/on TAP esim0 in namespace embt\d+x\d+/);
    expect(lines.some((l) => /conn: http 10\.7\.0\.2:80 accepted 10\.7\.0\.1:\d+$/.test(l))).toBe(true);
    expect(await until(() => lines.some((l) => /conn: http 10\.7\.0\.1:\d+ closed, \d+ bytes in, \d+ out$/.test(l)), 3000)).toBe(true);
  });

  test("the TAP deleted under the sim is one line; the sim keeps running", async () => {
    await ns.exec(["ip", "link", "del", "esim0"]);
    expect(await until(() => lines.some((l) => /link: link down: TAP esim0 gone/.test(l)), 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(lines.filter((l) => /link down/.test(l))).toHaveLength(1);
    expect(sim.board.isRunning).toBe(true);
    expect((await fetchControl(control)).connections.length).toBeGreaterThan(0);
  });
});

describe.runIf(run)("interop: embertcp bridge, TAP <-> serial pty <-> board", () => {
  let ns: BareNetns;
  let pty: PtyPair;
  let tap: TapLink;
  let bridge: LinkBridge;
  let board: Board;
  const downs: string[] = [];
  beforeAll(async () => {
    ns = createBareNetns();
    pty = await ptyPair();
    tap = new TapLink({ name: "ebr0", netns: ns.name });
    await tap.opened();
    addAddress(ns.name, "ebr0", "10.8.0.1/24");
    const serial = new SerialLink({ path: pty.paths[0], baudRate: 921600 });
    await serial.opened();
    bridge = new LinkBridge(tap, serial, ["TAP ebr0", `serial ${pty.paths[0]}`], (l) => downs.push(l));
    const boardSide = new SerialLink({ path: pty.paths[1], baudRate: 921600 });
    await boardSide.opened();
    board = new Board({ name: "uart-board", link: boardSide, clock: new RealClock(), mac: "02:00:0a:08:00:02", ip: "10.8.0.2", gateway: "10.8.0.1", seed: 8 })
      .start(makeApps("http"));
  });
  afterAll(async () => {
    board?.stop();
    bridge?.close();
    await tap?.exited();
    await pty?.kill();
    await ns?.destroy();
  });

  test("Linux pings and curls a board on the far side of the serial line", async () => {
    const p = await ns.exec(["hping3", "--icmp", "-c", "3", "-i", "u200000", "10.8.0.2"], { timeoutMs: 15_000 });
    expect(p.stdout.toString() + p.stderr).toMatch(/3 packets transmitted, 3 packets received/);
    const r = await ns.exec(["curl", "-sS", "--max-time", "10", "http://10.8.0.2/"], { timeoutMs: 15_000 });
    expect(r.stdout.toString()).toContain("<h1>embertcp board 10.8.0.2</h1>");
    expect(bridge.aToB).toBeGreaterThan(5);
    expect(bridge.bToA).toBeGreaterThan(5);
    expect(bridge.progress()).toMatch(/^TAP ebr0 -> serial \S+ \d+ frames, serial \S+ -> TAP ebr0 \d+ frames/);
  });

  test("killing socat is one line from the bridge and the TAP stays up", async () => {
    await pty.kill();
    expect(await until(() => downs.length > 0, 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(downs).toHaveLength(1);
    expect(downs[0]).toMatch(/^serial \S+ down: .*; TAP ebr0 stays up$/);
    expect(tap.isUp).toBe(true);
    const link = await ns.exec(["ip", "link", "show", "ebr0"]);
    expect(link.stdout.toString()).toMatch(/ebr0: <.*UP/);
  });
});

describe.runIf(run)("interop: the embertcp command as a process (needs npm run build)", () => {
  let ns: BareNetns;
  beforeAll(() => { ns = createBareNetns(); });
  afterAll(async () => { await ns?.destroy(); });

  test("sim runs until SIGTERM, netstat reads it over the socket and over HTTP, and it cleans up", async () => {
    const { spawn } = await import("node:child_process");
    const { existsSync } = await import("node:fs");
    const control = join(mkdtempSync(join(tmpdir(), "embertcp-proc-")), "ctl.sock");
    const bin = join(process.cwd(), "bin", "embertcp.js");
    const sim = spawn(process.execPath, [bin, "sim", "--tap", "eproc0", "--netns", ns.name, "--ip", "10.6.0.2/24", "--apps", "http,echo", "--control", control],
      { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    sim.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    sim.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number | null>((r) => sim.once("exit", (code) => r(code)));
    try {
      expect(await until(() => out.includes("running; Ctrl-C to stop") || sim.exitCode !== null, 15_000)).toBe(true);
      expect(err).toBe("");
      // The sim gave Linux's side of the TAP the first free address of the board's subnet.
      expect(out).toContain(`host side: 10.6.0.1/24 on TAP eproc0 in namespace ${ns.name}`);
      const page = await ns.exec(["curl", "-sS", "--max-time", "10", "http://10.6.0.2/"], { timeoutMs: 15_000 });
      expect(page.stdout.toString()).toContain("<h1>embertcp board 10.6.0.2</h1>");
      const viaSocket = await ns.exec([process.execPath, bin, "netstat", "--control", control], { timeoutMs: 15_000 });
      expect(viaSocket.stdout.toString()).toMatch(/tcp +10\.6\.0\.2:80 +\*:\* +LISTEN/);
      const viaHttp = await ns.exec([process.execPath, bin, "netstat", "--http", "10.6.0.2"], { timeoutMs: 15_000 });
      expect(viaHttp.stderr).toBe("");
      expect(viaHttp.stdout.toString()).toMatch(/tcp +10\.6\.0\.2:80 +10\.6\.0\.1:\d+ +ESTABLISHED/);
      sim.kill("SIGTERM");
      expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r("hung"), 10_000))])).toBe(0);
      expect(out).toMatch(/stopped: \d+ frames in, \d+ out, \d+ connections accepted/);
      expect(existsSync(control)).toBe(false);
      const links = await ns.exec(["ip", "-o", "link", "show"]);
      expect(links.stdout.toString()).not.toContain("eproc0");
    } finally {
      if (sim.exitCode === null) sim.kill("SIGKILL");
    }
  }, 60_000);
});
