/**
 * Idle and silent peers, packet by packet: what an ESTABLISHED connection
 * does when its peer goes quiet (RFC 9293 arms no timer for it), the
 * tcp_option call (docs/ABI.md "tcp_option keys"), RFC 1122 §4.2.3.6
 * keep-alives, the RFC 5482 user timeout, NODELAY, and the tcb_full
 * reclaim policy for a full TCB pool (docs/TCP.md "Idle peers").
 */
import { describe, expect, test } from "vitest";
import {
  ACK, Conn, ERRNO, FIN, PEER_ISS, RST, SERVER_PORT, State, TCB_COUNT, type Board, advance, advanceTo, ackSeg, errnoOf,
  established, expectNothing, expectReplies, listening, send, statsDelta, statusOrNull, synAckFor, synSent, synTo,
} from "./helpers/tcp-harness.js";
import { pattern, seqAdd } from "./helpers/tcp-packets.js";

/** The board's keep-alive probe on `c`: <SEQ=SND.NXT−1><ACK=RCV.NXT><CTL=ACK>, no data. */
const probe = (c: Conn) => c.reply({ seq: seqAdd(c.sndNxt, -1) });

/** ESTABLISHED (passive) with keep-alives on: idle 10 s, interval 2 s, 3 probes. */
// The timings below count RTOs of 1 s: the RFC 6298 §2.4 floor, set here
// since the default rto_min_ms is lower (docs/TCP.md "Loss recovery").
const RTO_1S = { rto_min_ms: 1000 };

function keepAliveConn(): { b: Board; c: Conn } {
  const { b, c } = established({ config: { syncookies: 0, ...RTO_1S } });
  b.stack.tcpOption(c.handle, "keepalive", 1);
  b.stack.tcpOption(c.handle, "keepidle_ms", 10_000);
  b.stack.tcpOption(c.handle, "keepintvl_ms", 2_000);
  b.stack.tcpOption(c.handle, "keepcnt", 3);
  return { b, c };
}

describe("a silent peer without keep-alives (RFC 9293 §3.8, RFC 1122 §4.2.3.6)", () => {
  test("ESTABLISHED after an echo, the peer's FIN lost: no TCP timer is due, the TCB stays, and the FIN's retransmission 25 s later closes it normally", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    const data = pattern(64, 3);
    c.peerSends(data);
    expect(c.appReads()).toEqual(data);
    // The read moved the right edge by less than an MSS: not advertised yet (RFC 9293 §3.8.6.2.2).
    c.wnd = 4096 - 64;
    c.appSends(data);
    expectReplies(b, [c.reply({ payload: data })], { within: 200 });
    c.sndNxt = seqAdd(c.sndNxt, 64);
    send(b, c.seg());
    expectNothing(b);
    // The peer's FIN is lost on the way (a flooded relay drops it). No timer
    // of ours is armed: an idle ESTABLISHED connection waits for ever.
    expect(b.poll(), "ms to the board's next deadline (ARP's, not TCP's)").toBeGreaterThan(24_000);
    advance(b, 24_000);
    expectNothing(b);
    expect(c.state()).toBe(State.ESTABLISHED);
    // The peer's FIN retransmission (Linux: 0.2 s doubling, the 7th ~25 s on) arrives.
    c.peerFin();
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.CLOSE_WAIT);
    // The application sees end of stream and closes: LAST-ACK, then freed.
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
    b.stack.close(c.handle);
    expectReplies(b, [c.reply({ flags: FIN | ACK })]);
    c.sndNxt = seqAdd(c.sndNxt, 1);
    send(b, c.seg());
    expect(statusOrNull(b, c.handle)).toBeNull();
  });

  test("ESTABLISHED, keep-alives off (the default, RFC 1122 §4.2.3.6 MUST): three idle hours → nothing sent, still ESTABLISHED", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    expect(b.stack.tcpOption(c.handle, "keepalive")).toBe(0);
    advance(b, 3 * 3600_000);
    expectNothing(b);
    expect(c.state()).toBe(State.ESTABLISHED);
  });
});

