/**
 * A TCP server that runs on a board through the socket API (socket.ts over
 * the ABI's tcp_listen, tcp_accept, tcp_poll, tcp_recv, tcp_send, tcp_close,
 * tcp_abort; each call kicks the board to poll): the loop every app shares. A subclass says what to do with
 * received bytes (`onData`), what to send when the queue runs dry (`refill`)
 * and when it is done (`finish`).
 *
 * Per service turn, for each connection: read while readable (unless the
 * output queue is over its limit, which is how an echo server pushes back:
 * the receive window closes), send from the queue until the send ring is
 * full, and close when the subclass is done and the queue is empty. A
 * connection that fails (reset, timeout, stale handle) is freed with
 * tcp_close and forgotten; one idle longer than `idleMs` is aborted. The
 * listener turns keep-alives on for its connections (tcp_option), so a
 * peer that vanished without a FIN is found and its TCB freed even when
 * the app-level idle timeout is long (docs/TCP.md "Idle peers").
 */

import type { Board, BoardApp } from "../board.js";
import { EmberError } from "../errors.js";
import { SocketApi, type TcpListener, type TcpSocket } from "../socket.js";
import { ipToString } from "../stack.js";

/** Per-connection state kept by the host (the TCB lives in the module). */
export interface Conn {
  readonly sock: TcpSocket;
  /** "ip:port" of the client. */
  readonly peer: string;
  /** Bytes queued for tcp_send, oldest first. */
  out: Uint8Array[];
  outBytes: number;
  /** The peer sent FIN (tcp_recv returned 0). */
  peerClosed: boolean;
  /** The app wants the connection closed once `out` is drained. */
  closeWhenDrained: boolean;
  closed: boolean;
  bytesIn: number;
  bytesOut: number;
  lastActive: number;
  /** Free-form per-app state. */
  app: Record<string, unknown>;
}

/** Keep-alive settings an app's listener gives its connections (tcp_option, RFC 1122 §4.2.3.6). */
export interface KeepAliveOptions {
  /** Silence before the first probe. */
  idleMs: number;
  /** Between unanswered probes. */
  intervalMs: number;
  /** Unanswered probes before the module fails the connection (ETIMEDOUT). */
  count: number;
}

/** Apps probe a silent peer after 30 s, three times 5 s apart: a vanished client frees its TCB within 45 s. */
export const APP_KEEPALIVE: KeepAliveOptions = { idleMs: 30_000, intervalMs: 5_000, count: 3 };

export interface ServerOptions {
  port?: number;
  backlog?: number;
  /** Abort a connection with no traffic for this long (default 60 s). */
  idleMs?: number;
  /** Keep-alives for the connections (default APP_KEEPALIVE); false: none. */
  keepAlive?: KeepAliveOptions | false;
  /** Stop reading while more than this many bytes wait to be sent (default 16 KiB). */
  maxQueued?: number;
}

const READ_CHUNK = 1460;

export abstract class TcpServer implements BoardApp {
  abstract readonly name: string;
  readonly port: number;
  readonly backlog: number;
  listener: TcpListener | null = null;
  readonly conns = new Set<Conn>();
  /** Connections accepted, finished (closed by us or the peer), failed. */
  accepted = 0;
  finished = 0;
  failed = 0;
  protected readonly idleMs: number;
  protected readonly maxQueued: number;
  protected readonly keepAlive: KeepAliveOptions | false;

  constructor(defaultPort: number, opts: ServerOptions = {}) {
    this.port = opts.port ?? defaultPort;
    this.backlog = opts.backlog ?? 4;
    this.idleMs = opts.idleMs ?? 60_000;
    this.keepAlive = opts.keepAlive ?? APP_KEEPALIVE;
    this.maxQueued = opts.maxQueued ?? 16 * 1024;
  }

  /** Bytes received on `c`. */
  protected abstract onData(board: Board, c: Conn, data: Uint8Array): void;
  /** The send queue of `c` is empty and the ring has room: queue more (optional). */
  protected refill(_board: Board, _c: Conn): void {}
  /** The peer closed its side; default: close ours once the queue drains. */
  protected onPeerClosed(_board: Board, c: Conn): void { c.closeWhenDrained = true; }

