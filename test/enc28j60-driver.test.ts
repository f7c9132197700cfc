// The real ENC28J60 driver (AssemblyScript, compiled to wasm) against the
// chip model: init, reception, transmission, errata work-arounds and the
// recovery paths. A fresh wasm instance and chip for every test.

import { describe, test, expect } from "vitest";
import { appendFcs } from "../host-sim/crc32.js";
import { VirtualClock } from "../host-sim/clock.js";
import { RawSpi } from "./helpers/enc28j60-spi.js";
import { B0, B1, B2, B3, ECON1, ECON2, EIE, PHY } from "../host-sim/enc28j60/regs.js";
import { rig, upRig, frame, sizes, BROADCAST, DEFAULT_MAC } from "./helpers/enc28j60.js";

const ENODEV = -10, EINVAL = -1, EAGAIN = -3;
const RX_END = 0x13ff;
const RING_SIZE = RX_END + 1;

/** Register state after init, from DS39662 §6 and Table 3-2 (not from the driver). */
function expectedAfterInit(full: boolean) {
  return {
    ERXST: 0x0000,          // DS80349 issue 5: ring at 0000h
    ERXND: RX_END,
    ERXRDPT: RX_END,        // odd (DS80349 issue 14)
    ERXFCON: 0xa1,          // UCEN | CRCEN | BCEN
    MACON1: full ? 0x0d : 0x01, // MARXEN (+ TXPAUS | RXPAUS in full duplex)
    MACON3: full ? 0x33 : 0x32, // PADCFG0 | TXCRCEN | FRMLNEN (+ FULDPX)
    MACON4: full ? 0x00 : 0x40, // DEFER in half duplex
    MAMXFL: 1518,
    MABBIPG: full ? 0x15 : 0x12, // §6.5 step 6
    MAIPGL: 0x12,
    MAIPGH: full ? 0x00 : 0x0c,
    MAADR: [...DEFAULT_MAC],
    ECON2: 0x80,            // AUTOINC
    RXEN: 0x04,
    EIE: 0xdb,              // INTIE PKTIE LINKIE TXIE TXERIE RXERIE
    PHCON1: full ? 0x0100 : 0x0000, // PDPXMD = FULDPX (DS80349 issue 16)
    PHCON2: full ? 0x0000 : 0x0100, // HDLDIS in half duplex (DS80349 issue 9)
    PHIE: 0x0012,           // PGEIE | PLNKIE
    PHLCON: 0x3472,
  };
}