describe("tcp_option", () => {
  test("defaults: NODELAY 0, KEEPALIVE 0, KEEPIDLE_MS two hours (RFC 1122 §4.2.3.6), KEEPINTVL_MS 75 s, KEEPCNT 9, USER_TIMEOUT_MS 0", () => {
    const { b, c, listener } = established();
    for (const h of [c.handle, listener]) {
      expect([0, 1, 2, 3, 4, 5].map((k) => b.stack.exports.tcp_option(h, k, -1))).toEqual([0, 0, 7_200_000, 75_000, 9, 0]);
    }
  });

  test("a value set is read back; a listener's options go to the connections it accepts afterwards, not to earlier ones", () => {
    const { b, listener } = listening({ config: { syncookies: 0 } });
    b.stack.tcpOption(listener, "keepalive", 1);
    b.stack.tcpOption(listener, "keepidle_ms", 1234);
    b.stack.tcpOption(listener, "keepcnt", 127);
    b.stack.tcpOption(listener, "user_timeout_ms", 5000);
    b.stack.tcpOption(listener, "nodelay", 1);
    const syn = synTo(b, { srcPort: 41000 });
    send(b, syn);
    const [sa] = expectReplies(b, [synAckFor(syn)]);
    send(b, ackSeg(b, 41000, sa));
    const h = b.stack.accept(listener)!;
    expect(["nodelay", "keepalive", "keepidle_ms", "keepintvl_ms", "keepcnt", "user_timeout_ms"].map((k) => b.stack.tcpOption(h, k as never)))
      .toEqual([1, 1, 1234, 75_000, 127, 5000]);
    b.stack.tcpOption(listener, "keepidle_ms", 99_000);
    expect(b.stack.tcpOption(h, "keepidle_ms")).toBe(1234);
    b.stack.tcpOption(h, "keepalive", 0);
    expect(b.stack.tcpOption(h, "keepalive")).toBe(0);
    expect(b.stack.tcpOption(listener, "keepalive")).toBe(1);
  });

  test.each([
    ["unknown key 6", 6, 1],
    ["unknown key 7 (read)", 7, -1],
    ["negative key", -1, 1],
    ["NODELAY 2", 0, 2],
    ["KEEPALIVE 2", 1, 2],
    ["KEEPIDLE_MS 0", 2, 0],
    ["KEEPIDLE_MS 32767001", 2, 32_767_001],
    ["KEEPINTVL_MS 0", 3, 0],
    ["KEEPCNT 0", 4, 0],
    ["KEEPCNT 128", 4, 128],
  ])("%s → EINVAL, counted, nothing changed", (_n, key, value) => {
    const { b, c } = established();
    const before = [0, 1, 2, 3, 4, 5].map((k) => b.stack.exports.tcp_option(c.handle, k, -1));
    const d = statsDelta(b, () => expect(b.stack.exports.tcp_option(c.handle, key, value)).toBe(ERRNO.EINVAL));
    expect(d).toEqual({ api_einval: 1 });
    expect([0, 1, 2, 3, 4, 5].map((k) => b.stack.exports.tcp_option(c.handle, k, -1))).toEqual(before);
  });

  test("bad and stale handles → EINVAL", () => {
    const { b, c } = established();
    b.stack.abort(c.handle);
    for (const h of [0, -5, 0x7fff, c.handle]) expect(b.stack.exports.tcp_option(h, 1, 1)).toBe(ERRNO.EINVAL);
    expect(errnoOf(() => b.stack.tcpOption(c.handle, "keepalive", 1))).toBe("EINVAL");
  });
});

