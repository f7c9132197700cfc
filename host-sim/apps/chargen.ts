/**
 * Character generator (RFC 864, TCP port 19), the board's data source: sends
 * the RFC's rotating pattern — lines of 72 printable ASCII characters (the
 * 95 from '!' to '~', each line starting one further on) ended by CR LF —
 * for as long as the peer reads, discards what it receives, and closes once
 * the peer has closed.
 */
import type { Board } from "../board.js";
import { type Conn, type ServerOptions, TcpServer } from "./server.js";

export const CHARGEN_LINE = 72;
const PRINTABLE = 95;
/** Lines per refill: 20 * 74 = 1480 bytes, about one full segment. */
const LINES_PER_CHUNK = 20;

/** `lines` chargen lines starting at line number `first`. */
export function chargenLines(first: number, lines: number): Uint8Array {
  const out = new Uint8Array(lines * (CHARGEN_LINE + 2));
  let o = 0;
  for (let l = first; l < first + lines; l++) {
    const start = l % PRINTABLE;
    for (let i = 0; i < CHARGEN_LINE; i++) out[o++] = 33 + ((start + i) % PRINTABLE);
    out[o++] = 13;
    out[o++] = 10;
  }
  return out;
}

/** The first `n` bytes of a chargen stream (what a client that reads n bytes must see). */
export function chargenStream(n: number): Uint8Array {
  const lineBytes = CHARGEN_LINE + 2;
  return chargenLines(0, Math.ceil(n / lineBytes)).subarray(0, n);
}

export class ChargenServer extends TcpServer {
  readonly name = "chargen";
  constructor(opts: ServerOptions = {}) { super(19, opts); }
  protected onData(): void {}
  protected onPeerClosed(_b: Board, c: Conn): void {
    // Stop generating: drop what is queued and close.
    c.out = [];
    c.outBytes = 0;
    c.closeWhenDrained = true;
  }
  protected refill(_b: Board, c: Conn): void {
    const line = (c.app.line as number | undefined) ?? 0;
    this.queue(c, chargenLines(line, LINES_PER_CHUNK));
    c.app.line = line + LINES_PER_CHUNK;
  }
}
