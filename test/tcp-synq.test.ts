/**
 * The SYN queue and the accept queue at packet level (issue 4; seeds
 * 003–004: the half-open queue, backlog, SYN-ACK retransmission with
 * growing waits and a maximum count, half-open lifetime = the sum of the
 * waits; RFC 9293 §3.10.7.2 LISTEN and §3.10.7.4 SYN-RECEIVED, RFC 5961 §3.2).
 * Cookies are off here (syncookies 0) unless a test says otherwise, so every
 * SYN-ACK comes from a half-open entry.
 */
import { describe, expect, test } from "vitest";
import {
  ACK, BOARD_MSS, BOARD_WINDOW, CLIENT_PORT, FIN, PEER_IP, PEER_ISS, RST, SERVER_PORT, State, SYN, TCB_COUNT, type Board,
  type Reply, advanceTo, expectNothing, expectReplies, listening, rstFor, send, statsDelta, synAckFor, synTo,
  takeReplies,
  ackSeg, halfOpen, synFrom,
} from "./helpers/tcp-harness.js";
import { type Segment, EMPTY, ipNumber, seqAdd, text } from "./helpers/tcp-packets.js";

const NO_COOKIES = { syncookies: 0 };
/** SYN_QUEUE default (assembly/config.ts). */
const SYN_QUEUE = 16;
/** ACCEPTQ_MAX (assembly/tcp/listeners.ts): the largest backlog honoured. */
const ACCEPTQ_MAX = 16;

describe("backlog: the accept queue holds exactly min(backlog, 16) completed connections, and no more than the free TCBs", () => {
  test.each([1, 2, 4, 7, 8, 16, 40])("backlog %i → min(backlog, 16, TCB_COUNT 8) accepted after the handshakes, the next counted in acceptq_overflows", (backlog) => {
    const { b, listener } = listening({ config: NO_COOKIES, backlog });
    const limit = Math.min(backlog, ACCEPTQ_MAX, TCB_COUNT);
    // SYNs and ACKs one client at a time: the SYN queue (16) is never the limit.
    const d = statsDelta(b, () => {
      for (let i = 0; i <= limit; i++) {
        const sa = synFrom(b, 20000 + i);
        send(b, ackSeg(b, 20000 + i, sa));
        expectNothing(b);
      }
    });
    expect(d.acceptq_overflows).toBe(1);
    expect(d.tcp_passive_opens).toBe(limit);
    // The overflowed handshake is still half-open; everything else is ESTABLISHED and waiting.
    expect(halfOpen(b).map((e) => e.remotePort)).toEqual([20000 + limit]);
    const got: number[] = [];
    for (let h = b.stack.accept(listener); h !== null; h = b.stack.accept(listener)) got.push(b.stack.status(h).remote_port);
    expect(got).toEqual(Array.from({ length: limit }, (_, i) => 20000 + i));
  });

  test("backlog 1, the queue full: the dropped ACK's entry stays; after tcp_accept its SYN-ACK retransmission draws a new ACK that completes", () => {
    const { b, listener } = listening({ config: NO_COOKIES, backlog: 1 });
    const t0 = b.now;
    const sa1 = synFrom(b, 21001);
    send(b, ackSeg(b, 21001, sa1));
    const sa2 = synFrom(b, 21002);
    send(b, ackSeg(b, 21002, sa2));
    expectNothing(b);
    expect(b.stack.stats().acceptq_overflows).toBe(1);
    expect(b.stack.accept(listener)).not.toBeNull();
    // The entry retransmits its SYN-ACK on schedule; the peer answers it again.
    advanceTo(b, t0 + 1000);
    const [again] = expectReplies(b, [synAckFor(synTo(b, { srcPort: 21002 }), { seq: sa2.seg.seq })]);
    send(b, ackSeg(b, 21002, again));
    expectNothing(b);
    const h = b.stack.accept(listener);
    expect(h).not.toBeNull();
    expect(b.stack.status(h!)).toMatchObject({ state: State.ESTABLISHED, remote_port: 21002, iss: sa2.seg.seq });
    expect(halfOpen(b)).toEqual([]);
  });

  test("the SYN queue is shared: 16 half-open entries over two listeners, the 17th SYN to either is dropped (synq_overflows)", () => {
    const { b } = listening({ config: NO_COOKIES, backlog: 4 });
    b.stack.listen(8080, 4);
    for (let i = 0; i < SYN_QUEUE; i++) synFrom(b, 22000 + i, { dstPort: i % 2 ? 8080 : SERVER_PORT });
    for (const port of [SERVER_PORT, 8080]) {
      const d = statsDelta(b, () => send(b, synTo(b, { srcPort: 23000, dstPort: port })));
      expectNothing(b);
      expect(d).toEqual({ eth_rx_frames: 1, ip_rx: 1, tcp_rx_segments: 1, syn_rx: 1, synq_overflows: 1 });
    }
    expect(halfOpen(b)).toHaveLength(SYN_QUEUE);
  });
});

