import { describe, expect, test } from "vitest";
import { RealClock, VirtualClock } from "../host-sim/clock.js";
import { createPair } from "../host-sim/links/pair.js";
import { slipEncode } from "../host-sim/links/slip.js";
import { LearningSwitch } from "../host-sim/links/switch.js";
import type { LinkEnd } from "../host-sim/links/types.js";
import { BROADCAST_MAC, pattern } from "../host-sim/wire/index.js";
import { runUntilIdle, testFrame } from "./helpers/links-frames.js";

describe("VirtualClock", () => {
  test("timers fire in time order, equal times in scheduling order, cancelled ones never", () => {
    const c = new VirtualClock(100);
    const log: string[] = [];
    c.at(130, () => log.push("c130"));
    c.at(110, () => log.push("a110"));
    const x = c.at(110, () => log.push("x"));
    c.at(110, () => log.push("b110"));
    c.at(50, () => log.push("past→now"));
    c.cancel(x);
    expect(c.pending).toBe(4);
    expect(c.nextAt()).toBe(100);
    c.advanceTo(120);
    expect(log).toEqual(["past→now", "a110", "b110"]);
    expect(c.now()).toBe(120);
    c.advance(100);
    expect(log.at(-1)).toBe("c130");
    expect(c.pending).toBe(0);
    expect(c.nextAt()).toBeUndefined();
  });

  test("a timer scheduled from a timer for an earlier-or-equal time runs in the same advance, after its scheduler", () => {
    const c = new VirtualClock();
    const log: number[] = [];
    c.at(10, () => { log.push(c.now()); c.at(10, () => log.push(-c.now())); c.at(5, () => log.push(100 + c.now())); });
    c.at(20, () => log.push(c.now()));
    c.advanceTo(30);
    expect(log).toEqual([10, -10, 110, 20]);
  });

  test("re-arming a far-future timer over and over does not grow the heap without bound", () => {
    const c = new VirtualClock();
    let h = c.at(1e9, () => {});
    for (let i = 0; i < 100_000; i++) { c.cancel(h); h = c.at(1e9 + i, () => {}); }
    expect(c.pending).toBe(1);
    expect(c.heapSize).toBeLessThan(200);
    let fired = 0;
    c.cancel(h);
    c.at(5, () => fired++);
    c.advanceTo(2e9);
    expect(fired).toBe(1);
  });

  test("many timers with random times come out sorted and stable", () => {
    const c = new VirtualClock();
    const times = pattern(5000, 42);
    const fired: Array<[number, number]> = [];
    times.forEach((t, i) => c.at(t % 50, () => fired.push([c.now(), i])));
    for (let i = 0; i < 5000; i += 3) c.cancel(i + 1);
    c.advanceTo(1000);
    const expected = [...times].map((t, i) => [t % 50, i] as [number, number]).filter((_, i) => i % 3 !== 0)
      .sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    expect(fired).toEqual(expected);
  });
});

const A = "02:00:00:00:00:0a", B = "02:00:00:00:00:0b", C = "02:00:00:00:00:0c", D = "02:00:00:00:00:0d";

