/**
 * `embertcp trace FILE [--conn N] [--port P] [--host A.B.C.D] [--all]
 * [--svg OUT.svg] [--absolute]`: ladders and seq/ack tables of the TCP
 * connections in a pcap or pcapng capture. Bad options are one line on
 * stderr and exit 2; a file that cannot be read is one line and exit 1.
 */
import { existsSync } from "node:fs";
import { ipNumber } from "../wire/bytes.js";
import { traceReport, type TraceOptions } from "./index.js";

export const summary = "ladder diagram and seq/ack table of each TCP connection in a capture (pcap or pcapng)";
export const usage = "embertcp trace FILE.pcap|FILE.pcapng [--conn N] [--port P] [--host A.B.C.D] [--all] [--svg OUT.svg] [--absolute]";

const WITH_VALUE = ["--svg", "--conn", "--port", "--host"];
const BARE = ["--absolute", "--all"];

class UsageError extends Error {}

function integer(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${name} takes a whole number ${min}..${max}, not "${v}"`);
  return Number(v);
}

/** The capture path and options from the arguments; throws UsageError for anything else. */
export function parseTraceArgs(args: string[]): { file: string; opts: TraceOptions } {
  const files: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (WITH_VALUE.includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith("-")) throw new UsageError(`${a} needs a value`);
      values.set(a, v);
    } else if (a.startsWith("-") && !BARE.includes(a)) throw new UsageError(`unknown option ${a}`);
    else if (!a.startsWith("-")) files.push(a);
  }
  if (files.length !== 1) throw new UsageError(files.length ? `trace reads one capture, not ${files.length}` : "trace needs a capture file");
  const host = values.get("--host");
  if (host !== undefined) {
    try { ipNumber(host); } catch { throw new UsageError(`--host takes an IPv4 address A.B.C.D, not "${host}"`); }
  }
  return {
    file: files[0],
    opts: {
      svg: values.get("--svg"), relative: !args.includes("--absolute"), all: args.includes("--all"),
      conn: integer("--conn", values.get("--conn"), 1, 1_000_000), port: integer("--port", values.get("--port"), 0, 65535), host,
    },
  };
}

/** Run the command; returns the exit code. */
export function run(args: string[]): number {
  let parsed: ReturnType<typeof parseTraceArgs>;
  try { parsed = parseTraceArgs(args); } catch (e) {
    console.error(`embertcp trace: ${(e as Error).message} (usage: ${usage})`);
    return 2;
  }
  const { file, opts } = parsed;
  try {
    if (!existsSync(file)) throw new Error(`no such file: ${file}`);
    const r = traceReport(file, opts);
    process.stdout.write(r.text);
    if (opts.conn !== undefined && r.shown.length === 0) {
      console.error(`embertcp trace: no connection ${opts.conn}${opts.port !== undefined || opts.host !== undefined ? " matching --port/--host" : ""}: ${file} has ${r.connections.length}`);
      return 2;
    }
    return 0;
  } catch (e) {
    console.error(`embertcp trace: ${(e as Error).message}`);
    return 1;
  }
}
