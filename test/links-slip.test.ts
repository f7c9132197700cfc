import { describe, expect, test } from "vitest";
import { SLIP_END, SLIP_ESC, SLIP_ESC_END, SLIP_ESC_ESC, SlipDecoder, type SlipError, slipEncode, slipEncodedLength } from "../host-sim/links/slip.js";
import { pattern } from "../host-sim/wire/index.js";

function decodeAll(chunks: Uint8Array[], max = 1522): { packets: number[][]; errors: SlipError[] } {
  const d = new SlipDecoder(max);
  const packets: number[][] = [];
  const errors: SlipError[] = [];
  d.onPacket = (p) => packets.push([...p]);
  d.onError = (e) => errors.push(e);
  for (const c of chunks) d.push(c);
  return { packets, errors };
}

const u8 = (...b: number[]) => Uint8Array.from(b);

describe("slip encode (RFC 1055)", () => {
  test.each([
    ["plain bytes", [1, 2, 3], [0xc0, 1, 2, 3, 0xc0]],
    ["END in data → ESC ESC_END", [0xc0], [0xc0, 0xdb, 0xdc, 0xc0]],
    ["ESC in data → ESC ESC_ESC", [0xdb], [0xc0, 0xdb, 0xdd, 0xc0]],
    ["ESC then END", [0xdb, 0xc0], [0xc0, 0xdb, 0xdd, 0xdb, 0xdc, 0xc0]],
    ["END then ESC", [0xc0, 0xdb], [0xc0, 0xdb, 0xdc, 0xdb, 0xdd, 0xc0]],
    ["ESC_END/ESC_ESC values alone pass as is", [0xdc, 0xdd], [0xc0, 0xdc, 0xdd, 0xc0]],
    ["mixed at both edges", [0xc0, 5, 0xdb, 0xdb, 6, 0xc0], [0xc0, 0xdb, 0xdc, 5, 0xdb, 0xdd, 0xdb, 0xdd, 6, 0xdb, 0xdc, 0xc0]],
  ])("%s", (_name, input, wire) => {
    const enc = slipEncode(Uint8Array.from(input));
    expect([...enc]).toEqual(wire);
    expect(slipEncodedLength(Uint8Array.from(input))).toBe(wire.length);
    expect(decodeAll([enc]).packets).toEqual([input]);
  });

  test("constants are the RFC 1055 values", () => {
    expect([SLIP_END, SLIP_ESC, SLIP_ESC_END, SLIP_ESC_ESC]).toEqual([0xc0, 0xdb, 0xdc, 0xdd]);
  });

  test("every byte value round-trips", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeAll([slipEncode(all)]).packets).toEqual([[...all]]);
  });
});

describe("slip decode", () => {
  test("a frame split across one-byte chunks and random chunks", () => {
    const frames = [pattern(600, 1), u8(0xc0, 0xdb, 0xc0, 0xdb), pattern(1500, 2)];
    const wire = Uint8Array.from(frames.flatMap((f) => [...slipEncode(f)]));
    const ones = [...wire].map((b) => u8(b));
    expect(decodeAll(ones).packets).toEqual(frames.map((f) => [...f]));
    const chunks: Uint8Array[] = [];
    const cuts = pattern(200, 9);
    for (let i = 0, k = 0; i < wire.length; k++) {
      const n = 1 + (cuts[k % cuts.length] % 37);
      chunks.push(wire.subarray(i, i + n));
      i += n;
    }
    expect(chunks.length).toBeGreaterThan(50);
    expect(decodeAll(chunks).packets).toEqual(frames.map((f) => [...f]));
  });

  test("an escape split between chunks is still decoded", () => {
    expect(decodeAll([u8(0xc0, 7, 0xdb), u8(0xdc, 8, 0xc0)]).packets).toEqual([[7, 0xc0, 8]]);
  });

  test("empty packets (END END) are ignored without an error", () => {
    const r = decodeAll([u8(0xc0, 0xc0, 0xc0, 1, 0xc0, 0xc0)]);
    expect(r.packets).toEqual([[1]]);
    expect(r.errors).toEqual([]);
  });

  test("ESC followed by a byte other than ESC_END/ESC_ESC breaks the packet; the next one survives", () => {
    const r = decodeAll([u8(0xc0, 1, 0xdb, 0x41, 2, 0xc0), slipEncode(u8(9, 9))]);
    expect(r.errors).toEqual(["escape"]);
    expect(r.packets).toEqual([[9, 9]]);
  });

  test("ESC immediately followed by END breaks the packet", () => {
    const r = decodeAll([u8(0xc0, 1, 2, 0xdb, 0xc0), slipEncode(u8(3))]);
    expect(r.errors).toEqual(["escape"]);
    expect(r.packets).toEqual([[3]]);
  });

  test("a packet longer than the limit is dropped as oversize at its END", () => {
    const r = decodeAll([slipEncode(pattern(11, 3)), slipEncode(pattern(10, 4)), slipEncode(pattern(9, 5))], 10);
    expect(r.errors).toEqual(["oversize"]);
    expect(r.packets).toEqual([[...pattern(10, 4)], [...pattern(9, 5)]]);
  });

  test("a truncated packet is merged with nothing: the leading END of the next frame ends it", () => {
    const whole = slipEncode(pattern(40, 6));
    const cut = whole.subarray(0, 20); // sender died mid-frame
    const r = decodeAll([cut, slipEncode(u8(1, 2, 3))]);
    // The stub comes out as its own (short, bad) packet, the next frame intact.
    expect(r.packets).toEqual([[...pattern(40, 6).subarray(0, 19)], [1, 2, 3]]);
  });

  test("partialLength reports an unfinished packet", () => {
    const d = new SlipDecoder(100);
    d.push(u8(0xc0, 1, 2, 3));
    expect(d.partialLength).toBe(3);
    d.push(u8(0xc0));
    expect(d.partialLength).toBe(0);
  });
});
