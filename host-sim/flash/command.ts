/**
 * `embertcp flash FILE.wasm --port /dev/ttyX|tcp://host:port [--name NAME]`:
 * upload a module into an Espruino board's Storage (host-sim/flash/flash.ts)
 * with a progress bar on stderr. Exit 0 only when the board's read-back
 * matches the file; errors are one line, and a partial file is erased.
 *
 * Everything that can be checked locally is, before the port is touched:
 * the file is a WebAssembly module (magic, version 1, and it validates),
 * and the port is a terminal device (a tty) or a tcp:// address. Exit 2
 * for a wrong command line, 1 when the board or the port fails.
 */
import { closeSync, constants, openSync, readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { isatty } from "node:tty";
import { type CommandSpec, type Parsed, UsageError, parse } from "../cli/args.js";
import { linkLog } from "./link.js";
import { FlashError, MAX_NAME, flashFile } from "./flash.js";

interface Io { out(line: string): void; err(text: string): void; isTTY: boolean; }

const processIo: Io = {
  out: (l) => { process.stdout.write(l + "\n"); },
  err: (t) => { process.stderr.write(t); },
  get isTTY() { return !!process.stderr.isTTY; },
};

/** A bar like `[########------------]  40%  2.9/7.2 KB`. */
export function progressBar(done: number, total: number, width = 30): string {
  const f = total ? done / total : 1;
  const n = Math.round(f * width);
  return `[${"#".repeat(n)}${"-".repeat(width - n)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${(done / 1024).toFixed(1)}/${(total / 1024).toFixed(1)} KB`;
}

/** The file's bytes, if it is a WebAssembly module (binary format §5.5.16: magic, version 1) that validates. */
export function readModule(file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    if (!statSync(file).isFile()) throw Object.assign(new Error(), { code: "not a regular file" });
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new FlashError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const magic = bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!magic) throw new FlashError(`${file} is not a WebAssembly module (no \\0asm header)`);
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) throw new FlashError(`${file} is WebAssembly version ${bytes[4] | (bytes[5] << 8)}, not 1`);
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) throw new FlashError(`${file} has a WebAssembly header but does not validate (truncated or corrupt?)`);
  return bytes;
}

/** A serial port must be a terminal device; say what it is otherwise. A missing one is a runtime error (unplugged). */
export function checkPort(port: string): void {
  if (port.startsWith("tcp://")) {
    if (!/^tcp:\/\/[^:/]+:\d{1,5}$/.test(port)) throw new UsageError(`--port ${port}: write tcp://host:port`);
    return;
  }
  let st;
  try { st = statSync(port); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlashError(code === "ENOENT" ? `no such serial port ${port} (is the board plugged in?)` : `cannot open ${port}: ${code}`);
  }
  if (st.isDirectory()) throw new UsageError(`--port ${port} is a directory, not a serial port`);
  if (!st.isCharacterDevice()) throw new UsageError(`--port ${port} is not a device: give a serial port such as /dev/ttyACM0, or tcp://host:port`);
  let fd = -1;
  try {
    fd = openSync(port, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    if (!isatty(fd)) throw new UsageError(`--port ${port} is not a serial port (not a terminal device)`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new FlashError(`cannot open ${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally { if (fd >= 0) closeSync(fd); }
}

export const flash: CommandSpec = {
  name: "flash",
  summary: "upload a .wasm into an Espruino board's Storage and verify it",
  usage: "embertcp flash FILE.wasm --port /dev/ttyX|tcp://host:port [--name NAME] [--baud N] [--timeout SECONDS] [--verbose]",
  args: ["FILE.wasm"],
  options: [
    { name: "--port", value: "PORT", help: "the board: a serial device (/dev/ttyACM0) or tcp://host:port (a board's network REPL)" },
    { name: "--name", value: "NAME", def: "the file's base name", help: "Storage file name on the board, 1..28 characters" },
    { name: "--baud", value: "N", def: "115200", help: "serial bit rate, 1200..12000000" },
    { name: "--timeout", value: "SECONDS", def: "3", help: "how long the board may take to answer one command, 0.1..600" },
    { name: "--verbose", help: "on failure, also print the transport's log" },
  ],
  example: "embertcp flash build/embertcp.wasm --port /dev/ttyACM0",
  run: (a) => execute(a, processIo),
};

/** Run the command from raw arguments; returns the exit code. `io` is for tests. */
export async function run(args: string[], io: Io = processIo): Promise<number> {
  let a: Parsed;
  try { a = parse(flash, args); } catch (e) {
    io.err(`embertcp flash: ${(e as Error).message} (usage: ${flash.usage})\n`);
    return 2;
  }
  return execute(a, io);
}

async function execute(a: Parsed, io: Io): Promise<number> {
  try {
    const file = a.positional[0];
    const port = a.get("--port");
    if (!port) throw new UsageError(`flash needs --port /dev/ttyX or --port tcp://host:port (usage: ${flash.usage})`);
    const name = a.get("--name") ?? basename(file).slice(0, MAX_NAME);
    if (name.length === 0 || name.length > MAX_NAME) throw new UsageError(`--name: Storage names are 1..${MAX_NAME} characters; "${name}" has ${name.length}`);
    const baud = a.int("--baud", 115200, 1200, 12_000_000);
    const timeoutS = a.number("--timeout", 3, 0.1, 600, " seconds");
    const bytes = readModule(file);
    checkPort(port);
    return await upload(io, { file, bytes, port, name, baud, timeoutMs: timeoutS * 1000 });
  } catch (e) {
    if (io.isTTY) io.err("\n");
    io.err(`embertcp flash: ${e instanceof Error ? e.message : String(e)}\n`);
    if (a.has("--verbose") && !(e instanceof UsageError)) io.err(linkLog().map((l) => `  line: ${l}`).join("\n") + "\n");
    return e instanceof UsageError ? 2 : 1;
  }
}

async function upload(io: Io, o: { file: string; bytes: Uint8Array; port: string; name: string; baud: number; timeoutMs: number }): Promise<number> {
  let last = -1;
  const r = await flashFile({
    file: o.bytes, port: o.port, name: o.name, baud: o.baud, timeoutMs: o.timeoutMs,
    onStep: (l) => io.out(l),
    onProgress: (done, total) => {
      if (io.isTTY) io.err(`\r${progressBar(done, total)}`);
      else {
        const pct = Math.floor((done / total) * 4) * 25; // a line per quarter when not on a terminal
        if (pct !== last) { last = pct; io.err(`${progressBar(done, total)}\n`); }
      }
    },
  });
  if (io.isTTY) io.err("\n");
  io.out(`flashed ${o.file} to "${o.name}": ${r.bytes} bytes in ${r.chunks} chunks, CRC-32 0x${r.crc.toString(16).padStart(8, "0")} verified by the board`);
  return 0;
}
