// The interface's identity and the static frame buffers: our MAC and IPv4
// configuration (set once by net_init) and the buffers every layer shares.
// Outgoing frames are built in TX_FRAME one at a time and handed to the
// link before the next one is built, so one buffer is enough.

import { FRAME_MAX, SCRATCH_SIZE } from "./config";
import { isMartian } from "./ip/addr";

// The frame buffers are @lazy: a lazy static is placed when a function
// first uses it, after every eager one, so these 4.6 KiB go to the top of
// the static data and the small tables and records every layer reads stay
// in the first 4 KiB. A C port on a Cortex-M reaches those from one base
// register with a load's immediate offset; above 4 KiB each function needs
// an extra add (ip/arp.ts's held frame and diag.ts's line buffer follow
// the same rule; 508 bytes of Thumb-2 code in all).

/** Host I/O buffer returned by net_scratch (received frames land here). */
// @ts-ignore: decorator
@lazy export const SCRATCH: usize = memory.data(SCRATCH_SIZE, 16);
/** Where outgoing frames are built. */
// @ts-ignore: decorator
@lazy export const TX_FRAME: usize = memory.data(FRAME_MAX + 2, 16);
/** Where the ENC28J60 link reads received frames. */
// @ts-ignore: decorator
@lazy export const RX_FRAME: usize = memory.data(FRAME_MAX + 2, 16);
/** Our MAC address (6 bytes). */
export const OUR_MAC: usize = memory.data(8, 4);

let ip: u32 = 0;
let mask: u32 = 0;
let gw: u32 = 0;

/** Set the IPv4 configuration (net_init). */
export function setIpConfig(addr: u32, netmask: u32, gateway: u32): void {
  ip = addr;
  mask = netmask;
  gw = gateway;
}

/** Our IPv4 address. */
// @ts-ignore: decorator
@inline export function ourIp(): u32 { return ip; }
/** Our netmask. */
// @ts-ignore: decorator
@inline export function ourNetmask(): u32 { return mask; }
/** The default gateway, 0 when none. */
// @ts-ignore: decorator
@inline export function ourGateway(): u32 { return gw; }

/** The address is on our subnet. */
// @ts-ignore: decorator
@inline export function onLink(addr: u32): bool { return (addr & mask) == (ip & mask); }

/**
 * Limited (255.255.255.255) or our subnet's directed broadcast. Out of
 * line: seven callers, each of which carried the two compares and the
 * mask arithmetic (126 bytes of Cortex-M4 code when it was @inline).
 */
export function isBroadcast(addr: u32): bool {
  return addr == 0xffffffff || (mask != 0xffffffff && addr == (ip | ~mask));
}

/**
 * The next hop of a unicast datagram to `dst` (RFC 1122 §3.3.1.1): `dst`
 * itself on our subnet, else the default gateway; 0 when there is none.
 */
export function nextHop(dst: u32): u32 { return onLink(dst) ? dst : gw; }

/** A route to `dst` exists: broadcast, or a next hop (ip/ipv4.ts drops anything else, IP_DROP_NO_ROUTE). */
export function routable(dst: u32): bool { return isBroadcast(dst) || nextHop(dst) != 0; }

/** A host we may exchange unicast datagrams with: no martian, no broadcast (RFC 1122 §3.2.1.3, §4.2.3.10). */
// @ts-ignore: decorator
export function validPeer(addr: u32): bool { return !isMartian(addr) && !isBroadcast(addr); }
