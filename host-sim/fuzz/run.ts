/**
 * A fuzz run: instances one after the other, each seeded from the run's
 * seed and its index (so `--seed S --instance I` replays one), each ending
 * with the health check, until the frame budget or the time runs out or a
 * check fails.
 */
import { act } from "./actions.js";
import { healthCheck } from "./health.js";
import { Instance } from "./instance.js";
import { FuzzFailure } from "./world.js";

export interface FuzzOptions {
  seed: number;
  /** Stop after this many frames handed to the board (whole instances). */
  frames?: number;
  /** Stop after this much wall time. */
  seconds?: number;
  /** Run only this instance. */
  instance?: number;
  /** Frames per instance (default 20,000). */
  perInstance?: number;
}

export interface FuzzFailureReport { instance: number; instanceSeed: number; frame: number; message: string; log: string[]; }

export interface FuzzResult {
  frames: number; sent: number; instances: number; calls: number; ms: number;
  failure: FuzzFailureReport | null;
}

export function instanceSeed(seed: number, i: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(i + 1, 0x85ebca77)) >>> 0 || 1;
}

/** Run one instance to its budget and its health check; a failure is thrown. */
export function runInstance(x: Instance, frames: number): void {
  while (x.frames < frames) {
    act(x);
    if (x.r.below(4) === 0) x.poll();
    x.settle();
  }
  healthCheck(x);
}

export function fuzz(o: FuzzOptions): FuzzResult {
  const t0 = performance.now();
  const res: FuzzResult = { frames: 0, sent: 0, instances: 0, calls: 0, ms: 0, failure: null };
  const per = o.perInstance ?? 20_000;
  for (let i = o.instance ?? 0; ; i++) {
    if (o.frames !== undefined && res.frames >= o.frames) break;
    if (o.seconds !== undefined && performance.now() - t0 >= o.seconds * 1000) break;
    const x = new Instance(instanceSeed(o.seed, i));
    try {
      runInstance(x, per);
    } catch (e) {
      if (!(e instanceof FuzzFailure)) throw e;
      res.failure = { instance: i, instanceSeed: x.seed, frame: x.frames, message: e.message, log: x.log.slice() };
    }
    res.frames += x.frames; res.sent += x.sent; res.calls += x.m.calls; res.instances++;
    if (res.failure || o.instance !== undefined) break;
  }
  res.ms = performance.now() - t0;
  return res;
}
