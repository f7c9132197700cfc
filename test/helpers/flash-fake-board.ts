/**
 * A fake Espruino board for the flash tests: a REPL that understands the
 * handful of lines `embertcp flash` sends and keeps Storage in memory.
 * Recognised (each line optionally starting with DLE, which turns echo off):
 *   print("<","<<",JSON.stringify(EXPR),">>",">")
 * with EXPR one of
 *   process.env.VERSION
 *   require("Storage").getFree()
 *   require("Storage").write("name",atob("base64"),offset[,total])
 *   require("Storage").erase("name")
 *   (function(f){...E.CRC32(f)...})(require("Storage").read("name"))
 * Anything else gets an Uncaught SyntaxError, as a real board would print.
 * Faults: `silent` (never answers), `corruptChunk` (flip a byte of chunk n
 * but answer true), `free` (Storage size), `dropAfterChunks` (stop
 * answering after n chunks). With `flowControl` the board sends XOFF after
 * every `flowControl` bytes it receives and XON 20 ms later, and counts
 * the bytes that still arrive while it holds the line off (`overrun`).
 */
import { createServer, type Server, type Socket } from "node:net";
import { SerialPort } from "serialport";
import { crc32 } from "../../host-sim/crc32.js";

export interface FakeOptions {
  free?: number;
  silent?: boolean;
  corruptChunk?: number;
  dropAfterChunks?: number;
  version?: string;
  flowControl?: number;
}

const HEADER = 32;

export class FakeEspruino {
  readonly files = new Map<string, Uint8Array>();
  readonly lines: string[] = [];
  chunks = 0;
  erased: string[] = [];
  /** Bytes received while XOFF was in force (beyond what was already on its way), and how many XOFFs were sent. */
  overrun = 0;
  xoffs = 0;
  private sinceXon = 0;
  private heldAt = -1;
  private free: number;
  private pending = "";

  constructor(readonly opts: FakeOptions = {}) {
    this.free = opts.free ?? 64 * 1024;
  }

  /** Bytes from the host; returns what the board prints back. */
  feed(bytes: Buffer): string {
    this.pending += bytes.toString("latin1");
    let out = "";
    for (let i = this.pending.search(/[\r\n]/); i >= 0; i = this.pending.search(/[\r\n]/)) {
      const raw = this.pending.slice(0, i);
      this.pending = this.pending.slice(i + 1);
      out += this.line(raw);
    }
    return out;
  }

  private line(raw: string): string {
    if (this.opts.silent) return "";
    if (this.opts.dropAfterChunks !== undefined && this.chunks >= this.opts.dropAfterChunks) return "";
    const quiet = raw.startsWith("\x10");
    const text = (quiet ? raw.slice(1) : raw).replace(/\x03/g, "").trim();
    const echo = quiet ? "" : text;
    if (text === "") return `${echo}\r\n>`;
    this.lines.push(text);
    const m = /^print\("<","<<",JSON\.stringify\((.*)\),">>",">"\)$/.exec(text);
    if (!m) return `${echo}\r\nUncaught SyntaxError: Got ?[${text.length}] expected EOF\r\n>`;
    let value: unknown;
    try {
      value = this.evaluate(m[1]);
    } catch (e) {
      return `${echo}\r\nUncaught Error: ${(e as Error).message}\r\n>`;
    }
    const json = value === undefined ? "undefined" : JSON.stringify(value);
    return `${echo}\r\n< << ${json} >> >\r\n>`;
  }

  private evaluate(e: string): unknown {
    if (e === "process.env.VERSION") return this.opts.version ?? "2v24-fake";
    if (e === `require("Storage").getFree()`) return this.free;
    let m = /^require\("Storage"\)\.write\(("(?:[^"\\]|\\.)*"),atob\("([A-Za-z0-9+/=]*)"\),(\d+)(?:,(\d+))?\)$/.exec(e);
    if (m) return this.write(JSON.parse(m[1]), Buffer.from(m[2], "base64"), Number(m[3]), m[4] === undefined ? undefined : Number(m[4]));
    m = /^require\("Storage"\)\.erase\(("(?:[^"\\]|\\.)*")\)$/.exec(e);
    if (m) {
      const name = JSON.parse(m[1]) as string;
      const f = this.files.get(name);
      if (f) { this.free += f.length + HEADER; this.files.delete(name); }
      this.erased.push(name);
      return undefined;
    }
    m = /^\(function\(f\)\{return f===undefined\?null:\[f\.length,E\.CRC32\(f\)\];\}\)\(require\("Storage"\)\.read\(("(?:[^"\\]|\\.)*")\)\)$/.exec(e);
    if (m) {
      const f = this.files.get(JSON.parse(m[1]));
      return f === undefined ? null : [f.length, crc32(f)];
    }
    throw new Error(`unknown expression ${e.slice(0, 40)}`);
  }

  /** Storage.write semantics: offset 0 with a total creates the file (0xFF-filled); later chunks fill it in. */
  private write(name: string, data: Buffer, offset: number, total?: number): boolean {
    this.chunks++;
    if (total !== undefined) {
      const old = this.files.get(name);
      if (old) { this.free += old.length + HEADER; this.files.delete(name); }
      if (offset !== 0 || total + HEADER > this.free) return false;
      this.files.set(name, new Uint8Array(total).fill(0xff));
      this.free -= total + HEADER;
    }
    const f = this.files.get(name);
    if (!f || offset + data.length > f.length) return false;
    f.set(data, offset);
    if (this.opts.corruptChunk === this.chunks) f[offset + (data.length >> 1)] ^= 0x40;
    return true;
  }
}

/**
 * Flow control for `fake` on a byte stream: XOFF after every `opts.flowControl`
 * bytes, XON 20 ms later; bytes arriving more than 10 ms after an XOFF count
 * as overrun. Returns the bytes to pass on.
 */
function flow(fake: FakeEspruino, d: Buffer, send: (b: Buffer) => void): void {
  const f = fake as unknown as { opts: FakeOptions; sinceXon: number; heldAt: number };
  const every = f.opts.flowControl;
  if (!every) return;
  if (f.heldAt >= 0 && Date.now() - f.heldAt > 10) fake.overrun += d.length;
  f.sinceXon += d.length;
  if (f.heldAt < 0 && f.sinceXon >= every) {
    f.heldAt = Date.now();
    fake.xoffs++;
    send(Buffer.from([0x13]));
    setTimeout(() => { f.heldAt = -1; f.sinceXon = 0; send(Buffer.from([0x11])); }, 20);
  }
}

/** Serve the fake on one end of a pty pair; returns a closer. */
export async function fakeOnPty(path: string, fake: FakeEspruino): Promise<() => Promise<void>> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  port.on("data", (d: Buffer) => {
    flow(fake, d, (b) => port.write(b));
    const out = fake.feed(d);
    if (out) port.write(Buffer.from(out, "latin1"));
  });
  port.on("error", () => {});
  return () => new Promise<void>((res) => { if (port.isOpen) port.close(() => res()); else res(); });
}

/** Serve the fake on a TCP port on 127.0.0.1 (as a board with a telnet-style REPL); resolves with the port. */
export async function fakeOnTcp(fake: FakeEspruino): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on("data", (d) => {
      flow(fake, d, (b) => { if (!s.destroyed) s.write(b); });
      const out = fake.feed(d);
      if (out) s.write(Buffer.from(out, "latin1"));
    });
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((res) => { for (const s of sockets) s.destroy(); server.close(() => res()); }) };
}
