/** `embertcp demo`: two boards on a serial line (host-sim/demo.ts). */
import { runDemo } from "../demo.js";
import { type CommandSpec, UsageError } from "./args.js";
import { exitWhenFlushed } from "./exit.js";
import { writableFile } from "./validate.js";

export const demo: CommandSpec = {
  name: "demo",
  summary: "two boards on a serial line: handshake ladder, seq/ack table, four-way close, SYN flood with live netstat; writes demo.pcap",
  usage: "embertcp demo [--serial PATH_A,PATH_B] [--baud N] [--pcap FILE | --no-pcap] [--syns N] [--fast]",
  options: [
    { name: "--serial", value: "PATH_A,PATH_B", def: "an in-process serial line", help: "run the two boards on two real serial ports joined by a cable (or a socat pty pair)" },
    { name: "--baud", value: "N", def: "115200", help: "bit rate of the serial line, 1200..12000000" },
    { name: "--pcap", value: "FILE", def: "demo.pcap", help: "write a capture of the line (open it with Wireshark or `embertcp trace`)" },
    { name: "--no-pcap", help: "write no capture" },
    { name: "--syns", value: "N", def: "400", help: "forged SYNs in the flood phase, 0..100000" },
    { name: "--fast", help: "no 120 ms pause between the live netstat's updates (always so when output is not a terminal)" },
  ],
  example: "embertcp demo --syns 1000 --pcap /tmp/demo.pcap",
  run: async (a) => {
    const serial = a.get("--serial");
    let ports: [string, string] | undefined;
    if (serial !== undefined) {
      const p = serial.split(",");
      if (p.length !== 2 || !p[0] || !p[1]) throw new UsageError("--serial takes two ports: --serial /dev/ttyUSB0,/dev/ttyUSB1");
      ports = [p[0], p[1]];
    }
    if (a.has("--pcap") && a.has("--no-pcap")) throw new UsageError("give --pcap FILE or --no-pcap, not both");
    const pcap = a.has("--no-pcap") ? null : writableFile("--pcap", a.get("--pcap") ?? "demo.pcap");
    const baud = a.int("--baud", 115200, 1200, 12_000_000), floodSyns = a.int("--syns", 400, 0, 100_000);
    let printed = 0, last = "";
    const off = exitOnSignal("demo", () => `${printed} lines printed, the last "${last.trim().slice(0, 60)}"; no capture written`);
    try {
      const s = await runDemo({
        serial: ports, baud, pcap, floodSyns,
        liveDelayMs: a.has("--fast") || !process.stdout.isTTY ? 0 : 120,
        print: (l) => { printed++; if (l.trim()) last = l; console.log(l); },
      });
      return s.echoedBytes > 0 ? 0 : 1;
    } finally { off(); }
  },
};

/**
 * The demo has no clean stopping point of its own (on real serial ports it
 * runs in real time): on SIGINT/SIGTERM print `summary()` and exit at once;
 * the ports close with the process. Returns the function that removes the handlers.
 */
function exitOnSignal(name: string, summary: () => string): () => void {
  const t0 = performance.now();
  const on = (sig: NodeJS.Signals) => {
    console.log(`${name} interrupted by ${sig} after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${summary()}`);
    void exitWhenFlushed(sig === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", on);
  process.once("SIGTERM", on);
  return () => { process.off("SIGINT", on); process.off("SIGTERM", on); };
}
