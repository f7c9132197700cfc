/**
 * The closing states, packet by packet: FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT,
 * CLOSING, LAST-ACK and TIME-WAIT (RFC 9293 §3.6 and the rows of §3.10.7.4
 * for each), half-close both ways, FIN retransmission, TIME-WAIT = 2·MSL
 * (msl_ms) and its restart on a retransmitted FIN.
 *
 * Each state is reached by driving packets from an ESTABLISHED connection:
 *   FIN-WAIT-1 = tcp_close;              FIN-WAIT-2 = FIN-WAIT-1 + ACK of our FIN;
 *   CLOSE-WAIT = the peer's FIN;         LAST-ACK   = CLOSE-WAIT + tcp_close;
 *   CLOSING    = FIN-WAIT-1 + the peer's FIN not acknowledging ours;
 *   TIME-WAIT  = FIN-WAIT-2 + the peer's FIN.
 */
import { describe, expect, test } from "vitest";
import {
  ACK, BOARD_WINDOW, FIN, RST, State, SYN, type Board, type Conn, type StateName,
  activeEstablished, advance, advanceTo, errnoOf, established, expectNothing, expectReplies, rstFor, send,
  statusOrNull, takeReplies,
} from "./helpers/tcp-harness.js";
import { pattern, seqAdd, text } from "./helpers/tcp-packets.js";
import { drain, echoBehindShutWindow } from "./helpers/fuzz-peer.js";

type Reached = { b: Board; c: Conn; enteredAt: number };

function estab(config: Record<string, number> = {}): { b: Board; c: Conn } {
  return established({ config: { syncookies: 0, ...config } });
}

function finWait1(config: Record<string, number> = {}): Reached {
  const { b, c } = estab(config);
  b.stack.close(c.handle);
  expectReplies(b, [c.reply({ flags: FIN | ACK })]);
  c.sndNxt = seqAdd(c.sndNxt, 1);
  expect(c.state()).toBe(State.FIN_WAIT_1);
  return { b, c, enteredAt: b.now };
}

function finWait2(config: Record<string, number> = {}): Reached {
  const { b, c } = finWait1(config);
  send(b, c.seg());
  expectNothing(b);
  expect(c.state()).toBe(State.FIN_WAIT_2);
  return { b, c, enteredAt: b.now };
}

function closeWait(config: Record<string, number> = {}): Reached {
  const { b, c } = estab(config);
  c.peerFin();
  expectReplies(b, [c.reply()], { within: 200 });
  expect(c.state()).toBe(State.CLOSE_WAIT);
  return { b, c, enteredAt: b.now };
}

function lastAck(config: Record<string, number> = {}): Reached {
  const { b, c } = closeWait(config);
  b.stack.close(c.handle);
  expectReplies(b, [c.reply({ flags: FIN | ACK })]);
  c.sndNxt = seqAdd(c.sndNxt, 1);
  expect(c.state()).toBe(State.LAST_ACK);
  return { b, c, enteredAt: b.now };
}

function closing(config: Record<string, number> = {}): Reached {
  const { b, c } = finWait1(config);
  // The peer's FIN crosses ours: it acknowledges everything before our FIN, not the FIN itself.
  c.peerFin({ ack: seqAdd(c.sndNxt, -1) });
  expectReplies(b, [c.reply()], { within: 200 });
  expect(c.state()).toBe(State.CLOSING);
  return { b, c, enteredAt: b.now };
}

function timeWait(config: Record<string, number> = {}): Reached {
  const { b, c } = finWait2(config);
  c.peerFin();
  const enteredAt = b.now;
  expectReplies(b, [c.reply()]);
  expect(c.state()).toBe(State.TIME_WAIT);
  return { b, c, enteredAt };
}

const REACH: Record<string, (config?: Record<string, number>) => Reached> = {
  "FIN-WAIT-1": finWait1, "FIN-WAIT-2": finWait2, "CLOSE-WAIT": closeWait,
  CLOSING: closing, "LAST-ACK": lastAck, "TIME-WAIT": timeWait,
};
const STATE_OF: Record<string, StateName> = {
  "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2", "CLOSE-WAIT": "CLOSE_WAIT",
  CLOSING: "CLOSING", "LAST-ACK": "LAST_ACK", "TIME-WAIT": "TIME_WAIT",
};

/** The connection is gone: a stale handle or CLOSED, and a later segment on its 4-tuple is reset (§3.10.7.1). */
function expectGone(b: Board, c: Conn): void {
  const st = statusOrNull(b, c.handle);
  expect(st === null || st.state === State.CLOSED, `state after close: ${st?.state}`).toBe(true);
  const probe = c.seg({ payload: text("anyone?") });
  send(b, probe);
  expectReplies(b, [{ ...rstFor(probe), flags: RST }]);
}

