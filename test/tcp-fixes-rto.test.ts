/**
 * The RTO around the handshake (RFC 6298), through tcp_status rto_ms and
 * srtt_ms and the retransmission times on the wire:
 *   - §2.2 / §3 (Karn): the first RTT sample comes from the handshake when
 *     the SYN (active open) or SYN-ACK (passive open) went out only once;
 *   - §5.7: if it was retransmitted on timeout, the RTO is 3 s once the
 *     connection is established, until data gives a sample;
 *   - a SYN-ACK sent again for a duplicate SYN is not a timeout (RTO stays
 *     1 s) but its ACK is ambiguous (no sample).
 */
import { describe, expect, test } from "vitest";
import {
  ACK, BOARD_MSS, SYN, State, type Board, type Conn, advance, expectNothing, expectReplies, send, synAckFor,
  synReceived, synSent, synTo,
} from "./helpers/tcp-harness.js";
import { seqAdd, text } from "./helpers/tcp-packets.js";

/** The peer's SYN-ACK to the board's SYN. */
function synAck(c: Conn) {
  return c.seg({ seq: c.irs, ack: c.sndNxt, flags: SYN | ACK, mss: BOARD_MSS });
}

/** Data goes out; it is retransmitted exactly `rtoMs` later (the peer never ACKs it). */
function expectRetransmitAfter(b: Board, c: Conn, rtoMs: number): void {
  const data = text("ping");
  expect(c.appSends(data)).toBe(data.length);
  expectReplies(b, [c.reply({ payload: data })]);
  advance(b, rtoMs - 1);
  expectNothing(b);
  advance(b, 1);
  expectReplies(b, [c.reply({ payload: data })]);
}

describe("active open: RTT sample and RTO from the handshake (RFC 6298)", () => {
  test("SYN-SENT: SYN-ACK 40 ms after the only SYN → srtt_ms 40, rto_ms = 40 + 4·20 = 120 (rto_min_ms 10)", () => {
    const { b, c } = synSent({ config: { rto_min_ms: 10 } });
    advance(b, 40);
    send(b, synAck(c));
    expectReplies(b, [c.reply()]);
    expect(c.status()).toMatchObject({ state: State.ESTABLISHED, srtt_ms: 40, rto_ms: 120 });
    expectRetransmitAfter(b, c, 120);
  });

  test("SYN-SENT: SYN-ACK 40 ms after the only SYN, default rto_min_ms → srtt_ms 40, rto_ms floored at 200 (docs/TCP.md \"Minimum RTO\")", () => {
    const { b, c } = synSent();
    advance(b, 40);
    send(b, synAck(c));
    expectReplies(b, [c.reply()]);
    expect(c.status()).toMatchObject({ srtt_ms: 40, rto_ms: 200 });
  });

  test("SYN-SENT: the SYN retransmitted at 1 s, SYN-ACK 40 ms later → no sample (Karn), rto_ms 3000 (§5.7); data retransmitted after 3 s, then 6 s", () => {
    const { b, c, syn } = synSent({ config: { rto_min_ms: 10 } });
    advance(b, 999);
    expectNothing(b);
    advance(b, 1);
    expectReplies(b, [syn.seg]);
    expect(c.status().rto_ms).toBe(2000);
    advance(b, 40);
    send(b, synAck(c));
    expectReplies(b, [c.reply()]);
    expect(c.status()).toMatchObject({ state: State.ESTABLISHED, srtt_ms: 0, rto_ms: 3000 });
    expectRetransmitAfter(b, c, 3000);
    advance(b, 5999);
    expectNothing(b);
    advance(b, 1);
    expect(expectReplies(b, [c.reply({ payload: text("ping") })])).toHaveLength(1);
  });

  test("SYN-SENT: the SYN retransmitted, then data gives a sample → the RTO comes from SRTT again", () => {
    const { b, c, syn } = synSent({ config: { rto_min_ms: 10 } });
    advance(b, 1000);
    expectReplies(b, [syn.seg]);
    send(b, synAck(c));
    expectReplies(b, [c.reply()]);
    expect(c.status().rto_ms).toBe(3000);
    expect(c.appSends(text("abc"))).toBe(3);
    expectReplies(b, [c.reply({ payload: text("abc") })]);
    c.sndNxt = seqAdd(c.sndNxt, 3);
    advance(b, 30);
    send(b, c.seg());
    expect(c.status()).toMatchObject({ srtt_ms: 30, rto_ms: 90 });
  });
});

describe("passive open: RTT sample and RTO from the handshake (RFC 6298)", () => {
  function accept(b: Board, c: Conn, listener: number): void {
    send(b, c.seg());
    expectNothing(b);
    const h = b.stack.accept(listener);
    expect(h).not.toBeNull();
    c.handle = h!;
  }

  test("SYN-RECEIVED: the ACK 30 ms after the only SYN-ACK → srtt_ms 30, rto_ms 90 (rto_min_ms 10)", () => {
    const { b, c, listener } = synReceived({ config: { syncookies: 0, rto_min_ms: 10 } });
    advance(b, 30);
    accept(b, c, listener);
    expect(c.status()).toMatchObject({ state: State.ESTABLISHED, srtt_ms: 30, rto_ms: 90 });
    expectRetransmitAfter(b, c, 90);
  });

  test("SYN-RECEIVED: the SYN-ACK retransmitted at 1 s, then the ACK → no sample, rto_ms 3000 (§5.7); data retransmitted after 3 s", () => {
    const { b, c, listener } = synReceived({ config: { syncookies: 0, rto_min_ms: 10 } });
    advance(b, 1000);
    expectReplies(b, [synAckFor(synTo(b), { seq: c.iss })]);
    advance(b, 30);
    accept(b, c, listener);
    expect(c.status()).toMatchObject({ state: State.ESTABLISHED, srtt_ms: 0, rto_ms: 3000 });
    expectRetransmitAfter(b, c, 3000);
  });

  test("SYN-RECEIVED: a duplicate SYN draws the SYN-ACK again → the ACK is ambiguous (no sample) but no timeout (rto_ms 1000)", () => {
    const { b, c, listener } = synReceived({ config: { syncookies: 0, rto_min_ms: 10 } });
    advance(b, 200);
    send(b, synTo(b));
    expectReplies(b, [synAckFor(synTo(b), { seq: c.iss })]);
    advance(b, 30);
    accept(b, c, listener);
    expect(c.status()).toMatchObject({ state: State.ESTABLISHED, srtt_ms: 0, rto_ms: 1000 });
    expectRetransmitAfter(b, c, 1000);
  });

  test("a connection made by a SYN cookie → no sample, rto_ms 1000", () => {
    const { b, c, listener } = synReceived({ config: { syncookies: 2, rto_min_ms: 10 } });
    advance(b, 30);
    accept(b, c, listener);
    expect(c.status()).toMatchObject({ state: State.ESTABLISHED, srtt_ms: 0, rto_ms: 1000 });
  });
});
