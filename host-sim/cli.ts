/**
 * The `embertcp` command line. Each command has --help; errors are one line
 * saying what to do, and the exit code is non-zero.
 *
 *   demo     two boards on a serial line: handshake, data, close, SYN flood
 *   sim      one board in real time on a serial port or a TAP device
 *   bridge   join a TAP device and a serial port
 *   netstat  the connection table of a running sim
 *   ping     ping a simulated board
 *   trace    ladders and seq/ack tables from a capture
 *   flash    upload a .wasm to an Espruino board
 */
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDemo } from "./demo.js";
import * as flash from "./flash/command.js";
import { SerialLink } from "./links/serial.js";
import { fetchControl, fetchHttp, formatSnapshot, type Snapshot } from "./netstat.js";
import { pingBoard } from "./ping.js";
import { limitError, type Limits, parseSetting } from "./limits.js";
import { runSim } from "./sim.js";
import { LinkBridge } from "./tap/bridge.js";
import { TapLink } from "./tap/link.js";
import { traceFile } from "./trace/index.js";

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

function intFlag(args: string[], name: string, def: number, min: number, max: number): number {
  const v = flag(args, name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer ${min}..${max}`);
  return n;
}

/** Reject options the command does not know (a typo should not be silently ignored). */
function known(args: string[], withValue: string[], bare: string[] = []): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) continue;
    if (withValue.includes(a)) { i++; continue; }
    if (!bare.includes(a)) throw new UsageError(`unknown option ${a}`);
  }
}

class UsageError extends Error {}

/** --link, --tcbs, --rings, --synq and every --set of the sim command, checked (one line and exit 2 when wrong). */
function simTuning(args: string[]): { link: "enc28j60" | "host"; limits: Partial<Limits>; config: Record<string, number> } {
  const link = flag(args, "--link") ?? "enc28j60";
  if (link !== "enc28j60" && link !== "host") throw new UsageError(`--link must be enc28j60 or host, not "${link}"`);
  const limits: Partial<Limits> = {};
  for (const [key, opt] of [["tcbs", "--tcbs"], ["rings", "--rings"], ["synq", "--synq"]] as const) {
    const v = flag(args, opt);
    if (v === undefined) continue;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    const e = limitError(key, n);
    if (e) throw new UsageError(e);
    limits[key] = n;
  }
  const config: Record<string, number> = {};
  args.forEach((a, i) => {
    if (a !== "--set") return;
    const v = args[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError("--set needs key=value");
    const r = parseSetting(v);
    if (typeof r === "string") throw new UsageError(r);
    config[r.name] = r.value;
  });
  return { link, limits, config };
}

/** Wait for SIGINT/SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (s: string) => { process.off("SIGINT", onInt); process.off("SIGTERM", onTerm); resolve(s); };
    const onInt = () => done("SIGINT"), onTerm = () => done("SIGTERM");
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
  });
}

/**
 * For a command that has no clean stopping point of its own (demo on real
 * serial ports): on SIGINT/SIGTERM print `summary()` and exit at once (the
 * ports close with the process). Returns the function that removes the handlers.
 */
function exitOnSignal(name: string, summary: () => string): () => void {
  const t0 = performance.now();
  const on = (sig: NodeJS.Signals) => {
    console.log(`${name} interrupted by ${sig} after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${summary()}`);
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", on);
  process.once("SIGTERM", on);
  return () => { process.off("SIGINT", on); process.off("SIGTERM", on); };
}

/** Control sockets of sims running on this machine (by their default names). */
function runningSims(): string[] {
  try {
    return readdirSync(tmpdir()).filter((f) => /^embertcp-sim-\d+\.sock$/.test(f)).map((f) => join(tmpdir(), f))
      .filter((p) => { const pid = Number(/(\d+)\.sock$/.exec(p)![1]); try { process.kill(pid, 0); return true; } catch { return false; } });
  } catch { return []; }
}

const commands: Record<string, Command> = {
  demo: {
    summary: "two boards on a serial line: handshake ladder, seq/ack table, four-way close, SYN flood with live netstat; writes demo.pcap",
    usage: "embertcp demo [--serial PATH_A,PATH_B] [--baud N] [--pcap FILE | --no-pcap] [--syns N] [--fast]",
    run: async (args) => {
      known(args, ["--serial", "--baud", "--pcap", "--syns"], ["--no-pcap", "--fast"]);
      const serial = flag(args, "--serial");
      let ports: [string, string] | undefined;
      if (serial !== undefined) {
        const p = serial.split(",");
        if (p.length !== 2 || !p[0] || !p[1]) throw new UsageError("--serial takes two ports: --serial /dev/ttyUSB0,/dev/ttyUSB1");
        ports = [p[0], p[1]];
      }
      let printed = 0, last = "";
      const off = exitOnSignal("demo", () => `${printed} lines printed, the last "${last.trim().slice(0, 60)}"; no capture written`);
      try {
        const s = await runDemo({
          serial: ports, baud: intFlag(args, "--baud", 115200, 1200, 12_000_000),
          pcap: args.includes("--no-pcap") ? null : flag(args, "--pcap") ?? "demo.pcap",
          floodSyns: intFlag(args, "--syns", 400, 0, 100_000),
          liveDelayMs: args.includes("--fast") || !process.stdout.isTTY ? 0 : 120,
          print: (l) => { printed++; if (l.trim()) last = l; console.log(l); },
        });
        return s.echoedBytes > 0 ? 0 : 1;
      } finally { off(); }
    },
  },
  sim: {
    summary: "run one board in real time on a serial port or a TAP device, printing link/ARP/connection events, until Ctrl-C",
    usage: "embertcp sim (--serial PATH [--baud N] [--pace] | --tap NAME [--netns NS]) [--ip A.B.C.D/NN] [--gw A.B.C.D] [--mac MAC] " +
      "[--apps echo,discard,chargen,http] [--control SOCKET] [--pcap FILE] [--msl MS] [--link enc28j60|host] " +
      "[--tcbs N] [--rings BYTES] [--synq N] [--set KEY=VALUE ...]",
    run: async (args) => {
      known(args, ["--serial", "--baud", "--tap", "--netns", "--ip", "--gw", "--mac", "--apps", "--control", "--pcap", "--msl",
        "--link", "--tcbs", "--rings", "--synq", "--set"], ["--pace"]);
      const serial = flag(args, "--serial"), tap = flag(args, "--tap");
      if (!serial === !tap) throw new UsageError("give exactly one of --serial PATH or --tap NAME");
      const msl = flag(args, "--msl");
      const t = simTuning(args);
      return runSim({
        serial, tap, netns: flag(args, "--netns"), baud: intFlag(args, "--baud", 115200, 1200, 12_000_000), pace: args.includes("--pace"),
        ip: flag(args, "--ip") ?? "10.0.0.2/24", gateway: flag(args, "--gw"), mac: flag(args, "--mac"),
        apps: flag(args, "--apps") ?? "echo,discard,chargen,http", control: flag(args, "--control"), pcap: flag(args, "--pcap"),
        link: t.link, limits: t.limits,
        config: { ...(msl ? { msl_ms: intFlag(args, "--msl", 30000, 100, 600_000) } : {}), ...t.config },
      });
    },
  },
  bridge: {
    summary: "join a Linux TAP device and a serial port, frame for frame, until Ctrl-C",
    usage: "embertcp bridge --tap NAME --serial PATH [--baud N] [--pace] [--netns NS]",
    run: async (args) => {
      known(args, ["--tap", "--serial", "--baud", "--netns"], ["--pace"]);
      const tapName = flag(args, "--tap"), path = flag(args, "--serial");
      if (!tapName || !path) throw new UsageError("bridge needs both --tap NAME and --serial PATH");
      const baud = intFlag(args, "--baud", 115200, 1200, 12_000_000);
      const tap = new TapLink({ name: tapName, netns: flag(args, "--netns") });
      try { await tap.opened(); } catch (e) { tap.close(); throw new Error(`${(e as Error).message}; TAP devices need root (or CAP_NET_ADMIN) and /dev/net/tun`); }
      const serial = new SerialLink({ path, baudRate: baud, pace: args.includes("--pace") });
      try { await serial.opened(); } catch (e) { serial.close(); tap.close(); throw new Error(`${(e as Error).message}; check the path and that nothing else holds the port`); }
      const bridge = new LinkBridge(tap, serial, [`TAP ${tapName}`, `serial ${path}`], (line) => console.log(line));
      // Listening before saying so: a signal sent as soon as the line is read is then never the default (a kill).
      const signalled = untilSignal();
      console.log(`bridging TAP ${tapName} <-> serial ${path} at ${baud} baud; Ctrl-C to stop`);
      let last = "";
      const progress = setInterval(() => { const p = bridge.progress(); if (p !== last) console.log(p); last = p; }, 5000);
      await signalled;
      clearInterval(progress);
      console.log(`stopped: ${bridge.progress()}`);
      bridge.close();
      await tap.exited();
      return bridge.down.length ? 1 : 0;
    },
  },
  netstat: {
    summary: "connection table and SYN-flood counters of a running sim (its control socket, or a board's HTTP page)",
    usage: "embertcp netstat [--control SOCKET | --http HOST_OR_URL] [--all] [--watch SECONDS]",
    run: async (args) => {
      known(args, ["--control", "--http", "--watch"], ["--all"]);
      const http = flag(args, "--http");
      let control = flag(args, "--control");
      if (!http && !control) {
        const sims = runningSims();
        if (sims.length === 0) throw new Error("no running sim found: start one with `embertcp sim ...`, or give --control SOCKET or --http HOST");
        if (sims.length > 1) throw new Error(`several sims are running (${sims.join(", ")}): pick one with --control SOCKET`);
        control = sims[0];
      }
      if (control && !existsSync(control)) throw new Error(`no control socket at ${control}: is the sim running? (it prints its socket path at start)`);
      const get = (): Promise<Snapshot> => (http ? fetchHttp(http) : fetchControl(control!));
      const watch = flag(args, "--watch");
      const all = args.includes("--all");
      if (!watch) { console.log(formatSnapshot(await get(), { all })); return 0; }
      const every = Number(watch);
      if (!(every >= 0.1 && every <= 3600)) throw new UsageError("--watch takes seconds, 0.1..3600");
      let stop = false;
      void untilSignal().then(() => { stop = true; });
      while (!stop) {
        console.log(`--- ${new Date().toISOString()}`);
        console.log(formatSnapshot(await get(), { all }));
        await new Promise((r) => setTimeout(r, every * 1000));
      }
      return 0;
    },
  },
  ping: {
    summary: "ping a simulated board over the host-frames link",
    usage: "embertcp ping [--count N] [--size BYTES]",
    run: (args) => {
      known(args, ["--count", "--size"]);
      const count = intFlag(args, "--count", 4, 1, 100000);
      const size = Number(flag(args, "--size") ?? 56);
      if (!Number.isInteger(size) || size < 0 || size > 1472) throw new UsageError("--size must be 0..1472 (one Ethernet frame)");
      const r = pingBoard(count, size, (l) => console.log(l));
      return r.every((x) => x.ok) ? 0 : 1;
    },
  },
  trace: {
    summary: "ladder diagram and seq/ack table of each TCP connection in a pcap",
    usage: "embertcp trace FILE.pcap [--svg OUT.svg] [--absolute]",
    run: (args) => {
      known(args, ["--svg"], ["--absolute"]);
      const file = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--svg");
      if (!file) throw new UsageError("trace needs a capture file: embertcp trace FILE.pcap");
      if (!existsSync(file)) throw new Error(`no such file: ${file}`);
      process.stdout.write(traceFile(file, { svg: flag(args, "--svg"), relative: !args.includes("--absolute") }));
      return 0;
    },
  },
  flash,
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
