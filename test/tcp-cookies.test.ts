/**
 * SYN cookies over the wire (RFC 4987 §3.6, docs/TCP.md):
 * a cookie SYN-ACK keeps no state, the returning ACK (ack − 1 = the cookie,
 * seq − 1 = the peer's ISN) creates the connection in ESTABLISHED with the
 * MSS class the cookie carries; forged, tampered and expired cookies are
 * dropped and counted; a forged-ACK storm is never amplified.
 */
import { describe, expect, test } from "vitest";
import {
  ACK, CLIENT_PORT, PEER_ISS, RST, State, TCB_COUNT, type Board, type Reply,
  advanceTo, expectNothing, expectReplies, listening, newBoard, rstFor, send, statsDelta, synAckFor, synTo, takeReplies,
  ackSeg, halfOpen, synFrom,
} from "./helpers/tcp-harness.js";
import { type Segment, buildTcpFrame, seqAdd, text } from "./helpers/tcp-packets.js";
import { echoPeer } from "./helpers/fuzz-peer.js";

/** The 8 MSS classes of the cookie (assembly/tcp/cookie.ts). */
const CLASSES = [64, 536, 1200, 1360, 1400, 1440, 1452, 1460];

/** Fill the 16-entry SYN queue with handshakes that never complete (ports 30000…). */
function fillQueue(b: Board): void {
  for (let i = 0; i < 16; i++) synFrom(b, 30000 + i);
  expect(halfOpen(b)).toHaveLength(16);
}

describe("cookie round trip for each MSS class (syncookies 2)", () => {
  test.each([
    ...CLASSES.map((m) => [m, m] as [number | undefined, number]),
    [undefined, 536], [20, 64], [238, 64], [535, 64], [600, 536], [1199, 536], [1300, 1200], [1459, 1452], [9000, 1460],
  ])("SYN with MSS %s → cookie SYN-ACK; its ACK makes the connection; the board's segments are %i bytes", (mss, want) => {
    const { b, listener } = listening({ config: { syncookies: 2 } });
    const sa = synFrom(b, CLIENT_PORT, { mss });
    expect(halfOpen(b)).toEqual([]);
    const d = statsDelta(b, () => send(b, ackSeg(b, CLIENT_PORT, sa)));
    expectNothing(b);
    expect(d).toMatchObject({ cookies_accepted: 1, tcp_passive_opens: 1 });
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h)).toMatchObject({
      state: State.ESTABLISHED, iss: sa.seg.seq, irs: PEER_ISS, snd_una: seqAdd(sa.seg.seq, 1), rcv_nxt: PEER_ISS + 1, snd_mss: want,
    });
    // The MSS in use is visible on the wire: 1500 bytes go out in segments of `want` bytes, then the rest.
    expect(b.stack.send(h, new Uint8Array(1500).fill(7))).toBe(1500);
    const segs = takeReplies(b);
    expect(segs[0].seg.payload.length).toBe(want);
    for (const s of segs) expect(s.seg.payload.length).toBeLessThanOrEqual(want);
  });

  test("RFC 9293 §3.7.1: a connection made by a SYN cookie never sends segments over the peer's MSS of 238 (an echo of 1460 bytes)", () => {
    const { x, p } = echoPeer({ mss: 238, syncookies: 2 });
    expect(x.m.stack.stats().cookies_accepted).toBe(1);
    x.sendSeg(p, p.data(1460)!);
    // The peer's own check throws on a segment over the MSS it announced.
    expect(() => x.settle()).not.toThrow();
    expect(p.echoed).toBeGreaterThan(0);
  });

  test("the cookie ACK may carry data: delivered after accept and acknowledged", () => {
    const { b, listener } = listening({ config: { syncookies: 2 } });
    const sa = synFrom(b, CLIENT_PORT);
    send(b, ackSeg(b, CLIENT_PORT, sa, { payload: text("GET /") }));
    const [r] = expectReplies(b, [{ ...synAckFor(synTo(b)), seq: seqAdd(sa.seg.seq, 1), ack: PEER_ISS + 6, flags: ACK, mss: undefined, window: 4096 - 5 }], { within: 200 });
    expect(r).toBeDefined();
    const h = b.stack.accept(listener)!;
    expect(new TextDecoder().decode(b.stack.recv(h)!)).toBe("GET /");
  });

  test("syncookies 1 with room in the queue → no cookie: a half-open entry and synack_sent, not cookies_sent", () => {
    const { b } = listening({ config: { syncookies: 1 } });
    const d = statsDelta(b, () => synFrom(b, CLIENT_PORT));
    expect(d).toMatchObject({ syn_rx: 1, synack_sent: 1 });
    expect(d.cookies_sent).toBeUndefined();
    expect(halfOpen(b)).toHaveLength(1);
  });

  test("syncookies 1, queue full → cookie SYN-ACK (synq_overflows and cookies_sent), no entry added, no retransmission", () => {
    const { b } = listening({ config: { syncookies: 1 } });
    fillQueue(b);
    const d = statsDelta(b, () => synFrom(b, 31000));
    expect(d).toMatchObject({ syn_rx: 1, synq_overflows: 1, cookies_sent: 1, synack_sent: 1 });
    expect(halfOpen(b).map((e) => e.remotePort)).not.toContain(31000);
    advanceTo(b, b.now + 999);
    expectNothing(b);
  });
});

