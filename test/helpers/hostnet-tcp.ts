/**
 * Helpers for TCP tests on a HostNet: two (or more) stations, a connected
 * pair of sockets, bulk transfer with SHA-256 comparison and the ABI
 * counters. Every helper makes a fresh network: tests share nothing.
 */
import { createHash } from "node:crypto";
import { HostNet, type Host, type HostOptions, type HostNetOptions, prng } from "../../host-sim/hostnet.js";
import { SocketApi, TcpSocket, TcpListener, TCP_STATE } from "../../host-sim/socket.js";

export { TCP_STATE };

export interface Pair {
  net: HostNet;
  a: Host;
  b: Host;
  apiA: SocketApi;
  apiB: SocketApi;
}

/** Two stations on a fresh network: a = 10.0.0.1, b = 10.0.0.2. */
export function pair(opts: { a?: HostOptions; b?: HostOptions; net?: HostNetOptions } = {}): Pair {
  const net = new HostNet(opts.net);
  const a = net.add({ name: "a", ...opts.a });
  const b = net.add({ name: "b", ...opts.b });
  // Let ARP announcements settle so tests start from a quiet wire.
  net.run(1);
  return { net, a, b, apiA: SocketApi.of(a), apiB: SocketApi.of(b) };
}

export interface Connected extends Pair {
  /** The client socket on a. */
  client: TcpSocket;
  /** The accepted socket on b. */
  server: TcpSocket;
  listener: TcpListener;
}

/** A connection from a to b:port, established on both ends. */
export function connected(opts: Parameters<typeof pair>[0] & { port?: number } = {}): Connected {
  const p = pair(opts);
  const port = opts.port ?? 80;
  const listener = p.apiB.listen(port);
  const client = p.apiA.connect(p.b.ip, port);
  let server: TcpSocket | null = null;
  const ok = p.net.runUntil(() => {
    server ??= listener.accept();
    return server !== null && client.state === TCP_STATE.ESTABLISHED;
  }, 60_000);
  if (!ok || !server) throw new Error("handshake did not complete");
  return { ...p, client, server, listener };
}

/** Deterministic pseudo-random bytes. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const v = Math.floor(r() * 4294967296);
    out[i] = v; out[i + 1] = v >>> 8; out[i + 2] = v >>> 16; out[i + 3] = v >>> 24;
  }
  return out;
}

export function sha256(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/** One direction of a bulk transfer: feeds the send ring and drains the peer's receive ring. */
export class Transfer {
  sent = 0;
  private chunks: Uint8Array[] = [];
  received = 0;
  eof = false;
  closed = false;

  constructor(readonly from: TcpSocket, readonly to: TcpSocket, readonly data: Uint8Array, readonly closeWhenDone = true) {}

  /** Move what can move now; true once everything arrived (and EOF, if closing). */
  pump(): boolean {
    if (this.sent < this.data.length) {
      this.sent += this.from.send(this.data.subarray(this.sent, Math.min(this.data.length, this.sent + 65536)));
    }
    if (this.sent === this.data.length && this.closeWhenDone && !this.closed) {
      this.from.close();
      this.closed = true;
    }
    for (;;) {
      if (this.eof) break;
      const r = this.to.recv(65536);
      if (r === null) break;
      if (r.length === 0) { this.eof = true; break; }
      this.chunks.push(r);
      this.received += r.length;
    }
    return this.received === this.data.length && (!this.closeWhenDone || this.eof);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.received);
    let o = 0;
    for (const c of this.chunks) { out.set(c, o); o += c.length; }
    return out;
  }
}

/**
 * Run the network, pumping the transfers at every instant, until all are
 * done or `maxMs` of virtual time passed. Returns whether all finished.
 */
export function runTransfers(net: HostNet, transfers: Transfer[], maxMs = 3_600_000): boolean {
  return net.runUntil(() => {
    let all = true;
    for (const t of transfers) if (!t.pump()) all = false;
    return all;
  }, maxMs);
}
