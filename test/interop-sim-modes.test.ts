/**
 * `embertcp sim` link modes and sizes against Linux, each board in a
 * namespace of the test's own:
 * - `--link host`: Linux pings and echoes through the TAP, netstat and the
 *   status page say "link host" and the limits in force;
 * - `--tcbs 3`: three Linux clients hold connections, the fourth is not
 *   served; `--set` values are the module's;
 * - `--link enc28j60`: the round trip Linux measures is never shorter than
 *   the chip model's own prediction (the model paces the wall clock);
 * - the relay: frames Linux sends while the sim does not read are dropped
 *   by the relay and counted, and the board serves again afterwards; the
 *   relay killed or the TAP deleted during a flood is one line, no hang.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addAddress, type BareNetns, createBareNetns } from "../host-sim/netns.js";
import { fetchControl, formatSnapshot } from "../host-sim/netstat.js";
import { type SimHandle, type SimOptions, startSim } from "../host-sim/sim.js";
import { TapLink } from "../host-sim/tap/link.js";
import { interopGate } from "./helpers/interop.js";
import { until } from "./helpers/until.js";

const run = interopGate(["curl", "hping3"]);

/** Python in the namespace: connect, send 5 bytes, read them back; prints "ok", or the error. */
const ECHO_ONCE_PY = String.raw`
import socket, sys
s = socket.create_connection((sys.argv[1], 7), timeout=float(sys.argv[2]))
s.sendall(b"hello"); got = b""
while len(got) < 5:
    d = s.recv(5 - len(got))
    if not d: break
    got += d
print("ok" if got == b"hello" else "short %r" % got)
`;

/** Python in the namespace: open n echo connections, prove each echoes, hold them until stdin closes. */
const HOLD_PY = String.raw`
import socket, sys
conns = []
for i in range(int(sys.argv[2])):
    s = socket.create_connection((sys.argv[1], 7), timeout=5); s.sendall(b"x")
    assert s.recv(1) == b"x"; conns.append(s)
print("held %d" % len(conns), flush=True)
sys.stdin.read()
`;

interface SimRig { ns: BareNetns; sim: SimHandle; lines: string[]; control: string; }

async function simRig(tap: string, net: string, o: Partial<SimOptions>): Promise<SimRig> {
  const ns = createBareNetns();
  const lines: string[] = [];
  const control = join(mkdtempSync(join(tmpdir(), "embertcp-modes-")), "ctl.sock");
  try {
    const sim = await startSim({ tap, netns: ns.name, ip: `${net}.2/24`, gateway: `${net}.1`, apps: "echo,http", control, print: (l) => lines.push(l), ...o });
    addAddress(ns.name, tap, `${net}.1/24`);
    return { ns, sim, lines, control };
  } catch (e) {
    await ns.destroy();
    throw e;
  }
}

async function echoOnce(r: SimRig, ip: string, timeoutS = 5): Promise<string> {
  const x = await r.ns.exec(["python3", "-c", ECHO_ONCE_PY, ip, String(timeoutS)], { timeoutMs: (timeoutS + 5) * 1000 });
  return (x.stdout.toString().trim() || x.stderr.trim().split("\n").pop() || "").slice(0, 200);
}

/** Flood the board from random sources, `lose` the link meanwhile: exactly one line matching `said`; the board runs on. */
async function loseDuringFlood(r: SimRig, ip: string, lose: () => Promise<void>, said: RegExp): Promise<void> {
  const flood = r.ns.spawn(["timeout", "-s", "INT", "5", "hping3", "-q", "-S", "--flood", "--rand-source", "-p", "7", ip]);
  try {
    await new Promise((res) => setTimeout(res, 500));
    await lose();
    expect(await until(() => r.lines.some((l) => said.test(l)), 5000)).toBe(true);
  } finally {
    // SIGTERM, which timeout passes on to hping3; SIGKILL would orphan it.
    flood.kill("SIGTERM");
  }
  await new Promise((res) => setTimeout(res, 300));
  expect(r.lines.filter((l) => /link down/.test(l))).toHaveLength(1);
  expect(r.sim.board.isRunning).toBe(true);
}

describe.runIf(run)("interop: sim --link host", () => {
  let r: SimRig;
  beforeAll(async () => { r = await simRig("ehost0", "10.11.0", { link: "host", config: { delack_ms: 40 } }); });
  afterAll(async () => { await r?.sim.stop(); await r?.ns.destroy(); });

  test("Linux pings and echoes the board; it runs on link 0 with no chip model", async () => {
    const p = await r.ns.exec(["ping", "-c", "3", "-i", "0.2", "-W", "2", "10.11.0.2"], { timeoutMs: 15_000 });
    expect(p.stdout.toString()).toMatch(/3 received/);
    expect(await echoOnce(r, "10.11.0.2")).toBe("ok");
    expect(r.lines.join("\n")).toMatch(/on TAP ehost0 in namespace \S+ \((compiled|python) relay\), link host/);
    expect(r.lines.join("\n")).toMatch(/up on the host-frames link \(no chip model\)/);
    // No SPI traffic: the chip model is not in the loop.
    expect(r.sim.board.chip.counters.spiBytes).toBe(0);
    expect(r.sim.board.counters().stack.icmp_echo_replies).toBeGreaterThanOrEqual(3);
  });

  test("netstat and the status page show the limits in force and the link mode; --set values are the module's", async () => {
    const text = formatSnapshot(await fetchControl(r.control));
    expect(text).toContain("limits: 8 TCBs, 4096-byte rings, SYN queue 16, link host");
    const page = await r.ns.exec(["curl", "-sS", "--max-time", "10", "http://10.11.0.2/"], { timeoutMs: 15_000 });
    expect(page.stdout.toString()).toContain('<p id="limits">limits: 8 TCBs, 4096-byte rings, SYN queue 16, link host</p>');
    expect(r.sim.board.stack.getConfig("delack_ms")).toBe(40);
  });
});

