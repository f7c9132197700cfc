/**
 * A TCP client that runs on a board through the socket API: connects to
 * `ip:port`, sends `send` bytes (a buffer, or a byte count of a generated
 * pattern), half-closes when done if asked, and reads until the peer closes
 * (keeping the bytes, or only counting and hashing them). The demo, the app
 * tests and the benches use it as the board-side peer.
 */
import { createHash, type Hash } from "node:crypto";
import type { Board, BoardApp } from "../board.js";
import { EmberError, errorName } from "../errors.js";
import { SocketApi, type TcpSocket } from "../socket.js";

export interface ClientOptions {
  ip: string | number;
  port: number;
  /** Bytes to send, or how many pattern bytes to send (default nothing). */
  send?: Uint8Array | number;
  /** Close our side once everything is sent (default true). */
  closeAfterSend?: boolean;
  /** Keep received bytes in `received` (default true; false only counts and hashes). */
  keep?: boolean;
  /** Stop reading after this many bytes and close (default: read to the end). */
  readLimit?: number;
}

/** Pattern byte i of a generated send. */
export function patternByte(i: number): number {
  return (i * 31 + (i >>> 8) * 7 + 13) & 0xff;
}

export class TcpClient implements BoardApp {
  readonly name = "client";
  sock: TcpSocket | null = null;
  /** Bytes received so far (when keep). */
  readonly chunks: Uint8Array[] = [];
  bytesIn = 0;
  bytesOut = 0;
  connectedAt = -1;
  doneAt = -1;
  error: string | null = null;
  private readonly hash: Hash = createHash("sha256");
  private pending: Uint8Array | null = null;
  protected sentClose = false;
  private peerClosed = false;
  private readonly total: number;

  constructor(readonly opts: ClientOptions) {
    this.total = typeof opts.send === "number" ? opts.send : opts.send?.length ?? 0;
  }

  get done(): boolean { return this.doneAt >= 0 || this.error !== null; }

  /** Everything received, as one array. */
  get received(): Uint8Array { return Buffer.concat(this.chunks); }

  /** SHA-256 (hex) of what was received; call once, after done. */
  digest(): string { return this.hash.digest("hex"); }

  start(board: Board): void {
    try {
      this.sock = new SocketApi(board.stack, () => board.kick()).connect(this.opts.ip, this.opts.port);
    } catch (e) {
      this.error = e instanceof EmberError ? `connect: ${errorName(e.code)}` : String(e);
    }
  }

  stop(): void {
    try { this.sock?.abort(); } catch { /* gone */ }
  }

  service(board: Board): boolean {
    const s = this.sock;
    if (!s || this.done) return false;
    let worked = false;
    try {
      const f = s.poll();
      if (f.established && this.connectedAt < 0) { this.connectedAt = board.clock.now(); worked = true; }
      if (f.error && !f.readable) throw new EmberError("tcp_poll", -5);
      while (!this.peerClosed) {
        const d = s.recv(8192);
        if (d === null) break;
        worked = true;
        if (d.length === 0) { this.peerClosed = true; break; }
        this.bytesIn += d.length;
        this.hash.update(d);
        if (this.opts.keep ?? true) this.chunks.push(d);
        if (this.opts.readLimit !== undefined && this.bytesIn >= this.opts.readLimit) { this.peerClosed = true; break; }
      }
      if (this.connectedAt >= 0 && !this.sentClose) {
        while (this.bytesOut < this.total) {
          if (!this.pending) this.pending = this.nextChunk();
          const n = s.send(this.pending);
          if (n === 0) break;
          worked = true;
          this.bytesOut += n;
          this.pending = n === this.pending.length ? null : this.pending.subarray(n);
        }
        const finished = this.bytesOut >= this.total;
        if ((finished && (this.opts.closeAfterSend ?? true)) || (this.peerClosed && finished)) {
          s.close();
          this.sentClose = true;
          worked = true;
        }
      }
      if (this.peerClosed && this.sentClose) { this.doneAt = board.clock.now(); worked = true; }
    } catch (e) {
      this.error = e instanceof EmberError ? `${e.call}: ${errorName(e.code)}` : String(e);
      try { s.close(); } catch { /* already freed */ }
      worked = true;
    }
    return worked;
  }

  private nextChunk(): Uint8Array {
    const src = this.opts.send;
    const n = Math.min(4096, this.total - this.bytesOut);
    if (src instanceof Uint8Array) return src.subarray(this.bytesOut, this.bytesOut + n);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = patternByte(this.bytesOut + i);
    return out;
  }
}
