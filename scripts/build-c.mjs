#!/usr/bin/env node
// `npm run build:c`: embertcp as portable C. Compiles the release module
// (with any EMBER_* limits from the environment passed to asc as --use,
// e.g. EMBER_TCB_COUNT=256), runs wasm2c on it and writes into build/c/:
//   embertcp.wasm          the module that was converted
//   embertcp_w2c.c/.h      wasm2c's output (module name "embertcp"), its memory
//                          accesses pointed at the static memory (specialiseMemory)
//                          and its functions at the one instance (specialiseInstance)
//   embertcp_memory.h      EMBERTCP_MEMORY_BYTES: the end of the module's
//                          statics (__heap_base) rounded up to 16 bytes, the
//                          size of ports/runtime's static linear memory;
//                          EMBERTCP_TABLES: whether the C uses tables;
//                          EMBERTCP_ONE_INSTANCE: whether the exports take
//                          no instance argument
//   embertcp_stats.h       the net_stats counter names in ABI order
//   config.json            the limits, heap base and page count used
// Nothing here is committed. Options: --out DIR (default build/c).
// With --if-available a missing wasm2c prints why and exits 0.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { PART_EXPORTS } from "./features.mjs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PAGE = 65536;

/** One line to stderr and exit 2: how every bad input to these scripts ends. */
export function fail(msg) {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
}

/** Whether `cmd --version` runs. */
export function haveTool(cmd, arg = "--version") {
  try { execFileSync(cmd, [arg], { stdio: "ignore" }); return true; } catch { return false; }
}

/** The EMBER_* limits assembly/config.ts accepts. */
function knownLimits() {
  const src = readFileSync(join(root, "assembly/config.ts"), "utf8");
  return new Set([...src.matchAll(/isDefined\((EMBER_\w+)\)/g)].map((m) => m[1]));
}

/**
 * The switches, 0 or 1 where a limit must be positive, with what 0 does:
 * leave a part out (EMBER_UDP=0, ...) or turn a behaviour off.
 */
const SWITCHES = new Map([
  ...Object.keys(PART_EXPORTS).map((part) => [`EMBER_${part}`, "leave the part out"]),
  ["EMBER_CONGESTION_CONTROL", "off"],
]);

/** EMBER_* variables of `env` as { EMBER_X: n }; an unknown name or a bad value fails. */
export function limitsFromEnv(env = process.env) {
  const known = knownLimits();
  const use = {};
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith("EMBER_")) continue;
    if (!known.has(k)) fail(`build:c: unknown limit ${k}; assembly/config.ts has ${[...known].join(", ")}`);
    const value = String(v).trim();
    if (SWITCHES.has(k)) {
      if (value !== "0" && value !== "1") fail(`build:c: ${k}=${v} must be 0 (${SWITCHES.get(k)}) or 1`);
    } else if (!/^[1-9]\d*$/.test(value)) fail(`build:c: ${k}=${v} is not a positive integer`);
    use[k] = Number(value);
  }
  return use;
}

async function asc(args) {
  const { default: compiler } = await import("assemblyscript/asc");
  let stderr = "";
  const { error } = await compiler.main(args, {
    stdout: { write: () => true },
    stderr: { write: (s) => { stderr += String(s); return true; } },
  });
  if (error) fail(`build:c: asc failed: ${error.message}\n${stderr}`);
}

/** __heap_base of the release module with these limits: bench/as/layout.ts is that module plus one export saying it. */
async function heapBase(use, dir) {
  const probe = join(dir, "layout-probe.wasm");
  // The same options as the release target: the optimizer changes the static layout.
  await asc(["bench/as/layout.ts", "--target", "release", "--outFile", probe,
    "--initialMemory", "0", "--maximumMemory", "0", ...useArgs(use)]);
  const noop = { spi_select() {}, spi_transfer() {}, frame_out() {}, entropy: () => 0, log() {} };
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(probe)), { hal: noop });
  return inst.exports.heap_base();
}

// The limits, and the transform that leaves out the exports of a part
// switched off (EMBER_UDP=0, ...), as `npm run build:wasm` passes it.
const useArgs = (use) => [...Object.entries(use).flatMap(([k, v]) => ["--use", `${k}=${v}`]), "--transform", "./scripts/features.mjs"];

function statNames() {
  const src = readFileSync(join(root, "assembly/stats.ts"), "utf8");
  const body = src.match(/export const enum Stat \{([\s\S]*?)\n\}/)[1];
  return body.split("\n").map((l) => l.split("//")[0]).join(",").split(",")
    .map((s) => s.split("=")[0].trim()).filter((s) => s && s !== "COUNT").map((s) => s.toLowerCase());
}

