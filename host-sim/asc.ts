/**
 * Compile an AssemblyScript entry in memory with the options the release
 * build uses (--runtime stub, abort redirected to the HAL, -O3 -Oz), for
 * test entries, build variants with other limits (`--use EMBER_X=N`) and
 * benches. Nothing is written to disk.
 */

import asc from "assemblyscript/asc";
import { projectRoot } from "./paths.js";

export interface AsBuildOptions {
  /** Extra asc arguments (e.g. --use EMBER_X=1). */
  args?: string[];
  /** Initial = maximum memory in 64 KiB pages. */
  pages?: number;
}

/** The .wasm bytes of `entry` (a path relative to the repository root). */
export async function compileAssemblyScript(entry: string, opts: AsBuildOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  let wasm: Uint8Array | undefined;
  const pages = String(opts.pages ?? 2);
  const errors: string[] = [];
  const result = await asc.main(
    [
      entry, "--outFile", "out.wasm", "--config", "none", "--baseDir", projectRoot(),
      "--runtime", "stub", "--use", "abort=assembly/hal/halAbort",
      "--transform", `${projectRoot()}/scripts/features.mjs`,
      "--initialMemory", pages, "--maximumMemory", pages,
      "-O3", "--shrinkLevel", "2", "--converge", "--noAssert",
      ...(opts.args ?? []),
    ],
    {
      writeFile(name: string, contents: Uint8Array | string) {
        if (name.endsWith(".wasm") && typeof contents !== "string") wasm = contents;
      },
      stderr: { write(s: string | Uint8Array) { errors.push(String(s)); return true; } } as never,
      stdout: { write() { return true; } } as never,
    },
  );
  if (result.error || !wasm) throw new Error(`asc ${entry} failed: ${result.error?.message ?? ""}\n${errors.join("")}`);
  return Uint8Array.from(wasm);
}
