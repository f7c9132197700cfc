/**
 * Filling the window (docs/TCP.md "Nagle", "Delayed ACKs"): Minshall's
 * variant of Nagle's algorithm (a short segment waits only while another
 * short one is unacknowledged) and the receiver's ACK timing (every second
 * full-sized segment at once, RFC 9293 §3.8.6.3; the delayed ACK waits
 * delack_ms for the application's read and at most 5 ms once it has
 * drained the ring). Packet level: every field of every reply is checked.
 */
import { describe, expect, test } from "vitest";
import {
  BOARD_WINDOW, activeEstablished, advance, established, expectNothing, expectReplies, send, takeReplies,
} from "./helpers/tcp-harness.js";
import { PSH, concat, pattern, seqAdd } from "./helpers/tcp-packets.js";

const MSS = 1460;


describe("ESTABLISHED: Nagle in Minshall's variant (RFC 896, RFC 9293 §3.7.4)", () => {
  test("ESTABLISHED: the app fills the 4 KiB send ring → 1460, 1460 and the 1176-byte tail at the ring's edge go out at once (no short segment is unacknowledged)", () => {
    const { b, c } = activeEstablished();
    const data = pattern(4096, 1);
    c.appWrites(data);
    expectReplies(b, [
      c.reply({ payload: data.subarray(0, MSS) }),
      c.reply({ seq: seqAdd(c.sndNxt, MSS), payload: data.subarray(MSS, 2 * MSS) }),
      c.reply({ seq: seqAdd(c.sndNxt, 2 * MSS), flags: PSH | 0x10, payload: data.subarray(2 * MSS) }),
    ]);
  });

  test("ESTABLISHED: a short tail held while the app writes goes out with the next ACK although a full segment is still unacknowledged", () => {
    const { b, c } = activeEstablished();
    const data = pattern(3072, 2);
    c.appWrites(data);
    // Two writes of 1536: two full segments; the 152-byte tail waits (the ring has room, more may come).
    expectReplies(b, [
      c.reply({ payload: data.subarray(0, MSS) }),
      c.reply({ seq: seqAdd(c.sndNxt, MSS), payload: data.subarray(MSS, 2 * MSS) }),
    ]);
    // The peer acknowledges the first segment only: classic Nagle would still hold the tail.
    c.sndNxt = seqAdd(c.sndNxt, MSS);
    send(b, c.seg());
    expectReplies(b, [c.reply({ seq: seqAdd(c.sndNxt, MSS), flags: PSH | 0x10, payload: data.subarray(2 * MSS) })]);
  });

  test("ESTABLISHED: while a short segment is unacknowledged the next short tail waits for its ACK, then goes", () => {
    const { b, c } = activeEstablished();
    const data = pattern(4096, 3);
    c.appWrites(data);
    expect(expectReplies(b, [
      c.reply({ payload: data.subarray(0, MSS) }),
      c.reply({ seq: seqAdd(c.sndNxt, MSS), payload: data.subarray(MSS, 2 * MSS) }),
      c.reply({ seq: seqAdd(c.sndNxt, 2 * MSS), flags: PSH | 0x10, payload: data.subarray(2 * MSS) }),
    ])).toHaveLength(3);
    // The peer acknowledges the two full segments; the 1176-byte short one is still out.
    c.sndNxt = seqAdd(c.sndNxt, 2 * MSS);
    send(b, c.seg());
    expectNothing(b);
    const more = pattern(2920, 4);
    c.appWrites(more);
    // The ring is full again: two full segments go (full segments never wait).
    expectReplies(b, [
      c.reply({ seq: seqAdd(c.sndNxt, 1176), payload: more.subarray(0, MSS) }),
      c.reply({ seq: seqAdd(c.sndNxt, 1176 + MSS), flags: PSH | 0x10, payload: more.subarray(MSS) }),
    ]);
    // Now the short one is acknowledged together with one full segment; 1460 bytes free up.
    c.sndNxt = seqAdd(c.sndNxt, 1176 + MSS);
    send(b, c.seg());
    const tail = pattern(1000, 5);
    expect(c.appSends(tail)).toBe(1000);
    // Writing with room in the ring and data in flight: the tail waits ...
    expectNothing(b);
    // ... and with the peer's ACK of the last full segment, no short segment is out: it goes.
    c.sndNxt = seqAdd(c.sndNxt, MSS);
    send(b, c.seg());
    expectReplies(b, [c.reply({ flags: PSH | 0x10, payload: tail })]);
  });

  test("ESTABLISHED: the app fills the send ring while a short segment is unacknowledged → the tail at the ring's end goes at once (nothing can join it before an ACK)", () => {
    const { b, c } = activeEstablished();
    const data = pattern(4096, 5);
    // Nothing in flight: a lone 1000-byte write goes at once (Nagle holds nothing then).
    expect(c.appSends(data.subarray(0, 1000))).toBe(1000);
    expectReplies(b, [c.reply({ flags: PSH | 0x10, payload: data.subarray(0, 1000) })]);
    // The rest fills the ring: two full segments and a 176-byte tail, while the 1000 bytes are unacknowledged.
    c.appWrites(data.subarray(1000));
    expectReplies(b, [
      c.reply({ seq: seqAdd(c.sndNxt, 1000), payload: data.subarray(1000, 1000 + MSS) }),
      c.reply({ seq: seqAdd(c.sndNxt, 1000 + MSS), payload: data.subarray(1000 + MSS, 1000 + 2 * MSS) }),
      c.reply({ seq: seqAdd(c.sndNxt, 1000 + 2 * MSS), flags: PSH | 0x10, payload: data.subarray(1000 + 2 * MSS) }),
    ]);
  });

  test("ESTABLISHED: NODELAY (nagle 0) → a short write goes out at once even with a full segment unacknowledged", () => {
    const { b, c } = activeEstablished({ config: { nagle: 0 } });
    const data = pattern(1536, 6);
    expect(c.appSends(data)).toBe(1536);
    expectReplies(b, [
      c.reply({ payload: data.subarray(0, MSS) }),
      c.reply({ seq: seqAdd(c.sndNxt, MSS), flags: PSH | 0x10, payload: data.subarray(MSS) }),
    ]);
  });
});

