/**
 * Overload without false hope (docs/TCP.md "Overload"): a SYN that finds
 * its listener's accept queue at the backlog, or every TCB carrying a live
 * connection, is dropped unanswered and counted in listen_overflows, the
 * way Linux counts ListenOverflows. No half-open entry and no cookie is
 * made, so no handshake completes that no TCB could hold; the client's SYN
 * retransmission (RFC 9293 §3.8.1, RFC 6298 §5) tries again later. A SYN
 * flood takes neither the accept queue nor TCBs, so this never turns away
 * a legitimate client while TCBs are free.
 */
import { describe, expect, test } from "vitest";
import {
  ACK, CLIENT_PORT, PEER_IP, State, TCB_COUNT, ackSeg, expectNothing, expectReplies, finWait2, halfOpen,
  listening, send, statsDelta, synFrom, synTo, takeReplies,
} from "./helpers/tcp-harness.js";

describe("overload: a SYN no TCB could hold is dropped unanswered and counted in listen_overflows", () => {
  test.each([0, 1, 2])("syncookies %i: the accept queue at its backlog → no SYN-ACK, no entry, no cookie; after tcp_accept the retransmitted SYN completes", (mode) => {
    const { b, listener } = listening({ config: { syncookies: mode }, backlog: 1 });
    const first = synFrom(b, 45001);
    send(b, ackSeg(b, 45001, first));
    expectNothing(b);
    const d = statsDelta(b, () => send(b, synTo(b, { srcPort: 45002 })));
    expectNothing(b);
    expect(d).toMatchObject({ syn_rx: 1, listen_overflows: 1 });
    expect(d.synack_sent).toBeUndefined();
    expect(d.cookies_sent).toBeUndefined();
    expect(halfOpen(b)).toEqual([]);
    // The application makes room; the client's retransmitted SYN is answered.
    expect(b.stack.accept(listener)).not.toBeNull();
    const again = synFrom(b, 45002);
    send(b, ackSeg(b, 45002, again));
    expectNothing(b);
    expect(b.stack.status(b.stack.accept(listener)!)).toMatchObject({ state: State.ESTABLISHED, remote_port: 45002 });
    expect(b.stack.stats().listen_overflows).toBe(1);
  });

  test.each([0, 1, 2])("syncookies %i: every TCB carries a live connection → SYN dropped and counted, no live connection touched; once one is freed the retransmitted SYN is answered", (mode) => {
    const { b } = listening({ config: { syncookies: mode }, backlog: 16 });
    const live = Array.from({ length: TCB_COUNT }, (_, i) => b.stack.connect(PEER_IP, 1000 + i));
    takeReplies(b);
    const d = statsDelta(b, () => send(b, synTo(b)));
    expectNothing(b);
    expect(d).toMatchObject({ syn_rx: 1, listen_overflows: 1 });
    expect(d.synack_sent).toBeUndefined();
    expect(halfOpen(b)).toEqual([]);
    for (const h of live) expect(b.stack.state(h)).toBe(State.SYN_SENT);
    b.stack.abort(live[0]);
    takeReplies(b);
    synFrom(b, CLIENT_PORT);
  });

  test("a TIME-WAIT TCB counts as room: with the other TCBs live, a SYN is answered and the handshake recycles it", () => {
    const { b, listener, c } = finWait2({ config: { syncookies: 0 }, backlog: 16 });
    c.peerFin();
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.TIME_WAIT);
    for (let i = 1; i < TCB_COUNT; i++) b.stack.connect(PEER_IP, 1000 + i);
    takeReplies(b);
    const sa = synFrom(b, 46001);
    send(b, ackSeg(b, 46001, sa));
    expectNothing(b);
    expect(b.stack.status(b.stack.accept(listener)!)).toMatchObject({ state: State.ESTABLISHED, remote_port: 46001 });
    expect(b.stack.stats().listen_overflows).toBe(0);
  });

  test("a SYN flood takes no TCB: 1,000 spoofed SYNs fill the SYN queue and draw cookies, listen_overflows stays 0 and a real client still connects", () => {
    const { b, listener } = listening({ config: { syncookies: 1 }, backlog: 4 });
    const d = statsDelta(b, () => {
      for (let i = 0; i < 1000; i++) {
        send(b, synTo(b, { srcIp: `198.18.${i >> 8}.${i & 255}`, srcPort: 1024 + i }));
      }
      takeReplies(b);
    });
    expect(d.listen_overflows).toBeUndefined();
    expect(d.synq_overflows).toBeGreaterThan(0);
    expect(d.cookies_sent).toBe(d.synq_overflows);
    const sa = synFrom(b, 47001);
    send(b, ackSeg(b, 47001, sa, { flags: ACK }));
    expectNothing(b);
    expect(b.stack.status(b.stack.accept(listener)!)).toMatchObject({ state: State.ESTABLISHED, remote_port: 47001 });
  });
});
