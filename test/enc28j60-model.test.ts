// The ENC28J60 chip model on its own, driven by raw SPI from the data
// sheet's opcode table: each test states one DS39662 / DS80349 rule and
// checks the model keeps it, including behaving like silicon on misuse.

import { describe, test, expect, beforeEach } from "vitest";
import { type Clock, VirtualClock } from "../host-sim/clock.js";
import { appendFcs, crc32 } from "../host-sim/crc32.js";
import { Enc28j60, wireTimeMs, WIRE_BYTE_MS } from "../host-sim/enc28j60/chip.js";
import { B0, B1, B2, B3, EIE, EIR, ESTAT, ECON2, ECON1, PHY } from "../host-sim/enc28j60/regs.js";
import { RawSpi } from "./helpers/enc28j60-spi.js";
import { frame, BROADCAST, DEFAULT_MAC } from "./helpers/enc28j60.js";

let clock: VirtualClock;
let chip: Enc28j60;
let spi: RawSpi;

beforeEach(() => {
  clock = new VirtualClock();
  chip = new Enc28j60({ clock });
  spi = new RawSpi(chip);
});

const RING_END = 0x0fff;

/** Ring 0000h..0FFFh, ERXRDPT odd at the end, MAC address, MARXEN, RXEN. */
function rxSetup(fcon = 0xa1): void {
  spi.ptr(0, B0.ERXST, 0);
  spi.ptr(0, B0.ERXND, RING_END);
  spi.ptr(0, B0.ERXRDPT, RING_END);
  spi.bank(1);
  spi.wcr(B1.ERXFCON, fcon);
  spi.bank(3);
  const order = [B3.MAADR1, B3.MAADR2, B3.MAADR3, B3.MAADR4, B3.MAADR5, B3.MAADR6];
  order.forEach((a, i) => spi.wcr(a, DEFAULT_MAC[i]));
  spi.bank(2);
  spi.wcr(B2.MACON1, 0x01);
  spi.wcr(B2.MACON3, 0x32);
  spi.bfs(ECON1, 0x04);
}

function deliver(f: Uint8Array, withFcs = false): void {
  chip.wireReceive(withFcs ? f : appendFcs(f));
  clock.advanceTo(chip.rxWireIdleAt);
}

function readPacketAt(p: number, n: number): number[] {
  spi.ptr(0, B0.ERDPT, p);
  return spi.rbm(n);
}

function phyWrite(addr: number, v: number): void {
  spi.bank(2);
  spi.wcr(B2.MIREGADR, addr);
  spi.wcr(B2.MIWRL, v & 0xff);
  spi.wcr(B2.MIWRH, v >> 8);
  clock.advance(0.02);
}

function phyRead(addr: number): number {
  spi.bank(2);
  spi.wcr(B2.MIREGADR, addr);
  spi.wcr(B2.MICMD, 0x01);
  clock.advance(0.02);
  spi.wcr(B2.MICMD, 0);
  return spi.rcrMac(B2.MIRDL) | (spi.rcrMac(B2.MIRDH) << 8);
}

