/**
 * The packet-level TCP test harness: one fresh Stack per board, a virtual
 * clock per board, segments built by ./tcp-packets.ts (which shares no code
 * with the stack) and reply checks that assert every header field.
 *
 * The board is 02:00:00:00:00:01 / 10.0.0.2/24 (gateway 10.0.0.1); the test
 * plays the peer at 10.0.0.1 / 02:00:00:00:00:02. `newBoard()` teaches the
 * board the peer's MAC with an ARP request addressed to the board (RFC 826:
 * a request for us creates the sender's entry), and the harness answers any
 * ARP request the board sends later for the peer, so TCP tests see only TCP.
 *
 * Conventions: a board's state is reached by driving packets
 * (`listening()`, `synReceived()`, `established()`, `synSent()`,
 * `activeEstablished()`), and a `Conn` remembers the sequence numbers both
 * ends expect, so a test writes `send(b, c.seg({ payload }))` and
 * `expectReplies(b, [c.reply({ ack: ... })])`.
 */
import { expect } from "vitest";
import { Stack, type Status } from "../../host-sim/stack.js";
import type { ConfigName, StatName } from "../../host-sim/abi-tables.js";
import { EmberError, ERRNO } from "../../host-sim/errors.js";
import { ARP_REPLY, ARP_REQUEST, BROADCAST_MAC, arpFrame, parseArpFrame, parseOptions } from "../../host-sim/wire/index.js";
import {
  ACK, EMPTY, FIN, OPT_EOL, OPT_MSS, OPT_NOP, PSH, RST, SYN, type FrameOptions, type SegmentFrame, type Segment,
  buildTcpFrame, describeSegment, flagList, parseSegmentFrame, seqAdd,
} from "./tcp-packets.js";

export const BOARD_MAC = "02:00:00:00:00:01";
export const BOARD_IP = "10.0.0.2";
export const PEER_MAC = "02:00:00:00:00:02";
export const PEER_IP = "10.0.0.1";
export const NETMASK = "255.255.255.0";

/** The port the board listens on in passive tests, and the port the peer listens on in active ones. */
export const SERVER_PORT = 80;
/** The peer's port in passive tests (a client port). */
export const CLIENT_PORT = 40000;
/** The peer's ISS in passive tests (10000) and in active tests (20000), the numbers of the ladders in test/tcp-ladders.test.ts. */
export const PEER_ISS = 10000;
export const PEER_ISS_ACTIVE = 20000;
/** The window the test peer advertises. */
export const PEER_WINDOW = 65535;

/** The MSS the board must offer on an Ethernet link: 1500 - 20 (IPv4) - 20 (TCP) (RFC 9293 §3.7.1). */
export const BOARD_MSS = 1460;
/** RFC 9293 §3.7.1 / RFC 1122 §4.2.2.6: the MSS to assume when the peer sends none. */
export const DEFAULT_MSS = 536;
/** The board's receive ring (TCP_RX_BUF default, config.ts): the window of a fresh connection. */
export const BOARD_WINDOW = 4096;
/** TCB_COUNT default. */
export const TCB_COUNT = 8;

/** tcp_state numbers (docs/ABI.md, RFC 9293 §3.3.2). */
export const State = {
  CLOSED: 0, LISTEN: 1, SYN_SENT: 2, SYN_RECEIVED: 3, ESTABLISHED: 4,
  FIN_WAIT_1: 5, FIN_WAIT_2: 6, CLOSE_WAIT: 7, CLOSING: 8, LAST_ACK: 9, TIME_WAIT: 10,
} as const;
export type StateName = keyof typeof State;

export { ERRNO };

/** A frame the board sent and the virtual time it was sent at. */
export interface SentFrame { frame: Uint8Array; at: number }

/** A reply as the harness hands it to tests. */
export interface Reply extends SegmentFrame { at: number }

export interface BoardOptions {
  seed?: number;
  /** The compiled module (default build/embertcp.wasm), for tests of another build. */
  module?: WebAssembly.Module;
  /** net_config settings applied right after net_init. */
  config?: Partial<Record<ConfigName, number>>;
  /** Teach the board the peer's MAC before the test starts (default true). */
  learnPeer?: boolean;
  /** Answer the board's ARP requests for the peer (default true). */
  answerArp?: boolean;
  mac?: string;
  ip?: string;
  peerMac?: string;
  peerIp?: string;
  /** The board's default gateway (default the peer; "0.0.0.0" for none). */
  gateway?: string;
  /** Start of the virtual clock (default 1000 ms, so time 0 is never special). */
  startMs?: number;
}

