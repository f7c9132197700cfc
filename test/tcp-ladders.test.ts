/**
 * The classic TCP ladders, segment by segment, as RFC 9293 draws them:
 *  - the three-way handshake (§3.5: seq 10000 / 20000 → ack 10001 / 20001)
 *    and the data phase (§3.4: ack = peer's seq + payload length; a pure
 *    ACK does not advance seq; frames of 1514 and 54 bytes);
 *  - the four-way close (§3.6) with the state of both ends after each
 *    segment, a FIN taking one sequence number, and simultaneous close;
 *  - simultaneous open (§3.5 figure 7) between two boards.
 *
 * The board's ISS is its own (RFC 6528), so where a ladder fixes the
 * board's number the table is written relative to it (Y = the board's ISS).
 * Two-board tables run two Stack instances back to back on one wire.
 */
import { describe, expect, test } from "vitest";
import {
  ACK, BOARD_WINDOW, FIN, PSH, State, SYN, PEER_IP, BOARD_IP,
  activeEstablished, boardPair, established, expectNothing, expectReplies, send, statusOrNull, synReceived, synSent,
  type Board, type Wire,
} from "./helpers/tcp-harness.js";
import { type SegmentFrame, flagList, pattern, seqAdd, text } from "./helpers/tcp-packets.js";

const stateOf = (b: Board, h: number): number => statusOrNull(b, h)?.state ?? -1;

describe("the three-way handshake (RFC 9293 §3.5)", () => {
  test("handshake, peer opens: A→B SYN seq 10000; B→A SYN-ACK seq Y ack 10001; A→B ACK seq 10001 ack Y+1 → ESTABLISHED", () => {
    // Row 1 and 2: the SYN and the SYN-ACK are checked field by field inside synReceived().
    const { b, listener, c, synAck } = synReceived({ config: { syncookies: 0 }, peerIss: 10000 });
    expect([synAck.seg.ack, flagList(synAck.seg.flags)]).toEqual([10001, "ACK|SYN"]);
    // Row 3.
    send(b, c.seg({ seq: 10001, ack: seqAdd(synAck.seg.seq, 1) }));
    expectNothing(b);
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h)).toMatchObject({
      state: State.ESTABLISHED, iss: synAck.seg.seq, irs: 10000,
      snd_una: seqAdd(synAck.seg.seq, 1), snd_nxt: seqAdd(synAck.seg.seq, 1), rcv_nxt: 10001,
    });
  });

  test("handshake, board opens: A→B SYN seq X; B→A SYN-ACK seq 20000 ack X+1; A→B ACK seq X+1 ack 20001", () => {
    const { b, c, syn } = synSent({ peerIss: 20000 });
    send(b, c.seg({ seq: 20000, ack: seqAdd(syn.seg.seq, 1), flags: SYN | ACK, mss: 1460 }));
    const [ack] = expectReplies(b, [c.reply({ seq: seqAdd(syn.seg.seq, 1), ack: 20001 })]);
    expect(ack.frameLength).toBe(54);
    expect(c.status()).toMatchObject({ state: State.ESTABLISHED, irs: 20000, rcv_nxt: 20001, snd_una: seqAdd(syn.seg.seq, 1) });
  });

  test("handshake between two boards: SYN, SYN-ACK, ACK with the state of both ends after each segment", () => {
    const { a, b, wire } = boardPair();
    const l = b.stack.listen(80, 4);
    const ca = a.stack.connect(PEER_IP, 80);
    const rows: string[] = [];
    let x = 0;
    let y = 0;
    for (let i = 0; i < 3; i++) {
      const n = wire.nextWithin(1000)!;
      const s = n.seg.seg;
      if (i === 0) x = s.seq;
      if (i === 1) y = s.seq;
      const halfOpen = b.stack.list().some((e) => e.handle !== l && e.state === State.SYN_RECEIVED);
      rows.push(`${n.from === a ? "A→B" : "B→A"} ${flagList(s.flags)} seq=${s.seq - (n.from === a ? x : y)} ack=${s.flags & ACK ? s.ack - (n.from === a ? y : x) : "-"} | A ${stateOf(a, ca)} B ${halfOpen ? "SYN-RECEIVED" : "other"}`);
    }
    expect(rows).toEqual([
      "A→B SYN seq=0 ack=- | A 2 B SYN-RECEIVED",
      "B→A ACK|SYN seq=0 ack=1 | A 4 B SYN-RECEIVED",
      "A→B ACK seq=1 ack=1 | A 4 B other",
    ]);
    const cb = b.stack.accept(l)!;
    expect(b.stack.state(cb)).toBe(State.ESTABLISHED);
    expect(b.stack.status(cb)).toMatchObject({ irs: x, iss: y, rcv_nxt: seqAdd(x, 1), snd_nxt: seqAdd(y, 1) });
    expect(a.stack.status(ca)).toMatchObject({ irs: y, iss: x, rcv_nxt: seqAdd(y, 1), snd_nxt: seqAdd(x, 1) });
  });
});

