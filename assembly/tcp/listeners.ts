// The listener table (RFC 9293 §3.10.1 passive OPEN): one static record
// per listener with the tcp_option settings its connections inherit, its
// port, handle generation, backlog, the time of its last SYN cookie, and
// its accept queue of TCB indexes in arrival order;
// the listener handles of docs/ABI.md; and the tcp_list rows written for
// listeners and half-open entries.
//
// The TCB pool sits above this table (a TCB waiting to be accepted names
// its listener by index), so the accept queue holds plain TCB indexes and
// never touches a TCB.

import { LISTENER_COUNT } from "../config";
import { EADDRINUSE, ENOMEM } from "../errors";
import { ourIp } from "../netif";
import { ConfigKey, config } from "../netconfig";
import { nowMs } from "../time";
import { ListField, State } from "./abi";
import { synqCount, synqLocalPort, synqRemoteIp, synqRemotePort } from "./synq";
import { optionsClear } from "./options";

/** Connections a listener holds for tcp_accept at most, whatever the backlog. */
// @ts-ignore: decorator
@inline export const ACCEPTQ_MAX: i32 = 16;

/** One listener; its accept queue (ACCEPTQ_MAX u16 TCB indexes) follows the fields. */
@unmanaged class Listener {
  /** tcp_option settings its connections inherit (tcp/options.ts layout, OPTIONS_BYTES). */
  opt0: u32;
  opt1: u32;
  opt2: u32;
  opt3: u32;
  /** When it last sent a SYN cookie (valid while cookieSent). */
  cookieAt: u32;
  /** Local port; 0 = free slot. */
  port: u16;
  /** Handle generation, bumped when the listener closes. */
  gen: u16;
  backlog: u8;
  /** Connections in the accept queue. */
  qlen: u8;
  cookieSent: u8;
  pad: u8;
}

// @ts-ignore: decorator
@inline const QUEUE_AT: usize = offsetof<Listener>();
// @ts-ignore: decorator
@inline const LISTENER_BYTES: usize = (offsetof<Listener>() + <usize>ACCEPTQ_MAX * 2 + 3) & ~3;

const table = memory.data(<i32>LISTENER_BYTES * LISTENER_COUNT, 4);

/** Listener `l`'s record: a function, so that the many listener loops share one address computation. */
function at(l: i32): Listener { return changetype<Listener>(table + <usize>l * LISTENER_BYTES); }
// @ts-ignore: decorator
@inline function qAt(l: i32, k: i32): usize { return changetype<usize>(at(l)) + QUEUE_AT + (<usize>k << 1); }

/** Forget every listener (net_init); handles from before it go stale (docs/ABI.md). */
export function listenersInit(): void {
  for (let l = 0; l < LISTENER_COUNT; l++) {
    const r = at(l);
    r.gen = (r.gen + 1) & 0x7fff;
    r.port = 0;
    r.qlen = 0;
    r.cookieSent = 0;
  }
}

/** tcp_listen: a listener handle, EADDRINUSE or ENOMEM. */
export function listenOpen(port: u16, backlog: i32): i32 {
  let free = -1;
  for (let l = 0; l < LISTENER_COUNT; l++) {
    const p = at(l).port;
    if (p == port) return EADDRINUSE;
    if (p == 0 && free < 0) free = l;
  }
  if (free < 0) return ENOMEM;
  const r = at(free);
  r.port = port;
  r.backlog = <u8>min<i32>(max<i32>(backlog, 1), ACCEPTQ_MAX);
  r.qlen = 0;
  r.cookieSent = 0;
  optionsClear(listenerOptions(free));
  return listenerHandle(free);
}

/** Free listener slot `l`; its handles become stale. */
export function listenerRelease(l: i32): void {
  const r = at(l);
  r.port = 0;
  r.gen = (r.gen + 1) & 0x7fff;
}

/** Listener handles: generation high, 0x8000 | index + 1 low. */
function listenerHandle(l: i32): i32 {
  return (<i32>at(l).gen << 16) | 0x8000 | (l + 1);
}

/** The listener a handle names, or -1. */
export function listenerFromHandle(h: i32): i32 {
  if (h <= 0 || (h & 0x8000) == 0) return -1;
  const l = (h & 0x7fff) - 1;
  if (l >= LISTENER_COUNT || at(l).port == 0) return -1;
  if (<i32>at(l).gen != (h >>> 16)) return -1;
  return l;
}

