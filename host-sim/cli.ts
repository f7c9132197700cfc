/**
 * The `embertcp` command line. Each command has --help; errors are one line
 * saying what to do, and the exit code is non-zero.
 */
import { pingBoard } from "./ping.js";
import { traceFile } from "./trace/index.js";
import * as flashCommand from "./flash/command.js";

interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number> | number;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith("--")) throw new UsageError(`${name} needs a value`);
  return v;
}

class UsageError extends Error {}

const commands: Record<string, Command> = {
  flash: flashCommand,
  demo: {
    summary: "the simulator demo (what `npm start` runs)",
    usage: "embertcp demo",
    run: () => {
      pingBoard(4, 56, (l) => console.log(l));
      return 0;
    },
  },
  ping: {
    summary: "ping a simulated board over the host-frames link",
    usage: "embertcp ping [--count N] [--size BYTES]",
    run: (args) => {
      const count = Number(flag(args, "--count") ?? 4);
      const size = Number(flag(args, "--size") ?? 56);
      if (!Number.isInteger(count) || count < 1 || count > 100000) throw new UsageError("--count must be an integer 1..100000");
      if (!Number.isInteger(size) || size < 0 || size > 1472) throw new UsageError("--size must be 0..1472 (one Ethernet frame)");
      const r = pingBoard(count, size, (l) => console.log(l));
      return r.every((x) => x.ok) ? 0 : 1;
    },
  },
  trace: {
    summary: "ladder diagram and seq/ack table of each TCP connection in a pcap",
    usage: "embertcp trace FILE.pcap [--svg OUT.svg] [--absolute]",
    run: (args) => {
      const file = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--svg");
      if (!file) throw new UsageError("trace needs a capture file: embertcp trace FILE.pcap");
      process.stdout.write(traceFile(file, { svg: flag(args, "--svg"), relative: !args.includes("--absolute") }));
      return 0;
    },
  },
};

function help(): string {
  const w = Math.max(...Object.keys(commands).map((k) => k.length));
  return ["usage: embertcp <command> [options]   (embertcp <command> --help for details)", "", "commands:",
    ...Object.entries(commands).map(([k, c]) => `  ${k.padEnd(w)}  ${c.summary}`)].join("\n");
}

/** Run the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name ? 0 : 1;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`embertcp: unknown command "${name}"; run \`embertcp --help\` for the list`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    console.log(`usage: ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  try {
    return await cmd.run(args);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`embertcp ${name}: ${msg}${e instanceof UsageError ? ` (usage: ${cmd.usage})` : ""}`);
    return e instanceof UsageError ? 2 : 1;
  }
}
