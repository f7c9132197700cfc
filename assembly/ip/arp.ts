// ARP for IPv4 over Ethernet (RFC 826), with the cache rules of RFC 1122
// §2.3.2.
//
// Packet (28 bytes after the Ethernet header):
//   0 htype(2)=1  2 ptype(2)=0x0800  4 hlen(1)=6  5 plen(1)=4  6 op(2)
//   8 sender MAC(6)  14 sender IP(4)  18 target MAC(6)  24 target IP(4)
//
// Cache: ARP_ENTRIES entries of 20 bytes. An entry is FREE, PENDING (a
// request is out; `deadline` is the next retry) or VALID (`deadline` is its
// expiry). A VALID entry used within the last quarter of its life is
// refreshed with a unicast request (RFC 1122 §2.3.2.1), so a busy peer never
// falls out of the cache. Replacement picks the entry closest to expiry.
//
// A packet waiting on resolution: one frame is held (the most recent one);
// with UDP in the build a second next hop gets a frame of its own (a
// datagram to a new destination need not push out one waiting elsewhere);
// when the reply arrives it is sent. A newer packet waiting on any next hop
// displaces it (ARP_DROP_PENDING), and after ARP_RETRIES unanswered requests
// it is dropped (ARP_DROP_UNRESOLVED). TCP's retransmission recovers both.

import { ARP_ENTRIES, FRAME_MAX, WITH_DHCP, WITH_UDP } from "../config";
import { ConfigKey, config } from "../netconfig";
import { OUR_MAC, ourIp, validPeer } from "../netif";
import { isGroupMac } from "./addr";
import { Stat, count } from "../stats";
import { earliest, expired, nowMs } from "../time";
import { linkTransmit } from "../link";
import {
  ETH_DST, ETH_HEADER_LEN, ETH_SRC, ETHERTYPE_ARP,
  macClear, macCopy, macEqual, macSetBroadcast, setEthType,
} from "./eth";
import { swap16 } from "../bytes";

// @ts-ignore: decorator
@inline export const ARP_LEN: i32 = 28;
// @ts-ignore: decorator
@inline const OP_REQUEST: u16 = 1;
// @ts-ignore: decorator
@inline const OP_REPLY: u16 = 2;

// Packet field offsets.
// @ts-ignore: decorator
@inline const A_HTYPE: usize = 0;
// @ts-ignore: decorator
@inline const A_PTYPE: usize = 2;
// @ts-ignore: decorator
@inline const A_HLEN: usize = 4;
// @ts-ignore: decorator
@inline const A_PLEN: usize = 5;
// @ts-ignore: decorator
@inline const A_OP: usize = 6;
// @ts-ignore: decorator
@inline const A_SHA: usize = 8;
// @ts-ignore: decorator
@inline const A_SPA: usize = 14;
// @ts-ignore: decorator
@inline const A_THA: usize = 18;
// @ts-ignore: decorator
@inline const A_TPA: usize = 24;

// Cache entry layout.
// @ts-ignore: decorator
@inline const E_IP: usize = 0;        // u32, 0 when FREE
// @ts-ignore: decorator
@inline const E_MAC: usize = 4;       // 6 bytes
// @ts-ignore: decorator
@inline const E_STATE: usize = 10;    // u8
// @ts-ignore: decorator
@inline const E_TRIES: usize = 11;    // u8: requests sent while PENDING
// @ts-ignore: decorator
@inline const E_DEADLINE: usize = 12; // u32: retry time (PENDING) or expiry (VALID)
// @ts-ignore: decorator
@inline const E_PROBE_AT: usize = 16; // u32: earliest refresh request (VALID)
// @ts-ignore: decorator
@inline const ENTRY_SIZE: usize = 20;

// @ts-ignore: decorator
@inline const FREE: u8 = 0;
// @ts-ignore: decorator
@inline const PENDING: u8 = 1;
// @ts-ignore: decorator
@inline const VALID: u8 = 2;

