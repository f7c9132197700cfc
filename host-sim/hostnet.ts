/**
 * A deterministic in-process network of Stack instances on the host-frames
 * link (link 0), joined like stations on a hub: every frame a stack sends
 * is offered to each other stack whose MAC it is addressed to (or to all,
 * for broadcast), after the filters for that direction have had their say.
 *
 * Time is virtual (a VirtualClock): each stack is polled at the deadline
 * its last net_poll returned, frames arrive `latencyMs` after they are
 * sent, and nothing happens between events, so a run with the same seeds
 * is the same run. Filters see every frame per direction and may pass,
 * drop, duplicate, alter or delay it (delay is how reordering is made), so
 * tests can lose exactly the segment they mean to; `seededFaults` does the
 * same at random with fixed seeds.
 */
import { VirtualClock } from "./clock.js";
import { Stack, type StackOptions, ipToNumber, macToBytes } from "./stack.js";
import type { ConfigName } from "./abi-tables.js";
import { ACK, FIN, PSH, RST, SYN, URG, ipNumber, parseTcpFrame } from "./wire/index.js";

/** What a filter may do with a frame: pass it (or replacements), or drop it (null/[]). */
export type FilterResult = Uint8Array | Uint8Array[] | null | undefined;

export interface FilterContext {
  from: Host;
  to: Host;
  /** Virtual time in ms. */
  now: number;
  /** Frames offered in this direction before this one. */
  index: number;
  /** Deliver a frame in this direction `delayMs` from now (it bypasses the filters). */
  later(frame: Uint8Array, delayMs: number): void;
}

export type Filter = (frame: Uint8Array, ctx: FilterContext) => FilterResult;

export interface HostOptions {
  name?: string;
  /** Default 02:00:00:00:00:NN. */
  mac?: string;
  /** Default 10.0.0.NN. */
  ip?: string;
  netmask?: string;
  /** hal.entropy seed (default: the host's number). */
  seed?: number;
  module?: StackOptions["module"];
  /** net_config values applied after net_init. */
  config?: Partial<Record<ConfigName, number>>;
}

export interface HostNetOptions {
  /** One-way delay of every frame in ms (default 0: delivered at the same instant, after the sender returns). */
  latencyMs?: number;
  /** Virtual start time in ms (default 0). */
  startMs?: number;
}

/** One station: a Stack with its addresses and poll schedule. */
export class Host {
  readonly stack: Stack;
  readonly mac: Uint8Array;
  readonly ip: number;
  /** Frames this host has sent (before any filter). */
  framesSent = 0;
  private pollHandle = 0;
  private pollAt = Infinity;
  private spins = 0;
  private lastSpinAt = -1;
  private polledAt = -1;

  constructor(readonly net: HostNet, readonly name: string, mac: string, ip: string, netmask: string, opts: HostOptions) {
    this.mac = macToBytes(mac);
    this.ip = ipToNumber(ip);
    this.stack = new Stack({ module: opts.module, seed: opts.seed });
    this.stack.init({ mac: this.mac, ip, netmask });
    for (const [k, v] of Object.entries(opts.config ?? {})) this.stack.setConfig(k as ConfigName, v as number);
    this.stack.onFrame = (f) => {
      this.framesSent++;
      net.transmit(this, f);
    };
    this.stack.sent.length = 0;
    this.kick();
  }

  /**
   * Poll now, after a user call or an input, so the next wake-up follows
   * whatever they changed. Synchronous on purpose: a scheduled poll would
   * be a new event at the same instant, and a test that polls its sockets
   * after every instant would never let time move.
   */
  kick(): void { this.pollNow(); }

