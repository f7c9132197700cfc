// Passive OPEN (RFC 9293 §3.10.1, §3.10.7.2): the listener table and the
// simplest bounded accept queue. A SYN to a listening port takes a TCB in
// SYN-RECEIVED at once; the TCB waits in its listener's queue (bounded by
// the backlog) until the handshake completes and tcp_accept hands it out.
//
// Narrow interface, so the SYN queue and SYN cookies can replace the
// passive-open path without touching the state machine:
//   listenerFor(port)      which listener takes a segment to `port`
//   listenInput(l)         the LISTEN-state processing of SEG
//   listenPoll()           timers of the passive-open path (none here)
//   passiveTcb(...)        a TCB for a handshake, queued on its listener

import { LISTENER_COUNT } from "../config";
import { EADDRINUSE, EAGAIN, EINVAL, ENOMEM } from "../errors";
import { Stat, count } from "../stats";
import { ourIp } from "../netif";
import { State } from "./abi";
import { ACK, RST, SEG, SYN, has } from "./segment";
import { isnFor } from "./isn";
import { replyRst, sendRst, tcpOutput } from "./output";
import {
  F, NO_LISTENER, Tcb, setFlag, setState, synchronized, tcbAllocReusing, tcbAt, tcbFree, tcbHandle, tcbHash, tcbIndex,
} from "./tcb";
import { acceptSyn, initConnection } from "./input";

/** Connections a listener holds for tcp_accept at most, whatever the backlog. */
// @ts-ignore: decorator
@inline export const ACCEPTQ_MAX: i32 = 16;

// Per listener: port (0 = free), handle generation, backlog, queue length,
// then ACCEPTQ_MAX TCB indexes in arrival order.
const ports = memory.data(LISTENER_COUNT * 2, 2);
const gens = memory.data(LISTENER_COUNT * 2, 2);
const backlogs = memory.data(LISTENER_COUNT);
const qlens = memory.data(LISTENER_COUNT);
const queues = memory.data(LISTENER_COUNT * ACCEPTQ_MAX * 2, 2);

// @ts-ignore: decorator
@inline function portOf(l: i32): u16 { return load<u16>(ports + (<usize>l << 1)); }
// @ts-ignore: decorator
@inline function qlen(l: i32): i32 { return <i32>load<u8>(qlens + <usize>l); }
// @ts-ignore: decorator
@inline function qAt(l: i32, k: i32): usize { return queues + (<usize>(l * ACCEPTQ_MAX + k) << 1); }

/** Forget every listener (net_init). */
export function listenInit(): void {
  memory.fill(ports, 0, <usize>LISTENER_COUNT * 2);
  memory.fill(qlens, 0, <usize>LISTENER_COUNT);
}

/** tcp_listen: a listener handle, EADDRINUSE or ENOMEM. */
export function listenOpen(port: u16, backlog: i32): i32 {
  let free = -1;
  for (let l = 0; l < LISTENER_COUNT; l++) {
    const p = portOf(l);
    if (p == port) return EADDRINUSE;
    if (p == 0 && free < 0) free = l;
  }
  if (free < 0) return ENOMEM;
  store<u16>(ports + (<usize>free << 1), port);
  store<u8>(backlogs + <usize>free, <u8>min<i32>(max<i32>(backlog, 1), ACCEPTQ_MAX));
  store<u8>(qlens + <usize>free, 0);
  return listenerHandle(free);
}

/** Listener handles: generation high, 0x8000 | index + 1 low. */
function listenerHandle(l: i32): i32 {
  return (<i32>load<u16>(gens + (<usize>l << 1)) << 16) | 0x8000 | (l + 1);
}

/** The listener a handle names, or -1. */
export function listenerFromHandle(h: i32): i32 {
  if (h <= 0 || (h & 0x8000) == 0) return -1;
  const l = (h & 0x7fff) - 1;
  if (l >= LISTENER_COUNT || portOf(l) == 0) return -1;
  if (<i32>load<u16>(gens + (<usize>l << 1)) != (h >>> 16)) return -1;
  return l;
}

/** The listener on local `port`, or -1. */
export function listenerFor(port: u16): i32 {
  for (let l = 0; l < LISTENER_COUNT; l++) if (portOf(l) == port) return l;
  return -1;
}

