/**
 * A socket-like API over one Stack's tcp_* calls (docs/ABI.md): listen,
 * accept, connect, send, recv, close, abort and status, with the ABI's
 * error codes turned into EmberError exceptions except where a result is
 * ordinary (EAGAIN → null from accept/recv, end of stream → an empty
 * array). Each call is followed by `afterCall` (HostNet hosts re-poll the
 * stack there, since a call may have sent segments or armed timers).
 */
import { EmberError, ERRNO } from "./errors.js";
import type { Stack, Status } from "./stack.js";
import type { Host } from "./hostnet.js";

/** tcp_state numbers by RFC 9293 name. */
export const TCP_STATE = {
  CLOSED: 0, LISTEN: 1, SYN_SENT: 2, SYN_RECEIVED: 3, ESTABLISHED: 4, FIN_WAIT_1: 5, FIN_WAIT_2: 6,
  CLOSE_WAIT: 7, CLOSING: 8, LAST_ACK: 9, TIME_WAIT: 10,
} as const;
export type TcpStateName = keyof typeof TCP_STATE;
const STATE_NAMES = Object.keys(TCP_STATE) as TcpStateName[];

/** The RFC 9293 name of a state number. */
export function stateName(n: number): TcpStateName { return STATE_NAMES[n] ?? "CLOSED"; }

export class TcpSocket {
  constructor(readonly api: SocketApi, readonly handle: number) {}

  /** Queue bytes; how many the send ring took (may be fewer, or 0 when full). */
  send(data: Uint8Array): number {
    let total = 0;
    const room = this.api.stack.exports.net_scratch_size();
    while (total < data.length) {
      const n = this.api.call(() => this.api.stack.send(this.handle, data.subarray(total, total + room)));
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  /** Up to `max` bytes; an empty array at end of stream; null when nothing has arrived yet. */
  recv(max = 65536): Uint8Array | null {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (total < max) {
      const r = this.api.call(() => this.api.stack.recv(this.handle, Math.min(max - total, 1536)));
      if (r === null || r.length === 0) {
        if (total === 0) return r;
        break;
      }
      parts.push(r);
      total += r.length;
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }

  /** Graceful close (FIN after queued data); receiving continues. */
  close(): void { this.api.call(() => this.api.stack.close(this.handle)); }

  /** RST and free at once. */
  abort(): void { this.api.call(() => this.api.stack.abort(this.handle)); }

  /** STATUS record. */
  status(): Status { return this.api.stack.status(this.handle); }

  /** tcp_state number. */
  get state(): number { return this.api.stack.state(this.handle); }

  /** tcp_state name. */
  get stateName(): TcpStateName { return stateName(this.state); }

  /** tcp_poll flags. */
  poll(): ReturnType<Stack["pollConn"]> { return this.api.stack.pollConn(this.handle); }
}

export class TcpListener {
  constructor(readonly api: SocketApi, readonly handle: number) {}

  /** A connection whose handshake completed, or null. */
  accept(): TcpSocket | null {
    const h = this.api.call(() => this.api.stack.accept(this.handle));
    return h === null ? null : new TcpSocket(this.api, h);
  }

  close(): void { this.api.call(() => this.api.stack.close(this.handle)); }
}

export class SocketApi {
  /**
   * `beforeCall` runs before each call (e.g. a poll that brings the stack's
   * clock to now), `afterCall` after it (a poll for the timers the call
   * armed); both default to nothing.
   */
  constructor(readonly stack: Stack, readonly afterCall: () => void = () => {}, readonly beforeCall: () => void = () => {}) {}

  /** Socket API for a HostNet station: calls see the current virtual time and re-poll it. */
  static of(host: Host): SocketApi { return new SocketApi(host.stack, () => host.kick(), () => host.sync()); }

  call<T>(fn: () => T): T {
    this.beforeCall();
    try { return fn(); } finally { this.afterCall(); }
  }

  listen(port: number, backlog = 4): TcpListener {
    return new TcpListener(this, this.call(() => this.stack.listen(port, backlog)));
  }

  connect(ip: string | number, port: number): TcpSocket {
    return new TcpSocket(this, this.call(() => this.stack.connect(ip, port)));
  }
}

/** True when `e` is the EmberError for the ABI error `name`. */
export function isErrno(e: unknown, name: keyof typeof ERRNO): boolean {
  return e instanceof EmberError && e.code === ERRNO[name];
}
