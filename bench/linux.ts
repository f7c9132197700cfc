/**
 * `npm run bench:linux`: the simulator measured by Linux, through a TAP in
 * a network namespace of the bench's own (root only; skipped with the
 * reason otherwise). Prints figures; asserts nothing.
 *
 *   - the TAP relays alone: frames per second each way and relay CPU per
 *     frame, compiled and Python (hping3 floods into the TAP; the sim side
 *     writes back-to-back frames out of it);
 *   - `embertcp sim --link host --tcbs 256 --rings 65536` and the default
 *     board (`--link enc28j60`, 8 TCBs, 4 KiB rings) run as processes, each
 *     measured by the Linux client suite (bench/linux-client.ts), with the
 *     frames the relay dropped, the ENC28J60 model's own prediction next to
 *     what Linux measured, and how long each sim took to exit on SIGTERM.
 *
 * Everything runs in the namespace `embb<pid>x<n>`, deleted at the end.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BareNetns, createBareNetns, netnsUnavailable } from "../host-sim/netns.js";
import { fetchControl, limitsLine } from "../host-sim/netstat.js";
import { projectRoot } from "../host-sim/paths.js";
import { TapLink } from "../host-sim/tap/link.js";
import { printSuite, runLinuxClientSuite } from "./linux-client.js";
import { figure, section } from "./report.js";

const BOARD_IP = "10.66.0.2", LINUX_IP = "10.66.0.1";

function skipReason(): string | null {
  const why = netnsUnavailable();
  if (why) return why;
  for (const t of ["hping3", "timeout"]) if (spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0) return `${t} is not installed`;
  return null;
}

function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch { return 0; }
}

/** A TAP's counter from `ip -s link`: rx is what the sim wrote into it, tx what Linux sent towards the sim. */
function tapStat(ns: BareNetns, dev: string, dir: "rx" | "tx", what: "packets" | "dropped"): number {
  const r = spawnSync("ip", ["-n", ns.name, "-s", "-j", "link", "show", dev], { encoding: "utf8" });
  try { return Number(JSON.parse(r.stdout)[0].stats64[dir][what]); } catch { return 0; }
}

/** One relay: Linux -> sim under hping3 for 2 s, then sim -> Linux back to back for 1 s. */
async function relayRate(ns: BareNetns, relay: "compiled" | "python"): Promise<void> {
  const tap = new TapLink({ name: "brelay0", netns: ns.name, relay, rawFrames: true });
  await tap.opened();
  spawnSync("ip", ["-n", ns.name, "addr", "add", "10.67.0.1/24", "dev", "brelay0"]);
  spawnSync("ip", ["-n", ns.name, "neigh", "add", "10.67.0.2", "lladdr", "02:00:00:00:00:02", "dev", "brelay0"]);
  let got = 0;
  tap.onFrame = () => { got++; };
  const h = ns.spawn(["timeout", "-s", "INT", "2", "hping3", "-q", "--flood", "--udp", "-p", "9", "-d", "10", "10.67.0.2"]);
  let c0 = cpuMs(tap.pid), t0 = performance.now();
  await new Promise<void>((r) => h.once("exit", () => r()));
  const inRate = got / ((performance.now() - t0) / 1000), inCpu = ((cpuMs(tap.pid) - c0) * 1e6) / Math.max(1, got);
  const frame = new Uint8Array(60);
  frame.set([0x02, 0, 0, 0, 0, 0x09, 0x02, 0, 0, 0, 0, 0x02, 0x88, 0xb5]);
  const rx0 = tapStat(ns, "brelay0", "rx", "packets");
  c0 = cpuMs(tap.pid); t0 = performance.now();
  await new Promise<void>((done) => {
    const step = () => {
      // Keep the relay fed but the backlog bounded (below the link's drop
      // limit): the figure is the relay's pace, not Node's.
      if (tap.backlog < 1 << 20) for (let i = 0; i < 1000; i++) tap.send(frame);
      if (performance.now() - t0 < 1000) setImmediate(step); else done();
    };
    step();
  });
  await new Promise((r) => setTimeout(r, 200));
  const out = tapStat(ns, "brelay0", "rx", "packets") - rx0, outCpu = ((cpuMs(tap.pid) - c0) * 1e6) / Math.max(1, out);
  figure(`TAP relay (${relay}), Linux -> sim under hping3 --flood`, Math.round(inRate), `frames/s, ${inCpu.toFixed(0)} ns relay CPU a frame, ${tap.stats().dropRelay} dropped by the relay`);
  figure(`TAP relay (${relay}), sim -> Linux back to back`, Math.round(out / ((performance.now() - t0 - 200) / 1000)), `frames/s, ${outCpu.toFixed(0)} ns relay CPU a frame`);
  tap.close();
  await tap.exited();
}

