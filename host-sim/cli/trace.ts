/** `embertcp trace FILE`: ladders and seq/ack tables of a pcap or pcapng capture (host-sim/trace/). */
import { existsSync } from "node:fs";
import { traceReport } from "../trace/index.js";
import { type CommandSpec, UsageError } from "./args.js";
import { quad, writableFile } from "./validate.js";

export const trace: CommandSpec = {
  name: "trace",
  summary: "ladder diagram and seq/ack table of each TCP connection in a capture (pcap or pcapng)",
  usage: "embertcp trace FILE.pcap|FILE.pcapng [--conn N] [--port P] [--host A.B.C.D] [--all] [--svg OUT.svg] [--absolute]",
  args: ["FILE.pcap"],
  options: [
    { name: "--conn", value: "N", def: "all, or a list when there are many", help: "draw only connection N (numbered as the list shows them)" },
    { name: "--port", value: "P", def: "any", help: "only connections with P as either port" },
    { name: "--host", value: "A.B.C.D", def: "any", help: "only connections with A.B.C.D at either end" },
    { name: "--all", help: "draw every connection even when the capture holds many" },
    { name: "--svg", value: "OUT.svg", def: "no SVG", help: "also draw the ladders as an SVG file (the path is printed)" },
    { name: "--absolute", help: "print sequence and acknowledgment numbers as on the wire, not relative to each side's ISN" },
  ],
  example: "embertcp trace demo.pcap --conn 1 --svg demo.svg",
  run: (a) => {
    const file = a.positional[0];
    const svg = a.get("--svg");
    if (svg !== undefined) writableFile("--svg", svg);
    const host = a.get("--host");
    if (host !== undefined && quad(host) === null) throw new UsageError(`--host ${host}: give an IPv4 address A.B.C.D`);
    const conn = a.has("--conn") ? a.int("--conn", 1, 1, 1_000_000) : undefined;
    const port = a.has("--port") ? a.int("--port", 0, 0, 65535) : undefined;
    if (!existsSync(file)) throw new Error(`no such file: ${file}`);
    const r = traceReport(file, { svg, relative: !a.has("--absolute"), all: a.has("--all"), conn, port, host });
    process.stdout.write(r.text);
    if (conn !== undefined && r.shown.length === 0) {
      const filtered = port !== undefined || host !== undefined ? " matching --port/--host" : "";
      throw new UsageError(`no connection ${conn}${filtered}: ${file} has ${r.connections.length}`);
    }
    return 0;
  },
};
