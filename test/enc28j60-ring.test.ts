// Receive-ring pointer arithmetic of the driver (assembly/enc28j60/ring.ts),
// called through the test entry. The ring is 0000h..13FFh (DS80349 issue 5
// puts its start at 0000h).

import { describe, test, expect, beforeEach } from "vitest";
import { rig } from "./helpers/enc28j60.js";
import type { DriverExports } from "../host-sim/enc28j60/rig.js";

const RX_END = 0x13ff;
const SIZE = RX_END + 1;
let x: DriverExports;

beforeEach(async () => { x = (await rig()).x; });

describe("rxRingAdd", () => {
  test.each([
    [0, 0, 0],
    [0, 6, 6],
    [RX_END - 1, 1, RX_END],
    [RX_END, 1, 0],
    [RX_END - 3, 10, 6],
    [0x1000, SIZE, 0x1000],
    [0x1000, 2 * SIZE - 1, 0x0fff],
  ])("%d + %d → %d", (p, n, want) => {
    expect(x.ringAdd(p, n)).toBe(want);
  });
});

describe("rxNextExpected: header + frame with FCS, padded to even (DS39662 §7.2.2)", () => {
  test.each([
    [0, 64, 70],          // even count: no pad
    [0, 65, 72],          // odd count: one pad byte
    [0x1300, 0x100, 0x0006],    // crosses ERXND
    [RX_END - 5, 64, 64 + 6 - 6],
  ])("packet at %d with count %d → next %d", (p, count, want) => {
    expect(x.nextExpected(p, count)).toBe(want);
  });

  test("every expected next pointer is even and inside the ring", () => {
    for (let p = 0; p < SIZE; p += 2 * 97) {
      for (const count of [64, 65, 1517, 1518]) {
        const n = x.nextExpected(p, count);
        expect(n % 2).toBe(0);
        expect(n).toBeLessThanOrEqual(RX_END);
      }
    }
  });
});

describe("rxReadPtrFor: ERXRDPT is always odd (DS80349 issue 14)", () => {
  test("the next pointer minus one, or ERXND when the next packet is at the ring start", () => {
    expect(x.readPtrFor(0)).toBe(RX_END);
    expect(x.readPtrFor(2)).toBe(1);
    expect(x.readPtrFor(0x0a00)).toBe(0x09ff);
  });

  test("odd for every even pointer of the ring", () => {
    for (let p = 0; p <= RX_END; p += 2) expect(x.readPtrFor(p) % 2).toBe(1);
  });
});

describe("rxPtrValid", () => {
  test.each([
    [0, 1], [2, 1], [RX_END - 1, 1], [1, 0], [RX_END, 0], [RX_END + 1, 0], [0x1ffe, 0], [0xffff, 0],
  ])("%d → %d", (p, want) => {
    expect(x.ptrValid(p)).toBe(want);
  });
});
