import { describe, expect, test } from "vitest";
import { VirtualClock } from "../host-sim/clock.js";
import { fcsValid } from "../host-sim/crc32.js";
import { type FaultOptions, Prng, withFaults } from "../host-sim/links/faults.js";
import { createPair } from "../host-sim/links/pair.js";
import { runUntilIdle, testFrame } from "./helpers/links-frames.js";

const A = "02:00:00:00:00:0a", B = "02:00:00:00:00:0b";

/** Frame i carries its index in the payload so order and identity can be checked. */
function numbered(i: number): Uint8Array {
  const p = new Uint8Array(46);
  new DataView(p.buffer).setUint32(0, i);
  return testFrame(B, A, p);
}
const indexOf = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset + 14).getUint32(0);

/** Send n numbered frames through a faulty end at 1 ms spacing; collect what arrives. */
function run(opts: FaultOptions, n: number) {
  const clock = new VirtualClock();
  const [a, b] = createPair(clock);
  const fa = withFaults(a, clock, opts);
  const got: Uint8Array[] = [];
  b.onFrame = (f) => got.push(f);
  for (let i = 0; i < n; i++) clock.at(i, () => fa.send(numbered(i)));
  runUntilIdle(clock);
  return { got, stats: fa.stats() };
}

describe("Prng", () => {
  test("is deterministic per seed and roughly uniform", () => {
    const a = new Prng(7), b = new Prng(7), c = new Prng(8);
    const xs = Array.from({ length: 10000 }, () => a.next());
    expect(Array.from({ length: 10000 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 10 }, () => c.next())).not.toEqual(xs.slice(0, 10));
    const buckets = new Array(10).fill(0);
    for (const x of xs) { expect(x).toBeGreaterThanOrEqual(0); expect(x).toBeLessThan(1); buckets[Math.floor(x * 10)]++; }
    for (const k of buckets) expect(Math.abs(k - 1000)).toBeLessThan(150);
  });
});

describe("fault injector", () => {
  const N = 20000;
  // With N = 20000 and p = 0.1 the standard deviation is ~42 frames, so ±200 is ~5σ.
  test.each([
    ["drop", { drop: 0.1 }, "dropped"],
    ["duplicate", { duplicate: 0.1 }, "duplicated"],
    ["reorder", { reorder: 0.1 }, "reordered"],
    ["delay", { delay: 0.1, delayMs: [5, 20] as [number, number] }, "delayed"],
    ["corrupt", { corrupt: 0.1 }, "corrupted"],
  ])("%s at 10%% happens close to 10%% of the time", (_n, o, counter) => {
    const { stats } = run({ seed: 1234, ...o }, N);
    expect(stats["out.offered"]).toBe(N);
    expect(Math.abs(stats[`out.${counter}`] - N * 0.1)).toBeLessThan(200);
  });

  test("drop: exactly the non-dropped frames arrive, in order", () => {
    const { got, stats } = run({ seed: 5, drop: 0.3 }, 5000);
    expect(got.length).toBe(5000 - stats["out.dropped"]);
    const idx = got.map(indexOf);
    expect(idx).toEqual([...idx].sort((x, y) => x - y));
  });

  test("corrupt: every corrupted frame fails its FCS, the rest are intact", () => {
    const { got, stats } = run({ seed: 6, corrupt: 0.2 }, 5000);
    const bad = got.filter((f) => !fcsValid(f));
    expect(bad.length).toBe(stats["out.corrupted"]);
    for (const f of got.filter((f) => fcsValid(f))) expect(f).toEqual(numbered(indexOf(f)));
  });

  test("duplicate: duplicated frames arrive twice", () => {
    const { got, stats } = run({ seed: 7, duplicate: 0.25 }, 4000);
    expect(got.length).toBe(4000 + stats["out.duplicated"]);
    expect(new Set(got.map(indexOf)).size).toBe(4000);
  });

  test("reorder: a held frame arrives right after its successor; nothing is lost", () => {
    const { got, stats } = run({ seed: 8, reorder: 0.2 }, 4000);
    const idx = got.map(indexOf);
    expect(new Set(idx).size).toBe(4000);
    let inversions = 0;
    for (let i = 1; i < idx.length; i++) if (idx[i] < idx[i - 1]) { inversions++; expect(idx[i - 1] - idx[i]).toBe(1); }
    expect(inversions).toBe(stats["out.reordered"]);
  });

  test("reorder: a held frame with no successor is released after reorderMaxMs", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock);
    const fa = withFaults(a, clock, { seed: 1, reorder: 1, reorderMaxMs: 40 });
    const at: number[] = [];
    b.onFrame = () => at.push(clock.now());
    fa.send(numbered(0));
    runUntilIdle(clock);
    expect(at).toEqual([40]);
  });

  test("delay: delayed frames arrive within [min, max] later", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock);
    const fa = withFaults(a, clock, { seed: 9, delay: 0.5, delayMs: [5, 20] });
    const arrivals = new Map<number, number>();
    b.onFrame = (f) => arrivals.set(indexOf(f), clock.now());
    for (let i = 0; i < 2000; i++) clock.at(i * 100, () => fa.send(numbered(i)));
    runUntilIdle(clock);
    let delayed = 0;
    for (const [i, t] of arrivals) {
      const lag = t - i * 100;
      if (lag > 0) { delayed++; expect(lag).toBeGreaterThanOrEqual(5); expect(lag).toBeLessThanOrEqual(20); }
    }
    expect(delayed).toBe(fa.stats()["out.delayed"]);
    expect(arrivals.size).toBe(2000);
  });

  test("the same seed gives the same faults; another seed gives others", () => {
    const o = { drop: 0.05, duplicate: 0.05, reorder: 0.05, delay: 0.05, corrupt: 0.05, delayMs: [1, 30] as [number, number] };
    const r1 = run({ seed: 42, ...o }, 3000), r2 = run({ seed: 42, ...o }, 3000), r3 = run({ seed: 43, ...o }, 3000);
    expect(r2.got).toEqual(r1.got);
    expect(r2.stats).toEqual(r1.stats);
    expect(r3.got).not.toEqual(r1.got);
  });

  test("direction 'in' applies faults to received frames only; 'both' counts each way", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock);
    const fb = withFaults(b, clock, { seed: 3, drop: 1, direction: "in" });
    const atB: Uint8Array[] = [], atA: Uint8Array[] = [];
    fb.onFrame = (f) => atB.push(f);
    a.onFrame = (f) => atA.push(f);
    a.send(numbered(1));
    fb.send(numbered(2));
    runUntilIdle(clock);
    expect(atB).toEqual([]);
    expect(atA.length).toBe(1);
    expect(fb.stats()).toMatchObject({ "in.dropped": 1, framesOut: 1 });
    expect(fb.stats()["out.offered"]).toBeUndefined();
  });

  test("onDown of the wrapped end reaches the wrapper's owner", () => {
    const clock = new VirtualClock();
    const [a] = createPair(clock);
    const fa = withFaults(a, clock, { seed: 1 });
    const downs: string[] = [];
    fa.onDown = (r) => downs.push(r);
    a.onDown?.("gone");
    expect(downs).toEqual(["gone"]);
  });
});
