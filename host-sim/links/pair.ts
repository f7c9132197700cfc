/**
 * An in-process link: two ends joined by a wire that lives in a Clock.
 *
 * A frame sent at one end arrives at the other at `now + latencyMs`, or, with
 * `baud` set, after the time a serial line at that rate would take to carry
 * it SLIP-framed (10 bits per byte: start, 8 data, stop), queued behind the
 * frames already on the line. Latency 0 still means "a later timer turn", so
 * a board that answers from inside `onFrame` never re-enters its peer.
 */

import type { Clock } from "../clock.js";
import { fcsValid } from "../crc32.js";
import { slipEncodedLength } from "./slip.js";
import { type LinkEnd, type LinkStats, MIN_WIRE_FRAME, zeroStats } from "./types.js";

export interface PairOptions {
  /** Fixed one-way delay added to every frame, in ms (default 0). */
  latencyMs?: number;
  /** Model a serial line at this rate (bits per second, 10 bits a byte); default: no line time. */
  baud?: number;
  /** Drop frames whose FCS is wrong at the receiving end and count them (default false). */
  checkFcs?: boolean;
}

const PAIR_STATS = ["framesOut", "bytesOut", "framesIn", "bytesIn", "dropClosed", "dropBadFcs"] as const;
type PairStatName = (typeof PAIR_STATS)[number];

/** One end of an in-process pair. Counters: framesOut, bytesOut, framesIn, bytesIn, dropClosed, dropBadFcs. */
export class PairEnd implements LinkEnd {
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onDown: ((reason: string) => void) | null = null;
  peer!: PairEnd;
  private closed = false;
  private lineFreeAt = 0;
  private readonly counters: Record<PairStatName, number> = zeroStats(...PAIR_STATS);
  private readonly inFlight = new Set<number>();

  constructor(private readonly clock: Clock, private readonly opts: PairOptions) {}

  send(frame: Uint8Array): void {
    if (this.closed || this.peer.closed) { this.counters.dropClosed++; return; }
    const copy = frame.slice();
    this.counters.framesOut++;
    this.counters.bytesOut += copy.length;
    let at = this.clock.now();
    if (this.opts.baud) {
      // The line carries one frame at a time: start when it is free.
      const start = Math.max(at, this.lineFreeAt);
      this.lineFreeAt = start + (slipEncodedLength(copy) * 10 * 1000) / this.opts.baud;
      at = this.lineFreeAt;
    }
    at += this.opts.latencyMs ?? 0;
    const h = this.clock.at(at, () => { this.inFlight.delete(h); this.peer.receive(copy); });
    this.inFlight.add(h);
  }

  /** Time at which everything sent so far has left this end's line, in ms. */
  lineIdleAt(): number { return Math.max(this.lineFreeAt, this.clock.now()); }

  /** Close this end; the peer learns of it through its onDown on a later clock turn, as a board sees its cable pulled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.inFlight) this.clock.cancel(h);
    this.inFlight.clear();
    const peer = this.peer;
    this.clock.at(this.clock.now(), () => { if (!peer.closed) peer.onDown?.("peer closed"); });
  }

  stats(): LinkStats { return { ...this.counters }; }

  private receive(frame: Uint8Array): void {
    if (this.closed) { this.counters.dropClosed++; return; }
    if (this.opts.checkFcs && (frame.length < MIN_WIRE_FRAME || !fcsValid(frame))) { this.counters.dropBadFcs++; return; }
    this.counters.framesIn++;
    this.counters.bytesIn += frame.length;
    this.onFrame?.(frame);
  }
}

/** Two ends of one in-process wire; each end's `send` arrives at the other's `onFrame`. */
export function createPair(clock: Clock, opts: PairOptions = {}): [PairEnd, PairEnd] {
  const a = new PairEnd(clock, opts);
  const b = new PairEnd(clock, opts);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
