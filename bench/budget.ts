/**
 * The RAM budget: what each compile-time limit in assembly/config.ts costs
 * in bytes of static memory, measured rather than estimated. Every limit
 * that can be overridden (`--use EMBER_<NAME>=<value>`) is built once at
 * its default and once doubled (a step of one would often vanish into
 * the 16-byte alignment of the pools), and the difference in `__heap_base` (bench/as/layout.ts: the
 * end of all static data; with `--runtime stub` and no allocation after
 * init, that is all the RAM the module uses besides the host's wasm stack)
 * divided by the change is the cost of one unit.
 *
 *   npm run budget              figures, one a line
 *   npm run budget -- --markdown  the tables pasted into docs/EMBEDDING.md
 *
 * `benchBudget()` is also called by `npm run bench`.
 */
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import { buildPath, projectRoot } from "../host-sim/paths.js";
import { figure } from "./report.js";

export interface Limit { name: string; fallback: number; doc: string; }
export interface LimitCost { limit: Limit; variant: number; deltaBytes: number; perUnit: number; }
export interface Budget {
  limits: LimitCost[];
  defaultHeapBase: number;
  minimal: { use: Record<string, number>; heapBase: number };
  /** Other configurations, measured the same way (the sizing examples of docs/EMBEDDING.md). */
  examples: { use: Record<string, number>; heapBase: number }[];
  releaseBytes: number;
  importedMemoryBytes: number;
}

/** The minimal configuration docs/EMBEDDING.md budgets for: 2 TCBs, 1 KiB rings, no UDP. */
export const MINIMAL: Record<string, number> = { TCB_COUNT: 2, TCP_TX_BUF: 1024, TCP_RX_BUF: 1024, UDP: 0 };

/** Sizing examples: about one 64 KiB page, and about 32 KiB. */
export const EXAMPLES: Record<string, number>[] = [
  { TCB_COUNT: 6 },
  { TCB_COUNT: 4, TCP_TX_BUF: 2048, TCP_RX_BUF: 2048, ARP_ENTRIES: 4 },
];

/** The overridable limits and their defaults, read from assembly/config.ts. */
export function readLimits(root = projectRoot()): Limit[] {
  const src = readFileSync(`${root}/assembly/config.ts`, "utf8");
  const out: Limit[] = [];
  const re = /\/\*\*\s*(.*?)\s*\*\/\s*\n(?:\/\/.*\n)*@inline export const (\w+): i32 = isDefined\(EMBER_\2\) \? EMBER_\2 : (\d+);/g;
  for (const m of src.matchAll(re)) out.push({ name: m[2], fallback: Number(m[3]), doc: m[1] });
  if (out.length === 0) throw new Error("no EMBER_ limits found in assembly/config.ts");
  return out;
}

const NOOP_HAL = { spi_select() {}, spi_transfer() {}, frame_out() {}, entropy: () => 0, log() {} };

/** Static RAM (__heap_base) of the release module built with these overrides. */
export async function heapBase(use: Record<string, number>): Promise<number> {
  const outFile = buildPath(`budget-${Object.entries(use).map(([k, v]) => `${k}-${v}`).join("_") || "default"}.wasm`);
  let stderr = "";
  const { error } = await asc.main([
    "bench/as/layout.ts", "--outFile", outFile,
    "--runtime", "stub", "-Oz", "--noAssert",
    // Room for the largest variant; only __heap_base is read.
    "--initialMemory", "32", "--maximumMemory", "32",
    "--use", "abort=assembly/hal/halAbort",
    ...Object.entries(use).flatMap(([k, v]) => ["--use", `EMBER_${k}=${v}`]),
  ], { stdout: { write: () => {} }, stderr: { write: (s: string | Uint8Array) => { stderr += String(s); } } } as never);
  if (error) throw new Error(`asc failed for ${JSON.stringify(use)}: ${error.message}\n${stderr}`);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(outFile)), { hal: NOOP_HAL });
  return (inst.exports.heap_base as () => number)();
}

