/** Echo (RFC 862, UDP port 7): every datagram received goes back to its sender, unchanged. */
import type { Board, BoardApp } from "../board.js";

export class UdpEchoServer implements BoardApp {
  readonly name = "udp-echo";
  private sock = -1;
  /** Datagrams echoed. */
  echoed = 0;

  constructor(readonly port = 7) {}

  start(board: Board): void {
    this.sock = board.stack.udpBind(this.port);
  }

  service(board: Board): boolean {
    if (this.sock < 0) return false;
    let did = false;
    for (let d = board.stack.udpRecvfrom(this.sock); d; d = board.stack.udpRecvfrom(this.sock)) {
      // A reply that cannot go (no route yet, ARP pending) is lost like any datagram.
      try { board.stack.udpSendto(this.sock, d.from, d.port, d.data); this.echoed++; } catch { /* dropped */ }
      did = true;
    }
    if (did) board.kick();
    return did;
  }

  stop(board: Board): void {
    if (this.sock >= 0) board.stack.udpClose(this.sock);
    this.sock = -1;
  }
}
