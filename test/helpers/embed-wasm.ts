/**
 * Read function signatures out of a wasm binary (WebAssembly.Module.imports
 * and exports give names only) and the declarations out of
 * include/embertcp.h, so the header can be compared with the real module.
 */
export type ValType = "i32" | "i64" | "f32" | "f64" | "other";
export interface Sig { params: ValType[]; results: ValType[]; }
export interface ModuleSigs {
  imports: Map<string, Sig | "memory" | "table" | "global">; // "module.name"
  exports: Map<string, Sig | "memory" | "table" | "global">;
}

const VAL: Record<number, ValType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64" };

export function moduleSignatures(bytes: Uint8Array): ModuleSigs {
  let p = 8;
  const u = (): number => { let r = 0, s = 0, b: number; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const name = (): string => { const n = u(); const s = new TextDecoder().decode(bytes.subarray(p, p + n)); p += n; return s; };
  const limits = () => { const f = u(); u(); if (f & 1) u(); };
  const types: Sig[] = [], funcs: number[] = [];
  const out: ModuleSigs = { imports: new Map(), exports: new Map() };
  while (p < bytes.length) {
    const id = bytes[p++], size = u(), end = p + size;
    if (id === 1) {
      for (let n = u(); n > 0; n--) {
        p++; // 0x60
        const params = Array.from({ length: u() }, () => VAL[bytes[p++]] ?? "other");
        const results = Array.from({ length: u() }, () => VAL[bytes[p++]] ?? "other");
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u(); n > 0; n--) {
        const key = `${name()}.${name()}`, kind = bytes[p++];
        if (kind === 0) { const t = u(); funcs.push(t); out.imports.set(key, types[t]); }
        else if (kind === 1) { p++; limits(); out.imports.set(key, "table"); }
        else if (kind === 2) { limits(); out.imports.set(key, "memory"); }
        else { p += 2; out.imports.set(key, "global"); }
      }
    } else if (id === 3) {
      for (let n = u(); n > 0; n--) funcs.push(u());
    } else if (id === 7) {
      for (let n = u(); n > 0; n--) {
        const key = name(), kind = bytes[p++], index = u();
        out.exports.set(key, kind === 0 ? types[funcs[index]] : kind === 1 ? "table" : kind === 2 ? "memory" : "global");
      }
    }
    p = end;
  }
  return out;
}

export interface HeaderDecl { name: string; params: ValType[]; results: ValType[]; }

/** C scalar type as the wasm32 ABI passes it. */
function cType(t: string): ValType {
  const s = t.replace(/\bconst\b/g, "").trim();
  if (/^(u?int32_t|int|unsigned|uint32_t)$/.test(s) || s.endsWith("*")) return "i32";
  if (/^u?int64_t$/.test(s)) return "i64";
  if (s === "float") return "f32";
  if (s === "double") return "f64";
  return "other";
}

function decl(ret: string, name: string, args: string): HeaderDecl {
  const params = args.trim() === "void" ? [] : args.split(",").map((a) => cType(a.trim().replace(/\s*\w+$/, "")));
  return { name, params, results: ret.trim() === "void" ? [] : [cType(ret)] };
}

/**
 * The header's view of the ABI: `EMBERTCP_EXPORT(name) ret name(args);`
 * lines are the module's exports; the `hal_*` prototypes, each followed by a
 * comment naming its import (`/* "spi_select" *\/`), are its imports.
 */
export function parseHeader(text: string): { exports: HeaderDecl[]; imports: HeaderDecl[]; memoryBase: number | null } {
  const exports = [...text.matchAll(/^EMBERTCP_EXPORT\((\w+)\)\s+([\w ]+?)\s+(\w+)\(([^)]*)\);/gm)].map((m) => {
    if (m[1] !== m[3]) throw new Error(`EMBERTCP_EXPORT(${m[1]}) declares ${m[3]}`);
    return decl(m[2], m[3], m[4]);
  });
  const imports = [...text.matchAll(/^([\w ]+?)\s+hal_(\w+)\(([^)]*)\);\s*\/\*\s*"(\w+)"\s*\*\//gm)].map((m) => {
    if (m[2] !== m[4]) throw new Error(`hal_${m[2]} is commented as "${m[4]}"`);
    return decl(m[1], m[4], m[3]);
  });
  const base = /#define\s+EMBERTCP_IMPORTED_MEMORY_BASE\s+(0x[0-9a-fA-F]+|\d+)u?/.exec(text);
  return { exports, imports, memoryBase: base ? Number(base[1]) : null };
}
