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

/** How close to its time a timer stops sleeping in a Node timer and finishes on setImmediate turns, ms. */
const NEAR_MS = 2;

/**
 * Wall-clock time with sub-millisecond timers, for interactive runs.
 *
 * Node's setTimeout counts whole milliseconds and often fires up to a
 * millisecond late, so a far timer sleeps in setTimeout until NEAR_MS before
 * its time and the rest is waited out on setImmediate turns, which see the
 * clock (performance.now) every event-loop turn while I/O keeps flowing. The
 * event loop only turns over like that within NEAR_MS of a deadline: with
 * no deadline near, the process sleeps. A timer never fires before its time.
 */
export class RealClock implements Clock {
  private readonly origin = performance.now();
  private seq = 0;
  private timeouts = new Map<number, ReturnType<typeof setTimeout>>();
  private immediates = new Map<number, ReturnType<typeof setImmediate>>();

  now(): number { return performance.now() - this.origin; }

  at(atMs: number, fn: () => void): TimerHandle {
    const h = ++this.seq;
    const arm = () => {
      const left = atMs - this.now();
      this.timeouts.delete(h);
      this.immediates.delete(h);
      if (left <= 0) { fn(); return; }
      if (left > NEAR_MS) this.timeouts.set(h, setTimeout(arm, Math.floor(left - NEAR_MS)));
      else this.immediates.set(h, setImmediate(arm));
    };
    const left = atMs - this.now();
    // Due now: the next event-loop turn, never synchronously (Clock contract).
    if (left <= NEAR_MS) this.immediates.set(h, setImmediate(arm));
    else arm();
    return h;
  }

  cancel(h: TimerHandle): void {
    const t = this.timeouts.get(h);
    if (t !== undefined) { clearTimeout(t); this.timeouts.delete(h); }
    const i = this.immediates.get(h);
    if (i !== undefined) { clearImmediate(i); this.immediates.delete(h); }
  }

  /** Timers pending (a bound for tests). */
  get pending(): number { return this.timeouts.size + this.immediates.size; }
}
