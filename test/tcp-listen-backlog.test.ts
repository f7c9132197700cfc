/**
 * Listen backlog, the SYN queue and SYN cookies at packet level
 * (docs/TCP.md): the half-open queue, the backlog parameter, SYN-ACK
 * retransmission with growing waits up to a maximum count, the half-open
 * lifetime = the sum of those waits, netstat's SYN_RECV lines; RFC 4987
 * cookies when the queue is full.
 */
import { describe, expect, test } from "vitest";
import {
  ACK, BOARD_MSS, CLIENT_PORT, PEER_IP, PEER_ISS, RST, SERVER_PORT, State, SYN, TCB_COUNT, type Board, type Reply,
  advance, advanceTo, expectNothing, expectReplies, listening, rstFor, send, statsDelta, synAckFor, synTo, takeReplies,
} from "./helpers/tcp-harness.js";
import { ipNumber, seqAdd } from "./helpers/tcp-packets.js";

const NO_COOKIES = { syncookies: 0 };

/** The peer's SYN from `port`; returns the SYN-ACK (checked field by field). */
function synFrom(b: Board, port: number, over: { seq?: number; mss?: number } = {}): Reply {
  const syn = synTo(b, { srcPort: port, seq: over.seq ?? PEER_ISS, mss: over.mss ?? BOARD_MSS });
  send(b, syn);
  return expectReplies(b, [synAckFor(syn)])[0];
}

/** Complete the handshake a SYN from `port` began. */
function ackFrom(b: Board, port: number, synAck: Reply, seq = PEER_ISS): void {
  send(b, { ...synTo(b, { srcPort: port }), mss: undefined, flags: ACK, seq: seqAdd(seq, 1), ack: seqAdd(synAck.seg.seq, 1) });
}

/** tcp_list's half-open entries: no handle, SYN-RECEIVED. */
const halfOpen = (b: Board) => b.stack.list().filter((e) => e.handle === -1 && e.state === State.SYN_RECEIVED);

