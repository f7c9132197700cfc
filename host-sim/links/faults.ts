/**
 * A seeded fault injector that wraps any link end: frames passing through it
 * (in either or both directions) are dropped, corrupted, duplicated,
 * reordered or delayed with the configured probabilities. Every decision
 * comes from a small deterministic PRNG, one stream per direction, so a run
 * with the same seed and the same traffic makes the same faults.
 *
 * Per frame, in order: drop (stop there); corrupt (flip one random bit of a
 * copy, so the FCS no longer matches and a receiver must drop it);
 * duplicate (the frame goes twice); then either delay (held for `delayMs`
 * more) or reorder (held until the next frame in that direction has passed,
 * or `reorderMaxMs` at most, so it is never stuck). Delivery of held frames
 * goes through the Clock.
 */

import type { Clock, TimerHandle } from "../clock.js";
import type { LinkEnd, LinkStats } from "./types.js";
import { zeroStats } from "./types.js";

export interface FaultOptions {
  /** PRNG seed; the same seed and traffic give the same faults. */
  seed: number;
  /** Probabilities in [0, 1] (default 0 each). */
  drop?: number;
  duplicate?: number;
  reorder?: number;
  delay?: number;
  corrupt?: number;
  /** Extra delay for a delayed frame: fixed, or uniform in [min, max] (default 10 ms). */
  delayMs?: number | [number, number];
  /** Longest a reordered frame waits for a successor (default 50 ms). */
  reorderMaxMs?: number;
  /** Which way faults apply: frames this end sends ("out"), receives ("in"), or both (default). */
  direction?: "in" | "out" | "both";
}

const FAULT_STATS = ["offered", "passed", "dropped", "corrupted", "duplicated", "reordered", "delayed"] as const;
type FaultStatName = (typeof FAULT_STATS)[number];

/**
 * A deterministic 32-bit PRNG (the "mulberry32" construction: a Weyl
 * sequence through a multiply-xorshift mix), uniform in [0, 1).
 */
export class Prng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  below(n: number): number { return Math.floor(this.next() * n); }
}

/** One direction's fault state: its PRNG, its counters, the frame held for reordering. */
class FaultPath {
  readonly rng: Prng;
  readonly counters: Record<FaultStatName, number> = zeroStats(...FAULT_STATS);
  private held: { frame: Uint8Array; timer: TimerHandle } | null = null;
  private readonly timers = new Set<TimerHandle>();

  constructor(seed: number, private readonly clock: Clock, private readonly o: FaultOptions, private readonly deliver: (f: Uint8Array) => void) {
    this.rng = new Prng(seed);
  }

  offer(frame: Uint8Array): void {
    const c = this.counters;
    const r = this.rng;
    c.offered++;
    // Draw every decision for every frame so one probability's value does
    // not shift the random stream seen by the others.
    const dDrop = r.next(), dCorrupt = r.next(), dDup = r.next(), dDelay = r.next(), dReorder = r.next();
    const bitPick = r.next(), delayPick = r.next();
    if (dDrop < (this.o.drop ?? 0)) { c.dropped++; return; }
    let f = frame;
    if (dCorrupt < (this.o.corrupt ?? 0) && f.length > 0) {
      f = f.slice();
      const bit = Math.floor(bitPick * f.length * 8);
      f[bit >> 3] ^= 1 << (bit & 7);
      c.corrupted++;
    }
    const copies = dDup < (this.o.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) c.duplicated++;
    if (dDelay < (this.o.delay ?? 0)) {
      c.delayed++;
      const d = this.o.delayMs ?? 10;
      const ms = typeof d === "number" ? d : d[0] + delayPick * (d[1] - d[0]);
      const h = this.clock.at(this.clock.now() + ms, () => {
        this.timers.delete(h);
        for (let i = 0; i < copies; i++) this.pass(f);
      });
      this.timers.add(h);
      return;
    }
    if (dReorder < (this.o.reorder ?? 0) && !this.held) {
      c.reordered++;
      const h = this.clock.at(this.clock.now() + (this.o.reorderMaxMs ?? 50), () => this.releaseHeld());
      this.held = { frame: f, timer: h };
      if (copies === 2) this.pass(f);
      return;
    }
    for (let i = 0; i < copies; i++) this.pass(f);
    this.releaseHeld();
  }

  close(): void {
    for (const h of this.timers) this.clock.cancel(h);
    this.timers.clear();
    if (this.held) this.clock.cancel(this.held.timer);
    this.held = null;
  }

  private releaseHeld(): void {
    const h = this.held;
    if (!h) return;
    this.held = null;
    this.clock.cancel(h.timer);
    this.pass(h.frame);
  }

  private pass(f: Uint8Array): void {
    this.counters.passed++;
    this.deliver(f);
  }
}

/**
 * A link end with faults: use it in place of `inner`. Counters, prefixed
 * "out." (frames sent) and "in." (frames received): offered, passed,
 * dropped, corrupted, duplicated, reordered, delayed; plus the wrapped end's
 * own counters under their names.
 */
export class FaultyLink implements LinkEnd {
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onDown: ((reason: string) => void) | null = null;
  private readonly out: FaultPath | null;
  private readonly inb: FaultPath | null;

  constructor(readonly inner: LinkEnd, clock: Clock, opts: FaultOptions) {
    const dir = opts.direction ?? "both";
    // Distinct, fixed streams per direction derived from the one seed.
    this.out = dir === "in" ? null : new FaultPath(opts.seed ^ 0x5eed0001, clock, opts, (f) => inner.send(f));
    this.inb = dir === "out" ? null : new FaultPath(opts.seed ^ 0x5eed0002, clock, opts, (f) => this.onFrame?.(f));
    inner.onFrame = (f) => (this.inb ? this.inb.offer(f) : this.onFrame?.(f));
    inner.onDown = (r) => this.onDown?.(r);
  }

  send(frame: Uint8Array): void {
    if (this.out) this.out.offer(frame.slice());
    else this.inner.send(frame);
  }

  close(): void {
    this.out?.close();
    this.inb?.close();
    this.inner.close();
  }

  stats(): LinkStats {
    const s: LinkStats = { ...this.inner.stats() };
    for (const [prefix, p] of [["out.", this.out], ["in.", this.inb]] as const) {
      if (p) for (const [k, v] of Object.entries(p.counters)) s[prefix + k] = v;
    }
    return s;
  }
}

/** Wrap `end` in a seeded fault injector. */
export function withFaults(end: LinkEnd, clock: Clock, opts: FaultOptions): FaultyLink {
  return new FaultyLink(end, clock, opts);
}