const cache = memory.data(<i32>ENTRY_SIZE * ARP_ENTRIES, 4);
// @lazy: placed above the small statics, like netif.ts's frame buffers.
// @ts-ignore: decorator
@lazy const held = memory.data(FRAME_MAX + 2, 16);
// ARP frames are built here, never in TX_FRAME: a request can be sent while
// the datagram that needed it is still being built there.
const arpFrame = memory.data(ETH_HEADER_LEN + ARP_LEN, 4);
let heldLen: i32 = 0;
let heldHop: u32 = 0;
// The second held frame (UDP builds only: folded away otherwise).
// @ts-ignore: decorator
@lazy const held2 = memory.data(FRAME_MAX + 2, 16);
let held2Len: i32 = 0;
let held2Hop: u32 = 0;

// @ts-ignore: decorator
@inline function entry(i: i32): usize { return cache + <usize>i * ENTRY_SIZE; }

/** Clear the cache and announce ourselves (gratuitous ARP, RFC 5227 §2.3); no announcement without an address. */
export function arpInit(): void {
  memory.fill(cache, 0, <usize>ARP_ENTRIES * ENTRY_SIZE);
  heldLen = 0;
  if (WITH_UDP) held2Len = 0;
  if (!WITH_DHCP || ourIp() != 0) sendArp(OP_REQUEST, 0, ourIp());
}

// Address conflict detection for the DHCP client (RFC 5227 §2.1.1): while
// an offered address is being probed, any ARP whose sender is that
// address, or another host's probe for it, is a conflict.
let probed: u32 = 0;
let conflict = false;

/** Send an ARP probe for `ip` (sender address 0.0.0.0, RFC 5227 §2.1.1) and watch for conflicts. */
export function arpProbe(ip: u32): void {
  if (probed != ip) conflict = false;
  probed = ip;
  sendArp(OP_REQUEST, 0, ip);
}

/** Stop watching; whether a conflict was seen for the probed address. */
export function arpProbeConflict(stop: bool): bool {
  const c = conflict;
  if (stop) { probed = 0; conflict = false; }
  return c;
}

function watchConflict(p: usize, op: u16, spa: u32, tpa: u32): void {
  if (spa == probed || (op == OP_REQUEST && spa == 0 && tpa == probed && !macEqual(p + A_SHA, OUR_MAC))) conflict = true;
}

function find(ip: u32): i32 {
  for (let i = 0; i < ARP_ENTRIES; i++) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) != FREE && load<u32>(e, E_IP) == ip) return i;
  }
  return -1;
}

/** A slot for a new entry: a free one, else the VALID entry nearest expiry, else the oldest PENDING. */
function victim(): i32 {
  let best = -1;
  let bestPending = false;
  for (let i = 0; i < ARP_ENTRIES; i++) {
    const e = entry(i);
    const st = load<u8>(e, E_STATE);
    if (st == FREE) return i;
    const pending = st == PENDING;
    if (best < 0 || (bestPending && !pending) ||
        (bestPending == pending && <i32>(load<u32>(e, E_DEADLINE) - load<u32>(entry(best), E_DEADLINE)) < 0)) {
      best = i;
      bestPending = pending;
    }
  }
  if (bestPending && heldLen != 0 && heldHop == load<u32>(entry(best), E_IP)) dropHeld(Stat.ARP_DROP_PENDING);
  if (WITH_UDP && bestPending) dropSecond(load<u32>(entry(best), E_IP), Stat.ARP_DROP_PENDING);
  return best;
}

