/**
 * A FIN that arrives beyond a hole, packet by packet. RFC 9293 §3.10.7.4
 * (eighth step) processes a FIN only once everything before it has
 * arrived; segments beyond RCV.NXT "may be held" for processing in
 * sequence. The board keeps the FIN with the out-of-order blocks (no extra
 * TCB field) and takes it when the hole fills, so the peer need not send
 * it again (docs/TCP.md "Out-of-order FIN").
 */
import { describe, expect, test } from "vitest";
import {
  ACK, FIN, State, type Board, type Conn, activeEstablished, advance, established, expectNothing, expectReplies,
  send, statsDelta, windowOneOf,
  finWait2,
} from "./helpers/tcp-harness.js";
import { concat, pattern, seqAdd, text } from "./helpers/tcp-packets.js";

const W = 4096;

function open(kind: "passive" | "active"): { b: Board; c: Conn } {
  return kind === "passive" ? established({ config: { syncookies: 0 } }) : activeEstablished();
}

/** The window after `n` unread bytes and the FIN: RFC 9293 lets the FIN come out of the window or not. */
const afterFin = (n: number) => windowOneOf(W - n - 1, W - n);

describe("ESTABLISHED: a FIN beyond a hole (RFC 9293 §3.10.7.4 eighth step)", () => {
  test.each(["passive", "active"] as const)("ESTABLISHED (%s): data + FIN beyond a hole → duplicate ACK, still ESTABLISHED; the hole filled → one ACK covering the FIN, CLOSE-WAIT, end of stream", (kind) => {
    const { b, c } = open(kind);
    const start = c.rcvNxt;
    const d = statsDelta(b, () => {
      send(b, c.seg({ seq: seqAdd(start, 5), flags: FIN | ACK, payload: text("world") }));
      expectReplies(b, [c.reply()]);
    });
    expect(d.tcp_ooo_segments).toBe(1);
    expect(c.state()).toBe(State.ESTABLISHED);
    expect(b.stack.pollConn(c.handle)).toMatchObject({ readable: false, peer_closed: false });
    send(b, c.seg({ payload: text("hello") }));
    c.rcvNxt = seqAdd(start, 11);
    expectReplies(b, [c.reply({ window: afterFin(10) })]);
    expect(c.state()).toBe(State.CLOSE_WAIT);
    expect(new TextDecoder().decode(c.appReads())).toBe("helloworld");
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
    expect(c.status()).toMatchObject({ rcv_nxt: c.rcvNxt, recv_queued: 0 });
  });

  test("ESTABLISHED: a bare FIN beyond a hole → duplicate ACK; the missing data → ACK of data and FIN, CLOSE-WAIT", () => {
    const { b, c } = open("passive");
    const start = c.rcvNxt;
    send(b, c.seg({ seq: seqAdd(start, 1000), flags: FIN | ACK }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.ESTABLISHED);
    c.peerSends(pattern(1000, 4));
    c.rcvNxt = seqAdd(c.rcvNxt, 1);
    expectReplies(b, [c.reply({ window: afterFin(1000) })]);
    expect(c.state()).toBe(State.CLOSE_WAIT);
    expect(c.appReads()).toEqual(pattern(1000, 4));
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
  });

  test("ESTABLISHED: two holes before the FIN → the FIN waits until both are filled, in either order", () => {
    const { b, c } = open("passive");
    const s = c.rcvNxt;
    send(b, c.seg({ seq: seqAdd(s, 200), payload: pattern(100, 2) }));
    expectReplies(b, [c.reply()]);
    send(b, c.seg({ seq: seqAdd(s, 400), flags: FIN | ACK, payload: pattern(100, 4) }));
    expectReplies(b, [c.reply()]);
    // The second hole first: nothing in order yet.
    send(b, c.seg({ seq: seqAdd(s, 300), payload: pattern(100, 3) }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.ESTABLISHED);
    send(b, c.seg({ seq: seqAdd(s, 100), payload: pattern(100, 1) }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.ESTABLISHED);
    send(b, c.seg({ payload: pattern(100, 0) }));
    c.rcvNxt = seqAdd(s, 501);
    expectReplies(b, [c.reply({ window: afterFin(500) })]);
    expect(c.state()).toBe(State.CLOSE_WAIT);
    expect(c.appReads()).toEqual(concat(...[0, 1, 2, 3, 4].map((k) => pattern(100, k))));
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
  });

  test("ESTABLISHED: data beyond the kept FIN → not taken; the hole filled → the stream ends at the FIN", () => {
    const { b, c } = open("passive");
    const s = c.rcvNxt;
    send(b, c.seg({ seq: seqAdd(s, 10), flags: FIN | ACK, payload: text("0123456789") }));
    expectReplies(b, [c.reply()]);
    send(b, c.seg({ seq: seqAdd(s, 15), payload: text("56789XYZ") }));
    expectReplies(b, [c.reply()]);
    send(b, c.seg({ payload: text("abcdefghij") }));
    c.rcvNxt = seqAdd(s, 21);
    expectReplies(b, [c.reply({ window: afterFin(20) })]);
    expect(c.state()).toBe(State.CLOSE_WAIT);
    expect(new TextDecoder().decode(c.appReads())).toBe("abcdefghij0123456789");
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
  });

  test("ESTABLISHED: the peer retransmits the FIN after the hole was filled → answered as a duplicate, state unchanged", () => {
    const { b, c } = open("passive");
    const s = c.rcvNxt;
    send(b, c.seg({ seq: seqAdd(s, 5), flags: FIN | ACK, payload: text("world") }));
    expectReplies(b, [c.reply()]);
    send(b, c.seg({ payload: text("hello") }));
    c.rcvNxt = seqAdd(s, 11);
    const [ack] = expectReplies(b, [c.reply({ window: afterFin(10) })]);
    send(b, c.seg({ seq: seqAdd(s, 5), flags: FIN | ACK, payload: text("world") }));
    expectReplies(b, [c.reply({ window: ack.seg.window })]);
    expect(c.state()).toBe(State.CLOSE_WAIT);
    advance(b, 1000);
    expectNothing(b);
  });
});

describe("FIN-WAIT: a FIN beyond a hole", () => {
  test("FIN-WAIT-2: data + FIN beyond a hole → duplicate ACK; the hole filled → ACK of the FIN, TIME-WAIT", () => {
    const { b, c } = finWait2({ config: { syncookies: 0 } });
    const s = c.rcvNxt;
    send(b, c.seg({ seq: seqAdd(s, 3), flags: FIN | ACK, payload: text("bye") }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.FIN_WAIT_2);
    send(b, c.seg({ payload: text("ok ") }));
    c.rcvNxt = seqAdd(s, 7);
    expectReplies(b, [c.reply({ window: afterFin(6) })]);
    expect(c.state()).toBe(State.TIME_WAIT);
    expect(new TextDecoder().decode(c.appReads())).toBe("ok bye");
  });

  test("FIN-WAIT-1: a FIN beyond a hole that also acknowledges our FIN → FIN-WAIT-2; the hole filled → TIME-WAIT", () => {
    const { b, c } = open("active");
    b.stack.close(c.handle);
    expectReplies(b, [c.reply({ flags: FIN | ACK })]);
    c.sndNxt = seqAdd(c.sndNxt, 1);
    const s = c.rcvNxt;
    send(b, c.seg({ seq: seqAdd(s, 4), flags: FIN | ACK, payload: text("tail") }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.FIN_WAIT_2);
    send(b, c.seg({ payload: text("head") }));
    c.rcvNxt = seqAdd(s, 9);
    expectReplies(b, [c.reply({ flags: ACK, window: afterFin(8) })]);
    expect(c.state()).toBe(State.TIME_WAIT);
    expect(new TextDecoder().decode(c.appReads())).toBe("headtail");
  });
});
