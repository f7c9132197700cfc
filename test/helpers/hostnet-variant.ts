/**
 * Build variants of the module with other compile-time limits (config.ts
 * `--use EMBER_<NAME>=<value>`), once per set of limits, for tests that need
 * bigger windows or fewer TCBs than the default build.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../host-sim/paths.js";
import { loadModule } from "../../host-sim/stack.js";

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** A release build with the given limits, e.g. { TCP_TX_BUF: 16384 }; pages = fixed memory size. */
export function variantModule(limits: Record<string, number>, pages = 8): WebAssembly.Module {
  const root = projectRoot();
  const tag = Object.entries(limits).map(([k, v]) => `${k.toLowerCase()}${v}`).join("-");
  const dir = join(root, "build", "variants");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `embertcp-${tag}-p${pages}.wasm`);
  if (!existsSync(out) || statSync(out).mtimeMs < newestSource(join(root, "assembly"))) {
    // Built under a private name and renamed, so parallel test files never read half a file.
    const tmp = `${out}.${process.pid}.tmp`;
    const args = ["asc", "assembly/index.ts", "--target", "release", "--outFile", tmp,
      "--initialMemory", String(pages), "--maximumMemory", String(pages)];
    for (const [k, v] of Object.entries(limits)) args.push("--use", `EMBER_${k}=${v}`);
    execFileSync("npx", args, { cwd: root, stdio: "pipe" });
    renameSync(tmp, out);
  }
  return loadModule(out);
}