describe("in-process pair", () => {
  test("delivery waits for the clock (never synchronous), copies the frame, keeps order", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock);
    const got: Uint8Array[] = [];
    b.onFrame = (f) => got.push(f);
    const f1 = testFrame(B, A, pattern(50, 1)), f2 = testFrame(B, A, pattern(50, 2));
    const sent1 = f1.slice();
    a.send(f1);
    f1.fill(0); // the sender may reuse its buffer
    a.send(f2);
    expect(got).toEqual([]);
    clock.advance(0);
    expect(got).toEqual([sent1, f2]);
    expect(a.stats()).toMatchObject({ framesOut: 2, bytesOut: sent1.length + f2.length });
    expect(b.stats()).toMatchObject({ framesIn: 2 });
  });

  test("a reply sent from inside onFrame arrives on a later turn (no re-entrancy)", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock);
    let depth = 0, maxDepth = 0, pings = 0;
    b.onFrame = (f) => { depth++; maxDepth = Math.max(maxDepth, depth); b.send(f); depth--; };
    a.onFrame = (f) => { if (++pings < 10) a.send(f); };
    a.send(testFrame(B, A, pattern(20, 3)));
    runUntilIdle(clock);
    expect(pings).toBe(10);
    expect(maxDepth).toBe(1);
  });

  test("latency and serial line time are accounted in virtual time", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock, { latencyMs: 3, baud: 115200 });
    const at: number[] = [];
    b.onFrame = () => at.push(clock.now());
    const f = testFrame(B, A, pattern(100, 4));
    const lineMs = (slipEncode(f).length * 10 * 1000) / 115200;
    a.send(f); a.send(f);
    expect(a.lineIdleAt()).toBeCloseTo(2 * lineMs, 9);
    runUntilIdle(clock);
    expect(at[0]).toBeCloseTo(lineMs + 3, 9);
    expect(at[1]).toBeCloseTo(2 * lineMs + 3, 9);
  });

  test("checkFcs drops corrupted frames and counts them", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock, { checkFcs: true });
    const got: Uint8Array[] = [];
    b.onFrame = (f) => got.push(f);
    const bad = testFrame(B, A, pattern(30, 5));
    bad[40] ^= 0x80;
    a.send(bad);
    a.send(testFrame(B, A, pattern(30, 6)));
    runUntilIdle(clock);
    expect(got.length).toBe(1);
    expect(b.stats().dropBadFcs).toBe(1);
  });

  test("closing one end reports 'peer closed' to the other on a later turn", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock);
    const downs: string[] = [];
    b.onDown = (r) => downs.push(r);
    a.onDown = (r) => downs.push("a:" + r);
    a.close();
    expect(downs).toEqual([]);
    runUntilIdle(clock);
    expect(downs).toEqual(["peer closed"]);
    b.send(testFrame(A, B, pattern(20, 1)));
    expect(b.stats().dropClosed).toBe(1);
  });

  test("after close, in-flight frames are not delivered and sends are counted as dropped", () => {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock, { latencyMs: 5 });
    const got: Uint8Array[] = [];
    b.onFrame = (f) => got.push(f);
    a.send(testFrame(B, A, pattern(30, 7)));
    a.close();
    a.send(testFrame(B, A, pattern(30, 7)));
    runUntilIdle(clock);
    expect(got).toEqual([]);
    expect(a.stats().dropClosed).toBe(1);
  });
});

