/**
 * `npm run bench:native`: the C port's figures (docs/PORTS.md). Prints,
 * asserts nothing:
 *
 *   - code size of the wasm2c C (`text` of the object): x86-64 with the
 *     system compiler at -O2 and -Os, with and without bounds checks, and
 *     Cortex-M4 (arm-none-eabi-gcc -Os -mthumb) when installed;
 *   - the module's memory in the C runtime (exactly its statics);
 *   - instructions per received full-size segment and per SYN under a
 *     flood, counted by `valgrind --tool=callgrind` on ports/bench/instr.c
 *     (repeatable on a shared machine, unlike seconds);
 *   - RAM (VmRSS, VmHWM) of embertcp-tap, default and 256-TCB builds,
 *     idle and after traffic, and the Linux client suite
 *     (bench/linux-client.ts) against the 256-TCB build with 64 KiB rings
 *     (root, a TAP and hping3 needed; skipped with the reason otherwise);
 *   - the same clients against lwIP (Debian's liblwip-dev, bench/lwip/echo.c)
 *     and that build side by side, with the ratios (connect+close, echo,
 *     200 connections at once).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { addAddress, createBareNetns, netnsUnavailable } from "../host-sim/netns.js";
import { buildPath, projectRoot } from "../host-sim/paths.js";
import type { SuiteFigures } from "./linux-client.js";
import { figure, section } from "./report.js";

const root = projectRoot();
const BOARD_IP = "10.68.0.2", LINUX_IP = "10.68.0.1";
// The build the goals name: 256 TCBs with 64 KiB rings (a ring holds at
// most 65,535 bytes, the largest window without scaling: config.ts
// TCP_RX_HOLD).
const LARGE = { EMBER_TCB_COUNT: 256, EMBER_TCP_RX_BUF: 65536, EMBER_TCP_TX_BUF: 65536 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function script(name: string): Promise<any> {
  return import(pathToFileURL(join(root, "scripts", name)).href);
}

const have = (cmd: string, arg = "--version") => spawnSync(cmd, [arg], { stdio: "ignore" }).status === 0;

/** `text` bytes of the generated C compiled by `cc` with `flags`. */
function textBytes(cc: string, flags: string[]): number {
  const obj = buildPath(`native/size-${cc}-${flags.join("").replace(/[^\w]/g, "")}.o`);
  const r = spawnSync(cc, ["-std=c11", "-w", "-DNDEBUG", ...flags, "-I", join(root, "ports/runtime"), "-I", buildPath("c"),
    "-c", buildPath("c/embertcp_w2c.c"), "-o", obj], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cc} failed: ${r.stderr}`);
  const size = cc.startsWith("arm-") ? "arm-none-eabi-size" : "size";
  return Number(spawnSync(size, [obj], { encoding: "utf8" }).stdout.split("\n")[1].trim().split(/\s+/)[0]);
}

function codeSize(): void {
  section("C port: code size of the wasm2c C (text bytes)");
  for (const opt of ["-O2", "-Os"]) {
    figure(`x86-64 ${opt}, bounds checks on`, textBytes("cc", [opt]), "bytes");
    figure(`x86-64 ${opt}, bounds checks off`, textBytes("cc", [opt, "-DEMBERTCP_BOUNDS_CHECKS=0"]), "bytes");
  }
  if (have("arm-none-eabi-gcc")) {
    const m4 = ["-Os", "-mthumb", "-mcpu=cortex-m4"];
    figure("Cortex-M4 -Os, bounds checks on", textBytes("arm-none-eabi-gcc", m4), "bytes");
    figure("Cortex-M4 -Os, bounds checks off", textBytes("arm-none-eabi-gcc", [...m4, "-DEMBERTCP_BOUNDS_CHECKS=0"]), "bytes");
  } else figure("Cortex-M4", "skipped", "(arm-none-eabi-gcc not installed)");
  const c = JSON.parse(readFileSync(buildPath("c/config.json"), "utf8"));
  figure("module memory in the C runtime (statics, 16-byte aligned)", c.memoryBytes, `bytes (a WebAssembly runtime would reserve ${c.pages} pages = ${c.pages * 65536})`);
}

/** Instructions in `fn` per unit, from callgrind over `n` units. */
function callgrind(exe: string, mode: string, n: number, fn: string): number {
  const out = buildPath(`native/callgrind-${mode}-${fn}.out`);
  const r = spawnSync("valgrind", ["--tool=callgrind", `--toggle-collect=${fn}`, `--callgrind-out-file=${out}`, exe, mode, String(n)],
    { encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`callgrind ${mode}: ${r.stderr.slice(-400)}`);
  const total = Number(/^summary: (\d+)/m.exec(readFileSync(out, "utf8"))?.[1] ?? NaN);
  return total / n;
}

async function instructions(): Promise<void> {
  section("C port: instructions (valgrind --tool=callgrind, x86-64 -O2)");
  if (!have("valgrind")) { figure("instruction counts", "skipped", "(valgrind not installed)"); return; }
  const { buildInstr } = await script("build-native.mjs");
  const N = 4000;
  for (const bounds of [true, false]) {
    const exe = buildInstr({ bounds });
    const tag = bounds ? "bounds checks on" : "bounds checks off";
    figure(`per received 1460-byte segment, net_input (checksum, TCP, its ACK), ${tag}`, Math.round(callgrind(exe, "segments", N, "rx_input")), "instructions (goal ≤ 3000)");
    figure(`per received 1460-byte segment, the app's tcp_recv, ${tag}`, Math.round(callgrind(exe, "segments", N, "rx_read")), "instructions");
    figure(`per SYN under a flood (SYN queue full: SYN cookies), ${tag}`, Math.round(callgrind(exe, "syns", N, "rx_input")), "instructions (goal ≤ 1500)");
  }
}