/** Build every variant and measure. Takes a few seconds per build. */
export async function measureBudget(): Promise<Budget> {
  const cwd = process.cwd();
  process.chdir(projectRoot());
  try {
    const limits = readLimits();
    const base = await heapBase({});
    const costs: LimitCost[] = [];
    for (const l of limits) {
      const variant = l.fallback * 2;
      const delta = (await heapBase({ [l.name]: variant })) - base;
      costs.push({ limit: l, variant, deltaBytes: delta, perUnit: delta / (variant - l.fallback) });
    }
    const minimal = await heapBase(MINIMAL);
    const examples = [];
    for (const use of EXAMPLES) examples.push({ use, heapBase: await heapBase(use) });
    return {
      limits: costs, defaultHeapBase: base, minimal: { use: MINIMAL, heapBase: minimal }, examples,
      releaseBytes: statSync(buildPath("embertcp.wasm")).size,
      importedMemoryBytes: statSync(buildPath("embertcp.imported-memory.wasm")).size,
    };
  } finally {
    process.chdir(cwd);
  }
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const pages = (n: number) => Math.ceil(n / 65536);

/** Figures for `npm run bench`. */
export async function benchBudget(): Promise<Budget> {
  const b = await measureBudget();
  figure("release wasm (build/embertcp.wasm)", b.releaseBytes, "bytes");
  figure("imported-memory wasm (build/embertcp.imported-memory.wasm)", b.importedMemoryBytes, "bytes");
  figure("static RAM, default limits", b.defaultHeapBase, `bytes (${kib(b.defaultHeapBase)}, ${pages(b.defaultHeapBase)} wasm pages)`);
  figure(`static RAM, minimal (${Object.entries(MINIMAL).map(([k, v]) => `${k}=${v}`).join(", ")})`, b.minimal.heapBase,
    `bytes (${kib(b.minimal.heapBase)}, ${pages(b.minimal.heapBase)} wasm pages)`);
  for (const e of b.examples) figure(`static RAM, ${useText(e.use)}`, e.heapBase, `bytes (${kib(e.heapBase)})`);
  for (const c of b.limits) figure(`RAM per unit of ${c.limit.name} (default ${c.limit.fallback})`, round(c.perUnit), "bytes");
  return b;
}

function useText(use: Record<string, number>): string {
  return Object.entries(use).map(([k, v]) => `${k}=${v}`).join(", ");
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The tables for docs/EMBEDDING.md. */
export function budgetMarkdown(b: Budget): string {
  const rows = b.limits.map((c) =>
    `| \`${c.limit.name}\` | ${c.limit.fallback} | ${c.variant} | ${c.deltaBytes} | ${round(c.perUnit)} | ${c.limit.doc} |`);
  return [
    "| limit | default | built with | static RAM change (bytes) | bytes per unit | what it is |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    "| configuration | static RAM (`__heap_base`) | 64 KiB pages |",
    "|---|---|---|",
    `| default limits | ${b.defaultHeapBase} bytes (${kib(b.defaultHeapBase)}) | ${pages(b.defaultHeapBase)} |`,
    `| minimal: ${Object.entries(b.minimal.use).map(([k, v]) => `\`${k}=${v}\``).join(", ")} | ${b.minimal.heapBase} bytes (${kib(b.minimal.heapBase)}) | ${pages(b.minimal.heapBase)} |`,
    ...b.examples.map((e) => `| ${Object.entries(e.use).map(([k, v]) => `\`${k}=${v}\``).join(", ")} | ${e.heapBase} bytes (${kib(e.heapBase)}) | ${pages(e.heapBase)} |`),
    "",
    `Module sizes: release \`build/embertcp.wasm\` ${b.releaseBytes} bytes; \`build/embertcp.imported-memory.wasm\` ${b.importedMemoryBytes} bytes.`,
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--markdown")) console.log(budgetMarkdown(await measureBudget()));
  else await benchBudget();
}
