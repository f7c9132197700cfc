/**
 * A simulated board: one embertcp.wasm instance, its link, and a Clock that
 * drives everything. Two link modes:
 *   - "enc28j60" (default): link 1, the HAL's SPI wired to the
 *     register-level chip model, the chip's cable a link end from
 *     host-sim/links. The chip's timing model (SPI time, 10BASE-T wire time,
 *     its 8 KB buffer) applies to whichever clock runs the board, so in real
 *     time a peer sees what a board with this chip would deliver.
 *   - "host": link 0, each frame from the link end handed straight to
 *     net_input in the same event-loop turn and each frame_out sent on at
 *     once: no chip, no wire pacing; the stack as a fast user-space stack.
 *
 * When the board runs (README "Using the module", docs/EMBEDDING.md):
 * net_poll is called
 *   - when the chip drives its INT pin (a frame stored, a transmission done,
 *     a link change),
 *   - when a frame that arrived from the cable has been stored by the chip,
 *   - when the deadline net_poll itself returned has passed,
 *   - right after an app queued data or closed a connection,
 *   - in host mode, once a batch of frames from the link is in (and every
 *     HOST_FRAMES_PER_TURN frames within a batch).
 * Deadlines are timers on the Clock, so the same code runs in virtual time
 * (VirtualClock: deterministic tests and benches; the owner advances the
 * clock) and in real time (RealClock: interactive runs; sub-millisecond
 * deadlines, nothing spins while idle). At most one poll is pending at a
 * time; an earlier request replaces a later one.
 *
 * SPI time: the chip model charges each SPI byte to a debt that is its idea
 * of "now" beyond the clock. After each call into the module the board takes
 * that debt as time its CPU was busy: the next poll is not run before it has
 * passed, counted from the start of the turn (so benches see the SPI cost,
 * and in real time the host's own run time is not charged twice).
 *
 * Apps (host-sim/apps) are serviced after every poll through the socket
 * calls of the ABI; if they did anything the board polls again at once, a
 * bounded number of times per turn, so one board cannot starve the others.
 */

import { type Clock, RealClock, type TimerHandle, VirtualClock } from "./clock.js";
import { appendFcs } from "./crc32.js";
import { Enc28j60 } from "./enc28j60/chip.js";
import { EmberError, errorName } from "./errors.js";
import type { LinkEnd } from "./links/types.js";
import { type ConfigName } from "./abi-tables.js";
import { DEFAULT_LIMITS, type Limits } from "./limits.js";
import { ipToNumber, ipToString, macToBytes, Stack, type StackOptions } from "./stack.js";

/** Something that runs on a board through the socket calls (see host-sim/apps). */
export interface BoardApp {
  /** Short name for events and netstat ("echo", "http", ...). */
  readonly name: string;
  /** Called once the board is running (listen here). */
  start(board: Board): void;
  /** Do pending socket work; return true if anything was sent, received or closed. */
  service(board: Board): boolean;
  /** Release every connection (abort) and listener. */
  stop(board: Board): void;
  /** Board-clock time (ms) at which the app needs a service turn even if nothing happens (idle timeouts). */
  wakeAt?(board: Board): number | undefined;
}

/** One line-worthy thing that happened on a board. */
export interface BoardEvent {
  /** ms on the board's clock. */
  at: number;
  kind: "link" | "arp" | "conn" | "app" | "error" | "dhcp" | "dns";
  text: string;
}

/** How the stack reaches its link end (see the file comment). */
export type LinkMode = "enc28j60" | "host";

