// The DHCP client (RFC 2131 §4.4, options RFC 2132, address probe RFC
// 5227). States as in RFC 2131 figure 5, numbered as net_addr reports them:
//
//   INIT ──DISCOVER──▶ SELECTING ──OFFER/REQUEST──▶ REQUESTING ──ACK──▶
//   CHECKING (ARP probes) ──no conflict──▶ BOUND ──T1──▶ RENEWING (unicast)
//   ──T2──▶ REBINDING (broadcast) ──expiry──▶ INIT
//
// A conflict while CHECKING sends DECLINE and restarts after 10 s (§3.1
// item 5); a NAK restarts at once; at expiry or NAK the address is given up
// and every TCP connection on it reset (§4.4.5). Retransmission (§4.1):
// 4 s doubling to 64 s, each wait randomized by ±1 s; REQUESTING gives up
// after REQUEST_TRIES and starts over. RENEWING and REBINDING resend after
// half the time left until T2 or expiry, at least 60 s (§4.4.5). Lease times
// count from when the REQUEST went out (§4.4.1) on the u64 clock, so a
// lease outlives the wrap of net_poll's ms counter.
//
// Replies come through an internal UDP socket on port 68 and are read in
// net_poll (dhcpPoll): a reply is taken only with our xid and chaddr
// (message.ts), the right type for the state, and consistent options.

import { Stat, count } from "../stats";
import { entropy, LogLevel, logLine } from "../hal";
import { earliestLong, longNowMs } from "../time";
import { ourIp, setIpConfig } from "../netif";
import { setDhcpNameservers } from "../nameservers";
import { arpInit, arpProbe, arpProbeConflict } from "../ip/arp";
import { socketDequeue, socketOpen, socketSlot } from "../udp/sockets";
import { tcpResetAll } from "../tcp/user";
import {
  DHCPACK, DHCPDECLINE, DHCPDISCOVER, DHCPNAK, DHCPOFFER, DHCPREQUEST, REPLY, parseReply, replyIsOurs,
} from "./message";
import { sendMessage } from "./send";
import { Lease, leaseFromReply, leaseOk } from "./lease";

/** net_addr's dhcp_state numbers (docs/ABI.md). */
export const enum DhcpState {
  STATIC = 0,    // the address was given to net_init
  INIT,          // about to send DHCPDISCOVER (after a DECLINE: 10 s later)
  SELECTING,     // DISCOVER sent, waiting for an offer (resent after 4, 8, 16, 32, 64, 64... s, ±1 s)
  REQUESTING,    // REQUEST for an offer sent (given up after 4 sends)
  CHECKING,      // ARP probes of the offered address (RFC 5227): a conflict sends DECLINE
  BOUND,         // the address is in use; T1 (default half the lease) starts RENEWING
  RENEWING,      // REQUEST unicast to the server; T2 (default 7/8 of the lease) starts REBINDING
  REBINDING,     // REQUEST broadcast to any server; at expiry the address is given up
}

// @ts-ignore: decorator
@inline const CLIENT_PORT: u16 = 68;
// @ts-ignore: decorator
@inline const FIRST_WAIT_MS: u64 = 4000;
// @ts-ignore: decorator
@inline const MAX_WAIT_MS: u64 = 64000;
// @ts-ignore: decorator
@inline const REQUEST_TRIES: i32 = 4;
// @ts-ignore: decorator
@inline const DECLINE_WAIT_MS: u64 = 10000;
// @ts-ignore: decorator
@inline const RENEW_MIN_MS: u64 = 60000;
// RFC 5227 §1.1: PROBE_WAIT 1 s, PROBE_NUM 3, PROBE_MIN 1 s, PROBE_MAX 2 s, ANNOUNCE_WAIT 2 s.
// @ts-ignore: decorator
@inline const PROBE_NUM: i32 = 3;
// @ts-ignore: decorator
@inline const ANNOUNCE_WAIT_MS: u64 = 2000;
/** Largest reply read (RFC 2131 §2: clients must take 576-byte messages; options may run longer). */
// @ts-ignore: decorator
@inline const BUF_SIZE: i32 = 1024;

// @ts-ignore: decorator
@lazy const buf = memory.data(BUF_SIZE, 4);
// @ts-ignore: decorator
@lazy const meta = memory.data(12, 4);