describe("learning switch", () => {
  function rig(n: number) {
    const clock = new VirtualClock();
    const sw = new LearningSwitch({ clock, ageMs: 1000 });
    const ends = Array.from({ length: n }, () => sw.connect(clock));
    const got = ends.map(() => [] as Uint8Array[]);
    ends.forEach((e, i) => { e.onFrame = (f) => got[i].push(f); });
    const run = () => runUntilIdle(clock);
    return { clock, sw, ends, got, run };
  }

  test("unknown unicast floods to every other port, then the reply is forwarded to the learned port only", () => {
    const { sw, ends, got, run } = rig(4);
    const q = testFrame(B, A, pattern(40, 1));
    ends[0].send(q);
    run();
    expect(got.map((g) => g.length)).toEqual([0, 1, 1, 1]);
    expect(got[1][0]).toEqual(q);
    const r = testFrame(A, B, pattern(40, 2));
    ends[1].send(r);
    run();
    expect(got.map((g) => g.length)).toEqual([1, 1, 1, 1]);
    expect(got[0][0]).toEqual(r);
    ends[0].send(testFrame(B, A, pattern(40, 3)));
    run();
    expect(got.map((g) => g.length)).toEqual([1, 2, 1, 1]);
    expect(sw.stats()).toMatchObject({ framesIn: 3, flooded: 1, forwarded: 2, learned: 2 });
    expect(sw.macTable()).toEqual(new Map([[A, 1], [B, 2]]));
  });

  test("broadcast and multicast always flood, even to learned addresses", () => {
    const { ends, got, run } = rig(3);
    ends[1].send(testFrame(A, B, pattern(40, 1)));
    ends[2].send(testFrame(A, C, pattern(40, 1)));
    run();
    got.forEach((g) => g.splice(0));
    ends[0].send(testFrame(BROADCAST_MAC, A, pattern(40, 2)));
    ends[0].send(testFrame("01:00:5e:00:00:01", A, pattern(40, 3)));
    run();
    expect(got.map((g) => g.length)).toEqual([0, 2, 2]);
  });

  test("a frame for an address on the ingress port is filtered", () => {
    const { sw, ends, got, run } = rig(3);
    ends[0].send(testFrame(BROADCAST_MAC, A, pattern(40, 1)));
    run();
    got.forEach((g) => g.splice(0));
    ends[0].send(testFrame(A, D, pattern(40, 2)));
    run();
    expect(got.map((g) => g.length)).toEqual([0, 0, 0]);
    expect(sw.stats().filtered).toBe(1);
  });

  test("a station that moves is re-learned; silent addresses age out and are flooded again", () => {
    const { clock, sw, ends, got, run } = rig(3);
    ends[0].send(testFrame(BROADCAST_MAC, A, pattern(40, 1)));
    run();
    ends[2].send(testFrame(BROADCAST_MAC, A, pattern(40, 1)));
    run();
    expect(sw.macTable().get(A)).toBe(3);
    expect(sw.stats().moved).toBe(1);
    got.forEach((g) => g.splice(0));
    clock.advance(1500);
    ends[1].send(testFrame(A, B, pattern(40, 2)));
    run();
    expect(got.map((g) => g.length)).toEqual([1, 0, 1]);
    expect(sw.stats().aged).toBe(1);
  });

  test("bad FCS and runt frames are dropped at the switch", () => {
    const { sw, ends, got, run } = rig(2);
    const bad = testFrame(B, A, pattern(40, 1));
    bad[30] ^= 4;
    ends[0].send(bad);
    ends[0].send(new Uint8Array(10));
    run();
    expect(got[1]).toEqual([]);
    expect(sw.stats()).toMatchObject({ dropBadFcs: 1, dropRunt: 1, learned: 0 });
  });

  test("a port that goes down is detached and reported; the others keep switching", () => {
    const clock = new VirtualClock();
    const sw = new LearningSwitch({ clock });
    const e1 = sw.connect(clock), e2 = sw.connect(clock);
    // A device end whose tty vanishes, reported the way SerialLink does.
    const device: LinkEnd = { onFrame: null, onDown: null, send() {}, close() {}, stats: () => ({}) };
    const p3 = sw.attach(device);
    const downs: Array<[number, string]> = [];
    sw.onPortDown = (p, r) => downs.push([p, r]);
    device.onDown?.("tty vanished");
    expect(downs).toEqual([[p3, "tty vanished"]]);
    expect(sw.portNumbers()).toEqual([1, 2]);
    const got: Uint8Array[] = [];
    e2.onFrame = (f) => got.push(f);
    e1.send(testFrame(BROADCAST_MAC, A, pattern(40, 1)));
    runUntilIdle(clock);
    expect(got.length).toBe(1);
    expect(sw.stats().portsDown).toBe(1);
  });

  test("ten stations on one switch: every unicast reaches exactly its destination once learned", () => {
    const { ends, got, run } = rig(10);
    const mac = (i: number) => `02:00:00:00:01:${i.toString(16).padStart(2, "0")}`;
    for (let i = 0; i < 10; i++) ends[i].send(testFrame(BROADCAST_MAC, mac(i), pattern(30, i + 1)));
    run();
    got.forEach((g) => g.splice(0));
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) if (i !== j) ends[i].send(testFrame(mac(j), mac(i), pattern(30, i * 10 + j + 1)));
    run();
    got.forEach((g, j) => {
      expect(g.length).toBe(9);
      for (const f of g) expect([...f.subarray(0, 6)]).toEqual(mac(j).split(":").map((h) => parseInt(h, 16)));
    });
  });
});

describe("RealClock", () => {
  test("a timer never runs before its time, even where setTimeout fires a fraction of a ms early", async () => {
    const clock = new RealClock();
    const early: number[] = [];
    await Promise.all(Array.from({ length: 200 }, (_, i) => new Promise<void>((resolve) => {
      const at = clock.now() + 0.3 + (i % 7) * 0.37;
      clock.at(at, () => { if (clock.now() < at) early.push(at - clock.now()); resolve(); });
    })));
    expect(early).toEqual([]);
  });
});