describe("SYN-ACK retransmission and the half-open lifetime (docs/TCP.md)", () => {
  test("SYN-RECEIVED: no ACK → the same SYN-ACK again after waits of 1, 2, 4, 8 and 16 s (synack_retries 5)", () => {
    const { b } = listening({ config: NO_COOKIES });
    const t0 = b.now;
    const first = synFrom(b, CLIENT_PORT);
    const again = { ...synAckFor(synTo(b)), seq: first.seg.seq };
    const times: number[] = [];
    advanceTo(b, t0 + 62_000);
    for (const r of takeReplies(b)) {
      expect(r.seg, "a retransmitted SYN-ACK is the same segment").toMatchObject({ seq: again.seq, ack: again.ack, flags: SYN | ACK, mss: BOARD_MSS });
      times.push(r.at - t0);
    }
    expect(times).toEqual([1000, 3000, 7000, 15000, 31000]);
    expect(b.stack.stats().synack_retransmits).toBe(5);
  });

  test("SYN-RECEIVED: the entry is removed 32 s after the last retransmission: half-open lifetime 63 s = 1+2+4+8+16+32", () => {
    const { b } = listening({ config: NO_COOKIES });
    const t0 = b.now;
    const sa = synFrom(b, CLIENT_PORT);
    advanceTo(b, t0 + 62_999);
    takeReplies(b);
    expect(halfOpen(b)).toHaveLength(1);
    advanceTo(b, t0 + 63_001);
    expect(halfOpen(b)).toEqual([]);
    expect(b.stack.stats().synq_expired).toBe(1);
    expectNothing(b, { within: 120_000 });
    const late = { ...synTo(b), mss: undefined, flags: ACK, seq: PEER_ISS + 1, ack: seqAdd(sa.seg.seq, 1) };
    send(b, late);
    expectReplies(b, [{ ...rstFor(late), flags: RST }]);
  });

  test("synack_retries 2 → two retransmissions (1 s, 3 s) and the entry gone at 7 s", () => {
    const { b } = listening({ config: { ...NO_COOKIES, synack_retries: 2 } });
    const t0 = b.now;
    synFrom(b, CLIENT_PORT);
    advanceTo(b, t0 + 6_999);
    expect(takeReplies(b).map((r) => r.at - t0)).toEqual([1000, 3000]);
    expect(halfOpen(b)).toHaveLength(1);
    advanceTo(b, t0 + 7_001);
    expect(halfOpen(b)).toEqual([]);
  });

  test("synack_rto_ms 500 → retransmissions after 0.5, 1.5, 3.5 s (the first wait is configurable, then doubling)", () => {
    const { b } = listening({ config: { ...NO_COOKIES, synack_rto_ms: 500, synack_retries: 3 } });
    const t0 = b.now;
    synFrom(b, CLIENT_PORT);
    advanceTo(b, t0 + 10_000);
    expect(takeReplies(b).map((r) => r.at - t0)).toEqual([500, 1500, 3500]);
  });

  test("SYN-RECEIVED: a duplicate SYN → the SYN-ACK again with the same ISS, still one half-open entry", () => {
    const { b } = listening({ config: NO_COOKIES });
    const first = synFrom(b, CLIENT_PORT);
    const second = synFrom(b, CLIENT_PORT);
    expect(second.seg.seq).toBe(first.seg.seq);
    expect(halfOpen(b)).toHaveLength(1);
  });

  test("SYN-RECEIVED: RST at IRS+1 → the entry removed (synq_resets), no more SYN-ACKs", () => {
    const { b } = listening({ config: NO_COOKIES });
    synFrom(b, CLIENT_PORT);
    const d = statsDelta(b, () => {
      send(b, { ...synTo(b), mss: undefined, flags: RST, seq: PEER_ISS + 1 });
      expectNothing(b);
    });
    expect(d.synq_resets).toBe(1);
    expect(halfOpen(b)).toEqual([]);
    expectNothing(b, { within: 70_000 });
  });

  test("SYN-RECEIVED: the handshake completes after two SYN-ACK retransmissions → ESTABLISHED, no more SYN-ACKs", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT);
    advance(b, 3_500);
    expect(takeReplies(b)).toHaveLength(2);
    ackFrom(b, CLIENT_PORT, sa);
    expectNothing(b);
    const h = b.stack.accept(listener)!;
    expect(b.stack.state(h)).toBe(State.ESTABLISHED);
    expectNothing(b, { within: 70_000 });
  });
});

describe("tcp_list shows half-open entries (what netstat | grep SYN_RECV shows)", () => {
  test("three SYNs from three ports → three entries with handle -1, state 3 and their 4-tuples", () => {
    const { b } = listening({ config: NO_COOKIES, backlog: 8 });
    for (const p of [40001, 40002, 40003]) synFrom(b, p);
    const rows = halfOpen(b).sort((x, y) => x.remotePort - y.remotePort);
    expect(rows).toEqual([40001, 40002, 40003].map((p) => ({
      handle: -1, state: State.SYN_RECEIVED,
      localIp: ipNumber("10.0.0.2"), localPort: SERVER_PORT, remoteIp: ipNumber(PEER_IP), remotePort: p,
    })));
  });

  test("a completed handshake leaves the half-open list", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT);
    ackFrom(b, CLIENT_PORT, sa);
    expect(halfOpen(b)).toEqual([]);
    expect(b.stack.list().filter((e) => e.handle !== listener && e.state === State.ESTABLISHED)).toHaveLength(1);
  });

  test("half-open entries take no TCB: with 8 SYNs half-open, all 8 TCBs are still free for tcp_connect", () => {
    const { b } = listening({ config: NO_COOKIES });
    for (let i = 0; i < TCB_COUNT; i++) synFrom(b, 42000 + i);
    expect(halfOpen(b)).toHaveLength(TCB_COUNT);
    const conns = Array.from({ length: TCB_COUNT }, (_, i) => b.stack.connect(PEER_IP, 1000 + i));
    for (const h of conns) expect(b.stack.state(h)).toBe(State.SYN_SENT);
  });
});