describe("forged, tampered and expired cookies", () => {
  test("a cookie is tied to its 4-tuple and ISN: the same ack from another port, or with another seq → rejected", () => {
    const { b, listener } = listening({ config: { syncookies: 2 } });
    const sa = synFrom(b, CLIENT_PORT);
    for (const over of [{ srcPort: CLIENT_PORT + 1 }, { seq: PEER_ISS + 2 }]) {
      const seg = ackSeg(b, CLIENT_PORT, sa, over);
      const d = statsDelta(b, () => send(b, seg));
      expect(d.cookies_rejected).toBe(1);
      // syncookies 2 without overflow: one RST per bad ACK (RFC 9293 §3.10.7.2), never more.
      expectReplies(b, [{ ...rstFor(seg), flags: RST }]);
    }
    expect(b.stack.accept(listener)).toBeNull();
  });

  test.each([0, 1, 2, 26, 27, 28, 29, 30, 31])("a cookie with bit %i flipped (MAC, MSS class or counter) → rejected", (bit) => {
    const { b, listener } = listening({ config: { syncookies: 2 } });
    const sa = synFrom(b, CLIENT_PORT);
    const forged = ackSeg(b, CLIENT_PORT, sa, { ack: seqAdd((sa.seg.seq ^ (1 << bit)) >>> 0, 1) });
    const d = statsDelta(b, () => send(b, forged));
    expect(d.cookies_rejected).toBe(1);
    expect(d.cookies_accepted).toBeUndefined();
    expect(b.stack.accept(listener)).toBeNull();
  });

  test("secret rotation (cookie_period_ms 1000): a cookie from period T is accepted at the end of T+1 and rejected from T+2 on", () => {
    const opts = { config: { syncookies: 2, cookie_period_ms: 1000 }, seed: 5, startMs: 1500 };
    // Same entropy seed and same times → the same secrets and cookie on both boards.
    const one = listening(opts);
    const two = listening(opts);
    const sa1 = synFrom(one.b, CLIENT_PORT);
    const sa2 = synFrom(two.b, CLIENT_PORT);
    expect(sa2.seg.seq).toBe(sa1.seg.seq);
    advanceTo(one.b, 2999);
    send(one.b, ackSeg(one.b, CLIENT_PORT, sa1));
    expect(one.b.stack.stats()).toMatchObject({ cookies_accepted: 1, cookies_rejected: 0 });
    expect(one.b.stack.accept(one.listener)).not.toBeNull();
    advanceTo(two.b, 3000);
    send(two.b, ackSeg(two.b, CLIENT_PORT, sa2));
    expect(two.b.stack.stats()).toMatchObject({ cookies_accepted: 0, cookies_rejected: 1 });
    expect(two.b.stack.accept(two.listener)).toBeNull();
  });

  test("a cookie ACK 2 × cookie_period_ms (128 s) after the default SYN → rejected", () => {
    const { b, listener } = listening({ config: { syncookies: 2 } });
    const sa = synFrom(b, CLIENT_PORT);
    advanceTo(b, b.now + 128_000);
    const d = statsDelta(b, () => send(b, ackSeg(b, CLIENT_PORT, sa)));
    expect(d.cookies_rejected).toBe(1);
    expect(b.stack.accept(listener)).toBeNull();
  });

  test("syncookies 1, no cookie sent lately: an ACK to the listener is plain LISTEN input → <SEQ=SEG.ACK><CTL=RST>, no cookie check", () => {
    const { b } = listening({ config: { syncookies: 1 } });
    const seg = { ...synTo(b), mss: undefined, flags: ACK, seq: 5, ack: 12345 };
    const d = statsDelta(b, () => send(b, seg));
    expectReplies(b, [{ ...rstFor(seg), flags: RST }]);
    expect(d.cookies_rejected).toBeUndefined();
  });

  test("syncookies 1 while the queue overflows: a bad cookie ACK → dropped silently (cookies_rejected), no RST to amplify", () => {
    const { b } = listening({ config: { syncookies: 1 } });
    fillQueue(b);
    synFrom(b, 31000);
    const seg = { ...synTo(b, { srcPort: 31001 }), mss: undefined, flags: ACK, seq: 5, ack: 12345 };
    const d = statsDelta(b, () => send(b, seg));
    expectNothing(b);
    expect(d.cookies_rejected).toBe(1);
  });

  test("syncookies 1: 1,000,000 random forged ACKs during an overflow → zero accepted, each one counted, no reply at all", () => {
    const { b, listener } = listening({ config: { syncookies: 1 } });
    fillQueue(b);
    synFrom(b, 31000);
    const mem = b.stack.exports.memory.buffer.byteLength;
    const forge = fastAckFrames(b);
    let x = 0x9e3779b9;
    const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; return (x >>>= 0); };
    const N = 1_000_000;
    const before = b.stack.stats();
    // Source ports 40000–59999: none of them has a half-open entry (30000–30015).
    for (let i = 0; i < N; i++) b.stack.input(forge(40000 + (next() % 20000), next(), next()));
    const after = b.stack.stats();
    expect(after.cookies_rejected - before.cookies_rejected).toBe(N);
    expect(after.cookies_accepted).toBe(0);
    expect(after.tcp_rst_sent - before.tcp_rst_sent).toBe(0);
    expect(takeReplies(b)).toEqual([]);
    expect(b.stack.accept(listener)).toBeNull();
    expect(b.stack.exports.memory.buffer.byteLength).toBe(mem);
  });
});

