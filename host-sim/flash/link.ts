/**
 * The line to an Espruino board's REPL: a serial port (through
 * `serialport`) or a TCP socket (`tcp://host:port`, a board's network
 * REPL). Text goes out in small slices that honour the board's XON/XOFF
 * flow control (it sends XOFF, 0x13, when its input buffer fills and XON,
 * 0x11, when it has room again; both are taken out of what it prints), and
 * a serial slice is sent only once the previous one has left the UART, so
 * an XOFF stops the next slice in time. What it prints is collected for
 * `waitFor`. Events of the line (opened, paused, closed) go to a small log
 * that `--verbose` shows.
 */
import { connect, type Socket } from "node:net";
import { SerialPortStream } from "@serialport/stream";
import { serialOpenError } from "../open-hints.js";
import { mendedBinding, type StreamBinding } from "../tty-binding.js";

/** An open connection to a board's REPL. */
export interface BoardLink {
  /** Send text to the board (each char one byte). */
  write(text: string): void;
  /** Everything received so far since the last `take`. */
  take(): string;
  /** Wait until received text satisfies `done` or `ms` pass; resolves with what was received, or null. */
  waitFor(done: (received: string) => boolean, ms: number): Promise<string | null>;
  /** Set when the board went away. */
  readonly closed: boolean;
  close(): Promise<void>;
}

const XON = 0x11, XOFF = 0x13;
/** Bytes per write: small enough that an XOFF stops the next one in time. */
const SLICE = 32;

const events: string[] = [];
function note(line: string): void {
  events.push(line);
  if (events.length > 200) events.shift();
}

/** The line's events, oldest first (for --verbose). */
export function linkLog(): string[] { return events.slice(); }

interface Wire { write(b: Buffer): Promise<void>; end(): Promise<void>; }

async function openWire(port: string, baud: number, timeoutMs: number, onData: (b: Buffer) => void, onClose: (why: string) => void): Promise<Wire> {
  if (port.startsWith("tcp://")) {
    const u = /^tcp:\/\/([^:/]+):(\d+)$/.exec(port)!;
    const sock: Socket = connect({ host: u[1], port: Number(u[2]) });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { sock.destroy(); reject(new Error(`cannot open ${port}: no connection within ${timeoutMs / 1000} s`)); }, timeoutMs);
      sock.once("connect", () => { clearTimeout(timer); resolve(); });
      sock.once("error", (e: NodeJS.ErrnoException) => { clearTimeout(timer); reject(new Error(`cannot open ${port}: ${e.code ?? e.message}`)); });
    });
    sock.setNoDelay(true);
    sock.on("data", onData);
    sock.on("error", (e) => note(`socket error: ${e.message}`));
    sock.on("close", () => onClose("connection closed"));
    return {
      write: (b) => new Promise((r) => sock.write(b, () => r())),
      end: () => new Promise((r) => { if (sock.destroyed) r(); else { sock.once("close", () => r()); sock.end(); setTimeout(() => { sock.destroy(); r(); }, 500); } }),
    };
  }
  const sp = new SerialPortStream({ binding: mendedBinding() as StreamBinding, path: port, baudRate: baud, autoOpen: false });
  await new Promise<void>((resolve, reject) => sp.open((e) => (e ? reject(serialOpenError(port, e)) : resolve())));
  sp.on("data", onData);
  sp.on("error", (e) => note(`port error: ${e.message}`));
  sp.on("close", () => onClose("port closed"));
  return {
    write: (b) => new Promise((r) => sp.write(b, () => sp.drain(() => r()))),
    end: () => new Promise((r) => { if (!sp.isOpen) r(); else sp.close(() => r()); }),
  };
}

/** Open `port` (a device path or tcp://host:port) at `baud`. Throws a one-line error. */
export async function openBoard(port: string, baud: number, timeoutMs: number): Promise<BoardLink> {
  let received = "", closed = false, paused = false;
  let wake: (() => void) | null = null, resume: (() => void) | null = null;
  const onData = (b: Buffer) => {
    let text = "";
    for (const c of b) {
      if (c === XOFF) { paused = true; note("board sent XOFF"); } else if (c === XON) { paused = false; resume?.(); } else text += String.fromCharCode(c);
    }
    received += text;
    wake?.();
  };
  const wire = await openWire(port, baud, timeoutMs, onData, (why) => { if (!closed) note(why); closed = true; wake?.(); resume?.(); });
  note(`opened ${port}${port.startsWith("tcp://") ? "" : ` at ${baud} baud`}`);
  let queue = Buffer.alloc(0), pumping = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    while (queue.length && !closed) {
      if (paused) { await new Promise<void>((r) => { resume = r; setTimeout(r, 50); }); resume = null; continue; }
      const slice = queue.subarray(0, SLICE);
      queue = queue.subarray(slice.length);
      await wire.write(Buffer.from(slice));
    }
    pumping = false;
  };
  return {
    write: (text) => { queue = Buffer.concat([queue, Buffer.from(text, "latin1")]); void pump(); },
    take: () => { const r = received; received = ""; return r; },
    waitFor: (done, ms) => new Promise((resolve) => {
      const finish = (v: string | null) => { clearTimeout(t); wake = null; resolve(v); };
      const check = () => { if (done(received)) finish(received); else if (closed) finish(null); };
      const t = setTimeout(() => finish(null), ms);
      wake = check;
      check();
    }),
    get closed() { return closed; },
    close: async () => { if (!closed) { closed = true; await wire.end(); note("closed"); } },
  };
}
