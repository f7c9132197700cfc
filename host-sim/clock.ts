/**
 * Clocks for the simulator. Everything that waits (chip timing, link delays,
 * board polling) schedules through a Clock, so the same code runs in virtual
 * time (deterministic tests and benches) or real time (interactive runs).
 * Times are milliseconds as floating-point numbers (sub-ms wire times).
 */

export type TimerHandle = number;

export interface Clock {
  /** Current time in ms. */
  now(): number;
  /** Run `fn` at time `atMs` (or as soon as possible if that is past). */
  at(atMs: number, fn: () => void): TimerHandle;
  /** Cancel a timer; unknown or fired handles are ignored. */
  cancel(h: TimerHandle): void;
}

interface Timer { at: number; seq: number; fn: () => void; }

/** True when `a` fires before `b`: earlier time first, then scheduling order. */
function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Deterministic virtual time: nothing happens until the owner advances it.
 *
 * Timers live in a binary min-heap keyed by (time, scheduling order), so a
 * flood that schedules thousands of link deliveries costs O(log n) per timer
 * instead of a scan. Cancelled timers stay in the heap and are skipped when
 * they reach the top (`live` holds the ones still pending).
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private heap: Timer[] = [];
  private live = new Set<number>();

  constructor(startMs = 0) { this.t = startMs; }

  now(): number { return this.t; }

  at(atMs: number, fn: () => void): TimerHandle {
    const h = ++this.seq;
    this.push({ at: Math.max(atMs, this.t), seq: h, fn });
    this.live.add(h);
    return h;
  }

  cancel(h: TimerHandle): void {
    this.live.delete(h);
    // Code that re-arms far-future timers would otherwise fill the heap with
    // dead entries that never reach the top; rebuild once they dominate.
    if (this.heap.length > 64 && this.heap.length > 2 * this.live.size) {
      const keep = this.heap.filter((tm) => this.live.has(tm.seq));
      this.heap = [];
      for (const tm of keep) this.push(tm);
    }
  }

  /** Entries held by the heap, live or cancelled (a bound for tests). */
  get heapSize(): number { return this.heap.length; }

  /** Earliest pending timer time, or undefined. */
  nextAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Fire every timer due at or before `targetMs` in time order, then set the time to it. */
  advanceTo(targetMs: number): void {
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (top === undefined || top.at > targetMs) break;
      this.pop();
      this.live.delete(top.seq);
      if (top.at > this.t) this.t = top.at;
      top.fn();
    }
    if (targetMs > this.t) this.t = targetMs;
  }

  /** advanceTo(now + ms). */
  advance(ms: number): void { this.advanceTo(this.t + ms); }

  /** Number of pending timers. */
  get pending(): number { return this.live.size; }

  private dropCancelled(): void {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].seq)) this.pop();
  }

  private push(tm: Timer): void {
    const h = this.heap;
    let i = h.push(tm) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(tm, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = tm;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && before(h[r], h[l]) ? r : l;
      if (!before(h[c], last)) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }
}

/** Wall-clock time on Node timers; for interactive runs. */
export class RealClock implements Clock {
  private readonly origin = performance.now();
  private seq = 0;
  private handles = new Map<number, ReturnType<typeof setTimeout>>();

  now(): number { return performance.now() - this.origin; }

  at(atMs: number, fn: () => void): TimerHandle {
    const h = ++this.seq;
    // Node's setTimeout works in whole ms and may fire a fraction early; a
    // callback that finds its time not yet come would see nothing due and
    // never be armed again, so it waits out the rest instead.
    const arm = () => {
      const delay = Math.max(0, atMs - this.now());
      this.handles.set(h, setTimeout(() => {
        if (this.now() < atMs) { arm(); return; }
        this.handles.delete(h);
        fn();
      }, delay));
    };
    arm();
    return h;
  }

  cancel(h: TimerHandle): void {
    const t = this.handles.get(h);
    if (t !== undefined) { clearTimeout(t); this.handles.delete(h); }
  }
}