/** One Stack instance with its virtual clock and the frames it has sent. */
export class Board {
  readonly stack: Stack;
  now: number;
  readonly mac: string;
  readonly ip: string;
  readonly peerMac: string;
  readonly peerIp: string;
  answerArp: boolean;
  /** Frames sent and not yet taken by the harness. */
  readonly out: SentFrame[] = [];
  /** Replaced by a Wire when two boards are connected to each other. */
  sink: ((f: SentFrame) => void) | null = null;

  constructor(o: BoardOptions = {}) {
    this.stack = new Stack({ seed: o.seed ?? 1, module: o.module });
    this.now = o.startMs ?? 1000;
    this.mac = o.mac ?? BOARD_MAC;
    this.ip = o.ip ?? BOARD_IP;
    this.peerMac = o.peerMac ?? PEER_MAC;
    this.peerIp = o.peerIp ?? PEER_IP;
    this.answerArp = o.answerArp ?? true;
    this.stack.onFrame = (frame) => {
      const f = { frame, at: this.now };
      if (this.sink) this.sink(f);
      else this.out.push(f);
    };
  }

  /** net_poll at the board's current time. */
  poll(): number {
    return this.stack.poll(this.now);
  }
}

/** A fresh, initialised board that knows the peer's MAC; the init-time ARP traffic is discarded. */
export function newBoard(o: BoardOptions = {}): Board {
  const b = new Board(o);
  b.stack.init({ mac: b.mac, ip: b.ip, netmask: NETMASK, gateway: o.gateway ?? b.peerIp });
  b.poll();
  for (const [k, v] of Object.entries(o.config ?? {})) b.stack.setConfig(k as ConfigName, v as number);
  if (o.learnPeer ?? true) {
    b.stack.input(arpFrame({ op: ARP_REQUEST, sha: b.peerMac, spa: b.peerIp, tpa: b.ip, ethDst: BROADCAST_MAC }));
  }
  b.stack.takeSent();
  b.out.length = 0;
  return b;
}

// ---------- time ----------

/**
 * Run the board's clock to `t`, stopping at every deadline net_poll reports
 * on the way, so timers fire (and frames are stamped) at their exact times.
 */
export function advanceTo(b: Board, t: number): void {
  let spins = 0;
  for (;;) {
    const next = b.poll();
    if (next === 0) {
      if (++spins > 1000) throw new Error(`net_poll keeps returning 0 at ${b.now} ms`);
      continue;
    }
    spins = 0;
    if (next < 0 || b.now + next > t) break;
    b.now += next;
  }
  if (t > b.now) {
    b.now = t;
    b.poll();
  }
}

/** Let `ms` of virtual time pass. */
export function advance(b: Board, ms: number): void {
  advanceTo(b, b.now + ms);
}

// ---------- sending and receiving ----------

/** Hand a segment from the peer to the board (at virtual time `at`, if given). */
export function send(b: Board, seg: Segment, o: { at?: number; frame?: FrameOptions } = {}): void {
  if (o.at !== undefined) advanceTo(b, o.at);
  b.stack.input(buildTcpFrame(seg, { srcMac: b.peerMac, dstMac: b.mac, ...o.frame }));
}

/** Hand a raw frame to the board. */
export function sendFrame(b: Board, frame: Uint8Array, o: { at?: number } = {}): void {
  if (o.at !== undefined) advanceTo(b, o.at);
  b.stack.input(frame);
}

/**
 * Everything the board sent since the last call, ARP excluded: the board's
 * ARP requests for the peer are answered (which may release a held frame),
 * its other ARP traffic is dropped. Non-TCP frames come back with `seg`
 * undefined so a test fails on them.
 */
export function takeReplies(b: Board): Reply[] {
  const out: Reply[] = [];
  for (let round = 0; round < 8; round++) {
    const frames = b.out.splice(0, b.out.length);
    b.stack.takeSent();
    if (frames.length === 0) break;
    for (const f of frames) {
      const arp = parseArpFrame(f.frame);
      if (arp) {
        if (arp.op === ARP_REQUEST && arp.tpa === b.peerIp && arp.spa === b.ip && b.answerArp) {
          b.stack.input(arpFrame({ op: ARP_REPLY, sha: b.peerMac, spa: b.peerIp, tha: b.mac, tpa: b.ip }));
        }
        continue;
      }
      const p = parseSegmentFrame(f.frame);
      if (!p) throw new Error(`the board sent a frame that is not IPv4/TCP: ${Buffer.from(f.frame).toString("hex")}`);
      out.push({ ...p, at: f.at });
    }
  }
  return out;
}

