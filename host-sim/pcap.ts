/**
 * Captures in the classic libpcap file format (what tcpdump -w writes and
 * Wireshark/tshark read): a 24-byte global header, then per packet a 16-byte
 * record header and the bytes.
 *
 *   global: magic a1b2c3d4 | version 2.4 | thiszone 0 | sigfigs 0 | snaplen | linktype
 *   record: ts_sec | ts_usec | incl_len | orig_len | data[incl_len]
 *
 * Link type is LINKTYPE_ETHERNET (1), whose packets carry no FCS, so the
 * writer strips the 4-byte FCS that link frames have. Timestamps come from
 * the simulator's Clock (plus an optional epoch), so a virtual-time run gives
 * a byte-identical capture every time. The writer uses the host's byte
 * order; the reader accepts either order and the nanosecond variant.
 */

import * as fs from "node:fs";
import type { Clock } from "./clock.js";
import type { LinkEnd, LinkStats } from "./links/types.js";

export const LINKTYPE_ETHERNET = 1;
const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const PCAPNG_MAGIC = 0x0a0d0d0a;
const FLUSH_BYTES = 64 * 1024;

/** Where the writer's bytes go: a file path, or any sink (for in-memory captures). */
export interface PcapSink { write(bytes: Uint8Array): void; close?(): void; }

export interface PcapWriterOptions {
  /** Timestamps are `epochMs + clock.now()` (default: epoch 0, so virtual runs are reproducible). */
  clock: Clock;
  epochMs?: number;
  /** Largest number of bytes kept per packet (default 65535). */
  snaplen?: number;
  /** Frames given to write() end with a 4-byte FCS to strip (default true: link frames do). */
  framesHaveFcs?: boolean;
}

/** Writes an Ethernet capture; the file is complete after close(). */
export class PcapWriter {
  /** Packets written so far. */
  packets = 0;
  private readonly sink: PcapSink;
  private chunks: Uint8Array[] = [];
  private pending = 0;
  private closed = false;
  private readonly snaplen: number;

  constructor(target: string | PcapSink, private readonly opts: PcapWriterOptions) {
    this.snaplen = opts.snaplen ?? 65535;
    if (typeof target === "string") {
      const fd = fs.openSync(target, "w");
      this.sink = { write: (b) => { fs.writeSync(fd, b); }, close: () => fs.closeSync(fd) };
    } else this.sink = target;
    const h = new DataView(new ArrayBuffer(24));
    h.setUint32(0, MAGIC_US, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    h.setUint32(16, this.snaplen, true);
    h.setUint32(20, LINKTYPE_ETHERNET, true);
    this.push(new Uint8Array(h.buffer));
  }

  /** Record one frame at the clock's current time (or at `atMs` of that clock). */
  write(frame: Uint8Array, atMs?: number): void {
    if (this.closed) return;
    const strip = (this.opts.framesHaveFcs ?? true) && frame.length >= 4;
    const data = strip ? frame.subarray(0, frame.length - 4) : frame;
    const kept = Math.min(data.length, this.snaplen);
    const us = Math.round(((this.opts.epochMs ?? 0) + (atMs ?? this.opts.clock.now())) * 1000);
    const rec = new Uint8Array(16 + kept);
    const dv = new DataView(rec.buffer);
    dv.setUint32(0, Math.floor(us / 1e6), true);
    dv.setUint32(4, us % 1e6, true);
    dv.setUint32(8, kept, true);
    dv.setUint32(12, data.length, true);
    rec.set(data.subarray(0, kept), 16);
    this.push(rec);
    this.packets++;
  }

  /** Hand buffered records to the sink. */
  flush(): void {
    if (this.chunks.length === 0) return;
    const all = new Uint8Array(this.pending);
    let o = 0;
    for (const c of this.chunks) { all.set(c, o); o += c.length; }
    this.chunks = [];
    this.pending = 0;
    this.sink.write(all);
  }

  /** Flush and close the file; later writes are ignored. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.sink.close?.();
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.pending += b.length;
    if (this.pending >= FLUSH_BYTES) this.flush();
  }
}

/**
 * A link end that records every frame it sends and receives into `writer`,
 * then passes it on unchanged; use it in place of `end`.
 */
export function tapLink(end: LinkEnd, writer: PcapWriter): LinkEnd {
  const tapped: LinkEnd = {
    onFrame: null,
    onDown: null,
    send(frame: Uint8Array): void { writer.write(frame); end.send(frame); },
    close(): void { end.close(); },
    stats(): LinkStats { return end.stats(); },
  };
  end.onFrame = (f) => { writer.write(f); tapped.onFrame?.(f); };
  end.onDown = (r) => tapped.onDown?.(r);
  return tapped;
}

export interface PcapRecord {
  /** Timestamp in ms since the epoch of the file. */
  tsMs: number;
  /** The captured bytes (incl_len of them). */
  data: Uint8Array;
  /** The packet's length on the wire before snapping. */
  origLen: number;
}

export interface PcapFile {
  linkType: number;
  snaplen: number;
  records: PcapRecord[];
  /** True if the file ended inside a record (a capture cut short); records before it are kept. */
  truncated: boolean;
}

/** Parse a classic pcap file (path or bytes). Throws only for a file that is not classic pcap. */
export function readPcap(source: string | Uint8Array): PcapFile {
  const bytes = typeof source === "string" ? new Uint8Array(fs.readFileSync(source)) : source;
  if (bytes.length < 24) throw new Error("not a pcap file: shorter than the 24-byte header");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = dv.getUint32(0, true);
  let le: boolean, nano: boolean;
  if (m === MAGIC_US || m === MAGIC_NS) { le = true; nano = m === MAGIC_NS; }
  else {
    const mb = dv.getUint32(0, false);
    if (mb === MAGIC_US || mb === MAGIC_NS) { le = false; nano = mb === MAGIC_NS; }
    else if (m === PCAPNG_MAGIC) throw new Error("this is a pcapng file; convert it with `editcap -F pcap IN OUT` first");
    else throw new Error(`not a pcap file: magic 0x${m.toString(16)}`);
  }
  const snaplen = dv.getUint32(16, le);
  const linkType = dv.getUint32(20, le) & 0x0fffffff; // upper bits: FCS-length flags
  const records: PcapRecord[] = [];
  let o = 24;
  let truncated = false;
  while (o < bytes.length) {
    if (o + 16 > bytes.length) { truncated = true; break; }
    const sec = dv.getUint32(o, le), frac = dv.getUint32(o + 4, le);
    const incl = dv.getUint32(o + 8, le), orig = dv.getUint32(o + 12, le);
    if (o + 16 + incl > bytes.length) { truncated = true; break; }
    records.push({ tsMs: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3), data: bytes.slice(o + 16, o + 16 + incl), origLen: orig });
    o += 16 + incl;
  }
  return { linkType, snaplen, records, truncated };
}
