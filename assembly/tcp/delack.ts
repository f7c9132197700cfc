// When the receiver acknowledges: the delayed-ACK policy (RFC 9293
// §3.8.6.3, RFC 1122 §4.2.3.2, RFC 5681 §4.2) and the window update after
// the application reads (RFC 9293 §3.8.6.2.2).
//
// An ACK is delayed to save segments (one ACK for two full segments halves
// the ACK load of a bulk transfer, which shares a half-duplex 10BASE-T wire
// with the data), to ride on the application's reply, and to carry the
// window the application's read opens. It is sent at once:
//  - for the second full-sized segment not yet acknowledged (RFC 9293
//    §3.8.6.3: "at least every second full-sized segment"; a short segment
//    after a full one does not count, it is not full-sized);
//  - for out-of-order data and for data that fills a gap (RFC 5681 §4.2),
//    which the callers flag themselves;
//  - while a gap is being repaired, every segment ("quick ACKs" during the
//    sender's recovery: each duplicate or partial ACK clocks out a
//    retransmission or new data, RFC 5681 §4.2, RFC 6582 §3.2);
//  - from tcp_recv, when the read opens a window the sender is waiting for
//    (less than half the ring or two full segments were left).
// Otherwise it waits up to `delack_ms` (40 ms by default, Linux's minimum
// delayed-ACK time; RFC 1122 caps it at 500 ms) for a read, and once the
// application has drained the receive ring at most ACK_AFTER_DRAIN_MS
// more: the window cannot open further and a reply written in the same pass
// has already carried the ACK, so only a second back-to-back segment is
// still worth waiting for (1.2 ms of 10BASE-T wire plus 1.5 ms of SPI at
// 8 MHz for a full frame). Not after a segment that carried PSH: its
// sender has sent all it had or filled its send ring, so nothing follows
// back to back, and the ACK goes by the next poll (ACK_AFTER_READ_MS; the
// same signal as Linux's "pushed" ACK state). Between two boards with
// 4 KiB rings the ring's 1176-byte tail is such a segment: its ACK, held
// for the next full one, left the sender's wire idle 0.65 ms per ring.

import { TCP_RX_BUF } from "../config";
import { nowMs } from "../time";
import { OUR_MSS } from "./rules";
import { F, Tcb, hasFlag, pushedOwed, setFlag, setPushedOwed } from "./tcb";
import { armDelack } from "./deadlines";

/** The longest an ACK waits once the application has read everything. */
// @ts-ignore: decorator
@inline const ACK_AFTER_DRAIN_MS: u32 = 5;

/**
 * The wait of an ACK that should carry the window the application's next
 * read opens: the smallest the millisecond clock expresses. net_poll
 * receives frames (link 1) and then runs the timers, and the application
 * reads after the poll (docs/EMBEDDING.md "The poll loop"), so a deadline
 * of now would send the ACK before the read and advertise a window the
 * read is about to open.
 */
// @ts-ignore: decorator
@inline const ACK_AFTER_READ_MS: u32 = 1;

/** Less than half the ring (or two full segments) is left to the sender: the read, not the timer, should send the ACK. */
function windowClosing(t: Tcb): bool {
  const closing = max<i32>(TCP_RX_BUF >> 1, 2 * <i32>OUR_MSS);
  return <i32>(t.rcvAdv - t.rcvNxt) < closing;
}

/** Owe an ACK within `ms` at the latest (an earlier deadline stands). */
function ackWithin(t: Tcb, ms: u32): void {
  armDelack(t);
  const at = nowMs() + ms;
  if (<i32>(t.delackAt - at) > 0) t.delackAt = at;
}

/**
 * In-order text of `len` bytes just arrived (no gap was filled): ACK now
 * or arm the timer. `pushed`: it carried PSH. A short or pushed segment
 * after an unacknowledged full one ends the sender's burst (nothing more
 * comes back to back, the same signal as Linux's "pushed" ACK state), so
 * its ACK waits only for the read, not for a second segment that is not
 * coming; a lone short segment keeps the delayed ACK and may ride on the
 * application's reply. The ACK for a second full-sized segment waits for the
 * read that follows the poll when the window it would advertise is
 * closing: sent before the read it tells the sender only of the sliver left
 * (a runt and then one segment per read would follow); sent by the read it
 * reopens the whole window in one segment.
 */
export function ackInOrder(t: Tcb, len: i32, pushed: bool): void {
  const full = len >= <i32>t.sndMss;
  if (pushed) setPushedOwed(t, true); // cleared when an ACK goes (sendSegment)
  if ((pushed || !full) && hasFlag(t, <u16>F.ONE_FULL)) { ackWithin(t, ACK_AFTER_READ_MS); return; }
  if (full && hasFlag(t, <u16>F.ONE_FULL)) {
    if (windowClosing(t)) ackWithin(t, ACK_AFTER_READ_MS);
    else setFlag(t, <u16>F.ACK_NOW);
    return;
  }
  if (full) setFlag(t, <u16>F.ONE_FULL);
  armDelack(t);
}

/**
 * After tcp_recv took bytes: true when the window update must go now (the
 * read moved the right edge by a step while the window was closing, and
 * emptied the ring: the sender waits for it and the application has
 * nothing more to read). A read that leaves data in the ring is most
 * likely followed by another in the same pass, so the update goes by the
 * next poll (ACK_AFTER_READ_MS) with the window all the reads opened, as
 * one segment. Otherwise an update that is due rides on the delayed ACK,
 * and a drained ring shortens the wait of an ACK that is owed: to the next
 * poll when it covers a pushed segment, ACK_AFTER_DRAIN_MS otherwise.
 */
export function ackAfterRead(t: Tcb, updateDue: bool): bool {
  if (updateDue && windowClosing(t)) {
    if (t.rxLen == 0) return true;
    ackWithin(t, ACK_AFTER_READ_MS);
    return false;
  }
  if (updateDue) armDelack(t);
  if (t.rxLen == 0 && hasFlag(t, <u16>F.DELACK)) ackWithin(t, pushedOwed(t) ? ACK_AFTER_READ_MS : ACK_AFTER_DRAIN_MS);
  return false;
}
