/**
 * A soak run: the network of net.ts, the schedules of inject.ts, `hours`
 * of virtual time hour by hour, then the traffic stops and the network
 * idles until every timer has run out. Checks: every finished transfer
 * byte-exact, none left hanging, nothing left in any board's TCB table or
 * SYN queue but the listener, module memory unchanged, counters that only
 * grow and agree with what was done, no board failure.
 */
import { runVirtual } from "../board.js";
import { Injector, type Injected } from "./inject.js";
import { boards, buildNet, type SoakNet } from "./net.js";
import type { LoadCounts } from "./load.js";

export interface SoakOptions { hours: number; seed: number; /** Called after each simulated hour. */ onHour?: (h: number, wallMs: number) => void; }

export interface SoakResult {
  hours: number; wallMs: number;
  injected: Injected;
  load: LoadCounts;
  /** Frames the cable fault injectors dropped, corrupted, duplicated, reordered, delayed. */
  cableFaults: Record<string, number>;
  chip: { rxOverflows: number; txAborts: number };
  /** The driver's own counters (docs/ABI.md), summed over the boards. */
  driver: Record<(typeof DRIVER_STATS)[number], number>;
  /** What went wrong; empty when the soak passed. */
  problems: string[];
}

const DRIVER_STATS = ["enc_rx_overflows", "enc_rx_resets", "enc_tx_errors", "enc_tx_retries", "enc_chip_resets", "enc_link_changes"] as const;

/** Quiet time after traffic stops: retransmissions give up, half-open entries and TIME-WAIT expire. */
const DRAIN_MS = 30 * 60_000;

export function soak(o: SoakOptions): SoakResult {
  const t0 = performance.now();
  const net = buildNet(o.seed);
  const inj = new Injector(net, o.seed);
  const mem = boards(net).map((b) => b.stack.exports.memory.buffer.byteLength);
  let last = boards(net).map((b) => b.stack.stats());
  const problems: string[] = [];
  inj.start();
  for (let h = 1; h <= o.hours; h++) {
    runVirtual(net.clock, 3_600_000);
    last = checkCountersGrow(net, last, h, problems);
    o.onHour?.(h, performance.now() - t0);
  }
  inj.stop();
  runVirtual(net.clock, DRAIN_MS);
  finalChecks(net, mem, inj.injected, problems);
  const load = sumLoads(net);
  return {
    hours: o.hours, wallMs: performance.now() - t0, injected: inj.injected, load, cableFaults: cableFaults(net),
    chip: boards(net).reduce((a, b) => ({ rxOverflows: a.rxOverflows + b.chip.counters.rxOverflows, txAborts: a.txAborts + b.chip.counters.txAborts }), { rxOverflows: 0, txAborts: 0 }),
    driver: driverCounts(net), problems,
  };
}

function driverCounts(net: SoakNet): SoakResult["driver"] {
  const out = Object.fromEntries(DRIVER_STATS.map((k) => [k, 0])) as SoakResult["driver"];
  for (const b of boards(net)) { const s = b.stack.stats(); for (const k of DRIVER_STATS) out[k] += s[k]; }
  return out;
}

function checkCountersGrow(net: SoakNet, before: ReturnType<SoakNet["server"]["stack"]["stats"]>[], h: number, problems: string[]) {
  const now = boards(net).map((b) => b.stack.stats());
  now.forEach((s, i) => {
    for (const [k, v] of Object.entries(s)) {
      const was = (before[i] as Record<string, number>)[k];
      if (v < was) problems.push(`hour ${h}: ${boards(net)[i].name} counter ${k} went back from ${was} to ${v}`);
    }
  });
  return now;
}

function finalChecks(net: SoakNet, mem: number[], inj: Injected, problems: string[]): void {
  const load = sumLoads(net);
  boards(net).forEach((b, i) => {
    if (b.failure) problems.push(`${b.name} failed: ${b.failure}`);
    if (b.stack.exports.memory.buffer.byteLength !== mem[i]) problems.push(`${b.name}: module memory grew`);
    const left = b.stack.list().filter((e) => e.state !== 1);
    if (left.length) problems.push(`${b.name}: ${left.length} TCB or SYN-queue entries left after ${DRAIN_MS / 60_000} quiet minutes: ${JSON.stringify(left.slice(0, 3))}`);
  });
  const hanging = net.loads.reduce((n, l) => n + l.inFlight, 0);
  if (hanging) problems.push(`${hanging} transfers neither finished nor failed`);
  if (load.corrupt) problems.push(`${load.corrupt} transfers came back different from what was sent`);
  if (load.started !== inj.shortTransfers + inj.longTransfers) problems.push(`${load.started} transfers started, ${inj.shortTransfers + inj.longTransfers} scheduled`);
  const opens = net.clients.reduce((n, b) => n + b.stack.stats().tcp_active_opens, 0);
  if (opens !== load.started) problems.push(`clients counted ${opens} active opens for ${load.started} transfers`);
  const passive = net.server.stack.stats().tcp_passive_opens + net.server.stack.stats().cookies_accepted;
  if (passive < load.completed) problems.push(`server counted ${passive} passive opens for ${load.completed} completed transfers`);
  const over = boards(net).reduce((n, b) => n + b.chip.counters.rxOverflows, 0);
  const pending = boards(net).reduce((n, b) => n + b.chip.faults.rxOverflow, 0);
  if (over < inj.rxOverflowFrames - pending) problems.push(`chips counted ${over} receive overflows, ${inj.rxOverflowFrames - pending} injected`);
  const d = driverCounts(net);
  if (d.enc_link_changes < inj.linkFlaps) problems.push(`drivers saw ${d.enc_link_changes} link changes for ${inj.linkFlaps} flaps`);
  if (d.enc_rx_overflows === 0 && inj.rxOverflowFrames > pending) problems.push("drivers counted no receive overflow");
}

function sumLoads(net: SoakNet): LoadCounts {
  const out: LoadCounts = { started: 0, completed: 0, corrupt: 0, failed: 0, bytes: 0, longCompleted: 0, errors: {} };
  for (const l of net.loads) {
    const c = l.counts;
    out.started += c.started; out.completed += c.completed; out.corrupt += c.corrupt; out.failed += c.failed;
    out.bytes += c.bytes; out.longCompleted += c.longCompleted;
    for (const [k, v] of Object.entries(c.errors)) out.errors[k] = (out.errors[k] ?? 0) + v;
  }
  return out;
}

function cableFaults(net: SoakNet): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of net.cables) {
    for (const [k, v] of Object.entries(c.stats())) {
      const m = /^(?:out|in)\.(dropped|corrupted|duplicated|reordered|delayed)$/.exec(k);
      if (m) out[m[1]] = (out[m[1]] ?? 0) + v;
    }
  }
  return out;
}
