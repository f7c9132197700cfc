// The stack's outer loop: bring-up, Ethernet demultiplexing and the poll
// that drains the link and runs every timer. index.ts checks arguments and
// calls these.

import { FRAME_MAX } from "./config";
import { ENODEV } from "./errors";
import { LinkKind, linkKind, linkNextDeadline, linkOpen, linkReceive, linkService, linkUp } from "./link";
import { OUR_MAC, RX_FRAME, setIpConfig } from "./netif";
import { ConfigKey, config } from "./netconfig";
import { Stat, count } from "./stats";
import { setNow } from "./time";
import { LogLevel, logLine } from "./hal";
import {
  ETH_DST, ETH_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4,
  ethType, macCopy, macEqual, macIsBroadcast,
} from "./ip/eth";
import { arpInit, arpInput, arpNextDeadline, arpPoll } from "./ip/arp";
import { ipv4Init } from "./ip/ipv4";
import { ipv4Input } from "./ip/input";
import { listenNextDeadline, listenPoll, tcpInit, tcpNextDeadline, tcpTimers } from "./tcp/user";
import { servicesInit, servicesNextDeadline, servicesPoll } from "./services";

// Frames drained from a polled link per net_poll, so timers still run
// under a receive flood; the poll then asks to be called again at once.
// @ts-ignore: decorator
@inline const RX_BUDGET: i32 = 32;

let arpAnnounced = false;

/** net_init after argument checks. */
export function netInit(link: LinkKind, mac: usize, ip: u32, netmask: u32, gateway: u32): i32 {
  macCopy(OUR_MAC, mac);
  setIpConfig(ip, netmask, gateway);
  const r = linkOpen(link, mac, config(ConfigKey.FULL_DUPLEX) != 0);
  if (r < 0) {
    logLine(LogLevel.ERROR, "net_init: link device does not answer, link", link);
    return r;
  }
  ipv4Init();
  tcpInit();
  servicesInit(ip == 0);
  arpAnnounced = false;
  if (link == LinkKind.HOST_FRAMES) announce();
  logLine(LogLevel.INFO, "embertcp up on link", link);
  return 0;
}

function announce(): void {
  arpAnnounced = true;
  arpInit();
}

/** One received Ethernet frame (no FCS). */
export function netInputFrame(p: usize, len: i32): void {
  count(Stat.ETH_RX_FRAMES);
  if (len < ETH_HEADER_LEN) { count(Stat.ETH_DROP_SHORT); return; }
  if (len > FRAME_MAX) { count(Stat.ETH_DROP_OVERSIZE); return; }
  if (!macEqual(p + ETH_DST, OUR_MAC) && !macIsBroadcast(p + ETH_DST)) { count(Stat.ETH_DROP_NOT_OURS); return; }
  const t = ethType(p);
  if (t == ETHERTYPE_IPV4) ipv4Input(p + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
  else if (t == ETHERTYPE_ARP) arpInput(p + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
  else count(Stat.ETH_DROP_TYPE);
}

/** net_poll: set the time, drain the link, run timers; ms to the next deadline or -1. */
export function netPoll(now: u32): i32 {
  if (!netUp()) return ENODEV;
  setNow(now);
  const r = linkService();
  if (r < 0) return r;
  let more = false;
  for (let i = 0; i < RX_BUDGET; i++) {
    const n = linkReceive(RX_FRAME, FRAME_MAX);
    if (n <= 0) break;
    netInputFrame(RX_FRAME, n);
    if (i == RX_BUDGET - 1) more = true;
  }
  // Announce ourselves once the link can carry it (the ENC28J60 comes up
  // over several polls after net_init).
  if (!arpAnnounced && linkUp()) announce();
  arpPoll();
  tcpTimers();
  listenPoll();
  servicesPoll();
  if (more) return 0;
  const next = sooner(sooner(sooner(linkNextDeadline(), arpNextDeadline()), tcpNextDeadline()), listenNextDeadline());
  return sooner(next, servicesNextDeadline());
}

/** The smaller of two waits in ms, -1 meaning none. */
function sooner(a: i32, b: i32): i32 {
  return b >= 0 && (a < 0 || b < a) ? b : a;
}

/**
 * The stack has been initialised on a link: linkOpen() records the link
 * only when it came up, and nothing between that and the end of netInit
 * can fail, so the link kind is the one record of it.
 */
// @ts-ignore: decorator
@inline export function netUp(): bool { return linkKind() != LinkKind.NONE; }
