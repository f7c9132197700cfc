// The DNS stub resolver (RFC 1035 §7, RFC 1123 §6.1.3, RFC 5452) behind
// dns_query/dns_result. Each query takes one of DNS_QUERIES slots until its
// result is read. A pending query has its own internal UDP socket on a
// random port and a random 16-bit ID (RFC 5452 §9.2: both unpredictable,
// so an off-path forger must guess 32 bits); an answer counts only when it
// comes from a configured server's port 53 to that socket with that ID and
// our question (message.ts). Tries alternate between the servers,
// TRY_TIMEOUT_MS apart, TRIES in all, then ETIMEDOUT. SERVFAIL or REFUSED
// moves on to the next try at once; NXDOMAIN is final (ENOTFOUND).

import { DNS_QUERIES } from "../config";
import { EAGAIN, EINVAL, ENETUNREACH, ENOMEM, ENOTFOUND, ETIMEDOUT } from "../errors";
import { Stat, count } from "../stats";
import { entropy } from "../hal";
import { expired, earliest, nowMs } from "../time";
import { ourIp } from "../netif";
import { nameserver } from "../nameservers";
import { socketClose, socketDequeue, socketOpen, socketPort, socketSlot } from "../udp/sockets";
import { udpPayload, udpTransmit } from "../udp/udp";
import { NAME_MAX, encodeName, parseDottedQuad } from "./name";
import { Answer, answerAddress, answerTtlS, readAnswer, writeQuery } from "./message";
import { cacheInit, cacheLookup, cacheStore } from "./cache";

// @ts-ignore: decorator
@inline const DNS_PORT: u16 = 53;
// @ts-ignore: decorator
@inline const TRIES: i32 = 4;
// @ts-ignore: decorator
@inline const TRY_TIMEOUT_MS: u32 = 2000;
/** RFC 1035 §4.2.1: UDP messages are at most 512 bytes (we send no EDNS). */
// @ts-ignore: decorator
@inline const ANSWER_MAX: i32 = 512;

// @ts-ignore: decorator
@inline const FREE: u8 = 0;
// @ts-ignore: decorator
@inline const PENDING: u8 = 1;
// @ts-ignore: decorator
@inline const DONE: u8 = 2;

// Query slot.
// @ts-ignore: decorator
@inline const Q_STATE: usize = 0;   // u8
// @ts-ignore: decorator
@inline const Q_TRIES: usize = 1;   // u8: tries sent
// @ts-ignore: decorator
@inline const Q_GEN: usize = 2;     // u16
// @ts-ignore: decorator
@inline const Q_ID: usize = 4;      // u16
// @ts-ignore: decorator
@inline const Q_NAME_LEN: usize = 6; // u16
// @ts-ignore: decorator
@inline const Q_SOCK: usize = 8;    // i32
// @ts-ignore: decorator
@inline const Q_RESULT: usize = 12; // i32: 0 or an error
// @ts-ignore: decorator
@inline const Q_ADDR: usize = 16;   // u32
// @ts-ignore: decorator
@inline const Q_DEADLINE: usize = 20; // u32 ms
// @ts-ignore: decorator
@inline const Q_NAME: usize = 24;
// @ts-ignore: decorator
@inline const SLOT: usize = 24 + 256;

// @ts-ignore: decorator
@lazy const slots = memory.data(<i32>SLOT * DNS_QUERIES, 4);
// @ts-ignore: decorator
@lazy const answer = memory.data(ANSWER_MAX, 4);
// @ts-ignore: decorator
@lazy const meta = memory.data(12, 4);
// @ts-ignore: decorator
@lazy const nameBuf = memory.data(NAME_MAX + 1, 4);

// @ts-ignore: decorator
@inline function slot(i: i32): usize { return slots + <usize>i * SLOT; }

/** Free every query and empty the cache (net_init). */
export function resolverInit(): void {
  // The sockets went with udpInit; generations stay, so older handles remain stale.
  for (let i = 0; i < DNS_QUERIES; i++) store<u8>(slot(i), FREE, Q_STATE);
  cacheInit();
}

/** A free slot made ready with a new generation; -1 when none. */
function claim(): i32 {
  for (let i = 0; i < DNS_QUERIES; i++) {
    const q = slot(i);
    if (load<u8>(q, Q_STATE) != FREE) continue;
    store<u16>(q, (load<u16>(q, Q_GEN) + 1) & 0x7fff, Q_GEN);
    return i;
  }
  return -1;
}

// @ts-ignore: decorator
@inline function handle(i: i32): i32 { return (<i32>load<u16>(slot(i), Q_GEN) << 8) | (i + 1); }

function finish(i: i32, result: i32, addr: u32): void {
  const q = slot(i);
  if (load<u8>(q, Q_STATE) == PENDING) socketClose(socketSlot(load<i32>(q, Q_SOCK), true));
  store<u8>(q, DONE, Q_STATE);
  store<i32>(q, result, Q_RESULT);
  store<u32>(q, addr, Q_ADDR);
}

/** The server for try number `t`: alternate between those configured. */
function serverFor(t: i32): u32 {
  const a = nameserver(0);
  const b = nameserver(1);
  if (a == 0) return b;
  if (b == 0) return a;
  return (t & 1) == 0 ? a : b;
}