describe("SPI instruction set (DS39662 §4.2)", () => {
  test("EREVID is an ETH register reading 06h (rev. B7) right after the opcode", () => {
    spi.bank(3);
    expect(spi.rcr(B3.EREVID)).toBe(0x06);
  });

  test("RCR of a MAC register clocks a dummy byte before the data", () => {
    spi.bank(2);
    spi.wcr(B2.MACON3, 0x32);
    expect(spi.rcrMac(B2.MACON3)).toBe(0x32);
  });

  test("misuse: RCR of a MAC register without the dummy byte returns the dummy, not the register", () => {
    spi.bank(2);
    spi.wcr(B2.MAIPGL, 0x12);
    const reads = Array.from({ length: 8 }, () => spi.rcr(B2.MAIPGL));
    expect(reads.some((v) => v !== 0x12)).toBe(true);
    expect(chip.counters.macReadWithoutDummy).toBe(8);
  });

  test("BFS and BFC change only the masked bits of an ETH register", () => {
    spi.wcr(EIE, 0x41);
    spi.bfs(EIE, 0x88);
    expect(spi.rcr(EIE)).toBe(0xc9);
    spi.bfc(EIE, 0x41);
    expect(spi.rcr(EIE)).toBe(0x88);
  });

  test("misuse: BFS/BFC on a MAC register does nothing (§4.2.5)", () => {
    spi.bank(2);
    spi.wcr(B2.MACON3, 0x30);
    spi.bfs(B2.MACON3, 0x01);
    spi.bfc(B2.MACON3, 0x10);
    expect(spi.rcrMac(B2.MACON3)).toBe(0x30);
    expect(chip.counters.bitOpOnMacMii).toBe(2);
  });

  test("a transaction split over several transfer calls acts as one", () => {
    spi.ptr(0, B0.EWRPT, 0x100);
    spi.wbm([1, 2, 3, 4, 5, 6]);
    spi.ptr(0, B0.ERDPT, 0x100);
    chip.select(true);
    const parts = [Uint8Array.of(0x3a), Uint8Array.of(0, 0), Uint8Array.of(0, 0, 0, 0)];
    for (const p of parts) chip.transfer(p);
    chip.select(false);
    expect([...parts[1], ...parts[2]]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test("the common registers 1Bh..1Fh answer in every bank", () => {
    spi.wcr(EIE, 0x5a);
    for (const b of [0, 1, 2, 3]) {
      spi.bank(b);
      expect(spi.rcr(EIE)).toBe(0x5a);
    }
  });

  test("each SPI byte costs 8 clocks: 1000 bytes at 20 MHz take 0.4 ms", () => {
    const before = chip.spiTimeMs;
    spi.rbm(999);
    expect(chip.spiTimeMs - before).toBeCloseTo(0.4, 9);
    expect(chip.takeSpiTime()).toBeGreaterThanOrEqual(0.4);
    expect(chip.takeSpiTime()).toBe(0);
  });
});

describe("reset (DS39662 §11, DS80349 issue 2)", () => {
  test("SRC restores the reset values of Table 3-2 and keeps the buffer", () => {
    spi.ptr(0, B0.EWRPT, 0x10);
    spi.wbm([0xab]);
    spi.bank(1);
    spi.wcr(B1.ERXFCON, 0);
    spi.src();
    clock.advance(1);
    expect(spi.readPtr(0, B0.ERXST)).toBe(0x05fa);
    expect(spi.readPtr(0, B0.ERXND)).toBe(0x1fff);
    expect(spi.readPtr(0, B0.ERDPT)).toBe(0x05fa);
    spi.bank(1);
    expect(spi.rcr(B1.ERXFCON)).toBe(0xa1);
    expect(spi.rcr(ECON2)).toBe(0x80);
    spi.bank(2);
    expect(spi.rcrMac(B2.MAMXFLH)).toBe(0x06);
    expect(spi.rcrMac(B2.MACLCON2)).toBe(0x37);
    expect(chip.mem[0x10]).toBe(0xab);
  });

  test("misuse: access within 1 ms of SRC is not served, although CLKRDY already reads 1", () => {
    spi.src();
    clock.advance(0.5);
    expect(spi.rcr(ESTAT) & 0x01).toBe(1);
    spi.bank(3);
    expect(spi.rcr(B3.EREVID)).toBe(0);
    spi.wcr(EIE, 0x80);
    expect(chip.counters.accessWhileNotReady).toBeGreaterThan(0);
    clock.advance(0.6);
    expect(spi.rcr(B3.EREVID)).toBe(0); // the bank switch was lost too: bank 0, EDMANDL
    spi.bank(3);
    expect(spi.rcr(B3.EREVID)).toBe(0x06);
    expect(spi.rcr(EIE)).toBe(0);
  });

  test("SRC is ignored in power-save mode (DS80349 issue 19)", () => {
    spi.bfs(ECON2, 0x20);
    spi.wcr(EIE, 0x40);
    spi.src();
    expect(spi.rcr(EIE)).toBe(0x40);
  });

  test("a missing chip reads as the level MISO floats to", () => {
    chip.faults.miso = 0xff;
    spi.bank(3);
    expect(spi.rcr(B3.EREVID)).toBe(0xff);
    chip.faults.miso = 0x00;
    expect(spi.rcr(B3.EREVID)).toBe(0x00);
  });
});

describe("receive ring (DS39662 §7.2)", () => {
  test("a packet is stored as next pointer, byte count with FCS, status, frame; next start is even", () => {
    rxSetup();
    const f = frame(61, 5);
    deliver(f);
    spi.bank(1);
    expect(spi.rcr(B1.EPKTCNT)).toBe(1);
    const h = readPacketAt(0, 6 + 65);
    const next = h[0] | (h[1] << 8);
    expect(next).toBe(6 + 65 + 1);
    expect(h[2] | (h[3] << 8)).toBe(65);
    const status = h[4] | (h[5] << 8);
    expect(status & 0x80).toBe(0x80); // bit 23 received OK
    expect(status & 0x40).toBe(0x40); // bit 22 length out of range (EtherType)
    expect(status & 0x30).toBe(0);
    expect(h.slice(6)).toEqual([...appendFcs(f)]);
  });

  test("the hardware wraps at ERXND and RBM follows the same wrap", () => {
    rxSetup(0);
    // Fill the ring up to near its end, freeing as we go.
    let p = 0;
    for (let i = 0; i < 5; i++) {
      deliver(frame(800, i));
      const h = readPacketAt(p, 6);
      p = h[0] | (h[1] << 8);
      spi.ptr(0, B0.ERXRDPT, p === 0 ? RING_END : p - 1);
      spi.bfs(ECON2, 0x40);
    }
    const f = frame(300, 99);
    deliver(f);
    const got = readPacketAt(p, 6 + 304);
    expect(p + 6 + 304).toBeGreaterThan(RING_END);
    expect(got.slice(6)).toEqual([...appendFcs(f)]);
    expect(got[0] | (got[1] << 8)).toBe((p + 6 + 304) - (RING_END + 1));
  });

  test("ERXRDPTL is latched: writing L alone changes nothing, the H write loads both", () => {
    spi.bank(0);
    spi.wcr(B0.ERXRDPT, 0x33);
    expect(spi.readPtr(0, B0.ERXRDPT)).toBe(0x05fa);
    spi.wcr(B0.ERXRDPT + 1, 0x01);
    expect(spi.readPtr(0, B0.ERXRDPT)).toBe(0x0133);
  });

  test("the hardware never writes at ERXRDPT: a packet that does not fit sets RXERIF and is lost", () => {
    rxSetup(0);
    for (let i = 0; i < 6; i++) deliver(frame(1000, i));
    spi.bank(1);
    expect(spi.rcr(B1.EPKTCNT)).toBe(4);
    expect(spi.rcr(EIR) & 0x01).toBe(0x01);
    expect(chip.counters.rxOverflows).toBe(2);
  });

  test("the rxOverflow fault drops the next n frames as a full ring would (RXERIF set), then receiving resumes", () => {
    rxSetup(0);
    chip.faults.rxOverflow = 2;
    for (let i = 0; i < 3; i++) deliver(frame(100, i));
    spi.bank(1);
    expect(spi.rcr(B1.EPKTCNT)).toBe(1);
    expect(spi.rcr(EIR) & 0x01).toBe(0x01);
    expect(chip.counters.rxOverflows).toBe(2);
    expect(chip.faults.rxOverflow).toBe(0);
  });

  test("PKTDEC decrements EPKTCNT, reads back 0, and PKTIF clears at zero", () => {
    rxSetup();
    deliver(frame(64, 1));
    deliver(frame(64, 2));
    expect(spi.rcr(EIR) & 0x40).toBe(0x40);
    spi.bfs(ECON2, 0x40);
    spi.bank(1);
    expect(spi.rcr(B1.EPKTCNT)).toBe(1);
    expect(spi.rcr(ECON2) & 0x40).toBe(0);
    spi.bfs(ECON2, 0x40);
    expect(spi.rcr(B1.EPKTCNT)).toBe(0);
    expect(spi.rcr(EIR) & 0x40).toBe(0);
  });

  test("misuse: PKTIF and LINKIF cannot be written", () => {
    rxSetup();
    deliver(frame(64, 1));
    spi.bfc(EIR, 0x40);
    spi.bfs(EIR, 0x10);
    expect(spi.rcr(EIR) & 0x50).toBe(0x40);
    expect(chip.counters.readOnlyWrites).toBe(2);
  });

  test("misuse: an even ERXRDPT corrupts the next-packet pointer (DS80349 issue 14)", () => {
    rxSetup(0);
    spi.ptr(0, B0.ERXRDPT, 0x0ffe);
    deliver(frame(100, 1));
    const h = readPacketAt(0, 6);
    expect(h[0] | (h[1] << 8)).not.toBe(6 + 104);
    expect(chip.counters.evenRxrdpt).toBe(1);
  });

  test("misuse: ERXRDPT equal to the write pointer leaves no room and loses every packet", () => {
    rxSetup(0);
    spi.ptr(0, B0.ERXRDPT, 0);
    deliver(frame(100, 1));
    spi.bank(1);
    expect(spi.rcr(B1.EPKTCNT)).toBe(0);
    expect(chip.counters.rxOverflows).toBe(1);
  });

  test("misuse: ERXST/ERXND writes are ignored while RXEN is set", () => {
    rxSetup();
    spi.ptr(0, B0.ERXND, 0x0800);
    expect(spi.readPtr(0, B0.ERXND)).toBe(RING_END);
    expect(chip.counters.ringWriteWhileRxen).toBe(2);
  });

  test("writing ERXST loads 0000h into ERXWRPT (DS80349 issue 5)", () => {
    spi.ptr(0, B0.ERXST, 0x0400);
    expect(spi.readPtr(0, B0.ERXWRPT)).toBe(0);
  });

  test("EPKTCNT is read-only", () => {
    spi.bank(1);
    spi.wcr(B1.EPKTCNT, 9);
    expect(spi.rcr(B1.EPKTCNT)).toBe(0);
  });

  test("with PKTIF unreliable (DS80349 issue 6) PKTIF reads 0 while EPKTCNT and the INT pin say otherwise", () => {
    chip.faults.pktifUnreliable = true;
    rxSetup();
    spi.wcr(EIE, 0xc0);
    deliver(frame(64, 1));
    expect(spi.rcr(EIR) & 0x40).toBe(0);
    spi.bank(1);
    expect(spi.rcr(B1.EPKTCNT)).toBe(1);
    expect(chip.interruptAsserted).toBe(true);
  });
});

describe("receive filters (DS39662 §8)", () => {
  test("unicast filter accepts our address and rejects another", () => {
    rxSetup(0xa0);
    deliver(frame(64, 1, DEFAULT_MAC));
    deliver(frame(64, 2, Uint8Array.of(2, 9, 9, 9, 9, 9)));
    spi.bank(1);
    expect(spi.rcr(B1.EPKTCNT)).toBe(1);
    expect(chip.counters.rxFiltered).toBe(1);
  });

  test("broadcast filter accepts FF-FF-FF-FF-FF-FF and the RSV marks it broadcast", () => {
    rxSetup(0xa1);
    deliver(frame(64, 1, BROADCAST));
    expect(readPacketAt(0, 6)[5] & 0x02).toBe(0x02);
  });

  test("CRCEN drops a bad FCS; without it the frame is kept with the CRC error bit", () => {
    rxSetup(0xa1);
    const bad = appendFcs(frame(64, 1));
    bad[bad.length - 1] ^= 0xff;
    deliver(bad, true);
    expect(chip.counters.rxCrcDropped).toBe(1);
    spi.bfc(ECON1, 0x04);
    spi.bank(1);
    spi.wcr(B1.ERXFCON, 0x80);
    spi.bfs(ECON1, 0x04);
    deliver(bad, true);
    const h = readPacketAt(0, 6);
    expect(h[4] & 0x10).toBe(0x10);
    expect(h[4] & 0x80).toBe(0);
  });

  test("hash table filter uses CRC bits 28:23 of the destination", () => {
    rxSetup(0x04);
    const mc = Uint8Array.of(0x01, 0x00, 0x5e, 0x00, 0x00, 0x01);
    const bit = (crc32(mc) >>> 23) & 0x3f;
    spi.bfc(ECON1, 0x04);
    spi.bank(1);
    spi.wcr(B1.EHT0 + (bit >> 3), 1 << (bit & 7));
    spi.bfs(ECON1, 0x04);
    let other = Uint8Array.of(0x01, 0x00, 0x5e, 0x00, 0x00, 0x02);
    while (((crc32(other) >>> 23) & 0x3f) === bit) other[5]++;
    deliver(frame(64, 1, mc));
    deliver(frame(64, 1, other));
    expect(chip.counters.rxFrames).toBe(1);
    expect(chip.counters.rxFiltered).toBe(1);
  });
});

describe("transmit (DS39662 §7.1)", () => {
  function load(f: Uint8Array, start = 0x1400, control = 0): void {
    spi.ptr(0, B0.EWRPT, start);
    spi.wbm([control, ...f]);
    spi.ptr(0, B0.ETXST, start);
    spi.ptr(0, B0.ETXND, start + f.length);
  }

  function macon3(v: number): void {
    spi.bank(2);
    spi.wcr(B2.MACON3, v);
    spi.wcr(B2.MAMXFLL, 0xee);
    spi.wcr(B2.MAMXFLH, 0x05);
  }

  test("a short frame is padded to 60 bytes, gets its CRC, and TXRTS stays set for the wire time", () => {
    const sent: Uint8Array[] = [];
    chip.onWireTransmit = (f) => sent.push(f);
    macon3(0x32);
    const f = frame(42, 3);
    load(f);
    chip.takeSpiTime();
    const t0 = chip.now();
    spi.bfs(ECON1, 0x08);
    clock.advanceTo(t0 + wireTimeMs(64) - 12 * WIRE_BYTE_MS - 0.01);
    expect(spi.rcr(ECON1) & 0x08).toBe(0x08);
    clock.advance(0.02);
    expect(spi.rcr(ECON1) & 0x08).toBe(0);
    expect(spi.rcr(EIR) & 0x0a).toBe(0x08);
    expect(sent).toHaveLength(1);
    const padded = new Uint8Array(60);
    padded.set(f);
    expect(sent[0]).toEqual(appendFcs(padded));
  });

  test("the 7-byte status vector is written at ETXND + 1 with the count and the done bit", () => {
    macon3(0x32);
    const f = frame(100, 3);
    load(f);
    spi.bfs(ECON1, 0x08);
    clock.advance(1);
    const tsv = readPacketAt(0x1400 + 100 + 1, 7);
    expect(tsv[0] | (tsv[1] << 8)).toBe(104);
    expect(tsv[2] & 0x80).toBe(0x80);
    expect(tsv[3] & 0x20).toBe(0);
    expect(spi.rcr(ESTAT) & 0x02).toBe(0);
  });

  test("a frame longer than MAMXFL is aborted as giant", () => {
    macon3(0x32);
    load(frame(1600, 1));
    spi.bfs(ECON1, 0x08);
    clock.advance(3);
    expect(spi.rcr(EIR) & 0x02).toBe(0x02);
    expect(spi.rcr(ESTAT) & 0x02).toBe(0x02);
    expect(readPacketAt(0x1400 + 1601, 7)[3] & 0x40).toBe(0x40);
  });

  test("misuse: after a half-duplex abort the next TXRTS sticks until TXRST (DS80349 issue 12)", () => {
    const sent: Uint8Array[] = [];
    chip.onWireTransmit = (f) => sent.push(f);
    macon3(0x32);
    chip.faults.excessiveCollisions = 1;
    load(frame(100, 1));
    spi.bfs(ECON1, 0x08);
    clock.advance(5);
    expect(spi.rcr(EIR) & 0x02).toBe(0x02);
    spi.bfc(EIR, 0x0a);
    spi.bfs(ECON1, 0x08);
    clock.advance(100);
    expect(spi.rcr(ECON1) & 0x08).toBe(0x08);
    expect(chip.txStuck).toBe(true);
    spi.bfs(ECON1, 0x80);
    spi.bfc(ECON1, 0x80);
    expect(spi.rcr(ECON1) & 0x08).toBe(0);
    spi.bfs(ECON1, 0x08);
    clock.advance(5);
    expect(spi.rcr(ECON1) & 0x08).toBe(0);
    expect(sent).toHaveLength(1);
  });

  test("an injected late collision aborts with TSV bit 29 (DS80349 issue 13) only in half duplex", () => {
    macon3(0x32);
    chip.faults.lateCollisions = 1;
    load(frame(200, 1));
    spi.bfs(ECON1, 0x08);
    clock.advance(2);
    expect(readPacketAt(0x1400 + 201, 7)[3] & 0x20).toBe(0x20);
    macon3(0x33);
    chip.faults.lateCollisions = 1;
    spi.bfs(ECON1, 0x80);
    spi.bfc(ECON1, 0x80);
    spi.bfs(ECON1, 0x08);
    clock.advance(2);
    expect(readPacketAt(0x1400 + 201, 7)[3] & 0x20).toBe(0);
  });

  test("BFS on ECON1 after the frame left (in SPI time) does not send it again", () => {
    const sent: Uint8Array[] = [];
    chip.onWireTransmit = (f) => sent.push(f);
    macon3(0x32);
    load(frame(100, 1));
    spi.bfs(ECON1, 0x08);
    spi.rbm(400); // 0.16 ms of SPI: past the 0.11 ms wire time, no clock timer has run
    spi.bfs(ECON1, 0x01);
    clock.advance(5);
    expect(sent).toHaveLength(1);
  });

  test("clearing TXRTS cancels the transmission", () => {
    const sent: Uint8Array[] = [];
    chip.onWireTransmit = (f) => sent.push(f);
    macon3(0x32);
    load(frame(1000, 1));
    spi.bfs(ECON1, 0x08);
    spi.bfc(ECON1, 0x08);
    clock.advance(5);
    expect(sent).toHaveLength(0);
    expect(spi.rcr(ESTAT) & 0x02).toBe(0x02);
  });

  test("a BFS on ECON1 (a bank switch) while a transmission ends sends the frame once, whatever the clock does meanwhile", () => {
    // Under the real-time clock (performance.now) time moves while the
    // model handles one SPI command. A BFS/BFC is a read-modify-write: if
    // the transmission ended after the model read ECON1, writing the old
    // value back would raise TXRTS again and send the frame a second time.
    let now = 0;
    const moving: Clock = { now: () => now, at: () => 0, cancel: () => {} };
    chip = new Enc28j60({ clock: moving });
    spi = new RawSpi(chip);
    const sent: Uint8Array[] = [];
    chip.onWireTransmit = (f) => sent.push(f);
    spi.bank(2);
    spi.wcr(B2.MACON3, 0x32);
    load(frame(42, 3));
    chip.takeSpiTime();
    spi.bfs(ECON1, 0x08); // TXRTS: on the wire until about wireTimeMs(64)
    chip.takeSpiTime();
    // The end of the transmission falls inside the next bit operation,
    // right after the model first catches up with the clock.
    const settle = chip.settle.bind(chip);
    let first = true;
    chip.settle = () => { settle(); if (first) { first = false; now += wireTimeMs(64) + 0.01; } };
    spi.bfs(ECON1, 0x01); // select bank 1, as the driver's selectBank does
    chip.settle = settle;
    now += 1;
    chip.settle();
    expect(spi.rcr(ECON1) & 0x08).toBe(0);
    expect(chip.counters.txFrames).toBe(1);
    expect(sent).toHaveLength(1);
  });
});

describe("MII, PHY and link (DS39662 §3.3, §12.1.5)", () => {
  test("MISTAT.BUSY is set for 10.24 µs after a MIWRH write", () => {
    spi.bank(2);
    spi.wcr(B2.MIREGADR, PHY.PHLCON);
    spi.wcr(B2.MIWRL, 0x76);
    spi.wcr(B2.MIWRH, 0x34);
    spi.bank(3);
    expect(spi.rcrMac(B3.MISTAT) & 1).toBe(1);
    clock.advance(0.011);
    expect(spi.rcrMac(B3.MISTAT) & 1).toBe(0);
    expect(phyRead(PHY.PHLCON)).toBe(0x3476);
  });

  test("misuse: a second MII command while busy is ignored", () => {
    spi.bank(2);
    spi.wcr(B2.MIREGADR, PHY.PHIE);
    spi.wcr(B2.MIWRL, 0x12);
    spi.wcr(B2.MIWRH, 0x00);
    spi.wcr(B2.MIREGADR, PHY.PHCON2);
    spi.wcr(B2.MIWRH, 0x01);
    expect(chip.counters.miiWhileBusy).toBe(1);
  });

  test("PHY identifiers and duplex strap read as the data sheet says", () => {
    expect(phyRead(PHY.PHID1)).toBe(0x0083);
    expect(phyRead(PHY.PHID2)).toBe(0x1400);
    expect(phyRead(PHY.PHSTAT1) & 0x1800).toBe(0x1800);
  });

  test("a link change raises LINKIF and the INT pin; reading PHIR clears both", () => {
    const pin: boolean[] = [];
    chip.onInterrupt = (a) => pin.push(a);
    phyWrite(PHY.PHIE, 0x12);
    spi.wcr(EIE, 0x90);
    chip.setLink(false);
    expect(spi.rcr(EIR) & 0x10).toBe(0x10);
    expect(pin).toEqual([true]);
    expect(phyRead(PHY.PHSTAT2) & 0x0400).toBe(0);
    expect(phyRead(PHY.PHIR) & 0x14).toBe(0x14);
    expect(spi.rcr(EIR) & 0x10).toBe(0);
    expect(pin).toEqual([true, false]);
    chip.setLink(true);
    expect(phyRead(PHY.PHSTAT2) & 0x0400).toBe(0x0400);
  });

  test("PHSTAT1.LLSTAT latches a link loss until read", () => {
    chip.setLink(false);
    chip.setLink(true);
    expect(phyRead(PHY.PHSTAT1) & 0x04).toBe(0);
    expect(phyRead(PHY.PHSTAT1) & 0x04).toBe(0x04);
  });

  test("no INT without INTIE even when an enabled flag is set", () => {
    rxSetup();
    spi.wcr(EIE, 0x40);
    deliver(frame(64, 1));
    expect(chip.interruptAsserted).toBe(false);
    spi.bfs(EIE, 0x80);
    expect(chip.interruptAsserted).toBe(true);
    expect(spi.rcr(ESTAT) & 0x80).toBe(0x80);
  });

  test("frames on a dead link are not received", () => {
    rxSetup();
    chip.setLink(false);
    deliver(frame(64, 1));
    expect(chip.counters.rxNoLink).toBe(1);
  });
});

describe("wire timing (10BASE-T)", () => {
  test("back-to-back arrivals are spaced by preamble, frame and gap at 0.8 µs per byte", () => {
    rxSetup();
    const t0 = chip.now();
    chip.wireReceive(appendFcs(frame(1514, 1)));
    chip.wireReceive(appendFcs(frame(60, 2)));
    expect(chip.rxWireIdleAt - t0).toBeCloseTo(wireTimeMs(1518) + wireTimeMs(64), 9);
    clock.advanceTo(t0 + wireTimeMs(1518));
    expect(chip.counters.rxFrames).toBe(1);
    clock.advanceTo(chip.rxWireIdleAt);
    expect(chip.counters.rxFrames).toBe(2);
  });

  test("a minimum frame takes 64 bytes of wire time", () => {
    expect(wireTimeMs(10)).toBeCloseTo((8 + 64 + 12) * 0.0008, 12);
    expect(wireTimeMs(1518)).toBeCloseTo((8 + 1518 + 12) * 0.0008, 12);
  });
});

describe("DMA (DS39662 §13)", () => {
  test("DMAST copies a block and sets DMAIF; with CSUMEN it computes the Internet checksum", () => {
    spi.ptr(0, B0.EWRPT, 0x100);
    spi.wbm([0x45, 0x00, 0x00, 0x1c]);
    spi.ptr(0, B0.EDMAST, 0x100);
    spi.ptr(0, B0.EDMAND, 0x103);
    spi.ptr(0, B0.EDMADST, 0x200);
    spi.bfs(ECON1, 0x20);
    expect(chip.mem.subarray(0x200, 0x204)).toEqual(Uint8Array.of(0x45, 0, 0, 0x1c));
    expect(spi.rcr(EIR) & 0x20).toBe(0x20);
    spi.bfs(ECON1, 0x30);
    spi.bank(0);
    const cs = spi.rcr(B0.EDMACS) | (spi.rcr(B0.EDMACS + 1) << 8);
    expect(cs).toBe(~(0x4500 + 0x001c) & 0xffff);
  });
});
