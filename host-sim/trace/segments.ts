/**
 * From captured Ethernet frames to TCP segments grouped by connection.
 *
 * Decoding follows the header layouts of RFC 894 (Ethernet II, with one
 * optional IEEE 802.1Q tag), RFC 791 (IPv4; fragments other than the first
 * carry no TCP header and are skipped) and RFC 9293 §3.1 (TCP). The payload
 * length comes from the IPv4 total length, not the frame length, because a
 * short frame is padded to 60 bytes on Ethernet. Every length is checked
 * against the bytes actually captured; a frame that fails is counted as
 * malformed, never trusted.
 *
 * A connection is the pair of endpoints; "A" is the side that sent the
 * first SYN without ACK (the active opener, as RFC 9293 §3.5 draws it), or the
 * sender of the first segment seen if the capture starts mid-stream. A new
 * SYN with a different ISN on a known pair starts a new connection (port
 * reuse).
 */

import { LINKTYPE_ETHERNET, type PcapRecord } from "../pcap.js";

import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG, type NotTcp, type ParsedTcpPacket, flagNames, parseTcpFrame, parseTcpPacket } from "../wire/index.js";

export { flagNames };
export const TCP_FIN = FIN, TCP_SYN = SYN, TCP_RST = RST, TCP_PSH = PSH, TCP_ACK = ACK, TCP_URG = URG, TCP_ECE = ECE, TCP_CWR = CWR;

/** One decoded TCP segment. */
export interface Segment {
  /** 1-based frame number in the capture (what Wireshark calls No.). */
  frame: number;
  tsMs: number;
  srcIp: string; dstIp: string;
  srcPort: number; dstPort: number;
  seq: number; ack: number; flags: number; window: number;
  /** TCP payload bytes (SEG.LEN without SYN/FIN). */
  len: number;
  /** Frame length as captured on the wire, without FCS (what Wireshark shows as the frame length). */
  frameLen: number;
  mss?: number;
}

export type Side = "A" | "B";

export interface Connection {
  /** "ip:port" of each side; A opened the connection when that is known. */
  a: string; b: string;
  segments: Array<Segment & { dir: Side }>;
  /** ISN (or first sequence number seen) of each side, the base of relative numbers. */
  base: Record<Side, number>;
  /** True if A's SYN is in the capture (so sides and bases are exact). */
  sawOpen: boolean;
}

export interface DecodeResult {
  segments: Segment[];
  /** Frames that are not IPv4/TCP (ARP, UDP, ICMP, IPv6, later fragments). */
  otherFrames: number;
  /** Frames whose headers do not fit their length or are inconsistent. */
  malformed: number;
}

/** Link types trace reads: Ethernet, and the Linux "cooked" headers `tshark -i any` writes. */
export const LINKTYPE_LINUX_SLL = 113, LINKTYPE_LINUX_SLL2 = 276;
export const TRACE_LINK_TYPES = [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2];

/**
 * The segment in a Linux cooked-capture record. SLL: packet type, ARPHRD
 * type, address length, 8 address bytes, then the protocol (EtherType) at
 * offset 14 of a 16-byte header. SLL2: the protocol first, at offset 0 of a
 * 20-byte header (the pcap-linktype registry, LINKTYPE_LINUX_SLL/SLL2).
 */
function decodeCooked(f: Uint8Array, linkType: number): Decoded | "other" | "malformed" {
  const [head, at] = linkType === LINKTYPE_LINUX_SLL ? [16, 14] : [20, 0];
  if (f.length < head) return "malformed";
  if (((f[at] << 8) | f[at + 1]) !== 0x0800) return "other";
  return fromParsed(parseTcpPacket(f.subarray(head)));
}

/** Decode the TCP segments among captured frames of `linkType` (Ethernet unless told). */
export function decodeFrames(records: PcapRecord[], linkType = LINKTYPE_ETHERNET): DecodeResult {
  const segments: Segment[] = [];
  let otherFrames = 0, malformed = 0;
  records.forEach((r, i) => {
    const s = linkType === LINKTYPE_ETHERNET ? fromParsed(parseTcpFrame(r.data)) : decodeCooked(r.data, linkType);
    if (s === "other") otherFrames++;
    else if (s === "malformed") malformed++;
    else segments.push({ ...s, frame: i + 1, tsMs: r.tsMs, frameLen: r.origLen });
  });
  return { segments, otherFrames, malformed };
}

