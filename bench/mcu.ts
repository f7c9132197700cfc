/**
 * `npm run bench:mcu`: the Cortex-M firmware's figures (docs/EMBEDDING.md,
 * "Cortex-M firmware"). Prints, asserts nothing:
 *
 *   - flash (text + rodata + data) and RAM (data + bss, the module's memory
 *     and the 4 KiB main stack included) of the Cortex-M4 firmware and of
 *     the stack alone (the wasm2c C and ports/runtime): the default build,
 *     the TCP-only build (UDP, DHCP and DNS left out: the feature set of
 *     the size goal) and the minimal build (TCP only, 2 TCBs, 1 KiB
 *     rings), with and without bounds checks; `--markdown` prints the
 *     table for the docs;
 *   - instructions per received full-size segment, per SYN during an
 *     hping3 flood and per idle net_poll, counted under QEMU -icount
 *     shift=0 by the PORT_MEASURE build (ports/cortex-m/measure.h), and
 *     what they take on a 100 MHz Cortex-M4 at an assumed CPI;
 *   - goodput of the paced serial link (both ends meter bytes at the line
 *     rate) at 115200, 921600 and 3,000,000 baud, Linux -> board into
 *     discard and board -> Linux out of chargen, next to the simulator's
 *     figures for two boards on the same line (bench/sim.ts).
 *
 * The QEMU parts need root, a TAP, qemu-system-arm, nc and hping3; without
 * them they print why they were skipped.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createNetns, type Netns, netnsUnavailable } from "../host-sim/netns.js";
import { projectRoot } from "../host-sim/paths.js";
import { type QemuOptions, QemuBoard } from "../host-sim/qemu.js";
import { LinkBridge } from "../host-sim/tap/bridge.js";
import { figure, section } from "./report.js";
import { benchSerial } from "./sim.js";

const root = projectRoot();
const BOARD = "10.69.0.2", LINUX = "10.69.0.1";
/** The feature set of the size goal: IPv4, ARP, ICMP, TCP, SYN queue and cookies, ENC28J60; UDP, DHCP and DNS left out. */
const TCP_ONLY = { EMBER_UDP: "0", EMBER_DHCP: "0", EMBER_DNS: "0" };
/** The smallest useful board: two connections with 1 KiB rings, TCP only (docs/EMBEDDING.md "Memory"). */
const MINIMAL = { EMBER_TCB_COUNT: "2", EMBER_TCP_TX_BUF: "1024", EMBER_TCP_RX_BUF: "1024", ...TCP_ONLY };
/** Instructions per SysTick tick under -icount shift=0: 1 ns each, 25 MHz ticks. */
const INSTR_PER_TICK = 40;
/** Cycles per instruction assumed for a Cortex-M4 running from zero-wait-state memory. */
const CPI = 1.25;
const MHZ = 100;

interface Sizes { text: number; data: number; bss: number }
interface Built { elf: string; firmware: Sizes; stack: Sizes }

function build(args: string[], env: Record<string, string> = {}): Built {
  const out = execFileSync("node", ["scripts/build-mcu.mjs", "--cpu", "m4", "--json", ...args],
    { cwd: root, encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out.trim().split("\n").pop()!) as Built;
}

const kib = (n: number) => `${n} (${(n / 1024).toFixed(1)} KiB)`;

/** The size table: four builds. */
function benchSizes(markdown: boolean): void {
  section("Cortex-M4 firmware and stack size (arm-none-eabi-gcc -Os, Thumb-2, newlib-nano)");
  const rows: string[] = [];
  const builds = [["default", {}, []], ["TCP only", TCP_ONLY, []], ["minimal", MINIMAL, ["--minimal"]]] as const;
  for (const [limits, env, apps] of builds) {
    for (const bounds of [true, false]) {
      const b = build([...apps, ...(bounds ? [] : ["--no-bounds"]), "--tag", `size-${limits.replace(" ", "-")}-${bounds ? "bounds" : "nobounds"}`], env);
      const what = `${limits} limits, bounds checks ${bounds ? "on" : "off"}`;
      const sf = b.stack.text + b.stack.data, sr = b.stack.data + b.stack.bss;
      const ff = b.firmware.text + b.firmware.data, fr = b.firmware.data + b.firmware.bss;
      figure(`${what}: stack flash (text + rodata + data)`, kib(sf), "bytes");
      figure(`${what}: stack RAM (data + bss, module memory included)`, kib(sr), "bytes");
      figure(`${what}: firmware flash`, kib(ff), "bytes");
      figure(`${what}: firmware RAM (4 KiB main stack included)`, kib(fr), "bytes");
      rows.push(`| ${limits} | ${bounds ? "on" : "off"} | ${sf} | ${sr} | ${ff} | ${fr} |`);
    }
  }
  if (markdown) {
    console.log("\n| limits | bounds checks | stack flash | stack RAM | firmware flash | firmware RAM |\n|---|---|---|---|---|---|");
    console.log(rows.join("\n"));
  }
}

/** Why the QEMU figures cannot be taken here, or null. */
function qemuUnavailable(): string | null {
  const why = netnsUnavailable();
  if (why) return why;
  for (const t of ["qemu-system-arm", "nc", "hping3", "timeout"]) {
    if (spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" }).status !== 0) return `${t} is not installed`;
  }
  return null;
}

/** Boot a board bridged to the namespace's TAP, run `fn`, stop the board. */
async function withBoard<T>(ns: Netns, opts: Omit<QemuOptions, "ip">, fn: (b: QemuBoard) => Promise<T>): Promise<T> {
  const board = await QemuBoard.start({ ip: `${BOARD}/24`, gateway: LINUX, ...opts });
  new LinkBridge(ns.tap, board.serial, ["TAP", "QEMU"]);
  try {
    return await fn(board);
  } finally {
    await board.stop();
    ns.tap.onFrame = null;
  }
}

/** The latest "measure" line's sums: name -> [calls, ticks]. */
function measured(b: QemuBoard): Record<string, [number, number]> {
  const line = [...b.log].reverse().find((l) => l.startsWith("measure ")) ?? "";
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)\/(\d+)/g)].map((m) => [m[1], [Number(m[2]), Number(m[3])]]));
}

