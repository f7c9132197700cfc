/**
 * ESTABLISHED, packet by packet: the segment acceptability test (RFC 9293
 * §3.10.7.4 table), data and acknowledgment processing, RFC 5961 (RST and
 * SYN acceptance, challenge ACKs and their rate limit, ACK validation), the
 * MSS option (§3.7.1) and unknown options, urgent data delivered inline
 * (RFC 6093), the peer's window, and retransmission (RFC 6298).
 *
 * Where both openings matter the tests run on a passively and an actively
 * opened connection.
 */
import { describe, expect, test } from "vitest";
import {
  ACK, BOARD_MSS, BOARD_WINDOW, DEFAULT_MSS, FIN, PSH, RST, State, SYN, type Board, type Conn,
  activeEstablished, advance, advanceTo, errnoOf, established, expectNothing, expectReplies, send, statsDelta, synTo,
  synAckFor, listening, takeReplies,
} from "./helpers/tcp-harness.js";
import { URG, concat, pattern, seqAdd, text } from "./helpers/tcp-packets.js";

type Kind = "passive" | "active";
const KINDS: Kind[] = ["passive", "active"];

function open(kind: Kind, config: Record<string, number> = {}): { b: Board; c: Conn } {
  return kind === "passive" ? established({ config: { syncookies: 0, ...config } }) : activeEstablished({ config });
}

const dec = (u: Uint8Array) => new TextDecoder().decode(u);

/** The board application writes `data`; the segment it produces is checked and SND.NXT advanced. */
function boardSends(c: Conn, data: Uint8Array): void {
  expect(c.appSends(data)).toBe(data.length);
  expectReplies(c.b, [c.reply({ payload: data })]);
  c.sndNxt = seqAdd(c.sndNxt, data.length);
}