export interface BoardOptions {
  /** Label in events ("board", "A", "B", ...). */
  name?: string;
  /** "enc28j60" (default) or "host". */
  linkMode?: LinkMode;
  /** The board's cable. */
  link: LinkEnd;
  /** Drives polls and the chip; default a RealClock. */
  clock?: Clock;
  mac: string | Uint8Array;
  ip: string | number;
  netmask?: string | number;
  gateway?: string | number;
  /** Seed for hal.entropy (deterministic runs); default: from crypto. */
  seed?: number;
  /** A compiled module or path (default build/embertcp.wasm). */
  module?: StackOptions["module"];
  /** The compile-time limits `module` was built with (shown by netstat; default: the default build's). */
  limits?: Limits;
  /** net_config values applied after net_init. */
  config?: Partial<Record<ConfigName, number>>;
  /** SPI clock of the chip model in Hz (default 20 MHz). */
  spiHz?: number;
  /** Full-duplex strap of the chip (default half duplex, as the chip resets). */
  fullDuplex?: boolean;
  /** Module log lines (hal.log). */
  log?: (level: number, line: string) => void;
  /** Board events (link, connection, errors). */
  onEvent?: (e: BoardEvent) => void;
  /**
   * Most wire time (ms) of frames waiting to reach the chip; a frame arriving
   * beyond it is dropped and counted (`wireDrops`), as a switch port drops
   * when its 10BASE-T link is oversubscribed. Default 50 ms.
   */
  maxWireQueueMs?: number;
}

/** Most polls run back to back in one turn while apps keep finding work. */
const MAX_POLLS_PER_TURN = 8;

/**
 * Host mode: frames handed to net_input before a turn runs within one batch
 * from the link, so apps accept before a burst of handshakes can fill an
 * accept queue (at most 16 deep, assembly/tcp/listen.ts).
 */
const HOST_FRAMES_PER_TURN = 8;

function cryptoSeed(): number {
  return (crypto.getRandomValues(new Uint32Array(1))[0] | 1) >>> 0;
}

export class Board {
  readonly name: string;
  readonly clock: Clock;
  readonly stack: Stack;
  readonly chip: Enc28j60;
  readonly link: LinkEnd;
  readonly ip: number;
  readonly mac: Uint8Array;
  readonly linkMode: LinkMode;
  readonly limits: Readonly<Limits>;
  readonly apps: BoardApp[] = [];
  /** Polls run so far. */
  polls = 0;
  /** Total SPI time charged by the chip model, ms. */
  spiMs = 0;
  /** Why the board stopped, once it has. */
  failure: string | null = null;
  /** Frames dropped before the chip because the 10 Mb/s wire was oversubscribed. */
  wireDrops = 0;

  private readonly opts: BoardOptions;
  private readonly virtual: boolean;
  private pollTimer: TimerHandle | null = null;
  private pollAt = Infinity;
  private kicked = false;
  private busyUntil = 0;
  private t0 = 0;
  private running = false;
  private stopped = false;
  private inPoll = false;
  private irqDuringTurn = false;
  private turnStart = 0;
  private inputsSinceTurn = 0;
  private linkDown = false;

  constructor(opts: BoardOptions) {
    this.opts = opts;
    this.name = opts.name ?? "board";
    this.clock = opts.clock ?? new RealClock();
    this.virtual = this.clock instanceof VirtualClock;
    this.link = opts.link;
    this.ip = ipToNumber(opts.ip);
    this.mac = macToBytes(opts.mac);
    this.linkMode = opts.linkMode ?? "enc28j60";
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.chip = new Enc28j60({ clock: this.clock, spiHz: opts.spiHz, fullDuplexStrap: opts.fullDuplex, seed: opts.seed });
    const host = this.linkMode === "host";
    this.stack = new Stack({ module: opts.module, seed: opts.seed ?? cryptoSeed(), spi: host ? undefined : this.chip, log: opts.log, keepSent: false });
    this.link.onDown = (reason) => { this.linkDown = true; this.event("link", `link down: ${reason}`); };
    if (host) this.wireHost();
    else this.wireChip(opts.maxWireQueueMs ?? 50);
  }

  /** ENC28J60 mode: the chip's cable is the link end; frames wait for their wire time. */
  private wireChip(maxQueue: number): void {
    this.chip.onWireTransmit = (f) => this.link.send(f);
    this.chip.onInterrupt = (asserted) => {
      if (!asserted) return;
      // An edge while the module is running (the chip's clock moves with SPI time) is seen after the turn.
      if (this.inPoll) this.irqDuringTurn = true;
      else this.kick();
    };
    this.link.onFrame = (f) => {
      if (this.stopped) return;
      if (this.chip.rxWireIdleAt - this.clock.now() > maxQueue) { this.wireDrops++; return; }
      this.chip.wireReceive(f);
      // The chip stores the frame when its last bit is in; poll then.
      this.requestPoll(this.chip.rxWireIdleAt);
    };
  }

