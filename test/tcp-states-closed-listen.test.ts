/**
 * CLOSED and LISTEN, packet by packet (RFC 9293 §3.10.7.1 and §3.10.7.2).
 *
 * CLOSED: "all data in the incoming segment is discarded. An incoming
 * segment containing a RST is discarded. An incoming segment not containing
 * a RST causes a RST to be sent in response": <SEQ=SEG.ACK><CTL=RST> when
 * the segment had ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 *
 * LISTEN tests run with syncookies 0 so that plain RFC 9293 applies (the
 * RFC 4987 cookie path has its own file, test/tcp-cookies.test.ts).
 */
import { describe, expect, test } from "vitest";
import {
  ACK, BOARD_WINDOW, CLIENT_PORT, FIN, PEER_ISS, RST, SERVER_PORT, State, SYN,
  expectNothing, expectReplies, listening, synAckFor, newBoard, rstFor, send, statsDelta, synReceived, synTo, errnoOf,
  established,
} from "./helpers/tcp-harness.js";
import { EMPTY, type Segment, ipNumber, text } from "./helpers/tcp-packets.js";

const NO_COOKIES = { syncookies: 0 };

/** A segment from the peer to a port nobody listens on. */
function toClosedPort(over: Partial<Segment>): Segment {
  return {
    srcIp: "10.0.0.1", dstIp: "10.0.0.2", srcPort: CLIENT_PORT, dstPort: 81,
    seq: PEER_ISS, ack: 0, flags: 0, window: 65535, urgent: 0, payload: EMPTY, ...over,
  };
}

describe("CLOSED (RFC 9293 §3.10.7.1): a segment to no connection", () => {
  test.each([
    ["SYN", { flags: SYN }, { seq: 0, ack: 10001, flags: RST | ACK }],
    ["SYN with MSS option", { flags: SYN, mss: 1460 }, { seq: 0, ack: 10001, flags: RST | ACK }],
    ["SYN carrying 5 data bytes", { flags: SYN, payload: text("hello") }, { seq: 0, ack: 10006, flags: RST | ACK }],
    ["FIN without ACK", { flags: FIN }, { seq: 0, ack: 10001, flags: RST | ACK }],
    ["10 data bytes without ACK", { flags: 0, payload: text("0123456789") }, { seq: 0, ack: 10010, flags: RST | ACK }],
    ["SYN+FIN without ACK (both count)", { flags: SYN | FIN }, { seq: 0, ack: 10002, flags: RST | ACK }],
    ["ACK 5555", { flags: ACK, ack: 5555 }, { seq: 5555, flags: RST }],
    ["ACK carrying data", { flags: ACK, ack: 777, payload: text("data") }, { seq: 777, flags: RST }],
    ["FIN+ACK", { flags: FIN | ACK, ack: 4242 }, { seq: 4242, flags: RST }],
    ["SYN+ACK", { flags: SYN | ACK, ack: 31337 }, { seq: 31337, flags: RST }],
    ["ACK 0xFFFFFFFF", { flags: ACK, ack: 0xffffffff }, { seq: 0xffffffff, flags: RST }],
  ] as [string, Partial<Segment>, Partial<Segment>][])("CLOSED: %s → reset as §3.10.7.1 says", (_name, over, want) => {
    const b = newBoard();
    const seg = toClosedPort(over);
    const d = statsDelta(b, () => {
      send(b, seg);
      expectReplies(b, [{ ...rstFor(seg), ack: 0, ...want }]);
    });
    expect(d.tcp_rst_sent).toBe(1);
  });

  test("CLOSED: SYN at sequence 2^32-1 → RST+ACK whose ack wraps to 0", () => {
    const b = newBoard();
    const seg = toClosedPort({ flags: SYN, seq: 0xffffffff });
    send(b, seg);
    expectReplies(b, [{ ...rstFor(seg), seq: 0, ack: 0, flags: RST | ACK }]);
  });

  test.each([
    ["RST", RST],
    ["RST+ACK", RST | ACK],
    ["RST+SYN", RST | SYN],
  ])("CLOSED: %s → nothing (never a reset in reply to a reset)", (_n, flags) => {
    const b = newBoard();
    send(b, toClosedPort({ flags, ack: 99 }));
    expectNothing(b);
    expect(b.stack.stats().tcp_rst_sent).toBe(0);
  });

  test("CLOSED: a port next to a listening one → reset, the listener untouched", () => {
    const { b } = listening({ config: NO_COOKIES });
    const seg = toClosedPort({ flags: SYN, dstPort: SERVER_PORT + 1 });
    send(b, seg);
    expectReplies(b, [rstFor(seg)]);
    send(b, synTo(b));
    expectReplies(b, [synAckFor(synTo(b))]);
  });

  test("CLOSED: the reset comes from the port and address the segment was sent to", () => {
    const b = newBoard();
    const seg = toClosedPort({ flags: SYN, srcPort: 65535, dstPort: 1 });
    send(b, seg);
    const [r] = expectReplies(b, [rstFor(seg)]);
    expect([r.seg.srcPort, r.seg.dstPort, r.ip.src, r.ip.dst]).toEqual([1, 65535, "10.0.0.2", "10.0.0.1"]);
  });
});

