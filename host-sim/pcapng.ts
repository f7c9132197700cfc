/**
 * Reading captures in the pcapng format (what tshark, dumpcap and Wireshark
 * write by default; draft-ietf-opsawg-pcapng, "PCAP Next Generation Dump
 * File Format"), and one entry point that takes either format.
 *
 * A pcapng file is a list of blocks, each
 *
 *   block type (4) | total length (4) | body ... (padded to 4) | total length (4)
 *
 * A Section Header Block (type 0x0a0d0d0a) starts each section; its
 * byte-order magic 0x1a2b3c4d says whether the section is little- or
 * big-endian, and it resets the interface list. An Interface Description
 * Block (type 1) gives an interface's link type and snap length, and in its
 * options the timestamp resolution (if_tsresol, code 9: 10^-n, or 2^-n when
 * the top bit is set; default microseconds) and offset (if_tsoffset, code
 * 14, seconds). Packets come in Enhanced Packet Blocks (type 6: interface,
 * 64-bit timestamp, captured and original length, data), Simple Packet
 * Blocks (type 3: interface 0, no timestamp) or the obsolete Packet Block
 * (type 2). Other blocks (name resolution, statistics, custom) are skipped.
 *
 * Wire data never throws: a block that does not fit ends the reading with
 * `truncated` set, and the packets before it are kept. Only a file that is
 * not a capture at all is an error.
 */

import * as fs from "node:fs";
import { type PcapFile, type PcapRecord, readPcap } from "./pcap.js";

const SHB = 0x0a0d0d0a, IDB = 1, PB = 2, SPB = 3, EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_TSRESOL = 9, OPT_TSOFFSET = 14;

interface Iface { linkType: number; snaplen: number; unitMs: number; offsetMs: number; }

export interface PcapngFile extends PcapFile {
  /** Packets left out because their interface's link type differs from the first interface's. */
  otherLinkPackets: number;
}

/** True when `bytes` start like a pcapng file. */
export function isPcapng(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === SHB;
}

/** Read a capture in either format: classic pcap or pcapng. */
export function readCapture(source: string | Uint8Array): PcapFile {
  const bytes = typeof source === "string" ? new Uint8Array(fs.readFileSync(source)) : source;
  return isPcapng(bytes) ? readPcapng(bytes) : readPcap(bytes);
}

/** The timestamp unit of an interface from its options, in ms. */
function ifaceOptions(dv: DataView, o: number, end: number, le: boolean): { unitMs: number; offsetMs: number } {
  let unitMs = 1e-3, offsetMs = 0;
  while (o + 4 <= end) {
    const code = dv.getUint16(o, le), len = dv.getUint16(o + 2, le);
    if (code === 0 || o + 4 + len > end) break;
    if (code === OPT_TSRESOL && len >= 1) {
      const r = dv.getUint8(o + 4);
      unitMs = (r & 0x80 ? 2 ** -(r & 0x7f) : 10 ** -(r & 0x7f)) * 1000;
    } else if (code === OPT_TSOFFSET && len >= 8) {
      offsetMs = Number(dv.getBigInt64(o + 4, le)) * 1000;
    }
    o += 4 + ((len + 3) & ~3);
  }
  return { unitMs, offsetMs };
}

/** One packet from an EPB, SPB or PB body at `o` (the block's body start). */
function packetOf(dv: DataView, bytes: Uint8Array, type: number, o: number, bodyEnd: number, le: boolean, ifaces: Iface[]): { iface: number; rec: PcapRecord } | null {
  if (type === SPB) {
    if (o + 4 > bodyEnd || !ifaces[0]) return null;
    const orig = dv.getUint32(o, le);
    const incl = Math.min(orig, ifaces[0].snaplen || orig, bodyEnd - o - 4);
    return { iface: 0, rec: { tsMs: 0, data: bytes.slice(o + 4, o + 4 + incl), origLen: orig } };
  }
  // EPB: interface u32; PB: interface u16 + drops u16; then both: ts high, ts low, captured, original.
  const head = 20;
  if (o + head > bodyEnd) return null;
  const iface = type === EPB ? dv.getUint32(o, le) : dv.getUint16(o, le);
  const hi = dv.getUint32(o + 4, le), lo = dv.getUint32(o + 8, le);
  const incl = dv.getUint32(o + 12, le), orig = dv.getUint32(o + 16, le);
  const i = ifaces[iface];
  if (!i || o + head + incl > bodyEnd) return null;
  const tsMs = (hi * 4294967296 + lo) * i.unitMs + i.offsetMs;
  return { iface, rec: { tsMs, data: bytes.slice(o + head, o + head + incl), origLen: orig } };
}

/** Parse a pcapng file (path or bytes). Throws only for a file that does not start with a Section Header Block. */
export function readPcapng(source: string | Uint8Array): PcapngFile {
  const bytes = typeof source === "string" ? new Uint8Array(fs.readFileSync(source)) : source;
  if (!isPcapng(bytes) || bytes.length < 28) throw new Error("not a pcapng file: no section header block");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: PcapRecord[] = [];
  let ifaces: Iface[] = [];
  let first: Iface | undefined;
  let le = true, truncated = false, otherLinkPackets = 0;
  for (let o = 0; o < bytes.length;) {
    if (o + 12 > bytes.length) { truncated = true; break; }
    const type = dv.getUint32(o, le); // the SHB type reads the same in both byte orders
    if (type === SHB) {
      const bom = dv.getUint32(o + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else { truncated = true; break; }
      ifaces = [];
    }
    const len = dv.getUint32(o + 4, le);
    if (len < 12 || len % 4 !== 0 || o + len > bytes.length) { truncated = true; break; }
    const body = o + 8, bodyEnd = o + len - 4;
    if (type === IDB && body + 8 <= bodyEnd) {
      const i = { linkType: dv.getUint16(body, le), snaplen: dv.getUint32(body + 4, le), ...ifaceOptions(dv, body + 8, bodyEnd, le) };
      ifaces.push(i);
      first ??= i;
    } else if (type === EPB || type === SPB || type === PB) {
      const p = packetOf(dv, bytes, type, body, bodyEnd, le, ifaces);
      if (!p) { truncated = true; break; }
      if (ifaces[p.iface].linkType === first?.linkType) records.push(p.rec);
      else otherLinkPackets++;
    }
    o += len;
  }
  return { linkType: first?.linkType ?? 0, snaplen: first?.snaplen ?? 0, records, truncated, otherLinkPackets };
}