describe("the accept queue is bounded by the backlog", () => {
  test("backlog 2: three completed handshakes → exactly two to accept, the third counted in acceptq_overflows", () => {
    const { b, listener } = listening({ config: NO_COOKIES, backlog: 2 });
    // All three SYNs first (the accept queue is still empty), then the three ACKs.
    const sas = [41001, 41002, 41003].map((p) => synFrom(b, p));
    const d = statsDelta(b, () => {
      [41001, 41002, 41003].forEach((p, i) => ackFrom(b, p, sas[i]));
      takeReplies(b);
    });
    expect(d.acceptq_overflows).toBe(1);
    const got = [b.stack.accept(listener), b.stack.accept(listener), b.stack.accept(listener)];
    expect(got.filter((h) => h !== null)).toHaveLength(2);
    expect(got[2]).toBeNull();
  });

  test("backlog 1: accepting the queued connection makes room for the next", () => {
    const { b, listener } = listening({ config: NO_COOKIES, backlog: 1 });
    const sa1 = synFrom(b, 42001);
    ackFrom(b, 42001, sa1);
    expect(b.stack.accept(listener)).not.toBeNull();
    const sa2 = synFrom(b, 42002);
    ackFrom(b, 42002, sa2);
    const h = b.stack.accept(listener);
    expect(h).not.toBeNull();
    expect(b.stack.status(h!).remote_port).toBe(42002);
  });

  test("all TCBs busy by the time the handshake completes: the ACK makes no connection and touches no live one", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    // The SYN arrives while TCBs are free; they are all taken before its ACK.
    const sa = synFrom(b, CLIENT_PORT);
    const live: number[] = [];
    for (let i = 0; i < TCB_COUNT; i++) live.push(b.stack.connect(PEER_IP, 1000 + i));
    takeReplies(b);
    const d = statsDelta(b, () => {
      ackFrom(b, CLIENT_PORT, sa);
      takeReplies(b);
    });
    expect(d).toMatchObject({ acceptq_overflows: 1, tcp_no_tcb: 1 });
    expect(b.stack.accept(listener)).toBeNull();
    for (const h of live) expect(b.stack.state(h)).toBe(State.SYN_SENT);
  });

  test("a completing ACK past IRS+1 (the peer's first data was lost) makes no connection; the resent first segment does, with its data", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT);
    const data = new TextEncoder().encode("first bytes, lost once");
    // The peer is ESTABLISHED and has sent its data; its ACK and data were
    // lost, and the ACK a repeated SYN-ACK draws carries SND.NXT past them.
    const late = { ...synTo(b, { srcPort: CLIENT_PORT }), mss: undefined, flags: ACK, seq: seqAdd(PEER_ISS, 1 + data.length), ack: seqAdd(sa.seg.seq, 1) };
    const d = statsDelta(b, () => { send(b, late); takeReplies(b); });
    expect(d).toMatchObject({ tcp_ooo_dropped: 1 });
    expect(d.tcp_passive_opens ?? 0).toBe(0);
    expect(b.stack.accept(listener)).toBeNull();
    expect(halfOpen(b)).toHaveLength(1);
    // The peer's retransmission timer resends from IRS+1.
    send(b, { ...late, seq: seqAdd(PEER_ISS, 1), payload: data });
    const h = b.stack.accept(listener)!;
    expect(h).not.toBeNull();
    expect(b.stack.status(h)).toMatchObject({ state: State.ESTABLISHED, rcv_nxt: seqAdd(PEER_ISS, 1 + data.length) });
    expect(b.stack.recv(h, 100)).toEqual(data);
  });

  test("the peer MSS from the SYN is kept in the half-open entry: MSS 536 → snd_mss 536 after accept", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const sa = synFrom(b, CLIENT_PORT, { mss: 536 });
    ackFrom(b, CLIENT_PORT, sa);
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h)).toMatchObject({ snd_mss: 536, irs: PEER_ISS, iss: sa.seg.seq });
  });
});

