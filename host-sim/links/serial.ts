/**
 * A link over a serial line (a real UART, a pseudo-terminal, or the
 * `@serialport/binding-mock` binding), carrying Ethernet frames with their
 * FCS, SLIP-framed per RFC 1055 (see slip.ts).
 *
 * Receiving: every SLIP packet is checked before it is delivered; a broken
 * escape, an oversize packet (more than MAX_WIRE_FRAME bytes), a runt
 * (shorter than header + FCS) or a bad FCS is dropped and counted.
 *
 * Batching: without pacing, the SLIP bytes of every frame sent in one
 * event-loop turn go to the port in one write (a board answering a burst of
 * frames makes one system call, not one per frame); frames read from the
 * port are decoded from whatever chunk the read returned, many at a time.
 *
 * Pacing: a pty has no baud rate and a USB UART buffers, so with `pace` the
 * link itself meters bytes onto the port at `baudRate` / 10 bytes per second
 * (start bit, 8 data bits, stop bit), scheduling through a Clock. The line
 * time is accounted exactly (`lineMs`), so a VirtualClock run measures what
 * a real UART would cost without depending on wall-clock speed.
 *
 * A device that disappears (tty unplugged, socat killed) closes the port with
 * a disconnect error; the link reports it once through `onDown`, counts
 * later sends as `dropDown`, and never throws.
 */

import { existsSync } from "node:fs";
import { SerialPortStream } from "@serialport/stream";
import { SerialPortMock } from "serialport";
import { type Clock, RealClock, type TimerHandle } from "../clock.js";
import { fcsValid } from "../crc32.js";
import { SlipDecoder, slipEncode } from "./slip.js";
import { mendedBinding, type SerialBinding, type StreamBinding } from "../tty-binding.js";
import { type LinkEnd, type LinkStats, MAX_WIRE_FRAME, MIN_WIRE_FRAME, zeroStats } from "./types.js";

/** The parts of an open mock port the back-to-back pair rewires. */
interface MockPort {
  isOpen: boolean;
  emitData(data: Buffer): void;
  read(buf: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
  write(buf: Buffer): Promise<void>;
}

export interface SerialLinkOptions {
  /** Device path, e.g. /dev/ttyUSB0 or a pty from socat. */
  path: string;
  /** Line rate set on the port and used for pacing (default 115200). */
  baudRate?: number;
  /** Meter writes at `baudRate` through `clock` (default false: write at once). */
  pace?: boolean;
  /** Clock for pacing (default: a RealClock). */
  clock?: Clock;
  /** serialport binding (default: the native one, mended (tty-binding.ts); pass the mock binding in tests). */
  binding?: SerialBinding;
  /** Largest frame (with FCS) accepted or sent (default MAX_WIRE_FRAME = 1522). */
  maxFrame?: number;
}

const SERIAL_STATS = [
  "framesOut", "bytesOut", "lineBytesOut", "framesIn", "bytesIn", "lineBytesIn",
  "dropBadFcs", "dropSlipEscape", "dropOversize", "dropRunt", "dropOversizeOut",
  "dropDown", "dropClosed", "portErrors", "lineMs",
] as const;
type SerialStatName = (typeof SERIAL_STATS)[number];

/** Longest the pacer may lag behind schedule and still catch up (real clocks fire late). */
const PACE_CATCH_UP_MS = 20;
/** Line time written per port write when pacing; bounds burstiness. */
const PACE_SLICE_MS = 2;

/**
 * Most bytes in one unpaced port write: a turn's frames go out together
 * (one system call instead of one per frame), but a burst of a megabyte is
 * cut into writes of whole frames up to this size, so no single write sits
 * in the binding's queue for long while the other direction waits its turn.
 */
export const MAX_BATCH_BYTES = 64 * 1024;

/** How often an open tty's device node is checked for presence. */
const PRESENCE_CHECK_MS = 1000;

/**
 * One end of a serial link. Counters: framesOut/bytesOut (frames accepted by
 * send), lineBytesOut (SLIP bytes handed to the port), framesIn/bytesIn
 * (good frames delivered), lineBytesIn, dropBadFcs, dropSlipEscape,
 * dropOversize, dropRunt, dropOversizeOut (send of a too-long frame),
 * dropDown, dropClosed, portErrors (errors the port reported), lineMs
 * (accounted line time when pacing).
 */
export class SerialLink implements LinkEnd {
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onDown: ((reason: string) => void) | null = null;
  readonly path: string;
  readonly baudRate: number;