/** The listener on local `port`, or -1. */
export function listenerFor(port: u16): i32 {
  for (let l = 0; l < LISTENER_COUNT; l++) if (at(l).port == port) return l;
  return -1;
}

/** Listener `l`'s tcp_option block, copied into each connection it accepts. */
export function listenerOptions(l: i32): usize { return changetype<usize>(at(l)) + offsetof<Listener>("opt0"); }

/** Local port of listener `l`. */
export function listenerPort(l: i32): u16 { return at(l).port; }

/** Record that listener `l` sent a SYN cookie now. */
export function cookieStamp(l: i32): void {
  const r = at(l);
  r.cookieAt = nowMs();
  r.cookieSent = 1;
}

/** A cookie from listener `l` may still be valid (it sent one within two periods). */
export function cookiesOut(l: i32): bool {
  const r = at(l);
  if (r.cookieSent == 0) return false;
  return nowMs() - r.cookieAt < (<u32>config(ConfigKey.COOKIE_PERIOD_MS) << 1);
}

/** Connections in listener `l`'s accept queue. */
// @ts-ignore: decorator
@inline export function acceptQueueLen(l: i32): i32 { return <i32>at(l).qlen; }

/** The TCB index at position `k` of listener `l`'s accept queue. */
// @ts-ignore: decorator
@inline export function acceptQueueAt(l: i32, k: i32): i32 { return <i32>load<u16>(qAt(l, k)); }

/** The accept queue holds its backlog. */
export function acceptQueueFull(l: i32): bool { return at(l).qlen >= at(l).backlog; }

/** Append TCB index `i` to listener `l`'s accept queue (after acceptQueueFull said no). */
export function acceptQueuePush(l: i32, i: i32): void {
  const r = at(l);
  store<u16>(qAt(l, <i32>r.qlen), <u16>i);
  r.qlen++;
}

/** Remove TCB index `i` from listener `l`'s accept queue, keeping the order. */
export function acceptQueueRemove(l: i32, i: i32): void {
  const r = at(l);
  const n = <i32>r.qlen;
  for (let k = 0; k < n; k++) {
    if (<i32>load<u16>(qAt(l, k)) == i) {
      memory.copy(qAt(l, k), qAt(l, k + 1), <usize>(n - 1 - k) << 1);
      r.qlen = <u8>(n - 1);
      return;
    }
  }
}

// @ts-ignore: decorator
@inline function put(row: usize, f: ListField, v: u32): void { store<u32>(row + (<usize>f << 2), v); }

/** Write tcp_list row `n` at `out` (docs/ABI.md layout). */
export function listRow(out: usize, n: i32, handle: i32, state: State, localPort: u16, remoteIp: u32, remotePort: u16): void {
  const row = out + <usize>n * (<usize>ListField.COUNT << 2);
  put(row, ListField.HANDLE, <u32>handle);
  put(row, ListField.STATE, <u32>state);
  put(row, ListField.LOCAL_IP, ourIp());
  put(row, ListField.LOCAL_PORT, <u32>localPort);
  put(row, ListField.REMOTE_IP, remoteIp);
  put(row, ListField.REMOTE_PORT, <u32>remotePort);
}

/** tcp_list rows for the listeners, from row `n` while n < max; returns the new row count. */
export function listListeners(out: usize, n: i32, max: i32): i32 {
  for (let l = 0; l < LISTENER_COUNT && n < max; l++) {
    if (at(l).port == 0) continue;
    listRow(out, n, listenerHandle(l), State.LISTEN, at(l).port, 0, 0);
    n++;
  }
  return n;
}

/**
 * tcp_list rows for the half-open entries (handle -1, SYN-RECEIVED, their
 * 4-tuples: netstat's SYN_RECV lines), from row `n` while n < max.
 * Returns the new row count.
 */
export function listHalfOpen(out: usize, n: i32, max: i32): i32 {
  const m = synqCount();
  for (let i = 0; i < m && n < max; i++) {
    listRow(out, n, -1, State.SYN_RECEIVED, synqLocalPort(i), synqRemoteIp(i), synqRemotePort(i));
    n++;
  }
  return n;
}
