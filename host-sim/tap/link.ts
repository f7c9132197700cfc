/**
 * A link end on a Linux TAP device: the Linux kernel becomes a real peer of
 * whatever board or switch holds the other side.
 *
 * Frames from the TAP carry no FCS; link frames do (links/types.ts), so a
 * frame read from the TAP gets its CRC-32 appended (crc32.ts) and a frame
 * sent towards the TAP has its FCS checked and stripped; a bad FCS, a runt
 * or an oversize frame is dropped and counted, never passed on.
 *
 * The TAP is opened by the helper in helper.ts (a child process), started in
 * the current network namespace or, with `netns`, inside that namespace via
 * `ip netns exec`, so the interface lives there. If the helper dies or the
 * interface is deleted the link reports it once through `onDown` and counts
 * later sends as `dropDown`; nothing throws.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { appendFcs, fcsValid } from "../crc32.js";
import { type LinkEnd, type LinkStats, MAX_WIRE_FRAME, MIN_WIRE_FRAME, zeroStats } from "../links/types.js";
import { TAP_HELPER_PY } from "./helper.js";

export interface TapLinkOptions {
  /** Interface name (at most 15 characters), e.g. "ember0". */
  name: string;
  /** Open the TAP inside this network namespace (ip netns exec). */
  netns?: string;
  /** Python interpreter (default "python3"). */
  python?: string;
  /** Most bytes queued towards the helper before frames are dropped (default 4 MiB). */
  maxBacklog?: number;
}

const TAP_STATS = [
  "framesIn", "bytesIn", "framesOut", "bytesOut", "dropBadFcs", "dropRunt", "dropOversize",
  "dropOversizeIn", "dropBacklog", "dropDown", "dropClosed",
] as const;
type TapStatName = (typeof TAP_STATS)[number];

/** Longest interface name Linux accepts (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

/**
 * One end on a TAP device. Counters: framesIn/bytesIn (frames from Linux
 * delivered, with FCS), framesOut/bytesOut (frames written to the TAP, without
 * FCS), dropBadFcs/dropRunt/dropOversize (bad frames sent towards Linux),
 * dropOversizeIn (Linux sent more than MAX_WIRE_FRAME), dropBacklog (helper
 * not keeping up), dropDown, dropClosed.
 */
export class TapLink implements LinkEnd {
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onDown: ((reason: string) => void) | null = null;
  readonly name: string;
  readonly netns: string | undefined;
  private readonly proc: ChildProcess;
  private readonly counters: Record<TapStatName, number> = zeroStats(...TAP_STATS);
  private readonly maxBacklog: number;
  private state: "opening" | "open" | "down" | "closed" = "opening";
  private reason = "";
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private rx: Buffer = Buffer.alloc(0);
  private errText = "";

  constructor(opts: TapLinkOptions) {
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(opts.name)) throw new Error(`bad TAP name "${opts.name}": use 1..${IFNAME_MAX} letters, digits, '-', '_' or '.'`);
    this.name = opts.name;
    this.netns = opts.netns;
    this.maxBacklog = opts.maxBacklog ?? 4 << 20;
    const py = opts.python ?? "python3";
    const argv = [...(opts.netns ? ["ip", "netns", "exec", opts.netns] : []), py, "-c", TAP_HELPER_PY, opts.name];
    this.proc = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.on("error", (e) => this.goDown(`cannot start the TAP helper (${argv[0]}): ${e.message}`));
    this.proc.stdin!.on("error", () => { /* the exit handler reports it */ });
    this.proc.stdout!.on("data", (d: Buffer) => this.receive(d));
    this.proc.stderr!.on("data", (d: Buffer) => this.helperSays(d));
    this.proc.on("exit", (code, signal) => {
      if (this.state === "closed") return;
      const said = this.errText.split("\n").map((l) => l.trim()).find((l) => l.startsWith("error "));
      this.goDown(said ? said.slice(6) : `TAP helper for ${this.name} exited (${signal ?? `code ${code}`})`);
    });
  }

  /** Resolves once the TAP exists and is up; rejects with the reason otherwise. */
  opened(): Promise<void> {
    if (this.state === "open") return Promise.resolve();
    if (this.state !== "opening") return Promise.reject(new Error(this.reason || `TAP ${this.name} is closed`));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  get isUp(): boolean { return this.state === "open" || this.state === "opening"; }

  /** The helper's process id (tests kill it to make the TAP vanish). */
  get pid(): number | undefined { return this.proc.pid; }

  send(frame: Uint8Array): void {
    if (this.state === "closed") { this.counters.dropClosed++; return; }
    if (this.state === "down") { this.counters.dropDown++; return; }
    if (frame.length < MIN_WIRE_FRAME) { this.counters.dropRunt++; return; }
    if (frame.length > MAX_WIRE_FRAME) { this.counters.dropOversize++; return; }
    if (!fcsValid(frame)) { this.counters.dropBadFcs++; return; }
    const stdin = this.proc.stdin!;
    if (stdin.writableLength > this.maxBacklog) { this.counters.dropBacklog++; return; }
    const n = frame.length - 4;
    const rec = Buffer.allocUnsafe(2 + n);
    rec.writeUInt16BE(n, 0);
    rec.set(frame.subarray(0, n), 2);
    stdin.write(rec);
    this.counters.framesOut++;
    this.counters.bytesOut += n;
  }

  close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    for (const w of this.waiters) w.reject(new Error(`TAP ${this.name} closed`));
    this.waiters = [];
    this.proc.stdin!.end();
    // The helper exits on EOF; make sure it does.
    const t = setTimeout(() => this.proc.kill("SIGKILL"), 2000);
    t.unref();
    this.proc.once("exit", () => clearTimeout(t));
  }

  /** Resolves when the helper has exited (after close or going down). */
  exited(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    return new Promise((r) => this.proc.once("exit", () => r()));
  }

  stats(): LinkStats { return { ...this.counters }; }

  private helperSays(d: Buffer): void {
    this.errText += d.toString();
    if (this.state === "opening" && /(^|\n)ready /.test(this.errText)) {
      this.state = "open";
      for (const w of this.waiters) w.resolve();
      this.waiters = [];
    }
  }

  private receive(d: Buffer): void {
    this.rx = this.rx.length ? Buffer.concat([this.rx, d]) : d;
    let o = 0;
    while (this.rx.length - o >= 2) {
      const n = this.rx.readUInt16BE(o);
      if (this.rx.length - o < 2 + n) break;
      const frame = this.rx.subarray(o + 2, o + 2 + n);
      o += 2 + n;
      if (this.state === "closed") continue;
      if (n + 4 > MAX_WIRE_FRAME) { this.counters.dropOversizeIn++; continue; }
      const withFcs = appendFcs(frame);
      this.counters.framesIn++;
      this.counters.bytesIn += withFcs.length;
      this.onFrame?.(withFcs);
    }
    this.rx = o === this.rx.length ? Buffer.alloc(0) : this.rx.subarray(o);
  }

  private goDown(reason: string): void {
    if (this.state === "down" || this.state === "closed") return;
    this.state = "down";
    this.reason = reason;
    for (const w of this.waiters) w.reject(new Error(reason));
    this.waiters = [];
    this.onDown?.(reason);
  }
}
