/**
 * Discard (RFC 863, TCP port 9): reads and throws away everything; closes
 * after the peer does. It keeps the SHA-256 of each finished connection's
 * bytes so a test can compare what arrived with what was sent.
 */
import { createHash, type Hash } from "node:crypto";
import type { Board } from "../board.js";
import { type Conn, type ServerOptions, TcpServer } from "./server.js";

export class DiscardServer extends TcpServer {
  readonly name = "discard";
  /** Bytes discarded over all connections. */
  discarded = 0;
  /** Byte count and SHA-256 (hex) of each connection whose peer has closed, in order. */
  readonly digests: Array<{ bytes: number; sha256: string }> = [];
  constructor(opts: ServerOptions = {}) { super(9, opts); }
  protected onData(_b: Board, c: Conn, data: Uint8Array): void {
    this.discarded += data.length;
    const h = (c.app.hash as Hash | undefined) ?? (c.app.hash = createHash("sha256"));
    h.update(data);
  }
  protected onPeerClosed(b: Board, c: Conn): void {
    const h = (c.app.hash as Hash | undefined) ?? createHash("sha256");
    this.digests.push({ bytes: c.bytesIn, sha256: h.digest("hex") });
    super.onPeerClosed(b, c);
  }
}
