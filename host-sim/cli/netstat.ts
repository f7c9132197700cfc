/** `embertcp netstat`: a running sim's connection table (host-sim/netstat.ts). */
import { existsSync } from "node:fs";
import { fetchControl, fetchHttp, formatSnapshot, type Snapshot } from "../netstat.js";
import { type CommandSpec, UsageError } from "./args.js";
import { runningSims, untilSignal } from "./running.js";

/** The control socket to ask: the one given, or the only sim running here. */
export function pickControl(given: string | undefined): string {
  if (given !== undefined) {
    if (!existsSync(given)) throw new Error(`no control socket at ${given}: is the sim running? (it prints its socket path at start)`);
    return given;
  }
  const sims = runningSims();
  if (sims.length === 0) throw new Error("no running sim found: start one with `embertcp sim ...`, or give --control SOCKET or --http HOST");
  if (sims.length > 1) throw new Error(`several sims are running (${sims.join(", ")}): pick one with --control SOCKET`);
  return sims[0];
}

export const netstat: CommandSpec = {
  name: "netstat",
  summary: "connection table and SYN-flood counters of a running sim (its control socket, or a board's HTTP page)",
  usage: "embertcp netstat [--control SOCKET | --http HOST_OR_URL] [--all] [--watch SECONDS]",
  options: [
    { name: "--control", value: "SOCKET", def: "the one sim running on this machine", help: "the sim's control socket (it prints the path at start)" },
    { name: "--http", value: "HOST_OR_URL", def: "the control socket", help: "ask a board's HTTP status page (http app) instead, e.g. 10.0.0.2" },
    { name: "--all", help: "also print every non-zero stack counter and the wire counters" },
    { name: "--watch", value: "SECONDS", def: "print once", help: "print again every SECONDS (0.1..3600) until Ctrl-C" },
  ],
  example: "embertcp netstat --watch 1",
  run: async (a) => {
    const http = a.get("--http");
    if (http !== undefined && a.has("--control")) throw new UsageError("give --control SOCKET or --http HOST, not both");
    const every = a.has("--watch") ? a.number("--watch", 1, 0.1, 3600, " seconds") : 0;
    const control = http ? undefined : pickControl(a.get("--control"));
    const get = (): Promise<Snapshot> => (http ? fetchHttp(http) : fetchControl(control!));
    const all = a.has("--all");
    if (!every) { console.log(formatSnapshot(await get(), { all })); return 0; }
    let stop = false;
    void untilSignal().then(() => { stop = true; });
    while (!stop) {
      console.log(`--- ${new Date().toISOString()}`);
      console.log(formatSnapshot(await get(), { all }));
      await new Promise((r) => setTimeout(r, every * 1000));
    }
    return 0;
  },
};
