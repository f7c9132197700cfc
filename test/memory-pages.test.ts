/**
 * The module's declared memory matches its need (docs/EMBEDDING.md,
 * "Memory pages"): the release and debug builds declare, as initial =
 * maximum, the fewest 64 KiB pages that hold the statics, i.e.
 * ⌈__heap_base / 65536⌉, where __heap_base is measured on the release
 * module itself (bench/as/layout.ts: the release module plus an export
 * saying where its statics end, built with the release options).
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { compileAssemblyScript } from "../host-sim/asc.js";
import { buildPath } from "../host-sim/paths.js";
import { wasmInfo } from "../bench/wasm-info.js";

const PAGE = 65536;
const NOOP_HAL = { spi_select() {}, spi_transfer() {}, frame_out() {}, entropy: () => 0, log() {} };

/** Declared [initial, maximum] pages of a module's own memory. */
function declaredPages(file: string): [number, number | undefined] {
  const m = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(buildPath(file)))).find((e) => e.kind === "memory");
  expect(m?.name).toBe("memory");
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(buildPath(file))), { hal: NOOP_HAL });
  const mem = inst.exports.memory as WebAssembly.Memory;
  const initial = mem.buffer.byteLength / PAGE;
  // A memory with a maximum refuses to grow past it; the module never grows, so probe from outside.
  let maximum: number | undefined;
  try { mem.grow(1); maximum = undefined; } catch { maximum = initial; }
  return [initial, maximum];
}

describe("declared memory", () => {
  let heapBase = 0;
  beforeAll(async () => {
    // pages 0: asc sizes the memory itself, so any layout fits while measuring.
    const wasm = await compileAssemblyScript("bench/as/layout.ts", { pages: 0 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), { hal: NOOP_HAL });
    heapBase = (inst.exports.heap_base as () => number)();
  }, 120_000);

  test("the measured statics hold all of the release module's data", () => {
    expect(heapBase).toBeGreaterThanOrEqual(wasmInfo(buildPath("embertcp.wasm")).staticEnd);
  });

  test("the release build declares ⌈__heap_base / 64 KiB⌉ pages, initial = maximum", () => {
    const [initial, maximum] = declaredPages("embertcp.wasm");
    expect(initial).toBe(Math.ceil(heapBase / PAGE));
    expect(maximum).toBe(initial);
    expect(wasmInfo(buildPath("embertcp.wasm")).pages).toBe(initial);
  });

  test("the debug build declares the same pages as the release build", () => {
    expect(declaredPages("embertcp.debug.wasm")).toEqual(declaredPages("embertcp.wasm"));
  });
});
