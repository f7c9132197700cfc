/**
 * Fuzzer figures: frames per second of the stateful fuzzer
 * (host-sim/fuzz) against the release module, and a long run on demand.
 * `npm run bench:fuzz` runs 10^6 frames; `npm run bench:fuzz -- --frames
 * 100000000 --seed S` runs 10^8 (hours). Prints figures; a failure prints
 * its replay line and exits 1.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fuzz } from "../host-sim/fuzz/run.js";
import { report } from "../host-sim/fuzz/main.js";
import { figure, section } from "./report.js";

export function benchFuzz(frames = 1_000_000, seed = 1): boolean {
  section(`Stateful fuzzer (${frames.toLocaleString("en")} frames, seed ${seed})`);
  const r = fuzz({ seed, frames });
  figure("frames handed to the module", r.frames);
  figure("frames the module sent", r.sent);
  figure("ABI calls", r.calls);
  figure("instances (each ends with a health check)", r.instances);
  figure("fuzz rate", (r.frames / (r.ms / 1000)).toFixed(0), "frames/s");
  if (r.failure) for (const l of report(r, seed).slice(1)) console.log(l);
  return r.failure === null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { frames: { type: "string" }, seed: { type: "string" } } });
  const frames = Number(values.frames ?? 1_000_000), seed = Number(values.seed ?? 1);
  if (!Number.isInteger(frames) || frames < 1 || !Number.isInteger(seed) || seed < 0) {
    console.error("bench:fuzz: --frames and --seed take whole numbers");
    process.exitCode = 2;
  } else if (!benchFuzz(frames, seed)) process.exitCode = 1;
}
