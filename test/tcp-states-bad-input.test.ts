/**
 * Bad input in any state: checksums (RFC 9293 §3.1, the pseudo-header),
 * data offsets, malformed option lists (RFC 9293 §3.2: "a TCP implementation
 * MUST be prepared to handle an illegal option length (e.g., zero)"),
 * options after EOL, reserved bits, and a fuzz of 10,000 random and mutated
 * segments against a listener and against an established connection.
 *
 * Each dropped segment moves exactly one drop counter (docs/ABI.md) and
 * draws no reply; nothing traps, memory never grows, and the live
 * connection still works afterwards (docs/ABI.md, counters).
 */
import { describe, expect, test } from "vitest";
import {
  ACK, BOARD_WINDOW, DEFAULT_MSS, FIN, PEER_IP, RST, State, SYN, type Board, type Conn,
  advance, dropCounters, established, expectNothing, expectReplies, listening, send, sendFrame, statsDelta, synAckFor, synTo,
  takeReplies, type Reply,
} from "./helpers/tcp-harness.js";
import {
  type FrameOptions, type Segment, buildTcpFrame, parseSegmentFrame, seqAdd, text,
} from "./helpers/tcp-packets.js";

const NO_COOKIES = { syncookies: 0 };

function estab(): { b: Board; c: Conn } {
  return established({ config: NO_COOKIES });
}

describe("checksums (RFC 9293 §3.1)", () => {
  test("LISTEN: SYN with a bad TCP checksum → dropped, no SYN-ACK, tcp_drop_checksum counted", () => {
    const { b } = listening({ config: NO_COOKIES });
    const d = statsDelta(b, () => {
      send(b, synTo(b), { frame: { badTcpChecksum: true } });
      expectNothing(b);
    });
    expect(dropCounters(d)).toEqual(["tcp_drop_checksum"]);
    expect(d.syn_rx ?? 0).toBe(0);
  });

  test("CLOSED: a bad-checksum SYN to a closed port → no reset (the segment is not trusted)", () => {
    const { b } = listening({ config: NO_COOKIES });
    send(b, synTo(b, { dstPort: 81 }), { frame: { badTcpChecksum: true } });
    expectNothing(b);
    expect(b.stack.stats().tcp_rst_sent).toBe(0);
  });

  test("ESTABLISHED: data with a bad TCP checksum → dropped, not delivered, not acknowledged", () => {
    const { b, c } = estab();
    const d = statsDelta(b, () => {
      send(b, c.seg({ payload: text("corrupt") }), { frame: { badTcpChecksum: true } });
      expectNothing(b, { within: 500 });
    });
    expect(dropCounters(d)).toEqual(["tcp_drop_checksum"]);
    expect(b.stack.recv(c.handle)).toBeNull();
    c.peerSends(text("clean"));
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 5 })], { within: 200 });
  });

  test("ESTABLISHED: a checksum computed without the pseudo-header (other addresses) → dropped", () => {
    const { b, c } = estab();
    const frame = buildTcpFrame({ ...c.seg({ payload: text("spoof") }), srcIp: "10.0.0.99" });
    // Put the real source address back into the IPv4 header and fix only the IPv4 checksum.
    const ok = buildTcpFrame(c.seg({ payload: text("spoof") }));
    frame.set(ok.subarray(14, 34), 14);
    const d = statsDelta(b, () => {
      sendFrame(b, frame);
      expectNothing(b, { within: 300 });
    });
    expect(dropCounters(d)).toEqual(["tcp_drop_checksum"]);
    expect(b.stack.recv(c.handle)).toBeNull();
  });

  test("ESTABLISHED: a bad-checksum RST at RCV.NXT → ignored, the connection lives", () => {
    const { b, c } = estab();
    send(b, c.seg({ flags: RST }), { frame: { badTcpChecksum: true } });
    expectNothing(b);
    expect(c.state()).toBe(State.ESTABLISHED);
  });
});

