/**
 * The sim's sizes and tunables from the command line, without a device:
 * bad values are one line naming the option and its range, exit 2; a build
 * with `--tcbs 3` really has three TCBs (the fourth connection is refused
 * with ENOMEM) and is cached under build/sim by its limits; `--set` ranges
 * are the module's own; the defaults the sim reports are the ones
 * assembly/config.ts builds with; the host-link board and the RealClock
 * behave as the simulator relies on.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Board, runVirtual } from "../host-sim/board.js";
import { RealClock, VirtualClock } from "../host-sim/clock.js";
import { EmberError } from "../host-sim/errors.js";
import { configRange, DEFAULT_LIMITS, limitsBuildPath, moduleForLimits, parseSetting } from "../host-sim/limits.js";
import { createPair } from "../host-sim/links/pair.js";
import { EchoServer, TcpClient } from "../host-sim/apps/index.js";
import { Stack } from "../host-sim/stack.js";
import { runCli } from "./helpers/cli.js";

const cli = runCli;

describe("sim options: bad values", () => {
  test.each([
    [["--tcbs", "0"], /--tcbs must be an integer 1\.\.1024/],
    [["--tcbs", "abc"], /--tcbs must be an integer 1\.\.1024/],
    [["--tcbs", "99999999999"], /--tcbs must be an integer 1\.\.1024/],
    [["--rings", "1000"], /--rings must be a power of two 1024\.\.65536 \(1000 is not a power of two\)/],
    [["--rings", "131072"], /--rings must be a power of two 1024\.\.65536/],
    [["--rings", "512"], /--rings must be a power of two 1024\.\.65536/],
    [["--synq", "0"], /--synq must be an integer 1\.\.1024/],
    [["--link", "wifi"], /--link must be enc28j60 or host/],
    [["--set", "delack_ms=900"], /--set delack_ms must be 1\.\.500/],
    [["--set", "syncookies=3"], /--set syncookies must be 0\.\.2/],
    [["--set", "nosuch=1"], /--set: unknown key "nosuch" \(keys: syncookies, /],
    [["--set", "delack_ms"], /--set takes key=value/],
    [["--set"], /--set needs key=value/],
  ])("sim --tap x %j: one line, exit 2", async (extra, msg) => {
    const r = await cli(["sim", "--tap", "x", ...extra]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.out).toBe("");
  });

  test("--help lists the new options", async () => {
    const r = await cli(["sim", "--help"]);
    expect(r.out).toMatch(/\[--link enc28j60\|host\] \[--tcbs N\] \[--rings BYTES\] \[--synq N\] \[--set KEY=VALUE \.\.\.\]/);
  });
});

describe("sim options: limits and settings", () => {
  test("the default limits are the defaults of assembly/config.ts", () => {
    const src = readFileSync("assembly/config.ts", "utf8");
    const def = (name: string) => Number(new RegExp(`EMBER_${name} : (\\d+);`).exec(src)![1]);
    expect(DEFAULT_LIMITS).toEqual({ tcbs: def("TCB_COUNT"), rings: def("TCP_TX_BUF"), synq: def("SYN_QUEUE") });
    expect(def("TCP_RX_BUF")).toBe(DEFAULT_LIMITS.rings);
  });

  test("a --tcbs 3 build refuses the fourth connection (ENOMEM) and is cached under build/sim by its limits", async () => {
    const limits = { tcbs: 3, rings: 2048, synq: 4 };
    const first = await moduleForLimits(limits);
    expect(first.path).toBe(limitsBuildPath(limits));
    expect(first.path).toMatch(/build\/sim\/embertcp-t3-r2048-q4-[0-9a-f]{12}\.wasm$/);
    expect(existsSync(first.path)).toBe(true);
    const again = await moduleForLimits(limits);
    expect(again.built).toBe(false);
    const s = new Stack({ module: again.module });
    s.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.2" });
    for (let i = 0; i < 3; i++) expect(s.connect("10.0.0.1", 7)).toBeGreaterThanOrEqual(0);
    expect(() => s.connect("10.0.0.1", 7)).toThrow(EmberError);
    try { s.connect("10.0.0.1", 7); } catch (e) { expect((e as EmberError).code).toBe(-2); }
  }, 120_000);

  test("--set ranges are read from the module; a good setting parses", () => {
    expect(configRange("delack_ms")).toEqual({ min: 1, max: 500 });
    expect(configRange("syncookies")).toEqual({ min: 0, max: 2 });
    expect(parseSetting("synack_retries=2")).toEqual({ name: "synack_retries", value: 2 });
  });
});

describe("host-link boards and the real clock", () => {
  test("a host-mode board on a link with FCS frames serves echo to an enc28j60 board (virtual time)", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock, { checkFcs: true });
    const host = new Board({ name: "H", link: a, clock, mac: "02:00:00:00:00:02", ip: "10.0.0.2", seed: 2, linkMode: "host" }).start([new EchoServer()]);
    const chip = new Board({ name: "C", link: b, clock, mac: "02:00:00:00:00:01", ip: "10.0.0.1", seed: 1 }).start();
    const c = new TcpClient({ ip: "10.0.0.2", port: 7, send: 3000 });
    chip.addApp(c);
    expect(runVirtual(clock, 10_000, () => c.done)).toBe(true);
    expect(c.error).toBeNull();
    expect(c.bytesIn).toBe(3000);
    expect(host.linkUp).toBe(true);
    expect(host.chip.counters.spiBytes).toBe(0);
    expect(b.stats().dropBadFcs).toBe(0);
  });

  test("RealClock timers never fire early, fire in time order below a millisecond, and cancel", async () => {
    // Let the runner's own start-up work pass, so the lateness printed is the clock's.
    await new Promise((r) => setTimeout(r, 100));
    const clock = new RealClock();
    const fired: Array<{ want: number; at: number }> = [];
    const t0 = clock.now();
    const waits = [0.3, 0.6, 0.9, 1.7, 2.5, 4.2];
    for (const w of waits) clock.at(t0 + w, () => fired.push({ want: t0 + w, at: clock.now() }));
    const gone = clock.at(t0 + 1.2, () => fired.push({ want: -1, at: -1 }));
    clock.cancel(gone);
    // Wait for them on the clock's own turns (a fixed sleep can win the race against them on a stalled machine).
    for (let i = 0; i < 2000 && fired.length < waits.length; i++) await new Promise((r) => setImmediate(r));
    expect(fired.map((f) => f.want)).toEqual(waits.map((w) => t0 + w));
    for (const f of fired) expect(f.at).toBeGreaterThanOrEqual(f.want);
    console.log(`RealClock lateness, ms: ${fired.map((f) => (f.at - f.want).toFixed(3)).join(" ")}`);
    expect(clock.pending).toBe(0);
  });

  test("a RealClock whose timers are all cancelled holds no Node handle (a stopped sim exits at once)", () => {
    const clock = new RealClock();
    const handles = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "Immediate").length;
    const before = handles();
    const far = clock.at(clock.now() + 5000, () => {});
    expect(handles()).toBe(before + 1);
    clock.cancel(far);
    expect(handles()).toBe(before);
    expect(clock.pending).toBe(0);
  });
});