describe("init", () => {
  test.each([false, true])("registers after init (full duplex %s) match the data-sheet table", async (full) => {
    const r = await upRig({ fullDuplex: full });
    const c = r.chip;
    const actual = {
      ERXST: c.peekPtr(0, B0.ERXST),
      ERXND: c.peekPtr(0, B0.ERXND),
      ERXRDPT: c.peekPtr(0, B0.ERXRDPT),
      ERXFCON: c.peek(1, B1.ERXFCON),
      MACON1: c.peek(2, B2.MACON1),
      MACON3: c.peek(2, B2.MACON3),
      MACON4: c.peek(2, B2.MACON4),
      MAMXFL: c.peekPtr(2, B2.MAMXFLL),
      MABBIPG: c.peek(2, B2.MABBIPG),
      MAIPGL: c.peek(2, B2.MAIPGL),
      MAIPGH: c.peek(2, B2.MAIPGH),
      MAADR: [B3.MAADR1, B3.MAADR2, B3.MAADR3, B3.MAADR4, B3.MAADR5, B3.MAADR6].map((a) => c.peek(3, a)),
      ECON2: c.peek(0, ECON2),
      RXEN: c.peek(0, ECON1) & 0x04,
      EIE: c.peek(0, EIE),
      PHCON1: c.peekPhy(PHY.PHCON1),
      PHCON2: c.peekPhy(PHY.PHCON2),
      PHIE: c.peekPhy(PHY.PHIE),
      PHLCON: c.peekPhy(PHY.PHLCON),
    };
    expect(actual).toEqual(expectedAfterInit(full));
    expect(r.x.linkUp()).toBe(1);
    expect(r.stat("ENC_LINK_UP")).toBe(1);
  });

  test("init never touches the chip within 1 ms of the soft reset (DS80349 issue 2)", async () => {
    const r = await rig();
    expect(r.init()).toBe(0);
    expect(r.chip.resetting).toBe(true);
    // encInit has no trustworthy clock: the first poll times the wait.
    expect(r.x.nextDeadline()).toBe(0);
    expect(r.service()).toBe(0);
    expect(r.x.nextDeadline()).toBe(2);
    r.advance(1);
    expect(r.service()).toBe(0);
    expect(r.x.linkUp()).toBe(0);
    r.advance(1);
    expect(r.service()).toBe(0);
    expect(r.x.linkUp()).toBe(1);
    expect(r.chip.counters.accessWhileNotReady).toBe(0);
    expect(r.x.nextDeadline()).toBe(-1);
  });

  test("init uses no BFS/BFC on MAC registers, reads every MAC register with its dummy byte", async () => {
    const r = await upRig();
    expect(r.chip.counters.bitOpOnMacMii).toBe(0);
    expect(r.chip.counters.macReadWithoutDummy).toBe(0);
    expect(r.chip.counters.readOnlyWrites).toBe(0);
    expect(r.chip.counters.miiWhileBusy).toBe(0);
  });

  test.each([0x00, 0xff])("EREVID %d (no chip) → encInit returns ENODEV", async (level) => {
    const r = await rig();
    r.chip.faults.miso = level;
    expect(r.init()).toBe(ENODEV);
    expect(r.service()).toBe(ENODEV);
    expect(r.receive()).toBeNull();
    expect(r.transmit(frame(60))).toBe(ENODEV);
  });

  test.each([0x00, 0xff])("a chip that stops answering (MISO %d) → encService returns ENODEV", async (level) => {
    const r = await upRig();
    r.chip.faults.miso = level;
    expect(r.service()).toBe(ENODEV);
    expect(r.service()).toBe(ENODEV);
  });

  test("a chip that vanishes during the post-reset wait → ENODEV when init resumes", async () => {
    const r = await rig();
    expect(r.init()).toBe(0);
    expect(r.service()).toBe(0); // starts timing the wait
    r.chip.faults.miso = 0xff;
    r.advance(2);
    expect(r.service()).toBe(ENODEV);
  });

  test("transmit during the post-reset wait → EAGAIN; bad lengths → EINVAL", async () => {
    const r = await rig();
    r.init();
    r.service(); // starts timing the wait
    expect(r.transmit(frame(60))).toBe(EAGAIN);
    r.advance(2);
    r.service();
    expect(r.transmit(frame(13))).toBe(EINVAL);
    expect(r.transmit(frame(1515))).toBe(EINVAL);
    expect(r.transmit(frame(1514))).toBe(0);
  });
});