describe("keep-alives (RFC 1122 §4.2.3.6)", () => {
  test("ESTABLISHED, idle 10 s: the probe <SEQ=SND.NXT−1><ACK=RCV.NXT> without data at exactly 10 s; the peer's ACK restarts the idle time", () => {
    const { b, c } = keepAliveConn();
    const t0 = b.now;
    advanceTo(b, t0 + 9_999);
    expectNothing(b);
    advanceTo(b, t0 + 10_000);
    const [p] = expectReplies(b, [probe(c)]);
    expect(p.at).toBe(t0 + 10_000);
    expect(b.stack.stats().tcp_keepalive_probes).toBe(1);
    // The peer answers with an ACK (RFC 9293 §3.10.7.4 first step): alive.
    advance(b, 500);
    send(b, c.seg());
    expectNothing(b);
    const t1 = b.now;
    advanceTo(b, t1 + 9_999);
    expectNothing(b);
    advanceTo(b, t1 + 10_000);
    expectReplies(b, [probe(c)]);
    expect(c.state()).toBe(State.ESTABLISHED);
  });

  test("ESTABLISHED, the peer silent: probes at 10, 12 and 14 s, then at 16 s a RST and ETIMEDOUT; the application frees it with tcp_close", () => {
    const { b, c } = keepAliveConn();
    const t0 = b.now;
    const d = statsDelta(b, () => {
      for (const at of [10_000, 12_000, 14_000]) {
        advanceTo(b, t0 + at - 1);
        expectNothing(b);
        advanceTo(b, t0 + at);
        expect(expectReplies(b, [probe(c)])[0].at).toBe(t0 + at);
      }
      advanceTo(b, t0 + 15_999);
      expectNothing(b);
      advanceTo(b, t0 + 16_000);
      expectReplies(b, [c.reply({ flags: RST, ack: 0, window: 0 })]);
    });
    expect(d).toMatchObject({ tcp_keepalive_probes: 3, tcp_keepalive_drops: 1, tcp_rst_sent: 1 });
    expect(b.stack.pollConn(c.handle).error).toBe(true);
    expect(errnoOf(() => b.stack.recv(c.handle))).toBe("ETIMEDOUT");
    b.stack.close(c.handle);
    expect(b.stack.list().filter((e) => e.state !== State.LISTEN)).toEqual([]);
  });

  test("CLOSE-WAIT (the peer closed, our side still open) is probed too", () => {
    const { b, c } = keepAliveConn();
    c.peerFin();
    expectReplies(b, [c.reply()]);
    const t0 = b.now;
    advanceTo(b, t0 + 10_000);
    expectReplies(b, [probe(c)]);
    expect(c.state()).toBe(State.CLOSE_WAIT);
  });

  test("data in flight: no probes, the retransmission timer is in charge (RFC 1122 §4.2.3.6: only when idle)", () => {
    const { b, c } = keepAliveConn();
    b.stack.tcpOption(c.handle, "keepidle_ms", 500);
    const data = pattern(10, 1);
    c.appSends(data);
    expectReplies(b, [c.reply({ payload: data })]);
    advance(b, 999);
    expectNothing(b);
    advance(b, 1);
    expectReplies(b, [c.reply({ payload: data })]);
    expect(b.stack.stats().tcp_keepalive_probes).toBe(0);
  });

  test("KEEPIDLE_MS 32767000 and KEEPCNT 127 (the largest): the verdict lies beyond 2^31 ms, yet each probe comes exactly on time", () => {
    const { b, c } = established();
    b.stack.tcpOption(c.handle, "keepalive", 1);
    b.stack.tcpOption(c.handle, "keepidle_ms", 32_767_000);
    b.stack.tcpOption(c.handle, "keepintvl_ms", 32_767_000);
    b.stack.tcpOption(c.handle, "keepcnt", 127);
    const t0 = b.now;
    for (const at of [32_767_000, 65_534_000]) {
      advanceTo(b, t0 + at - 1);
      expectNothing(b);
      advanceTo(b, t0 + at);
      expectReplies(b, [probe(c)]);
    }
    expect(c.state()).toBe(State.ESTABLISHED);
  });
});

