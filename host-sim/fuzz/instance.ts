/**
 * One fuzz instance: a fresh module, the echo application, a network of
 * peers, and a seeded stream of actions until a frame budget is spent.
 * Every frame the board sends goes through the output oracle and then to
 * whoever it is addressed to; frames for the board go in one at a time so
 * an answer that must not exist (to a damaged or misaddressed frame, a RST
 * to a RST) is caught at the call that produced it.
 */
import { Prng } from "../links/faults.js";
import { ARP_REPLY, RST, type TcpSegment, arpFrame, ipNumber, ipString, tcpFrame } from "../wire/index.js";
import { App } from "./app.js";
import { Module } from "./module.js";
import { checkOutput } from "./oracle.js";
import { Peer } from "./peer.js";
import { acceptSyn, peerReceive } from "./peer-input.js";
import { BOARD_IP, BOARD_MAC, FuzzFailure, GATEWAY_IP, LISTEN_PORT, NETMASK, answersArp, hostMac } from "./world.js";

/** Rounds of "deliver, let peers answer" before an exchange counts as a storm. */
const MAX_ROUNDS = 2000;

export class Instance {
  readonly r: Prng;
  readonly m: Module;
  readonly app: App;
  readonly peers = new Map<string, Peer>();
  /** Frames the board sent, not yet routed; frames for the board, not yet handed in. */
  private readonly out: Uint8Array[] = [];
  private readonly inq: { frame: Uint8Array; silent: boolean }[] = [];
  now: number;
  frames = 0;
  /** Ports for new peers, one each so no two share a 4-tuple. */
  portSeq = 0;
  sent = 0;
  /** Chance that a frame between a peer and the board is lost. */
  loss = 0;
  readonly log: string[] = [];

  constructor(readonly seed: number) {
    this.r = new Prng(seed);
    this.m = new Module(seed, (f) => this.out.push(f));
    this.app = new App(this.m);
    this.now = this.r.below(2) ? this.r.below(1000) : (2 ** 32 - this.r.below(600_000)) >>> 0;
    this.init();
  }

  /** net_init (again, on a restart: every handle from before is stale) and the listener. */
  init(): void {
    const p = this.m.stack.writeScratch(Uint8Array.from(BOARD_MAC.split(":").map((h) => parseInt(h, 16))));
    this.m.expect("net_init", [0, p, ipNumber(BOARD_IP) | 0, ipNumber(NETMASK) | 0, ipNumber(GATEWAY_IP) | 0], [0]);
    this.poll();
    this.app.listen(LISTEN_PORT);
  }

  note(what: string): void {
    this.log.push(`[${this.frames}] ${what}`);
    if (this.log.length > 40) this.log.shift();
  }

  poll(): number {
    const r = this.m.expect("net_poll", [this.now | 0], [-1], 0x7fffffff);
    this.route();
    return r;
  }

  /** A segment from a peer, as it is (its window and ACK are what the board may hold us to). */
  sendSeg(p: Peer, seg: TcpSegment): void {
    if (seg.ack !== undefined && (seg.flags & 0x10)) p.noteOffer(seg.ack, seg.window ?? 65535);
    p.noteSeq(seg.seq);
    if (this.loss && this.r.next() < this.loss) return;
    this.inq.push({ frame: tcpFrame(seg, { srcMac: hostMac(p.ip), dstMac: BOARD_MAC }), silent: false });
  }

  /** Queue any frame for the board. */
  push(frame: Uint8Array, silent = false): void { this.inq.push({ frame, silent }); }

  /** Hand every queued frame in, route the answers, run the application, until all is quiet. */
  settle(): void {
    for (let round = 0; ; round++) {
      if (round > MAX_ROUNDS) throw new FuzzFailure(`no quiet after ${MAX_ROUNDS} rounds of exchanges (an ACK storm?)`);
      while (this.inq.length) this.deliver(this.inq.shift()!);
      this.app.step();
      this.route();
      if (!this.inq.length) return;
    }
  }

  private deliver(x: { frame: Uint8Array; silent: boolean }): void {
    const m = this.m;
    const room = m.scratchSize;
    const p = m.stack.writeScratch(x.frame.length > room ? x.frame.subarray(0, room) : x.frame);
    m.expect("net_input", [p, x.frame.length], [0]);
    this.frames++;
    if (x.silent && this.out.length) throw new FuzzFailure(`answered a frame it must drop silently (${this.log.at(-1) ?? ""})`);
    if (isTcpRst(x.frame) && this.out.some(isTcpRst)) throw new FuzzFailure("answered a RST with a RST (RFC 9293 §3.10.7.1)");
    this.route();
  }

  /** Check and forward everything the board sent. */
  private route(): void {
    while (this.out.length) {
      const f = this.out.shift()!;
      this.sent++;
      const o = checkOutput(f);
      if (o.kind === "arp") {
        if (o.target >= 0 && answersArp(o.target)) {
          this.push(arpFrame({ op: ARP_REPLY, sha: hostMac(o.target), spa: o.target, tha: BOARD_MAC, tpa: BOARD_IP }));
        }
      } else if (o.kind === "tcp") {
        const peer = this.peers.get(`${ipString(o.dst)}:${o.tcp.dstPort}`);
        if (!peer || (this.loss && this.r.next() < this.loss)) continue;
        if (peer.state === "listen") this.answerSyn(peer, o.tcp);
        else {
          const reply = peerReceive(peer, o.tcp);
          if (reply) this.sendSeg(peer, reply);
        }
      }
    }
  }

  /** The board opened a connection to a listening peer: SYN-ACK, refuse, or say nothing. */
  private answerSyn(p: Peer, t: Parameters<typeof acceptSyn>[1]): void {
    if (!(t.flags & 0x02)) return;
    const k = this.r.below(10);
    if (k < 8) this.sendSeg(p, acceptSyn(p, t));
    else if (k === 8) {
      p.boardPort = t.srcPort;
      this.push(tcpFrame({ srcIp: ipString(p.ip), dstIp: BOARD_IP, srcPort: p.port, dstPort: t.srcPort, seq: 0, ack: (t.seq + 1) >>> 0, flags: RST | 0x10 },
        { srcMac: hostMac(p.ip), dstMac: BOARD_MAC }));
      p.state = "gone";
    }
  }
}

function isTcpRst(f: Uint8Array): boolean {
  return f.length >= 14 + 20 + 14 && f[12] === 0x08 && f[13] === 0 && f[23] === 6 && (f[14 + (f[14] & 0x0f) * 4 + 13] & RST) !== 0;
}
