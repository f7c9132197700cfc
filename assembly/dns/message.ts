// DNS message view (RFC 1035 §4.1) and the reading of an answer to our
// A query. The header:
//
//   0 ID(2)  2 QR|Opcode(4)|AA|TC|RD  3 RA|Z(3)|RCODE(4)
//   4 QDCOUNT  6 ANCOUNT  8 NSCOUNT  10 ARCOUNT  12 question...
//
// An answer is read as hostile (RFC 5452 §9.1 and §4): exactly our one
// question (name, type A, class IN) or nothing is believed; every resource
// record's name, fixed fields and RDATA must lie inside the packet, so a
// lying ANCOUNT runs out of bytes and fails; the CNAME chain from our name
// is followed through the answer section only, at most CHAIN_MAX links
// (RFC 1034 §3.6.2), to an A record of 4 bytes.

import { NAME_MAX, decodeName, decodedEnd, sameName } from "./name";
import { swap16 } from "../bytes";

// @ts-ignore: decorator
@inline export const HEADER_LEN: i32 = 12;
// @ts-ignore: decorator
@inline export const TYPE_A: u16 = 1;
// @ts-ignore: decorator
@inline const TYPE_CNAME: u16 = 5;
// @ts-ignore: decorator
@inline export const CLASS_IN: u16 = 1;
// @ts-ignore: decorator
@inline const FLAG_QR: u8 = 0x80;
// @ts-ignore: decorator
@inline const FLAG_TC: u8 = 0x02;
// @ts-ignore: decorator
@inline export const FLAG_RD: u8 = 0x01;
// @ts-ignore: decorator
@inline const CHAIN_MAX: i32 = 8;

/** Outcome of reading an answer. */
export const enum Answer { MALFORMED, MISMATCH, TRUNCATED, ADDRESS, NOT_FOUND, SERVER_FAILURE }

// @ts-ignore: decorator
@inline function be16(p: usize, off: i32): u16 { return swap16(load<u16>(p + <usize>off)); }
// @ts-ignore: decorator
@inline function be32(p: usize, off: i32): u32 { return bswap<u32>(load<u32>(p + <usize>off)); }

// @ts-ignore: decorator
@inline export function dnsId(p: usize): u16 { return be16(p, 0); }

// @ts-ignore: decorator
@lazy const target = memory.data(NAME_MAX + 1, 4);
// @ts-ignore: decorator
@lazy const scratch = memory.data(NAME_MAX + 1, 4);
let targetLen: i32 = 0;
let answerAddr: u32 = 0;
let answerTtl: u32 = 0;

/** The address found by the last readAnswer that returned ADDRESS. */
export function answerAddress(): u32 { return answerAddr; }
/** The smallest TTL along the chain to that address, in seconds. */
export function answerTtlS(): u32 { return answerTtl; }

/** Write a recursive A query for wire name `name` (`nameLen` bytes) with `id` at `p`; its length. */
export function writeQuery(p: usize, id: u16, name: usize, nameLen: i32): i32 {
  store<u16>(p, swap16(id));
  store<u8>(p, FLAG_RD, 2); // RFC 1035 §4.1.1: ask the server to recurse
  store<u8>(p, 0, 3);
  store<u16>(p, swap16(1), 4);
  store<u32>(p, 0, 6);
  store<u16>(p, 0, 10);
  memory.copy(p + <usize>HEADER_LEN, name, <usize>nameLen);
  const q = p + <usize>(HEADER_LEN + nameLen);
  store<u16>(q, swap16(TYPE_A));
  store<u16>(q, swap16(CLASS_IN), 2);
  return HEADER_LEN + nameLen + 4;
}

/**
 * Read the `len`-byte answer at `p` to query `id` for wire name `name`.
 * ADDRESS leaves the address and TTL for answerAddress()/answerTtlS().
 */
export function readAnswer(p: usize, len: i32, id: u16, name: usize, nameLen: i32): Answer {
  if (len < HEADER_LEN) return Answer.MALFORMED;
  const flags = load<u8>(p, 2);
  if (dnsId(p) != id || (flags & FLAG_QR) == 0 || (flags & 0x78) != 0) return Answer.MISMATCH;
  if (be16(p, 4) != 1) return Answer.MISMATCH;
  const qn = decodeName(p, len, HEADER_LEN, scratch);
  if (qn < 0) return Answer.MALFORMED;
  const qEnd = decodedEnd();
  if (qEnd + 4 > len) return Answer.MALFORMED;
  if (!sameName(scratch, qn, name, nameLen) || be16(p, qEnd) != TYPE_A || be16(p, qEnd + 2) != CLASS_IN) return Answer.MISMATCH;
  if ((flags & FLAG_TC) != 0) return Answer.TRUNCATED;
  const rcode = load<u8>(p, 3) & 0x0f;
  if (rcode == 3) return Answer.NOT_FOUND; // NXDOMAIN
  if (rcode != 0) return Answer.SERVER_FAILURE;
  memory.copy(target, name, <usize>nameLen);
  targetLen = nameLen;
  answerTtl = 0xffffffff;
  const ancount = <i32>be16(p, 6);
  for (let link = 0; link <= CHAIN_MAX; link++) {
    const r = scanAnswers(p, len, qEnd + 4, ancount);
    if (r != 1) return r == 0 ? Answer.ADDRESS : r == 2 ? Answer.NOT_FOUND : Answer.MALFORMED;
  }
  return Answer.NOT_FOUND; // a chain longer than CHAIN_MAX
}

/**
 * One pass over the answer section looking for `target`: 0 an A record
 * found, 1 a CNAME moved `target` on, 2 neither, -1 malformed.
 */
function scanAnswers(p: usize, len: i32, start: i32, ancount: i32): i32 {
  let off = start;
  for (let k = 0; k < ancount; k++) {
    const n = decodeName(p, len, off, scratch);
    if (n < 0) return -1;
    const f = decodedEnd();
    if (f + 10 > len) return -1;
    const type = be16(p, f);
    const cls = be16(p, f + 2);
    const ttl = be32(p, f + 4);
    const rdlen = <i32>be16(p, f + 8);
    const rdata = f + 10;
    if (rdata + rdlen > len) return -1;
    off = rdata + rdlen;
    if (cls != CLASS_IN || !sameName(scratch, n, target, targetLen)) continue;
    if (type == TYPE_A) {
      if (rdlen != 4) return -1;
      answerAddr = be32(p, rdata);
      answerTtl = min(answerTtl, ttl);
      return 0;
    }
    if (type == TYPE_CNAME) {
      const t = decodeName(p, rdata + rdlen, rdata, scratch);
      if (t < 0 || decodedEnd() != rdata + rdlen) return -1;
      memory.copy(target, scratch, <usize>t);
      targetLen = t;
      answerTtl = min(answerTtl, ttl);
      return 1;
    }
  }
  return 2;
}