describe("SYN queue overflow and SYN cookies (RFC 4987 §3.6)", () => {
  test("syncookies 0 and a full SYN queue → further SYNs dropped silently, counted in synq_overflows", () => {
    const { b } = listening({ config: NO_COOKIES, backlog: 64 });
    let answered = 0;
    let overflow = -1;
    for (let i = 0; i < 64 && overflow < 0; i++) {
      const syn = synTo(b, { srcPort: 30000 + i });
      const d = statsDelta(b, () => send(b, syn));
      const r = takeReplies(b);
      if (r.length) answered++;
      if (d.synq_overflows) { overflow = i; expect(r).toEqual([]); }
    }
    expect(overflow).toBe(16);
    expect(answered).toBe(16);
    expect(halfOpen(b)).toHaveLength(16);
  });

  test("syncookies 1 and a full SYN queue → the next SYN gets a cookie SYN-ACK, and its ACK makes a connection", () => {
    const { b, listener } = listening({ config: { syncookies: 1 }, backlog: 64 });
    for (let i = 0; i < 16; i++) synFrom(b, 30000 + i);
    const d = statsDelta(b, () => {
      const sa = synFrom(b, 31000, { seq: 777 });
      ackFrom(b, 31000, sa, 777);
    });
    expect(d).toMatchObject({ cookies_sent: 1, cookies_accepted: 1 });
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h)).toMatchObject({ state: State.ESTABLISHED, irs: 777, rcv_nxt: 778, remote_port: 31000 });
  });

  test("syncookies 2 → every SYN answered with a cookie, no half-open entry kept, the ACK makes the connection", () => {
    const { b, listener } = listening({ config: { syncookies: 2 } });
    const sa = synFrom(b, CLIENT_PORT);
    expect(halfOpen(b)).toEqual([]);
    ackFrom(b, CLIENT_PORT, sa);
    const h = b.stack.accept(listener)!;
    const st = b.stack.status(h);
    expect(st).toMatchObject({ state: State.ESTABLISHED, iss: sa.seg.seq, irs: PEER_ISS });
    expect(st.snd_mss).toBeLessThanOrEqual(BOARD_MSS);
    expect(st.snd_mss).toBeGreaterThanOrEqual(536);
    expect(b.stack.stats()).toMatchObject({ cookies_sent: 1, cookies_accepted: 1 });
  });

  test("syncookies 2: 1,000 forged ACKs → no connection, each counted in cookies_rejected", () => {
    const { b, listener } = listening({ config: { syncookies: 2 } });
    let x = 12345;
    const d = statsDelta(b, () => {
      for (let i = 0; i < 1000; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        send(b, { ...synTo(b, { srcPort: 20000 + (i % 20000) }), mss: undefined, flags: ACK, seq: x ^ 0x5a5a5a5a, ack: x });
      }
      takeReplies(b);
    });
    expect(d.cookies_rejected).toBe(1000);
    expect(d.cookies_accepted ?? 0).toBe(0);
    expect(b.stack.accept(listener)).toBeNull();
  });

  test("a cookie ACK after two cookie periods → rejected (the secret has rotated out)", () => {
    const { b, listener } = listening({ config: { syncookies: 2, cookie_period_ms: 1000 } });
    const sa = synFrom(b, CLIENT_PORT);
    advance(b, 2_500);
    takeReplies(b);
    const d = statsDelta(b, () => ackFrom(b, CLIENT_PORT, sa));
    expect(d.cookies_rejected).toBe(1);
    expect(b.stack.accept(listener)).toBeNull();
  });

  test("a SYN flood from 500 spoofed sources → a real client interleaved with it still connects", () => {
    const { b, listener } = listening({ config: { syncookies: 1 }, backlog: 4 });
    for (let i = 0; i < 500; i++) {
      send(b, {
        ...synTo(b, { srcPort: 1024 + ((i * 7919) % 60000), seq: i * 104729 }),
        srcIp: `10.0.0.${3 + (i % 250)}`,
      });
      if (i === 250) {
        takeReplies(b);
        const sa = synFrom(b, 33333, { seq: 5555 });
        ackFrom(b, 33333, sa, 5555);
      }
    }
    takeReplies(b);
    const h = b.stack.accept(listener);
    expect(h).not.toBeNull();
    expect(b.stack.status(h!)).toMatchObject({ state: State.ESTABLISHED, remote_port: 33333, irs: 5555 });
    expect(halfOpen(b).length).toBeLessThanOrEqual(16);
  });
});
