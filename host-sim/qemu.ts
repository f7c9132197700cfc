/**
 * `embertcp qemu`: the Cortex-M firmware (ports/cortex-m, built by
 * `npm run build:mcu`) booted in `qemu-system-arm`, its UART0 on a
 * pseudo-terminal that a SerialLink opens, bridged frame for frame to a TAP
 * (tap/bridge.ts): Linux gets a Cortex-M board to ping, curl and connect to.
 *
 * The board's settings (address, MAC, line rate, apps, a fresh 128-bit
 * entropy seed) are written into a copy of the image, in the block that
 * ports/cortex-m/config.h lays out; QEMU's -append reaches only Linux
 * kernels. UART1 (QEMU's second -serial, on its stdout) carries the log:
 * "boot ..." at every start, "fault: ..." (or "trap: ...") before a reset,
 * "link ..." counters, app events. A "boot" after the first is a reset,
 * which the command reports.
 *
 * Stopping (SIGINT/SIGTERM, or stop()) closes the bridge and the TAP, kills
 * QEMU (its pty goes with it) and deletes the patched image.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialLink } from "./links/serial.js";
import type { LinkEnd } from "./links/types.js";
import { buildPath } from "./paths.js";
import { macForIp, parseCidr } from "./sim.js";
import { ipToNumber } from "./stack.js";
import { LinkBridge } from "./tap/bridge.js";
import { TapLink } from "./tap/link.js";

/** The magic that starts the settings block (ports/cortex-m/config.h). */
export const CONFIG_MAGIC = "embertcp-config1";
const APP_BITS: Record<string, number> = { echo: 1, discard: 2, chargen: 4, http: 8 };

export const MACHINES = { m4: { machine: "mps2-an386", elf: "embertcp-cortex-m4.elf" }, m3: { machine: "mps2-an385", elf: "embertcp-cortex-m3.elf" } };

export interface BoardSettings {
  /** A.B.C.D/NN */
  ip: string;
  gateway?: string;
  mac?: string;
  /** Comma-separated: echo, discard, chargen, http (default all four). */
  apps?: string;
  /** UART0 line rate (default 115200). */
  baud?: number;
  /** Meter bytes at `baud` both ways: the firmware its transmitter, the host its writes. */
  pace?: boolean;
  /** 16 bytes for the board's entropy (default: fresh random bytes). */
  seed?: Uint8Array;
}

/** `image` with the settings block filled in; throws if the block is not found exactly once. */
export function patchSettings(image: Uint8Array, s: BoardSettings): Buffer {
  const out = Buffer.from(image);
  const magic = Buffer.from(CONFIG_MAGIC, "latin1");
  const at = out.indexOf(magic);
  if (at < 0 || out.indexOf(magic, at + 1) >= 0) throw new Error(`the firmware has ${at < 0 ? "no" : "more than one"} settings block (${CONFIG_MAGIC}); rebuild it with npm run build:mcu`);
  const { ip, netmask } = parseCidr(s.ip);
  const mac = (s.mac ?? macForIp(ip)).split(":").map((h) => parseInt(h, 16));
  if (mac.length !== 6 || mac.some((b) => !(b >= 0 && b <= 255))) throw new Error(`bad MAC "${s.mac}": use six hex bytes, 02:00:00:00:00:02`);
  let apps = 0;
  for (const n of (s.apps ?? "echo,discard,chargen,http").split(",").map((x) => x.trim()).filter(Boolean)) {
    if (!(n in APP_BITS)) throw new Error(`unknown app "${n}": choose from ${Object.keys(APP_BITS).join(", ")}`);
    apps |= APP_BITS[n];
  }
  const seed = s.seed ?? randomBytes(16);
  if (seed.length !== 16) throw new Error("the entropy seed is 16 bytes");
  out.writeUInt32LE(ipToNumber(ip), at + 16);
  out.writeUInt32LE(ipToNumber(netmask), at + 20);
  out.writeUInt32LE(s.gateway ? ipToNumber(s.gateway) : 0, at + 24);
  out.set(mac, at + 28);
  out.writeUInt32LE(s.baud ?? 115200, at + 36);
  out.writeUInt32LE(s.pace ? 1 : 0, at + 40);
  out.writeUInt32LE(apps, at + 44);
  out.set(seed, at + 48);
  return out;
}

