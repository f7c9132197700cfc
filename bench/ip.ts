/**
 * Figures for the IP layer: module size and static RAM, the RFC 1071
 * checksum's throughput, and ARP + ping round trips through the
 * host-frames link. Prints figures; asserts nothing about speed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { buildPath, projectRoot } from "../host-sim/paths.js";
import { Stack, ipToNumber, macToBytes } from "../host-sim/stack.js";
import { arpRequestFrame, echoRequestFrame } from "../host-sim/ping.js";
import { wasmInfo } from "./wasm-info.js";
import { figure } from "./report.js";

const asc = (args: string[]) => execFileSync(process.execPath, [`${projectRoot()}/node_modules/assemblyscript/bin/asc.js`, ...args], { cwd: projectRoot(), stdio: "pipe" });

function staticRam(): number {
  asc(["bench/as/layout.ts", "-o", "build/bench-layout.wasm", "--runtime", "stub", "-Oz", "--initialMemory", "3", "--maximumMemory", "3", "--use", "abort=assembly/hal/halAbort"]);
  const mod = new WebAssembly.Module(readFileSync(buildPath("bench-layout.wasm")));
  const noop = () => 0;
  const inst = new WebAssembly.Instance(mod, { hal: { spi_select: noop, spi_transfer: noop, frame_out: noop, entropy: noop, log: noop } });
  return (inst.exports.heap_base as () => number)();
}

function checksumThroughput(): number {
  asc(["bench/as/checksum.ts", "-o", "build/bench-checksum.wasm", "--runtime", "stub", "-O3", "--initialMemory", "20", "--maximumMemory", "20", "--use", "abort=assembly/hal/halAbort"]);
  const mod = new WebAssembly.Module(readFileSync(buildPath("bench-checksum.wasm")));
  const noop = () => 0;
  const inst = new WebAssembly.Instance(mod, { hal: { log: noop, spi_select: noop, spi_transfer: noop, frame_out: noop, entropy: noop } });
  const ex = inst.exports as { memory: WebAssembly.Memory; region(): number; sum(p: number, n: number): number };
  const p = ex.region();
  const len = 1 << 20; // 1 MiB, summed 64 times = 64 MiB
  const mem = new Uint8Array(ex.memory.buffer, p, len);
  for (let i = 0; i < len; i++) mem[i] = (i * 131) & 0xff;
  let acc = 0;
  for (let i = 0; i < 8; i++) acc ^= ex.sum(p, len); // warm up the optimising tier
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 64; i++) acc ^= ex.sum(p + (i & 3), len - 4);
  const ns = Number(process.hrtime.bigint() - t0);
  if (acc < 0) throw new Error("unreachable: keeps the sums live");
  return (64 * len) / (ns / 1e9) / 1e6;
}

function pingRate(): { rps: number; bytes: number } {
  const board = new Stack();
  board.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.2" });
  board.takeSent();
  const peerMac = macToBytes("02:00:00:00:00:02");
  const arp = arpRequestFrame(peerMac, ipToNumber("10.0.0.1"), ipToNumber("10.0.0.2"));
  const ping = echoRequestFrame({
    srcMac: peerMac, dstMac: macToBytes("02:00:00:00:00:01"), src: ipToNumber("10.0.0.1"), dst: ipToNumber("10.0.0.2"),
    id: 1, seq: 1, data: new Uint8Array(56),
  });
  const rounds = 100_000;
  const t0 = process.hrtime.bigint();
  let replies = 0;
  for (let i = 0; i < rounds; i++) {
    board.input(arp);
    board.input(ping);
    replies += board.sent.length;
    board.sent.length = 0;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (replies !== 2 * rounds) throw new Error(`expected ${2 * rounds} replies, got ${replies}`);
  return { rps: rounds / (ns / 1e9), bytes: board.exports.memory.buffer.byteLength };
}

export function benchIp(): void {
  const rel = wasmInfo(buildPath("embertcp.wasm"));
  figure("release wasm", rel.bytes, "bytes");
  figure("static memory (data + buffers, to __heap_base)", staticRam(), "bytes");
  figure("linear memory", rel.pages, "pages of 64 KiB (fixed: initial = maximum)");
  figure("checksum throughput (64 MiB)", checksumThroughput().toFixed(0), "MB/s");
  const p = pingRate();
  figure("ARP + ping round trips (host-frames link)", p.rps.toFixed(0), "per second");
}