/** Stands for "any value" in an expected reply, for a field RFC 9293 leaves to the sender. */
export const ANY = -1;

interface WindowMatcher { asymmetricMatch(x: unknown): boolean; toString(): string; toAsymmetricMatcher(): string }

function isMatcher(x: unknown): x is WindowMatcher {
  return typeof x === "object" && x !== null && "asymmetricMatch" in x;
}

/**
 * An expected window that may take any of `values` (typed as a number so it
 * fits a Segment; only expectReplies understands it).
 */
export function windowOneOf(...values: number[]): number {
  const m: WindowMatcher = {
    asymmetricMatch: (x: unknown) => typeof x === "number" && values.includes(x),
    toString: () => `one of ${values.join(", ")}`,
    toAsymmetricMatcher: () => `window one of [${values.join(", ")}]`,
  };
  return m as unknown as number;
}

/** A reply as compared by expectReplies: every field, readable in a diff. */
function view(s: Segment, expected: boolean): Record<string, unknown> {
  const m = (v: number): unknown => (expected && v === ANY ? expect.any(Number) : v >>> 0);
  // PSH on a segment carrying data or a FIN is the sender's choice (RFC 9293 §3.9.1.2:
  // the end of the stream is pushed too); on anything else it must be clear.
  const flags = s.payload.length > 0 || s.flags & FIN ? s.flags & ~PSH : s.flags;
  const extra: number[] = [];
  if (!expected) {
    for (const o of parseOptions(s.options ?? EMPTY).list.map((x) => x.kind)) if (o !== OPT_MSS && o !== OPT_NOP && o !== OPT_EOL) extra.push(o);
  }
  return {
    srcIp: s.srcIp,
    srcPort: m(s.srcPort),
    dstIp: s.dstIp,
    dstPort: m(s.dstPort),
    flags: flagList(flags),
    seq: m(s.seq),
    // The acknowledgment field means nothing without the ACK bit (RFC 9293 §3.1).
    ack: s.flags & ACK ? m(s.ack) : "(no ACK bit)",
    window: expected && isMatcher(s.window) ? s.window : m(s.window),
    urgent: s.urgent,
    mss: s.mss ?? "(no MSS option)",
    otherOptions: extra,
    payload: `${s.payload.length} bytes ${Buffer.from(s.payload.subarray(0, 64)).toString("hex")}${s.payload.length > 64 ? "…" : ""}`,
    payloadHash: hashBytes(s.payload),
  };
}

function hashBytes(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) { h ^= b[i]; h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}

/** The frame-level checks every reply must pass: addressing, IPv4 header, checksums, option syntax. */
export function checkFrame(b: Board, r: SegmentFrame): void {
  const where = describeSegment(r.seg);
  expect(r.eth, `Ethernet header of ${where}`).toEqual({ dst: b.peerMac, src: b.mac, type: 0x0800 });
  expect({
    version: r.ip.version, ihl: r.ip.ihl, totalLength: r.ip.totalLength, mf: r.ip.mf, fragOffset: r.ip.fragOffset,
    ttlPositive: r.ip.ttl > 0, protocol: r.ip.protocol, src: r.ip.src, dst: r.ip.dst, checksumValid: r.ip.checksumValid,
  }, `IPv4 header of ${where}`).toEqual({
    version: 4, ihl: 5, totalLength: r.frameLength - 14, mf: false, fragOffset: 0,
    ttlPositive: true, protocol: 6, src: b.ip, dst: b.peerIp, checksumValid: true,
  });
  expect({ checksumValid: r.tcp.checksumValid, reserved: r.tcp.reserved, optionsMalformed: r.tcp.options.malformed },
    `TCP header of ${where}`).toEqual({ checksumValid: true, reserved: 0, optionsMalformed: false });
}

export interface ExpectOptions {
  /** Allow this many ms of virtual time for the replies to appear (e.g. a delayed ACK). */
  within?: number;
}