  /** Run net_poll now and schedule the next one at the deadline it returns. */
  pollNow(): void {
    const now = this.net.now;
    this.polledAt = now;
    if (this.pollHandle) this.net.clock.cancel(this.pollHandle);
    this.pollHandle = 0;
    this.pollAt = Infinity;
    this.stack.sent.length = 0;
    const r = this.stack.poll(now);
    this.stack.sent.length = 0;
    if (r >= 0) {
      if (r === 0) {
        if (this.lastSpinAt === now && ++this.spins > 10_000) throw new Error(`${this.name}: net_poll keeps returning 0 at ${now} ms`);
        if (this.lastSpinAt !== now) { this.lastSpinAt = now; this.spins = 0; }
      }
      this.scheduleAt(now + r);
    }
  }

  private scheduleAt(at: number): void {
    if (at >= this.pollAt) return;
    if (this.pollHandle) this.net.clock.cancel(this.pollHandle);
    this.pollAt = at;
    this.pollHandle = this.net.clock.at(at, () => this.pollNow());
  }

  /** Bring the stack's clock to now (net_input and the tcp_* calls use the time of the last poll). */
  sync(): void {
    if (this.polledAt !== this.net.now) this.pollNow();
  }

  /** Hand a frame to the stack (from the network). */
  receive(frame: Uint8Array): void {
    this.sync();
    this.stack.input(frame);
    this.stack.sent.length = 0;
    this.kick();
  }
}

interface FilterEntry { from: Host | null; to: Host | null; fn: Filter; }

/** The network: hosts, a hub between them, filters and the virtual clock. */
export class HostNet {
  readonly clock: VirtualClock;
  readonly hosts: Host[] = [];
  latencyMs: number;
  /** Called with every frame as it is sent (before filters): a capture point. */
  tap: ((from: Host, frame: Uint8Array, now: number) => void) | null = null;
  private filters: FilterEntry[] = [];
  private counts = new Map<string, number>();

  constructor(opts: HostNetOptions = {}) {
    this.clock = new VirtualClock(opts.startMs ?? 0);
    this.latencyMs = opts.latencyMs ?? 0;
  }

  /** Current virtual time in whole ms (what the stacks are told). */
  get now(): number { return Math.floor(this.clock.now()); }

  /** Add a station; addresses default from its number (1-based). */
  add(opts: HostOptions = {}): Host {
    const n = this.hosts.length + 1;
    const hex = n.toString(16).padStart(2, "0");
    const h = new Host(this, opts.name ?? `h${n}`, opts.mac ?? `02:00:00:00:00:${hex}`, opts.ip ?? `10.0.0.${n}`,
      opts.netmask ?? "255.255.255.0", { seed: n, ...opts });
    this.hosts.push(h);
    return h;
  }

  /** Install a filter for frames from `from` to `to` (null = any); returns its remover. */
  filter(from: Host | null, to: Host | null, fn: Filter): () => void {
    const e: FilterEntry = { from, to, fn };
    this.filters.push(e);
    return () => { this.filters = this.filters.filter((x) => x !== e); };
  }

  /** Remove every filter. */
  clearFilters(): void { this.filters = []; }

  /** A frame from `from`: offer it to each addressed station through the filters. */
  transmit(from: Host, frame: Uint8Array): void {
    this.tap?.(from, frame, this.now);
    const bcast = (frame[0] & 1) === 1;
    for (const to of this.hosts) {
      if (to === from) continue;
      if (!bcast && !sameMac(frame, to.mac)) continue;
      this.offer(from, to, frame);
    }
  }

  private offer(from: Host, to: Host, frame: Uint8Array): void {
    const key = `${from.name}>${to.name}`;
    const index = this.counts.get(key) ?? 0;
    this.counts.set(key, index + 1);
    let out: Uint8Array[] = [frame];
    const ctx: FilterContext = {
      from, to, now: this.now, index,
      later: (f, ms) => this.deliver(to, f, ms),
    };
    for (const e of this.filters) {
      if ((e.from && e.from !== from) || (e.to && e.to !== to)) continue;
      const next: Uint8Array[] = [];
      for (const f of out) {
        const r = e.fn(f, ctx);
        if (r instanceof Uint8Array) next.push(r);
        else if (Array.isArray(r)) next.push(...r);
      }
      out = next;
    }
    for (const f of out) this.deliver(to, f, 0);
  }

