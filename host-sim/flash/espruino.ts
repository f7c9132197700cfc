/**
 * The link to an Espruino board, through EspruinoTools (the `espruino`
 * package): its serial layer opens a serial port (through `serialport`) or
 * a `tcp://host:port` socket, writes with XON/XOFF flow control, and hands
 * back what the board prints; its utilities generate the Storage upload
 * commands. EspruinoTools is written for the Web IDE: it loads into
 * globals and reports through console.log, so this module loads it once,
 * keeps its chatter in a log of its own (shown by --verbose), and adapts
 * three things for a command-line tool:
 *  - its serial layer opens only ports that `serialport` enumerates, and
 *    pseudo-terminals (socat, USB-serial bridges seen as ptys) are not
 *    enumerated, so the port the user named is added to the list;
 *  - it lists Bluetooth and browser transports too; only the serial and
 *    socket ones are kept;
 *  - it throttles writes for the Web IDE (19-byte blocks, 250 ms after each
 *    Storage.write); we wait for the board's answer to every command
 *    instead, which paces the upload by the board itself.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

/* eslint-disable @typescript-eslint/no-explicit-any */
type EspruinoGlobal = any;

const chatter: string[] = [];
/** Told of each EspruinoTools log line (how socket errors reach us). */
let onChatter: ((line: string) => void) | null = null;
let espruino: EspruinoGlobal | null = null;
let quiet = 0;
const original = { log: console.log, warn: console.warn, error: console.error };

/**
 * Run `fn` with console output going to the EspruinoTools log instead of
 * the terminal (it logs from timers too, so a whole session runs inside).
 */
export async function muted<T>(fn: () => Promise<T> | T): Promise<T> {
  if (quiet++ === 0) {
    const keep = (...a: unknown[]) => {
      const line = a.map((x) => (typeof x === "string" ? x : JSON.stringify(x) ?? String(x))).join(" ");
      chatter.push(line);
      if (chatter.length > 500) chatter.shift();
      onChatter?.(line);
    };
    console.log = keep; console.warn = keep; console.error = keep;
  }
  try {
    return await fn();
  } finally {
    if (--quiet === 0) Object.assign(console, original);
  }
}

/** EspruinoTools' own log lines (connection, splitting, flow control), newest last. */
export function espruinoLog(): string[] {
  return chatter.slice();
}

/** Load and initialise EspruinoTools once; returns its `Espruino` global. */
export async function loadEspruino(): Promise<EspruinoGlobal> {
  if (espruino) return espruino;
  const require = createRequire(import.meta.url);
  const tools = require("espruino") as { init(cb: () => void): void };
  await muted(() => new Promise<void>((resolve) => tools.init(resolve)));
  espruino = (globalThis as any).Espruino;
  if (!espruino?.Core?.Serial || !espruino?.Core?.Utils) throw new Error("the espruino package did not initialise (Espruino.Core.Serial missing)");
  // Wired links only: the Bluetooth and browser transports probe D-Bus and
  // radios when ports are listed, which a flash over a cable must not need.
  const devices: any[] = espruino.Core.Serial.devices;
  const wired = devices.filter((d) => d.name === "Node Serial" || d.name === "Node Socket");
  devices.splice(0, devices.length, ...wired);
  // Pseudo-terminals are not enumerated by serialport.list(): offer the path we are asked for.
  const node = espruino.Core.Serial.devices.find((d: any) => d.name === "Node Serial");
  if (node) {
    const list = node.getPorts;
    node.getPorts = (cb: (ports: any[], instant: boolean) => void) => list((ports: any[] = []) => {
      const want = wanted && !wanted.startsWith("tcp://") && existsSync(wanted) && !ports.some((p) => p.path === wanted);
      cb(want ? [...ports, { path: wanted, description: "named on the command line" }] : ports, true);
    });
  }
  return espruino;
}

let wanted: string | null = null;

/** An open connection to a board's REPL. */
export interface BoardLink {
  /** Send text to the board (each char one byte). */
  write(text: string): void;
  /** Everything received so far since the last `take`. */
  take(): string;
  /** Wait until received text satisfies `done` or `ms` pass; resolves with what was received. */
  waitFor(done: (received: string) => boolean, ms: number): Promise<string | null>;
  /** Set when the board went away. */
  readonly closed: boolean;
  close(): Promise<void>;
}

/** Open `port` (a device path or tcp://host:port) at `baud`. Throws a one-line error. */
export async function openBoard(port: string, baud: number, timeoutMs: number): Promise<BoardLink> {
  const E = await loadEspruino();
  if (E.Core.Serial.isConnected()) E.Core.Serial.close();
  return muted(() => new Promise<BoardLink>((resolve, reject) => {
    wanted = port;
    E.Config.BAUD_RATE = baud;
    E.Config.SERIAL_TCPIP = port.startsWith("tcp://") ? [port] : [];
    E.Config.STORAGE_UPLOAD_METHOD = 1;
    // It would query process.env on connect for the Web IDE; we ask for what we need ourselves.
    E.Config.ENV_ON_CONNECT = false;
    let received = "";
    let closed = false;
    let wake: (() => void) | null = null;
    let opened = false;
    let disconnected = () => { closed = true; wake?.(); };
    const fail = (why: string) => {
      if (opened) return;
      opened = true;
      onChatter = null;
      clearTimeout(timer);
      reject(new Error(`cannot open ${port}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no connection within ${timeoutMs / 1000} s`), timeoutMs);
    // The socket transport only logs its errors (ECONNREFUSED, EHOSTUNREACH, ...).
    onChatter = (line) => {
      const code = /"code":"(E[A-Z]+)"|\b(E(?:CONNREFUSED|HOSTUNREACH|NETUNREACH|NOTFOUND|TIMEDOUT|ACCES|BUSY))\b/.exec(line);
      if (code) fail(code[1] ?? code[2]);
    };
    E.Core.Serial.startListening((buf: ArrayBuffer) => {
      received += Buffer.from(buf).toString("latin1");
      wake?.();
    });
    E.Core.Serial.open(port, (status: unknown) => {
      if (opened) { if (status !== undefined) E.Core.Serial.close(); return; }
      opened = true;
      onChatter = null;
      clearTimeout(timer);
      if (status === undefined || status instanceof Error) {
        reject(new Error(`cannot open ${port}${status instanceof Error ? `: ${status.message}` : ""}`));
        return;
      }
      // Our own pacing: one command, then the board's answer (see above).
      E.Core.Serial.setSlowWrite(false, true);
      let onClosed: (() => void) | null = null;
      const link: BoardLink = {
        write: (text) => { void muted(() => E.Core.Serial.write(text, false)); },
        take: () => { const r = received; received = ""; return r; },
        waitFor: (done, ms) => new Promise((res) => {
          const check = () => {
            if (done(received)) { finish(received); return true; }
            if (closed) { finish(null); return true; }
            return false;
          };
          const t = setTimeout(() => finish(null), ms);
          const finish = (v: string | null) => { clearTimeout(t); wake = null; res(v); };
          wake = () => { check(); };
          check();
        }),
        get closed() { return closed; },
        close: () => new Promise<void>((res) => {
          if (closed) { res(); return; }
          onClosed = res;
          void muted(() => E.Core.Serial.close());
          setTimeout(() => { closed = true; res(); }, 1000);
        }),
      };
      disconnected = () => { closed = true; wake?.(); onClosed?.(); };
      resolve(link);
    }, () => disconnected());
  }));
}
