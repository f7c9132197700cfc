/**
 * A simulated host that pings a board: it answers ARP for its own address
 * (the board's first request, and the unicast refresh it sends before its
 * cache entry's lifetime ends, RFC 1122 §2.3.2.1), sends ICMP echo requests
 * (RFC 792) and matches the replies by identifier and sequence number.
 *
 * `Pinger` speaks Ethernet frames without FCS in both directions; two
 * drivers use it: `pingBoard` pings a fresh Stack on the host-frames link
 * in virtual time (`embertcp ping` without an address, a smoke test of a
 * build), and `pingSession` pings a running sim's board from inside its
 * process (`embertcp ping ADDRESS` asks the sim over its control socket):
 * requests go in at the board's cable, and frames for the pinger are taken
 * off the board's wire before they reach the link.
 */
import type { Board } from "./board.js";
import { appendFcs } from "./crc32.js";
import { internetChecksum } from "./inet.js";
import { ipToNumber, macToBytes, Stack } from "./stack.js";

export interface PingResult { seq: number; bytes: number; ok: boolean; ttl: number; rttMs?: number; }

function put32(b: Uint8Array, o: number, v: number) { b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 255; b[o + 2] = (v >>> 8) & 255; b[o + 3] = v & 255; }
function get32(b: Uint8Array, o: number): number { return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0; }

/** An Ethernet/IPv4/ICMP echo request. */
export function echoRequestFrame(o: { srcMac: Uint8Array; dstMac: Uint8Array; src: number; dst: number; id: number; seq: number; data: Uint8Array }): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + o.data.length);
  f.set(o.dstMac, 0); f.set(o.srcMac, 6); f[12] = 8; f[13] = 0;
  const ip = 14;
  f[ip] = 0x45; f[ip + 2] = (20 + 8 + o.data.length) >> 8; f[ip + 3] = (20 + 8 + o.data.length) & 255;
  f[ip + 6] = 0x40; f[ip + 8] = 64; f[ip + 9] = 1;
  put32(f, ip + 12, o.src); put32(f, ip + 16, o.dst);
  const c = internetChecksum(f, ip, ip + 20); f[ip + 10] = c >> 8; f[ip + 11] = c & 255;
  const ic = ip + 20;
  f[ic] = 8; f[ic + 4] = o.id >> 8; f[ic + 5] = o.id & 255; f[ic + 6] = o.seq >> 8; f[ic + 7] = o.seq & 255;
  f.set(o.data, ic + 8);
  const k = internetChecksum(f, ic, f.length); f[ic + 2] = k >> 8; f[ic + 3] = k & 255;
  return f;
}

/** An ARP packet (RFC 826): a request from `srcMac/src` for `target`, or with `reply` a reply to `replyTo`. */
export function arpRequestFrame(srcMac: Uint8Array, src: number, target: number, reply?: { mac: Uint8Array }): Uint8Array {
  const f = new Uint8Array(42);
  if (reply) f.set(reply.mac, 0); else f.fill(0xff, 0, 6);
  f.set(srcMac, 6); f[12] = 8; f[13] = 6;
  f.set([0, 1, 8, 0, 6, 4, 0, reply ? 2 : 1], 14); f.set(srcMac, 22); put32(f, 28, src);
  if (reply) f.set(reply.mac, 32);
  put32(f, 38, target);
  return f;
}

/** The host side of a ping: ARP for itself, echo requests out, replies matched. */
export class Pinger {
  targetMac: Uint8Array | null = null;
  readonly data: Uint8Array;
  private readonly sentAt = new Map<number, number>();
  /** Replies by sequence number. */
  readonly replies = new Map<number, PingResult>();
  /** ARP requests from the board for this host that were answered. */
  arpAnswered = 0;

  constructor(readonly mac: Uint8Array, readonly ip: number, readonly target: number, size: number,
    readonly send: (frame: Uint8Array) => void, readonly id = 0x1234) {
    this.data = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
  }

  /** Ask for the target's MAC (the board also learns ours from the request). */
  announce(): void { this.send(arpRequestFrame(this.mac, this.ip, this.target)); }

  /** Send echo request `seq` at `nowMs`; false while the target's MAC is unknown. */
  echo(seq: number, nowMs: number): boolean {
    if (!this.targetMac) return false;
    this.sentAt.set(seq, nowMs);
    this.send(echoRequestFrame({ srcMac: this.mac, dstMac: this.targetMac, src: this.ip, dst: this.target, id: this.id, seq, data: this.data }));
    return true;
  }

  /** A frame from the board (no FCS); true when it was for this host. */
  receive(f: Uint8Array, nowMs: number): boolean {
    const type = (f[12] << 8) | f[13];
    if (type === 0x0806 && f.length >= 42 && get32(f, 38) === this.ip) {
      const op = (f[20] << 8) | f[21];
      if (op === 2 && get32(f, 28) === this.target) this.targetMac = f.slice(22, 28);
      if (op === 1) { this.arpAnswered++; this.send(arpRequestFrame(this.mac, this.ip, get32(f, 28), { mac: f.slice(22, 28) })); }
      return true;
    }
    if (type !== 0x0800 || f.length < 42 || f[23] !== 1 || get32(f, 30) !== this.ip) return false;
    const ic = 14 + (f[14] & 15) * 4;
    if (f[ic] !== 0 || ((f[ic + 4] << 8) | f[ic + 5]) !== this.id) return true;
    const seq = (f[ic + 6] << 8) | f[ic + 7];
    const ok = internetChecksum(f, ic, f.length) === 0 && Buffer.compare(f.subarray(ic + 8), this.data) === 0;
    const at = this.sentAt.get(seq);
    this.replies.set(seq, { seq, bytes: f.length - ic, ok, ttl: f[22], rttMs: at === undefined ? undefined : nowMs - at });
    return true;
  }
}

