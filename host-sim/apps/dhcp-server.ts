/**
 * A small DHCP server (RFC 2131 §4.3) that runs on a board through the UDP
 * calls of the ABI, for the demo and for tests that need a server inside
 * the simulation: a pool of consecutive addresses, one lease per client
 * hardware address, OFFER for DISCOVER, ACK or NAK for REQUEST, replies
 * broadcast to port 68 (RFC 2131 §4.1: the client has no address yet).
 * Messages it cannot read are ignored; it never throws on wire data.
 */
import type { Board } from "../board.js";
import type { Datagram } from "../stack.js";
import { type UdpReply, UdpServer } from "./udp-server.js";
import { ipToNumber, ipToString } from "../stack.js";

export interface DhcpServerOptions {
  /** First address handed out. */
  poolStart: string;
  /** How many addresses (default 16). */
  poolSize?: number;
  netmask?: string;
  /** Router option (default: the server itself). */
  router?: string;
  /** DNS servers (option 6), none by default. */
  dns?: string[];
  /** Lease seconds (default 3600). */
  leaseS?: number;
}

const MAGIC = 0x63825363;

/** Options of a client message: code → value bytes; null when malformed. */
function readOptions(m: Uint8Array): Map<number, Uint8Array> | null {
  if (m.length < 240 || m[0] !== 1 || m[1] !== 1 || m[2] !== 6) return null;
  if (new DataView(m.buffer, m.byteOffset).getUint32(236) !== MAGIC) return null;
  const out = new Map<number, Uint8Array>();
  for (let i = 240; i < m.length;) {
    const c = m[i];
    if (c === 255) return out;
    if (c === 0) { i++; continue; }
    if (i + 2 > m.length || i + 2 + m[i + 1] > m.length) return null;
    out.set(c, m.subarray(i + 2, i + 2 + m[i + 1]));
    i += 2 + m[i + 1];
  }
  return null;
}

const addr = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

export class DhcpServer extends UdpServer {
  readonly name = "dhcp-server";
  private readonly leases = new Map<string, number>();
  private readonly o: Required<DhcpServerOptions>;
  /** Leases granted (ACKs sent). */
  acks = 0;

  constructor(o: DhcpServerOptions) {
    super(67);
    this.o = { poolSize: 16, netmask: "255.255.255.0", router: "", dns: [], leaseS: 3600, ...o };
  }

  /** DISCOVER → OFFER, REQUEST → ACK or NAK, broadcast to the client port (RFC 2131 §4.1); anything else: no answer. */
  protected answer(board: Board, d: Datagram): UdpReply | null {
    const opts = readOptions(d.data);
    const type = opts?.get(53)?.[0];
    if (!opts || (type !== 1 && type !== 3)) return null;
    const reply = type === 1 ? this.offer(board, d.data) : this.request(board, d.data, opts);
    return reply ? { to: "255.255.255.255", port: 68, data: reply } : null;
  }

  /** The client's address: its lease, else the next free one of the pool; 0 when the pool is used up. */
  private addressFor(mac: string): number {
    const had = this.leases.get(mac);
    if (had !== undefined) return had;
    const start = ipToNumber(this.o.poolStart);
    const used = new Set(this.leases.values());
    for (let i = 0; i < this.o.poolSize; i++) {
      if (!used.has(start + i)) { this.leases.set(mac, start + i); return start + i; }
    }
    return 0;
  }

  private offer(board: Board, m: Uint8Array): Uint8Array | null {
    const a = this.addressFor(macOf(m));
    return a === 0 ? null : this.build(board, m, 2, a);
  }

  private request(board: Board, m: Uint8Array, opts: Map<number, Uint8Array>): Uint8Array | null {
    const server = u32(opts.get(54));
    if (server !== undefined && server !== ipToNumber(board.stack.netAddr().ip)) return null; // the client chose another server
    const want = u32(opts.get(50)) ?? new DataView(m.buffer, m.byteOffset).getUint32(12);
    const lease = this.leases.get(macOf(m));
    if (lease === undefined || lease !== want) return this.build(board, m, 6, 0);
    this.acks++;
    board.event("app", `dhcp-server: ${ipToString(lease)} leased to ${macOf(m)}${opts.get(12) ? ` (${new TextDecoder().decode(opts.get(12))})` : ""}`);
    return this.build(board, m, 5, lease);
  }

  /** A reply of `type` to client message `m`, offering `yiaddr`. */
  private build(board: Board, m: Uint8Array, type: number, yiaddr: number): Uint8Array {
    const self = ipToNumber(board.stack.netAddr().ip);
    const opts = [53, 1, type, 54, 4, ...addr(self)];
    if (type !== 6) {
      const lease = this.o.leaseS;
      opts.push(51, 4, ...addr(lease), 1, 4, ...addr(ipToNumber(this.o.netmask)), 3, 4, ...addr(this.o.router ? ipToNumber(this.o.router) : self));
      if (this.o.dns.length) opts.push(6, 4 * this.o.dns.length, ...this.o.dns.flatMap((d) => addr(ipToNumber(d))));
    }
    opts.push(255);
    const r = new Uint8Array(Math.max(300, 240 + opts.length));
    const v = new DataView(r.buffer);
    r[0] = 2; r[1] = 1; r[2] = 6;
    r.set(m.subarray(4, 8), 4); // xid
    v.setUint32(16, yiaddr);
    v.setUint32(20, self);
    r.set(m.subarray(28, 44), 28); // chaddr
    v.setUint32(236, MAGIC);
    r.set(opts, 240);
    return r;
  }
}

/** A 4-byte option as a number. */
function u32(v: Uint8Array | undefined): number | undefined {
  return v && v.length === 4 ? new DataView(v.buffer, v.byteOffset).getUint32(0) : undefined;
}

/** The client hardware address of a message, as text. */
function macOf(m: Uint8Array): string {
  return [...m.subarray(28, 34)].map((b) => b.toString(16).padStart(2, "0")).join(":");
}