function sendTry(i: i32): void {
  const q = slot(i);
  const t = <i32>load<u8>(q, Q_TRIES);
  const n = writeQuery(udpPayload(), load<u16>(q, Q_ID), q + Q_NAME, <i32>load<u16>(q, Q_NAME_LEN));
  store<u8>(q, <u8>(t + 1), Q_TRIES);
  store<u32>(q, nowMs() + TRY_TIMEOUT_MS, Q_DEADLINE);
  count(Stat.DNS_QUERIES_SENT);
  udpTransmit(socketPort(socketSlot(load<i32>(q, Q_SOCK), true)), serverFor(t), DNS_PORT, n);
}

/** dns_query: a handle, or EINVAL / ENOMEM / ENETUNREACH. */
export function dnsQuery(p: usize, len: i32): i32 {
  const quad = parseDottedQuad(p, len);
  const nameLen = quad != 0 ? 0 : encodeName(p, len, nameBuf);
  if (nameLen < 0) return EINVAL;
  const i = claim();
  if (i < 0) return ENOMEM;
  if (quad != 0) { finish(i, 0, quad); return handle(i); }
  const cached = cacheLookup(nameBuf, nameLen);
  if (cached != 0) {
    count(Stat.DNS_CACHE_HITS);
    finish(i, 0, cached);
    return handle(i);
  }
  if (ourIp() == 0 || serverFor(0) == 0) return ENETUNREACH;
  const s = socketOpen(0, true);
  if (s < 0) return ENOMEM;
  const q = slot(i);
  memory.copy(q + Q_NAME, nameBuf, <usize>nameLen);
  store<u8>(q, PENDING, Q_STATE);
  store<u8>(q, 0, Q_TRIES);
  store<u16>(q, <u16>entropy(), Q_ID);
  store<u16>(q, <u16>nameLen, Q_NAME_LEN);
  store<i32>(q, s, Q_SOCK);
  sendTry(i);
  return handle(i);
}

/** dns_result: 0 with the address at `out`, EAGAIN while pending, or the query's error (which frees it). */
export function dnsResult(h: i32, out: usize): i32 {
  const i = (h & 0xff) - 1;
  if (h <= 0 || i >= DNS_QUERIES) return EINVAL;
  const q = slot(i);
  const st = load<u8>(q, Q_STATE);
  if (st == FREE || <i32>load<u16>(q, Q_GEN) != (h >>> 8)) return EINVAL;
  if (st == PENDING) return EAGAIN;
  const r = load<i32>(q, Q_RESULT);
  if (r == 0) store<u32>(out, load<u32>(q, Q_ADDR));
  store<u8>(q, FREE, Q_STATE);
  return r;
}

/** One datagram on query `i`'s socket, `n` bytes in `answer`, from meta's address and port. */
function onDatagram(i: i32, n: i32): void {
  const q = slot(i);
  const from = load<u32>(meta);
  const port = load<u32>(meta, 4);
  if (port != <u32>DNS_PORT || from == 0 || (from != nameserver(0) && from != nameserver(1))) {
    count(Stat.DNS_DROP_MISMATCH);
    return;
  }
  if (n > ANSWER_MAX) { count(Stat.DNS_DROP_MALFORMED); return; }
  const r = readAnswer(answer, n, load<u16>(q, Q_ID), q + Q_NAME, <i32>load<u16>(q, Q_NAME_LEN));
  if (r == Answer.MISMATCH) { count(Stat.DNS_DROP_MISMATCH); return; }
  if (r == Answer.MALFORMED) { count(Stat.DNS_DROP_MALFORMED); return; }
  if (r == Answer.TRUNCATED) { count(Stat.DNS_DROP_TRUNCATED); return; }
  if (r == Answer.SERVER_FAILURE) { store<u32>(q, nowMs(), Q_DEADLINE); return; } // next try now
  count(Stat.DNS_ANSWERS);
  if (r == Answer.NOT_FOUND) { finish(i, ENOTFOUND, 0); return; }
  const addr = answerAddress();
  cacheStore(q + Q_NAME, <i32>load<u16>(q, Q_NAME_LEN), addr, answerTtlS());
  finish(i, 0, addr);
}

/** Read answers and retry or give up on late queries (net_poll). */
export function resolverPoll(): void {
  for (let i = 0; i < DNS_QUERIES; i++) {
    const q = slot(i);
    if (load<u8>(q, Q_STATE) != PENDING) continue;
    const s = socketSlot(load<i32>(q, Q_SOCK), true);
    for (;;) {
      const n = socketDequeue(s, answer, ANSWER_MAX, meta);
      if (n < 0) break;
      onDatagram(i, n);
      if (load<u8>(q, Q_STATE) != PENDING) break;
    }
    if (load<u8>(q, Q_STATE) != PENDING || !expired(load<u32>(q, Q_DEADLINE))) continue;
    const t = <i32>load<u8>(q, Q_TRIES);
    if (t >= TRIES || serverFor(t) == 0) {
      count(Stat.DNS_TIMEOUTS);
      finish(i, ETIMEDOUT, 0);
    } else {
      sendTry(i);
    }
  }
}

/** ms until resolverPoll has work, -1 when none. */
export function resolverNextDeadline(): i32 {
  let next = -1;
  for (let i = 0; i < DNS_QUERIES; i++) {
    const q = slot(i);
    if (load<u8>(q, Q_STATE) == PENDING) next = earliest(next, load<u32>(q, Q_DEADLINE));
  }
  return next;
}