  start(board: Board): void {
    try {
      this.listener = new SocketApi(board.stack, () => board.kick()).listen(this.port, this.backlog);
      // Set on the listener, the options go to every connection it accepts.
      const ka = this.keepAlive;
      if (ka) {
        const h = this.listener.handle;
        board.stack.tcpOption(h, "keepidle_ms", ka.idleMs);
        board.stack.tcpOption(h, "keepintvl_ms", ka.intervalMs);
        board.stack.tcpOption(h, "keepcnt", ka.count);
        board.stack.tcpOption(h, "keepalive", 1);
      }
      board.event("app", `${this.name} listening on port ${this.port}${ka ? `, keep-alive after ${ka.idleMs / 1000} s` : ""}`);
    } catch (e) {
      board.event("error", `${this.name}: cannot listen on port ${this.port}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  stop(_board: Board): void {
    for (const c of this.conns) this.tryCall(() => c.sock.abort());
    this.conns.clear();
    const l = this.listener;
    if (l) this.tryCall(() => l.close());
    this.listener = null;
  }

  /** Queue bytes on a connection. */
  protected queue(c: Conn, data: Uint8Array): void {
    if (data.length === 0) return;
    c.out.push(data);
    c.outBytes += data.length;
  }

  service(board: Board): boolean {
    const l = this.listener;
    if (!l) return false;
    let worked = false;
    const now = board.clock.now();
    for (;;) {
      let sock: TcpSocket | null;
      try { sock = l.accept(); } catch { break; }
      if (sock === null) break;
      this.accepted++;
      let peer = "?";
      try { const st = sock.status(); peer = `${ipToString(st.remote_ip)}:${st.remote_port}`; } catch { /* gone already */ }
      board.event("conn", `${this.name} ${ipToString(board.ip)}:${this.port} accepted ${peer}`);
      this.conns.add({ peer, sock, out: [], outBytes: 0, peerClosed: false, closeWhenDrained: false, closed: false, bytesIn: 0, bytesOut: 0, lastActive: now, app: {} });
      worked = true;
    }
    for (const c of this.conns) {
      try {
        if (this.serviceConn(board, c, now)) worked = true;
      } catch (e) {
        if (!(e instanceof EmberError)) throw e;
        // Reset, timed out or stale: free the TCB if it is still ours and forget it.
        // After our own close a stale handle just means the module finished the close.
        if (c.closed) this.finished++; else this.failed++;
        board.event("conn", `${this.name} ${c.peer} ${c.closed ? "closed" : `failed (${e.message})`}, ${c.bytesIn} bytes in, ${c.bytesOut} out`);
        this.tryCall(() => c.sock.close());
        this.conns.delete(c);
        worked = true;
      }
    }
    return worked;
  }

  private serviceConn(board: Board, c: Conn, now: number): boolean {
    const sock = c.sock;
    let worked = false;
    const f = sock.poll();
    if (f.error) throw new EmberError("tcp_poll", -5);
    // Read unless the output queue says the peer is not reading what we send.
    while (!c.peerClosed && c.outBytes < this.maxQueued) {
      const d = sock.recv(READ_CHUNK);
      if (d === null) break;
      worked = true;
      c.lastActive = now;
      if (d.length === 0) { c.peerClosed = true; this.onPeerClosed(board, c); break; }
      c.bytesIn += d.length;
      this.onData(board, c, d);
    }
    if (!c.closed && f.established) {
      for (let round = 0; round < 64; round++) {
        if (c.out.length === 0 && !c.closeWhenDrained) this.refill(board, c);
        if (c.out.length === 0) break;
        const head = c.out[0];
        const n = sock.send(head);
        if (n === 0) break;
        worked = true;
        c.lastActive = now;
        c.bytesOut += n;
        c.outBytes -= n;
        if (n === head.length) c.out.shift();
        else c.out[0] = head.subarray(n);
      }
    }
    if (!c.closed && c.closeWhenDrained && c.out.length === 0) {
      sock.close();
      c.closed = true;
      worked = true;
    }
    // After our FIN the module finishes the close on its own; the handle is ours
    // only until the peer has closed too.
    if (c.closed && c.peerClosed) {
      this.finished++;
      this.conns.delete(c);
      board.event("conn", `${this.name} ${c.peer} closed, ${c.bytesIn} bytes in, ${c.bytesOut} out`);
      return worked;
    }
    if (now - c.lastActive > this.idleMs) {
      board.event("conn", `${this.name} ${c.peer}: aborted, idle for ${Math.round((now - c.lastActive) / 1000)} s`);
      sock.abort();
      this.failed++;
      this.conns.delete(c);
      worked = true;
    }
    return worked;
  }

  /** The earliest idle deadline, so a quiet board still wakes to enforce it. */
  wakeAt(): number | undefined {
    let t: number | undefined;
    for (const c of this.conns) {
      const d = c.lastActive + this.idleMs + 1;
      if (t === undefined || d < t) t = d;
    }
    return t;
  }

  private tryCall(fn: () => void): void {
    try { fn(); } catch { /* already gone */ }
  }
}
