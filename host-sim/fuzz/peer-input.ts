/**
 * What a peer does with a segment from the board, and the checks it makes
 * on it: RFC 9293 §3.10.7.3 for the SYN-ACK of its own open, §3.8.6 for
 * the window it offered, §3.7.1 for the MSS it announced, and the echo
 * stream byte for byte while it is clean.
 */
import { ACK, FIN, RST, SYN, type ParsedTcp, type TcpSegment } from "../wire/index.js";
import { Peer, seqGt, seqLt } from "./peer.js";

/** The board's segment arrives; returns our answer (an ACK, a SYN-ACK's ACK) or null. */
export function peerReceive(p: Peer, t: ParsedTcp): TcpSegment | null {
  if (t.flags & RST) { onRst(p, t); return null; }
  if (p.state === "syn-sent") return onSynAck(p, t);
  if (p.state !== "open") return null;
  if (t.flags & SYN) return p.segment(ACK); // our ACK of its SYN was lost
  if (t.flags & ACK) onAck(p, t);
  onData(p, t);
  return t.segLen > 0 ? p.segment(ACK) : null;
}

/** The board's SYN to a peer that listens: answer with a SYN-ACK (RFC 9293 §3.10.7.2). */
export function acceptSyn(p: Peer, t: ParsedTcp): TcpSegment {
  p.boardPort = t.srcPort;
  p.irs = t.seq; p.rcvNxt = (t.seq + 1) >>> 0;
  p.boardMss = t.options.mss ?? 536;
  p.boardRight = (p.iss + 1 + t.window) >>> 0;
  p.state = "open";
  const s = p.segment(SYN | ACK, undefined, p.iss);
  p.sndNxt = (p.iss + 1) >>> 0;
  return s;
}

function onRst(p: Peer, t: ParsedTcp): void {
  // RFC 9293 §3.10.7.3 and §3.10.7.4: a reset counts when its number is in the window.
  const ok = p.state === "syn-sent" ? (t.flags & ACK) !== 0 && t.ack === ((p.iss + 1) >>> 0)
    : !seqLt(t.seq, p.rcvNxt) && seqLt(t.seq, (p.rcvNxt + Math.max(p.wnd, 1)) >>> 0);
  if (ok && p.state !== "gone") p.state = "reset";
}

function onSynAck(p: Peer, t: ParsedTcp): TcpSegment | null {
  if ((t.flags & (SYN | ACK)) !== (SYN | ACK)) return null;
  if (t.ack !== ((p.iss + 1) >>> 0)) {
    if (p.clean) p.fail(`SYN-ACK acknowledges ${t.ack >>> 0}, our SYN was ${p.iss}`);
    return null;
  }
  p.irs = t.seq; p.rcvNxt = (t.seq + 1) >>> 0; p.sndUna = t.ack;
  p.boardMss = t.options.mss ?? 536;
  p.boardRight = (t.ack + t.window) >>> 0;
  p.state = "open";
  return p.segment(ACK);
}

function onAck(p: Peer, t: ParsedTcp): void {
  // A dirty peer may have had mutated data taken: the board's ACK is the truth.
  if (!p.clean && !(t.flags & SYN)) { p.sndUna = p.sndNxt = t.ack; }
  if (seqGt(t.ack, p.sndNxt)) {
    if (p.clean) p.fail(`acknowledges ${t.ack >>> 0}, beyond everything we sent (SND.NXT ${p.sndNxt})`);
    return;
  }
  if (seqGt(t.ack, p.sndUna)) p.sndUna = t.ack;
  if (!seqLt(t.ack, p.sndUna)) p.boardRight = (t.ack + t.window) >>> 0;
}

function onData(p: Peer, t: ParsedTcp): void {
  const len = t.payload.length;
  if (len > 0) checkData(p, t);
  let seq = t.seq, data = t.payload;
  // A dirty peer's mutated ACK may have acknowledged what it never received:
  // the board will not send that again, so take up from where it is.
  if (!p.clean && seqGt(seq, p.rcvNxt)) p.rcvNxt = seq;
  if (seqLt(seq, p.rcvNxt) && seqGt((seq + len) >>> 0, p.rcvNxt)) {
    data = data.subarray((p.rcvNxt - seq) >>> 0);
    seq = p.rcvNxt;
  }
  if (seq !== p.rcvNxt) return; // out of order or old: we keep no holes, the ACK asks again
  p.rcvNxt = (p.rcvNxt + data.length) >>> 0;
  p.echoed += data.length;
  if ((t.flags & FIN) && !p.finGot) { p.rcvNxt = (p.rcvNxt + 1) >>> 0; p.finGot = true; }
}

function checkData(p: Peer, t: ParsedTcp): void {
  const len = t.payload.length;
  if (len > p.mss && !p.mssLoose) p.fail(`${len}-byte segment, over the MSS ${p.mss} we announced (RFC 9293 §3.7.1)`);
  const end = (t.seq + len) >>> 0;
  if (seqGt(end, p.boardHigh) || !p.boardSent) p.boardHigh = end;
  p.boardSent = true;
  // A zero-window probe may carry one byte past the edge (RFC 9293 §3.8.6.1).
  if (seqGt(end, p.rightEdge) && !(len === 1 && t.seq === p.rightEdge)) {
    p.fail(`data ${t.seq >>> 0}..${end} beyond the right edge ${p.rightEdge} we offered (RFC 9293 §3.8.6)`);
  }
  if (!p.clean) return;
  const off = (t.seq - p.irs - 1) >>> 0;
  const sent = p.sentBytes;
  for (let i = 0; i < len; i++) {
    if (off + i >= sent) p.fail(`echo byte ${off + i} arrived, but only ${sent} bytes were ever sent`);
    if (t.payload[i] !== p.stream[off + i]) p.fail(`echo byte ${off + i} is ${t.payload[i]}, we sent ${p.stream[off + i]}`);
  }
}
