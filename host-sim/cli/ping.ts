/**
 * `embertcp ping [ADDRESS]`: with an address, ping the running sim whose
 * board has it (the sim pings from inside its process, host-sim/ping.ts,
 * so it works on a serial line as on a TAP); without one, ping a built-in
 * board in virtual time (a smoke test of the build).
 */
import { existsSync } from "node:fs";
import { fetchControl, requestPing } from "../netstat.js";
import { pingBoard, type PingResult, replyLine } from "../ping.js";
import { type CommandSpec, type Parsed, UsageError } from "./args.js";
import { runningSims } from "./running.js";
import { quad } from "./validate.js";

/** The control socket of the sim whose board is `address`; throws saying which sims there are. */
async function simWith(address: string, given: string | undefined): Promise<string> {
  const candidates = given !== undefined ? [given] : runningSims();
  if (given !== undefined && !existsSync(given)) throw new Error(`no control socket at ${given}: is the sim running?`);
  const seen: string[] = [];
  for (const path of candidates) {
    try {
      const s = await fetchControl(path, 3000);
      if (s.ip === address) return path;
      seen.push(`${s.ip} (${path})`);
    } catch { /* a sim that went away */ }
  }
  throw new Error(`no running sim has the address ${address} (${seen.length ? `running: ${seen.join(", ")}` : "no sim is running"}); ` +
    "start one with `embertcp sim --ip ADDRESS/NN ...`, or use the system ping for anything else");
}

async function pingSim(a: Parsed, address: string): Promise<number> {
  const path = await simWith(address, a.get("--control"));
  const q = { count: a.int("--count", 4, 1, 100_000), size: a.int("--size", 56, 0, 1472, " (one Ethernet frame)"), intervalMs: Math.round(a.number("--interval", 1, 0.01, 60, " seconds") * 1000) };
  let ok = 0, from = "";
  await requestPing(path, q, (m) => {
    if (typeof m.from === "string") { from = m.from; console.log(`PING ${address} from ${from} (inside the sim at ${path}) with ${q.size} data bytes`); }
    else if (typeof m.seq === "number") {
      const r = (m.reply ?? undefined) as PingResult | undefined;
      if (r?.ok) ok++;
      console.log(replyLine(address, m.seq, r));
    }
  });
  if (!from) throw new Error(`the sim at ${path} did not answer the ping request (an older embertcp?)`);
  console.log(`--- ${address} ping statistics: ${q.count} transmitted, ${ok} received, ${Math.round(100 * (1 - ok / q.count))}% loss`);
  return ok === q.count ? 0 : 1;
}

export const ping: CommandSpec = {
  name: "ping",
  summary: "ping a running sim's board by its address, or (no address) a built-in board in virtual time",
  usage: "embertcp ping [ADDRESS] [--count N] [--size BYTES] [--interval SECONDS] [--control SOCKET]",
  args: ["ADDRESS?"],
  options: [
    { name: "--count", value: "N", def: "4", help: "echo requests to send, 1..100000" },
    { name: "--size", value: "BYTES", def: "56", help: "data bytes per request, 0..1472 (one Ethernet frame)" },
    { name: "--interval", value: "SECONDS", def: "1", help: "time between requests to a sim, 0.01..60 (the built-in board uses 1 s of virtual time)" },
    { name: "--control", value: "SOCKET", def: "every sim running on this machine", help: "ask only the sim with this control socket" },
  ],
  notes: [
    "With ADDRESS the sim whose board has that address pings it from inside its own process, as a",
    "host at the last free address of the board's subnet; that works on a serial line as on a TAP.",
    "Without ADDRESS a fresh board at 10.0.0.2 is pinged once a second of virtual time.",
  ],
  example: "embertcp ping 10.0.0.2 --count 10",
  run: async (a) => {
    const address = a.positional[0];
    if (address !== undefined) {
      if (quad(address) === null) throw new UsageError(`${address} is not an IPv4 address (A.B.C.D)`);
      return pingSim(a, address);
    }
    if (a.has("--control") || a.has("--interval")) throw new UsageError(`${a.has("--control") ? "--control" : "--interval"} goes with an ADDRESS to ping`);
    const r = pingBoard(a.int("--count", 4, 1, 100_000), a.int("--size", 56, 0, 1472, " (one Ethernet frame)"), (l) => console.log(l));
    return r.every((x) => x.ok) ? 0 : 1;
  },
};