describe("the data phase: ack = seq + payload length (RFC 9293 §3.4)", () => {
  test("rows 23–26: A sends 1460-byte segments from seq 40000; B acks 41460 then 42920 and its seq stays Y", () => {
    const { b, c } = established({ config: { syncookies: 0 }, peerIss: 39999 });
    const y = c.sndNxt;
    // Row 23: A→B seq 40000, 1514-byte frame.
    c.peerSends(pattern(1460, 23));
    // Row 24: B→A seq Y ack 40000+1460 = 41460, a 54-byte frame.
    const [r24] = expectReplies(b, [c.reply({ seq: y, ack: 41460, window: BOARD_WINDOW - 1460 })], { within: 200 });
    expect(r24.frameLength).toBe(54);
    // Row 25: A→B seq 41460 (the ack it got), ack Y.
    expect(c.rcvNxt).toBe(41460);
    c.peerSends(pattern(1460, 25));
    // Row 26: B→A seq Y (a pure ACK did not advance it), ack 41460+1460 = 42920.
    const [r26] = expectReplies(b, [c.reply({ seq: y, ack: 42920, window: BOARD_WINDOW - 2920 })], { within: 200 });
    expect(r26.frameLength).toBe(54);
    expect(c.appReads()).toEqual(new Uint8Array([...pattern(1460, 23), ...pattern(1460, 25)]));
  });

  test("the peer's 1514-byte frames carry 1460 data bytes: the ack grows by 1460, not by the frame size", () => {
    const { b, c } = established({ config: { syncookies: 0 }, peerIss: 39999 });
    send(b, c.seg({ seq: 40000, payload: pattern(1460, 1) }));
    const [r] = expectReplies(b, [c.reply({ ack: 41460, window: BOARD_WINDOW - 1460 })], { within: 200 });
    expect(r.seg.ack - 40000).toBe(1514 - 54);
  });

  test("B sends with nothing coming back: its ack stays put, its seq grows by each segment's length", () => {
    const { b, c } = activeEstablished();
    const first = pattern(1460, 1);
    const second = pattern(1460, 2);
    expect(c.appSends(first)).toBe(1460);
    expect(c.appSends(second)).toBe(1460);
    const [s1, s2] = expectReplies(b, [
      c.reply({ payload: first }),
      c.reply({ seq: seqAdd(c.sndNxt, 1460), payload: second }),
    ]);
    expect([s1.frameLength, s2.frameLength]).toEqual([1514, 1514]);
    expect(s1.seg.ack).toBe(s2.seg.ack);
    // The peer acks 1460 + 1460: B's next segment starts there.
    c.sndNxt = seqAdd(c.sndNxt, 2920);
    send(b, c.seg());
    expect(c.appSends(text("next"))).toBe(4);
    expectReplies(b, [c.reply({ payload: text("next") })]);
  });

  test("a segment is acknowledged once SEG.ACK passes its last byte (SEG.SEQ+SEG.LEN-1): a partial ACK leaves the rest in flight", () => {
    const { b, c } = activeEstablished();
    const d = pattern(1000, 4);
    expect(c.appSends(d)).toBe(1000);
    expectReplies(b, [c.reply({ payload: d })]);
    send(b, c.seg({ ack: seqAdd(c.sndNxt, 999) }));
    expect(c.status()).toMatchObject({ snd_una: seqAdd(c.sndNxt, 999), send_queued: 1 });
    send(b, c.seg({ ack: seqAdd(c.sndNxt, 1000) }));
    expect(c.status()).toMatchObject({ snd_una: seqAdd(c.sndNxt, 1000), send_queued: 0 });
  });
});