  private readonly port: SerialPortStream;
  private readonly decoder: SlipDecoder;
  private readonly counters: Record<SerialStatName, number> = zeroStats(...SERIAL_STATS);
  private readonly maxFrame: number;
  private readonly clock: Clock | null;
  private state: "opening" | "open" | "down" | "closed" = "opening";
  private presenceTimer: ReturnType<typeof setInterval> | null = null;
  private downReason = "";
  private openWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  // Pacing: SLIP bytes waiting for the line, and when the line is next free.
  private queue: Uint8Array[] = [];
  private queueHead = 0;
  private queued = 0;
  private lineFreeAt = 0;
  private pumpTimer: TimerHandle | null = null;
  // Unpaced: SLIP frames gathered this turn, written together (flushBatch).
  private batch: Uint8Array[] = [];
  private readonly bytesPerMs: number;
  private readonly sliceBytes: number;

  constructor(opts: SerialLinkOptions) {
    this.path = opts.path;
    this.baudRate = opts.baudRate ?? 115200;
    this.maxFrame = opts.maxFrame ?? MAX_WIRE_FRAME;
    this.clock = opts.pace ? (opts.clock ?? new RealClock()) : null;
    this.bytesPerMs = this.baudRate / 10 / 1000;
    this.sliceBytes = Math.max(1, Math.floor(this.bytesPerMs * PACE_SLICE_MS));
    this.decoder = new SlipDecoder(this.maxFrame);
    this.decoder.onPacket = (p) => this.receivePacket(p);
    this.decoder.onError = (why) => {
      if (why === "escape") this.counters.dropSlipEscape++;
      else this.counters.dropOversize++;
    };
    this.port = new SerialPortStream(
      { binding: (opts.binding ?? mendedBinding()) as StreamBinding, path: opts.path, baudRate: this.baudRate, autoOpen: false },
    );
    this.port.on("data", (chunk: Buffer) => {
      this.counters.lineBytesIn += chunk.length;
      this.decoder.push(chunk);
    });
    // Without an 'error' listener a failed write would crash the process.
    this.port.on("error", (err: Error & { code?: string; disconnect?: boolean }) => {
      this.counters.portErrors++;
      if (this.state === "opening") this.goDown(`cannot open ${this.path}: ${err.message}`);
      // A tty that vanished fails its reads with EIO (a pty whose other side
      // closed) or ENXIO/EBADF; the binding flags only some of these as a
      // disconnect, and whether its poller's hang-up or the failed read comes
      // first is a race. Either way the device is gone.
      else if (err.disconnect || err.code === "EIO" || err.code === "ENXIO" || err.code === "EBADF") {
        this.goDown(`${this.path} disconnected: ${err.message}`);
      }
    });
    this.port.on("close", (err?: Error & { disconnected?: boolean }) => {
      if (err?.disconnected) this.goDown(`${this.path} disconnected: ${err.message}`);
    });
    this.port.open((err) => {
      if (err) { this.goDown(`cannot open ${this.path}: ${err.message}`); return; }
      if (this.state !== "opening") return;
      this.state = "open";
      this.watchPresence();
      for (const w of this.openWaiters) w.resolve();
      this.openWaiters = [];
    });
  }

  /** Resolves once the port is open; rejects if it failed or went away first. */
  opened(): Promise<void> {
    if (this.state === "open") return Promise.resolve();
    if (this.state !== "opening") return Promise.reject(new Error(this.downReason || `${this.path} is closed`));
    return new Promise((resolve, reject) => this.openWaiters.push({ resolve, reject }));
  }

  /** True while the device is usable (opening or open). */
  get isUp(): boolean { return this.state === "opening" || this.state === "open"; }