/**
 * Assert that the board sent exactly `expected` (in order), every field
 * compared, and return the replies. With `within`, time advances (deadline
 * by deadline) until all expected replies appeared or the time is up.
 */
export function expectReplies(b: Board, expected: Segment[], o: ExpectOptions = {}): Reply[] {
  const got = takeReplies(b);
  if (o.within !== undefined && got.length < expected.length) {
    const end = b.now + o.within;
    while (got.length < expected.length && b.now < end) {
      const next = b.poll();
      const step = next <= 0 ? end - b.now : Math.min(next, end - b.now);
      b.now += Math.max(step, 1);
      b.poll();
      got.push(...takeReplies(b));
    }
  }
  const summary = `expected:\n  ${expected.map(describeSegment).join("\n  ") || "(nothing)"}\ngot:\n  ${got.map((r) => describeSegment(r.seg)).join("\n  ") || "(nothing)"}`;
  expect(got.length, `number of replies\n${summary}`).toBe(expected.length);
  got.forEach((r, i) => {
    checkFrame(b, r);
    expect(view(r.seg, false), `reply ${i + 1} of ${got.length}\n${summary}`).toEqual(view(expected[i], true));
  });
  return got;
}

/** Assert that the board sent nothing (optionally: during the next `within` ms). */
export function expectNothing(b: Board, o: ExpectOptions = {}): void {
  if (o.within !== undefined) advance(b, o.within);
  const got = takeReplies(b);
  expect(got.map((r) => describeSegment(r.seg)), "the board should have sent nothing").toEqual([]);
}

// ---------- counters and status ----------

export type Stats = Record<StatName, number>;

/** The counters that changed while `fn` ran, as name → increase. */
export function statsDelta(b: Board, fn: () => void): Partial<Stats> {
  const before = b.stack.stats();
  fn();
  const after = b.stack.stats();
  const d: Partial<Stats> = {};
  for (const k of Object.keys(after) as StatName[]) {
    const diff = (after[k] - before[k]) >>> 0;
    if (diff !== 0) d[k] = diff;
  }
  return d;
}

/** The names of the *_drop_*-style counters that moved: exactly one per dropped segment (docs/ABI.md). */
export function dropCounters(d: Partial<Stats>): string[] {
  return Object.keys(d).filter((k) => /_drop_|_rejected|_overflows|_rst_ignored/.test(k)).sort();
}

/** The ABI error a call produced, or "ok". */
export function errnoOf(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    if (e instanceof EmberError) return e.errno;
    throw e;
  }
}

/** tcp_status, or null when the handle is no longer valid. */
export function statusOrNull(b: Board, handle: number): Status | null {
  try {
    return b.stack.status(handle);
  } catch (e) {
    if (e instanceof EmberError && e.errno === "EINVAL") return null;
    throw e;
  }
}

/** STATUS invariants that hold in every synchronized state (RFC 9293 §3.3.1). */
export function expectSaneStatus(s: Status): void {
  expect((s.snd_nxt - s.snd_una) | 0, "SND.UNA =< SND.NXT").toBeGreaterThanOrEqual(0);
  expect(s.rcv_wnd, "RCV.WND fits the receive ring").toBeLessThanOrEqual(BOARD_WINDOW);
  expect(s.send_queued, "queued bytes fit the send ring").toBeLessThanOrEqual(4096);
}

// ---------- connections ----------

/** One connection between the board and the test peer, with the numbers each end expects next. */
export class Conn {
  /** The board's next sequence number (what the peer acknowledges). */
  sndNxt: number;
  /** The peer's next sequence number (what the board acknowledges). */
  rcvNxt: number;
  /** The window the board is expected to advertise. */
  wnd = BOARD_WINDOW;
  /** The window the peer advertises. */
  peerWnd = PEER_WINDOW;

  constructor(
    readonly b: Board,
    /** Connection handle; -1 while the connection is only a half-open entry. */
    public handle: number,
    readonly boardPort: number,
    readonly peerPort: number,
    /** The board's ISS. */
    readonly iss: number,
    /** The peer's ISS (the board's IRS). */
    readonly irs: number,
  ) {
    this.sndNxt = seqAdd(iss, 1);
    this.rcvNxt = seqAdd(irs, 1);
  }

