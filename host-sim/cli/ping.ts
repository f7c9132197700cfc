/** `embertcp ping`: ping a built-in board (host-sim/ping.ts). */
import { pingBoard } from "../ping.js";
import type { CommandSpec } from "./args.js";

export const ping: CommandSpec = {
  name: "ping",
  summary: "ping a simulated board over the host-frames link",
  usage: "embertcp ping [--count N] [--size BYTES]",
  options: [
    { name: "--count", value: "N", def: "4", help: "echo requests to send, 1..100000 (one per simulated second)" },
    { name: "--size", value: "BYTES", def: "56", help: "data bytes per request, 0..1472 (one Ethernet frame)" },
  ],
  example: "embertcp ping --count 400",
  run: (a) => {
    const count = a.int("--count", 4, 1, 100_000), size = a.int("--size", 56, 0, 1472, " (one Ethernet frame)");
    const r = pingBoard(count, size, (l) => console.log(l));
    return r.every((x) => x.ok) ? 0 : 1;
  },
};
