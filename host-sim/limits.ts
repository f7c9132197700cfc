/**
 * Module builds with other compile-time limits for `embertcp sim`: the TCB
 * count, the per-connection ring size and the SYN-queue length
 * (assembly/config.ts, `--use EMBER_<NAME>=N`), compiled in memory by
 * host-sim/asc.ts the way the release build is, and cached under
 * build/sim/ by the limits and a hash of the assembly/ sources, so a second
 * run with the same limits starts at once and an edited stack is rebuilt.
 *
 * Also the ranges `--set key=value` accepts: net_config checks its own
 * bounds (docs/ABI.md), so they are read from the module by asking it.
 */

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_KEYS, type ConfigName } from "./abi-tables.js";
import { buildPath, projectRoot } from "./paths.js";
import { loadModule, Stack } from "./stack.js";

/** The limits a sim runs with. */
export interface Limits {
  /** TCP control blocks (TCB_COUNT). */
  tcbs: number;
  /** Bytes in each send ring and each receive ring (TCP_TX_BUF = TCP_RX_BUF). */
  rings: number;
  /** Half-open entries shared by all listeners (SYN_QUEUE). */
  synq: number;
}

/** What the default build (build/embertcp.wasm) has: the defaults of assembly/config.ts. */
export const DEFAULT_LIMITS: Readonly<Limits> = { tcbs: 8, rings: 4096, synq: 16 };

/**
 * Allowed values. Rings stop at 32768: a TCB keeps the bytes queued in each
 * ring in a 16-bit field (assembly/tcp/tcb.ts), so a full 65536-byte ring
 * would read as empty.
 */
export const LIMIT_RANGES: Readonly<Record<keyof Limits, { min: number; max: number; pow2?: boolean; option: string }>> = {
  tcbs: { min: 1, max: 1024, option: "--tcbs" },
  rings: { min: 1024, max: 65536, pow2: true, option: "--rings" },
  synq: { min: 1, max: 1024, option: "--synq" },
};

/** Why `value` is not allowed for `key` (one line naming the option and the range), or null. */
export function limitError(key: keyof Limits, value: number): string | null {
  const r = LIMIT_RANGES[key];
  const range = r.pow2 ? `a power of two ${r.min}..${r.max}` : `an integer ${r.min}..${r.max}`;
  if (!Number.isInteger(value)) return `${r.option} must be ${range}`;
  if (r.pow2 && value > 0 && (value & (value - 1)) !== 0) return `${r.option} must be ${range} (${value} is not a power of two)`;
  if (value < r.min || value > r.max) return `${r.option} must be ${range}`;
  return null;
}

export function isDefaultLimits(l: Limits): boolean {
  return l.tcbs === DEFAULT_LIMITS.tcbs && l.rings === DEFAULT_LIMITS.rings && l.synq === DEFAULT_LIMITS.synq;
}

/** Linear memory for these limits, in 64 KiB pages: the rings and TCBs (docs/EMBEDDING.md budget) plus the rest with room. */
export function pagesFor(l: Limits): number {
  const bytes = l.tcbs * (2 * l.rings + 512) + l.synq * 64 + 128 * 1024;
  return Math.ceil(bytes / 65536);
}

function sourceHash(): string {
  const h = createHash("sha256");
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) h.update(p).update(readFileSync(p));
    }
  };
  walk(join(projectRoot(), "assembly"));
  return h.digest("hex").slice(0, 12);
}

/** The cache file for these limits (it may not exist yet). */
export function limitsBuildPath(l: Limits): string {
  return buildPath(join("sim", `embertcp-t${l.tcbs}-r${l.rings}-q${l.synq}-${sourceHash()}.wasm`));
}

/** A module with these limits: the default build, a cached build, or a fresh one (then cached). */
export async function moduleForLimits(l: Limits): Promise<{ module: WebAssembly.Module; path: string; built: boolean }> {
  if (isDefaultLimits(l)) { const path = buildPath("embertcp.wasm"); return { module: loadModule(path), path, built: false }; }
  const path = limitsBuildPath(l);
  if (existsSync(path)) return { module: loadModule(path), path, built: false };
  const { compileAssemblyScript } = await import("./asc.js");
  const wasm = await compileAssemblyScript("assembly/index.ts", {
    pages: pagesFor(l),
    args: ["--use", `EMBER_TCB_COUNT=${l.tcbs}`, "--use", `EMBER_TCP_TX_BUF=${l.rings}`, "--use", `EMBER_TCP_RX_BUF=${l.rings}`, "--use", `EMBER_SYN_QUEUE=${l.synq}`],
  });
  mkdirSync(buildPath("sim"), { recursive: true });
  // Written under a private name and renamed, so a parallel run never reads half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, wasm);
  renameSync(tmp, path);
  return { module: loadModule(path), path, built: true };
}

/** The values net_config accepts for `name` (its bounds, found by asking a scratch instance). */
export function configRange(name: ConfigName): { min: number; max: number } {
  const s = new Stack({ keepSent: false });
  const cur = s.getConfig(name);
  const ok = (v: number) => s.exports.net_config(CONFIG_KEYS[name], v) === 0;
  // The accepted values form one interval around the current value: bisect each edge.
  let lo = 0, hi = cur;
  while (lo < hi) { const m = Math.floor((lo + hi) / 2); if (ok(m)) hi = m; else lo = m + 1; s.setConfig(name, cur); }
  const min = lo;
  lo = cur; hi = 0x7fffffff;
  while (lo < hi) { const m = Math.ceil((lo + hi) / 2); if (ok(m)) lo = m; else hi = m - 1; s.setConfig(name, cur); }
  return { min, max: lo };
}

/** Parse `key=value` of --set: the name and value, or one line saying what is wrong. */
export function parseSetting(s: string): { name: ConfigName; value: number } | string {
  const m = /^([a-z_]+)=(\d+)$/.exec(s);
  const names = Object.keys(CONFIG_KEYS).join(", ");
  if (!m) return `--set takes key=value with a non-negative integer value, e.g. --set delack_ms=40 (keys: ${names})`;
  if (!(m[1] in CONFIG_KEYS)) return `--set: unknown key "${m[1]}" (keys: ${names})`;
  const name = m[1] as ConfigName, value = Number(m[2]);
  const r = configRange(name);
  if (value < r.min || value > r.max) return `--set ${name} must be ${r.min}..${r.max}`;
  return { name, value };
}