describe.runIf(run)("interop: sim --tcbs 3", () => {
  let r: SimRig;
  beforeAll(async () => { r = await simRig("etcb0", "10.12.0", { link: "host", limits: { tcbs: 3 } }); }, 120_000);
  afterAll(async () => { await r?.sim.stop(); await r?.ns.destroy(); });

  test("three connections are held; the fourth is not served; the limits say 3 TCBs", async () => {
    expect(r.lines.join("\n")).toContain("limits: 3 TCBs, 4096-byte rings, SYN queue 16, link host");
    const holder = r.ns.spawn(["python3", "-c", HOLD_PY, "10.12.0.2", "3"]);
    let said = "";
    holder.stdout!.on("data", (d: Buffer) => { said += d.toString(); });
    try {
      expect(await until(() => said.includes("held 3"), 20_000)).toBe(true);
      expect(await echoOnce(r, "10.12.0.2", 2)).not.toBe("ok");
      expect(r.sim.board.stack.list().filter((e) => e.state === 4)).toHaveLength(3);
    } finally {
      holder.stdin!.end();
      holder.kill("SIGKILL");
    }
    const snap = await fetchControl(r.control);
    expect(snap.limits).toEqual({ tcbs: 3, rings: 4096, synq: 16, link: "host" });
  }, 60_000);
});

describe.runIf(run)("interop: sim --link enc28j60 (the default)", () => {
  let r: SimRig;
  beforeAll(async () => { r = await simRig("eenc0", "10.13.0", {}); });
  afterAll(async () => { await r?.sim.stop(); await r?.ns.destroy(); });

  test("prints the model's prediction, and Linux never sees a round trip shorter than it", async () => {
    const m = /model: ENC28J60 at SPI 20 MHz predicts ping ([\d.]+) ms, goodput ([\d.]+) MB\/s in, ([\d.]+) MB\/s out/.exec(r.lines.join("\n"));
    expect(m).not.toBeNull();
    const predicted = Number(m![1]);
    expect(predicted).toBeGreaterThan(0.05);
    const p = await r.ns.exec(["ping", "-c", "10", "-i", "0.05", "-W", "2", "10.13.0.2"], { timeoutMs: 20_000 });
    const rtts = [...p.stdout.toString().matchAll(/time=([\d.]+) ms/g)].map((x) => Number(x[1]));
    expect(rtts.length).toBeGreaterThanOrEqual(9);
    console.log(`enc28j60 mode: model ping ${predicted} ms; Linux measured min ${Math.min(...rtts)} ms, max ${Math.max(...rtts)} ms`);
    // The wire and SPI time of the model apply to the wall clock (never faster than the chip).
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(predicted * 0.95);
    expect(r.sim.board.chip.counters.spiBytes).toBeGreaterThan(0);
  });
});

describe.runIf(run)("interop: the TAP relay under a flood", () => {
  let r: SimRig;
  beforeAll(async () => { r = await simRig("eflood0", "10.14.0", { link: "host" }); });
  afterAll(async () => { await r?.sim.stop(); await r?.ns.destroy(); });

  test("frames Linux sends while the sim does not read are dropped by the relay and counted; the board serves again", async () => {
    const tap = r.sim.board.link as TapLink;
    await r.ns.exec(["ip", "neigh", "replace", "10.14.0.2", "lladdr", "02:00:0a:0e:00:02", "dev", "eflood0"]);
    tap.pauseReading(true);
    await r.ns.exec(["timeout", "-s", "INT", "2", "hping3", "-q", "--flood", "--udp", "-p", "9", "-d", "100", "10.14.0.2"], { timeoutMs: 10_000 });
    tap.pauseReading(false);
    expect(await until(() => tap.stats().dropRelay > 0, 5000)).toBe(true);
    console.log(`relay dropped ${tap.stats().dropRelay} frames while the sim did not read; ${tap.stats().framesIn} delivered`);
    expect(await echoOnce(r, "10.14.0.2")).toBe("ok");
    expect(r.sim.board.failure).toBeNull();
  }, 30_000);

  test("the relay killed during a flood is one line; the board keeps running and stops at once", async () => {
    const tap = r.sim.board.link as TapLink;
    await loseDuringFlood(r, "10.14.0.2", async () => { process.kill(tap.pid!, "SIGKILL"); }, /link: link down: TAP relay for eflood0 exited \(SIGKILL\)/);
    const t0 = performance.now();
    await r.sim.stop();
    expect(performance.now() - t0).toBeLessThan(1500);
  }, 30_000);
});

describe.runIf(run)("interop: the TAP deleted during a flood", () => {
  let r: SimRig;
  beforeAll(async () => { r = await simRig("edel0", "10.15.0", {}); });
  afterAll(async () => { await r?.sim.stop(); await r?.ns.destroy(); });

  test("one line naming the TAP; no hang", async () => {
    await loseDuringFlood(r, "10.15.0.2", async () => { await r.ns.exec(["ip", "link", "del", "edel0"]); }, /link: link down: TAP edel0 gone/);
  }, 30_000);
});
