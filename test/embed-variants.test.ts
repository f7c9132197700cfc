/**
 * The two builds a firmware can take: build/embertcp.wasm (own, exported
 * memory) and build/embertcp.imported-memory.wasm (imports env.memory and
 * keeps to the addresses from EMBERTCP_IMPORTED_MEMORY_BASE up).
 */
import { readFileSync, statSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Stack, ipToNumber, macToBytes } from "../host-sim/stack.js";
import { arpRequestFrame, echoRequestFrame } from "../host-sim/ping.js";
import { buildPath } from "../host-sim/paths.js";
import { IMPORTED_MEMORY_BASE, IMPORTED_MEMORY_PAGES } from "./helpers/embed-board.js";
import { moduleSignatures } from "./helpers/embed-wasm.js";

const HAL = ["hal.entropy", "hal.frame_out", "hal.log", "hal.spi_select", "hal.spi_transfer"];
const BOARD_MAC = macToBytes("02:00:00:00:00:01"), HOST_MAC = macToBytes("02:00:00:00:00:02");
const BOARD_IP = ipToNumber("10.0.0.2"), HOST_IP = ipToNumber("10.0.0.1");

/** ARP, then `count` pings of 56..(56+count) bytes; returns how many came back intact. */
function pings(s: Stack, count: number): number {
  s.init({ mac: BOARD_MAC, ip: BOARD_IP });
  s.poll(0);
  s.takeSent();
  s.input(arpRequestFrame(HOST_MAC, HOST_IP, BOARD_IP));
  expect(s.takeSent().length).toBe(1);
  let ok = 0;
  for (let seq = 1; seq <= count; seq++) {
    s.poll(seq * 10);
    const data = Uint8Array.from({ length: 56 + seq }, (_, i) => (i * 7 + seq) & 0xff);
    s.input(echoRequestFrame({ srcMac: HOST_MAC, dstMac: BOARD_MAC, src: HOST_IP, dst: BOARD_IP, id: 9, seq, data }));
    const reply = s.takeSent().find((f) => f[23] === 1 && f[34] === 0);
    if (reply && Buffer.compare(reply.subarray(42), data) === 0 && reply[41] === (seq & 0xff)) ok++;
  }
  return ok;
}

function importedStack(memory: WebAssembly.Memory): Stack {
  return new Stack({ module: buildPath("embertcp.imported-memory.wasm"), imports: { env: { memory } } });
}

describe("release build (embertcp.wasm)", () => {
  test("imports exactly the five hal functions and exports its own fixed memory", () => {
    const sigs = moduleSignatures(readFileSync(buildPath("embertcp.wasm")));
    expect([...sigs.imports.keys()].sort()).toEqual(HAL);
    expect(sigs.exports.get("memory")).toBe("memory");
  });

  test("answers ARP and ping over the host-frames link", () => {
    expect(pings(new Stack(), 5)).toBe(5);
  });
});

describe("imported-memory build (embertcp.imported-memory.wasm)", () => {
  const file = buildPath("embertcp.imported-memory.wasm");

  test("imports exactly hal.* plus env.memory, and exports the same functions as the release build", () => {
    const imp = moduleSignatures(readFileSync(file));
    const rel = moduleSignatures(readFileSync(buildPath("embertcp.wasm")));
    expect([...imp.imports.keys()].sort()).toEqual([...HAL, "env.memory"].sort());
    expect(imp.imports.get("env.memory")).toBe("memory");
    for (const k of HAL) expect(imp.imports.get(k)).toEqual(rel.imports.get(k));
    expect([...imp.exports.keys()].sort()).toEqual([...rel.exports.keys()].sort());
    for (const [k, v] of rel.exports) expect(imp.exports.get(k), k).toEqual(v);
  });

  test(`needs a memory of ${IMPORTED_MEMORY_PAGES} pages: a smaller one does not link`, () => {
    const small = new WebAssembly.Memory({ initial: IMPORTED_MEMORY_PAGES - 1, maximum: IMPORTED_MEMORY_PAGES - 1 });
    expect(() => importedStack(small)).toThrow(WebAssembly.LinkError);
  });

  test("works on a memory from the host: ARP and ping", () => {
    const memory = new WebAssembly.Memory({ initial: IMPORTED_MEMORY_PAGES, maximum: IMPORTED_MEMORY_PAGES });
    const s = importedStack(memory);
    expect(s.exports.memory).toBe(memory);
    expect(pings(s, 5)).toBe(5);
  });

  test("touches nothing below its documented base, through init, pings and bad calls", () => {
    const memory = new WebAssembly.Memory({ initial: IMPORTED_MEMORY_PAGES, maximum: IMPORTED_MEMORY_PAGES });
    const low = new Uint8Array(memory.buffer, 0, IMPORTED_MEMORY_BASE);
    for (let i = 0; i < low.length; i++) low[i] = (i * 31 + 0xa5) & 0xff;
    const before = low.slice();
    const s = importedStack(memory);
    expect(s.exports.net_scratch()).toBeGreaterThanOrEqual(IMPORTED_MEMORY_BASE);
    expect(pings(s, 20)).toBe(20);
    for (let t = 0; t < 5000; t += 250) s.poll(t);
    s.stats();
    expect(Buffer.compare(new Uint8Array(memory.buffer, 0, IMPORTED_MEMORY_BASE), before)).toBe(0);
    expect(memory.buffer.byteLength).toBe(IMPORTED_MEMORY_PAGES * 65536);
  });

  test("carries no zero-filled data segments: within 1 KiB of the release build's size", () => {
    expect(statSync(file).size).toBeLessThan(statSync(buildPath("embertcp.wasm")).size + 1024);
  });

  test("two instances on two memories share nothing", () => {
    const m1 = new WebAssembly.Memory({ initial: IMPORTED_MEMORY_PAGES, maximum: IMPORTED_MEMORY_PAGES });
    const m2 = new WebAssembly.Memory({ initial: IMPORTED_MEMORY_PAGES, maximum: IMPORTED_MEMORY_PAGES });
    const a = importedStack(m1), b = importedStack(m2);
    expect(pings(a, 3)).toBe(3);
    expect(b.exports.net_poll(0)).toBeLessThan(-1); // b was never initialised: ENODEV
  });
});