describe("every closing state: segments RFC 9293 answers the same way", () => {
  const states = Object.keys(REACH);

  test.each(states)("%s: data far outside the window → ACK <SEQ=SND.NXT><ACK=RCV.NXT>, state kept", (name) => {
    const { b, c } = REACH[name]();
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, 1_000_000), payload: text("stray") }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State[STATE_OF[name]]);
  });

  test.each(states.filter((s) => s !== "TIME-WAIT"))("%s: SYN → challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>, state kept (RFC 5961 §4)", (name) => {
    const { b, c } = REACH[name]();
    send(b, c.seg({ flags: SYN, ack: 0, mss: 1460 }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State[STATE_OF[name]]);
  });

  test.each(states.filter((s) => s !== "TIME-WAIT"))("%s: RST at exactly RCV.NXT → the connection is gone, no reply", (name) => {
    const { b, c } = REACH[name]();
    send(b, c.seg({ flags: RST }));
    expectNothing(b);
    expectGone(b, c);
  });

  test.each(states)("%s: RST in the window but not at RCV.NXT → challenge ACK, state kept (RFC 5961 §3.2)", (name) => {
    const { b, c } = REACH[name]();
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, 7), flags: RST }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State[STATE_OF[name]]);
  });

  test.each(states)("%s: RST outside the window → dropped, state kept", (name) => {
    const { b, c } = REACH[name]();
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, -100), flags: RST }));
    expectNothing(b);
    expect(c.state()).toBe(State[STATE_OF[name]]);
  });

  test.each(states.filter((s) => s !== "CLOSE-WAIT"))("%s: tcp_send after tcp_close → ECLOSED", (name) => {
    const { b, c } = REACH[name]();
    expect(errnoOf(() => b.stack.send(c.handle, text("late")))).toBe("ECLOSED");
  });
});

describe("FIN-WAIT-1", () => {
  test("FIN-WAIT-1: tcp_close → FIN <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>, state 5", () => {
    const { c } = finWait1();
    expect(c.status()).toMatchObject({ state: State.FIN_WAIT_1, snd_nxt: c.sndNxt, snd_una: seqAdd(c.sndNxt, -1) });
  });

  test("FIN-WAIT-1: tcp_close with data queued → the FIN comes after the data and takes the next sequence number", () => {
    const { b, c } = estab();
    expect(c.appSends(text("goodbye"))).toBe(7);
    b.stack.close(c.handle);
    const got = takeReplies(b);
    const bytes = got.reduce((n, r) => n + r.seg.payload.length, 0);
    expect(bytes).toBe(7);
    const fin = got[got.length - 1].seg;
    expect(fin.flags & FIN).toBe(FIN);
    expect(seqAdd(fin.seq, fin.payload.length)).toBe(seqAdd(c.sndNxt, 7));
    expect(c.status().snd_nxt).toBe(seqAdd(c.sndNxt, 8));
  });

  test("FIN-WAIT-1: ACK of our FIN → FIN-WAIT-2, nothing sent", () => {
    finWait2();
  });

  test("FIN-WAIT-1: an ACK short of our FIN → still FIN-WAIT-1", () => {
    const { b, c } = finWait1();
    send(b, c.seg({ ack: seqAdd(c.sndNxt, -1) }));
    expectNothing(b);
    expect(c.state()).toBe(State.FIN_WAIT_1);
  });

  test("FIN-WAIT-1: the peer's FIN without the ACK of ours → ACK <ACK=SEG.SEQ+1>, CLOSING (simultaneous close)", () => {
    closing();
  });

  test("FIN-WAIT-1: FIN+ACK acknowledging our FIN → ACK, TIME-WAIT", () => {
    const { b, c } = finWait1();
    c.peerFin();
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.TIME_WAIT);
  });

  test("FIN-WAIT-1: data from the peer → delivered and acknowledged (half-close: after our FIN we still receive)", () => {
    const { b, c } = finWait1();
    c.peerSends(text("more for you"));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 12 })], { within: 200 });
    expect(new TextDecoder().decode(c.appReads())).toBe("more for you");
  });

  test("FIN-WAIT-1: no ACK → the FIN is retransmitted after the 1 s RTO (rto_min_ms 1000, RFC 6298 §2.4)", () => {
    const { b, c, enteredAt } = finWait1({ rto_min_ms: 1000 });
    advanceTo(b, enteredAt + 999);
    expectNothing(b);
    advanceTo(b, enteredAt + 1000);
    expectReplies(b, [c.reply({ seq: seqAdd(c.sndNxt, -1), flags: FIN | ACK })]);
  });
});

