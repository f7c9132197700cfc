/**
 * SYN-flood figures (RFC 4987): the scenario of test/tcp-flood.test.ts (a
 * TCB_COUNT=4 server, backlog 4, spoofed SYNs injected into net_input, real
 * clients on the same in-process network that connect, echo 1 KiB and
 * close) run with and without the flood, at two flood rates, plus the RAM
 * one half-open entry costs. Run `npm run bench:flood` from the package
 * root, or import `benchFlood()`. Prints figures; asserts nothing.
 */
import { pathToFileURL } from "node:url";
import { figure, section } from "./report.js";
import { heapBase } from "./budget.js";
import { projectRoot } from "../host-sim/paths.js";
import { floodServerModule, runFlood, type FloodResult } from "./flood-scenario.js";

function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function legit(r: FloodResult): { rate: number; medianMs: number } {
  const ok = r.clients.filter((c) => c.ok);
  return { rate: (100 * ok.length) / r.clients.length, medianMs: median(ok.map((c) => c.connectMs)) };
}

export async function benchFlood(): Promise<void> {
  const mod = await floodServerModule();
  section("SYN flood (TCB_COUNT 4, backlog 4, syncookies 1; virtual time, host CPU per SYN)");
  const calm = runFlood({ serverModule: mod, floodSyns: 0, floodRate: 1000, clients: 100, clientSpacingMs: 100, seed: 7 });
  const slow = runFlood({ serverModule: mod, floodSyns: 100_000, floodRate: 1000, clients: 100, clientSpacingMs: 1000, seed: 7 });
  const fast = runFlood({ serverModule: mod, floodSyns: 100_000, floodRate: 100_000, clients: 100, clientSpacingMs: 10, seed: 7 });
  const c = legit(calm);
  const s = legit(slow);
  const f = legit(fast);
  figure("legit clients connected, no flood", c.rate.toFixed(1), "%");
  figure("median connect time, no flood", c.medianMs, "virtual ms");
  figure("legit clients connected, 1k SYN/s flood", s.rate.toFixed(1), "%");
  figure("median connect time, 1k SYN/s flood", s.medianMs, "virtual ms");
  figure("legit clients connected, 100k SYN/s flood", f.rate.toFixed(1), "%");
  figure("median connect time, 100k SYN/s flood", f.medianMs, "virtual ms");
  figure("SYN flood handled (1k SYN/s run)", Math.round(slow.floodSyns / (slow.floodHostMs / 1000)), "SYN/s of host CPU");
  figure("host time per flooding SYN at 1k SYN/s", ((1e6 * slow.floodHostMs) / slow.floodSyns).toFixed(0), "ns");
  figure("host time per flooding SYN at 100k SYN/s", ((1e6 * fast.floodHostMs) / fast.floodSyns).toFixed(0), "ns");
  figure("largest SYN-queue occupancy under flood", Math.max(slow.maxHalfOpen, fast.maxHalfOpen), "entries");
  figure("SYN queue drained after the flood", ((slow.drainedAtMs - slow.floodEndMs) / 1000).toFixed(1), "virtual s (lifetime 63 s)");
  figure("server memory growth under flood", slow.memoryAfter - slow.memoryBefore, "bytes");
  const cwd = process.cwd();
  process.chdir(projectRoot());
  try {
    const base = await heapBase({});
    const doubled = await heapBase({ SYN_QUEUE: 32 });
    figure("bytes per half-open entry (SYN_QUEUE 16 → 32)", (doubled - base) / 16, "B");
  } finally {
    process.chdir(cwd);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchFlood();
}