export interface QemuOptions extends BoardSettings {
  /** The firmware ELF (default build/mcu/embertcp-cortex-m4.elf, or -m3 for cpu "m3"). */
  firmware?: string;
  cpu?: keyof typeof MACHINES;
  /** qemu-system-arm (default from PATH). */
  qemu?: string;
  /** Extra QEMU arguments (e.g. -icount shift=0 for instruction counting). */
  qemuArgs?: string[];
  /** Every log line from the board's UART1. */
  onLog?: (line: string) => void;
}

let imageCounter = 0;
const PTY_LINE = /redirected to (\/dev\/pts\/\d+) \(label serial0\)/;

/** QEMU running the firmware, its UART0 open as a SerialLink. */
export class QemuBoard {
  /** Log lines so far. */
  readonly log: string[] = [];
  /** Times the board started ("boot" lines); more than one means it reset. */
  boots = 0;
  /** "fault: ..." and "trap: ..." lines. */
  readonly faults: string[] = [];
  serial!: SerialLink;
  ptyPath = "";
  private proc!: ChildProcess;
  private image = "";
  private logBuf = "";
  private waiters: Array<{ test: (l: string) => boolean; resolve: (l: string) => void }> = [];
  private exitReason = "";
  private onPty: (path: string) => void = () => {};

  private constructor(private readonly opts: QemuOptions) {}

  /** Boot the board; resolves once its first "boot" line is logged and the pty is open. */
  static async start(opts: QemuOptions): Promise<QemuBoard> {
    const b = new QemuBoard(opts);
    try { await b.launch(); } catch (e) { await b.stop(); throw e; }
    return b;
  }