describe("receive", () => {
  test("1,000 frames of 60..1514 bytes (64..1518 with FCS) arrive byte-exact across many ring wraps", async () => {
    const r = await upRig();
    const lens = sizes(1000, 60, 1514);
    const frames = lens.map((n, i) => frame(n, i + 1, i % 10 === 0 ? BROADCAST : DEFAULT_MAC));
    for (const f of frames) r.wire(f);
    const got: Uint8Array[] = [];
    for (let guard = 0; got.length < frames.length && guard < 100000; guard++) {
      r.advance(0.25);
      expect(r.service()).toBe(0);
      for (let f = r.receive(); f; f = r.receive()) got.push(f);
    }
    expect(got.length).toBe(1000);
    got.forEach((f, i) => expect(f).toEqual(frames[i]));
    const ringBytes = lens.reduce((s, n) => s + ((6 + n + 4 + 1) & ~1), 0);
    expect(ringBytes / RING_SIZE).toBeGreaterThan(100);
    expect(r.stat("ENC_RX_FRAMES")).toBe(1000);
    expect(r.stat("ENC_RX_DROP")).toBe(0);
    expect(r.chip.counters.rxOverflows).toBe(0);
    expect(r.chip.counters.evenRxrdpt).toBe(0);
    expect(r.chip.counters.macReadWithoutDummy).toBe(0);
  });

  test("receive decides by EPKTCNT, so it works with PKTIF unreliable (DS80349 issue 6)", async () => {
    const r = await upRig();
    r.chip.faults.pktifUnreliable = true;
    const f = frame(200, 9);
    r.wire(f);
    r.drainWire();
    r.service();
    expect(r.receive()).toEqual(f);
    expect(r.receive()).toBeNull();
  });

  test("frames for another unicast address or with a bad FCS never reach the driver", async () => {
    const r = await upRig();
    r.wire(frame(100, 1, Uint8Array.of(2, 9, 9, 9, 9, 9)));
    const bad = appendFcs(frame(100, 2));
    bad[50] ^= 1;
    r.wire(bad, true);
    const good = frame(100, 3);
    r.wire(good);
    r.drainWire();
    expect(r.receive()).toEqual(good);
    expect(r.receive()).toBeNull();
    expect(r.chip.counters.rxFiltered + r.chip.counters.rxCrcDropped).toBe(2);
  });

  test("a frame with a length-check error in its RSV is dropped and counted, the next one delivered", async () => {
    const r = await upRig();
    const wrongLen = frame(100, 1, DEFAULT_MAC, 0x0040); // type/length 64 ≠ 86 data bytes
    const good = frame(100, 2);
    r.wire(wrongLen);
    r.wire(good);
    r.drainWire();
    expect(r.receive()).toEqual(good);
    expect(r.stat("ENC_RX_DROP")).toBe(1);
  });

  test("an IEEE 802.3 length frame with a correct length field is kept", async () => {
    const r = await upRig();
    const f = frame(100, 1, DEFAULT_MAC, 86);
    r.wire(f);
    r.drainWire();
    expect(r.receive()).toEqual(f);
  });

  test("a frame longer than 1518 bytes with FCS is dropped and counted", async () => {
    const r = await upRig();
    const long = frame(1600, 1);
    const good = frame(64, 2);
    r.wire(long);
    r.wire(good);
    r.drainWire();
    expect(r.receive()).toEqual(good);
    expect(r.stat("ENC_RX_DROP")).toBe(1);
  });

  test("a frame larger than the caller's buffer is dropped, not truncated", async () => {
    const r = await upRig();
    r.wire(frame(600, 1));
    const small = frame(100, 2);
    r.wire(small);
    r.drainWire();
    expect(r.receive(500)).toEqual(small);
    expect(r.stat("ENC_RX_DROP")).toBe(1);
  });

  test("ring overflow: RXERIF is counted and cleared, frames already stored are intact, reception continues", async () => {
    const r = await upRig();
    const burst = Array.from({ length: 8 }, (_, i) => frame(1514, i + 1));
    for (const f of burst) r.wire(f);
    r.drainWire();
    const stored = r.chip.counters.rxFrames;
    expect(r.chip.counters.rxOverflows).toBe(8 - stored);
    expect(r.service()).toBe(0);
    expect(r.stat("ENC_RX_OVERFLOWS")).toBe(1);
    expect(r.chip.peek(0, 0x1c) & 0x01).toBe(0);
    for (let i = 0; i < stored; i++) expect(r.receive()).toEqual(burst[i]);
    expect(r.receive()).toBeNull();
    const after = frame(700, 77);
    r.wire(after);
    r.drainWire();
    expect(r.receive()).toEqual(after);
    expect(r.stat("ENC_RX_RESETS")).toBe(0);
  });

  test("a corrupt next-packet pointer resets the receiver, which then works again", async () => {
    const r = await upRig();
    r.chip.faults.corruptNextPointer = 1;
    r.wire(frame(300, 1));
    r.drainWire();
    expect(r.receive()).toBeNull();
    expect(r.stat("ENC_RX_RESETS")).toBe(1);
    expect(r.chip.peekPtr(0, B0.ERXRDPT)).toBe(RX_END);
    const frames = [frame(200, 2), frame(1514, 3), frame(60, 4)];
    for (const f of frames) r.wire(f);
    r.drainWire();
    for (const f of frames) expect(r.receive()).toEqual(f);
    expect(r.receive()).toBeNull();
  });

  test("a next-packet pointer outside the ring is treated as corruption, never followed", async () => {
    const r = await upRig();
    r.wire(frame(100, 1));
    r.drainWire();
    r.chip.mem[1] = 0x1f; // next pointer 1Fxxh: beyond ERXND
    expect(r.receive()).toBeNull();
    expect(r.stat("ENC_RX_RESETS")).toBe(1);
  });
});

