// When a segment shorter than the MSS may go out: Nagle's algorithm (RFC 896,
// RFC 1122 §4.2.3.4, RFC 9293 §3.7.4) in Minshall's variant
// (draft-minshall-nagle-01, also Linux's tcp_minshall_check), and the sender
// side of silly-window-syndrome avoidance (RFC 9293 §3.8.6.2.1).
//
// Classic Nagle holds a short segment while ANY data is unacknowledged. On a
// long path whose send ring or window is not a multiple of the MSS, every
// window then ends in a short segment that waits a whole round trip behind
// the full ones (and, at a delayed-ACK receiver, for its timer too).
// Minshall's variant holds a short segment only while another SHORT segment
// is unacknowledged: full segments flow freely and still at most one short
// segment per round trip is in flight, which is what Nagle is for (no flood
// of tinygrams). A runt cut by the window's right edge obeys the same bound,
// so a receiver that opens its window a few bytes at a time still gets at
// most one runt per round trip (sender SWS avoidance).
//
// While the application is writing (tcp_send), a short tail is held as in
// classic Nagle unless the send ring is full: writes are at most
// net_scratch_size bytes, so a bulk writer is usually about to add more, and
// sending each write's tail would cut the stream into a full segment and a
// runt per write (Linux's autocorking makes the same bet). The output that
// follows an ACK applies Minshall's rule.
//
// A tail that ends a full send ring goes at once, even while another short
// segment is unacknowledged: no byte can join it before an ACK frees room,
// so holding it only delays it by a round trip. This matters once the
// segment boundaries have slipped off the ring's (after a retransmission,
// or a lone short write): every round trip then starts with the short
// remainder the ACK leaves and ends with a short tail, and Minshall's rule
// held that tail for a whole round trip, round after round (a 16 KiB ring
// on a 100 ms path moved 15,492 bytes per round trip instead of 16,384).
// The bound Nagle is for still holds: the tail is the last bytes the
// application could write, and the next one needs an ACK to free room
// first, so short segments do not multiply.
//
// State: one sequence number, the end of the last short segment sent
// (Tcb.nagleEnd), "unacknowledged" while it lies in (SND.UNA, SND.MAX].

import { TCP_TX_HOLD } from "../config";
import { ConfigKey, config } from "../netconfig";
import { seqGt, seqLe } from "./seq";
import { Tcb, nagleOn } from "./tcb";

/** A segment shorter than the MSS is sent and not yet acknowledged. */
// @ts-ignore: decorator
@inline function shortUnacked(t: Tcb): bool {
  return seqGt(t.nagleEnd, t.sndUna) && seqLe(t.nagleEnd, t.sndMax);
}

/**
 * Hold back a segment of `len` bytes (0 < len) now? `all`: it carries all
 * the queued data (short because the data ends there, not the window);
 * `finDue`: the FIN follows it (a close pushes the tail, RFC 9293 §3.10.4);
 * `writing`: the output runs inside tcp_send.
 */
export function holdShort(t: Tcb, len: i32, all: bool, finDue: bool, writing: bool): bool {
  if (len >= <i32>t.sndMss || t.sndNxt == t.sndUna) return false;
  // Cut by the window's edge (!all): sender SWS avoidance, whatever NODELAY says.
  if (all) {
    if (!nagleOn(t) || finDue) return false;
    if (<i32>t.txLen >= TCP_TX_HOLD) return false;
    if (writing) return true;
  }
  return shortUnacked(t);
}

/** Note a segment of `len` bytes sent at `seq` (the end of the last short one). */
export function nagleSent(t: Tcb, seq: u32, len: i32): void {
  if (len > 0 && len < <i32>t.sndMss) t.nagleEnd = seq + <u32>len;
}
