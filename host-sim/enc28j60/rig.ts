/**
 * A driver rig: the ENC28J60 driver compiled to wasm (bench/as/
 * enc28j60-entry.ts exports), its HAL wired to a chip model, on a virtual
 * clock. After every call into the wasm the SPI time the call spent is
 * moved onto the clock, so wire events and busy bits advance as they would
 * on a board whose CPU waits for its SPI peripheral.
 */

import { VirtualClock } from "../clock.js";
import { appendFcs } from "../crc32.js";
import { Enc28j60, type Enc28j60Options } from "./chip.js";

/** Exports of the driver test entry. */
export interface DriverExports {
  memory: WebAssembly.Memory;
  buffer(): number;
  init(mac: number, fullDuplex: number): number;
  service(nowMs: number): number;
  receive(ptr: number, max: number): number;
  transmit(ptr: number, len: number): number;
  nextDeadline(): number;
  linkUp(): number;
  encStat(i: number): number;
  ringAdd(p: number, n: number): number;
  nextExpected(p: number, count: number): number;
  readPtrFor(next: number): number;
  ptrValid(p: number): number;
}

/** The "ENC28J60 driver" counters of assembly/stats.ts, in order. */
export const ENC_STATS = [
  "ENC_RX_FRAMES", "ENC_TX_FRAMES", "ENC_RX_DROP", "ENC_RX_OVERFLOWS", "ENC_RX_RESETS",
  "ENC_TX_ERRORS", "ENC_TX_RETRIES", "ENC_CHIP_RESETS", "ENC_LINK_CHANGES", "ENC_LINK_UP",
] as const;
export type EncStat = (typeof ENC_STATS)[number];

export const DEFAULT_MAC = Uint8Array.of(0x02, 0x00, 0x5e, 0x10, 0x20, 0x30);

export interface RigOptions extends Omit<Enc28j60Options, "clock"> {
  clock?: VirtualClock;
}

export class DriverRig {
  readonly clock: VirtualClock;
  readonly chip: Enc28j60;
  readonly x: DriverExports;
  /** Every frame the chip put on the wire (with FCS). */
  readonly sent: Uint8Array[] = [];
  /** When each of `sent` finished on the wire (model time, ms). */
  readonly sentAt: number[] = [];
  /** Lines the module logged through hal.log (abort messages). */
  readonly logLines: string[] = [];

  constructor(module: WebAssembly.Module, opts: RigOptions = {}) {
    this.clock = opts.clock ?? new VirtualClock();
    this.chip = new Enc28j60({ ...opts, clock: this.clock });
    this.chip.onWireTransmit = (f) => { this.sent.push(f); this.sentAt.push(this.chip.lastTxEndMs); };
    let memory: WebAssembly.Memory | undefined;
    const hal = {
      spi_select: (a: number) => this.chip.select(a !== 0),
      spi_transfer: (ptr: number, len: number) => this.chip.transfer(new Uint8Array(memory!.buffer, ptr, len)),
      frame_out: () => {},
      entropy: () => 0x12345678,
      log: (_level: number, ptr: number, len: number) => {
        this.logLines.push(Buffer.from(new Uint8Array(memory!.buffer, ptr, len)).toString("utf16le"));
      },
    };
    const inst = new WebAssembly.Instance(module, { hal });
    this.x = inst.exports as unknown as DriverExports;
    memory = this.x.memory;
  }

  /** Move the SPI time of the last call onto the clock (running due events). */
  private sync<T>(v: T): T {
    this.clock.advance(this.chip.takeSpiTime());
    return v;
  }

  /** Whole milliseconds, as net_poll would pass them. */
  nowMs(): number { return Math.floor(this.clock.now()); }

  get buf(): number { return this.x.buffer(); }

  bytes(ptr: number, len: number): Uint8Array { return new Uint8Array(this.x.memory.buffer, ptr, len); }

  init(fullDuplex = false, mac: Uint8Array = DEFAULT_MAC): number {
    this.bytes(this.buf, 6).set(mac);
    return this.sync(this.x.init(this.buf, fullDuplex ? 1 : 0));
  }

  service(): number { return this.sync(this.x.service(this.nowMs())); }

  /** init, time and wait out the post-reset delay, finish init; throws if it fails. */
  up(fullDuplex = false, mac: Uint8Array = DEFAULT_MAC): this {
    const r = this.init(fullDuplex, mac);
    if (r !== 0) throw new Error(`encInit returned ${r}`);
    // The first service starts timing the post-reset wait (encInit runs
    // outside net_poll, with no trustworthy clock); a later one finishes init.
    const first = this.service();
    if (first !== 0) throw new Error(`encService returned ${first}`);
    this.advance(2);
    const s = this.service();
    if (s !== 0) throw new Error(`encService returned ${s}`);
    return this;
  }

  advance(ms: number): void { this.clock.advance(ms); }

  /** The next frame the driver hands up (no FCS), or null. */
  receive(max = 1536): Uint8Array | null {
    const n = this.sync(this.x.receive(this.buf, max));
    return n > 0 ? this.bytes(this.buf, n).slice() : null;
  }

  transmit(frame: Uint8Array): number {
    this.bytes(this.buf, frame.length).set(frame);
    return this.sync(this.x.transmit(this.buf, frame.length));
  }

  /** A frame arriving from the cable; `frame` is without FCS unless withFcs. */
  wire(frame: Uint8Array, withFcs = false): void {
    this.chip.wireReceive(withFcs ? frame : appendFcs(frame));
  }

  /** Let the wire deliver everything queued so far. */
  drainWire(): void {
    const idle = this.chip.rxWireIdleAt;
    if (idle > this.clock.now()) this.clock.advanceTo(idle);
  }

  stat(name: EncStat): number { return this.x.encStat(ENC_STATS.indexOf(name)); }
}
