/** Discard (RFC 863, TCP port 9): reads and throws away everything; closes after the peer does. */
import type { Board } from "../board.js";
import { type Conn, type ServerOptions, TcpServer } from "./server.js";

export class DiscardServer extends TcpServer {
  readonly name = "discard";
  /** Bytes discarded over all connections. */
  discarded = 0;
  constructor(opts: ServerOptions = {}) { super(9, opts); }
  protected onData(_b: Board, _c: Conn, data: Uint8Array): void { this.discarded += data.length; }
}