describe("ESTABLISHED: receiving data (RFC 9293 §3.10.7.4, seventh step)", () => {
  test.each(KINDS)("ESTABLISHED (%s): in-order data → delivered, ACK <SEQ=SND.NXT><ACK=SEG.SEQ+LEN> within 200 ms, window shrinks by the unread bytes", (kind) => {
    const { b, c } = open(kind);
    const t0 = b.now;
    c.peerSends(text("hello, board"));
    const [r] = expectReplies(b, [c.reply({ window: BOARD_WINDOW - 12 })], { within: 200 });
    expect(r.at - t0).toBeLessThanOrEqual(200);
    expect(b.stack.pollConn(c.handle).readable).toBe(true);
    expect(dec(c.appReads())).toBe("hello, board");
    expect(c.status()).toMatchObject({ rcv_nxt: c.rcvNxt, recv_queued: 0 });
  });

  test("ESTABLISHED: a pure ACK → nothing sent (an ACK is never acknowledged)", () => {
    const { b, c } = open("passive");
    send(b, c.seg());
    expectNothing(b, { within: 1000 });
  });

  test("ESTABLISHED: two full-sized segments → acknowledged within 1 ms, without waiting for the delayed-ACK timer (RFC 1122 §4.2.3.2)", () => {
    const { b, c } = open("passive");
    c.peerSends(pattern(1460, 1));
    c.peerSends(pattern(1460, 2));
    // They leave the 4 KiB window closing: the ACK waits 1 ms for a read that would reopen it (tcp/delack.ts).
    advance(b, 1);
    const got = takeReplies(b);
    expect(got.length).toBeGreaterThanOrEqual(1);
    const last = got[got.length - 1];
    expect([last.seg.flags, last.seg.seq, last.seg.ack, last.seg.window]).toEqual([ACK, c.sndNxt, c.rcvNxt, BOARD_WINDOW - 2920]);
    expect(c.appReads()).toEqual(concat(pattern(1460, 1), pattern(1460, 2)));
  });

  test("ESTABLISHED: tcp_recv with nothing received → EAGAIN", () => {
    const { b, c } = open("active");
    expect(b.stack.recv(c.handle)).toBeNull();
    expect(b.stack.pollConn(c.handle).readable).toBe(false);
  });

  test.each([
    ["at RCV.NXT + RCV.WND", (c: Conn) => seqAdd(c.rcvNxt, BOARD_WINDOW)],
    ["far beyond the window", (c: Conn) => seqAdd(c.rcvNxt, 1_000_000)],
    ["half the sequence space away", (c: Conn) => seqAdd(c.rcvNxt, 0x80000000)],
  ])("ESTABLISHED: data %s → ACK <SEQ=SND.NXT><ACK=RCV.NXT> at once, nothing delivered", (_n, seqOf) => {
    const { b, c } = open("passive");
    const d = statsDelta(b, () => {
      send(b, c.seg({ seq: seqOf(c), payload: text("outside") }));
      expectReplies(b, [c.reply()]);
    });
    expect(b.stack.recv(c.handle)).toBeNull();
    expect(d.tcp_drop_unacceptable).toBe(1);
  });

  test("ESTABLISHED: an old duplicate segment (wholly below RCV.NXT) → ACK at once, delivered only once", () => {
    const { b, c } = open("passive");
    const first = c.rcvNxt;
    c.peerSends(text("once"));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 4 })], { within: 200 });
    send(b, c.seg({ seq: first, payload: text("once") }));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 4 })]);
    expect(dec(c.appReads())).toBe("once");
  });

  test("ESTABLISHED: a segment overlapping RCV.NXT → only the new bytes delivered, ACK covers the end", () => {
    const { b, c } = open("passive");
    c.peerSends(text("abcde"));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 5 })], { within: 200 });
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, -3), payload: text("cdefgh") }));
    c.rcvNxt = seqAdd(c.rcvNxt, 3);
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 8 })], { within: 200 });
    expect(dec(c.appReads())).toBe("abcdefgh");
  });

  test("ESTABLISHED: out-of-order data → duplicate ACK at once (RFC 5681 §4.2); filling the hole → one ACK for all, bytes in order", () => {
    const { b, c } = open("passive");
    const start = c.rcvNxt;
    const d = statsDelta(b, () => {
      send(b, c.seg({ seq: seqAdd(start, 5), payload: text("world") }));
      expectReplies(b, [c.reply()]);
    });
    expect(d.tcp_ooo_segments).toBe(1);
    expect(b.stack.recv(c.handle)).toBeNull();
    send(b, c.seg({ seq: start, payload: text("hello") }));
    c.rcvNxt = seqAdd(start, 10);
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 10 })]);
    expect(dec(c.appReads())).toBe("helloworld");
  });

  test("ESTABLISHED: a full receive ring → window 0; a 1-byte probe is refused and answered <ACK=RCV.NXT><WND=0> (§3.10.7.4, RCV.WND = 0)", () => {
    const { b, c } = open("passive");
    const all = pattern(BOARD_WINDOW, 9);
    for (let o = 0; o < all.length; o += 1460) c.peerSends(all.subarray(o, Math.min(o + 1460, all.length)));
    const acks = takeReplies(b);
    advance(b, 200);
    acks.push(...takeReplies(b));
    const last = acks[acks.length - 1];
    expect([last.seg.ack, last.seg.window]).toEqual([c.rcvNxt, 0]);
    send(b, c.seg({ payload: text("!") }));
    expectReplies(b, [c.reply({ window: 0 })]);
    expect(c.appReads()).toEqual(all);
    send(b, c.seg({ payload: text("!") }));
    c.rcvNxt = seqAdd(c.rcvNxt, 1);
    const after = takeReplies(b);
    advance(b, 200);
    after.push(...takeReplies(b));
    expect(after.length).toBeGreaterThanOrEqual(1);
    expect(after[after.length - 1].seg.ack).toBe(c.rcvNxt);
    expect(dec(c.appReads())).toBe("!");
  });

  test("ESTABLISHED: urgent data (URG, pointer 3) → delivered inline in sequence, no byte lost or moved (RFC 6093)", () => {
    const { b, c } = open("passive");
    c.peerSends(text("abcdef"), { flags: ACK | URG, urgent: 3 });
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 6 })], { within: 200 });
    c.peerSends(text("ghi"));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 9 })], { within: 200 });
    expect(dec(c.appReads())).toBe("abcdefghi");
  });

  test("ESTABLISHED: an urgent pointer past the segment's data → the data still delivered inline", () => {
    const { b, c } = open("active");
    c.peerSends(text("xyz"), { flags: ACK | URG | PSH, urgent: 500 });
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 3 })], { within: 200 });
    expect(dec(c.appReads())).toBe("xyz");
  });
});

