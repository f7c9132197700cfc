/**
 * `embertcp flash FILE.wasm --port /dev/ttyX|tcp://host:port [--name NAME]`:
 * upload a module into an Espruino board's Storage (host-sim/flash/flash.ts)
 * with a progress bar on stderr. Exit 0 only when the board's read-back
 * matches the file; errors are one line, and a partial file is erased.
 */
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { espruinoLog } from "./espruino.js";
import { FlashError, MAX_NAME, flashFile } from "./flash.js";

export const summary = "upload a .wasm into an Espruino board's Storage and verify it";
export const usage = "embertcp flash FILE.wasm --port /dev/ttyX|tcp://host:port [--name NAME] [--baud N] [--timeout SECONDS] [--verbose]";

interface Io { out(line: string): void; err(text: string): void; isTTY: boolean; }

const processIo: Io = {
  out: (l) => { process.stdout.write(l + "\n"); },
  err: (t) => { process.stderr.write(t); },
  get isTTY() { return !!process.stderr.isTTY; },
};

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith("--")) throw new FlashError(`${name} needs a value (usage: ${usage})`);
  return v;
}

/** A bar like `[########------------]  40%  2.9/7.2 KB`. */
export function progressBar(done: number, total: number, width = 30): string {
  const f = total ? done / total : 1;
  const n = Math.round(f * width);
  return `[${"#".repeat(n)}${"-".repeat(width - n)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${(done / 1024).toFixed(1)}/${(total / 1024).toFixed(1)} KB`;
}

/** The default Storage name: the file's base name, cut to what Storage allows. */
function defaultName(file: string): string {
  return basename(file).slice(0, MAX_NAME);
}

/** Run the command; returns the exit code. `io` is for tests. */
export async function run(args: string[], io: Io = processIo): Promise<number> {
  const verbose = args.includes("--verbose");
  try {
    const valued = new Set(["--port", "--name", "--baud", "--timeout"]);
    const unknown = args.find((a, i) => a.startsWith("--") && !valued.has(a) && a !== "--verbose" && !valued.has(args[i - 1]));
    if (unknown) throw new FlashError(`unknown option ${unknown} (usage: ${usage})`);
    const files = args.filter((a, i) => !a.startsWith("--") && !valued.has(args[i - 1]));
    if (files.length !== 1) throw new FlashError(`flash needs exactly one file (usage: ${usage})`);
    const file = files[0];
    const port = option(args, "--port");
    if (!port) throw new FlashError(`flash needs --port /dev/ttyX or --port tcp://host:port (usage: ${usage})`);
    const name = option(args, "--name") ?? defaultName(file);
    const baud = Number(option(args, "--baud") ?? 115200);
    const timeoutS = Number(option(args, "--timeout") ?? 3);
    if (!Number.isInteger(baud) || baud <= 0) throw new FlashError("--baud must be a positive integer");
    if (!(timeoutS > 0 && timeoutS <= 600)) throw new FlashError("--timeout must be 0..600 seconds");
    let bytes: Uint8Array;
    try {
      if (!statSync(file).isFile()) throw new Error("not a regular file");
      bytes = new Uint8Array(readFileSync(file));
    } catch (e) {
      throw new FlashError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (/\.wasm$/i.test(file) && (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)) {
      throw new FlashError(`${file} is not a WebAssembly module (no \\0asm header)`);
    }
    if (port.startsWith("tcp://")) {
      if (!/^tcp:\/\/[^:/]*:\d+$/.test(port)) throw new FlashError(`--port ${port}: write tcp://host:port`);
    } else {
      try {
        accessSync(port, constants.R_OK | constants.W_OK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new FlashError(code === "ENOENT" ? `no such serial port ${port} (is the board plugged in?)` : `cannot open ${port}: ${code}`);
      }
    }
    let last = -1;
    const r = await flashFile({
      file: bytes, port, name, baud, timeoutMs: timeoutS * 1000,
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
    io.out(`flashed ${file} to "${name}": ${r.bytes} bytes in ${r.chunks} chunks, CRC-32 0x${r.crc.toString(16).padStart(8, "0")} verified by the board`);
    return 0;
  } catch (e) {
    if (io.isTTY) io.err("\n");
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`embertcp flash: ${msg}\n`);
    if (verbose) io.err(espruinoLog().map((l) => `  espruino: ${l}`).join("\n") + "\n");
    return 1;
  }
}
