// The link seam (docs/ARCHITECTURE.md "Layers"): the stack sends and
// receives Ethernet frames (without FCS) through these functions only.
// Link 0 is the host-frames link (frames arrive through net_input and
// leave through hal.frame_out); link 1 is the ENC28J60 on SPI
// (assembly/enc28j60/driver.ts).

import { frame_out } from "./hal";
import { ENODEV } from "./errors";
import { Stat, count } from "./stats";
import { encInit, encLinkUp, encNextDeadline, encReceive, encService, encTransmit } from "./enc28j60/driver";

export const enum LinkKind { NONE = -1, HOST_FRAMES = 0, ENC28J60 = 1 }

let kind: LinkKind = LinkKind.NONE;

/** The link chosen by net_init. */
// @ts-ignore: decorator
@inline export function linkKind(): LinkKind { return kind; }

/** Select the link and bring it up (the ENC28J60 finishes over later polls). Returns 0 or a negative error. */
export function linkOpen(k: LinkKind, mac: usize, fullDuplex: bool): i32 {
  kind = LinkKind.NONE;
  if (k == LinkKind.ENC28J60) {
    const r = encInit(mac, fullDuplex);
    if (r < 0) return r;
  } else if (k != LinkKind.HOST_FRAMES) {
    return ENODEV;
  }
  kind = k;
  return 0;
}

/** Hand one frame to the link; a frame the device cannot take is counted and lost (TCP retransmits). */
export function linkTransmit(ptr: usize, len: i32): void {
  if (kind == LinkKind.HOST_FRAMES) {
    frame_out(ptr, len);
  } else if (kind != LinkKind.ENC28J60 || encTransmit(ptr, len) < 0) {
    count(Stat.ETH_DROP_TX);
    return;
  }
  count(Stat.ETH_TX_FRAMES);
}

/** Service the link device; returns 0 or ENODEV. */
export function linkService(): i32 {
  if (kind == LinkKind.ENC28J60) return encService();
  return kind == LinkKind.NONE ? ENODEV : 0;
}

/** The link can carry frames now (the host-frames link always can). */
export function linkUp(): bool {
  if (kind == LinkKind.ENC28J60) return encLinkUp();
  return kind == LinkKind.HOST_FRAMES;
}

/** Next received frame into `buf` (polled links only); 0 when none. */
export function linkReceive(buf: usize, max: i32): i32 {
  return kind == LinkKind.ENC28J60 ? encReceive(buf, max) : 0;
}

/** ms until the link needs servicing, -1 if never. */
export function linkNextDeadline(): i32 {
  return kind == LinkKind.ENC28J60 ? encNextDeadline() : -1;
}