describe("ESTABLISHED: the receive window (RFC 9293 §3.8.6, §3.8.6.2.2 receiver SWS avoidance)", () => {
  test("ESTABLISHED: 100-byte segments read at once → the right edge holds still until it can move by min(MSS, RCV.BUFF/4) = 1024 (Fr = 1/4, docs/TCP.md \"Window updates\")", () => {
    const { b, c } = open("passive");
    let edge = seqAdd(c.rcvNxt, BOARD_WINDOW);
    const windows: number[] = [];
    for (let i = 0; i < 20; i++) {
      c.peerSends(pattern(100, 50 + i));
      // At ACK time 100 bytes are unread: the edge may move to RCV.NXT + 3996, but only by 1024 or more.
      const candidate = seqAdd(c.rcvNxt, BOARD_WINDOW - 100);
      if (((candidate - edge) | 0) >= 1024) edge = candidate;
      const [r] = expectReplies(b, [c.reply({ window: (edge - c.rcvNxt) | 0 })], { within: 200 });
      windows.push(r.seg.window);
      expect(c.appReads()).toEqual(pattern(100, 50 + i));
      // A window update after the read is allowed, but only when the edge moves by 1024 or more.
      for (const u of takeReplies(b)) {
        const newEdge = seqAdd(u.seg.ack, u.seg.window);
        expect([u.seg.flags, u.seg.ack, u.seg.payload.length]).toEqual([ACK, c.rcvNxt, 0]);
        expect((newEdge - edge) | 0).toBeGreaterThanOrEqual(1024);
        edge = newEdge;
      }
    }
    expect(windows.slice(0, 3)).toEqual([3996, 3896, 3796]);
    expect(Math.min(...windows)).toBeGreaterThanOrEqual(BOARD_WINDOW - 1200);
  });

  test("ESTABLISHED: tcp_status rcv_wnd is the window the board advertises (RCV.WND, RFC 9293 §3.3.1)", () => {
    const { b, c } = open("passive");
    c.peerSends(pattern(100, 1));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 100 })], { within: 200 });
    c.appReads();
    c.peerSends(pattern(100, 2));
    const [r] = expectReplies(b, [c.reply({ window: BOARD_WINDOW - 200 })], { within: 200 });
    expect(c.status().rcv_wnd).toBe(r.seg.window);
  });
});

describe("ESTABLISHED: acknowledgments (RFC 9293 §3.10.7.4 fifth step, RFC 5961 §5)", () => {
  test.each(KINDS)("ESTABLISHED (%s): tcp_send → one segment <SEQ=SND.NXT><ACK=RCV.NXT>; the peer's ACK empties the send queue", (kind) => {
    const { b, c } = open(kind);
    boardSends(c, text("response"));
    expect(c.status()).toMatchObject({ snd_una: seqAdd(c.sndNxt, -8), snd_nxt: c.sndNxt, send_queued: 8 });
    send(b, c.seg());
    expectNothing(b);
    expect(c.status()).toMatchObject({ snd_una: c.sndNxt, snd_nxt: c.sndNxt, send_queued: 0 });
  });

  test("ESTABLISHED: an ACK for data never sent (SEG.ACK > SND.NXT) → ACK in reply, the segment's data dropped", () => {
    const { b, c } = open("passive");
    send(b, c.seg({ ack: seqAdd(c.sndNxt, 10), payload: text("bogus") }));
    expectReplies(b, [c.reply()]);
    expect(b.stack.recv(c.handle)).toBeNull();
    expect(c.status().snd_una).toBe(c.sndNxt);
  });

  test("ESTABLISHED: a duplicate ACK below SND.UNA but within MAX.SND.WND → ignored, its data accepted", () => {
    const { b, c } = open("passive");
    boardSends(c, text("12345"));
    send(b, c.seg());
    send(b, c.seg({ ack: seqAdd(c.sndNxt, -3), payload: text("data") }));
    c.rcvNxt = seqAdd(c.rcvNxt, 4);
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 4 })], { within: 200 });
    expect(dec(c.appReads())).toBe("data");
    expect(c.status().snd_una).toBe(c.sndNxt);
  });

  test("ESTABLISHED: an ACK older than SND.UNA - MAX.SND.WND → ACK in reply, data dropped (RFC 5961 §5.2)", () => {
    const { b, c } = open("passive");
    send(b, c.seg({ ack: seqAdd(c.sndNxt, -200_000), payload: text("blind") }));
    expectReplies(b, [c.reply()]);
    expect(b.stack.recv(c.handle)).toBeNull();
  });

  test("ESTABLISHED: an ACK of part of the data → SND.UNA moves to it, the rest stays queued", () => {
    const { b, c } = open("active");
    boardSends(c, text("0123456789"));
    send(b, c.seg({ ack: seqAdd(c.sndNxt, -4) }));
    expectNothing(b);
    expect(c.status()).toMatchObject({ snd_una: seqAdd(c.sndNxt, -4), send_queued: 4 });
  });

  test("ESTABLISHED: unacknowledged data → retransmitted unchanged after the 1 s RTO, then after 2 s more (RFC 6298 §5; rto_min_ms 1000)", () => {
    const { b, c } = open("passive", { rto_min_ms: 1000 });
    const t0 = b.now;
    boardSends(c, text("are you there"));
    const again = c.reply({ seq: seqAdd(c.sndNxt, -13), payload: text("are you there") });
    advanceTo(b, t0 + 999);
    expectNothing(b);
    advanceTo(b, t0 + 1000);
    expectReplies(b, [again]);
    advanceTo(b, t0 + 2999);
    expectNothing(b);
    advanceTo(b, t0 + 3000);
    expectReplies(b, [again]);
    expect(b.stack.stats().tcp_retransmits).toBe(2);
    send(b, c.seg());
    expectNothing(b, { within: 10_000 });
  });
});

