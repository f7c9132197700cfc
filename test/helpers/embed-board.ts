/**
 * Simulated boards for the embedding tests: a firmware module (the
 * AssemblyScript one with embertcp compiled in, or the C one instantiated
 * next to embertcp.imported-memory.wasm on a shared memory) on the
 * host-frames link, wired in-process to a client: an embertcp Stack
 * instance speaking TCP. Frames are queued by `frame_out` and delivered
 * from the pump loop, never from inside an import (docs/EMBEDDING.md).
 */
import { readFileSync } from "node:fs";
import { Stack, ipToNumber, seededEntropy } from "../../host-sim/stack.js";
import { buildPath } from "../../host-sim/paths.js";

export const BOARD_IP = "10.0.0.2";
export const CLIENT_IP = "10.0.0.1";
export const NETMASK = "255.255.255.0";
/** EMBERTCP_IMPORTED_MEMORY_BASE in include/embertcp.h. */
export const IMPORTED_MEMORY_BASE = 0x10000;
export const IMPORTED_MEMORY_PAGES = 4;

/** What a firmware module exports (both examples use the same names). */
export interface FirmwareExports {
  fw_start(ip: number, netmask: number, gateway: number): number;
  fw_rx_buffer(): number;
  fw_rx_buffer_size(): number;
  fw_frame_in(len: number): number;
  fw_loop(nowMs: number): number;
  fw_echoed(): number;
}

export interface FirmwareBoard {
  fw: FirmwareExports;
  memory: WebAssembly.Memory;
  /** Frames the board sent, not yet delivered. */
  outbox: Uint8Array[];
  logs: string[];
}

function hal(memory: () => WebAssembly.Memory, outbox: Uint8Array[], logs: string[], seed: number) {
  const entropy = seededEntropy(seed);
  return {
    spi_select: () => {},
    spi_transfer: (ptr: number, len: number) => { new Uint8Array(memory().buffer, ptr, len).fill(0xff); },
    frame_out: (ptr: number, len: number) => { outbox.push(new Uint8Array(memory().buffer, ptr, len).slice()); },
    entropy: () => entropy() | 0,
    log: (_level: number, ptr: number, len: number) => { logs.push(new TextDecoder().decode(new Uint8Array(memory().buffer, ptr, len))); },
  };
}

/** The AssemblyScript firmware: one module, its own memory. */
export function asFirmwareBoard(path = buildPath("firmware-as.wasm"), seed = 11): FirmwareBoard {
  const outbox: Uint8Array[] = [], logs: string[] = [];
  let mem: WebAssembly.Memory | null = null;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), { hal: hal(() => mem!, outbox, logs, seed) });
  mem = inst.exports.memory as WebAssembly.Memory;
  return { fw: inst.exports as unknown as FirmwareExports, memory: mem, outbox, logs };
}

export interface CFirmwareBoard extends FirmwareBoard {
  /** The embertcp instance the firmware calls into. */
  stack: Stack;
  /** The C module's own exports (fw_* plus __heap_base, probes). */
  c: WebAssembly.Exports;
}

/** The C firmware instantiated with embertcp's exports as its "embertcp" imports, one shared memory. */
export function cFirmwareBoard(path = buildPath("firmware-c.wasm"), seed = 11): CFirmwareBoard {
  const memory = new WebAssembly.Memory({ initial: IMPORTED_MEMORY_PAGES, maximum: IMPORTED_MEMORY_PAGES });
  const outbox: Uint8Array[] = [], logs: string[] = [];
  const stack = new Stack({
    module: buildPath("embertcp.imported-memory.wasm"), imports: { env: { memory } }, seed,
    log: (_l, line) => logs.push(line),
  });
  stack.onFrame = (f) => outbox.push(f);
  const c = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {
    env: { memory }, embertcp: stack.instance.exports,
  }).exports;
  return { fw: c as unknown as FirmwareExports, memory, outbox, logs, stack, c };
}

/** Start the firmware at BOARD_IP; throws on a negative result. */
export function startFirmware(b: FirmwareBoard): void {
  const r = b.fw.fw_start(ipToNumber(BOARD_IP), ipToNumber(NETMASK), 0);
  if (r !== 0) throw new Error(`fw_start returned ${r}; log: ${b.logs.join(" | ")}`);
}

/** Hand one frame to the firmware the way its runtime would (copy to its RX buffer, then fw_frame_in). */
export function frameIn(b: FirmwareBoard, frame: Uint8Array): number {
  const p = b.fw.fw_rx_buffer();
  if (frame.length > b.fw.fw_rx_buffer_size()) throw new Error("frame larger than the firmware's RX buffer");
  new Uint8Array(b.memory.buffer).set(frame, p);
  return b.fw.fw_frame_in(frame.length);
}

/** A firmware board and a client Stack on one in-process link, in virtual time. */
export class Wire {
  now = 0;
  readonly client: Stack;
  private readonly toBoard: Uint8Array[] = [];

  constructor(readonly board: FirmwareBoard, clientSeed = 5) {
    this.client = new Stack({ seed: clientSeed });
    this.client.onFrame = (f) => this.toBoard.push(f);
    this.client.init({ mac: "02:00:00:00:00:01", ip: CLIENT_IP, netmask: NETMASK });
    board.outbox.length = 0;
  }

  /** Deliver queued frames both ways and run both sides until quiet; returns frames moved. */
  private settle(): number {
    let moved = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const a = this.toBoard.splice(0), b = this.board.outbox.splice(0);
      for (const f of a) frameIn(this.board, f);
      for (const f of b) this.client.input(f);
      this.board.fw.fw_loop(this.now >>> 0);
      this.client.poll(this.now);
      moved += a.length + b.length;
      if (a.length + b.length === 0 && this.toBoard.length + this.board.outbox.length === 0) return moved;
    }
    throw new Error("link never went quiet");
  }

  /** Run until `done()` holds, advancing virtual time to each deadline; fails after `maxMs` of virtual time. */
  runUntil(done: () => boolean, maxMs = 60_000, what = "condition"): void {
    const end = this.now + maxMs;
    for (;;) {
      this.settle();
      if (done()) return;
      if (this.now >= end) throw new Error(`virtual time ran out waiting for ${what}`);
      const a = this.board.fw.fw_loop(this.now >>> 0), b = this.client.poll(this.now);
      const waits = [a, b].filter((x) => x >= 0);
      this.now += Math.min(Math.max(1, waits.length ? Math.min(...waits) : 10), 50);
    }
  }
}

/** The client connects to the board's echo port, sends `data`, reads it all back and closes. */
export function echoThrough(w: Wire, data: Uint8Array, port = 7): Uint8Array {
  const c = w.client;
  const conn = c.connect(BOARD_IP, port);
  w.runUntil(() => c.pollConn(conn).established || c.pollConn(conn).error, 30_000, "the handshake");
  if (!c.pollConn(conn).established) throw new Error(`connect failed: state ${c.state(conn)}`);
  const got: Uint8Array[] = [];
  let received = 0, sent = 0;
  w.runUntil(() => {
    if (sent < data.length && c.pollConn(conn).writable) sent += c.send(conn, data.subarray(sent));
    for (let r = c.recv(conn); r && r.length; r = c.recv(conn)) { got.push(r); received += r.length; }
    return received >= data.length;
  }, 120_000, `the echo of ${data.length} bytes (sent ${sent}, received ${received})`);
  c.close(conn);
  w.runUntil(() => c.pollConn(conn).peer_closed, 30_000, "the board's FIN");
  const out = new Uint8Array(received);
  let o = 0;
  for (const g of got) { out.set(g, o); o += g.length; }
  return out;
}
