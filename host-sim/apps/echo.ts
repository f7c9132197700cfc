/** Echo (RFC 862, TCP port 7): every byte received is sent back; closes after the peer does and the echo is out. */
import type { Board } from "../board.js";
import { type Conn, type ServerOptions, TcpServer } from "./server.js";

export class EchoServer extends TcpServer {
  readonly name = "echo";
  constructor(opts: ServerOptions = {}) { super(7, opts); }
  protected onData(_b: Board, c: Conn, data: Uint8Array): void { this.queue(c, data); }
}