  send(frame: Uint8Array): void {
    if (this.state === "closed") { this.counters.dropClosed++; return; }
    if (this.state === "down") { this.counters.dropDown++; return; }
    if (frame.length > this.maxFrame) { this.counters.dropOversizeOut++; return; }
    const line = slipEncode(frame);
    this.counters.framesOut++;
    this.counters.bytesOut += frame.length;
    if (!this.clock) {
      if (this.batch.push(line) === 1) queueMicrotask(() => this.flushBatch());
      return;
    }
    this.queue.push(line);
    this.queued += line.length;
    if (this.pumpTimer === null) {
      const now = this.clock.now();
      // An idle line earns no credit: metering restarts from now.
      if (this.lineFreeAt < now) this.lineFreeAt = now;
      this.pumpTimer = this.clock.at(this.lineFreeAt, () => this.pump());
    }
  }

  /** SLIP bytes waiting to be metered onto the line. */
  get backlogBytes(): number { return this.queued; }

  /** Accounted time at which the bytes queued so far will have left the line (pacing only). */
  lineIdleAt(): number { return this.lineFreeAt + this.queued / this.bytesPerMs; }

  /** Resolves when everything sent so far has been handed to the OS (or the link is down). */
  async flush(): Promise<void> {
    while (this.queued > 0 && this.isUp) await new Promise((r) => setTimeout(r, 1));
    if (this.state !== "open") return;
    await new Promise<void>((resolve) => this.port.drain(() => resolve()));
  }

  close(): void {
    if (this.state === "closed") return;
    const wasOpen = this.port.isOpen;
    this.flushBatch();
    this.state = "closed";
    this.stopWatching();
    this.stopPacing();
    for (const w of this.openWaiters) w.reject(new Error(`${this.path} closed`));
    this.openWaiters = [];
    if (wasOpen) this.port.close(() => {});
    else this.port.once("open", () => this.port.close(() => {}));
  }

  stats(): LinkStats { return { ...this.counters }; }

  private pump(): void {
    this.pumpTimer = null;
    if (!this.clock || this.queued === 0 || !this.isUp) return;
    const now = this.clock.now();
    // A late timer (real time) may catch up a little; a long stall may not burst.
    if (this.lineFreeAt < now - PACE_CATCH_UP_MS) this.lineFreeAt = now - PACE_CATCH_UP_MS;
    const n = Math.min(this.sliceBytes, this.queued);
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const head = this.queue[0];
      const take = Math.min(n - o, head.length - this.queueHead);
      out.set(head.subarray(this.queueHead, this.queueHead + take), o);
      o += take;
      this.queueHead += take;
      if (this.queueHead === head.length) { this.queue.shift(); this.queueHead = 0; }
    }
    this.queued -= n;
    const ms = n / this.bytesPerMs;
    this.lineFreeAt += ms;
    this.counters.lineMs += ms;
    this.writeLine(out);
    if (this.queued > 0) this.pumpTimer = this.clock.at(this.lineFreeAt, () => this.pump());
  }

  /** The frames sent this turn, in as few port writes of at most MAX_BATCH_BYTES (whole frames) as they fit. */
  private flushBatch(): void {
    const b = this.batch;
    if (b.length === 0) return;
    this.batch = [];
    if (!this.isUp) return;
    let from = 0, bytes = 0;
    for (let i = 0; i <= b.length; i++) {
      if (i < b.length && (i === from || bytes + b[i].length <= MAX_BATCH_BYTES)) { bytes += b[i].length; continue; }
      this.writeLine(i - from === 1 ? b[from] : Buffer.concat(b.slice(from, i)));
      from = i;
      bytes = i < b.length ? b[i].length : 0;
    }
  }

  private writeLine(bytes: Uint8Array): void {
    this.counters.lineBytesOut += bytes.length;
    this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  }

  private receivePacket(p: Uint8Array): void {
    if (this.state === "closed") return;
    if (p.length < MIN_WIRE_FRAME) { this.counters.dropRunt++; return; }
    if (!fcsValid(p)) { this.counters.dropBadFcs++; return; }
    this.counters.framesIn++;
    this.counters.bytesIn += p.length;
    this.onFrame?.(p);
  }

  private stopPacing(): void {
    if (this.pumpTimer !== null && this.clock) this.clock.cancel(this.pumpTimer);
    this.pumpTimer = null;
    this.queue = [];
    this.queueHead = 0;
    this.queued = 0;
  }