  /** A segment from the peer on this connection: seq RCV.NXT, ack SND.NXT, ACK, no data. */
  seg(over: Partial<Segment> = {}): Segment {
    return {
      srcIp: this.b.peerIp, dstIp: this.b.ip, srcPort: this.peerPort, dstPort: this.boardPort,
      seq: this.rcvNxt, ack: this.sndNxt, flags: ACK, window: this.peerWnd, urgent: 0, payload: EMPTY,
      ...over,
    };
  }

  /** A segment the board is expected to send: seq SND.NXT, ack RCV.NXT, ACK, the tracked window, no data. */
  reply(over: Partial<Segment> = {}): Segment {
    return {
      srcIp: this.b.ip, dstIp: this.b.peerIp, srcPort: this.boardPort, dstPort: this.peerPort,
      seq: this.sndNxt, ack: this.rcvNxt, flags: ACK, window: this.wnd, urgent: 0, payload: EMPTY,
      ...over,
    };
  }

  status(): Status {
    return this.b.stack.status(this.handle);
  }

  state(): number {
    return this.b.stack.state(this.handle);
  }

  /** Peer → board data at RCV.NXT; advances rcvNxt. */
  peerSends(payload: Uint8Array, over: Partial<Segment> = {}): void {
    send(this.b, this.seg({ payload, ...over }));
    this.rcvNxt = seqAdd(this.rcvNxt, payload.length + ((over.flags ?? 0) & FIN ? 1 : 0));
  }

  /**
   * Peer → board FIN (with optional data) at RCV.NXT; advances rcvNxt past
   * the data and the FIN. RFC 9293 lets the FIN's sequence number come out
   * of the window (right edge fixed) or not, so from now on the board's
   * window may be the old window less the data, or one less than that.
   */
  peerFin(over: Partial<Segment> = {}): void {
    const payload = over.payload ?? EMPTY;
    send(this.b, this.seg({ flags: FIN | ACK, ...over }));
    this.rcvNxt = seqAdd(over.seq ?? this.rcvNxt, payload.length + 1);
    if (!isMatcher(this.wnd)) this.wnd = windowOneOf(this.wnd - payload.length - 1, this.wnd - payload.length);
  }

  /** Board application writes data; returns bytes accepted. */
  appSends(data: Uint8Array): number {
    return this.b.stack.send(this.handle, data);
  }

  /** Board application writes all of `data` in pieces of at most 1536 bytes (net_scratch_size), each taken whole. */
  appWrites(data: Uint8Array): void {
    for (let o = 0; o < data.length; o += 1536) {
      const piece = data.subarray(o, Math.min(o + 1536, data.length));
      expect(this.appSends(piece)).toBe(piece.length);
    }
  }

