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
 * Pending timers in a binary min-heap keyed by (time, scheduling order), so
 * a flood that schedules thousands of link deliveries costs O(log n) per
 * timer instead of a scan. Cancelled timers stay in the heap and are skipped
 * when they reach the top (`live` holds the ones still pending).
 */
class TimerHeap {
  private seq = 0;
  private heap: Timer[] = [];
  private readonly live = new Set<number>();

  add(at: number, fn: () => void): TimerHandle {
    const h = ++this.seq;
    this.push({ at, seq: h, fn });
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

  get size(): number { return this.heap.length; }
  get pending(): number { return this.live.size; }
  /** The last handle given out. */
  get lastSeq(): number { return this.seq; }

  /** The earliest live timer, or undefined. */
  top(): Timer | undefined {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].seq)) this.pop();
    return this.heap[0];
  }

  /** Remove the earliest live timer (call after top()). */
  take(): void {
    const t = this.heap[0];
    this.pop();
    this.live.delete(t.seq);
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

/** Deterministic virtual time: nothing happens until the owner advances it. */
export class VirtualClock implements Clock {
  private t: number;
  private readonly timers = new TimerHeap();

  constructor(startMs = 0) { this.t = startMs; }

  now(): number { return this.t; }

  at(atMs: number, fn: () => void): TimerHandle { return this.timers.add(Math.max(atMs, this.t), fn); }

  cancel(h: TimerHandle): void { this.timers.cancel(h); }

  /** Entries held by the heap, live or cancelled (a bound for tests). */
  get heapSize(): number { return this.timers.size; }

  /** Earliest pending timer time, or undefined. */
  nextAt(): number | undefined { return this.timers.top()?.at; }

  /** Fire every timer due at or before `targetMs` in time order, then set the time to it. */
  advanceTo(targetMs: number): void {
    for (;;) {
      const top = this.timers.top();
      if (top === undefined || top.at > targetMs) break;
      this.timers.take();
      if (top.at > this.t) this.t = top.at;
      top.fn();
    }
    if (targetMs > this.t) this.t = targetMs;
  }

  /** advanceTo(now + ms). */
  advance(ms: number): void { this.advanceTo(this.t + ms); }

  /** Number of pending timers. */
  get pending(): number { return this.timers.pending; }
}

/** How close to its time a timer stops sleeping in a Node timer and finishes on setImmediate turns, ms. */
const NEAR_MS = 2;

/**
 * Wall-clock time with sub-millisecond timers, for interactive runs.
 *
 * Timers wait in the same heap as virtual time's and fire in (time,
 * scheduling) order; one Node handle waits for the earliest. Node's
 * setTimeout counts whole milliseconds and often fires up to a millisecond
 * late, so the handle sleeps in setTimeout until NEAR_MS before the earliest
 * deadline and the rest is waited out on setImmediate turns, which read the
 * clock (performance.now) every event-loop turn while I/O keeps flowing. The
 * loop only turns over like that within NEAR_MS of a deadline: with no
 * deadline near, the process sleeps. A timer never fires before its time;
 * one scheduled while others fire runs on a later turn, after pending I/O.
 */
export class RealClock implements Clock {
  private readonly origin = performance.now();
  private readonly timers = new TimerHeap();
  private timeout: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private firing = false;
  /** The deadline the Node handle waits for (Infinity: none). */
  private armedAt = Infinity;

  now(): number { return performance.now() - this.origin; }

  at(atMs: number, fn: () => void): TimerHandle {
    const h = this.timers.add(atMs, fn);
    if (!this.firing && atMs < this.armedAt) this.arm();
    return h;
  }

  cancel(h: TimerHandle): void {
    const first = this.timers.top()?.seq === h;
    this.timers.cancel(h);
    // The Node handle waits for the earliest timer; left armed it would keep the process alive for nothing.
    if (first && !this.firing) this.arm();
  }

  /** Timers pending (a bound for tests). */
  get pending(): number { return this.timers.pending; }

  /** Wait for the earliest timer: a Node timer while it is far, event-loop turns once it is near. */
  private arm(): void {
    if (this.timeout !== null) { clearTimeout(this.timeout); this.timeout = null; }
    const next = this.timers.top();
    this.armedAt = next?.at ?? Infinity;
    if (next === undefined) {
      if (this.immediate !== null) { clearImmediate(this.immediate); this.immediate = null; }
      return;
    }
    const left = next.at - this.now();
    if (left > NEAR_MS) this.timeout = setTimeout(this.wake, Math.floor(left - NEAR_MS));
    else if (this.immediate === null) this.immediate = setImmediate(this.wake);
  }

  private readonly wake = (): void => {
    this.timeout = null;
    this.immediate = null;
    this.armedAt = Infinity;
    this.firing = true;
    try {
      const now = this.now(), last = this.timers.lastSeq;
      for (let top = this.timers.top(); top !== undefined && top.at <= now && top.seq <= last; top = this.timers.top()) {
        this.timers.take();
        top.fn();
      }
    } finally {
      this.firing = false;
      this.arm();
    }
  };
}