async function benchInstructions(ns: Netns): Promise<void> {
  section(`Instructions on the Cortex-M4 (QEMU -icount shift=0; microseconds at ${MHZ} MHz, CPI ${CPI} assumed)`);
  const elf = build(["--tag", "embertcp-cortex-m4-measure", "--define", "PORT_MEASURE=1"]).elf;
  await withBoard(ns, { firmware: elf, baud: 921600, qemuArgs: ["-icount", "shift=0"] }, async (b) => {
    await new Promise((r) => setTimeout(r, 3000));
    await ns.exec(["sh", "-c", `head -c 1000000 /dev/zero | nc -N -w 60 ${BOARD} 9`], { timeoutMs: 120_000 });
    await ns.exec(["timeout", "-s", "INT", "10", "hping3", "-S", "-p", "80", "--rand-source", "-i", "u2000", "-c", "2000", "-q", BOARD], { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 2500));
    await ns.exec(["ping", "-c", "1", "-W", "2", BOARD]);
    await b.waitLog((l) => l.startsWith("measure "), 5000).catch(() => "");
    const m = measured(b);
    const show = (key: string, what: string) => {
      const [n, ticks] = m[key] ?? [0, 0];
      if (!n) { figure(what, "not measured (no such calls logged)"); return; }
      const instr = (ticks * INSTR_PER_TICK) / n;
      figure(what, instr.toFixed(0), `instructions (${((instr * CPI) / MHZ).toFixed(1)} µs; mean of ${n})`);
    };
    show("segment", "net_input of a full-size TCP segment (1460 bytes, to discard)");
    show("syn", "net_input of a SYN during an hping3 --rand-source flood");
    show("idle", "net_poll with nothing to do");
    show("linkIn", "link: SLIP decode and FCS check of a full-size frame (not the stack)");
  });
}

/** Seconds for a command in the namespace, or null when it failed or moved too few bytes. */
async function timed(ns: Netns, cmd: string, check: (out: string) => boolean): Promise<number | null> {
  const t = Date.now();
  const r = await ns.exec(["sh", "-c", cmd], { timeoutMs: 180_000 });
  const s = (Date.now() - t) / 1000;
  return r.code === 0 && check(r.stdout.toString()) ? s : null;
}

async function benchGoodput(ns: Netns): Promise<void> {
  section("Serial link in QEMU: Cortex-M4 board <-> Linux over a paced pty (SLIP, 10 bits a byte, real time)");
  for (const baud of [115200, 921600, 3_000_000]) {
    const bytes = baud <= 115200 ? 32 * 1024 : baud <= 921600 ? 256 * 1024 : 512 * 1024;
    const line = baud / 10;
    await withBoard(ns, { baud, pace: true }, async () => {
      const up = await timed(ns, `head -c ${bytes} /dev/zero | nc -N -w 60 ${BOARD} 9`, () => true);
      const down = await timed(ns, `nc -d -w 60 ${BOARD} 19 | head -c ${bytes} | wc -c`, (o) => Number(o.trim()) === bytes);
      const rate = (s: number | null, what: string) => (s === null ? "failed" : `${(bytes / s / 1000).toFixed(1)} kB/s (${((bytes / s / line) * 100).toFixed(0)}% of the ${(line / 1000).toFixed(1)} kB/s line)${what}`);
      figure(`${baud} baud: Linux -> board goodput (${bytes / 1024} KiB into discard)`, rate(up, ""));
      figure(`${baud} baud: board -> Linux goodput (${bytes / 1024} KiB out of chargen)`, rate(down, ""));
    });
  }
  benchSerial();
}

// Options: --markdown (the size table for the docs), --only sizes|instructions|goodput.
const markdown = process.argv.includes("--markdown");
const only = process.argv[process.argv.indexOf("--only") + 1];
const part = (name: string) => !process.argv.includes("--only") || only === name;
if (part("sizes")) benchSizes(markdown);
const why = qemuUnavailable();
if (why) {
  figure("QEMU figures (instructions, serial goodput)", `skipped (${why})`);
} else if (part("instructions") || part("goodput")) {
  const ns = await createNetns({ hostAddr: `${LINUX}/24`, prefix: "embqb" });
  try {
    if (part("instructions")) await benchInstructions(ns);
    if (part("goodput")) await benchGoodput(ns);
  } finally {
    await ns.destroy();
  }
}