  /**
   * Host mode: frames go to net_input as they arrive (a link end with
   * `rawFrames` carries them without FCS; otherwise the FCS is stripped on
   * the way in and added on the way out), then a turn runs once the current
   * batch of arrivals is done (a microtask), so apps see the data at once.
   */
  private wireHost(): void {
    const raw = (this.link as { rawFrames?: boolean }).rawFrames === true;
    this.stack.onFrame = (f) => this.link.send(raw ? f : appendFcs(f));
    this.link.onFrame = (f) => {
      if (!this.running || this.stopped) return;
      try { this.stack.input(raw ? f : f.subarray(0, Math.max(0, f.length - 4))); } catch (e) { this.fail(e); return; }
      if (++this.inputsSinceTurn >= HOST_FRAMES_PER_TURN && !this.inPoll) this.turn();
      else this.kick();
    };
  }

  /** Whether the board's link is up: the chip's PHY, or (host mode) the link end. */
  get linkUp(): boolean { return this.linkMode === "host" ? !this.linkDown : this.chip.link; }

  /** Bring the stack up on the chip (net_init on link 1) and start polling. Throws EmberError (ENODEV, EINVAL). */
  start(apps: BoardApp[] = []): this {
    const o = this.opts;
    this.t0 = this.clock.now();
    this.turnStart = this.t0;
    const host = this.linkMode === "host";
    this.stack.init({ link: host ? 0 : 1, mac: this.mac, ip: this.ip, netmask: o.netmask ?? "255.255.255.0", gateway: o.gateway ?? 0 });
    this.takeSpi();
    for (const [k, v] of Object.entries(o.config ?? {})) this.stack.setConfig(k as ConfigName, v!);
    this.running = true;
    this.event("link", host ? `${ipToString(this.ip)} up on the host-frames link (no chip model)`
      : `${ipToString(this.ip)} up on the ENC28J60 model (link ${this.chip.link ? "up" : "down"})`);
    for (const a of apps) this.addApp(a);
    this.requestPoll(this.clock.now());
    return this;
  }

  /** Run an app on this board (listening happens at once). */
  addApp(app: BoardApp): void {
    this.apps.push(app);
    // The module's clock is the time of its last net_poll (docs/ABI.md), and
    // an idle board may not have polled for seconds: a tcp_connect then would
    // arm its retransmission timer in the past and resend its SYN at once.
    if (this.running && !this.stopped && !this.inPoll) this.pollNow();
    app.start(this);
    this.kick();
  }

