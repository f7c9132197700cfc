/**
 * nmap's verdict on the board's IPv4 identification (RFC 6864, RFC 7739):
 * a board with an echo server on port 7 behind a TAP in a namespace of its
 * own, and `nmap -O -v` run inside that namespace. OS detection probes one
 * open and one closed port and prints "IP ID Sequence Generation: …"; an
 * incremental sequence makes the board an idle-scan zombie.
 *
 * `node dist/bench/nmap-ipid.js [--module file.wasm]...` (root, nmap
 * installed) prints that line for each module given (default the release
 * build), so an older build can be compared with today's.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Board } from "../host-sim/board.js";
import { RealClock } from "../host-sim/clock.js";
import { createNetns } from "../host-sim/netns.js";
import { EchoServer } from "../host-sim/apps/index.js";
import { buildPath } from "../host-sim/paths.js";
import { figure, section } from "./report.js";

const BOARD_IP = "10.9.0.2", LINUX_IP = "10.9.0.1";

export interface IpIdVerdict {
  /** nmap's "IP ID Sequence Generation" line, or null when it printed none. */
  line: string | null;
  /** nmap's whole output (for a failure message). */
  output: string;
  seconds: number;
}

/** Run one bounded `nmap -O -v` against a board running `module`. */
export async function nmapIpId(module = buildPath("embertcp.wasm")): Promise<IpIdVerdict> {
  const ns = await createNetns({ prefix: "embnm", hostAddr: `${LINUX_IP}/24` });
  const board = new Board({ name: "board", link: ns.tap, clock: new RealClock(), mac: "02:00:00:00:09:02", ip: BOARD_IP, gateway: LINUX_IP, seed: 0x5eed, module });
  try {
    board.start([new EchoServer()]);
    const t0 = Date.now();
    // One open port (7) and one closed (8); one OS-detection try keeps it bounded.
    const r = await ns.exec(["nmap", "-O", "-v", "-n", "-Pn", "-p", "7,8", "--max-os-tries", "1", "--max-retries", "1", BOARD_IP], { timeoutMs: 180_000 });
    const output = r.stdout.toString() + r.stderr;
    const m = /^IP ID Sequence Generation:.*$/m.exec(output);
    return { line: m ? m[0].trim() : null, output, seconds: (Date.now() - t0) / 1000 };
  } finally {
    board.stop();
    await ns.destroy();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { module: { type: "string", multiple: true } } });
  section("nmap OS detection: IPv4 identification");
  for (const m of values.module ?? [buildPath("embertcp.wasm")]) {
    const v = await nmapIpId(m);
    figure(`${m}`, v.line ?? "no IP ID line", `(${v.seconds.toFixed(1)} s)`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