describe("data offset (RFC 9293 §3.1)", () => {
  test.each([0, 1, 4])("LISTEN: SYN with data offset %i (< 5) → dropped, counted malformed, no reply", (off) => {
    const { b } = listening({ config: NO_COOKIES });
    const d = statsDelta(b, () => {
      send(b, synTo(b, { mss: undefined }), { frame: { dataOffset: off } });
      expectNothing(b);
    });
    expect(dropCounters(d)).toEqual(["tcp_drop_malformed"]);
  });

  test.each([
    ["6 on a 20-byte segment", 6, undefined],
    ["15 on a 24-byte segment", 15, 1460],
    ["8 on a 24-byte segment", 8, 1460],
  ])("LISTEN: SYN with data offset %s (past the segment) → dropped, counted malformed, no reply", (_n, off, mss) => {
    const { b } = listening({ config: NO_COOKIES });
    const d = statsDelta(b, () => {
      send(b, synTo(b, { mss }), { frame: { dataOffset: off } });
      expectNothing(b);
    });
    expect(dropCounters(d)).toEqual(["tcp_drop_malformed"]);
  });

  test("ESTABLISHED: data offset 7 over 8 NOP bytes → those bytes are options, only what follows is data", () => {
    const { b, c } = estab();
    // Offset 7 claims the first 8 payload bytes are options: 8 NOPs. The real data is "payload!".
    const seg = c.seg({ payload: Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, ...text("payload!")]) });
    send(b, seg, { frame: { dataOffset: 7 } });
    c.rcvNxt = seqAdd(c.rcvNxt, 8);
    expectReplies(b, [c.reply({ window: BOARD_WINDOW - 8 })], { within: 200 });
    expect(new TextDecoder().decode(c.appReads())).toBe("payload!");
  });

  test("ESTABLISHED: an IPv4 datagram too short for a TCP header (12 bytes) → dropped, counted, no reply", () => {
    const { b, c } = estab();
    const d = statsDelta(b, () => {
      send(b, c.seg(), { frame: { truncateTcpTo: 12 } });
      expectNothing(b);
    });
    expect(dropCounters(d)).toEqual(["tcp_drop_malformed"]);
    expect(c.state()).toBe(State.ESTABLISHED);
  });
});

describe("options (RFC 9293 §3.1, §3.2)", () => {
  test.each([
    ["an option of length 0", [99, 0, 0, 0]],
    ["an option of length 1", [99, 1, 0, 0]],
    ["an option whose length runs past the header", [99, 8, 0, 0]],
    ["an MSS option of length 3", [2, 3, 5, 0]],
    ["an MSS option of length 2", [2, 2, 1, 1]],
    ["an MSS kind as the last byte, no length", [1, 1, 1, 2]],
    ["an MSS option cut by the end of the header", [1, 1, 2, 4]],
  ])("LISTEN: SYN with %s → dropped, counted malformed, no SYN-ACK, no half-open entry", (_n, opts) => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const d = statsDelta(b, () => {
      send(b, synTo(b, { mss: undefined, options: Uint8Array.from(opts) }));
      expectNothing(b);
    });
    expect(dropCounters(d)).toEqual(["tcp_drop_malformed"]);
    expect(b.stack.list().filter((e) => e.handle !== listener)).toEqual([]);
  });

  test("ESTABLISHED: data with a zero-length option → dropped, not delivered, not acknowledged", () => {
    const { b, c } = estab();
    const d = statsDelta(b, () => {
      send(b, c.seg({ payload: text("evil"), options: Uint8Array.of(1, 30, 0, 0) }));
      expectNothing(b, { within: 300 });
    });
    expect(dropCounters(d)).toEqual(["tcp_drop_malformed"]);
    expect(b.stack.recv(c.handle)).toBeNull();
  });

  test("LISTEN: options after EOL are ignored: EOL then MSS 1200 → the peer MSS stays the default 536", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const syn = synTo(b, { mss: undefined, options: Uint8Array.of(0, 0, 0, 0, 2, 4, 0x04, 0xb0) });
    send(b, syn);
    const [sa] = expectReplies(b, [synAckFor(syn)]);
    send(b, { ...syn, options: undefined, flags: ACK, seq: seqAdd(syn.seq, 1), ack: seqAdd(sa.seg.seq, 1) });
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h).snd_mss).toBe(DEFAULT_MSS);
  });

  test("LISTEN: 36 NOPs then MSS 1000 (a full 40-byte option list) → SYN-ACK, MSS 1000 honoured", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const opts = new Uint8Array(40).fill(1);
    opts.set([2, 4, 0x03, 0xe8], 36);
    const syn = synTo(b, { mss: undefined, options: opts });
    send(b, syn);
    const [sa] = expectReplies(b, [synAckFor(syn)]);
    send(b, { ...syn, options: undefined, flags: ACK, seq: seqAdd(syn.seq, 1), ack: seqAdd(sa.seg.seq, 1) });
    const h = b.stack.accept(listener)!;
    expect(b.stack.status(h).snd_mss).toBe(1000);
  });

  test("LISTEN: SYN with the reserved bits and CWR/ECE set → answered as usual (reserved bits are ignored on receipt)", () => {
    const { b } = listening({ config: NO_COOKIES });
    const syn = synTo(b, { flags: SYN | 0xc0 });
    send(b, syn, { frame: { reserved: 0x0f } });
    expectReplies(b, [synAckFor(syn)]);
  });

  test("LISTEN: SYN with MSS 0 → no trap; if answered, the board never sends zero-length data segments", () => {
    const { b, listener } = listening({ config: NO_COOKIES });
    const syn = synTo(b, { mss: 0 });
    send(b, syn);
    const replies = takeReplies(b);
    if (replies.length === 0) return;
    expect(replies[0].seg.flags).toBe(SYN | ACK);
    send(b, { ...syn, mss: undefined, flags: ACK, seq: seqAdd(syn.seq, 1), ack: seqAdd(replies[0].seg.seq, 1) });
    const h = b.stack.accept(listener);
    expect(h).not.toBeNull();
    expect(b.stack.send(h!, text("mss zero"))).toBe(8);
    const out = takeReplies(b);
    for (const r of out) expect(r.seg.payload.length).toBeGreaterThan(0);
    expect(b.stack.status(h!).snd_mss).toBeGreaterThan(0);
  });
});