describe("user timeout (RFC 5482)", () => {
  test("USER_TIMEOUT_MS 2500, the peer silent: sent at 0, again at 1 s (RTO), ETIMEDOUT at exactly 2.5 s, long before tcp_max_retries", () => {
    const { b, c } = established({ config: { syncookies: 0, ...RTO_1S } });
    b.stack.tcpOption(c.handle, "user_timeout_ms", 2500);
    const data = pattern(100, 2);
    const t0 = b.now;
    c.appSends(data);
    expectReplies(b, [c.reply({ payload: data })]);
    advanceTo(b, t0 + 1000);
    expectReplies(b, [c.reply({ payload: data })]);
    advanceTo(b, t0 + 2499);
    expect(c.state()).toBe(State.ESTABLISHED);
    const d = statsDelta(b, () => advanceTo(b, t0 + 2500));
    expect(d.tcp_timeouts).toBe(1);
    expect(errnoOf(() => b.stack.send(c.handle, data))).toBe("ETIMEDOUT");
  });

  test("USER_TIMEOUT_MS counts from the last progress: an ACK of part of the data starts the wait again", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    b.stack.tcpOption(c.handle, "user_timeout_ms", 3000);
    b.stack.tcpOption(c.handle, "nodelay", 1);
    const t0 = b.now;
    const a1 = pattern(100, 2), a2 = pattern(100, 3);
    c.appSends(a1);
    c.appSends(a2);
    expectReplies(b, [c.reply({ payload: a1 }), c.reply({ seq: seqAdd(c.sndNxt, 100), payload: a2 })]);
    advanceTo(b, t0 + 2000);
    send(b, c.seg({ ack: seqAdd(c.sndNxt, 100) }));
    advanceTo(b, t0 + 4999);
    expect(c.state()).toBe(State.ESTABLISHED);
    advanceTo(b, t0 + 5000);
    expect(b.stack.pollConn(c.handle).error).toBe(true);
  });

  test("USER_TIMEOUT_MS 0 (the default): tcp_max_retries applies as before", () => {
    const { b, c } = established({ config: { syncookies: 0, tcp_max_retries: 2, rto_max_ms: 1000, ...RTO_1S } });
    c.appSends(pattern(10, 1));
    advance(b, 2500);
    expect(c.state()).toBe(State.ESTABLISHED);
    advance(b, 1000);
    expect(b.stack.pollConn(c.handle).error).toBe(true);
  });
});

describe("NODELAY (RFC 9293 §3.7.4)", () => {
  test("Nagle holds a short segment while data is unacknowledged; NODELAY 1 sends it at once", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    const one = pattern(100, 1), two = pattern(50, 2);
    c.appSends(one);
    expectReplies(b, [c.reply({ payload: one })]);
    c.appSends(two);
    expectNothing(b);
    b.stack.tcpOption(c.handle, "nodelay", 1);
    expectReplies(b, [c.reply({ seq: seqAdd(c.sndNxt, 100), payload: two })]);
    const three = pattern(30, 3);
    c.appSends(three);
    expectReplies(b, [c.reply({ seq: seqAdd(c.sndNxt, 150), payload: three })]);
  });
});

describe("a full TCB pool (net_config tcb_full)", () => {
  /** TCB_COUNT passive connections from ports 42000…, each accepted; the board's clock is then `b.now`. */
  function fullPool(config: Record<string, number>): { b: Board; listener: number; conns: Conn[] } {
    const first = established({ config: { syncookies: 0, ...config }, peerPort: 42000, backlog: 8 });
    const { b, listener } = first;
    const conns = [first.c];
    for (let i = 1; i < TCB_COUNT; i++) {
      const port = 42000 + i;
      const syn = synTo(b, { srcPort: port });
      send(b, syn);
      const [sa] = expectReplies(b, [synAckFor(syn)]);
      send(b, ackSeg(b, port, sa));
      const h = b.stack.accept(listener)!;
      const c = new Conn(b, h, SERVER_PORT, port, sa.seg.seq, PEER_ISS);
      conns.push(c);
    }
    return { b, listener, conns };
  }

  test("tcb_full 0 (default): every TCB live → a new SYN is dropped unanswered (listen_overflows), tcp_connect → ENOMEM", () => {
    const { b } = fullPool({});
    advance(b, 3600_000);
    const d = statsDelta(b, () => send(b, synTo(b, { srcPort: 43000 })));
    expectNothing(b);
    expect(d).toMatchObject({ listen_overflows: 1 });
    expect(errnoOf(() => b.stack.connect(b.peerIp, 9))).toBe("ENOMEM");
  });

  test("tcb_full 1, reclaim_idle_ms 30 s: the connection idle longest (≥ 30 s) gets a RST and its TCB goes to the new one; its handle is stale", () => {
    const { b, conns } = fullPool({ tcb_full: 1, reclaim_idle_ms: 30_000 });
    // Everyone but conns[3] talks 10 s later; conns[3] is the longest idle.
    advance(b, 10_000);
    for (const [i, c] of conns.entries()) if (i !== 3) send(b, c.seg());
    expectNothing(b);
    advance(b, 19_999);
    // conns[3] idle 29.999 s: not yet.
    const early = statsDelta(b, () => send(b, synTo(b, { srcPort: 43000 })));
    expectNothing(b);
    expect(early).toMatchObject({ listen_overflows: 1 });
    advance(b, 1);
    const syn = synTo(b, { srcPort: 43001 });
    send(b, syn);
    const [sa] = expectReplies(b, [synAckFor(syn)]);
    const d = statsDelta(b, () => send(b, ackSeg(b, 43001, sa)));
    expect(d).toMatchObject({ tcp_reclaimed: 1, tcp_passive_opens: 1 });
    expectReplies(b, [conns[3].reply({ flags: RST, ack: 0, window: 0 })]);
    expect(statusOrNull(b, conns[3].handle)).toBeNull();
    expect(b.stack.list().filter((e) => e.remotePort === 43001).map((e) => e.state)).toEqual([State.ESTABLISHED]);
    for (const [i, c] of conns.entries()) if (i !== 3) expect(c.state()).toBe(State.ESTABLISHED);
  });

  test("tcb_full 1: tcp_connect reclaims too; with nobody idle long enough it is still ENOMEM", () => {
    const { b, conns } = fullPool({ tcb_full: 1, reclaim_idle_ms: 5_000 });
    expect(errnoOf(() => b.stack.connect(b.peerIp, 9))).toBe("ENOMEM");
    advance(b, 5_000);
    const h = b.stack.connect(b.peerIp, 9);
    expect(b.stack.state(h)).toBe(State.SYN_SENT);
    expect(b.stack.stats().tcp_reclaimed).toBe(1);
    expect(conns.filter((c) => statusOrNull(b, c.handle) === null)).toHaveLength(1);
  });
});

