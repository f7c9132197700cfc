/**
 * ARP for IPv4 over Ethernet (RFC 826): the 28-byte packet and the frame
 * that carries it.
 *
 *   0      2      4    5    6      8     14    18     24    28
 *   | htype | ptype | hlen | plen | op | sha | spa | tha | tpa |
 */
import { BROADCAST_MAC, type Ip, type Mac, ZERO_MAC, ipBytes, ipString, macBytes, macString, view } from "./bytes.js";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, buildEthernet, parseEthernet } from "./eth.js";

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
export const ARP_LENGTH = 28;

export interface ArpPacket {
  op: number;
  sha: Mac; spa: Ip; tha: Mac; tpa: Ip;
  /** Header fields a test may bend (defaults: Ethernet 1, IPv4, 6, 4). */
  htype?: number; ptype?: number; hlen?: number; plen?: number;
}

export interface ParsedArp {
  htype: number; ptype: number; hlen: number; plen: number; op: number;
  sha: string; spa: string; tha: string; tpa: string;
}

/** The 28-byte ARP packet. */
export function buildArp(a: ArpPacket): Uint8Array {
  const p = new Uint8Array(ARP_LENGTH);
  const v = view(p);
  v.setUint16(0, a.htype ?? 1);
  v.setUint16(2, a.ptype ?? ETHERTYPE_IPV4);
  p[4] = a.hlen ?? 6;
  p[5] = a.plen ?? 4;
  v.setUint16(6, a.op);
  p.set(macBytes(a.sha), 8);
  p.set(ipBytes(a.spa), 14);
  p.set(macBytes(a.tha), 18);
  p.set(ipBytes(a.tpa), 24);
  return p;
}

/** The fields of an ARP packet as they stand (whatever htype/ptype say), or null when it is short. */
export function parseArp(p: Uint8Array): ParsedArp | null {
  if (p.length < ARP_LENGTH) return null;
  const v = view(p);
  return {
    htype: v.getUint16(0), ptype: v.getUint16(2), hlen: p[4], plen: p[5], op: v.getUint16(6),
    sha: macString(p.subarray(8, 14)), spa: ipString(p.subarray(14, 18)),
    tha: macString(p.subarray(18, 24)), tpa: ipString(p.subarray(24, 28)),
  };
}

/**
 * An ARP frame. A request goes to broadcast with a zero target MAC unless
 * told otherwise; a reply goes to the target.
 */
export function arpFrame(a: Omit<ArpPacket, "tha"> & { tha?: Mac; ethDst?: Mac; ethSrc?: Mac }): Uint8Array {
  const request = a.op === ARP_REQUEST;
  const tha = a.tha ?? ZERO_MAC;
  const packet = buildArp({ ...a, tha });
  return buildEthernet({ dst: a.ethDst ?? (request ? BROADCAST_MAC : tha), src: a.ethSrc ?? a.sha, type: ETHERTYPE_ARP, payload: packet });
}

/** The ARP packet of an Ethernet frame when it is ARP for IPv4 over Ethernet, else null. */
export function parseArpFrame(f: Uint8Array): ParsedArp | null {
  const e = parseEthernet(f);
  if (!e || e.type !== ETHERTYPE_ARP) return null;
  const a = parseArp(e.payload);
  if (!a || a.htype !== 1 || a.ptype !== ETHERTYPE_IPV4 || a.hlen !== 6 || a.plen !== 4) return null;
  return a;
}
