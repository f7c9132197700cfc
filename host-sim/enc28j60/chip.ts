/**
 * A register-level model of the Microchip ENC28J60 (DS39662E) including the
 * silicon errata that drivers must work around (DS80349C).
 *
 * What is modelled:
 * - SPI (§4.2): the seven opcodes as a byte-at-a-time state machine framed by
 *   chip select, so one transaction may be split over several transfer()
 *   calls; RCR of a MAC/MII register shifts out a dummy byte first; BFS/BFC
 *   act on ETH registers only; SRC takes effect when CS rises.
 * - Registers (§3.1): four banks plus the common 1Bh..1Fh, reset values,
 *   read-only and self-clearing bits, the ERXRDPTL latch, 13-bit pointers.
 * - The 8 KB buffer (§3.2): receive ring with hardware wrap at ERXND, RBM
 *   wrap at ERXND, WBM wrap at 1FFFh, the write stopping before ERXRDPT.
 * - Receive (§7.2): filters and CRC check, 6-byte header with the status
 *   vector, even packet starts, EPKTCNT (max 255) and PKTDEC, RXERIF.
 * - Transmit (§7.1): control byte, padding and CRC, MAMXFL, 7-byte TSV at
 *   ETXND + 1, TXRTS/TXIF/TXERIF/ESTAT.TXABRT, TXRST.
 * - MII/PHY (§3.3): nine PHY registers, MISTAT.BUSY for 10.24 µs,
 *   link changes with PHIR/LINKIF, latching LLSTAT.
 * - Interrupts (§12): EIR & EIE with INTIE drive the INT pin (active low;
 *   onInterrupt(true) means the pin is driven low).
 * - DMA copy and checksum (§13), instant.
 * - Timing: each SPI byte costs 8 / spiHz; 10BASE-T frames take
 *   (8 + max(64, len)) * 0.8 µs plus a 12-byte gap on either direction of the
 *   wire. Model time is clock.now() plus SPI time not yet taken by the board
 *   (takeSpiTime), so a driver polling a busy bit sees it clear.
 * - Errata behaviour, each behind a fault switch that defaults to what the
 *   silicon does: #2 (not ready for 1 ms after SRC while CLKRDY reads 1),
 *   #5 (writing ERXST/ERXND loads 0000h into the write pointer),
 *   #6 (EIR.PKTIF reads 0), #12 (after a half-duplex abort the next TXRTS
 *   sticks until TXRST), #13 (injected late collisions), #14 (an even
 *   ERXRDPT corrupts the next-packet pointer of packets written meanwhile).
 *
 * Assumptions where the data sheet is silent: RXRST clears EPKTCNT and
 * returns the write pointer to ERXST; a frame longer than MAMXFL is still
 * received (the driver checks the byte count); the dummy byte of a MAC/MII
 * read is pseudo-random; registers read 00h for 1 ms after SRC. Not
 * modelled: MIISCAN (MIRD is not refreshed), power-save timing, magic packets,
 * real collisions (only the injected ones), DMA timing.
 */

import type { Clock, TimerHandle } from "../clock.js";
import { crc32, fcsValid } from "../crc32.js";
import { internetChecksum } from "../wire/checksum.js";
import {
  EIE, EIR, ESTAT, ECON2, ECON1, B0, B1, B2, B3, IMPLEMENTED, isMacMii, RESET_VALUES,
  EIR_BITS, ESTAT_BITS, ECON2_BITS, ECON1_BITS, ERXFCON_BITS, MACON1_BITS, MACON3_BITS,
  MICMD_BITS, MISTAT_BITS, PHY, PHY_RESET, PHCON1_BITS, PHSTAT1_BITS, PHSTAT2_BITS,
  PHIE_BITS, PHIR_BITS, OP,
} from "./regs.js";

export const BUFFER_SIZE = 8192;
/** Wire time of one byte at 10 Mb/s, in ms. */
export const WIRE_BYTE_MS = 0.0008;
/** MII transaction time (§3.3.1), in ms. */
export const MII_BUSY_MS = 0.01024;
/** Time after SRC before the chip may be used (DS80349 issue 2), in ms. */
export const RESET_READY_MS = 1;

/** Wire time of a frame (with FCS) including preamble/SFD and the inter-frame gap, ms. */
export function wireTimeMs(frameWithFcsLen: number): number {
  return (8 + Math.max(64, frameWithFcsLen) + 12) * WIRE_BYTE_MS;
}

export interface Enc28j60Options {
  clock: Clock;
  /** SPI clock in Hz (default 20 MHz, the DS maximum). */
  spiHz?: number;
  /** EREVID (default 06h, silicon B7). */
  revision?: number;
  /** Link state at power-on (default up). */
  link?: boolean;
  /** LEDB strap: PHCON1.PDPXMD at reset (default half duplex). */
  fullDuplexStrap?: boolean;
  /** Seed for the pseudo-random dummy bytes. */
  seed?: number;
}

