import { afterEach, describe, expect, test } from "vitest";
import { SerialPortMock } from "serialport";
import { VirtualClock } from "../host-sim/clock.js";
import { appendFcs } from "../host-sim/crc32.js";
import { createMockSerialPair, MAX_BATCH_BYTES, SerialLink } from "../host-sim/links/serial.js";
import { slipEncode } from "../host-sim/links/slip.js";
import { pattern } from "../host-sim/wire/index.js";
import { testFrame } from "./helpers/links-frames.js";
import { ptyPair, type PtyPair, stuckPty, toolGate, waitFor } from "./helpers/links-socat.js";

const A = "02:00:00:00:00:0a", B = "02:00:00:00:00:0b";
const u8 = (...b: number[]) => Uint8Array.from(b);

/** Frames whose payloads are full of SLIP specials, so escaping is exercised. */
function nastyFrame(i: number, len = 60 + (i * 37) % 1400): Uint8Array {
  const p = pattern(len, i + 1);
  for (let k = i % 5; k < p.length; k += 7) p[k] = k % 2 ? 0xc0 : 0xdb;
  return testFrame(B, A, p);
}

/** Every buffer `link` hands to its port from now on, copied. */
function portWrites(link: SerialLink): Buffer[] {
  const port = (link as unknown as { port: { write(d: Buffer): boolean } }).port;
  const writes: Buffer[] = [];
  const write = port.write.bind(port);
  port.write = (d: Buffer) => { writes.push(Buffer.from(d)); return write(d); };
  return writes;
}

const cleanups: Array<() => unknown> = [];

/** Send `frames` in one turn over a mock pair; they must all arrive in order. The port writes they took. */
async function sendInOneTurn(frames: Uint8Array[]): Promise<{ a: SerialLink; writes: Buffer[] }> {
  const { a, b } = createMockSerialPair();
  cleanups.push(() => a.close(), () => b.close());
  await Promise.all([a.opened(), b.opened()]);
  const writes = portWrites(a);
  const atB: Uint8Array[] = [];
  b.onFrame = (f) => atB.push(f);
  for (const f of frames) a.send(f);
  await waitFor(() => atB.length === frames.length, 10_000, "frames");
  expect(atB).toEqual(frames);
  return { a, writes };
}
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