  private deliver(to: Host, frame: Uint8Array, extraMs: number): void {
    this.clock.at(this.clock.now() + this.latencyMs + extraMs, () => to.receive(frame));
  }

  /** Advance virtual time by `ms`, running every event on the way. */
  run(ms: number): void {
    this.clock.advanceTo(this.clock.now() + ms);
  }

  /**
   * Run events until `pred()` holds (checked after each instant) or `maxMs`
   * of virtual time pass. Returns whether `pred` held.
   */
  runUntil(pred: () => boolean, maxMs = 600_000): boolean {
    const limit = this.clock.now() + maxMs;
    if (pred()) return true;
    for (;;) {
      const next = this.clock.nextAt();
      if (next === undefined || next > limit) {
        this.clock.advanceTo(limit);
        return pred();
      }
      this.clock.advanceTo(next);
      if (pred()) return true;
    }
  }
}

function sameMac(frame: Uint8Array, mac: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (frame[i] !== mac[i]) return false;
  return true;
}

/** The TCP header fields of an Ethernet/IPv4/TCP frame, or null for anything else. */
export interface TcpView {
  srcIp: number; dstIp: number; srcPort: number; dstPort: number;
  seq: number; ack: number; flags: number; window: number; payloadLen: number;
}

/** TCP flag bits as in the header. */
export const TCP_FLAGS = { FIN, SYN, RST, PSH, ACK, URG } as const;

/** The TCP header of a frame (through the packet library), or null when it is not TCP over IPv4. */
export function tcpView(f: Uint8Array): TcpView | null {
  const p = parseTcpFrame(f);
  if (typeof p === "string") return null;
  const t = p.tcp;
  return {
    srcIp: ipNumber(p.ip.src), dstIp: ipNumber(p.ip.dst), srcPort: t.srcPort, dstPort: t.dstPort,
    seq: t.seq, ack: t.ack, flags: t.flags, window: t.window, payloadLen: t.payload.length,
  };
}

/** A small seeded PRNG (mulberry32), uniform in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultRates {
  seed: number;
  drop?: number;
  duplicate?: number;
  /** Probability that a frame is held back and overtaken by later ones. */
  reorder?: number;
  corrupt?: number;
  /** A reordered frame arrives 1..reorderMaxMs ms late (default 20). */
  reorderMaxMs?: number;
}

export interface FaultCounts { offered: number; dropped: number; duplicated: number; reordered: number; corrupted: number; }

/**
 * A filter that drops, duplicates, reorders and corrupts (one bit flipped)
 * frames at the given rates, from a seeded stream: same seed, same faults.
 * `counts` tells what it did.
 */
export function seededFaults(r: FaultRates): Filter & { counts: FaultCounts } {
  const rnd = prng(r.seed);
  const counts: FaultCounts = { offered: 0, dropped: 0, duplicated: 0, reordered: 0, corrupted: 0 };
  const fn = ((frame: Uint8Array, ctx: FilterContext): FilterResult => {
    counts.offered++;
    const dDrop = rnd(), dDup = rnd(), dReorder = rnd(), dCorrupt = rnd(), pick = rnd();
    if (dDrop < (r.drop ?? 0)) { counts.dropped++; return null; }
    let f = frame;
    if (dCorrupt < (r.corrupt ?? 0)) {
      f = frame.slice();
      const bit = Math.floor(pick * f.length * 8);
      f[bit >> 3] ^= 1 << (bit & 7);
      counts.corrupted++;
    }
    const out = dDup < (r.duplicate ?? 0) ? [f, f.slice()] : [f];
    if (out.length === 2) counts.duplicated++;
    if (dReorder < (r.reorder ?? 0)) {
      counts.reordered++;
      const delay = 1 + Math.floor(pick * (r.reorderMaxMs ?? 20));
      for (const x of out) ctx.later(x, delay);
      return null;
    }
    return out;
  }) as Filter & { counts: FaultCounts };
  fn.counts = counts;
  return fn;
}
