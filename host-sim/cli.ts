/**
 * The `embertcp` command line. Each command lives in host-sim/cli/ and
 * declares its options (host-sim/cli/args.ts), so `embertcp help CMD` and
 * `embertcp CMD --help` list every option with its default, and anything
 * the declaration does not allow is refused before a device is opened.
 * Errors are one line; exit 2 for a wrong command line, 1 for a failure at
 * run time, 0 for success.
 *
 *   demo     two boards on a serial line: handshake, data, close, SYN flood
 *   sim      one board in real time on a serial port or a TAP device
 *   bridge   join a TAP device and a serial port
 *   netstat  the connection table of a running sim
 *   ping     ping a running sim, or a built-in board
 *   trace    ladders and seq/ack tables from a capture
 *   flash    upload a .wasm to an Espruino board
 *   qemu     the Cortex-M firmware in QEMU, bridged to a TAP
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type CommandSpec, helpText, parse, UsageError } from "./cli/args.js";
import { bridge } from "./cli/bridge.js";
import { demo } from "./cli/demo.js";
import { netstat } from "./cli/netstat.js";
import { ping } from "./cli/ping.js";
import { qemu } from "./cli/qemu.js";
import { sim } from "./cli/sim.js";
import { trace } from "./cli/trace.js";
import { flash } from "./flash/command.js";
import { projectRoot } from "./paths.js";

const commands: Record<string, CommandSpec> = { demo, sim, bridge, netstat, ping, trace, flash, qemu };

export { exitWhenFlushed } from "./cli/exit.js";

/** The package's version (package.json). */
export function version(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as { version: string }).version;
}

function overview(): string {
  const w = Math.max(...Object.keys(commands).map((k) => k.length));
  return ["usage: embertcp <command> [options]   (embertcp help <command> for its options)", "", "commands:",
    ...Object.entries(commands).map(([k, c]) => `  ${k.padEnd(w)}  ${c.summary}`),
    "", "  --version  print the version", "  --help     this text"].join("\n");
}

/** `embertcp`, `embertcp --help`, `embertcp help [CMD]`, `--version`: the code, or null for a command to run. */
function meta(name: string | undefined, args: string[]): number | null {
  if (name === "--version" || name === "-V") { console.log(`embertcp ${version()}`); return 0; }
  if (!name) { console.error(overview()); return 2; }
  if (name === "--help" || name === "-h") { console.log(overview()); return 0; }
  if (name !== "help") return null;
  if (args.length === 0) { console.log(overview()); return 0; }
  const cmd = commands[args[0]];
  if (args.length > 1 || !cmd) {
    console.error(`embertcp help: ${cmd ? `takes one command, got ${args.length}` : `unknown command "${args[0]}"`}; commands: ${Object.keys(commands).join(", ")}`);
    return 2;
  }
  console.log(helpText(cmd));
  return 0;
}

/** Run the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const done = meta(name, args);
  if (done !== null) return done;
  const cmd = commands[name];
  if (!cmd) {
    console.error(`embertcp: unknown command "${name}"; run \`embertcp --help\` for the list`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    console.log(helpText(cmd));
    return 0;
  }
  try {
    return await cmd.run(parse(cmd, args));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const usage = e instanceof UsageError;
    console.error(`embertcp ${name}: ${msg}${usage ? ` (see \`embertcp help ${name}\`)` : ""}`);
    return usage ? 2 : 1;
  }
}