  /** Read everything the board application can read now (up to `max`). */
  appReads(max = 65536): Uint8Array {
    const parts: Uint8Array[] = [];
    let n = 0;
    while (n < max) {
      const r = this.b.stack.recv(this.handle, Math.min(1536, max - n));
      if (r === null || r.length === 0) break;
      parts.push(r);
      n += r.length;
    }
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

/** The peer's SYN to the board's listener. */
export function synTo(b: Board, over: Partial<Segment> = {}): Segment {
  return {
    srcIp: b.peerIp, dstIp: b.ip, srcPort: CLIENT_PORT, dstPort: SERVER_PORT,
    seq: PEER_ISS, ack: 0, flags: SYN, window: PEER_WINDOW, urgent: 0, mss: BOARD_MSS, payload: EMPTY,
    ...over,
  };
}

/** The segment a stack answers a segment to no connection with (RFC 9293 §3.10.7.1). */
export function rstFor(seg: Segment, segLen = seg.payload.length + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0)): Segment {
  const base = {
    srcIp: seg.dstIp, dstIp: seg.srcIp, srcPort: seg.dstPort, dstPort: seg.srcPort,
    // RFC 9293 does not say what window a reset carries.
    window: ANY, urgent: 0, payload: EMPTY,
  };
  if (seg.flags & ACK) return { ...base, seq: seg.ack, ack: 0, flags: RST };
  return { ...base, seq: 0, ack: seqAdd(seg.seq, segLen), flags: RST | ACK };
}

/** The SYN-ACK a listener answers `syn` with (RFC 9293 §3.10.7.2): ISS unknown, ack SEG.SEQ+1, MSS 1460, the whole window. */
export function synAckFor(syn: Segment, over: Partial<Segment> = {}): Segment {
  return {
    srcIp: syn.dstIp, dstIp: syn.srcIp, srcPort: syn.dstPort, dstPort: syn.srcPort,
    seq: ANY, ack: seqAdd(syn.seq, 1), flags: SYN | ACK, window: BOARD_WINDOW, urgent: 0, mss: BOARD_MSS, payload: EMPTY,
    ...over,
  };
}

/** A SYN from `port` to the listener, answered by exactly one SYN-ACK, which is returned. */
export function synFrom(b: Board, port: number, over: Partial<Segment> = {}): Reply {
  const syn = synTo(b, { srcPort: port, ...over });
  send(b, syn);
  return expectReplies(b, [synAckFor(syn)])[0];
}

/** The peer's third segment for the handshake a SYN from `port` (ISS `irs`) began. */
export function ackSeg(b: Board, port: number, synAck: Reply, over: Partial<Segment> = {}, irs = PEER_ISS): Segment {
  return { ...synTo(b, { srcPort: port }), mss: undefined, flags: ACK, seq: seqAdd(irs, 1), ack: seqAdd(synAck.seg.seq, 1), ...over };
}

/** The half-open (SYN-RECEIVED) rows of tcp_list. */
export const halfOpen = (b: Board) => b.stack.list().filter((e) => e.state === State.SYN_RECEIVED);

export interface ListenOptions extends BoardOptions {
  port?: number;
  backlog?: number;
}

/** A board with a listener (LISTEN). */
export function listening(o: ListenOptions = {}): { b: Board; listener: number; port: number } {
  const b = newBoard(o);
  const port = o.port ?? SERVER_PORT;
  const listener = b.stack.listen(port, o.backlog ?? 4);
  expectNothing(b);
  return { b, listener, port };
}

export interface PassiveOptions extends ListenOptions {
  peerPort?: number;
  peerIss?: number;
  peerMss?: number;
}

/**
 * A listener that has answered the peer's SYN (SYN-RECEIVED): the SYN-ACK
 * is checked field by field and its sequence number becomes the Conn's ISS.
 */
export function synReceived(o: PassiveOptions = {}): { b: Board; listener: number; c: Conn; synAck: Reply } {
  const { b, listener, port } = listening(o);
  const peerPort = o.peerPort ?? CLIENT_PORT;
  const irs = o.peerIss ?? PEER_ISS;
  send(b, synTo(b, { srcPort: peerPort, dstPort: port, seq: irs, mss: o.peerMss ?? BOARD_MSS }));
  const [synAck] = expectReplies(b, [{
    srcIp: b.ip, dstIp: b.peerIp, srcPort: port, dstPort: peerPort,
    seq: ANY, ack: seqAdd(irs, 1), flags: SYN | ACK, window: BOARD_WINDOW, urgent: 0, mss: BOARD_MSS, payload: EMPTY,
  }]);
  const c = new Conn(b, -1, port, peerPort, synAck.seg.seq, irs);
  return { b, listener, c, synAck };
}

/** A passively opened connection in ESTABLISHED, accepted by the application. */
export function established(o: PassiveOptions = {}): { b: Board; listener: number; c: Conn } {
  const { b, listener, c } = synReceived(o);
  send(b, c.seg());
  expectNothing(b);
  const h = b.stack.accept(listener);
  if (h === null) throw new Error("tcp_accept found no connection after the handshake completed");
  c.handle = h;
  return { b, listener, c };
}

/** Passive ESTABLISHED, then tcp_close and the peer ACKs our FIN: FIN-WAIT-2, entered at `b.now`. */
export function finWait2(o: PassiveOptions = {}): { b: Board; listener: number; c: Conn } {
  const r = established(o);
  const { b, c } = r;
  b.stack.close(c.handle);
  expectReplies(b, [c.reply({ flags: FIN | ACK })]);
  c.sndNxt = seqAdd(c.sndNxt, 1);
  send(b, c.seg());
  expectNothing(b);
  if (c.state() !== State.FIN_WAIT_2) throw new Error(`expected FIN-WAIT-2, in state ${c.state()}`);
  return r;
}

export interface ActiveOptions extends BoardOptions {
  peerPort?: number;
  peerIss?: number;
  peerMss?: number | null;
}

/** A board that has called tcp_connect to the peer (SYN-SENT); the SYN is checked field by field. */
export function synSent(o: ActiveOptions = {}): { b: Board; c: Conn; syn: Reply } {
  const b = newBoard(o);
  const peerPort = o.peerPort ?? SERVER_PORT;
  const h = b.stack.connect(b.peerIp, peerPort);
  const [syn] = expectReplies(b, [{
    srcIp: b.ip, dstIp: b.peerIp, srcPort: ANY, dstPort: peerPort,
    seq: ANY, ack: 0, flags: SYN, window: BOARD_WINDOW, urgent: 0, mss: BOARD_MSS, payload: EMPTY,
  }]);
  const c = new Conn(b, h, syn.seg.srcPort, peerPort, syn.seg.seq, o.peerIss ?? PEER_ISS_ACTIVE);
  return { b, c, syn };
}

/** An actively opened connection in ESTABLISHED: SYN, SYN-ACK (seq PEER_ISS_ACTIVE), ACK. */
export function activeEstablished(o: ActiveOptions = {}): { b: Board; c: Conn } {
  const { b, c } = synSent(o);
  const mss = o.peerMss === undefined ? BOARD_MSS : o.peerMss ?? undefined;
  send(b, c.seg({ seq: c.irs, ack: c.sndNxt, flags: SYN | ACK, mss }));
  expectReplies(b, [c.reply()]);
  return { b, c };
}

// ---------- two boards ----------

/** Two boards wired back to back: every frame one sends is queued for the other, in order. */
export class Wire {
  readonly queue: { from: Board; to: Board; f: SentFrame }[] = [];
  now: number;

