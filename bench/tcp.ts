/**
 * TCP figures: stack-to-stack throughput of two module instances wired
 * back to back in one process (MSS 1460, default 4 KiB rings), host time
 * per segment with TCB_COUNT 4 and 64 (every other TCB holding an idle
 * established connection, so lookups and timer walks have company), the
 * TCB size without rings and the release module size. Prints figures;
 * asserts nothing about speed.
 *
 * The loop hands frames straight from one instance's frame_out to the
 * other's net_input and moves virtual time only when both are idle, so
 * what is measured is the stacks plus the unavoidable host copies.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildPath, projectRoot } from "../host-sim/paths.js";
import { Stack, loadModule } from "../host-sim/stack.js";
import { figure, section } from "./report.js";

const asc = (args: string[]) => execFileSync(process.execPath, [`${projectRoot()}/node_modules/assemblyscript/bin/asc.js`, ...args], { cwd: projectRoot(), stdio: "pipe" });

function tcbBytes(): number {
  asc(["bench/as/tcb-size.ts", "-o", "build/bench-tcb-size.wasm", "--runtime", "stub", "-O3", "--initialMemory", "3", "--maximumMemory", "3", "--use", "abort=assembly/hal/halAbort"]);
  const noop = () => 0;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(buildPath("bench-tcb-size.wasm"))),
    { hal: { spi_select: noop, spi_transfer: noop, frame_out: noop, entropy: noop, log: noop } });
  return (inst.exports.tcb_bytes as () => number)();
}

function variant(tcbs: number): WebAssembly.Module {
  mkdirSync(buildPath("variants"), { recursive: true });
  const out = `build/variants/bench-tcb${tcbs}.wasm`;
  const pages = Math.ceil((tcbs * 8192 + 65536) / 65536) + 1;
  asc(["assembly/index.ts", "--target", "release", "-o", out, "--initialMemory", String(pages), "--maximumMemory", String(pages),
    "--use", `EMBER_TCB_COUNT=${tcbs}`, "--use", `EMBER_LISTENER_COUNT=4`]);
  return loadModule(buildPath(`variants/bench-tcb${tcbs}.wasm`));
}

interface Run { bytes: number; hostMs: number; segments: number; }

/** Two instances back to back; `idle` extra connections opened first; `bytes` sent a → b. */
function backToBack(mod: WebAssembly.Module | undefined, bytes: number, idle: number): Run {
  const a = new Stack({ module: mod, seed: 1 });
  const b = new Stack({ module: mod, seed: 2 });
  const qa: Uint8Array[] = [], qb: Uint8Array[] = [];
  a.onFrame = (f) => qb.push(f);
  b.onFrame = (f) => qa.push(f);
  a.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.1" });
  b.init({ mac: "02:00:00:00:00:02", ip: "10.0.0.2" });
  let now = 0;
  const ea = a.exports, eb = b.exports;
  const pb = eb.net_scratch();
  const drain = (): boolean => {
    let moved = false;
    while (qa.length || qb.length) {
      moved = true;
      for (const f of qb.splice(0)) eb.net_input(b.writeScratch(f), f.length);
      for (const f of qa.splice(0)) ea.net_input(a.writeScratch(f), f.length);
    }
    a.sent.length = 0; b.sent.length = 0;
    return moved;
  };
  const tick = () => {
    const r1 = a.poll(now), r2 = b.poll(now);
    drain();
    const next = Math.min(r1 < 0 ? Infinity : r1, r2 < 0 ? Infinity : r2);
    now += Number.isFinite(next) && next > 0 ? next : 1;
  };
  const l = b.listen(80, 16);
  const open = (): [number, number] => {
    const c = a.connect("10.0.0.2", 80);
    let s: number | null = null;
    for (let i = 0; i < 100 && s === null; i++) { drain(); tick(); s = b.accept(l); }
    if (s === null) throw new Error("bench: handshake failed");
    return [c, s];
  };
  for (let i = 0; i < idle; i++) open();
  const [c, s] = open();
  // One scratch buffer's worth per tcp_send: net_scratch is all the module
  // offers for staging, and what follows it in memory is the stack's state.
  const chunk = new Uint8Array(ea.net_scratch_size()).map((_, i) => i);
  const pa = a.writeScratch(chunk);
  const segBefore = a.stats().tcp_tx_segments + b.stats().tcp_tx_segments;
  let sent = 0, got = 0;
  const t0 = process.hrtime.bigint();
  while (got < bytes) {
    // tcp_send reads the chunk in place; drain() only writes scratch after it.
    while (sent < bytes) {
      a.writeScratch(chunk);
      const n = ea.tcp_send(c, pa, Math.min(chunk.length, bytes - sent));
      if (n <= 0) break;
      sent += n;
    }
    let moved = drain();
    for (;;) {
      const n = eb.tcp_recv(s, pb, eb.net_scratch_size());
      if (n <= 0) break;
      got += n;
      moved = true;
    }
    if (drain()) moved = true;
    if (!moved) tick();
  }
  const hostMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const segments = a.stats().tcp_tx_segments + b.stats().tcp_tx_segments - segBefore;
  return { bytes, hostMs, segments };
}

export async function benchTcp(): Promise<void> {
  section("TCP");
  figure("TCB size (rings and hole list excluded)", tcbBytes(), "bytes");
  figure("release module (IP + TCP + driver)", statSync(buildPath("embertcp.wasm")).size, "bytes");
  backToBack(undefined, 2_000_000, 0); // warm-up
  const r = backToBack(undefined, 20_000_000, 0);
  const mbs = r.bytes / 1e6 / (r.hostMs / 1e3);
  figure("stack-to-stack throughput, one process, default rings", mbs.toFixed(1), `MB/s (${(mbs * 8 / 1000).toFixed(2)} Gbit/s)`);
  figure("segments per MB (data + ACKs, both ways)", (r.segments / (r.bytes / 1e6)).toFixed(0));
  for (const n of [4, 64]) {
    const mod = variant(n);
    backToBack(mod, 2_000_000, n - 2);
    // Best of three runs: the figure is the stack's cost, not the host's hiccups.
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const v = backToBack(mod, 10_000_000, n - 2);
      best = Math.min(best, (v.hostMs * 1000) / v.segments);
    }
    figure(`host time per segment, TCB_COUNT ${n} (${n - 1} connections open)`, best.toFixed(3), "µs");
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchTcp();
