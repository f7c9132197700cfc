/**
 * `npm run bench:netsim`: smoltcp's network-simulator experiment
 * (smoltcp `tests/netsim.rs`, published figures in its snapshot
 * `tests/snapshots/netsim__netsim.snap`) run on embertcp in virtual time.
 *
 * Two module instances talk through the ABI (host-sim/stack.ts, link 0):
 * 50 ms latency each way, seeded independent random loss per frame in both
 * directions, unlimited bandwidth. The connecting side sends 10 MiB to the
 * listener as fast as its send ring takes it; the listener reads everything
 * it can after every poll. Both stacks are built with send and receive
 * rings equal to the buffer size (host-sim/asc.ts, default configuration
 * otherwise). Throughput = bytes / seconds from t = 0, so ARP and the
 * handshake are included, as in smoltcp's test.
 *
 * smoltcp's figures were made without congestion control (its default
 * controller, NoControl), so the table runs twice: the default build, and
 * a build with EMBER_CONGESTION_CONTROL=0 that, like smoltcp there, is
 * bounded by the peer's window alone (docs/TCP.md "Without congestion
 * control").
 *
 * Then the 10BASE-T board-to-board goodput (two boards with the ENC28J60
 * model, bench/boards.ts). Prints figures; asserts nothing.
 *
 * Options: --bytes N (default 10485760), --buffers 1024,2048,...,
 * --losses 0,0.01,..., --seed N, --no-boards, --default-only (skip the
 * table without congestion control).
 */
import { pathToFileURL } from "node:url";
import { compileAssemblyScript } from "../host-sim/asc.js";
import { Stack } from "../host-sim/stack.js";
import { benchBoards } from "./boards.js";
import { section } from "./report.js";

export const BUFFERS = [1024, 2048, 4096, 8192, 16384];
export const LOSSES = [0, 0.001, 0.01, 0.02, 0.05, 0.1];

/**
 * smoltcp's published throughput in bytes per second for the same
 * experiment (tests/netsim.rs, snapshot netsim__netsim.snap), rows by
 * buffer size, columns by loss rate as in LOSSES.
 */
export const SMOLTCP: Record<number, number[]> = {
  1024: [10238, 10023, 8341, 7084, 4003, 1870],
  2048: [17535, 17172, 14094, 11964, 7399, 3416],
  4096: [35062, 33860, 26937, 21887, 14074, 7871],
  8192: [77374, 72992, 58491, 46528, 29421, 15515],
  16384: [161842, 159311, 127091, 104233, 55319, 27269],
};

const LATENCY_MS = 50;
const PORT = 1234;

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
export function lossRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** One direction of the path: a FIFO of frames, each due LATENCY_MS after it was sent. */
class Path {
  private readonly frames: Array<{ at: number; frame: Uint8Array }> = [];
  private readonly rand: () => number;
  lost = 0;
  carried = 0;
  constructor(private readonly loss: number, seed: number) { this.rand = lossRng(seed); }
  push(frame: Uint8Array, now: number): void {
    if (this.rand() < this.loss) { this.lost++; return; }
    this.carried++;
    this.frames.push({ at: now + LATENCY_MS, frame });
  }
  /** Frames due at `now`, oldest first (constant latency keeps the FIFO in time order). */
  due(now: number): Uint8Array[] {
    let n = 0;
    while (n < this.frames.length && this.frames[n].at <= now) n++;
    return this.frames.splice(0, n).map((f) => f.frame);
  }
  nextAt(): number { return this.frames.length ? this.frames[0].at : Infinity; }
}

export interface NetsimCase {
  module: WebAssembly.Module;
  loss: number;
  bytes?: number;
  seed?: number;
  /** net_config values applied to both stacks after net_init. */
  config?: Partial<Record<Parameters<Stack["setConfig"]>[0], number>>;
  /** Called with every byte the listener reads, in order (for checks). */
  onData?: (chunk: Uint8Array) => void;
  /** Called for every frame either stack sends (before loss), with the sender's side. */
  onFrame?: (from: "sender" | "listener", frame: Uint8Array, now: number) => void;
}

export interface NetsimResult {
  bytes: number;
  ms: number;
  bytesPerSecond: number;
  framesLost: number;
  framesCarried: number;
  /** The sender's TCP counters at the end. */
  senderStats: ReturnType<Stack["stats"]>;
}

/** The byte at stream offset i (a pattern a lost, duplicated or misplaced byte breaks). */
export function patternByte(i: number): number {
  return (i * 7 + (i >>> 11)) & 0xff;
}