/** Deliver the next TCP segment (waiting up to 500 ms for a delayed ACK) and describe it relative to A's and B's ISS. */
function row(wire: Wire, a: Board, iss: { a: number; b: number }): { text: string; seg: SegmentFrame } {
  const n = wire.nextWithin(500);
  if (!n) throw new Error("no segment on the wire");
  const s = n.seg.seg;
  const fromA = n.from === a;
  const seq = (s.seq - (fromA ? iss.a : iss.b)) | 0;
  const ack = (s.ack - (fromA ? iss.b : iss.a)) | 0;
  // PSH on a FIN is the sender's choice (RFC 9293 §3.9.1.2); the table leaves it out.
  const flags = s.flags & FIN ? s.flags & ~PSH : s.flags;
  return { text: `${fromA ? "A→B" : "B→A"} ${flagList(flags)} seq=ISS+${seq} ack=${s.flags & ACK ? `ISS+${ack}` : "-"}`, seg: n.seg };
}

function connectedPair(config: Record<string, number> = {}) {
  const { a, b, wire } = boardPair({ config: { syncookies: 0, ...config } });
  const l = b.stack.listen(80, 4);
  const ca = a.stack.connect(PEER_IP, 80);
  wire.run(100);
  const cb = b.stack.accept(l)!;
  expect([a.stack.state(ca), b.stack.state(cb)]).toEqual([State.ESTABLISHED, State.ESTABLISHED]);
  const iss = { a: a.stack.status(ca).iss, b: b.stack.status(cb).iss };
  return { a, b, wire, ca, cb, l, iss };
}

describe("the four-way close (RFC 9293 §3.6)", () => {
  test("A closes first: FIN, ACK, FIN, ACK with both ends' states after each segment, then A's TIME-WAIT ends after 2·MSL", () => {
    const { a, b, wire, ca, cb, iss } = connectedPair({ msl_ms: 1000 });
    const st = () => `A ${stateOf(a, ca)} B ${stateOf(b, cb)}`;
    const rows: string[] = [];
    a.stack.close(ca);
    rows.push(`${row(wire, a, iss).text} | ${st()}`);
    rows.push(`${row(wire, a, iss).text} | ${st()}`);
    expect(b.stack.recv(cb)).toEqual(new Uint8Array(0));
    b.stack.close(cb);
    rows.push(`${row(wire, a, iss).text} | ${st()}`);
    rows.push(`${row(wire, a, iss).text} | ${st()}`);
    // The FIN occupies one sequence number: both ACKs are the FIN's seq + 1.
    expect(rows).toEqual([
      "A→B ACK|FIN seq=ISS+1 ack=ISS+1 | A 5 B 7",
      "B→A ACK seq=ISS+1 ack=ISS+2 | A 6 B 7",
      "B→A ACK|FIN seq=ISS+1 ack=ISS+2 | A 10 B 9",
      "A→B ACK seq=ISS+2 ack=ISS+2 | A 10 B -1",
    ]);
    wire.run(1999);
    expect(stateOf(a, ca)).toBe(State.TIME_WAIT);
    wire.run(2);
    expect(stateOf(a, ca)).toBe(-1);
    expect(a.stack.list()).toEqual([]);
  });

  test("the board closes second (passive close): peer FIN → ACK, CLOSE-WAIT; tcp_close → FIN, LAST-ACK; peer ACK → CLOSED", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    const u = c.rcvNxt;
    const v = c.sndNxt;
    c.peerFin({ seq: u, ack: v });
    expectReplies(b, [c.reply({ seq: v, ack: seqAdd(u, 1) })], { within: 200 });
    expect(c.state()).toBe(State.CLOSE_WAIT);
    b.stack.close(c.handle);
    expectReplies(b, [c.reply({ seq: v, ack: seqAdd(u, 1), flags: FIN | ACK })]);
    expect(c.state()).toBe(State.LAST_ACK);
    send(b, c.seg({ seq: seqAdd(u, 1), ack: seqAdd(v, 1) }));
    expectNothing(b);
    expect(statusOrNull(b, c.handle)).toBeNull();
  });

  test("the board closes first (active close): FIN → FIN-WAIT-1; ACK → FIN-WAIT-2; peer FIN → ACK seq u+1 ack v+1, TIME-WAIT", () => {
    const { b, c } = activeEstablished();
    const u = c.sndNxt;
    const v = c.rcvNxt;
    b.stack.close(c.handle);
    expectReplies(b, [c.reply({ seq: u, ack: v, flags: FIN | ACK })]);
    expect(c.state()).toBe(State.FIN_WAIT_1);
    send(b, c.seg({ seq: v, ack: seqAdd(u, 1) }));
    expectNothing(b);
    expect(c.state()).toBe(State.FIN_WAIT_2);
    c.sndNxt = seqAdd(u, 1);
    c.peerFin({ seq: v, ack: seqAdd(u, 1) });
    expectReplies(b, [c.reply({ seq: seqAdd(u, 1), ack: seqAdd(v, 1) })]);
    expect(c.state()).toBe(State.TIME_WAIT);
  });

  test("a FIN takes one sequence number: after FIN and data-free close both SND.NXT and RCV.NXT moved by exactly 1", () => {
    const { b, c } = activeEstablished();
    const before = c.status();
    b.stack.close(c.handle);
    expectReplies(b, [c.reply({ flags: FIN | ACK })]);
    c.sndNxt = seqAdd(c.sndNxt, 1);
    c.peerFin();
    expectReplies(b, [c.reply()]);
    const after = c.status();
    expect([seqAdd(after.snd_nxt, -before.snd_nxt), seqAdd(after.rcv_nxt, -before.rcv_nxt)]).toEqual([1, 1]);
  });
});

