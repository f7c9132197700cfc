// embertcp's exported ABI (docs/ABI.md). Each export checks its arguments
// and calls inward; nothing here decides protocol behaviour.

import { ENETUNREACH, ENODEV } from "./errors";
import { SCRATCH_SIZE, WITH_DHCP } from "./config";
import { LinkKind, linkKind } from "./link";
import { SCRATCH, ourIp, routable, validPeer } from "./netif";
import { setConfig } from "./netconfig";
import { netInit, netInputFrame, netPoll, netUp } from "./net";
import { STAT_SLOTS, copyStats } from "./stats";
import {
  tcpAbort, tcpAccept, tcpClose, tcpConnect, tcpList, tcpListen, tcpOption, tcpPollFlags,
  tcpRecv, tcpSend, tcpState, tcpStatus,
} from "./tcp/user";
import { STATUS_BYTES, LIST_ENTRY_BYTES } from "./tcp/abi";
import { counted, invalid, validRange } from "./args";

// The UDP, DHCP and DNS calls (docs/ABI.md, second part); a build without
// a part leaves its exports out (scripts/features.mjs).
export * from "./exports/udp";
export * from "./exports/dhcp";
export * from "./exports/dns";

/** Bring the stack up on link 0 (host frames) or 1 (ENC28J60). */
export function net_init(link: i32, mac_ptr: usize, ip: u32, netmask: u32, gateway: u32): i32 {
  if (link != LinkKind.HOST_FRAMES && link != LinkKind.ENC28J60) return invalid();
  if (!validRange(mac_ptr, 6)) return invalid();
  // A unicast, non-zero MAC (IEEE 802 I/G bit clear); a usable host
  // address; a contiguous netmask that leaves room for hosts.
  const first = load<u8>(mac_ptr);
  if ((first & 1) != 0 || (load<u32>(mac_ptr) == 0 && load<u16>(mac_ptr, 4) == 0)) return invalid();
  // ip 0 (with netmask and gateway 0) asks for DHCP (docs/ABI.md "DHCP").
  if (WITH_DHCP && ip == 0 && netmask == 0 && gateway == 0) return netInit(<LinkKind>link, mac_ptr, 0, 0, 0);
  // 0.0.0.0, multicast and class E (which holds 255.255.255.255) are no host's.
  if (ip == 0 || (ip >>> 28) >= 0xe) return invalid();
  if (netmask == 0xffffffff || (~netmask & (~netmask + 1)) != 0) return invalid();
  if (gateway != 0 && (gateway & netmask) != (ip & netmask)) return invalid();
  return netInit(<LinkKind>link, mac_ptr, ip, netmask, gateway);
}

/** Drain the link and run timers at time `now_ms`; ms until the next deadline, -1 if none. */
export function net_poll(now_ms: u32): i32 {
  return netPoll(now_ms);
}

/** One received Ethernet frame (host-frames link). */
export function net_input(ptr: usize, len: i32): i32 {
  if (!validRange(ptr, len)) return invalid();
  if (!netUp()) return ENODEV;
  if (linkKind() != LinkKind.HOST_FRAMES) return invalid();
  netInputFrame(ptr, len);
  return 0;
}

/** A static buffer of net_scratch_size() bytes for host I/O. */
export function net_scratch(): usize {
  return SCRATCH;
}

/** Size of the net_scratch buffer. */
export function net_scratch_size(): i32 {
  return SCRATCH_SIZE;
}

/** Set (value >= 0) or read (value < 0) a runtime tunable. */
export function net_config(key: i32, value: i32): i32 {
  return counted(setConfig(key, value));
}

/** Write the counters as u32s at out_ptr; returns how many. */
export function net_stats(out_ptr: usize): i32 {
  if (!validRange(out_ptr, STAT_SLOTS * 4)) return invalid();
  return copyStats(out_ptr);
}

/** Passive OPEN on `port`; a listener handle. */
export function tcp_listen(port: i32, backlog: i32): i32 {
  if (port <= 0 || port > 0xffff || backlog < 0) return invalid();
  return counted(tcpListen(port, backlog));
}

/** An established connection from the listener's queue, or EAGAIN. */
export function tcp_accept(listener: i32): i32 {
  return counted(tcpAccept(listener));
}

/** Active OPEN to ip:port from an ephemeral port. */
export function tcp_connect(ip: u32, port: i32): i32 {
  // RFC 1122 §4.2.3.10: an OPEN to a broadcast, multicast, loopback or
  // otherwise invalid remote address is rejected.
  if (port <= 0 || port > 0xffff || !validPeer(ip)) return invalid();
  // No address yet (DHCP not bound), or off-link with no gateway: the SYN
  // could never leave, so fail now rather than time out (docs/ABI.md).
  if ((WITH_DHCP && ourIp() == 0) || !routable(ip)) return ENETUNREACH;
  return counted(tcpConnect(ip, port));
}

/** SEND: bytes accepted into the send ring. */
export function tcp_send(conn: i32, ptr: usize, len: i32): i32 {
  if (!validRange(ptr, len)) return invalid();
  return counted(tcpSend(conn, ptr, len));
}

/** RECEIVE: bytes read; 0 at end of stream; EAGAIN when none yet. */
export function tcp_recv(conn: i32, ptr: usize, len: i32): i32 {
  if (!validRange(ptr, len)) return invalid();
  return counted(tcpRecv(conn, ptr, len));
}

/** CLOSE: FIN after queued data. */
export function tcp_close(conn: i32): i32 {
  return counted(tcpClose(conn));
}

/** ABORT: RST and free. */
export function tcp_abort(conn: i32): i32 {
  return counted(tcpAbort(conn));
}

/** Readiness flags (docs/ABI.md). */
export function tcp_poll(conn: i32): i32 {
  return counted(tcpPollFlags(conn));
}

/** RFC 9293 state number of a connection or listener. */
export function tcp_state(conn: i32): i32 {
  return counted(tcpState(conn));
}

/** STATUS record at out_ptr (docs/ABI.md layout). */
export function tcp_status(conn: i32, out_ptr: usize): i32 {
  if (!validRange(out_ptr, STATUS_BYTES)) return invalid();
  return counted(tcpStatus(conn, out_ptr));
}

/** Up to `max` list entries at out_ptr; returns how many. */
export function tcp_list(out_ptr: usize, max: i32): i32 {
  if (max < 0 || max > 0x7fffff || !validRange(out_ptr, max * LIST_ENTRY_BYTES)) return invalid();
  return counted(tcpList(out_ptr, max));
}

/** Set (value >= 0) or read (value < 0) a connection's or listener's option (docs/ABI.md "tcp_option keys"). */
export function tcp_option(conn: i32, key: i32, value: i32): i32 {
  return counted(tcpOption(conn, key, value));
}