/**
 * The generated C reaches linear memory through the instance: every load
 * and store reads `mem->data`, and every bounds check `mem->size`. Our
 * runtime has one static memory whose address and size are known when the
 * C is compiled (ports/runtime/wasm-rt.h), so:
 *
 * - the range check of memory.fill/copy compares with EMBERTCP_MEMORY_BYTES;
 * - each load and store site checks its own address, `(u64)(x) + k` in
 *   wasm2c's output, as EMBERTCP_AT(x, k, width): with k and the width
 *   literal constants, the check is one 32-bit comparison of x with a
 *   constant (x + k + width > size, k + width > size trapping always),
 *   where the accessor's check added and compared 64-bit values;
 * - EMBERTCP_AT hands the accessor the host address, computed as
 *   `embertcp_rt_memory_base + x + k` from a pointer object rather than
 *   from the array: the array's address is a link-time constant, which the
 *   compiler folds with k into a new constant to materialise per access,
 *   while a pointer loaded once per function leaves base + x in a register
 *   and k in the load's immediate offset. The accessors check nothing.
 *
 * On the TCP-only stack for Thumb-2 this is 9.8 KiB less code with bounds
 * checks and 1.8 KiB without (ports/runtime/README.md); the checks are
 * exactly as strict. Output that does not carry the expected
 * text, or has an access of another shape, is returned unchanged (another
 * wasm2c): correct, only larger and slower.
 */
export function specialiseMemory(c) {
  const unchanged = { c, specialised: false };
  const include = '#include "embertcp_w2c.h"\n';
  const rangeCheck = "if (UNLIKELY(offset + (uint64_t)len > mem->size))";
  const data = "&mem->data[addr]";
  const memcheck = "#if WASM_RT_MEMCHECK_SIGNAL_HANDLER\n#define MEMCHECK(mem, a, t)\n#else\n#define MEMCHECK(mem, a, t) RANGE_CHECK(mem, a, sizeof(t))\n#endif\n";
  if (![include, rangeCheck, data, memcheck].every((text) => c.includes(text))) return unchanged;
  const accessor = String.raw`\b((?:i32|i64|f32|f64)_(?:load|store)(?:8|16|32)?(?:_[su])?)\(&instance->w2c_memory, `;
  const sites = c.match(new RegExp(accessor, "g"))?.length ?? 0;
  let rewritten = 0;
  const out = c.replace(new RegExp(accessor + String.raw`\(u64\)\((w2c_[a-z]\d+)\)(?: \+ (\d+)u?)?([,)])`, "g"),
    (_, name, x, k, end) => {
      rewritten++;
      return `${name}(&instance->w2c_memory, EMBERTCP_AT(${x}, ${k ?? 0}u, ${accessWidth(name)}u)${end}`;
    });
  if (rewritten !== sites) return unchanged;
  const siteChecks = `/* scripts/build-c.mjs: every load and store site checks its own address
 * (EMBERTCP_AT) and hands the accessor the host address; the accessors
 * check nothing more. */
#define MEMCHECK(mem, a, t)
#if WABT_BIG_ENDIAN
/* wasm2c lays a big-endian memory out backwards: its accessors take the offset. */
#define EMBERTCP_HOST(x, k) ((u64)(u32)(x) + (k))
#else
#define EMBERTCP_HOST(x, k) ((u64)(uintptr_t)(embertcp_rt_memory_base + (u32)(x) + (k)))
#endif
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
#define EMBERTCP_AT(x, k, n) EMBERTCP_HOST(x, k)
#else
#define EMBERTCP_AT(x, k, n)                                   \\
  ((u64)(k) + (n) > EMBERTCP_MEMORY_BYTES ||                   \\
           (u32)(x) > (u32)(EMBERTCP_MEMORY_BYTES - (k) - (n)) \\
       ? (TRAP(OOB), (u64)0)                                   \\
       : EMBERTCP_HOST(x, k))
#endif
`;
  return {
    c: out.replace(include, include + '#include "embertcp_memory.h"\n')
      .replace(rangeCheck, "if (UNLIKELY(offset + (uint64_t)len > (uint64_t)EMBERTCP_MEMORY_BYTES))")
      .replace(memcheck, siteChecks)
      .split(data).join("(u8*)(uintptr_t)addr"),
    specialised: true,
  };
}

