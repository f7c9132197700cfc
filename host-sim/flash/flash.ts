/**
 * Put a file into an Espruino board's Storage and prove it arrived.
 *
 * Every exchange is one REPL line in the form EspruinoTools uses for
 * expressions: `\x10print("<","<<",JSON.stringify(EXPR),">>",">")` (DLE
 * turns echo off; the quoted markers never match their own echo), and
 * the answer is the JSON between "< <<" and ">> >". The steps:
 *  1. `process.env.VERSION` — the board answers at all (else: timeout);
 *  2. `require("Storage").getFree()` — the file and its header fit;
 *  3. the upload commands (`Storage.write(name, atob(chunk), offset[,
 *     total])`, 384-byte chunks; the first one, with the total, makes the
 *     file), one at a time, each answered `true` before the next is sent
 *     (progress per chunk);
 *  4. the board reads the file back and reports its length and
 *     `E.CRC32`, compared with the CRC-32 of the local file.
 * Any failure after the first chunk erases the partial file, so a name
 * on the board is either the whole verified file or absent.
 */
import { crc32 } from "../crc32.js";
import { type BoardLink, openBoard } from "./link.js";

/** Bytes of the file per Storage.write command (512 characters of base64). */
export const CHUNK = 384;

/** The Storage.write commands that put `file` on the board under `name`, with the offset of each. */
export function uploadCommands(name: string, file: Uint8Array): Array<{ command: string; offset: number }> {
  const out: Array<{ command: string; offset: number }> = [];
  for (let offset = 0; offset < file.length; offset += CHUNK) {
    const b64 = Buffer.from(file.subarray(offset, offset + CHUNK)).toString("base64");
    out.push({ command: `require("Storage").write(${q(name)},atob("${b64}"),${offset}${offset === 0 ? `,${file.length}` : ""})`, offset });
  }
  return out;
}

/** Bytes Espruino's Storage spends on a file's header (name and length), besides its data. */
export const STORAGE_HEADER_BYTES = 32;
/** Longest Storage file name. */
export const MAX_NAME = 28;

export interface FlashOptions {
  file: Uint8Array;
  /** Device path or tcp://host:port. */
  port: string;
  name: string;
  baud?: number;
  /** How long the board may take to answer one command (ms). */
  timeoutMs?: number;
  onProgress?: (done: number, total: number) => void;
  /** One line per step, for the user. */
  onStep?: (line: string) => void;
}

export interface FlashResult { bytes: number; crc: number; version: string; free: number; chunks: number; }

/** A one-line error for the user; `erased` tells whether a partial file was removed. */
export class FlashError extends Error {}

function expr(e: string): string {
  return `\x10print("<","<<",JSON.stringify(${e}),">>",">")\n`;
}

/** Send one expression and parse its JSON answer; throws FlashError on silence or garbage. */
async function ask(link: BoardLink, e: string, timeoutMs: number, what: string): Promise<unknown> {
  link.take();
  link.write(expr(e));
  const got = await link.waitFor((r) => { const s = r.indexOf("< <<"); return s >= 0 && r.indexOf(">> >", s) > s; }, timeoutMs);
  if (got === null) {
    if (link.closed) throw new FlashError(`the board went away during ${what}`);
    const heard = link.take().replace(/[\r\n]+/g, " ").trim();
    throw new FlashError(`the board does not answer (${what}: no reply within ${timeoutMs / 1000} s)${heard ? `; it printed: ${heard.slice(0, 100)}` : ""}`);
  }
  const s = got.indexOf("< <<"), t = got.indexOf(">> >", s);
  const body = got.slice(s + 4, t).trim();
  if (body === "undefined" || body === "") return undefined;
  try {
    return JSON.parse(body);
  } catch {
    throw new FlashError(`unexpected answer to ${what}: ${body.slice(0, 80)}`);
  }
}

const q = (s: string) => JSON.stringify(s);

/** Send every chunk, each answered `true` before the next; returns how many. */
async function sendChunks(link: BoardLink, o: FlashOptions, timeoutMs: number): Promise<number> {
  const commands = uploadCommands(o.name, o.file);
  o.onProgress?.(0, o.file.length);
  for (let i = 0; i < commands.length; i++) {
    const ok = await ask(link, commands[i].command, timeoutMs, `chunk ${i + 1} of ${commands.length}`);
    if (ok !== true) throw new FlashError(`the board refused chunk ${i + 1} of ${commands.length} (Storage.write returned ${JSON.stringify(ok)})`);
    o.onProgress?.(Math.min(o.file.length, commands[i].offset + CHUNK), o.file.length);
  }
  return commands.length;
}

/** Have the board read the file back; throws unless its length and CRC-32 match. */
async function verify(link: BoardLink, o: FlashOptions, timeoutMs: number): Promise<number> {
  const check = await ask(link,
    `(function(f){return f===undefined?null:[f.length,E.CRC32(f)];})(require("Storage").read(${q(o.name)}))`,
    timeoutMs, "the read-back");
  const want = crc32(o.file);
  if (!Array.isArray(check)) throw new FlashError(`verification failed: the board has no file "${o.name}" after the upload`);
  const [len, crc] = check.map(Number);
  if (len !== o.file.length || (crc >>> 0) !== want) {
    throw new FlashError(`verification failed: the board holds ${len} bytes with CRC-32 ${hex(crc >>> 0)}, the file is ${o.file.length} bytes with CRC-32 ${hex(want)}`);
  }
  return want;
}

/** Upload and verify; resolves with what was written, rejects with FlashError. */
export async function flashFile(o: FlashOptions): Promise<FlashResult> {
  const timeoutMs = o.timeoutMs ?? 3000;
  if (o.name.length === 0 || o.name.length > MAX_NAME) throw new FlashError(`Storage names are 1..${MAX_NAME} characters; "${o.name}" has ${o.name.length}`);
  if (o.file.length === 0) throw new FlashError("the file is empty");
  const link = await openBoard(o.port, o.baud ?? 115200, timeoutMs);
  let written = false;
  try {
    link.write("\n"); // end whatever half-typed line the REPL holds
    await link.waitFor(() => false, 50);
    const version = String(await ask(link, "process.env.VERSION", timeoutMs, "the version query"));
    o.onStep?.(`board: Espruino ${version} on ${o.port}`);
    const free = Number(await ask(link, `require("Storage").getFree()`, timeoutMs, "the free-space query"));
    const need = o.file.length + STORAGE_HEADER_BYTES;
    if (!Number.isFinite(free)) throw new FlashError(`the board did not report its free Storage`);
    if (need > free) throw new FlashError(`the file does not fit: it needs ${need} bytes of Storage (${o.file.length} + ${STORAGE_HEADER_BYTES} header), the board has ${free} free`);
    written = true;
    const chunks = await sendChunks(link, o, timeoutMs);
    const crc = await verify(link, o, timeoutMs);
    written = false;
    return { bytes: o.file.length, crc, version, free, chunks };
  } catch (e) {
    if (written && !link.closed) {
      try {
        await ask(link, `require("Storage").erase(${q(o.name)})`, timeoutMs, "erasing the partial file");
        if (e instanceof FlashError) e.message += `; the partial "${o.name}" was erased`;
      } catch {
        if (e instanceof FlashError) e.message += `; erasing the partial "${o.name}" failed too: erase it on the board`;
      }
    }
    throw e;
  } finally {
    await link.close();
  }
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}
