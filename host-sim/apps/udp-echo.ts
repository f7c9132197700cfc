/** Echo (RFC 862, UDP port 7): every datagram received goes back to its sender, unchanged. */
import type { Board } from "../board.js";
import type { Datagram } from "../stack.js";
import { type UdpReply, UdpServer } from "./udp-server.js";

export class UdpEchoServer extends UdpServer {
  readonly name = "udp-echo";
  /** Datagrams echoed. */
  echoed = 0;

  constructor(port = 7) { super(port); }

  protected answer(_board: Board, d: Datagram): UdpReply { return { to: d.from, port: d.port, data: d.data }; }

  protected sent(): void { this.echoed++; }
}
