// The UDP socket table: a fixed pool of UDP_SOCKETS sockets for the
// application, then one for the DHCP client and DNS_QUERIES for the DNS
// resolver (internal sockets: the application's handles never reach them,
// so it cannot close or read the stack's own traffic). Each socket is a
// local port and a receive ring of whole datagrams (udp/ring.ts).
//
// Handles are (generation << 8) | (slot + 1): a handle kept after
// udp_close is recognised as stale (EINVAL) even when the slot is reused.

import { UDP_RX_BUF, UDP_SOCKETS, WITH_DHCP, WITH_DNS, DNS_QUERIES } from "../config";
import { EADDRINUSE, ENOMEM } from "../errors";
import { entropy } from "../hal";
import { ConfigKey, config } from "../netconfig";
import { ENTRY_HEADER, entrySize, ringAdvance, ringRead, ringWrite } from "./ring";

/** Sockets the stack itself uses (DHCP client, DNS queries). */
// @ts-ignore: decorator
@inline export const INTERNAL_SOCKETS: i32 = (WITH_DHCP ? 1 : 0) + (WITH_DNS ? DNS_QUERIES : 0);
// @ts-ignore: decorator
@inline const SOCKETS: i32 = UDP_SOCKETS + INTERNAL_SOCKETS;

// Socket record.
// @ts-ignore: decorator
@inline const S_PORT: usize = 0;   // u16, 0 = free
// @ts-ignore: decorator
@inline const S_GEN: usize = 2;    // u16
// @ts-ignore: decorator
@inline const S_HEAD: usize = 4;   // u32: offset of the oldest entry
// @ts-ignore: decorator
@inline const S_USED: usize = 8;   // u32: bytes of entries
// @ts-ignore: decorator
@inline const S_COUNT: usize = 12; // u32: datagrams queued
// @ts-ignore: decorator
@inline const SOCK_SIZE: usize = 16;

// @ts-ignore: decorator
@lazy const table = memory.data(<i32>SOCK_SIZE * SOCKETS, 4);
// @ts-ignore: decorator
@lazy const rings = memory.data(UDP_RX_BUF * SOCKETS, 4);
// @ts-ignore: decorator
@lazy const entryHead = memory.data(ENTRY_HEADER, 4);

// @ts-ignore: decorator
@inline function rec(i: i32): usize { return table + <usize>i * SOCK_SIZE; }
// @ts-ignore: decorator
@inline function ring(i: i32): usize { return rings + <usize>i * <usize>UDP_RX_BUF; }

/** Free every socket (net_init). */
export function socketsInit(): void {
  memory.fill(table, 0, SOCK_SIZE * <usize>SOCKETS);
}

/** The slot bound to local `port`, -1 when none. */
export function socketFind(port: u16): i32 {
  for (let i = 0; i < SOCKETS; i++) if (load<u16>(rec(i), S_PORT) == port) return i;
  return -1;
}

/** A random unused port of the ephemeral range (RFC 6056 §3.3.1, Algorithm 1); 0 when all are taken. */
function ephemeralPort(): u16 {
  const low = config(ConfigKey.EPHEMERAL_LOW);
  const num = <u32>(config(ConfigKey.EPHEMERAL_HIGH) - low + 1);
  let next = entropy() % num;
  for (let k: u32 = 0; k < num; k++) {
    const port = <u16>(low + <i32>next);
    if (socketFind(port) < 0) return port;
    next = next + 1 == num ? 0 : next + 1;
  }
  return 0;
}

/** Bind a socket on `port` (0: ephemeral) in the application's slots or the internal ones; a handle or an error. */
export function socketOpen(port: u16, internal: bool): i32 {
  if (port != 0 && socketFind(port) >= 0) return EADDRINUSE;
  const from = internal ? UDP_SOCKETS : 0;
  const to = internal ? SOCKETS : UDP_SOCKETS;
  let i = from;
  while (i < to && load<u16>(rec(i), S_PORT) != 0) i++;
  if (i == to) return ENOMEM;
  const p = port != 0 ? port : ephemeralPort();
  if (p == 0) return EADDRINUSE;
  const r = rec(i);
  const gen = <u16>((load<u16>(r, S_GEN) + 1) & 0x7fff);
  store<u16>(r, p, S_PORT);
  store<u16>(r, gen, S_GEN);
  store<u32>(r, 0, S_HEAD);
  store<u32>(r, 0, S_USED);
  store<u32>(r, 0, S_COUNT);
  return (<i32>gen << 8) | (i + 1);
}

/** The slot of a live handle (application or internal, as asked), -1 when bad or stale. */
export function socketSlot(h: i32, internal: bool): i32 {
  const i = (h & 0xff) - 1;
  const from = internal ? UDP_SOCKETS : 0;
  const to = internal ? SOCKETS : UDP_SOCKETS;
  if (h <= 0 || i < from || i >= to) return -1;
  const r = rec(i);
  if (load<u16>(r, S_PORT) == 0 || <i32>load<u16>(r, S_GEN) != (h >>> 8)) return -1;
  return i;
}

/** Free a slot and its queued datagrams. */
export function socketClose(i: i32): void {
  store<u16>(rec(i), 0, S_PORT);
}

/** The local port of a slot. */
export function socketPort(i: i32): u16 { return load<u16>(rec(i), S_PORT); }

/** Queue a datagram; false when the ring has no room for it whole. */
export function socketEnqueue(i: i32, srcIp: u32, srcPort: u16, data: usize, len: i32): bool {
  const r = rec(i);
  const used = <i32>load<u32>(r, S_USED);
  const need = entrySize(len);
  if (need > UDP_RX_BUF - used) return false;
  const at = ringAdvance(<i32>load<u32>(r, S_HEAD), used);
  store<u32>(entryHead, srcIp);
  store<u16>(entryHead, srcPort, 4);
  store<u16>(entryHead, <u16>len, 6);
  ringWrite(ring(i), at, entryHead, ENTRY_HEADER);
  ringWrite(ring(i), ringAdvance(at, ENTRY_HEADER), data, len);
  store<u32>(r, <u32>(used + need), S_USED);
  store<u32>(r, load<u32>(r, S_COUNT) + 1, S_COUNT);
  return true;
}

/**
 * Take the oldest datagram: up to `max` bytes to `dst`, its source address,
 * port and full length to `meta` (3 u32). The datagram's length, or -1
 * when none is queued.
 */
export function socketDequeue(i: i32, dst: usize, max: i32, meta: usize): i32 {
  const r = rec(i);
  if (load<u32>(r, S_COUNT) == 0) return -1;
  const head = <i32>load<u32>(r, S_HEAD);
  ringRead(ring(i), head, entryHead, ENTRY_HEADER);
  const len = <i32>load<u16>(entryHead, 6);
  ringRead(ring(i), ringAdvance(head, ENTRY_HEADER), dst, min(len, max));
  store<u32>(meta, load<u32>(entryHead));
  store<u32>(meta, <u32>load<u16>(entryHead, 4), 4);
  store<u32>(meta, <u32>len, 8);
  const size = entrySize(len);
  store<u32>(r, <u32>ringAdvance(head, size), S_HEAD);
  store<u32>(r, load<u32>(r, S_USED) - <u32>size, S_USED);
  store<u32>(r, load<u32>(r, S_COUNT) - 1, S_COUNT);
  return len;
}

/** Datagrams queued on a slot. */
export function socketQueued(i: i32): i32 { return <i32>load<u32>(rec(i), S_COUNT); }