describe("SYN-ACK retransmission and the half-open lifetime (seed 004)", () => {
  test.each([
    [1000, 5, [1000, 3000, 7000, 15000, 31000], 63000],
    [1000, 0, [], 1000],
    [1000, 1, [1000], 3000],
    [250, 4, [250, 750, 1750, 3750], 7750],
    [3000, 3, [3000, 9000, 21000], 45000],
  ])("synack_rto_ms %i, synack_retries %i → retransmissions at %j ms, the entry gone exactly at %i ms (the sum of the waits)", (rto, retries, times, lifetime) => {
    const { b } = listening({ config: { ...NO_COOKIES, synack_rto_ms: rto, synack_retries: retries } });
    const t0 = b.now;
    const sa = synFrom(b, CLIENT_PORT);
    const seen: number[] = [];
    const expectedSynAck = synAckFor(synTo(b), { seq: sa.seg.seq });
    advanceTo(b, t0 + lifetime - 1);
    for (const r of expectReplies(b, times.map(() => expectedSynAck))) seen.push(r.at - t0);
    expect(seen).toEqual(times);
    expect(halfOpen(b)).toHaveLength(1);
    const d = statsDelta(b, () => advanceTo(b, t0 + lifetime));
    expect(d.synq_expired).toBe(1);
    expect(halfOpen(b)).toEqual([]);
    expect(b.stack.stats().synack_retransmits).toBe(retries);
    expectNothing(b, { within: 200_000 });
  });

  test("net_poll returns the wait to the next SYN-ACK retransmission (1000, then 2000 ms after it)", () => {
    const { b } = listening({ config: NO_COOKIES });
    synFrom(b, CLIENT_PORT);
    expect(b.poll()).toBe(1000);
    advanceTo(b, b.now + 1000);
    takeReplies(b);
    expect(b.poll()).toBe(2000);
  });

  test("the entry's timers are independent: two SYNs 500 ms apart → each retransmitted on its own schedule", () => {
    const { b } = listening({ config: NO_COOKIES });
    const t0 = b.now;
    synFrom(b, 24001);
    advanceTo(b, t0 + 500);
    synFrom(b, 24002);
    advanceTo(b, t0 + 3600);
    expect(takeReplies(b).map((r) => [r.seg.dstPort, r.at - t0])).toEqual([[24001, 1000], [24002, 1500], [24001, 3000], [24002, 3500]]);
  });
});