type Decoded = Omit<Segment, "frame" | "tsMs" | "frameLen">;

/** The segment the packet library's parser found (it checks every length against the bytes there are). */
function fromParsed(p: ParsedTcpPacket | NotTcp): Decoded | "other" | "malformed" {
  if (typeof p === "string") return p;
  const t = p.tcp;
  return {
    srcIp: p.ip.src, dstIp: p.ip.dst, srcPort: t.srcPort, dstPort: t.dstPort,
    seq: t.seq, ack: t.ack, flags: t.flags, window: t.window, len: t.payload.length, mss: t.options.mss,
  };
}

/** Group segments into connections, in order of each connection's first segment. */
export function groupConnections(segments: Segment[]): Connection[] {
  const conns: Connection[] = [];
  const current = new Map<string, Connection>();
  for (const s of segments) {
    const src = `${s.srcIp}:${s.srcPort}`, dst = `${s.dstIp}:${s.dstPort}`;
    const key = src < dst ? `${src} ${dst}` : `${dst} ${src}`;
    const pureSyn = (s.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    let c = current.get(key);
    if (c && pureSyn) {
      const firstSyn = c.segments.find((x) => (x.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && x.dir === (c!.a === src ? "A" : "B"));
      if (!firstSyn || firstSyn.seq !== s.seq) c = undefined; // a new incarnation, not a retransmitted SYN
    }
    if (!c) {
      c = { a: src, b: dst, segments: [], base: { A: 0, B: 0 }, sawOpen: pureSyn };
      current.set(key, c);
      conns.push(c);
    }
    c.segments.push({ ...s, dir: c.a === src ? "A" : "B" });
  }
  for (const c of conns) c.base = bases(c);
  return conns;
}

/** Each side's ISN from its SYN, else its first seq; a silent side's base is the first ack sent to it. */
function bases(c: Connection): Record<Side, number> {
  const out: Partial<Record<Side, number>> = {};
  for (const side of ["A", "B"] as const) {
    const syn = c.segments.find((s) => s.dir === side && s.flags & TCP_SYN);
    const first = syn ?? c.segments.find((s) => s.dir === side);
    if (first) out[side] = first.seq;
    else {
      const acker = c.segments.find((s) => s.dir !== side && s.flags & TCP_ACK);
      out[side] = acker ? acker.ack : 0;
    }
  }
  return out as Record<Side, number>;
}

/** RFC 9293 state names. */
export type TcpState = "CLOSED" | "LISTEN" | "SYN-SENT" | "SYN-RECEIVED" | "ESTABLISHED" | "FIN-WAIT-1" | "FIN-WAIT-2" | "CLOSE-WAIT" | "CLOSING" | "LAST-ACK" | "TIME-WAIT";

/**
 * The states before the first segment: a captured open starts CLOSED on A;
 * B is LISTEN if it ever answers with SYN/ACK, else CLOSED (a refused
 * connection: its SYN is answered by RST and B never leaves CLOSED). A
 * capture that starts mid-stream starts ESTABLISHED on both sides.
 */
export function initialStates(c: Connection): Record<Side, TcpState> {
  if (!c.sawOpen) return { A: "ESTABLISHED", B: "ESTABLISHED" };
  const answers = c.segments.some((s) => s.dir === "B" && (s.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK));
  return { A: "CLOSED", B: answers ? "LISTEN" : "CLOSED" };
}

/**
 * Each side's state after each segment, inferred from the wire as an
 * observer between the two would (RFC 9293 §3.3.2 transitions; a segment is
 * taken to be sent and received at the moment it was captured, and every
 * RST to be acceptable; a SYN/ACK its opener never answers is taken as not
 * received). Returns, per segment, the new state of each side
 * that changed.
 */
export function inferStates(c: Connection): Array<Partial<Record<Side, TcpState>>> {
  const st = initialStates(c);
  const iss: Partial<Record<Side, number>> = {};
  const finEnd: Partial<Record<Side, number>> = {}; // sequence number just after each side's FIN
  const acks = (ack: number, target: number | undefined) => target !== undefined && ((ack - target) | 0) >= 0;
  // An opener is taken to have got the SYN/ACK only if it sends again: a
  // forged or vanished peer never does, and stays SYN-SENT while the
  // listener sits half-open in SYN-RECEIVED (RFC 9293 §3.5, RFC 4987 §2).
  const last: Record<Side, number> = { A: -1, B: -1 };
  c.segments.forEach((s, i) => { last[s.dir] = i; });
  return c.segments.map((s, i) => {
    const S = s.dir, R: Side = S === "A" ? "B" : "A";
    const before = { ...st };
    if (s.flags & TCP_RST) { st.A = "CLOSED"; st.B = "CLOSED"; }
    else {
      if (s.flags & TCP_SYN) {
        iss[S] = s.seq;
        if (!(s.flags & TCP_ACK)) {
          if (st[S] === "CLOSED" || st[S] === "LISTEN") st[S] = "SYN-SENT";
          if (st[R] === "LISTEN" || st[R] === "SYN-SENT") st[R] = "SYN-RECEIVED";
        } else {
          if (st[S] === "LISTEN" || st[S] === "SYN-SENT") st[S] = "SYN-RECEIVED";
          if (st[R] === "SYN-SENT" && acks(s.ack, (iss[R] ?? 0) + 1) && last[R] > i) st[R] = "ESTABLISHED";
        }
      }
      if (s.flags & TCP_ACK && !(s.flags & TCP_SYN)) {
        if (st[R] === "SYN-RECEIVED" && acks(s.ack, (iss[R] ?? 0) + 1)) st[R] = "ESTABLISHED";
        if (acks(s.ack, finEnd[R])) {
          if (st[R] === "FIN-WAIT-1") st[R] = "FIN-WAIT-2";
          else if (st[R] === "CLOSING") st[R] = "TIME-WAIT";
          else if (st[R] === "LAST-ACK") st[R] = "CLOSED";
        }
      }
      if (s.flags & TCP_FIN) {
        finEnd[S] = (s.seq + s.len + (s.flags & TCP_SYN ? 1 : 0) + 1) >>> 0;
        if (st[S] === "ESTABLISHED" || st[S] === "SYN-RECEIVED") st[S] = "FIN-WAIT-1";
        // A FIN from CLOSE-WAIT that does not ack the peer's FIN crossed it on
        // the wire: a simultaneous close (RFC 9293 §3.6 case 2), so CLOSING.
        else if (st[S] === "CLOSE-WAIT") st[S] = s.flags & TCP_ACK && acks(s.ack, finEnd[R]) ? "LAST-ACK" : "CLOSING";
        if (st[R] === "ESTABLISHED") st[R] = "CLOSE-WAIT";
        else if (st[R] === "FIN-WAIT-1") st[R] = "CLOSING";
        else if (st[R] === "FIN-WAIT-2") st[R] = "TIME-WAIT";
      }
    }
    const changed: Partial<Record<Side, TcpState>> = {};
    for (const x of ["A", "B"] as const) if (st[x] !== before[x]) changed[x] = st[x];
    return changed;
  });
}

/** Each side's state just before segment `k` (the initial states for 0, the final ones for the length). */
export function statesBefore(c: Connection, k: number): Record<Side, TcpState> {
  const st = initialStates(c);
  for (const change of inferStates(c).slice(0, k)) Object.assign(st, change);
  return st;
}

/** A few words on how the connection stands at the end of the capture. */
export function connectionOutcome(c: Connection): string {
  const st = statesBefore(c, c.segments.length);
  if (st.B === "SYN-RECEIVED" && st.A === "SYN-SENT") return "half-open: B SYN-RECEIVED, A never answered its SYN/ACK (a forged or lost peer)";
  if (st.A === st.B) return st.A;
  return `A ${st.A}, B ${st.B}`;
}