describe("options on the other paths", () => {
  test("SYN-SENT: USER_TIMEOUT_MS 500 set after tcp_connect → ETIMEDOUT at 500 ms, before the first SYN retransmission at 1 s", () => {
    const { b, c } = synSent({ config: { syncookies: 0 } });
    const t0 = b.now;
    b.stack.tcpOption(c.handle, "user_timeout_ms", 500);
    advanceTo(b, t0 + 499);
    expect(c.state()).toBe(State.SYN_SENT);
    const d = statsDelta(b, () => advanceTo(b, t0 + 500));
    expect(d.tcp_timeouts).toBe(1);
    expectNothing(b);
    expect(errnoOf(() => b.stack.send(c.handle, pattern(1, 1)))).toBe("ETIMEDOUT");
  });

  test("a connection made by a SYN cookie inherits the listener's options too", () => {
    const { b, listener } = listening({ config: { syncookies: 2 } });
    b.stack.tcpOption(listener, "keepalive", 1);
    b.stack.tcpOption(listener, "keepidle_ms", 4000);
    const syn = synTo(b, { srcPort: 41500 });
    send(b, syn);
    const [sa] = expectReplies(b, [synAckFor(syn)]);
    send(b, ackSeg(b, 41500, sa));
    const h = b.stack.accept(listener)!;
    expect(b.stack.stats().cookies_accepted).toBe(1);
    expect([b.stack.tcpOption(h, "keepalive"), b.stack.tcpOption(h, "keepidle_ms")]).toEqual([1, 4000]);
    const c = new Conn(b, h, SERVER_PORT, 41500, sa.seg.seq, PEER_ISS);
    advance(b, 4000);
    expectReplies(b, [probe(c)]);
  });

  test("TIME-WAIT keeps its 2·MSL when a user timeout is set on the way (it bounds only unacknowledged data)", () => {
    const { b, c } = established({ config: { syncookies: 0, msl_ms: 5000 } });
    b.stack.tcpOption(c.handle, "user_timeout_ms", 100);
    b.stack.close(c.handle);
    expectReplies(b, [c.reply({ flags: FIN | ACK })]);
    c.sndNxt = seqAdd(c.sndNxt, 1);
    send(b, c.seg());
    c.peerFin();
    expectReplies(b, [c.reply()]);
    const rows = () => b.stack.list().filter((e) => e.remotePort === c.peerPort).map((e) => e.state);
    expect(rows()).toEqual([State.TIME_WAIT]);
    advance(b, 9_999);
    expect(rows()).toEqual([State.TIME_WAIT]);
    advance(b, 1);
    expect(rows()).toEqual([]);
  });
});