describe("transmit", () => {
  test("a frame goes out padded with its CRC; the chip's TX status is counted", async () => {
    const r = await upRig();
    const f = frame(42, 1);
    expect(r.transmit(f)).toBe(0);
    expect(r.x.nextDeadline()).toBe(1);
    r.advance(1);
    expect(r.service()).toBe(0);
    const padded = new Uint8Array(60);
    padded.set(f);
    expect(r.sent).toEqual([appendFcs(padded)]);
    expect(r.stat("ENC_TX_FRAMES")).toBe(1);
    expect(r.x.nextDeadline()).toBe(-1);
  });

  test("100 back-to-back frames leave in order, byte-exact, with no error", async () => {
    const r = await upRig();
    const frames = sizes(100, 14, 1514).map((n, i) => frame(n, i + 1));
    for (const f of frames) expect(r.transmit(f)).toBe(0);
    r.advance(5);
    r.service();
    expect(r.sent.length).toBe(100);
    r.sent.forEach((s, i) => {
      const f = frames[i];
      const body = f.length < 60 ? Uint8Array.from({ length: 60 }, (_, k) => f[k] ?? 0) : f;
      expect(s).toEqual(appendFcs(body));
    });
    expect(r.stat("ENC_TX_FRAMES")).toBe(100);
    expect(r.stat("ENC_TX_ERRORS")).toBe(0);
    expect(r.chip.counters.txStalls).toBe(0);
  });

  test("late collisions are retransmitted (DS80349 issue 13) and the frame leaves once", async () => {
    const r = await upRig();
    r.chip.faults.lateCollisions = 3;
    const f = frame(300, 1);
    expect(r.transmit(f)).toBe(0);
    for (let i = 0; i < 10; i++) { r.advance(1); r.service(); }
    expect(r.sent).toEqual([appendFcs(f)]);
    expect(r.stat("ENC_TX_RETRIES")).toBe(3);
    expect(r.stat("ENC_TX_ERRORS")).toBe(0);
    expect(r.stat("ENC_TX_FRAMES")).toBe(1);
    expect(r.chip.counters.txStalls).toBe(0);
  });

  test("retries stop after 16 late collisions; the frame is counted as an error and the next one leaves", async () => {
    const r = await upRig();
    r.chip.faults.lateCollisions = 17;
    expect(r.transmit(frame(300, 1))).toBe(0);
    for (let i = 0; i < 40; i++) { r.advance(1); r.service(); }
    expect(r.stat("ENC_TX_RETRIES")).toBe(16);
    expect(r.stat("ENC_TX_ERRORS")).toBe(1);
    expect(r.sent).toHaveLength(0);
    const next = frame(80, 2);
    expect(r.transmit(next)).toBe(0);
    r.advance(1);
    r.service();
    expect(r.sent).toEqual([appendFcs(next)]);
    expect(r.chip.counters.txStalls).toBe(0);
  });

  test("after an excessive-collision abort the TX logic is reset (DS80349 issue 12), so the next frame does not wedge", async () => {
    const r = await upRig();
    r.chip.faults.excessiveCollisions = 1;
    expect(r.transmit(frame(300, 1))).toBe(0);
    r.advance(2);
    r.service();
    expect(r.stat("ENC_TX_ERRORS")).toBe(1);
    const next = frame(300, 2);
    expect(r.transmit(next)).toBe(0);
    r.advance(2);
    r.service();
    expect(r.sent).toEqual([appendFcs(next)]);
    expect(r.chip.counters.txStalls).toBe(0);
    expect(r.chip.peek(0, 0x1c) & 0x02).toBe(0);
  });

  test("a wedged TXRTS is cleared by the TX watchdog 20 ms after encService first sees it", async () => {
    const r = await upRig();
    r.chip.faults.txStall = 1;
    expect(r.transmit(frame(300, 1))).toBe(0);
    r.advance(1);
    r.service(); // the watchdog starts here
    for (let i = 0; i < 19; i++) { r.advance(1); r.service(); }
    expect(r.stat("ENC_TX_ERRORS")).toBe(0);
    expect(r.x.nextDeadline()).toBe(1);
    r.advance(1);
    r.service();
    expect(r.stat("ENC_TX_ERRORS")).toBe(1);
    expect(r.chip.txStuck).toBe(false);
    const next = frame(100, 2);
    expect(r.transmit(next)).toBe(0);
    r.advance(1);
    r.service();
    expect(r.sent).toEqual([appendFcs(next)]);
  });

  test("a wedged TXRTS found by the next transmit is reset within its bounded wait", async () => {
    const r = await upRig();
    r.chip.faults.txStall = 1;
    expect(r.transmit(frame(300, 1))).toBe(0);
    const a = frame(200, 2), b = frame(200, 3);
    expect(r.transmit(a)).toBe(0);
    expect(r.transmit(b)).toBe(0);
    r.advance(2);
    r.service();
    expect(r.stat("ENC_TX_ERRORS")).toBe(1);
    expect(r.sent).toEqual([appendFcs(a), appendFcs(b)]);
  });

  test("transmits between polls (stale clock) do not trip the TX watchdog", async () => {
    const r = await upRig();
    r.advance(500); // far past the last encService time the driver saw
    const frames = Array.from({ length: 50 }, (_, i) => frame(1514, i));
    for (const f of frames) expect(r.transmit(f)).toBe(0);
    r.service();
    r.advance(2);
    r.service();
    expect(r.sent).toHaveLength(50);
    expect(r.stat("ENC_TX_ERRORS")).toBe(0);
  });

  test("full duplex: frames go out and nothing is deferred or aborted", async () => {
    const r = await upRig({ fullDuplex: true });
    r.chip.faults.lateCollisions = 5; // half-duplex only: must not fire
    const f = frame(500, 1);
    expect(r.transmit(f)).toBe(0);
    r.advance(1);
    r.service();
    expect(r.sent).toEqual([appendFcs(f)]);
    expect(r.stat("ENC_TX_RETRIES")).toBe(0);
  });
});