describe("FIN-WAIT-2", () => {
  test("FIN-WAIT-2: data from the peer → delivered and acknowledged (half-close)", () => {
    const { b, c } = finWait2();
    c.peerSends(pattern(1000, 3));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 1000 })], { within: 200 });
    expect(c.appReads()).toEqual(pattern(1000, 3));
    expect(c.state()).toBe(State.FIN_WAIT_2);
  });

  test("FIN-WAIT-2: the peer's FIN → ACK <ACK=SEG.SEQ+1>, TIME-WAIT, end of stream", () => {
    const { b, c } = timeWait();
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
  });

  test("FIN-WAIT-2: data with FIN → ACK covers both, TIME-WAIT, the data readable", () => {
    const { b, c } = finWait2();
    c.peerFin({ payload: text("bye") });
    expectReplies(b, [c.reply()], { within: 200 });
    expect(c.state()).toBe(State.TIME_WAIT);
    expect(new TextDecoder().decode(c.appReads())).toBe("bye");
  });
});

describe("CLOSE-WAIT", () => {
  test("CLOSE-WAIT: tcp_send → data still goes out (half-close: after the peer's FIN we can still send)", () => {
    const { b, c } = closeWait();
    expect(c.appSends(text("here is the rest"))).toBe(16);
    expectReplies(b, [c.reply({ payload: text("here is the rest") })]);
    c.sndNxt = seqAdd(c.sndNxt, 16);
    send(b, c.seg());
    expectNothing(b);
    expect(c.status()).toMatchObject({ snd_una: c.sndNxt, send_queued: 0 });
  });

  test("CLOSE-WAIT: a retransmitted FIN → ACK again, state kept", () => {
    const { b, c } = closeWait();
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, -1), flags: FIN | ACK }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.CLOSE_WAIT);
  });

  test("CLOSE-WAIT: data after the FIN → not delivered, the stream stays ended", () => {
    const { b, c } = closeWait();
    send(b, c.seg({ payload: text("zombie") }));
    takeReplies(b);
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
    expect(c.state()).toBe(State.CLOSE_WAIT);
  });

  test("CLOSE-WAIT: tcp_close → FIN <SEQ=SND.NXT><ACK=RCV.NXT>, LAST-ACK", () => {
    const { c } = lastAck();
    expect(c.status().snd_nxt).toBe(c.sndNxt);
  });
});

describe("CLOSING", () => {
  test("CLOSING: ACK of our FIN → TIME-WAIT, nothing sent", () => {
    const { b, c } = closing();
    send(b, c.seg());
    expectNothing(b);
    expect(c.state()).toBe(State.TIME_WAIT);
  });

  test("RFC 9293 §3.10.7.4: in CLOSING with data still queued, an ACK that opens the window sends that data and the FIN", () => {
    // FIN-WAIT-1 with a 1460-byte echo queued behind a zero window; the peer's FIN makes it CLOSING.
    const { x, p } = echoBehindShutWindow();
    x.sendSeg(p, p.fin()!);
    x.settle();
    drain(x, 5000);
    expect(x.m.stack.list().find((e) => e.remotePort === 5000)?.state).toBe(State.CLOSING);
    p.wnd = 65535;
    x.sendSeg(p, p.segment(ACK));
    x.settle();
    drain(x, 30_000);
    expect(p.echoed).toBe(1460);
    expect(p.finGot).toBe(true);
  });

  test("CLOSING: the peer's FIN again → ACK again, still CLOSING", () => {
    const { b, c } = closing();
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, -1), ack: seqAdd(c.sndNxt, -1), flags: FIN | ACK }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.CLOSING);
  });
});

describe("LAST-ACK", () => {
  test("LAST-ACK: ACK of our FIN → CLOSED: the TCB is freed, the handle stale, tcp_list empty", () => {
    const r = lastAck();
    const { b, c } = r;
    const listener = listenerOf(r);
    send(b, c.seg());
    expectNothing(b);
    expect(errnoOf(() => b.stack.state(c.handle))).toBe("EINVAL");
    expect(b.stack.list().filter((e) => e.handle !== listener)).toEqual([]);
    expectGone(b, c);
  });

  test("LAST-ACK: the peer's FIN again → ACK again, still LAST-ACK", () => {
    const { b, c } = lastAck();
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, -1), ack: seqAdd(c.sndNxt, -1), flags: FIN | ACK }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.LAST_ACK);
  });

  test("LAST-ACK: no ACK → our FIN retransmitted after the 1 s RTO (rto_min_ms 1000, RFC 6298 §2.4)", () => {
    const { b, c, enteredAt } = lastAck({ rto_min_ms: 1000 });
    advanceTo(b, enteredAt + 999);
    expectNothing(b);
    advanceTo(b, enteredAt + 1000);
    expectReplies(b, [c.reply({ seq: seqAdd(c.sndNxt, -1), flags: FIN | ACK })]);
  });
});

