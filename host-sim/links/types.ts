/**
 * The link seam of the simulator: a link end is a port that carries whole
 * Ethernet wire frames, each followed by its 4-byte FCS (IEEE 802.3 §3.2.9),
 * the way the ENC28J60 puts them on and takes them off the cable.
 *
 * Contract shared by every implementation in this folder:
 * - `send(frame)` copies the bytes before returning, so the caller may reuse
 *   its buffer; it never calls any `onFrame` synchronously (in-process
 *   deliveries go through a Clock, I/O deliveries come from I/O callbacks),
 *   so a receiver that replies from inside `onFrame` cannot re-enter itself.
 * - a frame passed to `onFrame` belongs to the receiver.
 * - nothing throws for bad wire data or a lost device: frames are dropped and
 *   counted in `stats()`, a device that goes away is reported via `onDown`.
 */

/** Named counters; every implementation documents its names. */
export type LinkStats = Record<string, number>;

/** One end of a link: a frame port. */
export interface LinkEnd {
  /** Transmit one wire frame (with FCS) towards the peer(s). */
  send(frame: Uint8Array): void;
  /** Receives each frame that arrives at this end; null discards them. */
  onFrame: ((frame: Uint8Array) => void) | null;
  /** Called once if the underlying device goes away (unplugged tty, killed peer). */
  onDown: ((reason: string) => void) | null;
  /** Stop sending and receiving; idempotent. */
  close(): void;
  /** A snapshot of the counters (frames/bytes in and out, drops by reason). */
  stats(): LinkStats;
}

/** Smallest wire frame accepted by receivers that validate: header + FCS. */
export const MIN_WIRE_FRAME = 14 + 4;
/** Largest untagged Ethernet frame (1518) plus room for an 802.1Q tag. */
export const MAX_WIRE_FRAME = 1518 + 4;

/** A fresh counter object with the given names set to zero. */
export function zeroStats<K extends string>(...names: K[]): Record<K, number> {
  const s = {} as Record<K, number>;
  for (const n of names) s[n] = 0;
  return s;
}
