/**
 * ENC28J60 driver figures, all in simulated time:
 * - wasm bytes the driver adds (a module with the six driver exports minus
 *   one with six empty exports, both built like the release);
 * - SPI bytes per received and per sent frame, and per idle service call;
 * - one board's frame throughput over the modelled 10BASE-T wire at SPI
 *   8 and 20 MHz, sending and receiving 1514-byte frames, as Ethernet
 *   payload Mbit/s and as a fraction of the line rate for that frame size.
 * Two-board TCP goodput needs the TCP stack on the ENC28J60 link; it is
 * reported by the stack's own bench once net_init(1, ...) drives this driver.
 *
 * Run: after `npm run build:host`, `node dist/bench/enc28j60.js` from the
 * repository root, or import `benchEnc28j60()`. Prints figures; asserts nothing.
 */

import { pathToFileURL } from "node:url";
import { compileAssemblyScript } from "../host-sim/asc.js";
import { DriverRig, DEFAULT_MAC } from "../host-sim/enc28j60/rig.js";
import { appendFcs } from "../host-sim/crc32.js";
import { wireTimeMs } from "../host-sim/enc28j60/chip.js";
import { ETHERTYPE_IPV4, buildEthernet, pattern } from "../host-sim/wire/index.js";

export interface Enc28j60Figures {
  driverWasmBytes: number;
  driverModuleBytes: number;
  baseModuleBytes: number;
  spiBytesPerRx: Record<number, number>;
  spiBytesPerTx: Record<number, number>;
  spiBytesIdleService: number;
  throughput: Array<{ spiMHz: number; direction: "tx" | "rx"; mbps: number; lineFraction: number; dropped: number }>;
}

function frame(len: number, seed: number): Uint8Array {
  return buildEthernet({ dst: DEFAULT_MAC, src: "02:11:22:33:44:55", type: ETHERTYPE_IPV4, payload: pattern(len - 14, seed) });
}

/** Line-rate Ethernet payload for back-to-back frames of `len` bytes (no FCS), Mbit/s. */
function lineLimitMbps(len: number): number {
  return ((len - 14) * 8) / (wireTimeMs(len + 4) * 1000);
}

function spiBytesPerFrame(module: WebAssembly.Module, sizes: number[]): Pick<Enc28j60Figures, "spiBytesPerRx" | "spiBytesPerTx" | "spiBytesIdleService"> {
  const rx: Record<number, number> = {}, tx: Record<number, number> = {};
  const r = new DriverRig(module).up();
  let before = r.chip.counters.spiBytes;
  r.service();
  const idle = r.chip.counters.spiBytes - before;
  r.transmit(frame(60, 0)); // the first transmission also pulses TXRST (DS80349 issue 12)
  r.advance(2);
  r.service();
  for (const n of sizes) {
    // Receive: the second of two frames, so the EPKTCNT read is shared as in a burst.
    r.wire(frame(n, 1));
    r.wire(frame(n, 2));
    r.drainWire();
    r.receive();
    before = r.chip.counters.spiBytes;
    r.receive();
    r.receive(); // the EPKTCNT read that finds the ring empty
    rx[n] = r.chip.counters.spiBytes - before;
    // Transmit: the call plus the service that sees the completion.
    r.advance(2);
    r.service();
    before = r.chip.counters.spiBytes;
    r.transmit(frame(n, 3));
    r.advance(2);
    r.service();
    tx[n] = r.chip.counters.spiBytes - before - idle;
  }
  return { spiBytesPerRx: rx, spiBytesPerTx: tx, spiBytesIdleService: idle };
}

function txThroughput(module: WebAssembly.Module, spiHz: number, frames = 200, len = 1514) {
  const r = new DriverRig(module, { spiHz }).up(true);
  const f = frame(len, 1);
  const t0 = r.clock.now();
  for (let i = 0; i < frames; i++) r.transmit(f);
  for (let i = 0; i < 10 && r.sent.length < frames; i++) { r.advance(1); r.service(); }
  const sent = r.sent.length;
  const elapsed = r.sentAt[sent - 1] - t0;
  const mbps = (sent * (len - 14) * 8) / (elapsed * 1000);
  return { mbps, lineFraction: mbps / lineLimitMbps(len), dropped: frames - sent };
}

function rxThroughput(module: WebAssembly.Module, spiHz: number, frames = 200, len = 1514) {
  const r = new DriverRig(module, { spiHz }).up(true);
  const fcs = appendFcs(frame(len, 1));
  const t0 = r.clock.now();
  for (let i = 0; i < frames; i++) r.chip.wireReceive(fcs);
  let got = 0;
  let lastAt = t0;
  for (let guard = 0; guard < 100000; guard++) {
    r.service();
    let n = 0;
    while (r.receive()) { got++; n++; lastAt = r.clock.now(); }
    if (n === 0) {
      if (r.clock.now() > r.chip.rxWireIdleAt) break;
      r.advance(0.05);
    }
  }
  const mbps = (got * (len - 14) * 8) / ((lastAt - t0) * 1000);
  return { mbps, lineFraction: mbps / lineLimitMbps(len), dropped: frames - got };
}

export async function benchEnc28j60(): Promise<Enc28j60Figures> {
  const driver = await compileAssemblyScript("bench/as/enc28j60-size-driver.ts");
  const base = await compileAssemblyScript("bench/as/enc28j60-size-base.ts");
  const module = new WebAssembly.Module(await compileAssemblyScript("bench/as/enc28j60-entry.ts"));
  const per = spiBytesPerFrame(module, [60, 590, 1514]);
  const throughput: Enc28j60Figures["throughput"] = [];
  for (const mhz of [8, 20]) {
    throughput.push({ spiMHz: mhz, direction: "tx", ...txThroughput(module, mhz * 1e6) });
    throughput.push({ spiMHz: mhz, direction: "rx", ...rxThroughput(module, mhz * 1e6) });
  }
  return {
    driverWasmBytes: driver.length - base.length,
    driverModuleBytes: driver.length,
    baseModuleBytes: base.length,
    ...per,
    throughput,
  };
}

export function printEnc28j60(f: Enc28j60Figures): void {
  console.log("ENC28J60 driver");
  console.log(`  wasm bytes added by the driver: ${f.driverWasmBytes} (module ${f.driverModuleBytes} - empty ${f.baseModuleBytes})`);
  for (const n of Object.keys(f.spiBytesPerRx)) {
    console.log(`  SPI bytes, ${n}-byte frame: receive ${f.spiBytesPerRx[+n]} (overhead ${f.spiBytesPerRx[+n] - +n}), send ${f.spiBytesPerTx[+n]} (overhead ${f.spiBytesPerTx[+n] - +n})`);
  }
  console.log(`  SPI bytes per idle encService: ${f.spiBytesIdleService}`);
  for (const t of f.throughput) {
    console.log(`  ${t.direction.toUpperCase()} 1514-byte frames at SPI ${t.spiMHz} MHz: ${t.mbps.toFixed(2)} Mbit/s payload, ${(100 * t.lineFraction).toFixed(1)}% of line rate, ${t.dropped} dropped`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printEnc28j60(await benchEnc28j60());
}