describe("ESTABLISHED: RST and SYN (RFC 5961 §3, §4; RFC 9293 §3.10.7.4)", () => {
  test.each([
    ["passive", RST],
    ["active", RST],
    ["passive", RST | ACK],
  ] as [Kind, number][])("ESTABLISHED (%s): RST (flags %i) at exactly RCV.NXT → reset: ECONNRESET, no reply", (kind, flags) => {
    const { b, c } = open(kind);
    const d = statsDelta(b, () => {
      send(b, c.seg({ flags }));
      expectNothing(b);
    });
    expect(d).toMatchObject({ tcp_rst_rx: 1, tcp_established_resets: 1 });
    expect(b.stack.pollConn(c.handle).error).toBe(true);
    expect(c.state()).toBe(State.CLOSED);
    expect(errnoOf(() => b.stack.recv(c.handle))).toBe("ECONNRESET");
    expect(errnoOf(() => b.stack.send(c.handle, text("x")))).toBe("ECONNRESET");
  });

  test.each([
    ["RCV.NXT + 1", 1],
    ["RCV.NXT + RCV.WND - 1", BOARD_WINDOW - 1],
  ])("ESTABLISHED: RST in the window but not at RCV.NXT (%s) → challenge ACK, connection kept", (_n, delta) => {
    const { b, c } = open("passive");
    const d = statsDelta(b, () => {
      send(b, c.seg({ seq: seqAdd(c.rcvNxt, delta), flags: RST }));
      expectReplies(b, [c.reply()]);
    });
    expect(d.tcp_challenge_acks).toBe(1);
    expect(c.state()).toBe(State.ESTABLISHED);
    c.peerSends(text("alive"));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 5 })], { within: 200 });
  });

  test.each([
    ["RCV.NXT - 1", -1],
    ["RCV.NXT + RCV.WND", BOARD_WINDOW],
    ["RCV.NXT + 2^31", 0x80000000],
  ])("ESTABLISHED: RST outside the window (%s) → dropped silently and counted, connection kept", (_n, delta) => {
    const { b, c } = open("passive");
    const d = statsDelta(b, () => {
      send(b, c.seg({ seq: seqAdd(c.rcvNxt, delta), flags: RST }));
      expectNothing(b);
    });
    expect(d.tcp_rst_ignored).toBe(1);
    expect(d.tcp_rst_rx ?? 0).toBe(0);
    expect(c.state()).toBe(State.ESTABLISHED);
  });

  test.each([
    ["at RCV.NXT", (c: Conn) => c.rcvNxt, SYN],
    ["in the window", (c: Conn) => seqAdd(c.rcvNxt, 100), SYN],
    ["with ACK (a SYN-ACK)", (c: Conn) => c.rcvNxt, SYN | ACK],
    ["at the peer's old ISS (a retransmitted SYN)", (c: Conn) => c.irs, SYN],
  ])("ESTABLISHED: SYN %s → challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>, connection kept (RFC 5961 §4.2)", (_n, seqOf, flags) => {
    const { b, c } = open("passive");
    send(b, c.seg({ seq: seqOf(c), flags, ack: flags & ACK ? c.sndNxt : 0, mss: 1460 }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.ESTABLISHED);
    boardSends(c, text("still up"));
  });

  test("ESTABLISHED: challenge ACKs are limited to challenge_ack_limit per second (RFC 5961 §7)", () => {
    const { b, c } = open("passive", { challenge_ack_limit: 3 });
    for (let i = 0; i < 10; i++) send(b, c.seg({ seq: seqAdd(c.rcvNxt, 10 + i), flags: RST }));
    expectReplies(b, [c.reply(), c.reply(), c.reply()]);
    advance(b, 1000);
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, 50), flags: RST }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.ESTABLISHED);
  });

  test("ESTABLISHED: with the default limit, 15 in-window SYNs in one second → exactly 10 challenge ACKs", () => {
    const { b, c } = open("active");
    expect(b.stack.getConfig("challenge_ack_limit")).toBe(10);
    const d = statsDelta(b, () => {
      for (let i = 0; i < 15; i++) send(b, c.seg({ seq: seqAdd(c.rcvNxt, i), flags: SYN, ack: 0 }));
      expectReplies(b, Array.from({ length: 10 }, () => c.reply()));
    });
    expect(d.tcp_challenge_acks).toBe(10);
    expect(c.state()).toBe(State.ESTABLISHED);
  });
});