describe("ESTABLISHED: when the receiver acknowledges (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2)", () => {
  test("ESTABLISHED: a full segment then a short one → not a second full-sized segment, no ACK at once; the short one ends the burst, so the ACK waits only 1 ms for a read", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    c.peerSends(pattern(MSS, 1));
    c.peerSends(pattern(500, 2));
    expectNothing(b);
    // Unread, the data is acknowledged 1 ms later, not after delack_ms: nothing more is coming back to back.
    const t = b.now;
    const [r] = expectReplies(b, [c.reply({ window: BOARD_WINDOW - MSS - 500 })], { within: 100 });
    expect(r.at - t).toBe(1);
  });

  test("ESTABLISHED: a lone short segment, unread → still the delayed ACK after delack_ms (RFC 1122 §4.2.3.2: it may ride on a reply)", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    const t = b.now;
    c.peerSends(pattern(500, 2));
    const [r] = expectReplies(b, [c.reply({ window: BOARD_WINDOW - 500 })], { within: 100 });
    expect(r.at - t).toBe(40);
  });

  test("ESTABLISHED: two full-sized segments leaving the window closing, no read → the second is acknowledged 1 ms later, not after delack_ms", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    c.peerSends(pattern(MSS, 1));
    expectNothing(b);
    const t = b.now;
    c.peerSends(pattern(MSS, 2));
    // 1176 bytes of the 4 KiB window are left: the ACK waits for the read that would reopen it.
    expectNothing(b);
    const [r] = expectReplies(b, [c.reply({ window: BOARD_WINDOW - 2 * MSS })], { within: 10 });
    expect(r.at - t).toBe(1);
  });

  test("ESTABLISHED: two full-sized segments, the app reads them at once → one ACK at the same instant with the whole window (RFC 9293 §3.8.6.3)", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    const t = b.now;
    c.peerSends(pattern(MSS, 1));
    c.peerSends(pattern(MSS, 2));
    expectNothing(b);
    expect(c.appReads()).toEqual(concat(pattern(MSS, 1), pattern(MSS, 2)));
    const [r] = expectReplies(b, [c.reply({ window: BOARD_WINDOW })]);
    expect(r.at).toBe(t);
    expectNothing(b, { within: 100 });
  });

  test("ESTABLISHED: a short segment the application reads at once → the delayed ACK leaves 5 ms later, not delack_ms", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    const t = b.now;
    c.peerSends(pattern(1000, 3));
    expect(c.appReads()).toEqual(pattern(1000, 3));
    // The read moved the edge by less than an MSS: no window update of its
    // own, and the right edge stays where it was (receiver SWS avoidance).
    expectNothing(b);
    const [r] = expectReplies(b, [c.reply({ window: BOARD_WINDOW - 1000 })], { within: 100 });
    expect(r.at - t).toBe(5);
    expect(b.stack.stats().tcp_delayed_acks).toBe(1);
  });

  test("ESTABLISHED: a pushed segment the application reads at once → its ACK leaves 1 ms later, not 5 ms, and a read of 1176 ≥ RCV.BUFF/4 moves the right edge", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    const t = b.now;
    // PSH: the sender has sent what it had (or its send ring is full), so no second segment follows back to back.
    c.peerSends(pattern(1176, 4), { flags: PSH | 0x10 });
    expect(c.appReads()).toEqual(pattern(1176, 4));
    expectNothing(b);
    const [r] = expectReplies(b, [c.reply({ window: BOARD_WINDOW })], { within: 100 });
    expect(r.at - t).toBe(1);
  });

  test("ESTABLISHED: data the application has not read → the ACK waits the whole delack_ms for the read", () => {
    const { b, c } = established({ config: { syncookies: 0, delack_ms: 100 } });
    const t = b.now;
    c.peerSends(pattern(1000, 4));
    advance(b, 60);
    expectNothing(b);
    // The read 60 ms later drains the ring: the ACK follows 5 ms after it.
    expect(c.appReads()).toEqual(pattern(1000, 4));
    const [r] = expectReplies(b, [c.reply({ window: BOARD_WINDOW - 1000 })], { within: 100 });
    expect(r.at - t).toBe(65);
  });

  test("ESTABLISHED: out-of-order data → a duplicate ACK at once; the segment that fills the gap → ACK at once", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    const a = pattern(MSS, 5), d = pattern(MSS, 6);
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, MSS), payload: d }));
    expectReplies(b, [c.reply()]);
    c.peerSends(a);
    c.rcvNxt = seqAdd(c.rcvNxt, MSS);
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 2 * MSS })]);
    expect(c.appReads()).toEqual(concat(a, d));
  });
});