  constructor(readonly a: Board, readonly b: Board) {
    this.now = Math.max(a.now, b.now);
    a.now = b.now = this.now;
    a.sink = (f) => this.queue.push({ from: a, to: b, f });
    b.sink = (f) => this.queue.push({ from: b, to: a, f });
  }

  /** Deliver queued frames until a TCP segment has been delivered; return it, or null when the wire is empty. */
  next(): { from: Board; to: Board; seg: SegmentFrame } | null {
    for (;;) {
      const item = this.queue.shift();
      if (!item) return null;
      item.to.stack.input(item.f.frame);
      const p = parseSegmentFrame(item.f.frame);
      if (p) return { from: item.from, to: item.to, seg: p };
    }
  }

  /** Deliver frames until a TCP segment is delivered, letting time pass (up to `maxMs`) if the wire is empty. */
  nextWithin(maxMs: number): { from: Board; to: Board; seg: SegmentFrame } | null {
    const end = this.now + maxMs;
    for (;;) {
      const n = this.next();
      if (n) return n;
      const da = this.a.poll(), db = this.b.poll();
      if (this.queue.length) continue;
      const steps = [da, db].filter((x) => x > 0);
      if (steps.length === 0 || this.now >= end) return null;
      this.setTime(Math.min(end, this.now + Math.min(...steps)));
    }
  }

  private setTime(t: number): void {
    this.now = t;
    this.a.now = t;
    this.b.now = t;
    this.a.poll();
    this.b.poll();
  }

  /** Deliver everything, letting up to `ms` of time pass, deadline by deadline; returns the segments delivered. */
  run(ms: number): SegmentFrame[] {
    const end = this.now + ms;
    const segs: SegmentFrame[] = [];
    for (let guard = 0; guard < 1_000_000; guard++) {
      let n;
      while ((n = this.next())) segs.push(n.seg);
      const da = this.a.poll(), db = this.b.poll();
      if (this.queue.length) continue;
      const steps = [da, db].filter((x) => x > 0);
      if (steps.length === 0 || this.now + Math.min(...steps) > end) break;
      this.setTime(this.now + Math.min(...steps));
    }
    if (end > this.now) this.setTime(end);
    while (this.queue.length) { const n = this.next(); if (n) segs.push(n.seg); }
    return segs;
  }
}

/** Two boards back to back: `a` is 10.0.0.2 (MAC …:01), `b` is 10.0.0.1 (MAC …:02). */
export function boardPair(o: { seedA?: number; seedB?: number; config?: Partial<Record<ConfigName, number>> } = {}): { a: Board; b: Board; wire: Wire } {
  const a = newBoard({ seed: o.seedA ?? 11, config: o.config, learnPeer: false });
  const b = newBoard({
    seed: o.seedB ?? 22, config: o.config, learnPeer: false,
    mac: PEER_MAC, ip: PEER_IP, peerMac: BOARD_MAC, peerIp: BOARD_IP,
  });
  return { a, b, wire: new Wire(a, b) };
}

export { ACK, FIN, PSH, RST, SYN };
