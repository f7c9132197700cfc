/**
 * Mutations of the segment a peer would send next: header fields bent one
 * at a time (flags, numbers, window, options, data offset, reserved bits,
 * payload, length), damage the board must drop without a word (a bad TCP
 * or IPv4 checksum, a frame for another MAC or address, an IPv4 fragment),
 * and sources no host may have (RFC 1122 §3.2.1.3).
 */
import { Prng } from "../links/faults.js";
import { type TcpFrameOptions, type TcpSegment, ipString, tcpFrame } from "../wire/index.js";
import { BOARD_MAC, INVALID_SOURCES } from "./world.js";

export interface Mutated {
  frame: Uint8Array;
  /** The board must send nothing at all in answer to this frame. */
  silent: boolean;
  what: string;
}

const pick = <T>(r: Prng, xs: readonly T[]): T => xs[r.below(xs.length)];
const NUMBER_DELTAS = [1, -1, 2, -2, 1000, -1000, 65535, -65536, 0x7fffffff, 0x80000000, 0x40000000];

/** One mutation of `seg` (whose fields may be changed in place). */
export function mutate(r: Prng, seg: TcpSegment, srcMac: string): Mutated {
  const opt: TcpFrameOptions = { srcMac, dstMac: BOARD_MAC };
  const k = r.below(15);
  let silent = false;
  let what: string;
  switch (k) {
    case 0: seg.flags = r.below(256); what = `flags 0x${seg.flags.toString(16)}`; break;
    case 1: seg.seq = (seg.seq + pick(r, NUMBER_DELTAS)) >>> 0; what = "seq moved"; break;
    case 2: seg.ack = ((seg.ack ?? 0) + pick(r, NUMBER_DELTAS)) >>> 0; seg.flags |= 0x10; what = "ack moved"; break;
    case 3: seg.window = pick(r, [0, 1, 2, 536, 65535, r.below(65536)]); what = `window ${seg.window}`; break;
    case 4: seg.options = randomBytes(r, r.below(37)); what = "random options"; break;
    case 5: seg.options = Uint8Array.of(2, pick(r, [0, 1, 3, 4, 5, 40]), r.below(256), r.below(256)); what = "bad MSS option"; break;
    case 6: opt.dataOffset = r.below(16); what = `data offset ${opt.dataOffset}`; break;
    case 7: opt.reserved = 1 + r.below(15); what = "reserved bits"; break;
    case 8: seg.payload = randomBytes(r, pick(r, [1, 10, 536, 1460, 1461 + r.below(30)])); what = `payload ${seg.payload.length}`; break;
    case 9: opt.truncateTcpTo = r.below(40); what = `TCP cut to ${opt.truncateTcpTo}`; break;
    case 10: opt.checksumDelta = 1 + r.below(0xfffe); silent = true; what = "TCP checksum"; break;
    case 11: opt.ipChecksumDelta = 1 + r.below(0xfffe); silent = true; what = "IPv4 checksum"; break;
    case 12: opt.dstMac = pick(r, ["02:00:00:00:00:99", "01:00:5e:00:00:01"]); silent = true; what = `to MAC ${opt.dstMac}`; break;
    case 13: seg.dstIp = pick(r, ["10.0.0.3", "10.0.0.255", "192.0.2.1"]); silent = true; what = `to ${seg.dstIp}`; break;
    default: seg.srcIp = ipString(pick(r, INVALID_SOURCES)); what = `from ${seg.srcIp}`; break;
  }
  return { frame: tcpFrame(seg, opt), silent, what };
}

export function randomBytes(r: Prng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.below(256);
  return b;
}