function makeStack(c: NetsimCase, who: "sender" | "listener", seed: number, out: Path, clock: { now: number }): Stack {
  const s = new Stack({ module: c.module, seed });
  s.onFrame = (f) => {
    s.sent.length = 0; // the path holds the frames; the Stack's own list would only grow
    c.onFrame?.(who, f, clock.now);
    out.push(f, clock.now);
  };
  const [mac, ip] = who === "listener" ? ["02:00:00:00:00:01", "10.0.0.1"] : ["02:00:00:00:00:02", "10.0.0.2"];
  s.init({ mac, ip, netmask: "255.0.0.0" });
  for (const [k, v] of Object.entries(c.config ?? {})) s.setConfig(k as never, v as number);
  return s;
}

/** One cell of the table: `bytes` from the connecting side to the listener. */
export function runNetsim(c: NetsimCase): NetsimResult {
  const bytes = c.bytes ?? 10 * 1024 * 1024;
  const seed = c.seed ?? 0;
  const clock = { now: 0 };
  const toListener = new Path(c.loss, seed * 2 + 1), toSender = new Path(c.loss, seed * 2 + 2);
  const listener = makeStack(c, "listener", 1, toSender, clock);
  const sender = makeStack(c, "sender", 2, toListener, clock);
  const l = listener.listen(PORT, 1);
  const conn = sender.connect("10.0.0.1", PORT);
  const chunk = new Uint8Array(sender.exports.net_scratch_size());
  let accepted: number | null = null, queued = 0, got = 0, stalls = 0;
  while (got < bytes) {
    const now = clock.now;
    let next = Infinity;
    // The listener: poll, take due frames, read everything.
    listener.poll(now);
    for (const f of toListener.due(now)) listener.input(f);
    if (accepted === null) accepted = listener.accept(l);
    for (let d = accepted === null ? null : listener.recv(accepted); d && d.length; d = listener.recv(accepted!)) {
      c.onData?.(d);
      got += d.length;
    }
    next = Math.min(next, deadline(listener.poll(now), now));
    // The sender: poll, take due frames, fill the send ring.
    sender.poll(now);
    for (const f of toSender.due(now)) sender.input(f);
    while (queued < bytes && sender.pollConn(conn).writable) {
      const n = Math.min(chunk.length, bytes - queued);
      for (let i = 0; i < n; i++) chunk[i] = patternByte(queued + i);
      const took = sender.send(conn, chunk.subarray(0, n));
      if (took === 0) break;
      queued += took;
    }
    next = Math.min(next, deadline(sender.poll(now), now), toListener.nextAt(), toSender.nextAt());
    if (!Number.isFinite(next)) throw new Error(`netsim: nothing left to happen at ${now} ms with ${got} of ${bytes} bytes received`);
    stalls = next <= now ? stalls + 1 : 0;
    if (stalls > 1000) throw new Error(`netsim: no progress at ${now} ms`);
    clock.now = Math.max(now, next);
  }
  return {
    bytes: got, ms: clock.now, bytesPerSecond: got / (clock.now / 1000),
    framesLost: toListener.lost + toSender.lost, framesCarried: toListener.carried + toSender.carried,
    senderStats: sender.stats(),
  };
}

function deadline(r: number, now: number): number {
  return r < 0 ? Infinity : now + r;
}

/** The module with send and receive rings of `buffer` bytes, built like the release. */
export async function netsimModule(buffer: number, extra: string[] = []): Promise<WebAssembly.Module> {
  // Eight TCBs with two rings each, plus the rest of the static data.
  const pages = Math.ceil((8 * 2 * buffer) / 65536) + 2;
  const wasm = await compileAssemblyScript("assembly/index.ts", {
    pages,
    args: ["--use", `EMBER_TCP_TX_BUF=${buffer}`, "--use", `EMBER_TCP_RX_BUF=${buffer}`, ...extra],
  });
  return new WebAssembly.Module(wasm);
}

interface Options { bytes: number; buffers: number[]; losses: number[]; seed: number; boards: boolean; noControl: boolean; }

function usage(msg: string): never {
  console.error(`bench:netsim: ${msg} (options: --bytes N, --buffers a,b,..., --losses x,y,..., --seed N, --no-boards, --default-only)`);
  process.exit(2);
}

function parseList(v: string | undefined, name: string, ok: (x: number) => boolean): number[] {
  const xs = (v ?? "").split(",").map(Number);
  if (!v || xs.some((x) => !Number.isFinite(x) || !ok(x))) usage(`bad ${name}: ${v ?? "(missing)"}`);
  return xs;
}