describe("SYN-RECEIVED on a half-open entry (RFC 9293 §3.10.7.4)", () => {
  test("a duplicate SYN (same IRS) → the same SYN-ACK at once, one entry, the retransmission schedule unchanged", () => {
    const { b } = listening({ config: NO_COOKIES });
    const t0 = b.now;
    const sa = synFrom(b, CLIENT_PORT);
    advanceTo(b, t0 + 400);
    const d = statsDelta(b, () => { send(b, synTo(b)); expectReplies(b, [synAckFor(synTo(b), { seq: sa.seg.seq })]); });
    expect(d).toMatchObject({ syn_rx: 1, synack_retransmits: 1 });
    expect(d.synack_sent).toBeUndefined();
    expect(halfOpen(b)).toHaveLength(1);
    advanceTo(b, t0 + 3000);
    expect(takeReplies(b).map((r) => r.at - t0)).toEqual([1000, 3000]);
  });

  test("a SYN with another ISN inside the window → the entry removed (back to LISTEN), nothing sent", () => {
    const { b } = listening({ config: NO_COOKIES });
    synFrom(b, CLIENT_PORT);
    send(b, synTo(b, { seq: PEER_ISS + 100 }));
    expectNothing(b);
    expect(halfOpen(b)).toEqual([]);
    expectNothing(b, { within: 70_000 });
  });

  test("a SYN with another ISN outside the window → <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>, entry kept", () => {
    const { b } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT);
    const seg = synTo(b, { seq: PEER_ISS + 1_000_000 });
    send(b, seg);
    expectReplies(b, [{ ...synAckFor(seg), seq: seqAdd(sa.seg.seq, 1), ack: PEER_ISS + 1, flags: ACK, mss: undefined }]);
    expect(halfOpen(b)).toHaveLength(1);
  });

  test("RST at IRS+1 → entry removed, synq_resets and tcp_rst_rx counted, no reply", () => {
    const { b } = listening({ config: NO_COOKIES });
    synFrom(b, CLIENT_PORT);
    const d = statsDelta(b, () => send(b, { ...synTo(b), mss: undefined, flags: RST, seq: PEER_ISS + 1 }));
    expectNothing(b);
    expect(d).toMatchObject({ synq_resets: 1, tcp_rst_rx: 1 });
    expect(halfOpen(b)).toEqual([]);
  });

  test("RST+ACK at IRS+1 (what a peer sends for an unwanted SYN-ACK) → entry removed", () => {
    const { b } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT);
    send(b, { ...synTo(b), mss: undefined, flags: RST | ACK, seq: PEER_ISS + 1, ack: seqAdd(sa.seg.seq, 1) });
    expectNothing(b);
    expect(halfOpen(b)).toEqual([]);
  });

  test("RST inside the window but not at IRS+1 → challenge ACK <SEQ=ISS+1><ACK=IRS+1> (RFC 5961 §3.2), entry kept", () => {
    const { b } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT);
    const rst = { ...synTo(b), mss: undefined, flags: RST, seq: PEER_ISS + 1 + 1000 };
    const d = statsDelta(b, () => send(b, rst));
    expectReplies(b, [{ ...synAckFor(synTo(b)), seq: seqAdd(sa.seg.seq, 1), flags: ACK, mss: undefined }]);
    expect(d.tcp_challenge_acks).toBe(1);
    expect(halfOpen(b)).toHaveLength(1);
  });

  test("RST outside the window → ignored (tcp_rst_ignored), entry kept", () => {
    const { b } = listening({ config: NO_COOKIES });
    synFrom(b, CLIENT_PORT);
    const d = statsDelta(b, () => send(b, { ...synTo(b), mss: undefined, flags: RST, seq: PEER_ISS + 1 + BOARD_WINDOW }));
    expectNothing(b);
    expect(d.tcp_rst_ignored).toBe(1);
    expect(halfOpen(b)).toHaveLength(1);
  });

  test("an ACK of something other than ISS+1 → <SEQ=SEG.ACK><CTL=RST>, the entry kept; the right ACK then completes", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT);
    const bad = ackSeg(b, CLIENT_PORT, sa, { ack: seqAdd(sa.seg.seq, 2) });
    send(b, bad);
    expectReplies(b, [{ ...rstFor(bad), flags: RST }]);
    expect(halfOpen(b)).toHaveLength(1);
    send(b, ackSeg(b, CLIENT_PORT, sa));
    expectNothing(b);
    expect(b.stack.accept(listener)).not.toBeNull();
  });

  test("a segment without ACK (data only) → dropped, nothing sent, entry kept", () => {
    const { b } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT);
    send(b, ackSeg(b, CLIENT_PORT, sa, { flags: 0, payload: text("early") }));
    expectNothing(b);
    expect(halfOpen(b)).toHaveLength(1);
  });

  test("the completing ACK with data and FIN → CLOSE-WAIT; the data is read, then end of stream; one ACK covers both", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT);
    send(b, ackSeg(b, CLIENT_PORT, sa, { flags: ACK | FIN, payload: text("hello") }));
    const [r] = takeReplies(b);
    expect([r.seg.flags, r.seg.seq, r.seg.ack]).toEqual([ACK, seqAdd(sa.seg.seq, 1), PEER_ISS + 1 + 5 + 1]);
    const h = b.stack.accept(listener)!;
    expect(b.stack.state(h)).toBe(State.CLOSE_WAIT);
    expect(new TextDecoder().decode(b.stack.recv(h)!)).toBe("hello");
    expect(b.stack.recv(h)).toEqual(new Uint8Array(0));
  });

  test("the completing ACK's window becomes SND.WND, and the entry's peer MSS (1000) becomes SND.MSS", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT, { mss: 1000 });
    send(b, ackSeg(b, CLIENT_PORT, sa, { window: 1234 }));
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h)).toMatchObject({ snd_wnd: 1234, snd_mss: 1000, rcv_wnd: BOARD_WINDOW, rcv_nxt: PEER_ISS + 1 });
  });
});