  /**
   * A tty device node that disappears (a pty whose other side exited, a USB
   * adapter unplugged) is gone even when the binding's hang-up detection
   * misses it, which it does when no read or write is in flight: check the
   * node once a second. Ports of the mock binding have no node and are not
   * watched.
   */
  private watchPresence(): void {
    if (!this.path.startsWith("/") || !existsSync(this.path)) return;
    this.presenceTimer = setInterval(() => {
      if (!existsSync(this.path)) this.goDown(`${this.path} disconnected: the device node is gone`);
    }, PRESENCE_CHECK_MS);
    this.presenceTimer.unref();
  }

  private stopWatching(): void {
    if (this.presenceTimer !== null) clearInterval(this.presenceTimer);
    this.presenceTimer = null;
  }

  private goDown(reason: string): void {
    if (this.state === "down" || this.state === "closed") return;
    this.state = "down";
    this.stopWatching();
    this.batch = [];
    this.downReason = reason;
    this.stopPacing();
    for (const w of this.openWaiters) w.reject(new Error(reason));
    this.openWaiters = [];
    this.onDown?.(reason);
  }
}

/**
 * Two SerialLinks joined back to back on the mock binding: what one writes,
 * the other reads, through the same SLIP and FCS code as a real tty. This is
 * the in-process serial pair (no socat, no OS ports needed).
 */
export interface MockSerialPair {
  a: SerialLink;
  b: SerialLink;
  /** Make one side's device vanish, as if its USB adapter were pulled. */
  unplug(side: "a" | "b"): void;
  /** Inject raw line bytes (noise, hand-made SLIP) into one side's receiver. */
  inject(side: "a" | "b", bytes: Uint8Array): void;
}

interface CrossPort {
  port: MockPort | null;
  pending: Buffer[];
  peer: string;
  unplug: () => void;
  unplugged: Promise<never>;
}

let mockPairCounter = 0;
const crossPorts = new Map<string, CrossPort>();

function deliverTo(path: string, data: Buffer): void {
  const cp = crossPorts.get(path);
  if (!cp) return;
  if (cp.port?.isOpen) cp.port.emitData(data);
  else if (!cp.port) cp.pending.push(Buffer.from(data));
}

/**
 * A binding over MockBinding whose writes land on the peer port's read side,
 * and whose reads fail with a disconnect once the port is "unplugged".
 */
const crossBinding: SerialBinding = {
  list: () => SerialPortMock.binding.list(),
  async open(options: { path: string; baudRate: number }) {
    const inner = (await SerialPortMock.binding.open(options)) as MockPort;
    const cp = crossPorts.get(options.path);
    if (!cp) return inner;
    const write = inner.write.bind(inner);
    const read = inner.read.bind(inner);
    inner.write = async (buf: Buffer) => { await write(buf); deliverTo(cp.peer, buf); };
    inner.read = (buf: Buffer, off: number, len: number) => Promise.race([read(buf, off, len), cp.unplugged]);
    cp.port = inner;
    for (const d of cp.pending) inner.emitData(d);
    cp.pending = [];
    return inner;
  },
};

/** A back-to-back pair of serial links on the mock binding (see MockSerialPair). */
export function createMockSerialPair(opts: Omit<SerialLinkOptions, "path" | "binding"> = {}): MockSerialPair {
  const n = ++mockPairCounter;
  const paths = { a: `/dev/embertcp-mock-${n}a`, b: `/dev/embertcp-mock-${n}b` };
  for (const side of ["a", "b"] as const) {
    const path = paths[side];
    let fail!: (e: Error) => void;
    const unplugged = new Promise<never>((_, reject) => { fail = reject; });
    // Nobody awaits this promise until a read races it; keep Node quiet before that.
    unplugged.catch(() => {});
    SerialPortMock.binding.createPort(path);
    crossPorts.set(path, {
      port: null, pending: [], peer: paths[side === "a" ? "b" : "a"], unplugged,
      unplug: () => fail(new Error("device unplugged")),
    });
  }
  const a = new SerialLink({ ...opts, path: paths.a, binding: crossBinding });
  const b = new SerialLink({ ...opts, path: paths.b, binding: crossBinding });
  return {
    a, b,
    unplug: (side) => crossPorts.get(paths[side])?.unplug(),
    inject: (side, bytes) => deliverTo(paths[side], Buffer.from(bytes)),
  };
}
