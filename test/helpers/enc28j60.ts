// Shared set-up for the ENC28J60 driver tests: the driver entry compiled
// once per test file, a fresh instance (and chip model) per test, and
// frame builders that do not reuse any AssemblyScript code.

import { compileAssemblyScript } from "../../host-sim/asc.js";
import { DriverRig, DEFAULT_MAC, type RigOptions } from "../../host-sim/enc28j60/rig.js";
import { buildEthernet, pattern } from "../../host-sim/wire/index.js";

let compiled: Promise<WebAssembly.Module> | undefined;

/** The driver test entry as a compiled module (built on first use). */
export function driverModule(): Promise<WebAssembly.Module> {
  compiled ??= compileAssemblyScript("bench/as/enc28j60-entry.ts").then((b) => new WebAssembly.Module(b));
  return compiled;
}

/** A fresh wasm instance wired to a fresh chip model, not yet initialised. */
export async function rig(opts: RigOptions = {}): Promise<DriverRig> {
  return new DriverRig(await driverModule(), opts);
}

/** A rig whose driver finished init (half duplex unless told). */
export async function upRig(opts: RigOptions & { fullDuplex?: boolean } = {}): Promise<DriverRig> {
  return (await rig(opts)).up(opts.fullDuplex ?? false);
}

export const PEER_MAC = Uint8Array.of(0x02, 0x11, 0x22, 0x33, 0x44, 0x55);
export const BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

/** An Ethernet II frame of `len` bytes (no FCS) to `dst`, payload from a seeded pattern. */
export function frame(len: number, seed = 1, dst: Uint8Array = DEFAULT_MAC, type = 0x0800): Uint8Array {
  // Shorter than a header (a runt for the length checks): the header cut to `len`.
  return buildEthernet({ dst, src: PEER_MAC, type, payload: pattern(Math.max(0, len - 14), (seed * 2654435761) >>> 0) }).slice(0, len);
}

/** A deterministic size sequence covering [lo, hi] with both ends included. */
export function sizes(n: number, lo: number, hi: number, seed = 7): number[] {
  const out = [lo, hi];
  let x = seed;
  while (out.length < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(lo + (x % (hi - lo + 1)));
  }
  return out;
}

export { DEFAULT_MAC };
