// The SYN queue: half-open (SYN-RECEIVED) connections of every listener,
// kept as small records in one static pool of SYN_QUEUE entries instead of
// TCBs (RFC 4987 §3.1 and §3.2 name the per-SYN state as what a SYN flood
// exhausts; keeping it small and bounded is the first defence). A TCB is
// taken only when the handshake completes (tcp/passive.ts).
//
// Layout of one entry (24 bytes, naturally aligned):
//
//    0 remoteIp u32        4 iss u32             8 irs u32
//   12 deadline u32 (ms, next SYN-ACK retransmission or expiry)
//   16 remotePort u16     18 localPort u16      20 peerMss u16
//   22 retries u8 (SYN-ACK retransmissions so far; bit 7: the SYN-ACK was
//      also sent again for a duplicate SYN, so its ACK cannot be timed)
//   23 listener u8 (index into tcp/listeners.ts's table)
//
// Our address is implicit (one interface). The peer's MSS is kept exact
// (already bounded by ours); its window is not kept, because the ACK that
// completes the handshake carries a newer one (RFC 9293 §3.10.7.4 fifth
// step sets SND.WND from it).
//
// Invariant: entries [0, count) are in use and packed; removing one moves
// the last into its place, so lookups and timer walks touch only live
// entries and never more than SYN_QUEUE of them.

import { SYN_QUEUE } from "../config";

/** Bytes per half-open entry. */
// @ts-ignore: decorator
@inline export const SYNQ_ENTRY_BYTES: i32 = 24;

// @ts-ignore: decorator
@inline const E_REMOTE_IP: usize = 0;
// @ts-ignore: decorator
@inline const E_ISS: usize = 4;
// @ts-ignore: decorator
@inline const E_IRS: usize = 8;
// @ts-ignore: decorator
@inline const E_DEADLINE: usize = 12;
// @ts-ignore: decorator
@inline const E_REMOTE_PORT: usize = 16;
// @ts-ignore: decorator
@inline const E_LOCAL_PORT: usize = 18;
// @ts-ignore: decorator
@inline const E_PEER_MSS: usize = 20;
// @ts-ignore: decorator
@inline const E_RETRIES: usize = 22;
// @ts-ignore: decorator
@inline const E_LISTENER: usize = 23;

const pool = memory.data(SYN_QUEUE * SYNQ_ENTRY_BYTES, 8);
let used: i32 = 0;

// @ts-ignore: decorator
@inline function at(i: i32): usize { return pool + <usize>i * <usize>SYNQ_ENTRY_BYTES; }

/** Forget every entry (net_init). */
export function synqInit(): void {
  used = 0;
}

/** Entries in use. */
// @ts-ignore: decorator
@inline export function synqCount(): i32 { return used; }

/** No entry is free. */
// @ts-ignore: decorator
@inline export function synqFull(): bool { return used >= SYN_QUEUE; }

/** The entry for this 4-tuple (our address implicit), or -1. */
export function synqFind(remoteIp: u32, remotePort: u16, localPort: u16): i32 {
  for (let i = 0; i < used; i++) {
    const e = at(i);
    if (load<u32>(e, E_REMOTE_IP) == remoteIp && load<u16>(e, E_REMOTE_PORT) == remotePort
      && load<u16>(e, E_LOCAL_PORT) == localPort) return i;
  }
  return -1;
}

/** Add an entry; its index, or -1 when the pool is full. */
export function synqAdd(listener: i32, localPort: u16, remoteIp: u32, remotePort: u16,
                        iss: u32, irs: u32, peerMss: u16, deadline: u32): i32 {
  if (used >= SYN_QUEUE) return -1;
  const i = used++;
  const e = at(i);
  store<u32>(e, remoteIp, E_REMOTE_IP);
  store<u32>(e, iss, E_ISS);
  store<u32>(e, irs, E_IRS);
  store<u32>(e, deadline, E_DEADLINE);
  store<u16>(e, remotePort, E_REMOTE_PORT);
  store<u16>(e, localPort, E_LOCAL_PORT);
  store<u16>(e, peerMss, E_PEER_MSS);
  store<u8>(e, 0, E_RETRIES);
  store<u8>(e, <u8>listener, E_LISTENER);
  return i;
}

/** Remove entry `i`; the last entry takes its index. */
export function synqRemove(i: i32): void {
  used--;
  if (i != used) memory.copy(at(i), at(used), <usize>SYNQ_ENTRY_BYTES);
}

// @ts-ignore: decorator
@inline export function synqRemoteIp(i: i32): u32 { return load<u32>(at(i), E_REMOTE_IP); }
// @ts-ignore: decorator
@inline export function synqIss(i: i32): u32 { return load<u32>(at(i), E_ISS); }
// @ts-ignore: decorator
@inline export function synqIrs(i: i32): u32 { return load<u32>(at(i), E_IRS); }
// @ts-ignore: decorator
@inline export function synqDeadline(i: i32): u32 { return load<u32>(at(i), E_DEADLINE); }
// @ts-ignore: decorator
@inline export function synqRemotePort(i: i32): u16 { return load<u16>(at(i), E_REMOTE_PORT); }
// @ts-ignore: decorator
@inline export function synqLocalPort(i: i32): u16 { return load<u16>(at(i), E_LOCAL_PORT); }
// @ts-ignore: decorator
@inline export function synqPeerMss(i: i32): u16 { return load<u16>(at(i), E_PEER_MSS); }
// @ts-ignore: decorator
@inline export function synqRetries(i: i32): i32 { return <i32>(load<u8>(at(i), E_RETRIES) & 0x7f); }
/** The SYN-ACK went out exactly once (RFC 6298 §3, Karn: only then is the handshake timed). */
// @ts-ignore: decorator
@inline export function synqSentOnce(i: i32): bool { return load<u8>(at(i), E_RETRIES) == 0; }

/** The SYN-ACK was sent again for a duplicate SYN (not a retransmission timeout). */
export function synqResent(i: i32): void {
  const e = at(i);
  store<u8>(e, load<u8>(e, E_RETRIES) | 0x80, E_RETRIES);
}
// @ts-ignore: decorator
@inline export function synqListener(i: i32): i32 { return <i32>load<u8>(at(i), E_LISTENER); }

/** Record one more SYN-ACK retransmission and the next deadline. */
export function synqRetried(i: i32, deadline: u32): void {
  const e = at(i);
  store<u8>(e, load<u8>(e, E_RETRIES) + 1, E_RETRIES);
  store<u32>(e, deadline, E_DEADLINE);
}
