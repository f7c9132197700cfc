/**
 * Static facts about a built module read from its binary: size, memory
 * pages, and the static data footprint (the end of the highest active data
 * segment, i.e. everything the module reserves before its heap base; with
 * `--runtime stub` and no allocation that is all the RAM it uses besides
 * the wasm stack of the host runtime).
 */
import { readFileSync, statSync } from "node:fs";

export interface WasmInfo { bytes: number; pages: number; staticEnd: number; dataBytes: number; }

function leb(b: Uint8Array, o: { p: number }): number {
  let r = 0, shift = 0, x: number;
  do { x = b[o.p++]; r |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
  return r >>> 0;
}

function sleb(b: Uint8Array, o: { p: number }): number {
  let r = 0, shift = 0, x: number;
  do { x = b[o.p++]; r |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
  if (shift < 32 && x & 0x40) r |= -1 << shift;
  return r;
}

export function wasmInfo(path: string): WasmInfo {
  const b = new Uint8Array(readFileSync(path));
  const mod = new WebAssembly.Module(b);
  let pages = 0;
  const o = { p: 8 };
  let staticEnd = 0, dataBytes = 0;
  while (o.p < b.length) {
    const id = b[o.p++];
    const size = leb(b, o);
    const end = o.p + size;
    if (id === 5) { // memory section
      leb(b, o);
      const flags = leb(b, o);
      pages = leb(b, o);
      void flags;
    } else if (id === 2) { // imports: an imported memory
      const n = leb(b, o);
      for (let i = 0; i < n; i++) {
        const ml = leb(b, o); o.p += ml;
        const nl = leb(b, o); o.p += nl;
        const kind = b[o.p++];
        if (kind === 0) leb(b, o);
        else if (kind === 1) { o.p++; const f = leb(b, o); leb(b, o); if (f & 1) leb(b, o); }
        else if (kind === 2) { const f = leb(b, o); pages = leb(b, o); if (f & 1) leb(b, o); }
        else if (kind === 3) { o.p += 2; }
      }
    } else if (id === 11) { // data
      const n = leb(b, o);
      for (let i = 0; i < n; i++) {
        const flags = leb(b, o);
        let offset = 0;
        if (flags === 0 || flags === 2) {
          if (flags === 2) leb(b, o);
          if (b[o.p++] !== 0x41) throw new Error("data offset is not i32.const");
          offset = sleb(b, o);
          o.p++; // end
        }
        const len = leb(b, o);
        o.p += len;
        dataBytes += len;
        if (flags !== 1) staticEnd = Math.max(staticEnd, offset + len);
      }
    }
    o.p = end;
  }
  void mod;
  return { bytes: statSync(path).size, pages, staticEnd, dataBytes };
}
