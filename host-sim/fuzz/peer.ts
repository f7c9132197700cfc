/**
 * One remote TCP endpoint as a fuzzer peer plays it: a real handshake
 * (either side opening), in-order data from a seeded stream, ACKs of what
 * the board sends, FIN and RST. It checks the board's side of the
 * conversation as it goes (RFC 9293 §3.8.6 window, the MSS it announced
 * per §3.7.1, acknowledgments only of what it sent, data byte-exact
 * against the echo it expects) until a mutation makes it "dirty"; from
 * then on only the checks that hold whatever it sent remain.
 */
import { ACK, FIN, PSH, RST, SYN, type TcpSegment, ipString, pattern } from "../wire/index.js";
import { BOARD_IP, FuzzFailure } from "./world.js";

export type PeerState = "listen" | "syn-sent" | "open" | "reset" | "gone";
/** Sequence comparisons modulo 2^32 (RFC 9293 §3.4). */
export const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
export const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0;

export interface PeerParams { ip: number; port: number; boardPort: number; iss: number; mss: number; wnd: number; seed: number; stream: number; }

export class Peer {
  readonly ip: number; readonly port: number; boardPort: number;
  readonly iss: number; readonly mss: number; wnd: number;
  state: PeerState;
  sndUna: number; sndNxt: number;
  /** Board's side: its ISS, the next byte expected, the highest right edge we offered. */
  irs = 0; rcvNxt = 0; rightEdge = 0;
  /** The highest sequence number the board has sent data up to. */
  boardHigh = 0; boardSent = false;
  /** What the board offers us: its MSS and its window's right edge. */
  boardMss = 536; boardRight = 0;
  finSent = false; finGot = false; clean = true;
  /** A mutated SYN may have announced another MSS than ours. */
  mssLoose = false;
  /** The highest sequence number a segment of ours carried (the board may hold it as SND.WL1). */
  seqHigh = 0;
  private seqSet = false;
  private offered = false;
  /** The stream we send; the board's application echoes it back. */
  readonly stream: Uint8Array;
  /** Bytes of the echo received in order. */
  echoed = 0;

  constructor(p: PeerParams, state: PeerState) {
    this.ip = p.ip; this.port = p.port; this.boardPort = p.boardPort;
    this.iss = p.iss >>> 0; this.mss = p.mss; this.wnd = p.wnd; this.state = state;
    this.sndUna = this.iss; this.sndNxt = (this.iss + (state === "syn-sent" ? 1 : 0)) >>> 0;
    this.stream = pattern(p.stream, p.seed);
  }

  get key(): string { return `${ipString(this.ip)}:${this.port}`; }
  /** Bytes of our stream sent so far. */
  get sentBytes(): number { return (this.sndNxt - this.iss - 1 - (this.finSent ? 1 : 0)) >>> 0; }

  /** A segment from us with the current numbers. */
  segment(flags: number, payload?: Uint8Array, seq = this.sndNxt): TcpSegment {
    const s: TcpSegment = { srcIp: ipString(this.ip), dstIp: BOARD_IP, srcPort: this.port, dstPort: this.boardPort, seq, flags, window: this.wnd, payload };
    if (flags & ACK) s.ack = this.rcvNxt;
    if (flags & SYN) s.mss = this.mss;
    return s;
  }

  /** Our SYN (an active open by the peer). */
  syn(): TcpSegment { return this.segment(SYN, undefined, this.iss); }

  /** The next data segment the board's window allows (at most `max` bytes), or null. */
  data(max: number): TcpSegment | null {
    const off = this.sentBytes;
    const room = Math.min(max, this.boardMss, this.stream.length - off, (this.boardRight - this.sndNxt) | 0);
    if (this.state !== "open" || this.finSent || room <= 0) return null;
    const s = this.segment(ACK | PSH, this.stream.subarray(off, off + room));
    this.sndNxt = (this.sndNxt + room) >>> 0;
    return s;
  }

  fin(): TcpSegment | null {
    if (this.state !== "open" || this.finSent) return null;
    const s = this.segment(FIN | ACK);
    this.sndNxt = (this.sndNxt + 1) >>> 0;
    this.finSent = true;
    return s;
  }

  /** Everything unacknowledged again from SND.UNA (a go-back-N retransmission), up to one MSS. */
  retransmit(): TcpSegment | null {
    if (this.state !== "open" || this.sndUna === this.sndNxt) return null;
    const off = (this.sndUna - this.iss - 1) >>> 0;
    const n = Math.min(this.boardMss, Math.max(0, this.stream.length - off), (this.sndNxt - this.sndUna) >>> 0);
    const fin = this.finSent && ((this.sndUna + n + 1) >>> 0) === this.sndNxt;
    return this.segment(ACK | (fin ? FIN : 0), this.stream.subarray(off, off + n), this.sndUna);
  }

  rst(): TcpSegment { this.state = "gone"; return this.segment(RST, undefined); }

  /** A segment of ours went out acknowledging `ack` with window `wnd`: the board may fill up to that edge. */
  noteOffer(ack: number, wnd: number): void {
    const edge = (ack + wnd) >>> 0;
    if (!this.offered || seqGt(edge, this.rightEdge) || seqLt(this.rightEdge, this.rcvNxt)) this.rightEdge = edge;
    this.offered = true;
  }

  /** A segment of ours with sequence number `seq` went out (one a mutation moved far is ignored). */
  noteSeq(seq: number): void {
    if (((seq - this.sndUna) >>> 0) >= 0x10000 + ((this.sndNxt - this.sndUna) >>> 0)) return;
    if (!this.seqSet || seqGt(seq, this.seqHigh)) { this.seqHigh = seq; this.seqSet = true; }
  }

  fail(why: string): never {
    throw new FuzzFailure(`peer ${ipString(this.ip)}:${this.port}: ${why}`);
  }
}
