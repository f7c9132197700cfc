/**
 * A small pcapng writer for the reader's tests, written from the format
 * description (draft-ietf-opsawg-pcapng): it can write either byte order,
 * any timestamp resolution, Enhanced and Simple Packet Blocks, blocks the
 * reader must skip, and several sections — the variations tshark's own
 * output does not show.
 */

export interface NgPacket { tsUnits?: number; data: Uint8Array; origLen?: number; iface?: number; simple?: boolean; }
export interface NgInterface { linkType?: number; snaplen?: number; tsresol?: number; }
export interface NgSection { littleEndian?: boolean; interfaces: NgInterface[]; packets: NgPacket[]; unknownBlock?: boolean; }

class Out {
  parts: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number) { this.parts.push(v & 0xff); }
  u16(v: number) { const b = [v & 0xff, (v >>> 8) & 0xff]; this.parts.push(...(this.le ? b : b.reverse())); }
  u32(v: number) { const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]; this.parts.push(...(this.le ? b : b.reverse())); }
  bytes(b: Uint8Array) { this.parts.push(...b); while (this.parts.length % 4) this.parts.push(0); }
}

/** One block: type, total length, body, total length. */
function block(le: boolean, type: number, body: (o: Out) => void): number[] {
  const inner = new Out(le);
  body(inner);
  while (inner.parts.length % 4) inner.parts.push(0);
  const o = new Out(le);
  o.u32(type); o.u32(inner.parts.length + 12);
  o.parts.push(...inner.parts);
  o.u32(inner.parts.length + 12);
  return o.parts;
}

export function writePcapng(sections: NgSection[]): Uint8Array {
  const all: number[] = [];
  for (const s of sections) {
    const le = s.littleEndian ?? true;
    all.push(...block(le, 0x0a0d0d0a, (o) => { o.u32(0x1a2b3c4d); o.u16(1); o.u16(0); o.u32(0xffffffff); o.u32(0xffffffff); }));
    for (const i of s.interfaces) {
      all.push(...block(le, 1, (o) => {
        o.u16(i.linkType ?? 1); o.u16(0); o.u32(i.snaplen ?? 0);
        if (i.tsresol !== undefined) { o.u16(9); o.u16(1); o.u8(i.tsresol); o.u8(0); o.u8(0); o.u8(0); o.u16(0); o.u16(0); }
      }));
    }
    if (s.unknownBlock) all.push(...block(le, 0x40000bad, (o) => o.bytes(Uint8Array.of(1, 2, 3, 4, 5))));
    for (const p of s.packets) {
      if (p.simple) {
        all.push(...block(le, 3, (o) => { o.u32(p.origLen ?? p.data.length); o.bytes(p.data); }));
        continue;
      }
      const ts = p.tsUnits ?? 0;
      all.push(...block(le, 6, (o) => {
        o.u32(p.iface ?? 0); o.u32(Math.floor(ts / 4294967296)); o.u32(ts >>> 0);
        o.u32(p.data.length); o.u32(p.origLen ?? p.data.length); o.bytes(p.data);
      }));
    }
  }
  return Uint8Array.from(all);
}
