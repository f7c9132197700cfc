/**
 * FIN-WAIT-2 timeout, packet by packet. RFC 9293 §3.10.4 lets a connection
 * the user has closed wait in FIN-WAIT-2 for the peer's FIN for ever; a peer
 * that never sends it would keep the TCB. The board gives up 2·MSL (msl_ms
 * × 2, 60 s by default, as Linux's tcp_fin_timeout) after entering
 * FIN-WAIT-2 or after the peer's last new data: it resets the peer and frees
 * the TCB (docs/TCP.md "FIN-WAIT-2").
 */
import { describe, expect, test } from "vitest";
import {
  ACK, FIN, RST, State, type Board, type Conn, advance, advanceTo, expectNothing, expectReplies,
  finWait2, send, statusOrNull,
} from "./helpers/tcp-harness.js";
import { pattern, seqAdd } from "./helpers/tcp-packets.js";

/** tcp_list rows of this connection (the listener's row excluded). */
function rows(b: Board, c: Conn) {
  return b.stack.list().filter((e) => e.state !== State.LISTEN && e.remotePort === c.peerPort);
}

/** FIN-WAIT-2 (the harness's), with the time it was entered. */
function finWait2At(config: Record<string, number> = {}): { b: Board; c: Conn; enteredAt: number } {
  const { b, c } = finWait2({ config: { syncookies: 0, ...config } });
  return { b, c, enteredAt: b.now };
}

describe("FIN-WAIT-2 timeout (RFC 9293 §3.10.4)", () => {
  test.each([
    ["default msl_ms (30 s)", {}, 60_000],
    ["msl_ms 5000", { msl_ms: 5000 }, 10_000],
  ])("FIN-WAIT-2 (%s): the peer never sends its FIN → nothing until 2·MSL, then RST <SEQ=SND.NXT>, the TCB freed", (_n, config, timeout) => {
    const { b, c, enteredAt } = finWait2At(config);
    advanceTo(b, enteredAt + timeout - 1);
    expectNothing(b);
    expect(c.state()).toBe(State.FIN_WAIT_2);
    expect(rows(b, c)).toHaveLength(1);
    advanceTo(b, enteredAt + timeout);
    const [rst] = expectReplies(b, [c.reply({ flags: RST, ack: 0, window: 0 })]);
    expect(rst.at).toBe(enteredAt + timeout);
    expect(rows(b, c)).toEqual([]);
    expect(statusOrNull(b, c.handle)).toBeNull();
    // The 4-tuple is gone: the peer's late FIN gets a reset (RFC 9293 §3.10.7.1).
    send(b, c.seg({ flags: FIN | ACK }));
    expectReplies(b, [c.reply({ flags: RST, ack: 0, window: 0 })]);
  });

  test("FIN-WAIT-2: the peer's FIN 1 ms before the timeout → ACK, TIME-WAIT for 2·MSL, then freed without a RST", () => {
    const { b, c, enteredAt } = finWait2At({ msl_ms: 5000 });
    advanceTo(b, enteredAt + 9_999);
    c.peerFin();
    expectReplies(b, [c.reply()]);
    expect(c.state()).toBe(State.TIME_WAIT);
    const twAt = b.now;
    advance(b, 1);
    expectNothing(b);
    expect(c.state()).toBe(State.TIME_WAIT);
    advanceTo(b, twAt + 9_999);
    expect(c.state()).toBe(State.TIME_WAIT);
    advanceTo(b, twAt + 10_000);
    expectNothing(b);
    expect(rows(b, c)).toEqual([]);
  });

  test("FIN-WAIT-2: new data from the peer restarts the timer (a half-closed connection that still receives is not idle)", () => {
    const { b, c, enteredAt } = finWait2At({ msl_ms: 5000 });
    advanceTo(b, enteredAt + 8_000);
    const dataAt = b.now;
    c.peerSends(pattern(100, 7));
    expectReplies(b, [c.reply({ window: 4096 - 100 })], { within: 200 });
    expect(c.appReads()).toEqual(pattern(100, 7));
    advanceTo(b, dataAt + 9_000);
    expect(c.state()).toBe(State.FIN_WAIT_2);
    // A repeated old segment is not new data: it does not restart the timer.
    send(b, c.seg({ seq: seqAdd(c.rcvNxt, -100), payload: pattern(100, 7) }));
    expectReplies(b, [c.reply({ window: 4096 - 100 })]);
    advanceTo(b, dataAt + 10_000 - 1);
    expectNothing(b);
    expect(c.state()).toBe(State.FIN_WAIT_2);
    advance(b, 1);
    expectReplies(b, [c.reply({ flags: RST, ack: 0, window: 0 })]);
    expect(rows(b, c)).toEqual([]);
  });
});