let state = DhcpState.STATIC;
let sock: i32 = -1;
let xid: u32 = 0;
/** When the current exchange began (for the secs field, §4.1). */
let startedAt: u64 = 0;
let timerAt: u64 = 0;
let waitMs: u64 = 0;
let tries: i32 = 0;
let requestAt: u64 = 0;

/** Stop the client: the address was given by net_init. */
export function dhcpInit(): void {
  sock = -1; // its socket went with udpInit
  state = DhcpState.STATIC;
  Lease.clear();
}

/** Start the client with no address (net_init with ip 0). */
export function dhcpStart(): void {
  dhcpInit();
  sock = socketOpen(CLIENT_PORT, true);
  restart(0);
}

/** The state net_addr reports. */
export function dhcpState(): i32 { return <i32>state; }

/** Go to INIT and send DISCOVER after `delayMs`. */
function restart(delayMs: u64): void {
  state = DhcpState.INIT;
  timerAt = longNowMs() + delayMs;
}

/** First wait of a retransmission series. */
function firstWait(): void {
  tries = 1;
  waitMs = FIRST_WAIT_MS;
  timerAt = longNowMs() + jitter(waitMs);
}

/** RFC 2131 §4.1: the wait randomized by a uniform number in -1..+1 s. */
function jitter(ms: u64): u64 {
  return ms - 1000 + <u64>(entropy() % 2001);
}

function secs(): u16 {
  const s = (longNowMs() - startedAt) / 1000;
  return s > 0xffff ? 0xffff : <u16>s;
}

function discover(): void {
  xid = entropy();
  startedAt = longNowMs();
  state = DhcpState.SELECTING;
  sendMessage(DHCPDISCOVER, xid, 0, 0, 0, 0xffffffff, 0);
  firstWait();
}

/** The REQUEST of each state: SELECTING's names the offer and server; RENEWING's is unicast with ciaddr. */
function request(): void {
  requestAt = longNowMs();
  if (state == DhcpState.REQUESTING) {
    sendMessage(DHCPREQUEST, xid, secs(), 0, Lease.ip, 0xffffffff, Lease.server);
  } else {
    const dst: u32 = state == DhcpState.RENEWING ? Lease.server : 0xffffffff;
    sendMessage(DHCPREQUEST, xid, secs(), ourIp(), 0, dst, 0);
  }
}

/** The address is ours: configure the interface, announce it, arm T1/T2/expiry from the REQUEST's time. */
function bind(): void {
  const wasBound = ourIp() == Lease.ip;
  setIpConfig(Lease.ip, Lease.mask, Lease.router);
  setDhcpNameservers(Lease.dns1, Lease.dns2);
  if (!wasBound) arpInit(); // RFC 5227 §2.3 announcement
  Lease.arm(requestAt);
  state = DhcpState.BOUND;
  timerAt = Lease.t1At;
  count(Stat.DHCP_LEASES);
  logLine(LogLevel.INFO, "dhcp: bound, lease s", Lease.leaseS);
}

/** Give the address up (expiry, NAK): connections on it are reset (RFC 2131 §4.4.5). */
function unbind(): void {
  if (ourIp() != 0) tcpResetAll();
  setIpConfig(0, 0, 0);
  setDhcpNameservers(0, 0);
}

/** One reply in `buf`; true when acted upon. */
function onReply(len: i32): bool {
  if (!replyIsOurs(buf, len, xid) || !parseReply(buf, len)) return false;
  const t = REPLY.type;
  if (state == DhcpState.SELECTING) {
    if (t != DHCPOFFER || REPLY.serverId == 0 || !leaseOk(false)) return false;
    leaseFromReply();
    state = DhcpState.REQUESTING;
    request();
    firstWait();
    return true;
  }
  const waiting = state == DhcpState.REQUESTING || state == DhcpState.RENEWING || state == DhcpState.REBINDING;
  if (!waiting) return false;
  if (t == DHCPNAK) {
    count(Stat.DHCP_NAKS);
    unbind();
    restart(0);
    return true;
  }
  if (t != DHCPACK || !leaseOk(true)) return false;
  if (state == DhcpState.REQUESTING) {
    if (REPLY.yiaddr != Lease.ip || REPLY.serverId != Lease.server) return false;
    leaseFromReply();
    startProbing();
    return true;
  }
  if (REPLY.yiaddr != ourIp()) return false; // a renewal may not move us (we would need CHECKING again)
  leaseFromReply();
  bind();
  return true;
}

