/** `embertcp trace FILE.pcap`: ladders and seq/ack tables (host-sim/trace/). */
import { existsSync } from "node:fs";
import { traceFile } from "../trace/index.js";
import type { CommandSpec } from "./args.js";
import { writableFile } from "./validate.js";

export const trace: CommandSpec = {
  name: "trace",
  summary: "ladder diagram and seq/ack table of each TCP connection in a pcap",
  usage: "embertcp trace FILE.pcap [--svg OUT.svg] [--absolute]",
  args: ["FILE.pcap"],
  options: [
    { name: "--svg", value: "OUT.svg", def: "no SVG", help: "also draw the ladders as an SVG file" },
    { name: "--absolute", help: "print sequence and acknowledgment numbers as on the wire, not relative to each side's ISN" },
  ],
  example: "embertcp trace demo.pcap --svg demo.svg",
  run: (a) => {
    const file = a.positional[0];
    const svg = a.get("--svg");
    if (svg !== undefined) writableFile("--svg", svg);
    if (!existsSync(file)) throw new Error(`no such file: ${file}`);
    process.stdout.write(traceFile(file, { svg, relative: !a.has("--absolute") }));
    return 0;
  },
};