describe("link", () => {
  test("link down then up is seen through LINKIF/PHIR and counted", async () => {
    const r = await upRig();
    expect(r.x.linkUp()).toBe(1);
    r.chip.setLink(false);
    expect(r.service()).toBe(0);
    expect(r.x.linkUp()).toBe(0);
    expect(r.stat("ENC_LINK_UP")).toBe(0);
    expect(r.chip.interruptAsserted).toBe(false);
    r.chip.setLink(true);
    expect(r.service()).toBe(0);
    expect(r.x.linkUp()).toBe(1);
    expect(r.stat("ENC_LINK_CHANGES")).toBe(3); // up at init, down, up
    const f = frame(100, 1);
    r.wire(f);
    r.drainWire();
    expect(r.receive()).toEqual(f);
  });

  test("a board that starts with the cable unplugged reports link down until it is plugged", async () => {
    const r = await rig({ link: false });
    r.up();
    expect(r.x.linkUp()).toBe(0);
    r.chip.setLink(true);
    r.service();
    expect(r.x.linkUp()).toBe(1);
  });
});

describe("bad input from the chip", () => {
  test("a chip answering garbage (ESTAT with its unimplemented bit set) is reset and counted, then runs again", async () => {
    const r = await upRig();
    r.chip.faults.miso = 0x08;
    expect(r.service()).toBe(0);
    expect(r.stat("ENC_CHIP_RESETS")).toBe(1);
    r.chip.faults.miso = null;
    r.advance(2);
    expect(r.service()).toBe(0);
    const f = frame(300, 1);
    r.wire(f);
    r.drainWire();
    expect(r.receive()).toEqual(f);
  });

  test("a chip reset behind the driver's back (RXEN found off) is re-initialised and counted", async () => {
    const r = await upRig();
    const spi = new RawSpi(r.chip);
    spi.src();
    r.advance(2);
    expect(r.service()).toBe(0);
    expect(r.stat("ENC_CHIP_RESETS")).toBe(1);
    r.advance(2);
    expect(r.service()).toBe(0);
    expect(r.chip.peek(2, B2.MACON3)).toBe(0x32);
    const f = frame(300, 1);
    r.wire(f);
    r.drainWire();
    expect(r.receive()).toEqual(f);
  });

  test("random bytes in the ring where a header should be never trap and never hand up an oversized frame", async () => {
    const r = await upRig();
    let x = 12345;
    for (let round = 0; round < 200; round++) {
      const at = r.chip.peekPtr(0, B0.ERXWRPT);
      r.wire(frame(64 + (round % 50), round));
      r.drainWire();
      // Scramble the new packet's header and the start of its frame.
      for (let i = 0; i < 16; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        r.chip.mem[(at + i) % RING_SIZE] = x >>> 24;
      }
      for (let n = 0; n < 20; n++) {
        const got = r.receive(1518);
        if (!got) break;
        expect(got.length).toBeGreaterThanOrEqual(14);
        expect(got.length).toBeLessThanOrEqual(1514);
      }
      expect(r.service()).toBe(0);
    }
    expect(r.stat("ENC_RX_RESETS")).toBeGreaterThan(100);
    expect(r.logLines).toEqual([]);
    const f = frame(500, 999);
    r.wire(f);
    r.drainWire();
    let got: Uint8Array | null = null;
    for (let n = 0; n < 20 && !got; n++) got = r.receive();
    expect(got).toEqual(f);
  });
});

