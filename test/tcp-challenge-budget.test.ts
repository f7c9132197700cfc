/**
 * RFC 5961 §7: challenge ACKs are rate-limited for the whole stack, not per
 * kind of connection. Connections with a TCB (ESTABLISHED) and half-open
 * entries of the SYN queue (SYN-RECEIVED) draw from one budget of
 * challenge_ack_limit per second (docs/TCP.md), so a peer that spreads
 * in-window RSTs over both still gets at most that many answers.
 */
import { describe, expect, test } from "vitest";
import {
  ACK, PEER_ISS, RST, type Board, type Conn, type Reply,
  advance, established, expectNothing, expectReplies, halfOpen, send, statsDelta, synAckFor, synFrom, synTo,
} from "./helpers/tcp-harness.js";
import { type Segment, seqAdd } from "./helpers/tcp-packets.js";

const LIMIT = 4;
const HALF_OPEN_PORT = 41000;

/** An established connection and, on the same listener, one half-open entry from another port (its SYN-ACK not due again within the test). */
function both(): { b: Board; c: Conn; sa: Reply } {
  const { b, c } = established({ config: { syncookies: 0, challenge_ack_limit: LIMIT, synack_rto_ms: 3000 } });
  const sa = synFrom(b, HALF_OPEN_PORT);
  return { b, c, sa };
}

/** An in-window RST not at RCV.NXT for the TCB (RFC 5961 §3.2: challenge ACK, connection kept). */
const rstToTcb = (c: Conn, i: number): Segment => c.seg({ seq: seqAdd(c.rcvNxt, 10 + i), flags: RST });

/** An in-window RST not at IRS+1 for the half-open entry. */
const rstToEntry = (b: Board, i: number): Segment =>
  ({ ...synTo(b, { srcPort: HALF_OPEN_PORT }), mss: undefined, flags: RST, seq: PEER_ISS + 1 + 100 + i });

/** The entry's challenge ACK: <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>. */
const entryAck = (b: Board, sa: Reply): Segment =>
  ({ ...synAckFor(synTo(b, { srcPort: HALF_OPEN_PORT })), seq: seqAdd(sa.seg.seq, 1), flags: ACK, mss: undefined });

describe("one challenge-ACK budget for TCBs and half-open entries (RFC 5961 §7)", () => {
  test(`TCB first: ${LIMIT} challenges for the TCB spend the second; RSTs to the half-open entry then draw nothing`, () => {
    const { b, c } = both();
    const d = statsDelta(b, () => {
      for (let i = 0; i < LIMIT; i++) send(b, rstToTcb(c, i));
      expectReplies(b, Array.from({ length: LIMIT }, () => c.reply()));
      for (let i = 0; i < LIMIT; i++) send(b, rstToEntry(b, i));
      expectNothing(b);
    });
    expect(d.tcp_challenge_acks).toBe(LIMIT);
    expect(halfOpen(b)).toHaveLength(1);
  });

  test(`half-open entry first: ${LIMIT} challenges for the entry spend the second; RSTs to the TCB then draw nothing`, () => {
    const { b, c, sa } = both();
    const d = statsDelta(b, () => {
      for (let i = 0; i < LIMIT; i++) send(b, rstToEntry(b, i));
      expectReplies(b, Array.from({ length: LIMIT }, () => entryAck(b, sa)));
      for (let i = 0; i < LIMIT; i++) send(b, rstToTcb(c, i));
      expectNothing(b);
    });
    expect(d.tcp_challenge_acks).toBe(LIMIT);
  });

  test(`interleaved: 10 RSTs to each in one second → exactly ${LIMIT} challenge ACKs in all; a second later the budget is back`, () => {
    const { b, c, sa } = both();
    const d = statsDelta(b, () => {
      for (let i = 0; i < 10; i++) {
        send(b, rstToTcb(c, i));
        send(b, rstToEntry(b, i));
      }
      // The first LIMIT RSTs alternate TCB, entry, TCB, entry…
      expectReplies(b, Array.from({ length: LIMIT }, (_, i) => (i % 2 === 0 ? c.reply() : entryAck(b, sa))));
    });
    expect(d.tcp_challenge_acks).toBe(LIMIT);
    advance(b, 1000);
    send(b, rstToEntry(b, 50));
    send(b, rstToTcb(c, 50));
    expectReplies(b, [entryAck(b, sa), c.reply()]);
  });
});
