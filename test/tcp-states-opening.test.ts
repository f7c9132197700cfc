/**
 * SYN-SENT and SYN-RECEIVED, packet by packet (RFC 9293 §3.10.7.3 and the
 * SYN-RECEIVED rows of §3.10.7.4), simultaneous open (RFC 9293 §3.5
 * figure 7) and the RFC 6298 SYN retransmission timer.
 *
 * Passive SYN-RECEIVED tests run with syncookies 0 so that RFC 9293 alone
 * decides (the RFC 4987 cookie path is in test/tcp-cookies.test.ts).
 */
import { describe, expect, test } from "vitest";
import {
  ACK, BOARD_MSS, BOARD_WINDOW, CLIENT_PORT, FIN, PEER_ISS, RST, State, SYN,
  activeEstablished, advance, advanceTo, errnoOf, expectNothing, expectReplies, rstFor, send, synAckFor,
  synReceived, synSent, synTo, takeReplies, windowOneOf,
} from "./helpers/tcp-harness.js";
import { EMPTY, seqAdd, text } from "./helpers/tcp-packets.js";

const NO_COOKIES = { syncookies: 0 };

describe("SYN-SENT (RFC 9293 §3.10.7.3)", () => {
  test("SYN-SENT: tcp_connect → SYN from an ephemeral port with MSS 1460, state 2", () => {
    const { b, c, syn } = synSent();
    expect(c.boardPort).toBeGreaterThanOrEqual(49152);
    expect(c.boardPort).toBeLessThanOrEqual(65535);
    expect(syn.frameLength).toBe(14 + 20 + 24);
    expect(c.state()).toBe(State.SYN_SENT);
    expect(c.status()).toMatchObject({ state: State.SYN_SENT, iss: c.iss, snd_una: c.iss, snd_nxt: seqAdd(c.iss, 1) });
    expect(b.stack.stats().tcp_active_opens).toBe(1);
  });

  test("SYN-SENT: acceptable SYN-ACK → ACK <SEQ=ISS+1><ACK=IRS+1>, ESTABLISHED", () => {
    const { b, c } = activeEstablished();
    expect(c.state()).toBe(State.ESTABLISHED);
    expect(c.status()).toMatchObject({
      iss: c.iss, irs: c.irs, snd_una: seqAdd(c.iss, 1), snd_nxt: seqAdd(c.iss, 1), rcv_nxt: seqAdd(c.irs, 1), snd_wnd: 65535,
    });
    const p = b.stack.pollConn(c.handle);
    expect(p).toMatchObject({ established: true, writable: true, readable: false, error: false });
  });

  test.each([
    ["SEG.ACK = ISS", 0],
    ["SEG.ACK = ISS + 2", 2],
    ["SEG.ACK = ISS - 1", -1],
    ["SEG.ACK = ISS + 2^31", 0x80000000],
  ])("SYN-SENT: SYN-ACK with %s (unacceptable) → <SEQ=SEG.ACK><CTL=RST>, still SYN-SENT", (_n, delta) => {
    const { b, c } = synSent();
    const seg = c.seg({ seq: c.irs, ack: seqAdd(c.iss, delta), flags: SYN | ACK, mss: 1460 });
    send(b, seg);
    expectReplies(b, [{ ...rstFor(seg), flags: RST }]);
    expect(c.state()).toBe(State.SYN_SENT);
  });

  test("SYN-SENT: ACK without SYN and with a bad ack → <SEQ=SEG.ACK><CTL=RST>", () => {
    const { b, c } = synSent();
    const seg = c.seg({ seq: c.irs, ack: seqAdd(c.iss, 100) });
    send(b, seg);
    expectReplies(b, [{ ...rstFor(seg), flags: RST }]);
    expect(c.state()).toBe(State.SYN_SENT);
  });

  test("SYN-SENT: acceptable ACK without SYN → dropped, nothing sent, still SYN-SENT", () => {
    const { b, c } = synSent();
    send(b, c.seg({ seq: c.irs }));
    expectNothing(b);
    expect(c.state()).toBe(State.SYN_SENT);
  });

  test.each([
    ["RST+ACK", RST | ACK],
    ["RST+ACK+SYN", RST | ACK | SYN],
  ])("SYN-SENT: %s acknowledging our SYN → connection refused (ECONNREFUSED), no reply", (_n, flags) => {
    const { b, c } = synSent();
    send(b, c.seg({ seq: 0, ack: c.sndNxt, flags }));
    expectNothing(b);
    expect(c.state()).toBe(State.CLOSED);
    expect(b.stack.pollConn(c.handle).error).toBe(true);
    expect(errnoOf(() => b.stack.recv(c.handle))).toBe("ECONNREFUSED");
    expect(errnoOf(() => b.stack.send(c.handle, text("x")))).toBe("ECONNREFUSED");
  });

  test("SYN-SENT: RST+ACK with an unacceptable ack → dropped, still SYN-SENT", () => {
    const { b, c } = synSent();
    send(b, c.seg({ seq: 0, ack: seqAdd(c.iss, 5), flags: RST | ACK }));
    expectNothing(b);
    expect(c.state()).toBe(State.SYN_SENT);
  });

  test("SYN-SENT: RST without ACK → dropped, still SYN-SENT (RFC 5961 §3: no blind reset)", () => {
    const { b, c } = synSent();
    send(b, c.seg({ seq: c.irs, ack: 0, flags: RST }));
    expectNothing(b);
    expect(c.state()).toBe(State.SYN_SENT);
  });

  test.each([
    ["FIN without ACK", FIN, EMPTY],
    ["data without ACK", 0, text("early")],
  ])("SYN-SENT: %s → dropped, nothing sent, still SYN-SENT", (_n, flags, payload) => {
    const { b, c } = synSent();
    send(b, c.seg({ seq: c.irs, ack: 0, flags, payload }));
    expectNothing(b);
    expect(c.state()).toBe(State.SYN_SENT);
  });

  test("SYN-SENT: no answer → the same SYN again after 1 s, then after 2 s more (RFC 6298 §2.1, §5.5)", () => {
    const { b, c } = synSent();
    const t0 = b.now;
    const again = { ...c.reply({ seq: c.iss, flags: SYN, ack: 0, mss: BOARD_MSS }) };
    advanceTo(b, t0 + 999);
    expectNothing(b);
    advanceTo(b, t0 + 1000);
    const [r1] = expectReplies(b, [again]);
    expect(r1.at).toBe(t0 + 1000);
    advanceTo(b, t0 + 2999);
    expectNothing(b);
    advanceTo(b, t0 + 3000);
    const [r2] = expectReplies(b, [again]);
    expect(r2.at).toBe(t0 + 3000);
    expect(b.stack.stats().tcp_retransmits).toBe(2);
  });

  test("SYN-SENT: no answer at all → ETIMEDOUT after tcp_max_retries, and no SYN after that", () => {
    const { b, c } = synSent({ config: { tcp_max_retries: 3 } });
    advance(b, 60_000);
    const syns = takeReplies(b);
    expect(syns.length).toBeGreaterThanOrEqual(2);
    expect(syns.length).toBeLessThanOrEqual(3);
    expect(syns.every((r) => r.seg.flags === SYN && r.seg.seq === c.iss)).toBe(true);
    expect(errnoOf(() => b.stack.recv(c.handle))).toBe("ETIMEDOUT");
    expect(b.stack.stats().tcp_timeouts).toBe(1);
    advance(b, 60_000);
    expectNothing(b);
  });

  test("SYN-SENT: tcp_send before the handshake → ENOTCONN", () => {
    const { b, c } = synSent();
    expect(errnoOf(() => b.stack.send(c.handle, text("too early")))).toBe("ENOTCONN");
  });

  test("SYN-SENT: tcp_abort → no RST (not synchronized), the handle becomes stale", () => {
    const { b, c } = synSent();
    b.stack.abort(c.handle);
    expectNothing(b);
    expect(errnoOf(() => b.stack.state(c.handle))).toBe("EINVAL");
    expect(b.stack.list()).toEqual([]);
  });

  test("SYN-SENT: tcp_close → the TCB goes, a late SYN-ACK is answered with a reset", () => {
    const { b, c } = synSent();
    b.stack.close(c.handle);
    expectNothing(b);
    const late = c.seg({ seq: c.irs, ack: c.sndNxt, flags: SYN | ACK, mss: 1460 });
    send(b, late);
    expectReplies(b, [{ ...rstFor(late), flags: RST }]);
  });
});