describe("TIME-WAIT (RFC 9293 §3.6: 2·MSL)", () => {
  test("TIME-WAIT: lasts 2·MSL with msl_ms 1000 → still there at 1999 ms, CLOSED and freed at 2001 ms", () => {
    const { b, c, enteredAt } = timeWait({ msl_ms: 1000 });
    advanceTo(b, enteredAt + 1999);
    expect(c.state()).toBe(State.TIME_WAIT);
    advanceTo(b, enteredAt + 2001);
    expect(statusOrNull(b, c.handle)).toBeNull();
    expectNothing(b);
  });

  test("TIME-WAIT: with the default msl_ms (30 s) → lasts 60 s", () => {
    const { b, c, enteredAt } = timeWait();
    expect(b.stack.getConfig("msl_ms")).toBe(30_000);
    advanceTo(b, enteredAt + 59_999);
    expect(c.state()).toBe(State.TIME_WAIT);
    advanceTo(b, enteredAt + 60_001);
    expect(statusOrNull(b, c.handle)).toBeNull();
  });

  test("TIME-WAIT: a retransmitted FIN → ACK again and the 2·MSL timer restarts", () => {
    const { b, c, enteredAt } = timeWait({ msl_ms: 1000 });
    advanceTo(b, enteredAt + 1500);
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, -1), flags: FIN | ACK }));
    expectReplies(b, [c.reply()]);
    advanceTo(b, enteredAt + 1500 + 1999);
    expect(c.state()).toBe(State.TIME_WAIT);
    advanceTo(b, enteredAt + 1500 + 2001);
    expect(statusOrNull(b, c.handle)).toBeNull();
  });

  test("TIME-WAIT: RST at RCV.NXT → no reply", () => {
    const { b, c } = timeWait();
    send(b, c.seg({ flags: RST }));
    expectNothing(b);
  });

  test("TIME-WAIT: after it ends, a segment on the old 4-tuple is reset", () => {
    const { b, c, enteredAt } = timeWait({ msl_ms: 500 });
    advanceTo(b, enteredAt + 1001);
    expectGone(b, c);
  });

  test("TIME-WAIT: the active closer's connection holds its TCB until 2·MSL has passed", () => {
    const { b, c, enteredAt } = timeWait({ msl_ms: 1000 });
    // The application closed it, so its row shows handle -1 (docs/ABI.md "tcp_list entry"): find it by its ports.
    const mine = () => b.stack.list().filter((e) => e.localPort === c.boardPort && e.remotePort === c.peerPort);
    expect(mine()).toMatchObject([{ handle: -1, state: State.TIME_WAIT }]);
    advanceTo(b, enteredAt + 2001);
    expect(mine()).toEqual([]);
  });
});

describe("half-close end to end", () => {
  test("ESTABLISHED → CLOSE-WAIT → LAST-ACK → CLOSED while data flows after the peer's FIN (active open)", () => {
    const { b, c } = activeEstablished();
    c.peerFin();
    expectReplies(b, [c.reply()], { within: 200 });
    expect(c.appSends(text("late reply"))).toBe(10);
    expectReplies(b, [c.reply({ payload: text("late reply") })]);
    c.sndNxt = seqAdd(c.sndNxt, 10);
    b.stack.close(c.handle);
    expectReplies(b, [c.reply({ flags: FIN | ACK })]);
    c.sndNxt = seqAdd(c.sndNxt, 1);
    send(b, c.seg());
    expectNothing(b);
    expect(statusOrNull(b, c.handle)).toBeNull();
  });

  test("FIN-WAIT-2 lasts as long as the peer keeps sending: 10 segments over 10 s all acknowledged and delivered", () => {
    const { b, c } = finWait2();
    const all: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      advance(b, 1000);
      const d = pattern(100, 100 + i);
      all.push(d);
      c.peerSends(d);
      expectReplies(b, [c.reply({ window: BOARD_WINDOW - 100 * (i + 1) })], { within: 200 });
    }
    expect(c.appReads()).toEqual(Uint8Array.from(all.flatMap((d) => [...d])));
    expect(c.state()).toBe(State.FIN_WAIT_2);
  });
});

/** The listener handle of a board set up by established(): the entry in tcp_list in state LISTEN. */
function listenerOf(r: Reached): number {
  const l = r.b.stack.list().find((e) => e.state === State.LISTEN);
  return l ? l.handle : -2;
}
