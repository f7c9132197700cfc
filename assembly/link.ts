// The link seam (STYLE 7): the stack sends and receives Ethernet frames
// (without FCS) through these functions only. Link 0 is the host-frames
// link (frames arrive through net_input and leave through hal.frame_out);
// link 1 is the ENC28J60 on SPI.

import { frame_out } from "./hal";
import { ENODEV } from "./errors";
import { Stat, count } from "./stats";

export const enum LinkKind { NONE = -1, HOST_FRAMES = 0, ENC28J60 = 1 }

let kind: LinkKind = LinkKind.NONE;

/** The link chosen by net_init. */
// @ts-ignore: decorator
@inline export function linkKind(): LinkKind { return kind; }

/** Select the link and bring it up. Returns 0 or a negative error. */
export function linkOpen(k: LinkKind, mac: usize, fullDuplex: bool): i32 {
  kind = LinkKind.NONE;
  if (k == LinkKind.HOST_FRAMES) {
    kind = k;
    return 0;
  }
  return ENODEV;
}

/** Hand one frame to the link. */
export function linkTransmit(ptr: usize, len: i32): void {
  count(Stat.ETH_TX_FRAMES);
  if (kind == LinkKind.HOST_FRAMES) frame_out(ptr, len);
}

/** Service the link device; returns 0 or ENODEV. */
export function linkService(): i32 {
  return kind == LinkKind.NONE ? ENODEV : 0;
}

/** Next received frame into `buf` (polled links only); 0 when none. */
export function linkReceive(buf: usize, max: i32): i32 {
  return 0;
}

/** ms until the link needs servicing, -1 if never. */
export function linkNextDeadline(): i32 {
  return -1;
}
