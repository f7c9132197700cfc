#!/usr/bin/env node
// `npm run build:mcu`: embertcp as bare-metal Cortex-M firmware for QEMU's
// MPS2 boards. For each build: scripts/build-c.mjs makes the wasm2c C of
// the release module (with the EMBER_* limits asked for), then
// arm-none-eabi-gcc (-Os, Thumb-2) compiles it with ports/runtime,
// ports/apps and ports/cortex-m, linked with newlib-nano for memcpy and
// memset only (docs/EMBEDDING.md, "Cortex-M firmware", says why newlib).
//
// Writes build/mcu/embertcp-cortex-m4.elf (mps2-an386) and
// build/mcu/embertcp-cortex-m3.elf (mps2-an385), default limits, bounds
// checks on; EMBER_* variables in the environment change the limits as
// for build:c. bench/mcu.ts builds other variants through buildMcu().
// With --if-available a missing tool prints why and exits 0.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { buildC, fail, haveTool, limitsFromEnv, root } from "./build-c.mjs";

export const CPUS = {
  m4: { flags: ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft"], machine: "mps2-an386", name: "cortex-m4" },
  m3: { flags: ["-mcpu=cortex-m3", "-mthumb"], machine: "mps2-an385", name: "cortex-m3" },
};

/** Connections, buffers and the HTTP page of ports/apps, sized for the board (see docs/EMBEDDING.md). */
export const APP_LIMITS = {
  default: { EMBERTCP_APP_CONNS: 8, EMBERTCP_APP_BUF: 1536, EMBERTCP_HTTP_SLOTS: 1, EMBERTCP_HTTP_PAGE: 6144, UART_RX_RING: 4096 },
  minimal: { EMBERTCP_APP_CONNS: 2, EMBERTCP_APP_BUF: 512, EMBERTCP_HTTP_SLOTS: 1, EMBERTCP_HTTP_PAGE: 2048, UART_RX_RING: 2048 },
};

const PORT_SOURCES = ["startup.c", "main.c", "clock.c", "uart.c", "log.c", "slip.c", "crc32.c", "entropy.c", "config.c"]
  .map((f) => join("ports/cortex-m", f));
const APP_SOURCES = () => readdirSync(join(root, "ports/apps")).filter((f) => f.endsWith(".c")).sort().map((f) => join("ports/apps", f));
const RUNTIME_SOURCES = ["ports/runtime/wasm-rt-impl.c", "ports/runtime/embertcp-rt.c"];
const WARN = ["-Wall", "-Wextra", "-Werror"];

function gcc(args) {
  try {
    execFileSync("arm-none-eabi-gcc", args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  } catch {
    fail(`build:mcu: arm-none-eabi-gcc failed (its messages are above): ${args.filter((a) => a.endsWith(".c")).join(" ") || "link"}`);
  }
}

/** Berkeley `size` of files: [{ text, data, bss }] (text includes rodata). */
export function sizes(files) {
  const out = execFileSync("arm-none-eabi-size", ["-B", ...files], { cwd: root }).toString().trim().split("\n").slice(1);
  return out.map((l) => { const [text, data, bss] = l.trim().split(/\s+/).map(Number); return { text, data, bss }; });
}

/**
 * Build one firmware. `use`: EMBER_* limits; `apps`: "default" or "minimal"
 * app and UART buffer sizes; `bounds`: bounds checks in the runtime;
 * `defines`: extra -D for measurement builds. Returns the ELF path and the
 * sizes of the firmware and of the stack alone (generated C + runtime).
 */
export async function buildMcu({ use = {}, cpu = "m4", apps = "default", bounds = true, defines = {}, out, tag } = {}) {
  const c = CPUS[cpu];
  const name = tag ?? `embertcp-${c.name}`;
  const dir = join(root, "build/mcu", name);
  mkdirSync(dir, { recursive: true });
  const config = await buildC({ use, out: join(dir, "c") });
  const defs = { EMBERTCP_BOUNDS_CHECKS: bounds ? 1 : 0, PORT_CPU_NAME: `"${c.name}"`, ...APP_LIMITS[apps], ...defines };
  const common = [...c.flags, "-Os", "-std=c11", "-ffunction-sections", "-fdata-sections",
    "-Iports/runtime", `-I${join(dir, "c")}`, "-Iinclude", "-Iports/apps", "-Iports/cortex-m",
    ...Object.entries(defs).map(([k, v]) => `-D${k}=${v}`)];
  const objects = [];
  const compile = (src, extra) => {
    const obj = join(dir, src.replace(/^.*\//, "").replace(/\.c$/, ".o"));
    gcc([...common, ...extra, "-c", src, "-o", obj]);
    objects.push(obj);
    return obj;
  };
  // The generated C stays untouched, so its own warnings are not ours to fix.
  // Its asserts check the runtime was started, which embertcp-rt.c does.
  const stackObjects = [compile(join(dir, "c/embertcp_w2c.c"), ["-w", "-DNDEBUG"]), ...RUNTIME_SOURCES.map((s) => compile(s, WARN))];
  for (const s of [...APP_SOURCES(), ...PORT_SOURCES]) compile(s, WARN);
  const elf = out ?? join(root, "build/mcu", `${name}.elf`);
  gcc([...c.flags, "-nostartfiles", "--specs=nano.specs", "-Wl,--gc-sections", "-Tports/cortex-m/mps2.ld",
    `-Wl,-Map=${join(dir, "firmware.map")}`, ...objects, "-lc", "-lgcc", "-o", elf]);
  const [firmware] = sizes([elf]);
  const stack = sizes(stackObjects).reduce((a, s) => ({ text: a.text + s.text, data: a.data + s.data, bss: a.bss + s.bss }), { text: 0, data: 0, bss: 0 });
  return { elf, machine: c.machine, config, firmware, stack };
}

/** Which tools are missing, or null. */
export function missingTools() {
  for (const [t, pkg] of [["arm-none-eabi-gcc", "gcc-arm-none-eabi"], ["wasm2c", "wabt"]]) {
    if (!haveTool(t)) return `${t} not found (Debian package ${pkg})`;
  }
  return null;
}

/** Options: --cpu m4|m3 (default both), --minimal, --no-bounds, --define NAME=VALUE, --tag NAME, --json, --if-available. */
function parseCli(argv) {
  const o = { cpus: ["m4", "m3"], apps: "default", bounds: true, defines: {}, tag: undefined, json: false, ifAvailable: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === "--cpu" && (v === "m4" || v === "m3")) { o.cpus = [v]; i++; }
    else if (a === "--minimal") o.apps = "minimal";
    else if (a === "--no-bounds") o.bounds = false;
    else if (a === "--define" && /^[A-Z_][A-Z0-9_]*=\w+$/.test(v ?? "")) { const [k, x] = v.split("="); o.defines[k] = x; i++; }
    else if (a === "--tag" && /^[\w.-]+$/.test(v ?? "")) { o.tag = v; i++; }
    else if (a === "--json") o.json = true;
    else if (a === "--if-available") o.ifAvailable = true;
    else fail(`build:mcu: bad option ${a}; use [--cpu m4|m3] [--minimal] [--no-bounds] [--define NAME=VALUE] [--tag NAME] [--json] [--if-available]`);
  }
  if (o.tag && o.cpus.length > 1) fail("build:mcu: --tag needs --cpu");
  return o;
}

async function cli(argv) {
  const o = parseCli(argv);
  const missing = missingTools();
  if (missing) {
    if (o.ifAvailable) { console.log(`build:mcu skipped: ${missing}`); return; }
    fail(`build:mcu: ${missing}`);
  }
  const use = limitsFromEnv();
  for (const cpu of o.cpus) {
    const r = await buildMcu({ use, cpu, apps: o.apps, bounds: o.bounds, defines: o.defines, tag: o.tag });
    const f = r.firmware;
    if (o.json) console.log(JSON.stringify(r));
    else console.log(`${r.elf.slice(root.length + 1)} (${r.machine}): flash ${f.text + f.data} bytes, RAM ${f.data + f.bss} bytes`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await cli(process.argv.slice(2));