describe("LISTEN (RFC 9293 §3.10.7.2)", () => {
  test("LISTEN: SYN → SYN-ACK <SEQ=ISS><ACK=SEG.SEQ+1> with MSS 1460 and the whole receive window", () => {
    const { b, c, synAck } = synReceived({ config: NO_COOKIES });
    expect(synAck.seg.ack).toBe(PEER_ISS + 1);
    expect(synAck.frameLength).toBe(14 + 20 + 24);
    expect(c.iss).toBe(synAck.seg.seq);
    expect(b.stack.stats()).toMatchObject({ syn_rx: 1, synack_sent: 1 });
  });

  test("LISTEN: SYN → the half-open connection shows in tcp_list as SYN-RECEIVED with its 4-tuple", () => {
    const { b, listener } = synReceived({ config: NO_COOKIES });
    const list = b.stack.list();
    const half = list.filter((e) => e.handle !== listener);
    expect(half).toEqual([{
      handle: expect.any(Number), state: State.SYN_RECEIVED,
      localIp: ipNumber("10.0.0.2"), localPort: SERVER_PORT, remoteIp: ipNumber("10.0.0.1"), remotePort: CLIENT_PORT,
    }]);
  });

  test("LISTEN: RST → ignored, nothing sent, still listening", () => {
    const { b } = listening({ config: NO_COOKIES });
    send(b, synTo(b, { flags: RST }));
    send(b, synTo(b, { flags: RST | ACK, ack: 1 }));
    expectNothing(b);
    send(b, synTo(b));
    expectReplies(b, [synAckFor(synTo(b))]);
  });

  test.each([
    ["ACK", ACK],
    ["SYN+ACK", SYN | ACK],
    ["FIN+ACK", FIN | ACK],
    ["ACK with data", ACK],
  ])("LISTEN: %s → <SEQ=SEG.ACK><CTL=RST>", (name, flags) => {
    const { b } = listening({ config: NO_COOKIES });
    const seg = synTo(b, { flags, ack: 123456, mss: undefined, payload: name.includes("data") ? text("x") : EMPTY });
    send(b, seg);
    expectReplies(b, [{ ...rstFor(seg), seq: 123456, flags: RST }]);
  });

  test.each([
    ["FIN alone", FIN, EMPTY],
    ["data without ACK", 0, text("payload")],
    ["no flags at all", 0, EMPTY],
  ])("LISTEN: %s → dropped, nothing sent", (_n, flags, payload) => {
    const { b, listener } = listening({ config: NO_COOKIES });
    send(b, synTo(b, { flags, payload, mss: undefined }));
    expectNothing(b);
    expect(b.stack.accept(listener)).toBeNull();
  });

  test("LISTEN: two SYNs from different client ports → two SYN-ACKs with different ISS", () => {
    const { b } = listening({ config: NO_COOKIES });
    const expected = (port: number) => synAckFor(synTo(b, { srcPort: port }));
    send(b, synTo(b, { srcPort: 40001 }));
    send(b, synTo(b, { srcPort: 40002 }));
    const [r1, r2] = expectReplies(b, [expected(40001), expected(40002)]);
    expect(r1.seg.seq).not.toBe(r2.seg.seq);
  });

  test("LISTEN: tcp_state of a listener → 1 (LISTEN), and tcp_list shows it with remote 0.0.0.0:0", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    expect(b.stack.state(listener)).toBe(State.LISTEN);
    const entries = b.stack.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ handle: listener, state: State.LISTEN, localPort: SERVER_PORT, remoteIp: 0, remotePort: 0 });
    expect([0, ipNumber("10.0.0.2")]).toContain(entries[0].localIp);
  });

  test("LISTEN: tcp_accept before any handshake → EAGAIN, and the listener is not readable", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    expect(b.stack.accept(listener)).toBeNull();
    expect(b.stack.pollConn(listener).readable).toBe(false);
  });

  test("LISTEN: a completed handshake makes the listener readable and tcp_accept returns an ESTABLISHED connection", () => {
    const { b, listener, c } = synReceived({ config: NO_COOKIES });
    send(b, c.seg());
    expectNothing(b);
    expect(b.stack.pollConn(listener).readable).toBe(true);
    const h = b.stack.accept(listener)!;
    expect(h).toBeGreaterThan(0);
    expect(b.stack.state(h)).toBe(State.ESTABLISHED);
    expect(b.stack.accept(listener)).toBeNull();
  });

  test("LISTEN: a second tcp_listen on the same port → EADDRINUSE", () => {
    const { b } = listening({ config: NO_COOKIES });
    expect(errnoOf(() => b.stack.listen(SERVER_PORT, 4))).toBe("EADDRINUSE");
  });

  test("LISTEN: tcp_listen on port 0 → EINVAL", () => {
    const b = newBoard();
    expect(errnoOf(() => b.stack.listen(0, 4))).toBe("EINVAL");
  });

  test("LISTEN: tcp_abort on a listener → a later SYN to its port is reset", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    b.stack.abort(listener);
    expectNothing(b);
    const seg = synTo(b);
    send(b, seg);
    expectReplies(b, [rstFor(seg)]);
    expect(errnoOf(() => b.stack.state(listener))).toBe("EINVAL");
  });

  test("LISTEN: closing the listener leaves its accepted connection working", () => {
    const { b, listener, c } = established({ config: NO_COOKIES });
    b.stack.abort(listener);
    expectNothing(b);
    c.peerSends(text("still here"));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 10 })], { within: 200 });
    expect(new TextDecoder().decode(c.appReads())).toBe("still here");
  });

  test("LISTEN: SYN to the listening port from a new peer port after a connection exists → a second SYN-ACK", () => {
    const { b } = established({ config: NO_COOKIES });
    const seg = synTo(b, { srcPort: CLIENT_PORT + 1, seq: 5000 });
    send(b, seg);
    expectReplies(b, [synAckFor(seg)]);
  });
});