/** Errata and failure switches; defaults reproduce the silicon. */
export interface Enc28j60Faults {
  /** #2: CLKRDY reads 1 during the 1 ms after SRC (the chip is not ready). */
  clkrdyEarly: boolean;
  /** #5: writing ERXST/ERXND loads 0000h into ERXWRPT instead of ERXST. */
  erxwrptZero: boolean;
  /** #6: EIR.PKTIF reads 0 even with packets pending (the interrupt still fires). */
  pktifUnreliable: boolean;
  /** #12: after a half-duplex transmit abort, the next TXRTS never clears until TXRST. */
  txStallAfterAbort: boolean;
  /** #13: the next n half-duplex transmissions end in a late-collision abort. */
  lateCollisions: number;
  /** The next n half-duplex transmissions abort for excessive collisions. */
  excessiveCollisions: number;
  /** #14: packets written while ERXRDPT is even get a corrupt next-packet pointer. */
  evenRxrdptCorrupts: boolean;
  /** The next n packets written to the ring get a corrupt next-packet pointer. */
  corruptNextPointer: number;
  /** The next n TXRTS requests stick whatever the host did before (a wedge of
   * unknown cause, as RIOT#9044 reports even with the DS80349 issue 12 work-around). */
  txStall: number;
  /** The next n frames that pass the filters find the receive ring full
   * (§7.2.4: dropped, EIR.RXERIF set), as a burst the host did not drain in time. */
  rxOverflow: number;
  /** The chip does not answer: MISO reads this value (00h or FFh). */
  miso: number | null;
}

/** Things the model counts, for tests and benches. */
export interface Enc28j60Counters {
  spiBytes: number;
  spiTransactions: number;
  rxFrames: number;
  rxFiltered: number;
  rxCrcDropped: number;
  rxOverflows: number;
  rxNoLink: number;
  rxDisabled: number;
  txFrames: number;
  txAborts: number;
  txStalls: number;
  /** BFS/BFC on a MAC/MII register or one the chip lacks (ignored, §4.2.5). */
  bitOpOnMacMii: number;
  /** RCR of a MAC/MII register ended before the data byte (got the dummy). */
  macReadWithoutDummy: number;
  /** Accesses within 1 ms of SRC (DS80349 issue 2). */
  accessWhileNotReady: number;
  /** ERXRDPT set to an even value (DS80349 issue 14). */
  evenRxrdpt: number;
  /** ERXST/ERXND written while RXEN = 1 (ignored, §6.1). */
  ringWriteWhileRxen: number;
  /** MII command or MIWRH write while MISTAT.BUSY (ignored, §3.3). */
  miiWhileBusy: number;
  /** Writes to read-only registers or bits. */
  readOnlyWrites: number;
  /** Unknown opcodes. */
  badOpcodes: number;
}

type SpiState =
  | { kind: "opcode" }
  | { kind: "rcr"; bank: number; addr: number; n: number }
  | { kind: "wcr"; bank: number; addr: number; done: boolean }
  | { kind: "bfs" | "bfc"; bank: number; addr: number; done: boolean }
  | { kind: "rbm" }
  | { kind: "wbm" }
  | { kind: "src" }
  | { kind: "ignore" };

interface Pending { at: number; seq: number; run: () => void }

export class Enc28j60 {
  readonly clock: Clock;
  spiHz: number;
  readonly revision: number;
  /** The 8 KB buffer memory. */
  readonly mem = new Uint8Array(BUFFER_SIZE);
  /** Frames the chip puts on the wire (with FCS). */
  onWireTransmit: (frameWithFcs: Uint8Array) => void = () => {};
  /** INT pin: true = asserted (driven low). Called on every change. */
  onInterrupt: (asserted: boolean) => void = () => {};
  readonly faults: Enc28j60Faults = {
    clkrdyEarly: true, erxwrptZero: true, pktifUnreliable: false, txStallAfterAbort: true,
    lateCollisions: 0, excessiveCollisions: 0, evenRxrdptCorrupts: true, corruptNextPointer: 0, txStall: 0, rxOverflow: 0, miso: null,
  };
  readonly counters: Enc28j60Counters = {
    spiBytes: 0, spiTransactions: 0, rxFrames: 0, rxFiltered: 0, rxCrcDropped: 0, rxOverflows: 0,
    rxNoLink: 0, rxDisabled: 0, txFrames: 0, txAborts: 0, txStalls: 0, bitOpOnMacMii: 0,
    macReadWithoutDummy: 0, accessWhileNotReady: 0, evenRxrdpt: 0, ringWriteWhileRxen: 0,
    miiWhileBusy: 0, readOnlyWrites: 0, badOpcodes: 0,
  };
  /** Total SPI time ever spent, ms. */
  spiTimeMs = 0;
  /** Model time at which the last transmission left the wire (end of its last bit). */
  lastTxEndMs = 0;

