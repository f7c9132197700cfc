/**
 * A learning switch (the transparent bridge of IEEE 802.1D §7/§8, reduced to
 * what a simulation needs): any number of link ends attach as ports; each
 * frame teaches the switch its source MAC's port; a frame to a group address
 * (broadcast or multicast, I/G bit set) or to an unknown unicast address is
 * flooded to every other port; a known unicast frame goes to its one port,
 * or nowhere if that is the port it came in on (filtered).
 *
 * Like a store-and-forward switch it checks the FCS first and drops bad
 * frames, so corruption injected on one link never reaches the others.
 * Learned entries age out after `ageMs` of silence (802.1D's default 300 s)
 * when a clock is given; a port whose device goes down is detached and its
 * addresses forgotten, and the other ports keep running.
 */

import type { Clock } from "../clock.js";
import { fcsValid } from "../crc32.js";
import { createPair, type PairEnd, type PairOptions } from "./pair.js";
import { type LinkEnd, type LinkStats, MIN_WIRE_FRAME, zeroStats } from "./types.js";

export interface SwitchOptions {
  /** Clock for ageing; without one, entries never expire. */
  clock?: Clock;
  /** Forget an address after this long without a frame from it (default 300000 ms). */
  ageMs?: number;
}

const SWITCH_STATS = ["framesIn", "forwarded", "flooded", "filtered", "dropBadFcs", "dropRunt", "learned", "moved", "aged", "portsDown"] as const;
type SwitchStatName = (typeof SWITCH_STATS)[number];

interface Port { end: LinkEnd; framesIn: number; framesOut: number; }
interface Entry { port: number; seenAt: number; }

/** 48-bit MAC at `off` as a number (exact in a double), for map keys. */
function macAt(f: Uint8Array, off: number): number {
  return f[off] * 2 ** 40 + f[off + 1] * 2 ** 32 + ((f[off + 2] << 24) >>> 0) + (f[off + 3] << 16) + (f[off + 4] << 8) + f[off + 5];
}

function macString(m: number): string {
  return m.toString(16).padStart(12, "0").replace(/(..)(?!$)/g, "$1:");
}

/**
 * Counters: framesIn, forwarded (sent to one known port), flooded (sent to
 * all others), filtered (destination on the ingress port), dropBadFcs,
 * dropRunt, learned, moved (an address seen on a new port), aged, portsDown.
 */
export class LearningSwitch {
  /** Called when a port's device goes away; the port is already detached. */
  onPortDown: ((port: number, reason: string) => void) | null = null;

  private readonly ports = new Map<number, Port>();
  private readonly table = new Map<number, Entry>();
  private readonly counters: Record<SwitchStatName, number> = zeroStats(...SWITCH_STATS);
  private nextPort = 1;
  private readonly ageMs: number;

  constructor(private readonly opts: SwitchOptions = {}) {
    this.ageMs = opts.ageMs ?? 300_000;
  }

  /** Make `end` a port of the switch (the switch takes its onFrame/onDown); returns the port number. */
  attach(end: LinkEnd): number {
    const n = this.nextPort++;
    this.ports.set(n, { end, framesIn: 0, framesOut: 0 });
    end.onFrame = (f) => this.input(n, f);
    end.onDown = (reason) => {
      this.counters.portsDown++;
      this.detach(n);
      this.onPortDown?.(n, reason);
    };
    return n;
  }

  /**
   * A new in-process link with one end on the switch; returns the other end
   * for a board or host to use.
   */
  connect(clock: Clock, pairOpts: PairOptions = {}): PairEnd {
    const [mine, theirs] = createPair(clock, pairOpts);
    this.attach(mine);
    return theirs;
  }

  /** Remove a port and forget the addresses learned on it (does not close the end). */
  detach(port: number): void {
    const p = this.ports.get(port);
    if (!p) return;
    p.end.onFrame = null;
    p.end.onDown = null;
    this.ports.delete(port);
    for (const [mac, e] of this.table) if (e.port === port) this.table.delete(mac);
  }

  /** The learned addresses, as "aa:bb:cc:dd:ee:ff" → port. */
  macTable(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [mac, e] of this.table) if (this.fresh(e)) out.set(macString(mac), e.port);
    return out;
  }

  /** Port numbers currently attached. */
  portNumbers(): number[] { return [...this.ports.keys()]; }

  /** Frames received from and sent to one port. */
  portStats(port: number): LinkStats {
    const p = this.ports.get(port);
    return p ? { framesIn: p.framesIn, framesOut: p.framesOut } : {};
  }

  stats(): LinkStats { return { ...this.counters }; }

  /** Detach every port and close their ends. */
  close(): void {
    for (const [n, p] of [...this.ports]) { this.detach(n); p.end.close(); }
  }

  private fresh(e: Entry): boolean {
    return !this.opts.clock || this.opts.clock.now() - e.seenAt < this.ageMs;
  }

  private input(inPort: number, f: Uint8Array): void {
    const port = this.ports.get(inPort);
    if (!port) return;
    port.framesIn++;
    this.counters.framesIn++;
    if (f.length < MIN_WIRE_FRAME) { this.counters.dropRunt++; return; }
    if (!fcsValid(f)) { this.counters.dropBadFcs++; return; }
    const now = this.opts.clock?.now() ?? 0;
    // A group address is never a valid source (802.1D §7.8): do not learn it.
    if ((f[6] & 1) === 0) {
      const src = macAt(f, 6);
      const e = this.table.get(src);
      if (!e) { this.table.set(src, { port: inPort, seenAt: now }); this.counters.learned++; }
      else {
        if (e.port !== inPort) { e.port = inPort; this.counters.moved++; }
        e.seenAt = now;
      }
    }
    if ((f[0] & 1) === 0) {
      const dst = this.table.get(macAt(f, 0));
      if (dst && !this.fresh(dst)) { this.table.delete(macAt(f, 0)); this.counters.aged++; }
      else if (dst) {
        if (dst.port === inPort) { this.counters.filtered++; return; }
        const out = this.ports.get(dst.port);
        if (out) { out.framesOut++; out.end.send(f); this.counters.forwarded++; return; }
      }
    }
    this.counters.flooded++;
    for (const [n, p] of this.ports) {
      if (n === inPort) continue;
      p.framesOut++;
      p.end.send(f);
    }
  }
}