/** VmRSS and VmHWM of a process, kB. */
function memKb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1]), hwm: Number(/VmHWM:\s+(\d+)/.exec(s)?.[1]) };
}

const TAP = "nbench0";

/** How a board process starts on the TAP `TAP`: embertcp-tap, or the lwIP peer (bench/lwip/echo.c). */
const embertcpOnTap = (exe: string) => [exe, "--tap", TAP, "--ip", `${BOARD_IP}/24`, "--gw", LINUX_IP];
const lwipOnTap = (exe: string) => ["env", `PRECONFIGURED_TAPIF=${TAP}`, exe, BOARD_IP, "255.255.255.0", LINUX_IP];

/**
 * Run a board (`argv`, which prints "running" once it serves) on a TAP in
 * a namespace of its own, on CPU `cpu` only if given; `use` gets the
 * namespace and the pid.
 */
async function onTap<T>(argv: string[], use: (ns: ReturnType<typeof createBareNetns>, pid: number) => Promise<T>, cpu?: number): Promise<T> {
  const ns = createBareNetns("embnb");
  const p = ns.spawn([...(cpu === undefined ? [] : ["taskset", "-c", String(cpu)]), ...argv]);
  try {
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${argv.join(" ")} did not start: ${out}`)), 10_000);
      p.stdout!.on("data", (d: Buffer) => { out += d.toString(); if (/^running/m.test(out)) { clearTimeout(t); resolve(); } });
      p.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
    });
    addAddress(ns.name, TAP, `${LINUX_IP}/24`);
    return await use(ns, p.pid!);
  } finally {
    p.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 300));
    await ns.destroy();
  }
}

async function ramAndClients(): Promise<void> {
  section("C port: the native host (embertcp-tap) on a TAP");
  const why = netnsUnavailable() ?? (have("nc", "-h") ? null : "nc is not installed");
  if (why) { figure("native host figures", "skipped", `(${why})`); return; }
  const { buildNative } = await script("build-native.mjs");
  const builds: Array<[string, string]> = [["default build (8 TCBs, 4 KiB rings)", buildPath("native/embertcp-tap")]];
  builds.push(["256 TCBs, 64 KiB rings", (await buildNative({ out: buildPath("native-bench"), cDir: buildPath("native-bench/c"), use: LARGE })).exe]);
  for (const [name, exe] of builds) {
    await onTap(embertcpOnTap(exe), async (ns, pid) => {
      const idle = memKb(pid);
      await ns.exec(["sh", "-c", `head -c 20000000 /dev/zero | nc -N -w 20 ${BOARD_IP} 7 > /dev/null`], { timeoutMs: 60_000 });
      const busy = memKb(pid);
      figure(`RAM of embertcp-tap, ${name}`, `${idle.rss} kB idle, ${busy.rss} kB after a 20 MB echo`, `(peak ${busy.hwm} kB)`);
    });
  }
  await clientSuite(builds[1][1]);
  await versusLwip(builds[1][1]);
}

async function clientSuite(exe: string): Promise<void> {
  const file = join(root, "dist/bench/linux-client.js");
  if (!existsSync(file)) { figure("Linux client suite", "skipped", "(bench/linux-client.ts is not in this tree)"); return; }
  if (!have("hping3", "-v") && !have("hping3", "--version")) { figure("Linux client suite", "skipped", "(hping3 is not installed)"); return; }
  const suite = await import(pathToFileURL(file).href);
  await onTap(embertcpOnTap(exe), async (ns) => {
    const f = await suite.runLinuxClientSuite({ netns: ns.name, ip: BOARD_IP }, { log: (l: string) => console.log(`  (${l})`) });
    suite.printSuite("embertcp-tap, 256 TCBs, 64 KiB rings", f);
  });
  console.log("goals: echo round trip ≤ 0.055 ms and connect+close ≤ 0.115 ms (lwIP's unix port, medians), bulk ≥ 150 MB/s each way, ≥ 99 % connects during the flood");
}

/** Build the lwIP peer against Debian's liblwip-dev; its path, or why not. */
function buildLwipPeer(): { exe?: string; why?: string } {
  const cflags = spawnSync("pkg-config", ["--cflags", "--libs", "lwip"], { encoding: "utf8" });
  if (cflags.status !== 0) return { why: "lwIP not found by pkg-config (Debian package liblwip-dev)" };
  const exe = buildPath("lwip/lwip-echo");
  mkdirSync(dirname(exe), { recursive: true });
  const r = spawnSync("cc", ["-O2", "-std=gnu11", "-Wall", "-Wextra", "-Werror", join(root, "bench/lwip/echo.c"), "-o", exe,
    ...cflags.stdout.trim().split(/\s+/), "-lpthread"], { encoding: "utf8" });
  return r.status === 0 ? { exe } : { why: `the lwIP peer did not build: ${r.stderr.trim().split("\n")[0]}` };
}

/**
 * The same Linux clients against lwIP (Debian's build, bench/lwip/echo.c)
 * and embertcp-tap, one after the other, in two placements: everything on
 * one CPU, and the board on one CPU with the clients on another. On this
 * virtual machine a wake-up from another CPU costs tens of microseconds
 * (an interrupt between CPUs and the guest's halt-polling idle), so an
 * unpinned round trip lands in either mode by chance (docs/PORTS.md).
 * Bulk is left out: Debian's lwIP corrupts its heap on frames over about
 * 590 bytes.
 */
async function versusLwip(embertcpExe: string): Promise<void> {
  section("The same clients against lwIP (Debian's liblwip 2.1.3) and embertcp-tap");
  const lwip = buildLwipPeer();
  if (!lwip.exe) { figure("lwIP comparison", "skipped", `(${lwip.why})`); return; }
  const placements: Array<[string, number, number]> = [["one CPU", 0, 0]];
  if (cpus().length >= 2) placements.push(["board and clients on two CPUs", 1, 0]);
  else figure("lwIP comparison on two CPUs", "skipped", "(one CPU)");
  const suite = await import(pathToFileURL(join(root, "dist/bench/linux-client.js")).href);
  const opts = { connects: 500, echoes: 1000, concurrent: 200, noBulk: true, noFlood: true };
  for (const [place, boardCpu, clientCpu] of placements) {
    const run = (argv: string[]) =>
      onTap<SuiteFigures>(argv, (ns) => suite.runLinuxClientSuite({ netns: ns.name, ip: BOARD_IP }, { ...opts, clientCpu }), boardCpu);
    const ours = await run(embertcpOnTap(embertcpExe));
    const theirs = await run(lwipOnTap(lwip.exe));
    const ms = (l: { medianMs: number; ok: number; n: number }) => `${l.medianMs.toFixed(4)} ms (${l.ok}/${l.n})`;
    const ratio = (a: number, b: number) => (b > 0 ? `lwIP / embertcp ${(a / b).toFixed(2)}` : "");
    figure(`${place}: connect+close median, embertcp / lwIP`, `${ms(ours.connectClose)} / ${ms(theirs.connectClose)}`, ratio(theirs.connectClose.medianMs, ours.connectClose.medianMs));
    figure(`${place}: echo 64 B round trip median, embertcp / lwIP`, `${ms(ours.echo)} / ${ms(theirs.echo)}`, ratio(theirs.echo.medianMs, ours.echo.medianMs));
    figure(`${place}: 200 simultaneous echo connections, embertcp / lwIP`,
      `${ours.concurrentOk}/200 in ${ours.concurrentMs.toFixed(0)} ms / ${theirs.concurrentOk}/200 in ${theirs.concurrentMs.toFixed(0)} ms`,
      ratio(theirs.concurrentMs, ours.concurrentMs));
  }
}

codeSize();
await instructions();
await ramAndClients();
