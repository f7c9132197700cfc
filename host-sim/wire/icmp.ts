/**
 * ICMP messages (RFC 792): type, code, checksum over the whole message,
 * then for echo request/reply an identifier and a sequence number.
 */
import { view } from "./bytes.js";
import { internetChecksum } from "./checksum.js";

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;

export interface IcmpMessage {
  type: number; code: number;
  /** Identifier and sequence number (echo), or the 32-bit "rest of header" as two halves. */
  id: number; seq: number;
  data: Uint8Array;
  /** Override the checksum (default: the right one). */
  checksum?: number;
}

export interface ParsedIcmp {
  type: number; code: number; id: number; seq: number; data: Uint8Array;
  checksum: number; checksumValid: boolean;
}

/** An ICMP message. */
export function buildIcmp(m: IcmpMessage): Uint8Array {
  const b = new Uint8Array(8 + m.data.length);
  const v = view(b);
  b[0] = m.type;
  b[1] = m.code;
  v.setUint16(4, m.id);
  v.setUint16(6, m.seq);
  b.set(m.data, 8);
  v.setUint16(2, m.checksum ?? internetChecksum(b));
  return b;
}

/** The fields of an ICMP message, or null when it is shorter than its 8-byte header. */
export function parseIcmp(b: Uint8Array): ParsedIcmp | null {
  if (b.length < 8) return null;
  const v = view(b);
  return {
    type: b[0], code: b[1], checksum: v.getUint16(2), checksumValid: internetChecksum(b) === 0,
    id: v.getUint16(4), seq: v.getUint16(6), data: b.subarray(8),
  };
}
