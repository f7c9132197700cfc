/**
 * A fast retransmission stays inside the peer's window and inside what was
 * sent, packet by packet. RFC 9293 §3.8.6.2.1 and RFC 1122 §4.2.2.16: a
 * sender never sends beyond SND.UNA + SND.WND; RFC 5681 §3.2: on the third
 * duplicate ACK the sender retransmits "what appears to be the missing
 * segment", so bytes that were never sent are not "retransmitted" (they
 * would be acknowledged past SND.NXT, and such ACKs are dropped).
 */
import { describe, expect, test } from "vitest";
import { ACK, type Board, type Conn, established, expectNothing, expectReplies, send, statsDelta, takeReplies } from "./helpers/tcp-harness.js";
import { pattern, seqAdd } from "./helpers/tcp-packets.js";

/** ESTABLISHED (passive) with a peer that has just shrunk its window to `wnd` bytes. */
function withPeerWindow(wnd: number): { b: Board; c: Conn } {
  const { b, c } = established({ config: { syncookies: 0 } });
  c.peerWnd = wnd;
  send(b, c.seg());
  expectNothing(b);
  expect(c.status().snd_wnd).toBe(wnd);
  return { b, c };
}

describe("fast retransmit within the window (RFC 9293 §3.8.6.2.1, RFC 1122 §4.2.2.16, RFC 5681 §3.2)", () => {
  test("ESTABLISHED, peer window 409, 2000 bytes queued: 409 go out; three duplicate ACKs → the same 409 bytes again, not a full MSS", () => {
    const { b, c } = withPeerWindow(409);
    const data = pattern(2000, 7);
    // Two writes (net_scratch holds 1536 bytes); the window lets out 409 with the first.
    expect(c.appSends(data.subarray(0, 1000)) + c.appSends(data.subarray(1000))).toBe(2000);
    expectReplies(b, [c.reply({ payload: data.subarray(0, 409) })]);
    const first = c.sndNxt;
    // The peer repeats its ACK of SND.UNA three times, same window (RFC 5681 §2 duplicate ACKs).
    send(b, c.seg());
    send(b, c.seg());
    expectNothing(b);
    const d = statsDelta(b, () => send(b, c.seg()));
    expect(d.tcp_fast_retransmits).toBe(1);
    expectReplies(b, [c.reply({ seq: first, payload: data.subarray(0, 409) })]);
    const st = c.status();
    expect(st.snd_una >>> 0).toBe(first >>> 0);
    expect((st.snd_nxt - st.snd_una) >>> 0, "SND.NXT stays at the window's edge").toBe(409);
    // The peer takes the 409 bytes and opens its window: the rest follows, in order, none skipped.
    c.sndNxt = seqAdd(c.sndNxt, 409);
    c.peerWnd = 4000;
    send(b, c.seg({ flags: ACK }));
    const [next] = takeReplies(b);
    expect(next.seg.seq >>> 0).toBe(c.sndNxt >>> 0);
    expect(Buffer.from(next.seg.payload)).toEqual(Buffer.from(data.subarray(409, 409 + next.seg.payload.length)));
  });

  test("ESTABLISHED, peer window 1000, 1000 bytes sent in one segment: duplicate ACKs resend at most those 1000 bytes", () => {
    const { b, c } = withPeerWindow(1000);
    const data = pattern(1500, 9);
    c.appSends(data);
    expectReplies(b, [c.reply({ payload: data.subarray(0, 1000) })]);
    for (let i = 0; i < 3; i++) send(b, c.seg());
    expectReplies(b, [c.reply({ payload: data.subarray(0, 1000) })]);
  });
});