export function parseOptions(argv: string[]): Options {
  const o: Options = { bytes: 10 * 1024 * 1024, buffers: BUFFERS, losses: LOSSES, seed: 0, boards: true, noControl: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-boards") o.boards = false;
    else if (a === "--default-only") o.noControl = false;
    else if (a === "--bytes") o.bytes = parseList(argv[++i], "--bytes", (x) => Number.isInteger(x) && x > 0 && x <= 2 ** 30)[0];
    else if (a === "--seed") o.seed = parseList(argv[++i], "--seed", (x) => Number.isInteger(x) && x >= 0)[0];
    else if (a === "--buffers") o.buffers = parseList(argv[++i], "--buffers", (x) => BUFFERS.includes(x));
    else if (a === "--losses") o.losses = parseList(argv[++i], "--losses", (x) => x >= 0 && x < 1);
    else usage(`unknown option ${a}`);
  }
  return o;
}

const fmt = (x: number, w: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 }).padStart(w);

function printTable(title: string, losses: number[], rows: Map<number, number[]>, cell: (v: number) => string): void {
  console.log(`\n${title}`);
  console.log("buffer \\ loss " + losses.map((x) => String(x).padStart(9)).join(""));
  for (const [buf, vs] of rows) console.log(String(buf).padStart(14) + vs.map((v) => cell(v).padStart(9)).join(""));
}

/** Our bytes/s per buffer and loss, for the module built with `extra` asc arguments. */
async function ourTable(o: Options, extra: string[]): Promise<Map<number, number[]>> {
  const rows = new Map<number, number[]>();
  for (const buf of o.buffers) {
    const mod = await netsimModule(buf, extra);
    rows.set(buf, o.losses.map((loss) => runNetsim({ module: mod, loss, bytes: o.bytes, seed: o.seed }).bytesPerSecond));
  }
  return rows;
}

/** Print our table and its ratios to smoltcp's, with their geometric mean and the cells below. */
function printAgainstSmoltcp(title: string, o: Options, ours: Map<number, number[]>): void {
  const ratio = new Map<number, number[]>();
  for (const [buf, row] of ours) ratio.set(buf, row.map((v, i) => v / (SMOLTCP[buf][LOSSES.indexOf(o.losses[i])] ?? NaN)));
  printTable(`${title}, bytes/s`, o.losses, ours, (v) => fmt(v, 9));
  printTable(`${title} / smoltcp`, o.losses, ratio, (v) => (Number.isNaN(v) ? "-" : v.toFixed(2)));
  const rs = [...ratio.values()].flat().filter((v) => !Number.isNaN(v));
  const gm = Math.exp(rs.reduce((a, v) => a + Math.log(v), 0) / rs.length);
  console.log(`\ngeometric mean of ${title} / smoltcp over ${rs.length} cells: ${gm.toFixed(3)}`);
  const below = [...ratio].flatMap(([buf, row]) => row.flatMap((v, i) => (v < 1 ? [`${buf} at ${o.losses[i]}: ${v.toFixed(3)}`] : [])));
  console.log(`cells below smoltcp: ${below.length}${below.length ? ` (${below.join(", ")})` : ""}`);
}

/**
 * Run the table and print smoltcp's, ours (the default build) and ours
 * built without congestion control (EMBER_CONGESTION_CONTROL=0), the way
 * smoltcp's published figures were made: its netsim test builds with the
 * default features, whose congestion controller is NoControl.
 */
export async function benchNetsim(o: Options): Promise<void> {
  section(`netsim: ${o.bytes} bytes, RTT ${2 * LATENCY_MS} ms, loss per frame both ways (smoltcp tests/netsim.rs)`);
  const theirs = new Map(o.buffers.map((buf) => [buf, o.losses.map((loss) => SMOLTCP[buf][LOSSES.indexOf(loss)] ?? NaN)]));
  printTable("smoltcp (tests/snapshots/netsim__netsim.snap, no congestion control), bytes/s", o.losses, theirs, (v) => (Number.isNaN(v) ? "-" : fmt(v, 9)));
  printAgainstSmoltcp("embertcp", o, await ourTable(o, []));
  if (!o.noControl) return;
  console.log("\nThe same, both stacks without congestion control (embertcp built with EMBER_CONGESTION_CONTROL=0):");
  printAgainstSmoltcp("embertcp without congestion control", o, await ourTable(o, ["--use", "EMBER_CONGESTION_CONTROL=0"]));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o = parseOptions(process.argv.slice(2));
  await benchNetsim(o);
  if (o.boards) {
    section("10BASE-T board to board (ENC28J60 model, 4 KiB rings)");
    benchBoards();
  }
}
