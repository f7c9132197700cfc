/**
 * UDP datagrams (RFC 768): ports, length, and a checksum over the IPv4
 * pseudo-header and the datagram; a computed 0 is sent as 0xffff, and 0 on
 * the wire means "no checksum".
 */
import { type Ip, type Mac, view } from "./bytes.js";
import { internetChecksum } from "./checksum.js";
import { ETHERTYPE_IPV4, buildEthernet } from "./eth.js";
import { IPPROTO_UDP, buildIpv4, pseudoHeaderSum } from "./ipv4.js";

export interface UdpDatagram {
  srcIp: Ip; dstIp: Ip; srcPort: number; dstPort: number; payload: Uint8Array;
  /** Override the checksum (default: the right one; 0 sends none). */
  checksum?: number;
}

export interface ParsedUdp {
  srcPort: number; dstPort: number; length: number; checksum: number;
  /** True when the checksum is right or absent (0). */
  checksumValid: boolean;
  payload: Uint8Array;
}

/** The UDP header and payload. */
export function buildUdp(u: UdpDatagram): Uint8Array {
  const b = new Uint8Array(8 + u.payload.length);
  const v = view(b);
  v.setUint16(0, u.srcPort);
  v.setUint16(2, u.dstPort);
  v.setUint16(4, b.length);
  b.set(u.payload, 8);
  v.setUint16(6, u.checksum ?? (internetChecksum(b, 0, b.length, pseudoHeaderSum(u.srcIp, u.dstIp, IPPROTO_UDP, b.length)) || 0xffff));
  return b;
}

/** The fields of a UDP datagram between `srcIp` and `dstIp`, or null when its length field does not fit. */
export function parseUdp(b: Uint8Array, srcIp: Ip, dstIp: Ip): ParsedUdp | null {
  if (b.length < 8) return null;
  const v = view(b);
  const length = v.getUint16(4);
  if (length < 8 || length > b.length) return null;
  const checksum = v.getUint16(6);
  const sum = internetChecksum(b, 0, length, pseudoHeaderSum(srcIp, dstIp, IPPROTO_UDP, length));
  return {
    srcPort: v.getUint16(0), dstPort: v.getUint16(2), length, checksum,
    checksumValid: checksum === 0 || sum === 0, payload: b.subarray(8, length),
  };
}

/** A whole Ethernet/IPv4/UDP frame (no FCS). MACs default to 02:00:00:00:00:01 → 02:00:00:00:00:02. */
export function udpFrame(u: UdpDatagram, o: { srcMac?: Mac; dstMac?: Mac } = {}): Uint8Array {
  const ip = buildIpv4({ src: u.srcIp, dst: u.dstIp, protocol: IPPROTO_UDP, payload: buildUdp(u) });
  return buildEthernet({ dst: o.dstMac ?? "02:00:00:00:00:02", src: o.srcMac ?? "02:00:00:00:00:01", type: ETHERTYPE_IPV4, payload: ip });
}