function learn(i: i32, ip: u32, mac: usize): void {
  const e = entry(i);
  store<u32>(e, ip, E_IP);
  macCopy(e + E_MAC, mac);
  store<u8>(e, VALID, E_STATE);
  store<u8>(e, 0, E_TRIES);
  const life = <u32>config(ConfigKey.ARP_TIMEOUT_MS);
  store<u32>(e, nowMs() + life, E_DEADLINE);
  store<u32>(e, nowMs() + life - (life >> 2), E_PROBE_AT);
  count(Stat.ARP_CACHE_UPDATES);
  if (heldLen != 0 && heldHop == ip) {
    // The frame was built with our source MAC and type; only the destination was unknown.
    macCopy(held + ETH_DST, mac);
    const n = heldLen;
    heldLen = 0;
    linkTransmit(held, n);
  }
  if (WITH_UDP && held2Len != 0 && held2Hop == ip) {
    macCopy(held2 + ETH_DST, mac);
    const n = held2Len;
    held2Len = 0;
    linkTransmit(held2, n);
  }
}

/** Drop the second held frame if it waits on `ip`. */
function dropSecond(ip: u32, reason: Stat): void {
  if (held2Len != 0 && held2Hop == ip) {
    held2Len = 0;
    count(reason);
  }
}

/** Keep a frame for `ip` in the second slot when it is free or already waits on `ip`; false when taken by another hop. */
function holdSecond(ip: u32, frame: usize, len: i32): bool {
  if (held2Len != 0 && held2Hop != ip) return false;
  if (held2Len != 0) count(Stat.ARP_DROP_PENDING);
  memory.copy(held2, frame, <usize>len);
  held2Len = len;
  held2Hop = ip;
  return true;
}

function dropHeld(reason: Stat): void {
  heldLen = 0;
  count(reason);
}

/** Handle an ARP packet (`len` bytes after the Ethernet header). */
export function arpInput(p: usize, len: i32): void {
  count(Stat.ARP_RX);
  if (len < ARP_LEN ||
      swap16(load<u16>(p, A_HTYPE)) != 1 || swap16(load<u16>(p, A_PTYPE)) != 0x0800 ||
      load<u8>(p, A_HLEN) != 6 || load<u8>(p, A_PLEN) != 4) {
    count(Stat.ARP_DROP_MALFORMED);
    return;
  }
  const op = swap16(load<u16>(p, A_OP));
  if (op != OP_REQUEST && op != OP_REPLY) {
    count(Stat.ARP_DROP_MALFORMED);
    return;
  }
  const spa = bswap<u32>(load<u32>(p, A_SPA));
  const tpa = bswap<u32>(load<u32>(p, A_TPA));
  // A station's own MAC never has the I/G bit (IEEE 802.3 §3.2.3); learning
  // one would send our unicast IP to a group address. A sender IP no host
  // may have (RFC 1122 §3.2.1.3) is as bogus; 0.0.0.0 stays: a probe.
  if (isGroupMac(p + A_SHA) || (spa != 0 && !validPeer(spa))) { count(Stat.ARP_DROP_SENDER); return; }
  if (WITH_DHCP && probed != 0) watchConflict(p, op, spa, tpa);
  const me = ourIp();
  // RFC 826 "Packet Reception": update an existing entry from any ARP,
  // add one only when the packet is for us. A probe (sender 0.0.0.0,
  // RFC 5227) or a claim of our own address teaches nothing.
  if (spa != 0 && spa != me) {
    const i = find(spa);
    if (i >= 0) learn(i, spa, p + A_SHA);
    else if (tpa == me) learn(victim(), spa, p + A_SHA);
  }
  if (op == OP_REQUEST && tpa == me && me != 0) {
    sendArp(OP_REPLY, p + A_SHA, spa);
  }
}

/** Build and send an ARP packet to `targetMac`, or to broadcast when it is 0. */
function sendArp(op: u16, targetMac: usize, targetIp: u32): void {
  const f = arpFrame;
  const a = f + ETH_HEADER_LEN;
  if (targetMac == 0) macSetBroadcast(f + ETH_DST);
  else macCopy(f + ETH_DST, targetMac);
  macCopy(f + ETH_SRC, OUR_MAC);
  setEthType(f, ETHERTYPE_ARP);
  store<u16>(a, swap16(1), A_HTYPE);
  store<u16>(a, swap16(0x0800), A_PTYPE);
  store<u8>(a, 6, A_HLEN);
  store<u8>(a, 4, A_PLEN);
  store<u16>(a, swap16(op), A_OP);
  macCopy(a + A_SHA, OUR_MAC);
  store<u32>(a, bswap<u32>(ourIp()), A_SPA);
  if (op == OP_REPLY) macCopy(a + A_THA, targetMac);
  else macClear(a + A_THA);
  store<u32>(a, bswap<u32>(targetIp), A_TPA);
  if (op == OP_REQUEST) count(Stat.ARP_REQUESTS_SENT);
  else count(Stat.ARP_REPLIES_SENT);
  linkTransmit(f, ETH_HEADER_LEN + ARP_LEN);
}