// ---------- fuzz ----------

/** xorshift32, seeded: the fuzz is the same on every run. */
function rng(seed: number): { u32(): number; below(n: number): number; chance(p: number): boolean; bytes(n: number): Uint8Array } {
  let s = seed >>> 0 || 1;
  const u32 = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  return {
    u32,
    below: (n) => u32() % n,
    chance: (p) => u32() / 0x100000000 < p,
    bytes: (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = u32() & 0xff; return b; },
  };
}

/** A random segment around `base`, and frame-level damage now and then. */
function randomFrame(r: ReturnType<typeof rng>, base: Segment): { frame: Uint8Array; seg: Segment } {
  const optLen = r.chance(0.3) ? r.below(11) * 4 : 0;
  const seg: Segment = {
    ...base,
    srcPort: r.chance(0.9) ? base.srcPort : r.below(65536),
    dstPort: r.chance(0.9) ? base.dstPort : r.below(65536),
    seq: r.chance(0.5) ? seqAdd(base.seq, r.below(20000) - 10000) : r.u32(),
    ack: r.chance(0.5) ? seqAdd(base.ack, r.below(200) - 100) : r.u32(),
    flags: r.u32() & 0xff,
    window: r.below(65536),
    urgent: r.chance(0.8) ? 0 : r.below(65536),
    mss: undefined,
    options: optLen ? r.bytes(optLen) : undefined,
    payload: r.chance(0.5) ? r.bytes(r.below(200)) : new Uint8Array(0),
  };
  const fo: FrameOptions = {};
  if (r.chance(0.1)) fo.badTcpChecksum = true;
  if (r.chance(0.05)) fo.dataOffset = r.below(16);
  if (r.chance(0.03)) fo.truncateTcpTo = r.below(20);
  if (r.chance(0.05)) fo.reserved = r.below(16);
  const frame = buildTcpFrame(seg, { srcMac: "02:00:00:00:00:02", dstMac: "02:00:00:00:00:01", ...fo });
  if (r.chance(0.1)) {
    // Flip a few bytes anywhere after the Ethernet header.
    for (let k = 1 + r.below(4); k > 0; k--) frame[14 + r.below(frame.length - 14)] ^= 1 + r.below(255);
  }
  return { frame, seg };
}

/** Replies a board may give to any one segment: none, one RST that follows the segment, one SYN-ACK to a SYN, or a pure ACK. */
function checkFuzzReply(sent: ReturnType<typeof parseSegmentFrame>, replies: Reply[], why: string, ownConnection = false): void {
  expect(replies.length, why).toBeLessThanOrEqual(1);
  if (replies.length === 0) return;
  const r = replies[0];
  expect(r.ip.checksumValid && r.tcp.checksumValid, why).toBe(true);
  expect(r.seg.dstIp, why).toBe(PEER_IP);
  expect(r.seg.payload.length, why).toBe(0);
  expect(sent, `${why}: a reply to a segment that was not valid TCP`).not.toBeNull();
  const s = sent!.seg;
  expect([r.seg.srcPort, r.seg.dstPort], why).toEqual([s.dstPort, s.srcPort]);
  const f = r.seg.flags;
  // A RST is never answered with a RST (§3.10.7.1); an in-window one may draw a challenge ACK (RFC 5961 §3.2).
  if (s.flags & RST) expect(f, `${why}: a reply to a RST`).toBe(ACK);
  if (f & RST) {
    expect(ownConnection, `${why}: a synchronized connection reset by a segment on its own 4-tuple`).toBe(false);
    if (s.flags & ACK) expect([f, r.seg.seq], why).toEqual([RST, s.ack]);
    else expect([f, r.seg.seq, r.seg.ack], why).toEqual([RST | ACK, 0, seqAdd(s.seq, sent!.segLen)]);
  } else if (f & SYN) {
    expect(f, why).toBe(SYN | ACK);
    expect(s.flags & SYN, `${why}: SYN-ACK to a segment without SYN`).toBe(SYN);
  } else {
    expect(f, why).toBe(ACK);
  }
}