describe("serial link on the mock binding (back-to-back pair)", () => {
  test("frames cross both ways byte-exact, with every escape case", async () => {
    const { a, b } = createMockSerialPair();
    cleanups.push(() => a.close(), () => b.close());
    await Promise.all([a.opened(), b.opened()]);
    const atB: Uint8Array[] = [], atA: Uint8Array[] = [];
    b.onFrame = (f) => atB.push(f);
    a.onFrame = (f) => atA.push(f);
    const sentAB = Array.from({ length: 50 }, (_, i) => nastyFrame(i));
    const sentBA = Array.from({ length: 50 }, (_, i) => nastyFrame(i + 1000));
    for (let i = 0; i < 50; i++) { a.send(sentAB[i]); b.send(sentBA[i]); }
    await waitFor(() => atB.length === 50 && atA.length === 50, 10_000, "frames");
    expect(atB).toEqual(sentAB);
    expect(atA).toEqual(sentBA);
    expect(a.stats()).toMatchObject({ framesOut: 50, framesIn: 50, dropBadFcs: 0, dropSlipEscape: 0 });
  });

  test("frames sent in one turn reach the port in one write, and arrive whole and in order", async () => {
    const { a, writes } = await sendInOneTurn(Array.from({ length: 40 }, (_, i) => nastyFrame(i + 2000)));
    expect(writes).toHaveLength(1);
    expect(writes[0].length).toBe(a.stats().lineBytesOut);
  });

  test("a turn's frames beyond MAX_BATCH_BYTES go in several writes of whole frames, none over the limit", async () => {
    const frames = Array.from({ length: 300 }, (_, i) => nastyFrame(i + 3000));
    const { writes } = await sendInOneTurn(frames);
    const total = frames.reduce((n, f) => n + slipEncode(f).length, 0);
    expect(total).toBeGreaterThan(2 * MAX_BATCH_BYTES);
    expect(writes.length).toBeGreaterThanOrEqual(Math.ceil(total / MAX_BATCH_BYTES));
    for (const w of writes) {
      expect(w.length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      expect(w[w.length - 1]).toBe(0xc0); // each write ends with a frame's END byte
    }
  });

  test("bad FCS, broken escape, runt, oversize and noise are dropped and counted; good frames around them survive", async () => {
    const { a, b, inject } = createMockSerialPair();
    cleanups.push(() => a.close(), () => b.close());
    await Promise.all([a.opened(), b.opened()]);
    const got: Uint8Array[] = [];
    b.onFrame = (f) => got.push(f);
    const good1 = nastyFrame(1), good2 = nastyFrame(2);
    const badFcs = nastyFrame(3).slice();
    badFcs[20] ^= 0x01;
    const brokenEsc = slipEncode(nastyFrame(4)).slice();
    brokenEsc.set([0xdb, 0x42], 10);
    const oversize = slipEncode(appendFcs(pattern(1519, 7)));
    const bytes = [
      ...slipEncode(good1),
      0x11, 0x22, 0x33, // noise between frames, flushed by the next leading END
      ...slipEncode(badFcs),
      ...brokenEsc,
      ...slipEncode(u8(1, 2, 3, 4, 5)), // runt
      ...oversize,
      ...slipEncode(good2),
    ];
    inject("b", Uint8Array.from(bytes));
    await waitFor(() => got.length === 2, 5000, "good frames");
    await waitFor(() => b.stats().dropOversize === 1, 5000, "oversize");
    expect(got).toEqual([good1, good2]);
    expect(b.stats()).toMatchObject({ framesIn: 2, dropBadFcs: 1, dropSlipEscape: 1, dropRunt: 2, dropOversize: 1 });
  });

  test("a truncated frame is dropped; the frame after it arrives", async () => {
    const { a, b, inject } = createMockSerialPair();
    cleanups.push(() => a.close(), () => b.close());
    await Promise.all([a.opened(), b.opened()]);
    const got: Uint8Array[] = [];
    b.onFrame = (f) => got.push(f);
    const cut = slipEncode(nastyFrame(5)).subarray(0, 300);
    const next = nastyFrame(6);
    inject("b", Uint8Array.from([...cut, ...slipEncode(next)]));
    await waitFor(() => got.length === 1, 5000, "frame");
    expect(got[0]).toEqual(next);
    expect(b.stats().dropBadFcs).toBe(1);
  });

  test("send of a frame longer than 1522 bytes is refused and counted", async () => {
    const { a, b } = createMockSerialPair();
    cleanups.push(() => a.close(), () => b.close());
    a.send(appendFcs(pattern(1519, 1)));
    a.send(appendFcs(pattern(1518, 1)));
    expect(a.stats()).toMatchObject({ dropOversizeOut: 1, framesOut: 1 });
  });

  test("an unplugged device is reported once via onDown; the other pair keeps running", async () => {
    const p1 = createMockSerialPair(), p2 = createMockSerialPair();
    cleanups.push(() => p1.a.close(), () => p1.b.close(), () => p2.a.close(), () => p2.b.close());
    await Promise.all([p1.a.opened(), p1.b.opened(), p2.a.opened(), p2.b.opened()]);
    const downs: string[] = [];
    p1.a.onDown = (r) => downs.push(r);
    p1.unplug("a");
    await waitFor(() => downs.length === 1, 5000, "onDown");
    expect(downs[0]).toMatch(/disconnected/);
    expect(p1.a.isUp).toBe(false);
    p1.a.send(nastyFrame(1));
    expect(p1.a.stats().dropDown).toBe(1);
    const got: Uint8Array[] = [];
    p2.b.onFrame = (f) => got.push(f);
    p2.a.send(nastyFrame(9));
    await waitFor(() => got.length === 1, 5000, "frame on the other pair");
    expect(downs.length).toBe(1);
  });
});

describe("serial link on the plain mock binding", () => {
  test("writes exactly the SLIP bytes and decodes what the port emits", async () => {
    const path = "/dev/embertcp-plain-mock";
    SerialPortMock.binding.createPort(path, { record: true });
    const link = new SerialLink({ path, binding: SerialPortMock.binding });
    cleanups.push(() => link.close());
    await link.opened();
    const f1 = nastyFrame(11), f2 = nastyFrame(12);
    link.send(f1);
    link.send(f2);
    await link.flush();
    const port = (link as unknown as { port: { port: { recording: Buffer; emitData(d: Buffer): void } } }).port.port;
    expect([...port.recording]).toEqual([...slipEncode(f1), ...slipEncode(f2)]);
    const got: Uint8Array[] = [];
    link.onFrame = (f) => got.push(f);
    port.emitData(Buffer.from(slipEncode(f2)));
    await waitFor(() => got.length === 1, 5000, "frame");
    expect(got[0]).toEqual(f2);
  });

  test("a port that cannot be opened is reported, not thrown", async () => {
    const link = new SerialLink({ path: "/dev/embertcp-no-such-mock", binding: SerialPortMock.binding });
    const downs: string[] = [];
    link.onDown = (r) => downs.push(r);
    await expect(link.opened()).rejects.toThrow(/cannot open/);
    expect(downs.length).toBe(1);
    link.send(nastyFrame(1));
    expect(link.stats().dropDown).toBe(1);
  });
});

describe("serial pacing (accounted in virtual time)", () => {
  test.each([9600, 115200, 921600])("%i baud: bytes leave at baud/10 per second", async (baud) => {
    const clock = new VirtualClock();
    const { a, b } = createMockSerialPair({ pace: true, clock, baudRate: baud });
    cleanups.push(() => a.close(), () => b.close());
    await Promise.all([a.opened(), b.opened()]);
    const got: Uint8Array[] = [];
    b.onFrame = (f) => got.push(f);
    const frames = Array.from({ length: 20 }, (_, i) => nastyFrame(i));
    const lineBytes = frames.reduce((n, f) => n + slipEncode(f).length, 0);
    for (const f of frames) a.send(f);
    const expectedMs = (lineBytes * 10 * 1000) / baud;
    expect(a.lineIdleAt()).toBeCloseTo(expectedMs, 6);
    // Nothing goes out until time passes; then bytes follow the rate within one slice.
    const slice = Math.max(1, Math.floor((baud / 10 / 1000) * 2));
    expect(a.stats().lineBytesOut).toBe(0);
    for (const frac of [0.1, 0.25, 0.5, 0.9]) {
      clock.advanceTo(expectedMs * frac);
      const want = (baud / 10 / 1000) * expectedMs * frac;
      expect(Math.abs(a.stats().lineBytesOut - want)).toBeLessThanOrEqual(slice);
    }
    clock.advanceTo(expectedMs);
    expect(a.stats().lineBytesOut).toBe(lineBytes);
    expect(a.stats().lineMs).toBeCloseTo(expectedMs, 6);
    expect(a.backlogBytes).toBe(0);
    await waitFor(() => got.length === 20, 10_000, "paced frames");
    expect(got).toEqual(frames);
  });

  test("an idle line earns no credit: a frame sent later starts at its send time", async () => {
    const clock = new VirtualClock();
    const { a, b } = createMockSerialPair({ pace: true, clock, baudRate: 10_000 }); // 1 byte/ms
    cleanups.push(() => a.close(), () => b.close());
    const f = nastyFrame(3, 100);
    const n = slipEncode(f).length;
    a.send(f);
    clock.advanceTo(5000);
    a.send(f);
    expect(a.lineIdleAt()).toBeCloseTo(5000 + n, 6);
    clock.advanceTo(5000 + n - 5);
    expect(a.stats().lineBytesOut).toBeLessThan(2 * n);
    clock.advanceTo(5000 + n);
    expect(a.stats().lineBytesOut).toBe(2 * n);
  });
});

const socat = toolGate("socat");

describe.runIf(socat)("serial link on real ptys from socat", () => {
  let pairs: PtyPair[] = [];
  afterEach(async () => { for (const p of pairs) await p.kill(); pairs = []; });

  test("1,000 frames cross byte-exact in both directions", async () => {
    const pty = await ptyPair();
    pairs.push(pty);
    const a = new SerialLink({ path: pty.paths[0], baudRate: 921600 });
    const b = new SerialLink({ path: pty.paths[1], baudRate: 921600 });
    cleanups.push(() => a.close(), () => b.close());
    await Promise.all([a.opened(), b.opened()]);
    const atA: Uint8Array[] = [], atB: Uint8Array[] = [];
    a.onFrame = (f) => atA.push(f);
    b.onFrame = (f) => atB.push(f);
    const ab = Array.from({ length: 1000 }, (_, i) => nastyFrame(i));
    const ba = Array.from({ length: 1000 }, (_, i) => nastyFrame(5000 + i));
    for (let i = 0; i < 1000; i++) { a.send(ab[i]); b.send(ba[i]); }
    await waitFor(() => atA.length === 1000 && atB.length === 1000, 45_000,
      () => `1000 frames each way: ${atB.length} a→b, ${atA.length} b→a; a ${JSON.stringify(a.stats())}; b ${JSON.stringify(b.stats())}`);
    expect(atB).toEqual(ab);
    expect(atA).toEqual(ba);
    for (const l of [a, b]) expect(l.stats()).toMatchObject({ framesIn: 1000, framesOut: 1000, dropBadFcs: 0, dropSlipEscape: 0, dropRunt: 0, dropOversize: 0 });
  });

  test("paced with a real clock, frames still arrive intact", async () => {
    const pty = await ptyPair();
    pairs.push(pty);
    const a = new SerialLink({ path: pty.paths[0], baudRate: 3_000_000, pace: true });
    const b = new SerialLink({ path: pty.paths[1], baudRate: 3_000_000 });
    cleanups.push(() => a.close(), () => b.close());
    await Promise.all([a.opened(), b.opened()]);
    const got: Uint8Array[] = [];
    b.onFrame = (f) => got.push(f);
    const frames = Array.from({ length: 100 }, (_, i) => nastyFrame(i));
    for (const f of frames) a.send(f);
    await waitFor(() => got.length === 100, 30_000, "paced frames");
    expect(got).toEqual(frames);
    expect(a.stats().lineMs).toBeCloseTo((frames.reduce((n, f) => n + slipEncode(f).length, 0) * 10 * 1000) / 3_000_000, 6);
  });

  test("a vanished tty (socat killed) is reported via onDown, nothing throws, the other link keeps running", async () => {
    const doomed = await ptyPair(), healthy = await ptyPair();
    pairs.push(doomed, healthy);
    const d1 = new SerialLink({ path: doomed.paths[0] });
    const h1 = new SerialLink({ path: healthy.paths[0] }), h2 = new SerialLink({ path: healthy.paths[1] });
    cleanups.push(() => d1.close(), () => h1.close(), () => h2.close());
    await Promise.all([d1.opened(), h1.opened(), h2.opened()]);
    const downs: string[] = [];
    d1.onDown = (r) => downs.push(r);
    await doomed.kill();
    await waitFor(() => downs.length === 1, 10_000, "onDown after socat died");
    expect(downs[0]).toContain(doomed.paths[0]);
    d1.send(nastyFrame(1));
    expect(d1.stats().dropDown).toBe(1);
    const got: Uint8Array[] = [];
    h2.onFrame = (f) => got.push(f);
    for (let i = 0; i < 10; i++) h1.send(nastyFrame(i));
    await waitFor(() => got.length === 10, 10_000, "frames on the healthy link");
    expect(downs.length).toBe(1);
  });

  test("opening a tty that does not exist is reported via onDown", async () => {
    const l = new SerialLink({ path: "/dev/pts/embertcp-missing" });
    const downs: string[] = [];
    l.onDown = (r) => downs.push(r);
    await expect(l.opened()).rejects.toThrow(/cannot open/);
    expect(downs.length).toBe(1);
  });
});

describe.runIf(toolGate("python3"))("serial link on a pty that python3 holds", () => {
  test("a frame arrives while the link's own writes wait for a tty that is not draining", async () => {
    const tty = await stuckPty();
    cleanups.push(() => tty.kill());
    const link = new SerialLink({ path: tty.path });
    cleanups.push(() => link.close());
    await link.opened();
    const got: Uint8Array[] = [];
    link.onFrame = (f) => got.push(f);
    // About 1 MB: far more than a pty buffers, so the link's write waits.
    for (let i = 0; i < 700; i++) link.send(nastyFrame(i, 1400));
    await new Promise((r) => setTimeout(r, 300));
    const incoming = nastyFrame(9999, 200);
    tty.inject(slipEncode(incoming));
    await waitFor(() => got.length === 1, 10_000, "the frame written by the far end");
    expect(got[0]).toEqual(incoming);
    expect(link.stats().lineBytesOut).toBeGreaterThan(900_000);
  });
});
