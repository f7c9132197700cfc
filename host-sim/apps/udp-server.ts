/**
 * A UDP service on a board: one socket bound at start, closed at stop, and
 * per service turn every waiting datagram handed to the subclass, whose
 * answer (if any) goes out at once. A reply that cannot go (no route yet,
 * ARP pending, the link refused it) is lost like any datagram: the client's
 * own retransmission is what UDP services rely on.
 */
import type { Board, BoardApp } from "../board.js";
import type { Datagram } from "../stack.js";

/** Where an answer goes and what it carries. */
export interface UdpReply {
  to: string | number;
  port: number;
  data: Uint8Array;
}

export abstract class UdpServer implements BoardApp {
  abstract readonly name: string;
  private sock = -1;

  constructor(readonly port: number) {}

  /** The answer to datagram `d`, or null for none. */
  protected abstract answer(board: Board, d: Datagram): UdpReply | null;
  /** The answer went out (counters of the subclass). */
  protected sent(_reply: UdpReply): void {}

  start(board: Board): void { this.sock = board.stack.udpBind(this.port); }

  stop(board: Board): void {
    if (this.sock >= 0) board.stack.udpClose(this.sock);
    this.sock = -1;
  }

  service(board: Board): boolean {
    if (this.sock < 0) return false;
    let did = false;
    for (let d = board.stack.udpRecvfrom(this.sock); d; d = board.stack.udpRecvfrom(this.sock)) {
      did = true;
      const reply = this.answer(board, d);
      if (!reply) continue;
      try {
        board.stack.udpSendto(this.sock, reply.to, reply.port, reply.data);
        this.sent(reply);
      } catch { /* lost like any datagram */ }
    }
    if (did) board.kick();
    return did;
  }
}