describe("a valid cookie that finds no room", () => {
  test("accept queue at its backlog → the cookie ACK dropped (acceptq_overflows), nothing sent; after tcp_accept the peer's retransmission succeeds", () => {
    const { b, listener } = listening({ config: { syncookies: 2 }, backlog: 1 });
    // Both SYNs find room; the first connection fills the queue before the second ACK.
    const sa1 = synFrom(b, 32001);
    const sa2 = synFrom(b, 32002);
    send(b, ackSeg(b, 32001, sa1));
    const d = statsDelta(b, () => send(b, ackSeg(b, 32002, sa2, { payload: text("x") })));
    expectNothing(b);
    expect(d).toMatchObject({ acceptq_overflows: 1 });
    expect(d.cookies_accepted).toBeUndefined();
    expect(b.stack.accept(listener)).not.toBeNull();
    send(b, ackSeg(b, 32002, sa2, { payload: text("x") }));
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h)).toMatchObject({ state: State.ESTABLISHED, remote_port: 32002 });
    expect(b.stack.stats().cookies_accepted).toBe(2);
  });

  test("every TCB carries a live connection → the cookie ACK dropped and counted; no live connection touched", () => {
    const { b, listener } = listening({ config: { syncookies: 2 }, backlog: 16 });
    // The cookie SYN-ACK goes out while TCBs are free; they are all taken before its ACK.
    const sa = synFrom(b, 34000);
    const live: number[] = [];
    for (let i = 0; i < TCB_COUNT; i++) {
      const sai = synFrom(b, 33000 + i);
      send(b, ackSeg(b, 33000 + i, sai));
      live.push(b.stack.accept(listener)!);
    }
    const d = statsDelta(b, () => send(b, ackSeg(b, 34000, sa)));
    expectNothing(b);
    expect(d).toMatchObject({ acceptq_overflows: 1, tcp_no_tcb: 1 });
    for (const h of live) expect(b.stack.state(h)).toBe(State.ESTABLISHED);
    expect(b.stack.stats().tcp_established_resets).toBe(0);
  });
});

/**
 * A maker of forged ACK frames to the board's port 80 from the peer, fast
 * enough for a million: one template, three fields patched, the TCP
 * checksum (RFC 9293 §3.1 pseudo-header) recomputed over 20 bytes.
 */
function fastAckFrames(b: Board): (srcPort: number, seq: number, ack: number) => Uint8Array {
  const tpl = buildTcpFrame({ ...synTo(b), mss: undefined, flags: ACK, seq: 0, ack: 0 }, { srcMac: b.peerMac, dstMac: b.mac });
  expect(tpl.length).toBe(54);
  const f = tpl.slice();
  const v = new DataView(f.buffer);
  const T = 34;
  // Pseudo-header: source and destination address, protocol 6, TCP length 20.
  let pseudo = 6 + 20;
  for (let o = 26; o < 34; o += 2) pseudo += v.getUint16(o);
  return (srcPort, seq, ack) => {
    v.setUint16(T, srcPort);
    v.setUint32(T + 4, seq);
    v.setUint32(T + 8, ack);
    v.setUint16(T + 16, 0);
    let s = pseudo;
    for (let o = T; o < T + 20; o += 2) s += v.getUint16(o);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    v.setUint16(T + 16, ~s & 0xffff);
    return f;
  };
}

test("the fast frame maker agrees with the reference builder", () => {
  const b = newBoard();
  const make = fastAckFrames(b);
  const seg = { ...synTo(b, { srcPort: 4321 }), mss: undefined, flags: ACK, seq: 0xdeadbeef, ack: 0x01020304 };
  expect(Buffer.from(make(4321, 0xdeadbeef, 0x01020304)).toString("hex"))
    .toBe(Buffer.from(buildTcpFrame(seg, { srcMac: b.peerMac, dstMac: b.mac })).toString("hex"));
});
