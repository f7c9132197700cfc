/**
 * `npm run soak`: 24 simulated hours of mixed traffic across a faulty
 * switch with the chip's faults on (host-sim/soak/run.ts). Prints one line
 * per hour, then what was injected, what was carried and any problem;
 * exits 1 on a problem, 2 on a wrong command line.
 */
import { fileURLToPath } from "node:url";
import { type CommandSpec, helpText, parse, UsageError } from "../cli/args.js";
import { soak, type SoakResult } from "./run.js";

export const SOAK_COMMAND: CommandSpec = {
  name: "soak",
  summary: "Fault soak in virtual time: echo transfers, long transfers, SYN floods, cable faults, ENC28J60 TX wedges, receive overflows and link flaps.",
  usage: "npm run soak -- [--hours N] [--seed S]",
  options: [
    { name: "--hours", value: "N", def: "24", help: "simulated hours of traffic (a quiet half hour follows)" },
    { name: "--seed", value: "S", def: "1", help: "seed of every schedule and fault" },
  ],
  example: "npm run soak -- --hours 24 --seed 3",
  run: () => 0,
};

export function soakReport(r: SoakResult): string[] {
  const i = r.injected, l = r.load;
  return [
    `${r.hours} simulated hours in ${(r.wallMs / 1000).toFixed(1)} s wall (${(r.hours * 3600 / (r.wallMs / 1000)).toFixed(0)}× real time)`,
    `injected: ${i.shortTransfers} short and ${i.longTransfers} long transfers; ${i.floods} SYN floods (${i.floodSyns} SYNs); ${i.txWedges} TX wedges, ${i.rxOverflowBursts} receive-overflow bursts (${i.rxOverflowFrames} frames), ${i.linkFlaps} link flaps`,
    `cable faults: ${Object.entries(r.cableFaults).map(([k, v]) => `${v} ${k}`).join(", ")}`,
    `transfers: ${l.completed} byte-exact (${l.longCompleted} long, ${l.bytes} bytes), ${l.failed} failed${l.failed ? ` ${JSON.stringify(l.errors)}` : ""}, ${l.corrupt} corrupt`,
    `chips: ${r.chip.rxOverflows} receive overflows, ${r.chip.txAborts} transmit aborts; drivers: ${Object.entries(r.driver).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    ...(r.problems.length ? r.problems.map((p) => `PROBLEM: ${p}`) : ["no problem found"]),
  ];
}

function main(argv: string[]): number {
  if (argv.includes("--help")) { console.log(helpText(SOAK_COMMAND)); return 0; }
  try {
    const a = parse(SOAK_COMMAND, argv);
    const r = soak({
      hours: a.int("--hours", 24, 1, 24 * 365), seed: a.int("--seed", 1, 0, 0xffffffff),
      onHour: (h, ms) => console.log(`hour ${h}: ${(ms / 1000).toFixed(1)} s`),
    });
    for (const line of soakReport(r)) console.log(line);
    return r.problems.length ? 1 : 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`soak: ${e.message}`);
    return 2;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