function startProbing(): void {
  state = DhcpState.CHECKING;
  tries = 0;
  arpProbeConflict(true);
  timerAt = longNowMs() + <u64>(entropy() % 1001); // PROBE_WAIT
}

/** A probe is due, or the probing ended: next probe, bind, or DECLINE on a conflict. */
function checking(): void {
  if (arpProbeConflict(false)) {
    arpProbeConflict(true);
    count(Stat.DHCP_DECLINES);
    sendMessage(DHCPDECLINE, xid, 0, 0, Lease.ip, 0xffffffff, Lease.server);
    restart(DECLINE_WAIT_MS);
    return;
  }
  if (tries == PROBE_NUM) {
    arpProbeConflict(true);
    bind();
    return;
  }
  arpProbe(Lease.ip);
  tries++;
  // PROBE_MIN..PROBE_MAX between probes, ANNOUNCE_WAIT after the last.
  timerAt = longNowMs() + (tries == PROBE_NUM ? ANNOUNCE_WAIT_MS : 1000 + <u64>(entropy() % 1001));
}

/** Resend in RENEWING/REBINDING after half the time left until `until`, at least 60 s, never past `until`. */
function leaseRetry(until: u64): void {
  const now = longNowMs();
  let next = now + max((until - now) / 2, RENEW_MIN_MS);
  timerAt = next < until ? next : until;
}

/** A timer fired in state `state`. */
function onTimer(): void {
  const now = longNowMs();
  if (state == DhcpState.INIT) { discover(); return; }
  if (state == DhcpState.CHECKING) { checking(); return; }
  if (state == DhcpState.SELECTING || state == DhcpState.REQUESTING) {
    if (state == DhcpState.REQUESTING && tries >= REQUEST_TRIES) { restart(0); return; }
    if (state == DhcpState.SELECTING) sendMessage(DHCPDISCOVER, xid, secs(), 0, 0, 0xffffffff, 0);
    else request();
    tries++;
    waitMs = min(waitMs * 2, MAX_WAIT_MS);
    timerAt = now + jitter(waitMs);
    return;
  }
  if (now >= Lease.endAt) {
    count(Stat.DHCP_EXPIRED);
    logLine(LogLevel.WARN, "dhcp: lease expired");
    unbind();
    restart(0);
    return;
  }
  if (now >= Lease.t2At && state != DhcpState.REBINDING) state = DhcpState.REBINDING;
  else if (state == DhcpState.BOUND) { state = DhcpState.RENEWING; xid = entropy(); startedAt = now; }
  request();
  leaseRetry(state == DhcpState.RENEWING ? Lease.t2At : Lease.endAt);
}

/** Read replies and run the timer (net_poll). */
export function dhcpPoll(): void {
  if (state == DhcpState.STATIC) return;
  const i = socketSlot(sock, true);
  for (;;) {
    const n = socketDequeue(i, buf, BUF_SIZE, meta);
    if (n < 0) break;
    if (n <= BUF_SIZE && onReply(n)) count(Stat.DHCP_RX);
    else count(Stat.DHCP_DROP);
  }
  if (Lease.infinite() && state == DhcpState.BOUND) return;
  if (longNowMs() >= timerAt) onTimer();
}

/** ms until dhcpPoll has work, -1 when none. */
export function dhcpNextDeadline(): i32 {
  if (state == DhcpState.STATIC || (state == DhcpState.BOUND && Lease.infinite())) return -1;
  return earliestLong(-1, timerAt);
}

/** Seconds of lease left (net_addr): 0 without a lease, 0xFFFFFFFF for an infinite one. */
export function dhcpLeaseLeft(): u32 {
  if (state < DhcpState.BOUND) return 0;
  if (Lease.infinite()) return 0xffffffff;
  const now = longNowMs();
  return now >= Lease.endAt ? 0 : <u32>((Lease.endAt - now) / 1000);
}

/** The server of the lease (net_addr), 0 when none. */
export function dhcpServer(): u32 { return state >= DhcpState.REQUESTING ? Lease.server : 0; }