describe("ESTABLISHED: loss recovery keeps the pipe full (RFC 3042, RFC 6582)", () => {
  const M = 536;
  /** Board → peer, peer MSS 536: the 4 KiB ring filled, the initial window (4 segments, RFC 5681 §3.1) sent. */
  function flight() {
    const { b, c } = activeEstablished({ peerMss: M });
    const data = pattern(4096, 7);
    c.appWrites(data);
    const at = (k: number) => seqAdd(c.sndNxt, k * M);
    const seg = (k: number, over = {}) => c.reply({ seq: at(k), payload: data.subarray(k * M, (k + 1) * M), ...over });
    expectReplies(b, [seg(0), seg(1), seg(2), seg(3)]);
    return { b, c, data, at, seg };
  }

  /** flight(), then three duplicate ACKs: fast retransmit done, in recovery (replies taken). */
  function recovering() {
    const f = flight();
    const dup = f.c.seg();
    for (let i = 0; i < 3; i++) send(f.b, dup);
    takeReplies(f.b);
    return f;
  }

  test("ESTABLISHED: first and second duplicate ACK → one new segment each (limited transmit); third → the first segment again (fast retransmit) and nothing new: the window inflated to ssthresh + 3·SMSS is below the flight", () => {
    const { b, c, data, seg } = flight();
    const dup = c.seg();
    send(b, dup);
    expectReplies(b, [seg(4)]);
    send(b, dup);
    expectReplies(b, [seg(5)]);
    send(b, dup);
    // cwnd = 0.7·2144 + 3·536 = 3108 (the two limited-transmit segments not counted) under the 3216 in flight.
    expectReplies(b, [seg(0)]);
    expect(b.stack.stats().tcp_fast_retransmits).toBe(1);
    expect(b.stack.stats().tcp_retransmits).toBe(0);
  });

  test("ESTABLISHED: third duplicate ACK → ssthresh = 0.7·FlightSize without the limited-transmit segments (RFC 5681 §3.2 step 2; RFC 9438 §4.6 β_cubic, not RFC 5681's half), cwnd = ssthresh + 3·SMSS (RFC 6582 §3.2 step 2)", () => {
    const { c } = recovering();
    // In flight at the third duplicate: segments 0 to 5, 3216 bytes, of which 4 and 5
    // went by limited transmit; the FlightSize that counts is segments 0 to 3, 2144 bytes.
    expect(c.status()).toMatchObject({ ssthresh: Math.floor(0.7 * 2144), cwnd: Math.floor(0.7 * 2144) + 3 * M });
  });

  test("ESTABLISHED: in fast recovery a partial ACK → the next hole is resent at once, new data follows as the deflated window allows (RFC 6582 §3.2 step 3)", () => {
    const { b, c, data, at, seg } = flight();
    const dup = c.seg();
    for (let i = 0; i < 3; i++) send(b, dup);
    expect(takeReplies(b).map((r) => r.seg.seq)).toEqual([at(4), at(5), at(0)]);
    // The peer got segment 0 again but segment 1 is lost too: a partial ACK.
    // cwnd 3108 - 536 acknowledged + 536 = 3108 over the 2680 bytes from segment 1 on:
    // segment 1 again, and 428 new bytes.
    send(b, c.seg({ ack: at(1) }));
    expectReplies(b, [seg(1), c.reply({ seq: at(6), payload: data.subarray(6 * M, 6 * M + 428) })]);
    expect(b.stack.stats().tcp_fast_retransmits).toBe(2);
  });

  test("ESTABLISHED: the ACK that covers recover ends fast recovery with cwnd = ssthresh (RFC 6582 §3.2 step 3, option 2), not the flight plus one SMSS", () => {
    const { b, c, at } = recovering();
    // recover = the end of segment 5, the last one sent; its ACK leaves nothing in flight.
    send(b, c.seg({ ack: at(6) }));
    expect(c.status()).toMatchObject({ cwnd: 1500, ssthresh: 1500 });
  });

  test("ESTABLISHED: fast retransmit restarts the retransmission timer (the oldest segment has just gone again): no timeout one RTO after the last new ACK", () => {
    const { b, c, seg } = flight();
    const rto = c.status().rto_ms;
    advance(b, rto - 50);
    const dup = c.seg();
    for (let i = 0; i < 3; i++) send(b, dup);
    takeReplies(b);
    advance(b, rto - 1);
    expectNothing(b);
    advance(b, 1);
    expectReplies(b, [seg(0)]);
    expect(b.stack.stats().tcp_retransmits).toBe(1);
  });

  test("ESTABLISHED: in congestion avoidance an ACK covering over two segments counts every byte (RFC 3465 §2.1: the 2·SMSS limit L is slow start's)", () => {
    const { b, c, at } = recovering();
    send(b, c.seg({ ack: at(6) }));
    const cwnd = c.status().cwnd; // = ssthresh: congestion avoidance from here
    expect(cwnd).toBe(1500);
    c.appSends(pattern(4096 - c.status().send_queued, 1));
    takeReplies(b);
    // Everything cwnd let out beyond at(6): two full segments and a runt.
    const n = ((c.status().snd_nxt - c.sndNxt) >>> 0) - 6 * M;
    expect(n).toBeGreaterThan(2 * M);
    send(b, c.seg({ ack: seqAdd(at(6), n) }));
    expect(c.status().cwnd).toBe(cwnd + Math.floor((9 * M * n) / (17 * cwnd)));
    expect(c.status().cwnd).toBeGreaterThan(cwnd + Math.floor((9 * M * 2 * M) / (17 * cwnd)));
  });

  test("ESTABLISHED: congestion avoidance after a loss adds α_cubic = 9/17 of Reno's step per ACK until cwnd is back at the flight size of the loss, Reno's step after that (RFC 9438 §4.3)", () => {
    const { b, c, at } = recovering();
    send(b, c.seg({ ack: at(6) }));
    const ssthresh = 1500, prior = Math.floor((ssthresh * 10) / 7); // ssthresh / β_cubic = the flight size of the loss
    const sentTo = () => (c.status().snd_nxt - c.sndNxt) >>> 0;
    let acked = 6 * M, cwnd = c.status().cwnd, below = 0, above = 0;
    for (let i = 0; i < 60 && above < 3; i++) {
      // The application keeps the ring full; the peer acknowledges one segment at a time.
      c.appSends(pattern(4096 - c.status().send_queued, i));
      takeReplies(b);
      const n = Math.min(acked + M, sentTo()) - acked;
      acked += n;
      send(b, c.seg({ ack: seqAdd(at(0), acked) }));
      if (cwnd < ssthresh) cwnd += Math.min(n, 2 * M); // slow start (RFC 5681 §3.1, RFC 3465)
      else if (cwnd < prior) { below++; cwnd += Math.max(1, Math.floor((9 * M * n) / (17 * cwnd))); }
      else { above++; cwnd += Math.max(1, Math.floor((M * n) / cwnd)); }
      expect(c.status().cwnd).toBe(cwnd);
    }
    expect(below).toBeGreaterThan(3);
    expect(above).toBe(3);
  });
});