describe("simultaneous open (RFC 9293 §3.5, figure 7)", () => {
  test("SYN-SENT: SYN without ACK → SYN-ACK <SEQ=ISS><ACK=SEG.SEQ+1> with MSS, state SYN-RECEIVED", () => {
    const { b, c } = synSent();
    send(b, c.seg({ seq: c.irs, ack: 0, flags: SYN, mss: 1460 }));
    expectReplies(b, [c.reply({ seq: c.iss, flags: SYN | ACK, mss: BOARD_MSS })]);
    expect(c.state()).toBe(State.SYN_RECEIVED);
  });

  test("SYN-RECEIVED (active): ACK of our SYN → ESTABLISHED, nothing sent", () => {
    const { b, c } = synSent();
    send(b, c.seg({ seq: c.irs, ack: 0, flags: SYN, mss: 1460 }));
    takeReplies(b);
    send(b, c.seg());
    expectNothing(b);
    expect(c.state()).toBe(State.ESTABLISHED);
    expect(c.status()).toMatchObject({ snd_una: c.sndNxt, snd_nxt: c.sndNxt, rcv_nxt: c.rcvNxt });
  });

  test("SYN-RECEIVED (active): RST with the exact sequence number → connection refused (§3.10.7.4)", () => {
    const { b, c } = synSent();
    send(b, c.seg({ seq: c.irs, ack: 0, flags: SYN, mss: 1460 }));
    takeReplies(b);
    send(b, c.seg({ flags: RST, ack: 0 }));
    expectNothing(b);
    expect(c.state()).toBe(State.CLOSED);
    expect(errnoOf(() => b.stack.recv(c.handle))).toBe("ECONNREFUSED");
  });
});