describe("simultaneous close (RFC 9293 §3.6)", () => {
  test("both ends close at once: the FINs cross, both go CLOSING, each ACKs the other's FIN, both TIME-WAIT, then CLOSED", () => {
    const { a, b, wire, ca, cb, iss } = connectedPair({ msl_ms: 1000 });
    a.stack.close(ca);
    b.stack.close(cb);
    const st = () => `A ${stateOf(a, ca)} B ${stateOf(b, cb)}`;
    const first = `${row(wire, a, iss).text} | ${st()}`;
    const second = `${row(wire, a, iss).text} | ${st()}`;
    expect([first, second]).toEqual([
      "A→B ACK|FIN seq=ISS+1 ack=ISS+1 | A 5 B 8",
      "B→A ACK|FIN seq=ISS+1 ack=ISS+1 | A 8 B 8",
    ]);
    const rest = wire.run(500).map((p) => `${p.seg.srcIp === BOARD_IP ? "A→B" : "B→A"} ${flagList(p.seg.flags & ~PSH)} ack=ISS+${(p.seg.ack - (p.seg.srcIp === BOARD_IP ? iss.b : iss.a)) | 0}`);
    expect(rest.sort()).toEqual(["A→B ACK ack=ISS+2", "B→A ACK ack=ISS+2"]);
    expect(st()).toBe("A 10 B 10");
    wire.run(2001);
    expect(st()).toBe("A -1 B -1");
  });

  test("the board and the peer close at once (single board): FIN crosses FIN → CLOSING → ACK → TIME-WAIT", () => {
    const { b, c } = activeEstablished();
    b.stack.close(c.handle);
    expectReplies(b, [c.reply({ flags: FIN | ACK })]);
    c.peerFin();
    c.sndNxt = seqAdd(c.sndNxt, 1);
    expectReplies(b, [c.reply()], { within: 200 });
    expect(c.state()).toBe(State.CLOSING);
    send(b, c.seg());
    expectNothing(b);
    expect(c.state()).toBe(State.TIME_WAIT);
  });
});

describe("simultaneous open (RFC 9293 §3.5 figure 7) between two boards", () => {
  test("both ends connect to each other at once: SYNs cross, both SYN-RECEIVED, then both ESTABLISHED and data flows", () => {
    const { a, b, wire } = boardPair({ config: {} });
    a.stack.setConfig("ephemeral_low", 50000);
    a.stack.setConfig("ephemeral_high", 50000);
    b.stack.setConfig("ephemeral_low", 60000);
    b.stack.setConfig("ephemeral_high", 60000);
    const ca = a.stack.connect(PEER_IP, 60000);
    const cb = b.stack.connect(BOARD_IP, 50000);
    // Each SYN waits for ARP; whichever is released first goes first.
    const [synA, synB] = [wire.nextWithin(1000)!, wire.nextWithin(1000)!].sort((p, q) => p.seg.seg.srcPort - q.seg.seg.srcPort);
    expect([flagList(synA.seg.seg.flags), flagList(synB.seg.seg.flags)]).toEqual(["SYN", "SYN"]);
    expect([synA.seg.seg.srcPort, synB.seg.seg.srcPort]).toEqual([50000, 60000]);
    expect([a.stack.state(ca), b.stack.state(cb)]).toEqual([State.SYN_RECEIVED, State.SYN_RECEIVED]);
    wire.run(3000);
    expect([a.stack.state(ca), b.stack.state(cb)]).toEqual([State.ESTABLISHED, State.ESTABLISHED]);
    expect(a.stack.status(ca)).toMatchObject({ irs: synB.seg.seg.seq, iss: synA.seg.seg.seq });
    expect(a.stack.send(ca, text("ping"))).toBe(4);
    wire.run(500);
    expect(new TextDecoder().decode(b.stack.recv(cb)!)).toBe("ping");
  });
});
