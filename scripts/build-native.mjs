#!/usr/bin/env node
// `npm run build:native`: build/native/embertcp-tap, the Linux host
// (ports/linux) on the wasm2c C of the release module. Runs build:c first
// with the same EMBER_* environment variables, so
//   EMBER_TCB_COUNT=256 EMBER_TCP_RX_BUF=65536 EMBER_TCP_TX_BUF=65536 npm run build:native
// gives a large build at the same path. CC picks the compiler (default cc).
// With --if-available a missing wasm2c or compiler prints why and exits 0.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildC, fail, haveTool, parseArgs, root } from "./build-c.mjs";

/** Sources of the runtime and the apps, shared by every C target. */
export const RUNTIME_SOURCES = ["ports/runtime/wasm-rt-impl.c", "ports/runtime/embertcp-rt.c"];
export const APP_SOURCES = ["ports/apps/server.c", "ports/apps/echo.c", "ports/apps/discard.c", "ports/apps/chargen.c",
  "ports/apps/http.c", "ports/apps/text.c"];
export const LINUX_SOURCES = ["ports/linux/main.c", "ports/linux/options.c", "ports/linux/tap.c", "ports/linux/hal.c", "ports/linux/conns.c"];

/** Our own code: C11 and no warnings (the generated file is compiled without -Werror: it is wabt's). */
export const STRICT = ["-std=c11", "-Wall", "-Wextra", "-Werror"];

/** -I flags: the runtime first, so its wasm-rt.h replaces wabt's. */
export const includes = (cDir) => ["-I", join(root, "ports/runtime"), "-I", cDir, "-I", join(root, "include"), "-I", join(root, "ports/apps")];

/** Compile `sources` (ours, strict) and the generated C into one program. */
export function compileProgram({ cc = process.env.CC || "cc", cDir, out, sources, flags = [], defines = [] }) {
  const objDir = join(out + ".o.d");
  mkdirSync(objDir, { recursive: true });
  const objs = [];
  const gen = join(cDir, "embertcp_w2c.c");
  for (const [src, strict] of [[gen, false], ...sources.map((s) => [join(root, s), true])]) {
    const obj = join(objDir, relative(root, src).replace(/[/.]/g, "_") + ".o");
    execFileSync(cc, ["-std=c11", ...(strict ? STRICT : ["-w", "-DNDEBUG"]), "-D_GNU_SOURCE", ...flags, ...defines, ...includes(cDir),
      "-c", src, "-o", obj], { stdio: "inherit" });
    objs.push(obj);
  }
  // -lm: at -O0 the generated file keeps wasm2c's unused float helpers (floor, ...).
  execFileSync(cc, [...flags, ...objs, "-o", out, "-lm"], { stdio: "inherit" });
  return out;
}

/**
 * Build embertcp-tap into `out`. The C comes from build:c into `cDir`
 * (default build/c, so build/c always holds the C of the last build) with
 * the limits `use` (default: the EMBER_* environment variables).
 */
export async function buildNative({ out = join(root, "build/native"), cDir = join(root, "build/c"), use } = {}) {
  const config = await buildC({ out: cDir, ...(use ? { use } : {}) });
  const tcbs = config.use.EMBER_TCB_COUNT ?? 8;
  const exe = join(out, "embertcp-tap");
  compileProgram({ cDir, out: exe, sources: [...RUNTIME_SOURCES, ...APP_SOURCES, ...LINUX_SOURCES], flags: ["-O2", "-g"],
    defines: [`-DEMBERTCP_APP_CONNS=${tcbs}`] });
  return { exe, config };
}

/**
 * build/native/instr/<variant>/instr (ports/bench/instr.c): the module's
 * work per segment and per SYN for callgrind, from the C in build/c;
 * `bounds` false builds it with EMBERTCP_BOUNDS_CHECKS=0.
 */
export function buildInstr({ bounds = true } = {}) {
  const out = join(root, "build/native/instr", bounds ? "checked" : "unchecked", "instr");
  return compileProgram({
    cDir: join(root, "build/c"), out, sources: [...RUNTIME_SOURCES, "ports/fuzz/wire.c", "ports/bench/instr.c"],
    flags: ["-O2", "-g"], defines: ["-I", join(root, "ports/fuzz"), ...(bounds ? [] : ["-DEMBERTCP_BOUNDS_CHECKS=0"])],
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const o = parseArgs(process.argv.slice(2), "build:native", "build/native");
  const cc = process.env.CC || "cc";
  const missing = !haveTool("wasm2c") ? "wasm2c not found (Debian package wabt)" : !haveTool(cc) ? `no C compiler (${cc})` : null;
  if (missing && o.ifAvailable) { console.log(`build:native skipped: ${missing}`); process.exit(0); }
  if (missing) fail(`build:native: ${missing}`);
  const { exe, config } = await buildNative({ out: o.out });
  const limits = Object.entries(config.use).map(([k, v]) => `${k}=${v}`).join(" ") || "default limits";
  console.log(`build:native: ${relative(root, exe)} (${limits}; module memory ${config.memoryBytes} bytes)`);
}
