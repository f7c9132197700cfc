/**
 * `npm run fuzz:wasm -- --seconds N --seed S`: the stateful fuzzer from the
 * command line. Prints frames run and frames per second; on a failure, the
 * check that failed, the instance that replays it and its last actions,
 * and exits 1. A wrong command line is one line and exit 2.
 */
import { fileURLToPath } from "node:url";
import { type CommandSpec, helpText, parse, UsageError } from "../cli/args.js";
import { fuzz, type FuzzResult } from "./run.js";

export const FUZZ_COMMAND: CommandSpec = {
  name: "fuzz:wasm",
  summary: "Stateful fuzzing of the release module: real peers, floods, mutations, bad calls, clock jumps; a health check after every instance.",
  usage: "npm run fuzz:wasm -- [--seconds N | --frames N] [--seed S] [--instance I]",
  options: [
    { name: "--seconds", value: "N", def: "10", help: "stop after N seconds of wall time (after the instance running then)" },
    { name: "--frames", value: "N", def: "none", help: "stop after N frames handed to the module instead" },
    { name: "--seed", value: "S", def: "1", help: "seed of the run; the same seed runs the same frames" },
    { name: "--instance", value: "I", def: "none", help: "run only instance I of the seed (replays a reported failure)" },
    { name: "--per-instance", value: "N", def: "20000", help: "frames per instance before its health check" },
  ],
  example: "npm run fuzz:wasm -- --seconds 60 --seed 7",
  run: () => 0,
};

export function report(r: FuzzResult, seed: number): string[] {
  const rate = r.frames / (r.ms / 1000);
  const lines = [`seed ${seed}: ${r.frames} frames in, ${r.sent} out, ${r.calls} calls, ${r.instances} instances, ${(r.ms / 1000).toFixed(1)} s, ${rate.toFixed(0)} frames/s`];
  const f = r.failure;
  if (f) {
    lines.push(`FAILED in instance ${f.instance} at frame ${f.frame}: ${f.message}`);
    lines.push(`replay: npm run fuzz:wasm -- --seed ${seed} --instance ${f.instance}`);
    lines.push("last actions:", ...f.log.map((l) => `  ${l}`));
  }
  return lines;
}

function main(argv: string[]): number {
  if (argv.includes("--help")) { console.log(helpText(FUZZ_COMMAND)); return 0; }
  try {
    const a = parse(FUZZ_COMMAND, argv);
    const seed = a.int("--seed", 1, 0, 0xffffffff);
    const frames = a.has("--frames") ? a.int("--frames", 0, 1, 1e12) : undefined;
    if (frames !== undefined && a.has("--seconds")) throw new UsageError("give --seconds or --frames, not both");
    const r = fuzz({
      seed, frames, seconds: frames === undefined ? a.number("--seconds", 10, 0.001, 1e7) : undefined,
      instance: a.has("--instance") ? a.int("--instance", 0, 0, 1e9) : undefined,
      perInstance: a.int("--per-instance", 20_000, 100, 1e9),
    });
    for (const l of report(r, seed)) console.log(l);
    return r.failure ? 1 : 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`fuzz:wasm: ${e.message}`);
    return 2;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