  /** One net_poll at the current time outside a turn (the turn that follows arms the next deadline). */
  private pollNow(): void {
    try {
      this.stack.poll(this.nowMs());
      this.polls++;
      this.takeSpi();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Ask for a poll as soon as possible (after a send, close, or interrupt). */
  kick(): void {
    // Inside a turn the loop itself polls again when an app did work.
    if (!this.running || this.stopped || this.inPoll) return;
    if (!this.virtual) {
      // Real time: as soon as the code that asked returns (every frame of a
      // batch read from the link is in by then), not a timer.
      if (!this.kicked) { this.kicked = true; queueMicrotask(() => { this.kicked = false; this.turn(); }); }
      return;
    }
    this.requestPoll(this.clock.now());
  }

  /** Stop polling, stop the apps and close the link (idempotent). */
  stop(): void {
    if (this.stopped) return;
    for (const a of this.apps) {
      try { a.stop(this); } catch { /* the module may already be unusable */ }
    }
    this.stopped = true;
    this.running = false;
    if (this.pollTimer !== null) this.clock.cancel(this.pollTimer);
    this.pollTimer = null;
    this.link.close();
  }

  get isRunning(): boolean { return this.running && !this.stopped; }

  /**
   * ms the module's clock reads now (net_poll's argument), counted from
   * start(). net_init on link 1 starts the chip's reset wait at the module's
   * idea of "now", which is 0 until the first net_poll, so the counter must
   * start at the board's power-on rather than at the clock's origin (a real
   * clock has often run for a while by then).
   */
  nowMs(): number { return Math.floor(this.clock.now() - this.t0) >>> 0; }

  /** Stack, chip and link counters, for netstat and the status page. */
  counters(): { stack: ReturnType<Stack["stats"]>; chip: Enc28j60["counters"]; link: ReturnType<LinkEnd["stats"]> } {
    return { stack: this.stack.stats(), chip: { ...this.chip.counters }, link: this.link.stats() };
  }

  /** Report an event (sim prints them). */
  event(kind: BoardEvent["kind"], text: string): void {
    this.opts.onEvent?.({ at: this.clock.now(), kind, text });
  }

  /** Move the chip's SPI debt into the board's busy time. */
  private takeSpi(): void {
    const d = this.chip.takeSpiTime();
    if (d === 0) return;
    this.spiMs += d;
    this.busyUntil = Math.max(this.busyUntil, this.virtual ? this.clock.now() : this.turnStart) + d;
  }

  private requestPoll(atMs: number): void {
    if (!this.running || this.stopped) return;
    const at = Math.max(atMs, this.busyUntil);
    if (this.pollTimer !== null && this.pollAt <= at) return;
    if (this.pollTimer !== null) this.clock.cancel(this.pollTimer);
    this.pollAt = at;
    this.pollTimer = this.clock.at(at, () => { this.pollTimer = null; this.pollAt = Infinity; this.turn(); });
  }

  /** One turn: poll, service apps, poll again while they did work; then arm the next deadline. */
  private turn(): void {
    if (!this.running || this.stopped) return;
    if (this.clock.now() < this.busyUntil) { this.requestPoll(this.busyUntil); return; }
    this.inPoll = true;
    this.inputsSinceTurn = 0;
    this.turnStart = this.clock.now();
    this.irqDuringTurn = false;
    let next = -1;
    try {
      for (let i = 0; i < MAX_POLLS_PER_TURN; i++) {
        next = this.stack.poll(this.nowMs());
        this.polls++;
        let worked = false;
        for (const a of this.apps) if (a.service(this)) worked = true;
        if (!worked && next !== 0) break;
        next = 0;
      }
      // The SPI time of the whole turn is taken once: taken between calls,
      // the chip's clock (board clock + SPI time not yet taken) would step
      // back and a frame still on the wire would seem to finish later than
      // it does, so the driver's bounded wait for it could run out.
      this.takeSpi();
    } catch (e) {
      this.inPoll = false;
      this.fail(e);
      return;
    }
    this.inPoll = false;
    let at = next >= 0 ? this.clock.now() + next : Infinity;
    if (this.irqDuringTurn) at = this.clock.now();
    for (const a of this.apps) {
      const w = a.wakeAt?.(this);
      if (w !== undefined && w < at) at = Math.max(w, this.clock.now());
    }
    if (at !== Infinity) this.requestPoll(at);
  }

  private fail(e: unknown): void {
    const why = e instanceof EmberError ? (e.code === -10 ? "the ENC28J60 stopped answering (ENODEV)" : `${e.call}: ${errorName(e.code)}`) : String(e);
    this.failure = why;
    this.event("error", `board stopped: ${why}`);
    this.running = false;
    if (this.pollTimer !== null) this.clock.cancel(this.pollTimer);
    this.pollTimer = null;
  }
}

/** Run a VirtualClock until `ms` later, returning early once `until()` holds (checked every `stepMs`). */
export function runVirtual(clock: VirtualClock, ms: number, until?: () => boolean, stepMs = 1): boolean {
  const end = clock.now() + ms;
  if (!until) { clock.advanceTo(end); return true; }
  while (clock.now() < end) {
    if (until()) return true;
    // Nothing changes between timers: jump to the next one, checking at least every stepMs.
    const next = clock.nextAt() ?? end;
    clock.advanceTo(Math.min(end, Math.max(clock.now() + stepMs, next)));
  }
  return until();
}
