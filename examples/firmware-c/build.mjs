// Builds the C firmware example into build/firmware-c.wasm with clang and
// lld (Debian: apt-get install clang lld). The module imports its memory
// (env.memory, shared with embertcp.imported-memory.wasm) and must keep
// its stack and data below EMBERTCP_IMPORTED_MEMORY_BASE (64 KiB), where
// embertcp's static data begins.
//
//   node examples/firmware-c/build.mjs
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

/** The clang command line, for the README and the test. */
export function clangArgs(outFile = join(root, "build", "firmware-c.wasm")) {
  return [
    "--target=wasm32", "-O2", "-nostdlib", "-ffreestanding", "-Wall", "-Werror",
    "-I", join(root, "include"),
    "-Wl,--no-entry",
    "-Wl,--import-memory",          // one memory, the host's
    "-Wl,--stack-first",            // stack at the bottom: overflow traps instead of corrupting data
    "-Wl,-z,stack-size=16384",
    "-Wl,--export=__heap_base",     // the end of our data, so a test can check it stays below the base
    join(here, "echo.c"),
    "-o", outFile,
  ];
}

/** Compile the example; returns the output path. */
export function buildFirmwareC(outFile = join(root, "build", "firmware-c.wasm")) {
  mkdirSync(dirname(outFile), { recursive: true });
  execFileSync("clang", clangArgs(outFile), { stdio: ["ignore", "pipe", "pipe"] });
  return outFile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`built ${relative(process.cwd(), buildFirmwareC())}`);
}