describe("fuzz: 10,000 random and mutated segments (bad input is a counter, never a trap)", () => {
  test("LISTEN: 10,000 random segments → no trap, only RFC replies, memory unchanged, a real client still connects", () => {
    const { b, listener } = listening({ config: { syncookies: 1 } });
    const mem = b.stack.exports.memory.buffer.byteLength;
    const r = rng(0xf00d);
    const base = synTo(b);
    for (let i = 0; i < 10_000; i++) {
      const { frame } = randomFrame(r, { ...base, srcPort: 1024 + r.below(64000) });
      const parsed = parseSegmentFrame(frame);
      const valid = parsed !== null && parsed.ip.checksumValid && parsed.tcp.checksumValid && parsed.ip.dst === "10.0.0.2";
      sendFrame(b, frame);
      checkFuzzReply(valid ? parsed : null, takeReplies(b), `fuzz segment ${i}`);
      if (i % 1000 === 999) { advance(b, 100); takeReplies(b); }
    }
    expect(b.stack.exports.memory.buffer.byteLength).toBe(mem);
    while (b.stack.accept(listener) !== null) { /* drain anything a lucky segment completed */ }
    // Half-open entries the fuzz created live out their SYN-ACK retries (at most tcp_max_retries RTOs of
    // at most rto_max_ms: well under 300 s); then a real client connects.
    advance(b, 300_000);
    takeReplies(b);
    const syn = synTo(b, { srcPort: 7777, seq: 123 });
    send(b, syn);
    const [sa] = takeReplies(b);
    expect([sa.seg.flags, sa.seg.ack, sa.seg.dstPort]).toEqual([SYN | ACK, 124, 7777]);
    send(b, { ...syn, mss: undefined, flags: ACK, seq: 124, ack: seqAdd(sa.seg.seq, 1) });
    const h = b.stack.accept(listener);
    expect(h).not.toBeNull();
    expect(b.stack.state(h!)).toBe(State.ESTABLISHED);
  });

  test("ESTABLISHED: 10,000 random and mutated segments → no trap, only ACKs and correct resets, memory unchanged, the connection still carries data both ways", () => {
    const { b, c } = estab();
    const mem = b.stack.exports.memory.buffer.byteLength;
    const r = rng(0xbeef);
    for (let i = 0; i < 10_000; i++) {
      const st = c.status();
      const { frame } = randomFrame(r, c.seg({ seq: st.rcv_nxt, ack: st.snd_nxt }));
      const parsed = parseSegmentFrame(frame);
      const valid = parsed !== null && parsed.ip.checksumValid && parsed.tcp.checksumValid && parsed.ip.dst === "10.0.0.2";
      const mine = valid && parsed!.seg.srcPort === c.peerPort && parsed!.seg.dstPort === c.boardPort;
      // Leave out the few segments the RFC says end the connection: a FIN, or a RST exactly at RCV.NXT.
      if (mine && (parsed!.seg.flags & FIN || (parsed!.seg.flags & RST && parsed!.seg.seq === st.rcv_nxt))) continue;
      sendFrame(b, frame);
      const replies = takeReplies(b);
      checkFuzzReply(valid ? parsed : null, replies, `fuzz segment ${i}`, mine);
      if (replies.length && mine && !(replies[0].seg.flags & RST)) {
        const after = c.status();
        expect([replies[0].seg.seq, replies[0].seg.ack], `ACK numbers after fuzz segment ${i}`).toEqual([after.snd_nxt, after.rcv_nxt]);
      }
      expect(c.state(), `state after fuzz segment ${i}`).toBe(State.ESTABLISHED);
      c.appReads(); // keep the receive window open
      if (i % 500 === 499) { advance(b, 250); takeReplies(b); }
    }
    expect(b.stack.exports.memory.buffer.byteLength).toBe(mem);
    // Still working: data in, data out.
    const st = c.status();
    c.rcvNxt = st.rcv_nxt;
    c.sndNxt = st.snd_nxt;
    c.wnd = st.rcv_wnd;
    send(b, c.seg({ window: 65535 }));
    takeReplies(b);
    c.peerSends(text("after the storm"));
    const acks = takeReplies(b);
    advance(b, 200);
    acks.push(...takeReplies(b));
    expect(acks.length).toBeGreaterThanOrEqual(1);
    expect(acks[acks.length - 1].seg.ack).toBe(c.rcvNxt);
    expect(new TextDecoder().decode(c.appReads())).toBe("after the storm");
    expect(c.appSends(text("calm"))).toBe(4);
    const out = takeReplies(b).filter((x) => x.seg.payload.length > 0);
    expect(out.map((x) => new TextDecoder().decode(x.seg.payload))).toEqual(["calm"]);
    expect(out[0].seg.seq).toBe(c.sndNxt);
  });
});