describe("two boards on one cable", () => {
  test("1,000 frames each way between two driver + chip boards arrive in order, byte-exact", async () => {
    const clock = new VirtualClock();
    const macB = Uint8Array.of(0x02, 0, 0, 0, 0, 0x0b);
    const a = (await rig({ clock })).up(true);
    const b = (await rig({ clock })).up(true, macB);
    a.chip.onWireTransmit = (f) => b.chip.wireReceive(f, a.chip.lastTxEndMs);
    b.chip.onWireTransmit = (f) => a.chip.wireReceive(f, b.chip.lastTxEndMs);
    const toB = sizes(1000, 60, 1514, 3).map((n, i) => frame(n, i, macB));
    const toA = sizes(1000, 60, 1514, 4).map((n, i) => frame(n, i + 5000, DEFAULT_MAC));
    const gotA: Uint8Array[] = [], gotB: Uint8Array[] = [];
    let ia = 0, ib = 0;
    for (let guard = 0; guard < 200000 && (gotA.length < 1000 || gotB.length < 1000); guard++) {
      // Each board sends a little and drains its receiver, as a poll loop would.
      if (ia < toB.length) expect(a.transmit(toB[ia++])).toBe(0);
      if (ib < toA.length) expect(b.transmit(toA[ib++])).toBe(0);
      for (const [r, got] of [[a, gotA], [b, gotB]] as const) {
        expect(r.service()).toBe(0);
        for (let f = r.receive(); f; f = r.receive()) got.push(f);
      }
      clock.advance(0.1);
    }
    expect(gotB).toEqual(toB);
    expect(gotA).toEqual(toA);
    expect(a.chip.counters.rxOverflows + b.chip.counters.rxOverflows).toBe(0);
  });
});
