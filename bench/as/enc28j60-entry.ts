// Test entry for the ENC28J60 driver: thin exports around the driver, the
// clock and the counters, plus the pure ring arithmetic. Built by
// test/helpers/enc28j60.ts and bench/enc28j60.ts; the stack's own entry (assembly/index.ts)
// reaches the same driver through net_init(1, ...).

import {
  encInit, encService, encReceive, encTransmit, encNextDeadline, encLinkUp,
} from "../../assembly/enc28j60/driver";
import { rxRingAdd, rxNextExpected, rxReadPtrFor, rxPtrValid } from "../../assembly/enc28j60/ring";
import { setNow } from "../../assembly/time";
import { statValue, Stat } from "../../assembly/stats";

const buf = memory.data(2048);

export function buffer(): usize { return buf; }
export function init(mac: usize, fullDuplex: i32): i32 { return encInit(mac, fullDuplex != 0); }
export function service(nowMs: u32): i32 { setNow(nowMs); return encService(); }
export function receive(ptr: usize, max: i32): i32 { return encReceive(ptr, max); }
export function transmit(ptr: usize, len: i32): i32 { return encTransmit(ptr, len); }
export function nextDeadline(): i32 { return encNextDeadline(); }
export function linkUp(): i32 { return encLinkUp() ? 1 : 0; }
/** The i-th counter of the "ENC28J60 driver" group of stats.ts. */
export function encStat(i: i32): u32 { return statValue(<Stat>(<i32>Stat.ENC_RX_FRAMES + i)); }
export function ringAdd(p: u32, n: u32): u32 { return rxRingAdd(p, n); }
export function nextExpected(p: u32, n: u32): u32 { return rxNextExpected(p, n); }
export function readPtrFor(next: u32): u32 { return rxReadPtrFor(next); }
export function ptrValid(p: u32): i32 { return rxPtrValid(p) ? 1 : 0; }