describe("tcp_list and listener close", () => {
  test("tcp_list: the listener as LISTEN, half-open entries as SYN-RECEIVED with handle -1, an unaccepted connection as ESTABLISHED with the handle tcp_accept then returns", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, 25001);
    synFrom(b, 25002);
    send(b, ackSeg(b, 25001, sa));
    const me = ipNumber("10.0.0.2");
    const peer = ipNumber(PEER_IP);
    const rows = b.stack.list();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ handle: listener, state: State.LISTEN, localPort: SERVER_PORT, remoteIp: 0, remotePort: 0 });
    expect(rows[1]).toEqual({ handle: -1, state: State.SYN_RECEIVED, localIp: me, localPort: SERVER_PORT, remoteIp: peer, remotePort: 25002 });
    expect(rows[2]).toMatchObject({ state: State.ESTABLISHED, localIp: me, localPort: SERVER_PORT, remoteIp: peer, remotePort: 25001 });
    expect(rows[2].handle).toBeGreaterThan(0);
    expect(b.stack.accept(listener)).toBe(rows[2].handle);
  });

  test("tcp_list with max 2 → only the listener and one half-open row are written", () => {
    const { b } = listening({ config: NO_COOKIES });
    synFrom(b, 25001);
    synFrom(b, 25002);
    expect(b.stack.list(2).map((e) => e.state)).toEqual([State.LISTEN, State.SYN_RECEIVED]);
  });

  test("closing a listener → each half-open entry gets <SEQ=ISS+1><CTL=RST> and is gone; no more SYN-ACKs", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const sas = [26001, 26002].map((p) => synFrom(b, p));
    b.stack.close(listener);
    const rsts = takeReplies(b);
    expect(rsts.map((r) => [r.seg.flags, r.seg.dstPort, r.seg.seq]).sort()).toEqual(
      [[RST, 26001, seqAdd(sas[0].seg.seq, 1)], [RST, 26002, seqAdd(sas[1].seg.seq, 1)]].sort());
    expect(b.stack.list()).toEqual([]);
    expectNothing(b, { within: 70_000 });
    // A new listener on the port starts empty.
    const l2 = b.stack.listen(SERVER_PORT, 4);
    expect(b.stack.list()).toEqual([expect.objectContaining({ handle: l2, state: State.LISTEN })]);
  });

  test("SYN with data → SYN-ACK acknowledging only the SYN (the text is not kept)", () => {
    const { b } = listening({ config: NO_COOKIES });
    const syn = synTo(b, { payload: text("data on SYN") });
    send(b, syn);
    expectReplies(b, [{ ...synAckFor(syn), ack: PEER_ISS + 1, payload: EMPTY }]);
  });

  test("half-open entries never trap on MSS 1 or MSS 65535: SND.MSS is bounded to 64..1460", () => {
    for (const [mss, want] of [[1, 64], [65535, BOARD_MSS]]) {
      const { b, listener } = listening({ config: NO_COOKIES });
      const sa = synFrom(b, CLIENT_PORT, { mss });
      send(b, ackSeg(b, CLIENT_PORT, sa));
      expect(b.stack.status(b.stack.accept(listener)!).snd_mss).toBe(want);
    }
  });

  test("a SYN-ACK from the queue is the LISTEN reply in every field: <SEQ=ISS><ACK=SEG.SEQ+1><CTL=SYN,ACK>, MSS 1460, window 4096", () => {
    const { b } = listening({ config: NO_COOKIES });
    const [r] = [synFrom(b, CLIENT_PORT)];
    expect(r.seg).toMatchObject({ flags: SYN | ACK, ack: PEER_ISS + 1, mss: BOARD_MSS, window: BOARD_WINDOW });
  });
});