describe("SYN-RECEIVED, passive (RFC 9293 §3.10.7.4)", () => {
  test("SYN-RECEIVED: ACK of our SYN → ESTABLISHED, nothing sent, the accepted connection's STATUS matches the wire", () => {
    const { b, listener, c } = synReceived({ config: NO_COOKIES });
    send(b, c.seg());
    expectNothing(b);
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h)).toMatchObject({
      state: State.ESTABLISHED, local_port: 80, remote_port: CLIENT_PORT, iss: c.iss, irs: PEER_ISS,
      snd_una: seqAdd(c.iss, 1), snd_nxt: seqAdd(c.iss, 1), rcv_nxt: PEER_ISS + 1, rcv_wnd: BOARD_WINDOW, snd_wnd: 65535,
      snd_mss: BOARD_MSS, send_queued: 0, recv_queued: 0,
    });
    expect(b.stack.stats().tcp_passive_opens).toBe(1);
  });

  test("SYN-RECEIVED: ACK carrying data → ESTABLISHED, the data readable after accept and acknowledged", () => {
    const { b, listener, c } = synReceived({ config: NO_COOKIES });
    c.peerSends(text("GET / HTTP/1.0\r\n\r\n"));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 18 })], { within: 200 });
    const h = b.stack.accept(listener)!;
    expect(new TextDecoder().decode(b.stack.recv(h)!)).toBe("GET / HTTP/1.0\r\n\r\n");
  });

  test.each([
    ["SEG.ACK = ISS", 0],
    ["SEG.ACK = ISS + 2", 2],
    ["SEG.ACK = ISS + 1000", 1000],
  ])("SYN-RECEIVED: ACK with %s (unacceptable) → <SEQ=SEG.ACK><CTL=RST>, no connection to accept", (_n, delta) => {
    const { b, listener, c } = synReceived({ config: NO_COOKIES });
    const seg = c.seg({ ack: seqAdd(c.iss, delta) });
    send(b, seg);
    expectReplies(b, [{ ...rstFor(seg), flags: RST }]);
    expect(b.stack.accept(listener)).toBeNull();
  });

  test("SYN-RECEIVED: RST with the exact sequence number → entry removed, back to LISTEN (a later ACK is reset)", () => {
    const { b, listener, c } = synReceived({ config: NO_COOKIES });
    send(b, c.seg({ flags: RST, ack: 0 }));
    expectNothing(b);
    expect(b.stack.list().filter((e) => e.handle !== listener)).toEqual([]);
    const ack = c.seg();
    send(b, ack);
    expectReplies(b, [{ ...rstFor(ack), flags: RST }]);
    expect(b.stack.accept(listener)).toBeNull();
    expect(b.stack.state(listener)).toBe(State.LISTEN);
    send(b, synTo(b, { srcPort: CLIENT_PORT + 7 }));
    expectReplies(b, [synAckFor(synTo(b, { srcPort: CLIENT_PORT + 7 }))]);
  });

  test("SYN-RECEIVED: RST outside the window → ignored, the handshake still completes", () => {
    const { b, listener, c } = synReceived({ config: NO_COOKIES });
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, 100_000), flags: RST, ack: 0 }));
    expectNothing(b);
    send(b, c.seg());
    expectNothing(b);
    expect(b.stack.accept(listener)).not.toBeNull();
  });

  test("SYN-RECEIVED: FIN with the ACK of our SYN → CLOSE-WAIT, FIN acknowledged (ack IRS+2)", () => {
    const { b, listener, c } = synReceived({ config: NO_COOKIES });
    send(b, c.seg({ flags: FIN | ACK }));
    c.rcvNxt = seqAdd(c.rcvNxt, 1);
    expectReplies(b, [c.reply({ ack: PEER_ISS + 2, window: windowOneOf(BOARD_WINDOW - 1, BOARD_WINDOW) })], { within: 200 });
    const h = b.stack.accept(listener)!;
    expect(b.stack.state(h)).toBe(State.CLOSE_WAIT);
    expect(b.stack.recv(h)).toEqual(new Uint8Array(0));
    expect(b.stack.pollConn(h).peer_closed).toBe(true);
  });

  test("SYN-RECEIVED: data beyond the window → <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>, nothing accepted", () => {
    const { b, listener, c } = synReceived({ config: NO_COOKIES });
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, 100_000), payload: text("far away") }));
    expectReplies(b, [c.reply()]);
    expect(b.stack.accept(listener)).toBeNull();
  });
});