/** Local port of listener `l`. */
export function listenerPort(l: i32): u16 { return portOf(l); }

/**
 * A TCB for a handshake with the peer in SEG, in `state`, queued on
 * listener `l`; null (counted) when the queue or the pool is full.
 */
export function passiveTcb(l: i32, iss: u32, state: State): Tcb | null {
  if (qlen(l) >= <i32>load<u8>(backlogs + <usize>l)) { count(Stat.SYNQ_OVERFLOWS); return null; }
  const t = tcbAllocReusing();
  if (t === null) { count(Stat.TCP_NO_TCB); return null; }
  t.localPort = SEG.dstPort;
  t.remoteIp = SEG.srcIp;
  t.remotePort = SEG.srcPort;
  initConnection(t, iss);
  t.listener = <u8>l;
  setState(t, state);
  tcbHash(t);
  const n = qlen(l);
  store<u16>(qAt(l, n), <u16>tcbIndex(t));
  store<u8>(qlens + <usize>l, <u8>(n + 1));
  count(Stat.TCP_PASSIVE_OPENS);
  return t;
}

/** LISTEN-state processing of SEG (RFC 9293 §3.10.7.2). */
export function listenInput(l: i32): void {
  // First: a RST is ignored.
  if (has(RST)) { count(Stat.TCP_RST_IGNORED); return; }
  // Second: any ACK is bad here: <SEQ=SEG.ACK><CTL=RST>.
  if (has(ACK)) { replyRst(); return; }
  // Third: a SYN opens a connection; anything else is dropped.
  if (!has(SYN)) { count(Stat.TCP_DROP_UNACCEPTABLE); return; }
  count(Stat.SYN_RX);
  const iss = isnFor(ourIp(), SEG.dstPort, SEG.srcIp, SEG.srcPort);
  const t = passiveTcb(l, iss, State.SYN_RECEIVED);
  if (t === null) return;
  acceptSyn(t);
  count(Stat.SYNACK_SENT);
  tcpOutput(t);
}

/** Timers of the passive-open path; the SYN-RECEIVED TCBs use their own RTO here. */
export function listenPoll(): void {}

/** Remove a TCB from its listener's accept queue. */
export function acceptQueueRemove(t: Tcb): void {
  const l = <i32>t.listener;
  if (l == <i32>NO_LISTENER) return;
  t.listener = NO_LISTENER;
  const i = <u16>tcbIndex(t);
  const n = qlen(l);
  for (let k = 0; k < n; k++) {
    if (load<u16>(qAt(l, k)) == i) {
      memory.copy(qAt(l, k), qAt(l, k + 1), <usize>(n - 1 - k) << 1);
      store<u8>(qlens + <usize>l, <u8>(n - 1));
      return;
    }
  }
}

/** The first queued connection whose handshake completed, or null. */
function firstReady(l: i32): Tcb | null {
  const n = qlen(l);
  for (let k = 0; k < n; k++) {
    const t = tcbAt(<i32>load<u16>(qAt(l, k)));
    if (synchronized(t)) return t;
  }
  return null;
}

/** tcp_accept: a connection handle or EAGAIN. */
export function listenAccept(l: i32): i32 {
  const t = firstReady(l);
  if (t === null) return EAGAIN;
  acceptQueueRemove(t);
  setFlag(t, <u16>F.OWNED);
  return tcbHandle(t);
}

/** A connection is waiting to be accepted. */
export function listenReadable(l: i32): bool { return firstReady(l) !== null; }

/** Close listener `l`: queued connections are reset and freed (RFC 9293 §3.10.4). */
export function listenClose(l: i32): i32 {
  if (l < 0) return EINVAL;
  while (qlen(l) > 0) {
    const t = tcbAt(<i32>load<u16>(qAt(l, 0)));
    sendRst(t);
    acceptQueueRemove(t);
    tcbFree(t);
  }
  store<u16>(ports + (<usize>l << 1), 0);
  const g = gens + (<usize>l << 1);
  store<u16>(g, (load<u16>(g) + 1) & 0x7fff);
  return 0;
}

/** Handle of listener slot `l` if it listens, else 0. */
export function listenerSlotHandle(l: i32): i32 { return portOf(l) != 0 ? listenerHandle(l) : 0; }