/** Start `embertcp sim` as a process on a TAP in `ns`; resolves once it runs and Linux has its address. */
async function startSim(ns: BareNetns, tapName: string, args: string[]): Promise<{ proc: ChildProcess; out: () => string; control: string }> {
  const control = join(tmpdir(), `embertcp-bench-${process.pid}-${tapName}.sock`);
  const proc = spawn(process.execPath, [join(projectRoot(), "bin", "embertcp.js"), "sim", "--tap", tapName, "--netns", ns.name,
    "--ip", `${BOARD_IP}/24`, "--gw", LINUX_IP, "--apps", "echo,discard,chargen", "--control", control, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  proc.stdout!.on("data", (d: Buffer) => { text += d.toString(); });
  proc.stderr!.on("data", (d: Buffer) => { text += d.toString(); });
  const end = Date.now() + 120_000;
  while (!text.includes("running; Ctrl-C") && proc.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  if (!text.includes("running; Ctrl-C")) { proc.kill("SIGKILL"); throw new Error(`sim did not start: ${text.trim().slice(-300)}`); }
  spawnSync("ip", ["-n", ns.name, "addr", "add", `${LINUX_IP}/24`, "dev", tapName]);
  spawnSync("ip", ["-n", ns.name, "link", "set", tapName, "up"]);
  return { proc, out: () => text, control };
}

/** SIGTERM and the time until the process has exited, ms. */
async function stopTimed(proc: ChildProcess): Promise<number> {
  const exited = new Promise<void>((r) => { if (proc.exitCode !== null) r(); else proc.once("exit", () => r()); });
  const t0 = performance.now();
  proc.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  const ms = performance.now() - t0;
  if (proc.exitCode === null) proc.kill("SIGKILL");
  return ms;
}

async function measureSim(ns: BareNetns, name: string, tapName: string, args: string[]): Promise<void> {
  section(`Linux client suite against ${name}`);
  const sim = await startSim(ns, tapName, args);
  try {
    const s0 = await fetchControl(sim.control);
    if (s0.limits) figure(`${name}: ${limitsLine(s0.limits)}`, "", "");
    const model = /model: (.*)/.exec(sim.out())?.[1];
    if (model) figure(`${name}: the model`, model, "");
    const f = await runLinuxClientSuite({ netns: ns.name, ip: BOARD_IP }, { log: (l) => console.log(`  (${l})`) });
    printSuite(name, f);
    const s = await fetchControl(sim.control);
    figure(`${name}: frames towards the stack dropped by Linux's TAP queue / the relay / the modelled chip`,
      `${tapStat(ns, tapName, "tx", "dropped")} / ${s.wire.dropRelay ?? 0} / ${s.stats.enc_rx_drop ?? 0}`, "(goal for --link host: 0 / 0)");
    figure(`${name}: stack counters`, `syn_rx ${s.stats.syn_rx}, cookies_sent ${s.stats.cookies_sent}, synq_overflows ${s.stats.synq_overflows}, acceptq_overflows ${s.stats.acceptq_overflows}, tcp_no_tcb ${s.stats.tcp_no_tcb}`, "");
  } finally {
    figure(`${name}: SIGTERM to exit`, (await stopTimed(sim.proc)).toFixed(0), "ms (goal 500)");
    const last = sim.out().trim().split("\n").filter((l) => l.startsWith("stopped:")).pop();
    if (last) console.log(`  ${last}`);
  }
}

async function main(): Promise<void> {
  const why = skipReason();
  if (why) { console.log(`bench:linux skipped: ${why} (it needs root, iproute2, python3, hping3 and /dev/net/tun)`); return; }
  const ns = createBareNetns("embb");
  try {
    section("TAP relays (frames of 42..60 bytes)");
    await relayRate(ns, "compiled");
    await relayRate(ns, "python");
    await measureSim(ns, "sim --link host --tcbs 256 --rings 65536", "bhost0", ["--link", "host", "--tcbs", "256", "--rings", "65536"]);
    await measureSim(ns, "sim (default board: --link enc28j60)", "benc0", []);
  } finally {
    await ns.destroy();
  }
}

await main();
