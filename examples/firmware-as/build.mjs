// Builds the AssemblyScript firmware example into build/firmware-as.wasm:
// embertcp and the echo server in one module.
//
// A firmware project would `npm install embertcp` and asc would find
// `embertcp/assembly/api` in node_modules by itself. Inside this repository
// the package is the repository, so we point asc's package resolution
// (--path) at a directory holding a link named `embertcp` to the root.
//
//   node examples/firmware-as/build.mjs [--use EMBER_TCB_COUNT=2 ...]
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

/** Compile the example; resolves to the output path, rejects with asc's diagnostics. */
export async function buildFirmwareAs(extraArgs = [], outFile = join(root, "build", "firmware-as.wasm")) {
  const pkgDir = join(root, "build", "as-packages");
  mkdirSync(pkgDir, { recursive: true });
  rmSync(join(pkgDir, "embertcp"), { force: true });
  symlinkSync(relative(pkgDir, root), join(pkgDir, "embertcp"));
  let stderr = "";
  // The options (stub runtime, fixed memory, abort routed to hal.log so the
  // imports stay the ABI's) are in this directory's asconfig.json.
  const { error } = await asc.main([
    "--config", join(here, "asconfig.json"),
    "--outFile", outFile,
    "--path", pkgDir,
    ...extraArgs,
  ], { stderr: { write: (s) => { stderr += String(s); } }, stdout: { write: () => {} } });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr}`);
  return outFile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildFirmwareAs(process.argv.slice(2));
  console.log(`built ${relative(process.cwd(), out)}`);
}