/**
 * wasm2c passes the instance to every function of the module as its first
 * argument, so globals and the memory are reached through a register that
 * each call must carry. The runtime has exactly one instance,
 * `embertcp_rt_instance` (ports/runtime/embertcp-rt.c), so the module's
 * functions, exported or not, drop that parameter and name the instance
 * directly; `h` (wasm2c's header) declares the exports the same way, and
 * the runtime calls them with the ABI's arguments alone
 * (EMBERTCP_ONE_INSTANCE), so each ABI function is one tail call. The
 * imports lose the runtime's (empty) instance the same way. A module
 * with a table is left alone, since its function references carry their
 * instance; without a table nothing reads the function types either, so
 * their registration at start-up goes too.
 * The runtime clears the instance before it instantiates it, so the
 * globals that start at zero are not set one by one.
 * On the TCP-only stack for Thumb-2, 1.8 KiB less code (the runtime's
 * registry and argument shuffles included) and one argument register more
 * in every call.
 * Output of another shape is returned unchanged.
 */
export function specialiseInstance(c, h) {
  const unchanged = { c, h, specialised: false };
  const type = "Z_embertcp_instance_t";
  const include = '#include "embertcp_w2c.h"\n';
  const registration = /^  func_types\[\d+\] = wasm_rt_register_func_type\(.*\);\n/gm;
  const tables = /wasm_rt_allocate_(?:funcref|externref)_table\(|CALL_INDIRECT\(instance/;
  // The runtime clears the instance before instantiating it, so a global
  // that starts at zero needs no store of its own.
  const initGlobals = /^static void init_globals\(void\) \{\n[\s\S]*?^\}\n/m;
  const zeroGlobal = /^  embertcp_rt_instance\.w2c_\w+ = 0u(?:ll)?;\n/gm;
  if (!c.includes(include) || tables.test(c) || !c.includes("static void init_func_types(void) {")) return unchanged;
  // The module's functions: static, with the instance first.
  const own = new RegExp(String.raw`^static [\w ]+?\b(\w+)\(${type}\*(?: instance)?(?:, |\))`, "gm");
  const names = new Set([...c.matchAll(own)].map((m) => m[1]));
  if (names.size === 0) return unchanged;
  const takesInstance = new RegExp(String.raw`^static [\w ]+?\b\w+\(${type}\*`);
  const lines = c.split("\n").map((line) => {
    if (!takesInstance.test(line)) return line;
    return line.replace(`(${type}* instance, `, "(").replace(`(${type}*, `, "(")
      .replace(`(${type}* instance)`, "(void)").replace(`(${type}*)`, "(void)");
  });
  const called = new RegExp(String.raw`\b(${[...names].join("|")})\(instance(, |\))`, "g");
  // The exports, defined in c and declared in h: the parameter goes.
  const exported = new RegExp(String.raw`^([\w ]+\*? ?\bZ_embertcpZ_\w+)\(${type}\*(?: instance)?(, |\))`, "gm");
  const withoutInstance = (_, head, end) => `${head}(${end === ")" ? "void)" : ""}`;
  // The imports ("hal"): the runtime's side needs no instance of its own
  // either, so the calls stop loading one and the declarations drop it.
  const importCall = /(\(\*Z_halZ_\w+\)\()embertcp_rt_instance\.Z_hal_instance(, |\))/g;
  const imported = /^([\w ]+\*? ?\bZ_halZ_\w+)\(struct Z_hal_instance_t\*(, |\))/gm;
  const out = lines.join("\n")
    .replace(exported, withoutInstance)
    .replace(called, (_, name, end) => `${name}(${end === ")" ? ")" : ""}`)
    .split("instance->").join("embertcp_rt_instance.")
    .replace(importCall, (_, head, end) => `${head}${end === ")" ? ")" : ""}`)
    .replace(registration, "")
    .replace(initGlobals, (body) => body.replace(zeroGlobal, ""))
    .replace(include, `${include}extern ${type} embertcp_rt_instance;\n`);
  // Every use of the parameter is gone; only instantiation still takes
  // the instance the runtime hands it.
  const leftover = out.split("\n").filter((l) => /\binstance\b/.test(l) && !/^[\w ]+\*? ?\bZ_embertcp_\w*\(/.test(l));
  if (leftover.some((l) => !/^static void init_data_instances\(|^  init_data_instances\(instance\);$/.test(l))) return unchanged;
  if (/Z_halZ_\w+\)?\([^)]*Z_hal_instance/.test(out)) return unchanged;
  const header = h.replace(exported, withoutInstance).replace(imported, withoutInstance);
  if (/\bZ_(?:embertcpZ|halZ)_\w+\((?:Z_embertcp_instance_t|struct Z_hal_instance_t)/.test(header)) return unchanged;
  return { c: out, h: header, specialised: true };
}

/** Bytes an accessor of wasm2c's moves: i32_load16_u 2, i64_store 8, ... */
function accessWidth(name) {
  const [, type, , bits] = /^(i32|i64|f32|f64)_(load|store)(8|16|32)?/.exec(name);
  return bits ? Number(bits) / 8 : type === "i64" || type === "f64" ? 8 : 4;
}

/** Build the C for `use` into `out`; returns what config.json records. */
export async function buildC({ use, out = join(root, "build/c") } = {}) {
  use ??= limitsFromEnv();
  if (!haveTool("wasm2c")) fail("build:c: wasm2c not found (Debian package wabt)");
  mkdirSync(out, { recursive: true });
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const base = await heapBase(use, out);
    const pages = Math.ceil(base / PAGE);
    const wasm = join(out, "embertcp.wasm");
    // The release target with the fewest pages that hold the statics (docs/EMBEDDING.md, "Memory").
    await asc(["assembly/index.ts", "--target", "release", "--outFile", wasm,
      "--initialMemory", String(pages), "--maximumMemory", String(pages), ...useArgs(use)]);
    const cFile = join(out, "embertcp_w2c.c");
    execFileSync("wasm2c", [wasm, "-n", "embertcp", "-o", cFile], { stdio: "inherit" });
    const memory = specialiseMemory(readFileSync(cFile, "utf8"));
    if (!memory.specialised) console.log("build:c: wasm2c's memory macros are not the expected ones; its C is left as generated (correct, but larger and slower)");
    const hFile = join(out, "embertcp_w2c.h");
    const instance = specialiseInstance(memory.c, readFileSync(hFile, "utf8"));
    if (!instance.specialised) console.log("build:c: wasm2c's instance passing is not the expected shape; it is left as generated (correct, but larger and slower)");
    writeFileSync(cFile, instance.c);
    writeFileSync(hFile, instance.h);
    const bytes = Math.ceil(base / 16) * 16;
    writeFileSync(join(out, "embertcp_memory.h"),
      `/* Generated by scripts/build-c.mjs: the module's static memory. */\n` +
      `#define EMBERTCP_MEMORY_BYTES ${bytes}u\n#define EMBERTCP_MEMORY_PAGES ${pages}u\n` +
      `/* specialiseInstance: 0, the C uses no table or function type; 1, the exports take no instance. */\n` +
      `#define EMBERTCP_TABLES ${instance.specialised ? 0 : 1}\n#define EMBERTCP_ONE_INSTANCE ${instance.specialised ? 1 : 0}\n`);
    const names = statNames();
    writeFileSync(join(out, "embertcp_stats.h"),
      `/* Generated by scripts/build-c.mjs from assembly/stats.ts: net_stats names in ABI order. */\n` +
      `#define EMBERTCP_STAT_COUNT ${names.length}\n#define EMBERTCP_STAT_NAMES ${names.map((n) => `"${n}"`).join(", ")}\n`);
    const config = { use, heapBase: base, memoryBytes: bytes, pages, memorySpecialised: memory.specialised, instanceSpecialised: instance.specialised };
    writeFileSync(join(out, "config.json"), JSON.stringify(config, null, 2) + "\n");
    return config;
  } finally {
    process.chdir(cwd);
  }
}

/** Command-line options shared by build-c and build-native: --out DIR, --if-available. */
export function parseArgs(argv, name, defaultOut) {
  const o = { out: join(root, defaultOut), ifAvailable: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1]) o.out = argv[++i];
    else if (argv[i] === "--if-available") o.ifAvailable = true;
    else fail(`${name}: unknown option ${argv[i]}; use [--out DIR] [--if-available]`);
  }
  return o;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const o = parseArgs(process.argv.slice(2), "build:c", "build/c");
  if (o.ifAvailable && !haveTool("wasm2c")) {
    console.log("build:c skipped: wasm2c not found (Debian package wabt)");
    process.exit(0);
  }
  if (!existsSync(join(root, "node_modules/assemblyscript"))) fail("build:c: run npm install first");
  const c = await buildC({ out: o.out });
  const limits = Object.entries(c.use).map(([k, v]) => `${k}=${v}`).join(" ") || "default limits";
  console.log(`build:c: ${relative(root, o.out)}/embertcp_w2c.c (${limits}; memory ${c.memoryBytes} bytes, ${c.pages} declared pages)`);
}
