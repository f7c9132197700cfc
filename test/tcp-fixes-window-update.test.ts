/**
 * Receiver window updates against a sender blocked on the window (RFC 1122
 * §4.2.3.3 and §4.2.3.4, RFC 9293 §3.8.6.2): once the application has read
 * enough to move the right edge by min(RCV.BUFF/2, MSS), the board sends the
 * window update at once, from tcp_recv, without waiting for its delayed-ACK
 * timer. A regression test for the 200 ms stalls seen from Linux over the
 * TAP: those came from the simulator (docs/TCP.md "Window updates"), and
 * these tests pin down that the TCP side is not a cause.
 */
import { describe, expect, test } from "vitest";
import { BOARD_WINDOW, established, expectNothing, expectReplies, send, takeReplies } from "./helpers/tcp-harness.js";
import { concat, pattern, seqAdd } from "./helpers/tcp-packets.js";

const MSS = 1460;

describe("ESTABLISHED: window update when the application drains the ring", () => {
  test("ESTABLISHED: the peer fills the window (1460 + 1460 + 1176) and is blocked → the app's reads send one window update at the same instant, with the whole window", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    c.peerSends(pattern(MSS, 1));
    c.peerSends(pattern(MSS, 2));
    c.peerSends(pattern(BOARD_WINDOW - 2 * MSS, 3));
    // The window is full: the ACK owed waits (at most 1 ms) for the read that reopens it.
    expectNothing(b);
    const t = b.now;
    // Reads that leave data in the ring: the application reads on in this pass, the update waits for the last read.
    expect(c.appReads(MSS)).toEqual(pattern(MSS, 1));
    expectNothing(b);
    expect(b.stack.recv(c.handle, 1536)).toEqual(concat(pattern(MSS, 2), pattern(BOARD_WINDOW - 2 * MSS, 3)).subarray(0, 1536));
    expectNothing(b);
    // The read that drains the ring sends it: one segment reopening all 4096 bytes.
    expect(b.stack.recv(c.handle, 1536)).toHaveLength(BOARD_WINDOW - MSS - 1536);
    const [u] = expectReplies(b, [c.reply({ window: BOARD_WINDOW })]);
    expect(u.at).toBe(t);
    expectNothing(b, { within: 100 });
  });

  test("ESTABLISHED: the peer fills the window, the app reads part of it and stops → the update goes 1 ms later (RFC 9293 §3.8.6.2.2)", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    c.peerSends(pattern(MSS, 1));
    c.peerSends(pattern(MSS, 2));
    c.peerSends(pattern(BOARD_WINDOW - 2 * MSS, 3));
    const t = b.now;
    expect(c.appReads(MSS)).toEqual(pattern(MSS, 1));
    expectNothing(b);
    const [u] = expectReplies(b, [c.reply({ window: MSS })], { within: 10 });
    expect(u.at - t).toBe(1);
  });

  test("ESTABLISHED: one full segment in the 4 KiB window, the app reads it → the update goes out at once, since less than two segments' room was left", () => {
    const { b, c } = established({ config: { syncookies: 0 } });
    c.peerSends(pattern(MSS, 1));
    // The first full segment alone: the ACK may be delayed (RFC 1122 §4.2.3.2).
    expectNothing(b);
    const t = b.now;
    expect(c.appReads(MSS)).toEqual(pattern(MSS, 1));
    // 2636 bytes of window left cannot hold two more full segments: without
    // this update the sender would idle until our delayed ACK.
    const [u] = expectReplies(b, [c.reply({ window: BOARD_WINDOW })]);
    expect(u.at).toBe(t);
  });

  test.each([1536, 512])("1 MB from an RFC 1122 sender (Fs = 1/2, 1 ms each way), app reads of %i bytes after every segment → no delayed ACK, no pause", (chunk) => {
    const { b, c } = established({ config: { syncookies: 0 } });
    let nxt = c.rcvNxt;
    let edge = seqAdd(c.rcvNxt, BOARD_WINDOW);
    let maxWnd = BOARD_WINDOW;
    const flying: { seq: number; len: number; at: number }[] = [];
    let got = 0;
    let lastProgress = b.now;
    let longestPause = 0;
    while (got < 1_000_000) {
      // RFC 1122 §4.2.3.4: a full segment, or at least Fs·max window.
      for (;;) {
        const usable = (edge - nxt) | 0;
        const len = usable >= MSS ? MSS : usable >= maxWnd / 2 ? usable : 0;
        if (len === 0) break;
        flying.push({ seq: nxt, len, at: b.now + 1 });
        nxt = seqAdd(nxt, len);
      }
      const s = flying[0];
      if (s && s.at <= b.now) {
        flying.shift();
        send(b, c.seg({ seq: s.seq, payload: pattern(s.len, 5) }));
        for (;;) {
          const r = b.stack.recv(c.handle, chunk);
          if (r === null || r.length === 0) break;
          got += r.length;
          longestPause = Math.max(longestPause, b.now - lastProgress);
          lastProgress = b.now;
        }
      } else {
        b.now += 1;
        b.poll();
      }
      // The board's segments reach the peer 1 ms later; close enough to apply now for the window.
      for (const r of takeReplies(b)) {
        const e = seqAdd(r.seg.ack, r.seg.window);
        if (((e - edge) | 0) > 0) edge = e;
        maxWnd = Math.max(maxWnd, r.seg.window);
      }
      if (b.now - lastProgress > 5000) break;
    }
    expect(got).toBeGreaterThanOrEqual(1_000_000);
    expect(b.stack.stats().tcp_delayed_acks).toBe(0);
    expect(longestPause).toBeLessThanOrEqual(2);
  });
});
