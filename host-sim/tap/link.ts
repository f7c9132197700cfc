/**
 * A link end on a Linux TAP device: the Linux kernel becomes a real peer of
 * whatever board or switch holds the other side.
 *
 * Frames from the TAP carry no FCS; link frames do (links/types.ts), so a
 * frame read from the TAP gets its CRC-32 appended (crc32.ts) and a frame
 * sent towards the TAP has its FCS checked and stripped; a bad FCS, a runt
 * or an oversize frame is dropped and counted, never passed on.
 *
 * With `rawFrames` the end carries frames without FCS both ways instead (no
 * CRC is computed or checked): what a board on the host-frames link wants,
 * since net_input and frame_out deal in frames without FCS.
 *
 * The TAP is opened by a relay process (helper.ts: the compiled relay, or
 * the Python one), started in the current network namespace or, with
 * `netns`, inside that namespace via `ip netns exec`, so the interface lives
 * there. Frames towards the TAP are gathered into one pipe write per
 * event-loop turn. If the relay dies or the interface is deleted the link
 * reports it once through `onDown` and counts later sends as `dropDown`;
 * nothing throws.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { appendFcs, fcsValid } from "../crc32.js";
import { type LinkEnd, type LinkStats, MAX_WIRE_FRAME, MIN_WIRE_FRAME, zeroStats } from "../links/types.js";
import { compiledRelay, TAP_HELPER_PY } from "./helper.js";

export interface TapLinkOptions {
  /** Interface name (at most 15 characters), e.g. "ember0". */
  name: string;
  /** Open the TAP inside this network namespace (ip netns exec). */
  netns?: string;
  /** Python interpreter for the Python relay (default "python3"). */
  python?: string;
  /** Which relay: the compiled one when built (default), or the Python one. */
  relay?: "compiled" | "python";
  /** Frames without FCS both ways (for a board on the host-frames link). */
  rawFrames?: boolean;
  /** Most bytes queued towards the helper before frames are dropped (default 4 MiB). */
  maxBacklog?: number;
}

const TAP_STATS = [
  "framesIn", "bytesIn", "framesOut", "bytesOut", "dropBadFcs", "dropRunt", "dropOversize",
  "dropOversizeIn", "dropBacklog", "dropDown", "dropClosed", "dropRelay",
] as const;
type TapStatName = (typeof TAP_STATS)[number];

/**
 * Bytes of records gathered towards the relay before a write (and at the
 * end of every turn). Small enough that under a flood the relay starts on a
 * turn's answers while the sim is still computing them: with 256 KiB a
 * legitimate SYN-ACK waited behind up to 4,000 others (bench:linux's flood
 * connects: median 3.7–6.0 ms before, 3.0–4.6 ms after).
 */
const OUT_CHUNK = 16 * 1024;

/** Longest interface name Linux accepts (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

/**
 * One end on a TAP device. Counters: framesIn/bytesIn (frames from Linux
 * delivered, with FCS), framesOut/bytesOut (frames written to the TAP, without
 * FCS), dropBadFcs/dropRunt/dropOversize (bad frames sent towards Linux),
 * dropOversizeIn (Linux sent more than MAX_WIRE_FRAME), dropBacklog (relay
 * not taking frames towards Linux), dropDown, dropClosed, dropRelay (frames
 * from Linux the relay dropped because this process did not read fast
 * enough: the relay's count, see helper.ts).
 */
export class TapLink implements LinkEnd {
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onDown: ((reason: string) => void) | null = null;
  readonly name: string;
  readonly netns: string | undefined;
  /** Which relay moves the frames. */
  readonly relay: "compiled" | "python";
  readonly rawFrames: boolean;
  private readonly proc: ChildProcess;
  private readonly counters: Record<TapStatName, number> = zeroStats(...TAP_STATS);
  private readonly maxBacklog: number;
  private state: "opening" | "open" | "down" | "closed" = "opening";
  private reason = "";
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private rx: Buffer = Buffer.alloc(0);
  private errText = "";
  // Records towards the relay, written once per turn (flushOut).
  private readonly out: Buffer = Buffer.allocUnsafe(OUT_CHUNK);
  private outLen = 0;
  private flushQueued = false;