  private async launch(): Promise<void> {
    const m = MACHINES[this.opts.cpu ?? "m4"];
    const firmware = firmwarePath(this.opts);
    if (!existsSync(firmware)) throw new Error(`no firmware at ${firmware}: run npm run build:mcu`);
    this.image = join(tmpdir(), `embertcp-qemu-${process.pid}-${++imageCounter}.elf`);
    writeFileSync(this.image, patchSettings(readFileSync(firmware), this.opts));
    const args = ["-M", m.machine, "-kernel", this.image, "-display", "none", "-monitor", "none",
      "-serial", "pty", "-serial", "stdio", ...(this.opts.qemuArgs ?? [])];
    this.proc = spawn(this.opts.qemu ?? "qemu-system-arm", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    // QEMU names the pty on stdout or stderr depending on its version and on
    // which chardev holds stdio; look on both.
    const pty = new Promise<string>((resolve, reject) => {
      this.onPty = resolve;
      this.proc.on("error", (e) => reject(new Error(`cannot start ${this.opts.qemu ?? "qemu-system-arm"}: ${e.message} (Debian package qemu-system-arm)`)));
      this.proc.stderr!.on("data", (d: Buffer) => {
        stderr += d.toString();
        const p = PTY_LINE.exec(stderr);
        if (p) resolve(p[1]);
      });
      this.proc.on("exit", (code, sig) => {
        this.exitReason = `QEMU exited (${sig ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split("\n").pop()}` : ""}`;
        reject(new Error(this.exitReason));
      });
    });
    pty.catch(() => {});
    this.proc.stdout!.on("data", (d: Buffer) => this.takeLog(d));
    this.ptyPath = await withTimeout(pty, 10_000, "QEMU did not open its pty in 10 s");
    this.serial = new SerialLink({ path: this.ptyPath, baudRate: this.opts.baud ?? 115200, pace: this.opts.pace });
    await this.serial.opened();
    if (this.boots === 0) await this.waitLog((l) => l.startsWith("boot "), 10_000);
  }

  private takeLog(d: Buffer): void {
    this.logBuf += d.toString("latin1");
    let nl: number;
    while ((nl = this.logBuf.indexOf("\n")) >= 0) {
      const line = this.logBuf.slice(0, nl).replace(/\r$/, "");
      this.logBuf = this.logBuf.slice(nl + 1);
      const pty = PTY_LINE.exec(line);
      if (pty) { this.onPty(pty[1]); continue; }
      this.log.push(line);
      if (line.startsWith("boot ")) this.boots++;
      if (line.startsWith("fault: ") || line.startsWith("trap: ")) this.faults.push(line);
      this.opts.onLog?.(line);
      this.waiters = this.waiters.filter((w) => { if (!w.test(line)) return true; w.resolve(line); return false; });
    }
  }

  /** The first log line from now on that passes `test`. */
  waitLog(test: (line: string) => boolean, ms: number): Promise<string> {
    const p = new Promise<string>((resolve) => this.waiters.push({ test, resolve }));
    return withTimeout(p, ms, `no such board log line in ${ms} ms (${this.exitReason || "QEMU running"})`);
  }

  /** The latest "link ..." counters line as numbers. */
  linkCounters(): Record<string, number> {
    const line = [...this.log].reverse().find((l) => l.startsWith("link ")) ?? "";
    return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
  }

  /** Resolves when QEMU has exited. */
  exited(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.proc.once("exit", () => r()));
  }

  /** Whether QEMU is still running. */
  get running(): boolean { return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null; }

  /** Close the serial link, end QEMU (SIGTERM, then SIGKILL after 3 s), delete the image. */
  async stop(): Promise<void> {
    this.serial?.close();
    if (this.running) {
      const exited = new Promise<void>((r) => this.proc.once("exit", () => r()));
      this.proc.kill("SIGTERM");
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(t);
    }
    if (this.image) { try { unlinkSync(this.image); } catch { /* gone */ } }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, why: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(why)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

/** A booted board bridged to a link end (a TAP): what `embertcp qemu` runs. */
export async function bridgeQemu(opts: QemuOptions, link: LinkEnd, name: string, print: (l: string) => void): Promise<{ board: QemuBoard; bridge: LinkBridge }> {
  const board = await QemuBoard.start(opts);
  const bridge = new LinkBridge(link, board.serial, [name, `QEMU UART0 ${board.ptyPath}`], print);
  return { board, bridge };
}

export interface QemuCommandOptions extends QemuOptions {
  tap: string;
  netns?: string;
  print?: (line: string) => void;
}

/** The firmware path for these options. */
function firmwarePath(o: QemuOptions): string {
  return o.firmware ?? buildPath(join("mcu", MACHINES[o.cpu ?? "m4"].elf));
}

/**
 * Throws one line for settings that cannot work (a bad address, MAC or app,
 * a missing firmware) before anything is started.
 */
export function checkQemuOptions(o: QemuOptions): void {
  const firmware = firmwarePath(o);
  if (!existsSync(firmware)) throw new Error(`no firmware at ${firmware}: run npm run build:mcu`);
  if (o.gateway !== undefined) ipToNumber(o.gateway);
  patchSettings(readFileSync(firmware), o);
}

/** `embertcp qemu`: run until SIGINT/SIGTERM (or `signal`); returns the exit code. */
export async function runQemu(o: QemuCommandOptions, signal?: AbortSignal): Promise<number> {
  const print = o.print ?? ((l: string) => console.log(l));
  checkQemuOptions(o);
  const tap = new TapLink({ name: o.tap, netns: o.netns });
  try { await tap.opened(); } catch (e) { tap.close(); throw new Error(`${(e as Error).message}; TAP devices need root (or CAP_NET_ADMIN) and /dev/net/tun`); }
  let resets = 0;
  const onLog = (l: string) => {
    print(`board: ${l}`);
    if (l.startsWith("boot ") && ++resets > 1) print(`board reset (boot ${resets}) after: ${lastFault || "no fault line"}`);
    if (l.startsWith("fault: ") || l.startsWith("trap: ")) lastFault = l;
  };
  let lastFault = "";
  let r: { board: QemuBoard; bridge: LinkBridge };
  try { r = await bridgeQemu({ ...o, onLog }, tap, `TAP ${o.tap}`, print); } catch (e) { tap.close(); await tap.exited(); throw e; }
  print(`QEMU ${MACHINES[o.cpu ?? "m4"].machine} board ${o.ip} on UART0 ${r.board.ptyPath}, bridged to TAP ${o.tap}${o.netns ? ` in ${o.netns}` : ""} at ${o.baud ?? 115200} baud; Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    const done = () => { process.off("SIGINT", done); process.off("SIGTERM", done); resolve(); };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    signal?.addEventListener("abort", done, { once: true });
    void r.board.exited().then(done);
  });
  const crashed = !r.board.running;
  print(`stopped: ${r.bridge.progress()}${resets > 1 ? `; the board reset ${resets - 1} time(s)` : ""}${crashed ? "; QEMU had exited" : ""}`);
  r.bridge.close();
  await r.board.stop();
  await tap.exited();
  return crashed || resets > 1 ? 1 : 0;
}