describe("ESTABLISHED: FIN (RFC 9293 §3.10.7.4 eighth step)", () => {
  test.each(KINDS)("ESTABLISHED (%s): FIN → ACK <ACK=SEG.SEQ+1> (a FIN takes one sequence number), CLOSE-WAIT, end of stream", (kind) => {
    const { b, c } = open(kind);
    const fin = c.rcvNxt;
    c.peerFin();
    expectReplies(b, [c.reply({ ack: seqAdd(fin, 1) })], { within: 200 });
    expect(c.state()).toBe(State.CLOSE_WAIT);
    expect(b.stack.pollConn(c.handle)).toMatchObject({ peer_closed: true, readable: true, writable: true });
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
  });

  test("ESTABLISHED: data with FIN → ACK covers the data and the FIN; the data is read, then end of stream", () => {
    const { b, c } = open("passive");
    c.peerFin({ payload: text("last words"), flags: FIN | ACK | PSH });
    expect(c.rcvNxt).toBe(seqAdd(c.irs, 1 + 10 + 1));
    expectReplies(b, [c.reply()], { within: 200 });
    expect(dec(c.appReads())).toBe("last words");
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
  });

  test("ESTABLISHED: a FIN beyond a hole → not processed until the hole fills; then the data in order and CLOSE-WAIT", () => {
    const { b, c } = open("passive");
    const start = c.rcvNxt;
    send(b, c.seg({ seq: seqAdd(start, 4), flags: FIN | ACK, payload: text("tail") }));
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.ESTABLISHED);
    send(b, c.seg({ seq: start, payload: text("head") }));
    const got = takeReplies(b);
    advance(b, 200);
    got.push(...takeReplies(b));
    const ack = got[got.length - 1].seg.ack;
    // A receiver may keep the out-of-order FIN (ack covers it) or only its data (the peer retransmits the FIN).
    expect([seqAdd(start, 8), seqAdd(start, 9)]).toContain(ack);
    expect(dec(c.appReads())).toBe("headtail");
    if (ack === seqAdd(start, 8)) {
      expect(c.state()).toBe(State.ESTABLISHED);
      send(b, c.seg({ seq: seqAdd(start, 8), flags: FIN | ACK }));
      takeReplies(b);
    }
    expect(c.state()).toBe(State.CLOSE_WAIT);
  });
});