  constructor(opts: TapLinkOptions) {
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(opts.name)) throw new Error(`bad TAP name "${opts.name}": use 1..${IFNAME_MAX} letters, digits, '-', '_' or '.'`);
    this.name = opts.name;
    this.netns = opts.netns;
    this.rawFrames = opts.rawFrames ?? false;
    this.maxBacklog = opts.maxBacklog ?? 4 << 20;
    const compiled = opts.relay === "python" ? null : compiledRelay();
    this.relay = compiled ? "compiled" : "python";
    const cmd = compiled ? [compiled, opts.name] : [opts.python ?? "python3", "-c", TAP_HELPER_PY, opts.name];
    const argv = [...(opts.netns ? ["ip", "netns", "exec", opts.netns] : []), ...cmd];
    this.proc = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.on("error", (e) => this.goDown(`cannot start the TAP relay (${argv[0]}): ${e.message}`));
    this.proc.stdin!.on("error", () => { /* the exit handler reports it */ });
    this.proc.stdout!.on("data", (d: Buffer) => this.receive(d));
    this.proc.stderr!.on("data", (d: Buffer) => this.helperSays(d));
    this.proc.on("exit", (code, signal) => {
      if (this.state === "closed") return;
      const said = this.errText.split("\n").map((l) => l.trim()).find((l) => l.startsWith("error "));
      this.goDown(said ? said.slice(6) : `TAP relay for ${this.name} exited (${signal ?? `code ${code}`})`);
    });
  }

  /** Resolves once the TAP exists and is up; rejects with the reason otherwise. */
  opened(): Promise<void> {
    if (this.state === "open") return Promise.resolve();
    if (this.state !== "opening") return Promise.reject(new Error(this.reason || `TAP ${this.name} is closed`));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  get isUp(): boolean { return this.state === "open" || this.state === "opening"; }

  /** The relay's process id (tests kill it to make the TAP vanish). */
  get pid(): number | undefined { return this.proc.pid; }

  /** Stop or resume reading from the relay (tests make it drop this way). */
  pauseReading(paused: boolean): void {
    if (paused) this.proc.stdout!.pause(); else this.proc.stdout!.resume();
  }

  send(frame: Uint8Array): void {
    if (this.state === "closed") { this.counters.dropClosed++; return; }
    if (this.state === "down") { this.counters.dropDown++; return; }
    const fcs = this.rawFrames ? 0 : 4;
    if (frame.length < MIN_WIRE_FRAME - fcs) { this.counters.dropRunt++; return; }
    if (frame.length > MAX_WIRE_FRAME - 4 + fcs) { this.counters.dropOversize++; return; }
    if (fcs && !fcsValid(frame)) { this.counters.dropBadFcs++; return; }
    if (this.backlog > this.maxBacklog) { this.counters.dropBacklog++; return; }
    const n = frame.length - fcs;
    if (this.outLen + 2 + frame.length > this.out.length) this.flushOut();
    this.out.writeUInt16BE(n, this.outLen);
    // The whole frame, FCS too: the next record overwrites the FCS. A view of
    // just the first n bytes would cost more than the copy: V8 keeps arrays
    // of up to 64 bytes (a SYN-ACK) inside the object, and a view of one
    // first moves its bytes out to an ArrayBuffer of their own.
    this.out.set(frame, this.outLen + 2);
    this.outLen += 2 + n;
    this.counters.framesOut++;
    this.counters.bytesOut += n;
    if (!this.flushQueued) { this.flushQueued = true; queueMicrotask(() => this.flushOut()); }
  }

  close(): void {
    if (this.state === "closed") return;
    this.flushOut();
    this.state = "closed";
    for (const w of this.waiters) w.reject(new Error(`TAP ${this.name} closed`));
    this.waiters = [];
    this.proc.stdin!.end();
    // The relay exits on EOF; make sure it does.
    const t = setTimeout(() => this.proc.kill("SIGKILL"), 2000);
    t.unref();
    this.proc.once("exit", () => clearTimeout(t));
  }

  /** Resolves when the relay has exited (after close or going down). */
  exited(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    return new Promise((r) => this.proc.once("exit", () => r()));
  }

  stats(): LinkStats { return { ...this.counters }; }

  /** Bytes of records waiting for the relay to take them (sends past maxBacklog are dropped). */
  get backlog(): number { return this.proc.stdin!.writableLength + this.outLen; }

  /** One pipe write for every record queued this turn. */
  private flushOut(): void {
    this.flushQueued = false;
    if (this.outLen === 0 || this.state === "closed" || this.state === "down") { this.outLen = 0; return; }
    // The stream keeps what it is given until written: hand it a copy of just the records.
    this.proc.stdin!.write(Buffer.from(this.out.subarray(0, this.outLen)));
    this.outLen = 0;
  }

  private helperSays(d: Buffer): void {
    this.errText += d.toString();
    if (this.state === "opening" && /(^|\n)ready /.test(this.errText)) {
      this.state = "open";
      for (const w of this.waiters) w.resolve();
      this.waiters = [];
    }
  }

  private receive(d: Buffer): void {
    const rx = this.rx.length ? Buffer.concat([this.rx, d]) : d;
    let o = 0;
    while (rx.length - o >= 2) {
      const n = rx.readUInt16BE(o);
      if (n === 0) {
        // The relay's drop total (helper.ts).
        if (rx.length - o < 6) break;
        this.counters.dropRelay = rx.readUInt32BE(o + 2);
        o += 6;
        continue;
      }
      if (rx.length - o < 2 + n) break;
      const frame = rx.subarray(o + 2, o + 2 + n);
      o += 2 + n;
      if (this.state === "closed") continue;
      this.deliver(frame);
    }
    this.rx = o === rx.length ? Buffer.alloc(0) : Buffer.from(rx.subarray(o));
  }

  private deliver(frame: Buffer): void {
    if (frame.length + 4 > MAX_WIRE_FRAME) { this.counters.dropOversizeIn++; return; }
    const f = this.rawFrames ? frame : appendFcs(frame);
    this.counters.framesIn++;
    this.counters.bytesIn += f.length;
    this.onFrame?.(f);
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