/**
 * The MAC for next hop `ip` into `macOut`, or false when unknown (a request
 * is then sent or already out). Called for every outgoing datagram.
 */
export function arpResolve(ip: u32, macOut: usize): bool {
  const i = find(ip);
  if (i >= 0) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) == VALID) {
      if (!expired(load<u32>(e, E_DEADLINE))) {
        macCopy(macOut, e + E_MAC);
        if (expired(load<u32>(e, E_PROBE_AT))) {
          // Refresh before it expires; one unicast request per retry interval.
          store<u32>(e, nowMs() + <u32>config(ConfigKey.ARP_RETRY_MS), E_PROBE_AT);
          sendArp(OP_REQUEST, e + E_MAC, ip);
        }
        return true;
      }
      store<u8>(e, FREE, E_STATE); // aged out: resolve afresh
    } else {
      return false; // PENDING: the retry timer sends the requests
    }
  }
  const j = victim();
  const e = entry(j);
  store<u32>(e, ip, E_IP);
  store<u8>(e, PENDING, E_STATE);
  request(e, ip, 1);
  return false;
}

/** Broadcast request number `tries` for the PENDING entry `e` (next hop `ip`); the next one is due an interval later. */
function request(e: usize, ip: u32, tries: u8): void {
  store<u8>(e, tries, E_TRIES);
  store<u32>(e, nowMs() + <u32>config(ConfigKey.ARP_RETRY_MS), E_DEADLINE);
  sendArp(OP_REQUEST, 0, ip);
}

/**
 * Hold the frame at `frame` (`len` bytes, source MAC and type already set)
 * until next hop `ip` resolves. It replaces any frame held before (in a
 * UDP build: held for the same hop, or for another when both slots are taken).
 */
export function arpHold(ip: u32, frame: usize, len: i32): void {
  if (WITH_UDP && heldLen != 0 && heldHop != ip && holdSecond(ip, frame, len)) return;
  if (heldLen != 0) count(Stat.ARP_DROP_PENDING);
  memory.copy(held, frame, <usize>len);
  heldLen = len;
  heldHop = ip;
}

/** Retry or give up on pending entries; age out VALID ones. */
export function arpPoll(): void {
  const retries = <u8>config(ConfigKey.ARP_RETRIES);
  for (let i = 0; i < ARP_ENTRIES; i++) {
    const e = entry(i);
    const st = load<u8>(e, E_STATE);
    if (st == FREE || !expired(load<u32>(e, E_DEADLINE))) continue;
    if (st == VALID) {
      store<u8>(e, FREE, E_STATE);
      continue;
    }
    const ip = load<u32>(e, E_IP);
    if (load<u8>(e, E_TRIES) >= retries) {
      store<u8>(e, FREE, E_STATE);
      if (heldLen != 0 && heldHop == ip) dropHeld(Stat.ARP_DROP_UNRESOLVED);
      if (WITH_UDP) dropSecond(ip, Stat.ARP_DROP_UNRESOLVED);
      continue;
    }
    request(e, ip, load<u8>(e, E_TRIES) + 1);
  }
}

/** ms until arpPoll has work, -1 if none. */
export function arpNextDeadline(): i32 {
  let next = -1;
  for (let i = 0; i < ARP_ENTRIES; i++) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) != FREE) next = earliest(next, load<u32>(e, E_DEADLINE));
  }
  return next;
}