describe("ESTABLISHED: the MSS option and unknown options (RFC 9293 §3.7.1, §3.2)", () => {
  test("ESTABLISHED: peer MSS 536 → 1000 bytes go out as 536, then (Nagle, RFC 896) 464 once the first is acknowledged", () => {
    const { b, c } = activeEstablished({ peerMss: 536 });
    expect(c.status().snd_mss).toBe(536);
    const data = pattern(1000, 3);
    expect(c.appSends(data)).toBe(1000);
    expectReplies(b, [c.reply({ payload: data.subarray(0, 536) })]);
    c.sndNxt = seqAdd(c.sndNxt, 536);
    send(b, c.seg());
    expectReplies(b, [c.reply({ payload: data.subarray(536) })]);
  });

  test("ESTABLISHED: a SYN-ACK without MSS option → segments of at most 536 bytes (the default MSS)", () => {
    const { b, c } = activeEstablished({ peerMss: null });
    expect(c.status().snd_mss).toBe(DEFAULT_MSS);
    expect(c.appSends(pattern(1200, 4))).toBe(1200);
    const got = takeReplies(b);
    expect(got.length).toBeGreaterThanOrEqual(1);
    for (const r of got) expect(r.seg.payload.length).toBeLessThanOrEqual(DEFAULT_MSS);
    expect(got[0].seg.payload.length).toBe(DEFAULT_MSS);
  });

  test("ESTABLISHED: a passive SYN without MSS option → the board's segments are at most 536 bytes", () => {
    const { b, listener } = listening({ config: { syncookies: 0 } });
    const syn = synTo(b, { mss: undefined });
    send(b, syn);
    const [sa] = expectReplies(b, [synAckFor(syn)]);
    send(b, { ...syn, flags: ACK, seq: seqAdd(syn.seq, 1), ack: seqAdd(sa.seg.seq, 1) });
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h).snd_mss).toBe(DEFAULT_MSS);
    expect(b.stack.send(h, pattern(600, 5))).toBe(600);
    const [first] = takeReplies(b);
    expect(first.seg.payload.length).toBe(DEFAULT_MSS);
  });

  test("ESTABLISHED: peer MSS 1460 → 1400 bytes in one segment; 3000 bytes as 1460, 1460, then 80 after the ACK", () => {
    const { b, c } = activeEstablished();
    boardSends(c, pattern(1400, 6));
    send(b, c.seg());
    const big = pattern(3000, 7);
    expect(c.appSends(big.subarray(0, 1500))).toBe(1500);
    expect(c.appSends(big.subarray(1500))).toBe(1500);
    expectReplies(b, [c.reply({ payload: big.subarray(0, 1460) }), c.reply({ seq: seqAdd(c.sndNxt, 1460), payload: big.subarray(1460, 2920) })]);
    c.sndNxt = seqAdd(c.sndNxt, 2920);
    send(b, c.seg());
    expectReplies(b, [c.reply({ payload: big.subarray(2920) })]);
  });

  test("ESTABLISHED: a peer MSS larger than ours (9000) → segments capped at 1460", () => {
    const { b, c } = activeEstablished({ peerMss: 9000 });
    expect(c.status().snd_mss).toBe(BOARD_MSS);
    expect(c.appSends(pattern(1536, 8))).toBe(1536);
    const [first] = takeReplies(b);
    expect(first.seg.payload.length).toBe(BOARD_MSS);
  });

  test("LISTEN: SYN with NOP, NOP and an unknown 6-byte option before MSS 536 → SYN-ACK as usual, MSS 536 honoured", () => {
    const { b, listener } = listening({ config: { syncookies: 0 } });
    const syn = synTo(b, { mss: undefined, options: Uint8Array.of(1, 1, 254, 6, 0xde, 0xad, 0xbe, 0xef, 2, 4, 0x02, 0x18) });
    send(b, syn);
    const [sa] = expectReplies(b, [synAckFor(syn)]);
    send(b, { ...syn, flags: ACK, seq: seqAdd(syn.seq, 1), ack: seqAdd(sa.seg.seq, 1), options: undefined });
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h).snd_mss).toBe(536);
  });

  test("ESTABLISHED: a data segment with an unknown option (kind 99, length 4) → data accepted", () => {
    const { b, c } = open("passive");
    c.peerSends(text("opt"), { options: Uint8Array.of(99, 4, 1, 2) });
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 3 })], { within: 200 });
    expect(dec(c.appReads())).toBe("opt");
  });
});

describe("ESTABLISHED: the peer's window (RFC 9293 §3.8.6)", () => {
  test("ESTABLISHED: peer window 100 → at most 100 bytes in flight; more after the window opens", () => {
    const { b, c } = open("active");
    send(b, c.seg({ window: 100 }));
    expect(c.status().snd_wnd).toBe(100);
    const data = pattern(300, 10);
    expect(c.appSends(data)).toBe(300);
    expectReplies(b, [c.reply({ payload: data.subarray(0, 100) })]);
    c.sndNxt = seqAdd(c.sndNxt, 100);
    send(b, c.seg({ window: 1000 }));
    expectReplies(b, [c.reply({ payload: data.subarray(100) })]);
  });

  test("ESTABLISHED: peer window 0 → no data sent until the window opens", () => {
    const { b, c } = open("passive", { rto_min_ms: 1000 });
    send(b, c.seg({ window: 0 }));
    expect(c.appSends(text("wait for it"))).toBe(11);
    expectNothing(b, { within: 500 });
    send(b, c.seg({ window: 65535 }));
    const got = takeReplies(b);
    const data = got.filter((r) => r.seg.payload.length > 0);
    expect(data.length).toBeGreaterThanOrEqual(1);
    expect(dec(data[data.length - 1].seg.payload)).toMatch(/it$/);
  });
});
