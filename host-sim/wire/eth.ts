/**
 * Ethernet II frames (RFC 894; IEEE 802.3 clause 3.2.6 for the type field,
 * 802.1Q for one VLAN tag). Frames here carry no FCS: the links add and
 * check it (host-sim/crc32.ts).
 *
 *   0      6      12    14
 *   | dst  | src  | type | payload ...
 */
import { type Mac, macBytes, macString } from "./bytes.js";

/** EtherTypes (IEEE 802 numbers) the library knows. */
export const ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806, ETHERTYPE_VLAN = 0x8100;
/** Length of the Ethernet II header. */
export const ETH_HEADER = 14;

export interface EthFrame {
  dst: Mac; src: Mac; type: number; payload: Uint8Array;
}

export interface ParsedEth {
  dst: string; src: string;
  /** The EtherType after any 802.1Q tag. */
  type: number;
  /** The 802.1Q tag control field, when the frame carries a tag. */
  vlan?: number;
  /** Offset of the payload in the frame (14, or 18 behind a tag). */
  offset: number;
  payload: Uint8Array;
}

/** An Ethernet II frame (no FCS). */
export function buildEthernet(e: EthFrame): Uint8Array {
  const f = new Uint8Array(ETH_HEADER + e.payload.length);
  f.set(macBytes(e.dst), 0);
  f.set(macBytes(e.src), 6);
  f[12] = e.type >> 8;
  f[13] = e.type & 0xff;
  f.set(e.payload, ETH_HEADER);
  return f;
}

/** The header fields of a frame, or null when it is shorter than its header. */
export function parseEthernet(f: Uint8Array): ParsedEth | null {
  if (f.length < ETH_HEADER) return null;
  let type = (f[12] << 8) | f[13];
  let offset = ETH_HEADER;
  let vlan: number | undefined;
  if (type === ETHERTYPE_VLAN) {
    if (f.length < ETH_HEADER + 4) return null;
    vlan = (f[14] << 8) | f[15];
    type = (f[16] << 8) | f[17];
    offset += 4;
  }
  const out: ParsedEth = { dst: macString(f.subarray(0, 6)), src: macString(f.subarray(6, 12)), type, offset, payload: f.subarray(offset) };
  if (vlan !== undefined) out.vlan = vlan;
  return out;
}
