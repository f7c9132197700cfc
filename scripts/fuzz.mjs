#!/usr/bin/env node
// `npm run fuzz -- --seconds N`: coverage-guided fuzzing of the module's
// wasm2c C with libFuzzer (clang -fsanitize=fuzzer,address,undefined),
// target ports/fuzz. Builds build/fuzz/embertcp-fuzz (the release limits,
// C in build/fuzz/c), then fuzzes for N seconds (default 60) from the seed
// corpus ports/fuzz/corpus plus the crash inputs kept in
// ports/fuzz/regressions; new inputs go to build/fuzz/corpus, a crash to
// build/fuzz/crash-*. `--replay` only runs the seeds and regressions once.
// Exit status: 0 clean, 1 a failure found (its input is printed), 2 bad options.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildC, fail, haveTool, root } from "./build-c.mjs";
import { APP_SOURCES, compileProgram, RUNTIME_SOURCES } from "./build-native.mjs";

export const FUZZ_DIR = join(root, "build/fuzz");
export const FUZZ_EXE = join(FUZZ_DIR, "embertcp-fuzz");
const SEEDS = join(root, "ports/fuzz/corpus"), REGRESSIONS = join(root, "ports/fuzz/regressions");

/** Why libFuzzer cannot be built here, or null. */
export function fuzzUnavailable() {
  if (!haveTool("wasm2c")) return "wasm2c not found (Debian package wabt)";
  if (!haveTool("clang")) return "clang not found";
  const r = spawnSync("clang", ["-fsanitize=fuzzer", "-x", "c", "-", "-o", "/dev/null"],
    { input: "int LLVMFuzzerTestOneInput(const char*d,unsigned long n){(void)d;(void)n;return 0;}", encoding: "utf8" });
  return r.status === 0 ? null : "clang cannot link libFuzzer (Debian package libclang-rt-14-dev)";
}

export async function buildFuzz() {
  const cDir = join(FUZZ_DIR, "c");
  await buildC({ out: cDir, use: {} });
  return compileProgram({
    cc: "clang", cDir, out: FUZZ_EXE, sources: [...RUNTIME_SOURCES, ...APP_SOURCES, "ports/fuzz/fuzz.c", "ports/fuzz/wire.c"],
    flags: ["-g", "-O1", "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all"],
  });
}

/** The seed and regression inputs, as file paths. */
export function keptInputs() {
  return [SEEDS, REGRESSIONS].filter(existsSync).flatMap((d) => readdirSync(d).map((f) => join(d, f)));
}

/** Run the target; returns its status and output. */
export function runFuzz({ seconds = 60, replay = false } = {}) {
  const args = replay ? keptInputs()
    : ["-max_total_time=" + seconds, "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1", `-artifact_prefix=${FUZZ_DIR}/`,
      join(FUZZ_DIR, "corpus"), SEEDS, ...(existsSync(REGRESSIONS) ? [REGRESSIONS] : [])];
  mkdirSync(join(FUZZ_DIR, "corpus"), { recursive: true });
  const r = spawnSync(FUZZ_EXE, args, { encoding: "utf8", timeout: (seconds + 120) * 1000, maxBuffer: 64 << 20 });
  return { status: r.status, output: (r.stdout ?? "") + (r.stderr ?? "") };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let seconds = 60, replay = false;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--seconds" && /^\d+$/.test(argv[i + 1] ?? "")) seconds = Number(argv[++i]);
    else if (argv[i] === "--replay") replay = true;
    else fail(`fuzz: bad option ${argv[i]}; use [--seconds N] [--replay]`);
  }
  const why = fuzzUnavailable();
  if (why) fail(`fuzz: ${why}`);
  await buildFuzz();
  const r = runFuzz({ seconds, replay });
  const tail = r.output.split("\n").filter((l) => /^(#\d+\s+DONE|stat::|==\d+==|SUMMARY|embertcp fuzz|artifact_prefix|Test unit written|Executed|INFO: Running with entropic)/.test(l));
  console.log(tail.join("\n"));
  if (r.status !== 0) {
    console.log(r.output.split("\n").slice(-40).join("\n"));
    console.log("fuzz: FAILURE. Keep the input in ports/fuzz/regressions/ and add a test for it to the TypeScript suite.");
    process.exit(1);
  }
  console.log(replay ? `fuzz: ${keptInputs().length} kept inputs replayed, no failure` : `fuzz: ${seconds} s, no failure`);
}