/** One line per reply, as ping(8) prints them. */
export function replyLine(target: string, seq: number, r: PingResult | undefined): string {
  if (!r) return `icmp_seq=${seq}: no reply`;
  if (!r.ok) return `icmp_seq=${seq}: reply with wrong data or checksum`;
  return `${r.bytes} bytes from ${target}: icmp_seq=${seq} ttl=${r.ttl}${r.rttMs === undefined ? "" : ` time=${r.rttMs.toFixed(1)} ms`}`;
}

/** Ping a fresh simulated board `count` times, one request per virtual second, and report each reply. */
export function pingBoard(count: number, size: number, print: (line: string) => void): PingResult[] {
  const board = new Stack({ seed: 7 });
  const boardIp = ipToNumber("10.0.0.2");
  const inbox: Uint8Array[] = [];
  let now = 0;
  const host = new Pinger(macToBytes("02:00:00:00:00:02"), ipToNumber("10.0.0.1"), boardIp, size, (f) => inbox.push(f));
  board.onFrame = (f) => { host.receive(f, now); };
  board.init({ mac: "02:00:00:00:00:01", ip: boardIp, netmask: "255.255.255.0" });
  // Frames for the board go in after the call that produced them returns (no re-entry into the module).
  const drain = () => { while (inbox.length) board.input(inbox.shift()!); };
  print(`board 10.0.0.2 (02:00:00:00:00:01) up; host 10.0.0.1 pings it with ${size} data bytes, one request a second (virtual time)`);
  host.announce();
  drain();
  print(`ARP: who-has 10.0.0.2 → is-at ${[...host.targetMac ?? []].map((x) => x.toString(16).padStart(2, "0")).join(":") || "no answer"}`);
  const results: PingResult[] = [];
  for (let seq = 1; seq <= count; seq++) {
    now = seq * 1000;
    board.poll(now);
    drain();
    host.echo(seq, now);
    drain();
    const r = host.replies.get(seq);
    results.push(r ?? { seq, bytes: 0, ok: false, ttl: 0 });
    print(replyLine("10.0.0.2", seq, r && { ...r, rttMs: undefined }));
  }
  const s = board.stats();
  print(`--- 10.0.0.2 ping statistics: ${count} transmitted, ${results.filter((r) => r.ok).length} received; ` +
    `board counters: icmp_rx=${s.icmp_rx} icmp_echo_replies=${s.icmp_echo_replies} arp_replies_sent=${s.arp_replies_sent} ` +
    `arp_requests_sent=${s.arp_requests_sent} (host answered ${host.arpAnswered})`);
  return results;
}

export interface SessionOptions {
  count: number;
  /** Data bytes per request. */
  size: number;
  /** Time between requests, ms. */
  intervalMs: number;
  /** How long to wait for each reply, ms. */
  waitMs: number;
  /** The pinger's address: on the board's subnet and unused by any real host. */
  from: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await sleep(2);
  return cond();
}

/**
 * Ping a running board from inside its process: requests enter at its
 * cable as if from the wire; frames for the pinger are taken off its wire.
 * `report` is told of each sequence number's reply (undefined: none).
 */
export async function pingSession(board: Board, o: SessionOptions, report: (seq: number, r: PingResult | undefined) => void): Promise<{ sent: number; received: number }> {
  // Into the board on a later turn: never from inside the chip's own transmit callback.
  const inject = (f: Uint8Array) => { setImmediate(() => board.link.onFrame?.(appendFcs(f))); };
  const pinger = new Pinger(macToBytes("02:ee:00:00:00:01"), o.from, board.ip, o.size, inject, (Math.random() * 0xffff) | 1);
  const chip = board.chip, wire = chip.onWireTransmit;
  chip.onWireTransmit = (f) => { if (!pinger.receive(f.subarray(0, f.length - 4), performance.now())) wire(f); };
  let received = 0, sent = 0;
  try {
    pinger.announce();
    if (!(await until(() => pinger.targetMac !== null, o.waitMs))) {
      for (let seq = 1; seq <= o.count; seq++) report(seq, undefined);
      return { sent: 0, received: 0 };
    }
    for (let seq = 1; seq <= o.count; seq++) {
      const t0 = performance.now();
      pinger.echo(seq, t0);
      sent++;
      await until(() => pinger.replies.has(seq), o.waitMs);
      const r = pinger.replies.get(seq);
      if (r?.ok) received++;
      report(seq, r);
      if (seq < o.count) await sleep(Math.max(0, o.intervalMs - (performance.now() - t0)));
    }
  } finally {
    chip.onWireTransmit = wire;
  }
  return { sent, received };
}

/** The pinger's address for a board at `ip/netmask`: the highest host address that is neither the board's nor the gateway's. */
export function pingerAddress(ip: number, netmask: number, gateway = 0): number {
  const bcast = (ip | ~netmask) >>> 0;
  for (let a = bcast - 1; a > ((ip & netmask) >>> 0); a--) if (a !== ip && a !== gateway) return a;
  return 0;
}