  private banks = [new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)];
  private common = new Uint8Array(5);
  private phy = new Uint16Array(32);
  private rxrdptLatch = 0;
  private selected = false;
  private spi: SpiState = { kind: "opcode" };
  private spiDebtMs = 0;
  /**
   * The clock's time for the transfer in progress, undefined between
   * transfers: one SPI transfer happens at one instant of model time. Under
   * RealClock the clock moves while the model works, and a read-modify-write
   * (BFS/BFC) that caught up with it before its read and again before its
   * write could see a transmission end in between and write the old ECON1
   * back, raising TXRTS again: the frame sent twice.
   */
  private transferAt: number | undefined = undefined;
  private readyAt = 0;
  private linkState: boolean;
  private llstat = false;
  private miiBusyUntil = -1;
  private miiOp: (() => void) | null = null;
  private rxWireFreeAt = 0;
  private txWireFreeAt = 0;
  private tx: { end: number; event: Pending } | null = null;
  private txStalled = false;
  private txStallArmed = false;
  private rxDroppedSinceLast = false;
  private events: Pending[] = [];
  private eventSeq = 0;
  private timers = new Map<Pending, TimerHandle>();
  private intAsserted = false;
  private rng: number;
  private readonly fullDuplexStrap: boolean;

  constructor(opts: Enc28j60Options) {
    this.clock = opts.clock;
    this.spiHz = opts.spiHz ?? 20e6;
    this.revision = opts.revision ?? 0x06;
    this.linkState = opts.link ?? true;
    this.fullDuplexStrap = opts.fullDuplexStrap ?? false;
    this.rng = (opts.seed ?? 0x2545f491) >>> 0 || 1;
    this.resetRegisters();
    this.readyAt = 0;
    this.llstat = this.linkState;
  }

  // ---- time ---------------------------------------------------------------

  /** Model time: the clock plus SPI time the board has not yet taken. */
  now(): number { return (this.transferAt ?? this.clock.now()) + this.spiDebtMs; }

  /** SPI time accumulated since the last call; a board advances its clock by it. */
  takeSpiTime(): number {
    const d = this.spiDebtMs;
    this.spiDebtMs = 0;
    return d;
  }

  private schedule(at: number, run: () => void): Pending {
    const p: Pending = { at, seq: ++this.eventSeq, run };
    this.events.push(p);
    this.timers.set(p, this.clock.at(at, () => this.settle()));
    return p;
  }

  private unschedule(p: Pending): void {
    const i = this.events.indexOf(p);
    if (i >= 0) this.events.splice(i, 1);
    const h = this.timers.get(p);
    if (h !== undefined) { this.clock.cancel(h); this.timers.delete(p); }
  }

  /** Run every event due by model time, in order. */
  settle(): void {
    for (;;) {
      const t = this.now();
      let best: Pending | undefined;
      for (const e of this.events) if (e.at <= t && (!best || e.at < best.at || (e.at === best.at && e.seq < best.seq))) best = e;
      if (!best) break;
      this.unschedule(best);
      best.run();
    }
    if (this.miiOp && this.now() >= this.miiBusyUntil) {
      const op = this.miiOp;
      this.miiOp = null;
      op();
    }
  }

  // ---- SPI ----------------------------------------------------------------

  /** Chip select: true = CS low (a transaction begins), false = CS high (it ends). */
  select(active: boolean): void {
    if (active === this.selected) return;
    this.selected = active;
    if (active) {
      this.spi = { kind: "opcode" };
      this.counters.spiTransactions++;
      return;
    }
    const s = this.spi;
    if (s.kind === "rcr" && s.n === 1 && isMacMii(s.bank, s.addr)) this.counters.macReadWithoutDummy++;
    if (s.kind === "src" && this.faults.miso === null && !this.powerSaving()) this.systemReset();
    this.spi = { kind: "opcode" };
  }

  /** Full-duplex transfer: each byte sent is replaced by the byte read. */
  transfer(bytes: Uint8Array): void {
    const dt = (bytes.length * 8 * 1000) / this.spiHz;
    this.spiDebtMs += dt;
    this.spiTimeMs += dt;
    this.counters.spiBytes += bytes.length;
    if (!this.selected) { bytes.fill(0xff); return; } // SO is high-impedance
    this.transferAt = this.clock.now();
    try {
      for (let i = 0; i < bytes.length; i++) {
        const out = this.faults.miso !== null ? this.faults.miso : this.clockByte(bytes[i]);
        bytes[i] = out & 0xff;
      }
    } finally {
      this.transferAt = undefined;
    }
  }

  private notReady(): boolean {
    if (this.now() >= this.readyAt) return false;
    this.counters.accessWhileNotReady++;
    return true;
  }

  private powerSaving(): boolean {
    // DS80349 issue 19: SRC is ignored while ECON2.PWRSV is set.
    return (this.common[ECON2 - EIE] & ECON2_BITS.PWRSV) !== 0;
  }

  private clockByte(b: number): number {
    const s = this.spi;
    switch (s.kind) {
      case "opcode": {
        const op = b >> 5, arg = b & 0x1f, bank = this.bank();
        if (op === OP.RCR) this.spi = { kind: "rcr", bank, addr: arg, n: 0 };
        else if (op === OP.WCR) this.spi = { kind: "wcr", bank, addr: arg, done: false };
        else if (op === OP.BFS) this.spi = { kind: "bfs", bank, addr: arg, done: false };
        else if (op === OP.BFC) this.spi = { kind: "bfc", bank, addr: arg, done: false };
        else if (op === OP.RBM && arg === 0x1a) this.spi = { kind: "rbm" };
        else if (op === OP.WBM && arg === 0x1a) this.spi = { kind: "wbm" };
        else if (b === 0xff) this.spi = { kind: "src" };
        else { this.counters.badOpcodes++; this.spi = { kind: "ignore" }; }
        return 0;
      }
      case "rcr": {
        s.n++;
        if (this.notReady()) return s.addr === ESTAT && this.faults.clkrdyEarly ? ESTAT_BITS.CLKRDY : 0;
        const mac = isMacMii(s.bank, s.addr);
        // §4.2.1: a MAC/MII read shifts out one meaningless byte first.
        if (mac && s.n === 1) return this.random();
        if (s.n === (mac ? 2 : 1)) return this.readReg(s.bank, s.addr);
        return 0;
      }
      case "wcr":
        if (!s.done) { s.done = true; if (!this.notReady()) this.writeReg(s.bank, s.addr, b); }
        return 0;
      case "bfs":
      case "bfc":
        if (!s.done) {
          s.done = true;
          if (this.notReady()) return 0;
          // §4.2.5: BFS/BFC only work on ETH registers.
          if (isMacMii(s.bank, s.addr) || (s.addr < 0x1b && !IMPLEMENTED[s.bank].has(s.addr))) {
            this.counters.bitOpOnMacMii++;
            return 0;
          }
          this.settle(); // read-modify-write on the current value, not a stale one
          const cur = this.rawEth(s.bank, s.addr);
          this.writeReg(s.bank, s.addr, s.kind === "bfs" ? cur | b : cur & ~b, s.kind === "bfs" ? b : 0, s.kind === "bfc" ? b : 0);
        }
        return 0;
      case "rbm": {
        if (this.notReady()) return 0;
        const p = this.ptr(0, B0.ERDPT);
        const v = this.mem[p];
        if (this.autoinc()) this.setPtr(0, B0.ERDPT, this.rbmNext(p));
        return v;
      }
      case "wbm": {
        if (this.notReady()) return 0;
        const p = this.ptr(0, B0.EWRPT);
        this.mem[p] = b;
        if (this.autoinc()) this.setPtr(0, B0.EWRPT, (p + 1) & 0x1fff);
        return 0;
      }
      default:
        return 0;
    }
  }

  private random(): number {
    let x = this.rng;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.rng = x;
    return x & 0xff;
  }

  // ---- registers ----------------------------------------------------------

  private bank(): number { return this.common[ECON1 - EIE] & ECON1_BITS.BSEL; }
  private autoinc(): boolean { return (this.common[ECON2 - EIE] & ECON2_BITS.AUTOINC) !== 0; }
  private c(reg: number): number { return this.common[reg - EIE]; }
  private setC(reg: number, v: number): void { this.common[reg - EIE] = v & 0xff; this.updateInt(); }

  private ptr(bank: number, addrL: number): number {
    return this.banks[bank][addrL] | ((this.banks[bank][addrL + 1] & 0x1f) << 8);
  }

  private setPtr(bank: number, addrL: number, v: number): void {
    this.banks[bank][addrL] = v & 0xff;
    this.banks[bank][addrL + 1] = (v >> 8) & 0x1f;
  }

  private rawEth(bank: number, addr: number): number {
    return addr >= 0x1b ? this.common[addr - EIE] : this.banks[bank][addr];
  }

  /** RBM auto-increment (§4.2.2): ERXND wraps to ERXST, 1FFFh to 0000h. */
  private rbmNext(p: number): number {
    if (p === this.ptr(0, B0.ERXND)) return this.ptr(0, B0.ERXST);
    return (p + 1) & 0x1fff;
  }

  private resetRegisters(): void {
    for (const b of this.banks) b.fill(0);
    for (const [bank, addr, v] of RESET_VALUES) this.banks[bank][addr] = v;
    this.banks[3][B3.EREVID] = this.revision;
    this.common.fill(0);
    this.common[ECON2 - EIE] = ECON2_BITS.AUTOINC;
    this.rxrdptLatch = this.banks[0][B0.ERXRDPT];
    this.phy.fill(0);
    for (const [a, v] of PHY_RESET) this.phy[a] = v;
    if (this.fullDuplexStrap) this.phy[PHY.PHCON1] = PHCON1_BITS.PDPXMD;
    this.miiOp = null;
    this.miiBusyUntil = -1;
    this.rxDroppedSinceLast = false;
    this.txStalled = false;
    this.txStallArmed = false;
    if (this.tx) { this.unschedule(this.tx.event); this.tx = null; }
    this.intAsserted = false;
    this.updateInt();
  }

  /** SRC (§11.2): registers to their reset values; buffer memory is kept. */
  private systemReset(): void {
    this.resetRegisters();
    this.readyAt = this.now() + RESET_READY_MS;
  }

  private readReg(bank: number, addr: number): number {
    this.settle();
    if (addr >= 0x1b) {
      if (addr === EIR) {
        let v = this.c(EIR);
        if (this.faults.pktifUnreliable) v &= ~EIR_BITS.PKTIF;
        return v;
      }
      if (addr === ESTAT) return this.c(ESTAT) | (this.intAsserted ? ESTAT_BITS.INT : 0) | ESTAT_BITS.CLKRDY;
      return this.c(addr);
    }
    if (!IMPLEMENTED[bank].has(addr)) return 0;
    if (bank === 3 && addr === B3.MISTAT) {
      return (this.banks[3][B3.MISTAT] & ~MISTAT_BITS.BUSY) | (this.miiOp ? MISTAT_BITS.BUSY : 0);
    }
    return this.banks[bank][addr];
  }

  /** A host write (WCR, or BFS/BFC with the bits they set/clear). */
  private writeReg(bank: number, addr: number, v: number, setMask = 0xff, clrMask = 0xff): void {
    this.settle();
    v &= 0xff;
    if (addr >= 0x1b) { this.writeCommon(addr, v, setMask, clrMask); return; }
    if (!IMPLEMENTED[bank].has(addr)) return;
    const r = this.banks[bank];
    if (bank === 0) {
      if (addr === B0.ERXWRPT || addr === B0.ERXWRPT + 1) { this.counters.readOnlyWrites++; return; }
      if (addr >= B0.ERXST && addr <= B0.ERXND + 1) {
        // §3.2.1: the ring may only move while reception is off.
        if (this.c(ECON1) & ECON1_BITS.RXEN) { this.counters.ringWriteWhileRxen++; return; }
        r[addr] = addr & 1 ? v & 0x1f : v;
        // Writing ERXST/ERXND reloads the write pointer; DS80349 issue 5: with 0000h.
        this.setPtr(0, B0.ERXWRPT, this.faults.erxwrptZero ? 0 : this.ptr(0, B0.ERXST));
        return;
      }
      if (addr === B0.ERXRDPT) { this.rxrdptLatch = v; return; } // latched until H (§3.2.1)
      if (addr === B0.ERXRDPT + 1) {
        r[B0.ERXRDPT] = this.rxrdptLatch;
        r[addr] = v & 0x1f;
        if ((this.rxrdptLatch & 1) === 0) this.counters.evenRxrdpt++;
        return;
      }
      r[addr] = addr & 1 && addr <= 0x15 ? v & 0x1f : v;
      return;
    }
    if (bank === 1) {
      if (addr === B1.EPKTCNT) { this.counters.readOnlyWrites++; return; }
      if (addr === B1.EPMOH) v &= 0x1f;
      r[addr] = v;
      return;
    }
    if (bank === 2) {
      if (addr === B2.MIRDL || addr === B2.MIRDH) { this.counters.readOnlyWrites++; return; }
      if (addr === B2.MICMD) { this.writeMicmd(v); return; }
      r[addr] = v;
      if (addr === B2.MIWRH) this.startMiiWrite();
      return;
    }
    if (addr === B3.EREVID || addr === B3.MISTAT) { this.counters.readOnlyWrites++; return; }
    r[addr] = v;
  }

  private writeCommon(addr: number, v: number, setMask: number, clrMask: number): void {
    const old = this.c(addr);
    if (addr === EIR) {
      // PKTIF and LINKIF are read-only (§12.1.1, §12.1.5).
      const ro = EIR_BITS.PKTIF | EIR_BITS.LINKIF;
      if ((v ^ old) & ro) this.counters.readOnlyWrites++;
      this.setC(EIR, (old & ro) | (v & ~ro & 0x7b));
      return;
    }
    if (addr === ESTAT) {
      // Only BUFER, LATECOL and TXABRT can be cleared by the host; nothing can be set.
      const clearable = ESTAT_BITS.BUFER | ESTAT_BITS.LATECOL | ESTAT_BITS.TXABRT;
      this.setC(ESTAT, old & ~(clearable & ~v & clrMask));
      return;
    }
    if (addr === ECON2) {
      if (v & ECON2_BITS.PKTDEC & setMask) this.pktdec();
      this.setC(ECON2, v & ~ECON2_BITS.PKTDEC & 0xe8);
      return;
    }
    if (addr === EIE) { this.setC(EIE, v & 0xfb); return; }
    this.writeEcon1(old, v);
  }

  private writeEcon1(old: number, v: number): void {
    const rise = v & ~old, fall = old & ~v;
    this.setC(ECON1, v);
    if (rise & ECON1_BITS.TXRST) {
      // TX logic held in reset: whatever was on the wire stops, the stall clears.
      if (this.tx) { this.unschedule(this.tx.event); this.tx = null; }
      this.txStalled = false;
      this.txStallArmed = false;
      this.setC(ECON1, this.c(ECON1) & ~ECON1_BITS.TXRTS);
    }
    if (rise & ECON1_BITS.RXRST) {
      this.setC(ECON1, this.c(ECON1) & ~ECON1_BITS.RXEN);
      this.banks[1][B1.EPKTCNT] = 0;
      this.setC(EIR, this.c(EIR) & ~EIR_BITS.PKTIF);
      this.setPtr(0, B0.ERXWRPT, this.ptr(0, B0.ERXST));
    }
    if (fall & ECON1_BITS.TXRTS && (this.tx || this.txStalled)) this.cancelTx();
    if (rise & ECON1_BITS.TXRTS) this.startTx();
    if (rise & ECON1_BITS.DMAST) this.runDma();
  }

  private pktdec(): void {
    const n = this.banks[1][B1.EPKTCNT];
    if (n > 0) this.banks[1][B1.EPKTCNT] = n - 1;
    if (n <= 1) this.setC(EIR, this.c(EIR) & ~EIR_BITS.PKTIF);
  }

  // ---- MII / PHY ----------------------------------------------------------

  private writeMicmd(v: number): void {
    const old = this.banks[2][B2.MICMD];
    this.banks[2][B2.MICMD] = v & 0x03;
    if (v & ~old & MICMD_BITS.MIIRD) {
      if (this.miiOp) { this.counters.miiWhileBusy++; return; }
      const a = this.banks[2][B2.MIREGADR] & 0x1f;
      this.miiBusyUntil = this.now() + MII_BUSY_MS;
      this.miiOp = () => {
        const val = this.phyRead(a);
        this.banks[2][B2.MIRDL] = val & 0xff;
        this.banks[2][B2.MIRDH] = val >> 8;
      };
    }
  }

  private startMiiWrite(): void {
    if (this.miiOp) { this.counters.miiWhileBusy++; return; }
    const a = this.banks[2][B2.MIREGADR] & 0x1f;
    const val = this.banks[2][B2.MIWRL] | (this.banks[2][B2.MIWRH] << 8);
    this.miiBusyUntil = this.now() + MII_BUSY_MS;
    this.miiOp = () => this.phyWrite(a, val);
  }

  private phyRead(a: number): number {
    switch (a) {
      case PHY.PHSTAT1: {
        const v = PHSTAT1_BITS.PFDPX | PHSTAT1_BITS.PHDPX | (this.llstat ? PHSTAT1_BITS.LLSTAT : 0);
        this.llstat = this.linkState; // latching low until read
        return v;
      }
      case PHY.PHSTAT2:
        return (this.linkState ? PHSTAT2_BITS.LSTAT : 0) | (this.phy[PHY.PHCON1] & PHCON1_BITS.PDPXMD ? PHSTAT2_BITS.DPXSTAT : 0);
      case PHY.PHIR: {
        // Reading PHIR clears PGIF, PLNKIF and with them EIR.LINKIF (§12.1.5).
        const v = this.phy[PHY.PHIR];
        this.phy[PHY.PHIR] = 0;
        this.setC(EIR, this.c(EIR) & ~EIR_BITS.LINKIF);
        return v;
      }
      case PHY.PHCON1: case PHY.PHID1: case PHY.PHID2: case PHY.PHCON2: case PHY.PHIE: case PHY.PHLCON:
        return this.phy[a];
      default:
        return 0;
    }
  }

  private phyWrite(a: number, v: number): void {
    switch (a) {
      case PHY.PHCON1: this.phy[a] = v & 0x4900; break; // PRST self-clears at once
      case PHY.PHCON2: this.phy[a] = v & 0x6500; break;
      case PHY.PHIE: this.phy[a] = v & 0x0012; break;
      case PHY.PHLCON: this.phy[a] = v & 0x0ffe | 0x3000; break;
      default: break; // read-only, or not a register on this chip
    }
  }

  /** Plug (true) or unplug (false) the cable. */
  setLink(up: boolean): void {
    this.settle();
    if (up === this.linkState) return;
    this.linkState = up;
    if (!up) this.llstat = false;
    this.phy[PHY.PHIR] |= PHIR_BITS.PLNKIF;
    const ie = this.phy[PHY.PHIE];
    if (ie & PHIE_BITS.PGEIE && ie & PHIE_BITS.PLNKIE) {
      this.phy[PHY.PHIR] |= PHIR_BITS.PGIF;
      this.setC(EIR, this.c(EIR) | EIR_BITS.LINKIF);
    }
  }

  get link(): boolean { return this.linkState; }

  // ---- interrupts ---------------------------------------------------------

  private updateInt(): void {
    const eie = this.common[0], eir = this.common[1];
    const on = (eie & 0x80) !== 0 && (eie & eir & 0x7b) !== 0;
    if (on !== this.intAsserted) {
      this.intAsserted = on;
      this.onInterrupt(on);
    }
  }

  /** The INT pin is driven low (an enabled interrupt is pending). */
  get interruptAsserted(): boolean { return this.intAsserted; }

  // ---- receive ------------------------------------------------------------

  /**
   * A frame (with FCS) arriving from the cable; it is stored when its last bit
   * arrives. By default its first bit arrives now (or when the previous frame
   * and gap are over); a link that already spent the wire time (a peer chip
   * on a direct cable) passes `lastBitAtMs` instead.
   */
  wireReceive(frameWithFcs: Uint8Array, lastBitAtMs?: number): void {
    const frame = Uint8Array.from(frameWithFcs);
    const duration = (8 + Math.max(64, frame.length)) * WIRE_BYTE_MS;
    const first = lastBitAtMs === undefined ? this.now() : lastBitAtMs - duration;
    const start = Math.max(first, this.rxWireFreeAt);
    const end = start + duration;
    this.rxWireFreeAt = end + 12 * WIRE_BYTE_MS;
    this.schedule(end, () => this.receiveFrame(frame));
  }

  /** When the receive side of the wire is next idle (model time). */
  get rxWireIdleAt(): number { return this.rxWireFreeAt; }

  private receiveFrame(f: Uint8Array): void {
    if (!this.linkState) { this.counters.rxNoLink++; return; }
    const econ1 = this.c(ECON1);
    if (!(econ1 & ECON1_BITS.RXEN) || econ1 & ECON1_BITS.RXRST || !(this.banks[2][B2.MACON1] & MACON1_BITS.MARXEN) || this.now() < this.readyAt) {
      this.counters.rxDisabled++;
      return;
    }
    const crcOk = fcsValid(f);
    const fcon = this.banks[1][B1.ERXFCON];
    if (!this.filterAccepts(f, fcon)) { this.counters.rxFiltered++; return; }
    if (!crcOk && fcon & ERXFCON_BITS.CRCEN) { this.counters.rxCrcDropped++; return; }
    const st = this.ptr(0, B0.ERXST), nd = this.ptr(0, B0.ERXND);
    const size = nd - st + 1;
    const wr = this.ptr(0, B0.ERXWRPT), rd = this.ptr(0, B0.ERXRDPT);
    const need = (6 + f.length + 1) & ~1;
    // §7.2.4: the hardware writes up to but not including ERXRDPT.
    const free = size <= 0 ? 0 : (((rd - wr) % size) + size) % size;
    const injected = this.faults.rxOverflow > 0;
    if (injected) this.faults.rxOverflow--;
    if (need > free || this.banks[1][B1.EPKTCNT] === 255 || injected) {
      this.counters.rxOverflows++;
      this.rxDroppedSinceLast = true;
      this.setC(EIR, this.c(EIR) | EIR_BITS.RXERIF);
      return;
    }
    const ring = (p: number): number => (p > nd ? st + (p - nd - 1) % size : p);
    let next = ring(wr + need);
    if (((rd & 1) === 0 && this.faults.evenRxrdptCorrupts) || this.faults.corruptNextPointer > 0) {
      // DS80349 issue 14: the next-packet pointer comes out wrong.
      if (this.faults.corruptNextPointer > 0) this.faults.corruptNextPointer--;
      next = (next ^ 0x0a02) & 0x1fff;
    }
    const status = this.rsv(f, crcOk);
    const hdr = [next & 0xff, next >> 8, f.length & 0xff, (f.length >> 8) & 0xff, status & 0xff, (status >> 8) & 0xff];
    let p = wr;
    for (const b of hdr) { this.mem[p] = b; p = ring(p + 1); }
    for (const b of f) { this.mem[p] = b; p = ring(p + 1); }
    this.setPtr(0, B0.ERXWRPT, ring(wr + need));
    this.banks[1][B1.EPKTCNT]++;
    this.setC(EIR, this.c(EIR) | EIR_BITS.PKTIF);
    this.rxDroppedSinceLast = false;
    this.counters.rxFrames++;
  }

  /** RSV bits 31..16 (Table 7-3), as the 16-bit word at header offset 4. */
  private rsv(f: Uint8Array, crcOk: boolean): number {
    let s = 0;
    if (this.rxDroppedSinceLast) s |= 1 << 0;
    if (!crcOk) s |= 1 << 4;
    const typeLen = f.length >= 14 ? (f[12] << 8) | f[13] : 0;
    if (typeLen > 1500) s |= 1 << 6; // length out of range: every EtherType frame
    else if (this.banks[2][B2.MACON3] & MACON3_BITS.FRMLNEN && f.length >= 18) {
      const data = f.length - 18;
      if (typeLen !== data && !(data === 46 && typeLen < 46)) s |= 1 << 5;
    }
    if (crcOk) s |= 1 << 7;
    if (f[0] & 1) s |= f.subarray(0, 6).every((b) => b === 0xff) ? 1 << 9 : 1 << 8;
    if (typeLen === 0x8808) s |= 1 << 11;
    if (typeLen === 0x8100) s |= 1 << 14;
    return s;
  }

  private filterAccepts(f: Uint8Array, fcon: number): boolean {
    const enabled = fcon & (ERXFCON_BITS.UCEN | ERXFCON_BITS.PMEN | ERXFCON_BITS.MPEN | ERXFCON_BITS.HTEN | ERXFCON_BITS.MCEN | ERXFCON_BITS.BCEN);
    if (!enabled) return true; // promiscuous
    const dst = f.subarray(0, 6);
    const results: boolean[] = [];
    if (fcon & ERXFCON_BITS.UCEN) results.push(this.macEquals(dst));
    if (fcon & ERXFCON_BITS.PMEN) results.push(this.patternMatches(f));
    if (fcon & ERXFCON_BITS.MPEN) results.push(false);
    if (fcon & ERXFCON_BITS.HTEN) {
      const bit = (crc32(dst) >>> 23) & 0x3f;
      results.push((this.banks[1][B1.EHT0 + (bit >> 3)] >> (bit & 7)) & 1 ? true : false);
    }
    if (fcon & ERXFCON_BITS.MCEN) results.push((dst[0] & 1) === 1 && !dst.every((b) => b === 0xff));
    if (fcon & ERXFCON_BITS.BCEN) results.push(dst.every((b) => b === 0xff));
    return fcon & ERXFCON_BITS.ANDOR ? results.every(Boolean) : results.some(Boolean);
  }

  private macEquals(dst: Uint8Array): boolean {
    const r = this.banks[3];
    const mac = [r[B3.MAADR1], r[B3.MAADR2], r[B3.MAADR3], r[B3.MAADR4], r[B3.MAADR5], r[B3.MAADR6]];
    return mac.every((b, i) => dst[i] === b);
  }

  /** Pattern match (§8.2.3): checksum of the EPMM-selected bytes of the 64 at EPMO. */
  private patternMatches(f: Uint8Array): boolean {
    const off = this.ptr(1, B1.EPMOL);
    const bytes: number[] = [];
    for (let i = 0; i < 64; i++) {
      if ((this.banks[1][B1.EPMM0 + (i >> 3)] >> (i & 7)) & 1) {
        if (off + i >= f.length) return false;
        bytes.push(f[off + i]);
      }
    }
    return ipChecksum(bytes) === (this.banks[1][B1.EPMCSL] | (this.banks[1][B1.EPMCSH] << 8));
  }

  // ---- transmit -----------------------------------------------------------

  private fullDuplex(): boolean { return (this.banks[2][B2.MACON3] & MACON3_BITS.FULDPX) !== 0; }

  private startTx(): void {
    const econ1 = this.c(ECON1);
    if (econ1 & ECON1_BITS.TXRST) return; // held in reset: nothing starts
    if ((this.txStallArmed && this.faults.txStallAfterAbort) || this.faults.txStall > 0) {
      if (this.faults.txStall > 0) this.faults.txStall--;
      // DS80349 issue 12: TXRTS stays set indefinitely.
      this.txStalled = true;
      this.counters.txStalls++;
      return;
    }
    const st = this.ptr(0, B0.ETXST), nd = this.ptr(0, B0.ETXND);
    const control = this.mem[st];
    const n = (nd - st + BUFFER_SIZE) % BUFFER_SIZE;
    const body = new Uint8Array(n);
    for (let i = 0; i < n; i++) body[i] = this.mem[(st + 1 + i) & 0x1fff];
    const macon3 = this.banks[2][B2.MACON3];
    let pad: boolean, addCrc: boolean, huge: boolean;
    if (control & 0x01) {
      huge = (control & 0x08) !== 0; pad = (control & 0x04) !== 0; addCrc = (control & 0x02) !== 0;
    } else {
      const padcfg = (macon3 & MACON3_BITS.PADCFG) >> 5;
      pad = (padcfg & 1) === 1;
      addCrc = pad || (macon3 & MACON3_BITS.TXCRCEN) !== 0;
      huge = (macon3 & MACON3_BITS.HFRMEN) !== 0;
    }
    let frame = body;
    if (pad && frame.length < 60) { frame = new Uint8Array(60); frame.set(body); }
    if (addCrc) {
      const c = crc32(frame);
      const out = new Uint8Array(frame.length + 4);
      out.set(frame);
      out.set([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24], frame.length);
      frame = out;
    }
    const mamxfl = this.banks[2][B2.MAMXFLL] | (this.banks[2][B2.MAMXFLH] << 8);
    let tsvBits = 0;
    let abort = false;
    let onWire = frame.length;
    if (!addCrc && !fcsValid(frame)) tsvBits |= 1 << 20;
    if (!huge && frame.length > mamxfl) { tsvBits |= 1 << 30; abort = true; onWire = mamxfl; }
    const half = !this.fullDuplex();
    if (!abort && half && this.faults.lateCollisions > 0) {
      // DS80349 issue 13: a link pulse taken for a collision past MACLCON2 bytes.
      this.faults.lateCollisions--;
      tsvBits |= 1 << 29; abort = true;
      onWire = Math.min(frame.length, this.banks[2][B2.MACLCON2] + 8);
    } else if (!abort && half && this.faults.excessiveCollisions > 0) {
      this.faults.excessiveCollisions--;
      tsvBits |= 1 << 28; abort = true;
      onWire = 64 * ((this.banks[2][B2.MACLCON1] & 0x0f) + 1);
    }
    const start = Math.max(this.now(), this.txWireFreeAt);
    const end = start + (8 + Math.max(64, onWire)) * WIRE_BYTE_MS;
    this.txWireFreeAt = end + 12 * WIRE_BYTE_MS;
    const event = this.schedule(end, () => { this.lastTxEndMs = end; this.finishTx(frame, tsvBits, abort, onWire); });
    this.tx = { end, event };
  }

  private finishTx(frame: Uint8Array, bits: number, abort: boolean, onWire: number): void {
    this.tx = null;
    if (!abort) bits |= 1 << 23; // done
    if (frame[0] & 1) bits |= frame.subarray(0, 6).every((b) => b === 0xff) ? 1 << 25 : 1 << 24;
    if (frame.length >= 14) {
      const tl = (frame[12] << 8) | frame[13];
      if (tl > 1500) bits |= 1 << 22;
    }
    const count = abort ? 0 : frame.length;
    this.writeTsv([count & 0xff, count >> 8, (bits >> 16) & 0xff, (bits >>> 24) & 0xff, onWire & 0xff, onWire >> 8, 0]);
    let eir = this.c(EIR) | EIR_BITS.TXIF;
    // TXABRT and LATECOL stay set until the host clears them (DS39662 §12.1.3).
    let estat = this.c(ESTAT);
    if (bits & (1 << 29)) estat |= ESTAT_BITS.LATECOL;
    if (abort) {
      eir |= EIR_BITS.TXERIF;
      estat |= ESTAT_BITS.TXABRT;
      this.counters.txAborts++;
      if (!this.fullDuplex()) this.txStallArmed = true;
    } else {
      this.counters.txFrames++;
    }
    this.common[ESTAT - EIE] = estat;
    this.common[ECON1 - EIE] &= ~ECON1_BITS.TXRTS;
    this.setC(EIR, eir);
    if (!abort && this.linkState) this.onWireTransmit(frame);
  }

  private writeTsv(tsv: number[]): void {
    let p = (this.ptr(0, B0.ETXND) + 1) & 0x1fff;
    for (const b of tsv) { this.mem[p] = b; p = (p + 1) & 0x1fff; }
  }

  /** The host cleared TXRTS (§7.1): the transmission is cancelled. */
  private cancelTx(): void {
    if (this.tx) { this.unschedule(this.tx.event); this.tx = null; }
    this.txStalled = false;
    this.writeTsv([0, 0, 0, 0, 0, 0, 0]);
    this.common[ESTAT - EIE] |= ESTAT_BITS.TXABRT;
    this.setC(EIR, this.c(EIR) | EIR_BITS.TXIF);
  }

  /** A transmission is stuck with TXRTS set (DS80349 issue 12). */
  get txStuck(): boolean { return this.txStalled; }

  // ---- DMA (§13) ----------------------------------------------------------

  private runDma(): void {
    const st = this.ptr(0, B0.EDMAST), nd = this.ptr(0, B0.EDMAND);
    const bytes: number[] = [];
    for (let p = st, guard = 0; guard < BUFFER_SIZE; guard++) {
      bytes.push(this.mem[p]);
      if (p === nd) break;
      p = this.rbmNext(p);
    }
    if (this.c(ECON1) & ECON1_BITS.CSUMEN) {
      const cs = ipChecksum(bytes);
      this.banks[0][B0.EDMACS] = cs & 0xff;
      this.banks[0][B0.EDMACS + 1] = cs >> 8;
    } else {
      let d = this.ptr(0, B0.EDMADST);
      for (const b of bytes) { this.mem[d] = b; d = this.rbmNext(d); }
    }
    this.common[ECON1 - EIE] &= ~ECON1_BITS.DMAST;
    this.setC(EIR, this.c(EIR) | EIR_BITS.DMAIF);
  }

  // ---- inspection (tests and benches; no side effects) ---------------------

  /** A banked register as stored (bank 0..3, address 00h..1Ah) or a common one. */
  peek(bank: number, addr: number): number {
    return addr >= 0x1b ? this.common[addr - EIE] : this.banks[bank][addr];
  }

  /** A 13-bit pointer register pair. */
  peekPtr(bank: number, addrL: number): number { return this.ptr(bank, addrL); }

  /** A PHY register as stored. */
  peekPhy(addr: number): number {
    if (addr === PHY.PHSTAT2) return (this.linkState ? PHSTAT2_BITS.LSTAT : 0) | (this.phy[PHY.PHCON1] & PHCON1_BITS.PDPXMD ? PHSTAT2_BITS.DPXSTAT : 0);
    return this.phy[addr];
  }

  /** True while within 1 ms of SRC. */
  get resetting(): boolean { return this.now() < this.readyAt; }
}

/** The Internet checksum of a byte list (RFC 1071), as the DMA and pattern filter compute it. */
export function ipChecksum(bytes: ArrayLike<number>): number {
  return internetChecksum(bytes);
}
