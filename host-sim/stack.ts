/**
 * A typed wrapper over one instance of embertcp.wasm: loads the module,
 * supplies the `hal` imports and speaks the ABI of docs/ABI.md. One Stack
 * per instance; instances share nothing but the compiled module.
 *
 * The host-frames link (link 0): `input(frame)` hands a received Ethernet
 * frame in; frames the stack sends go to `onFrame` when it is set, and are
 * kept in `sent` (for `takeSent`) only when it is not, so a long-running
 * host that forwards frames holds none of them.
 * Errors come back as EmberError exceptions naming the ABI error.
 */
import { readFileSync } from "node:fs";
import { buildPath } from "./paths.js";
import { check, EmberError, ERRNO } from "./errors.js";
import {
  CONFIG_KEYS, type ConfigName, LIST_FIELDS, POLL_FLAGS, STAT_NAMES, type StatName, STATUS_FIELDS,
  type StatusFieldName, TCP_OPTION_KEYS, type TcpOptionName,
} from "./abi-tables.js";

export { EmberError } from "./errors.js";

/** What the SPI pins are wired to (the ENC28J60 model, or nothing). */
export interface SpiDevice {
  select(active: boolean): void;
  /** Full duplex: replace `bytes` in place with what the device clocked out. */
  transfer(bytes: Uint8Array): void;
}

export interface StackOptions {
  /** A compiled module, or a path to a .wasm file; default build/embertcp.wasm. */
  module?: WebAssembly.Module | string;
  /** Seed for the deterministic `hal.entropy` stream (default 1). Ignored if `entropy` is given. */
  seed?: number;
  /** Source of `hal.entropy` values. */
  entropy?: () => number;
  /** Receives `hal.log` lines. */
  log?: (level: number, line: string) => void;
  /** The SPI device for link 1; absent = nothing on the bus (MISO reads FFh). */
  spi?: SpiDevice;
  /** Extra imports (e.g. `env.memory` for the imported-memory build). */
  imports?: WebAssembly.Imports;
  /** Keep sent host-link frames in `sent` while no `onFrame` takes them (default true; a long-running board turns it off). */
  keepSent?: boolean;
}

export interface InitOptions {
  /** 0 host frames (default), 1 ENC28J60. */
  link?: 0 | 1;
  /** "02:00:00:00:00:01" or 6 bytes. */
  mac: string | Uint8Array;
  /** "10.0.0.2" or a number; 0 (with no netmask and gateway) starts the DHCP client. */
  ip: string | number;
  netmask?: string | number;
  gateway?: string | number;
}

export type Status = Record<StatusFieldName, number>;

export interface ListEntry {
  /** Connection or listener handle; -1 for a half-open SYN-queue entry or a connection the host has closed (tcp_close). */
  handle: number;
  state: number;
  localIp: number;
  localPort: number;
  remoteIp: number;
  remotePort: number;
}

interface Exports {
  memory: WebAssembly.Memory;
  net_init(link: number, mac: number, ip: number, mask: number, gw: number): number;
  net_poll(now: number): number;
  net_input(ptr: number, len: number): number;
  net_scratch(): number;
  net_scratch_size(): number;
  net_config(key: number, value: number): number;
  net_stats(out: number): number;
  tcp_listen(port: number, backlog: number): number;
  tcp_accept(l: number): number;
  tcp_connect(ip: number, port: number): number;
  tcp_send(c: number, ptr: number, len: number): number;
  tcp_recv(c: number, ptr: number, len: number): number;
  tcp_close(c: number): number;
  tcp_abort(c: number): number;
  tcp_poll(c: number): number;
  tcp_state(c: number): number;
  tcp_status(c: number, out: number): number;
  tcp_list(out: number, max: number): number;
  tcp_option(c: number, key: number, value: number): number;
  // Present unless the build left the part out (docs/EMBEDDING.md).
  udp_bind?(port: number): number;
  udp_sendto?(sock: number, ip: number, port: number, ptr: number, len: number): number;
  udp_recvfrom?(sock: number, ptr: number, len: number, meta: number): number;
  udp_close?(sock: number): number;
  udp_port?(sock: number): number;
  net_addr?(out: number): number;
  net_hostname?(ptr: number, len: number): number;
  dns_server?(index: number, ip: number): number;
  dns_query?(ptr: number, len: number): number;
  dns_result?(q: number, out: number): number;
}

/** A datagram from udp_recvfrom. */
export interface Datagram {
  data: Uint8Array;
  /** Source address as a dotted quad, source port, and the datagram's full length (data may be shorter). */
  from: string;
  port: number;
  length: number;
}

/** net_addr's record; dhcpState as docs/ABI.md numbers it. */
export interface NetAddr {
  ip: string; netmask: string; gateway: string; dns1: string; dns2: string;
  dhcpState: number; leaseLeft: number; server: string;
}

export { DHCP_STATES } from "./abi-tables.js";

const moduleCache = new Map<string, WebAssembly.Module>();

/** Compile (once per path) and return a module. */
export function loadModule(path = buildPath("embertcp.wasm")): WebAssembly.Module {
  let m = moduleCache.get(path);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(path));
    moduleCache.set(path, m);
  }
  return m;
}

/** Dotted quad or number → the ABI's u32. */
export function ipToNumber(ip: string | number): number {
  if (typeof ip === "number") return ip >>> 0;
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`bad IPv4 address: ${ip}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** u32 → dotted quad. */
export function ipToString(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** "aa:bb:..." → 6 bytes. */
export function macToBytes(mac: string | Uint8Array): Uint8Array {
  if (typeof mac !== "string") return mac;
  const b = mac.split(/[:-]/).map((h) => parseInt(h, 16));
  if (b.length !== 6 || b.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad MAC address: ${mac}`);
  return Uint8Array.from(b);
}

/** A small deterministic PRNG (xorshift32) for hal.entropy in tests. */
export function seededEntropy(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

const STATUS_BYTES = STATUS_FIELDS.length * 4;
const LIST_BYTES = LIST_FIELDS.length * 4;

export class Stack {
  readonly instance: WebAssembly.Instance;
  readonly exports: Exports;
  /** Frames sent on the host-frames link while `onFrame` is unset, oldest first; `takeSent` drains it. */
  readonly sent: Uint8Array[] = [];
  /** Called for each frame sent on the host-frames link (such frames are not kept in `sent`). */
  onFrame: ((frame: Uint8Array) => void) | null = null;
  /** Log lines, kept when no `log` option is given. */
  readonly logs: string[] = [];
  private readonly decoder = new TextDecoder();

  constructor(opts: StackOptions = {}) {
    const mod = opts.module instanceof WebAssembly.Module ? opts.module : loadModule(opts.module);
    const entropy = opts.entropy ?? seededEntropy(opts.seed ?? 1);
    const spi = opts.spi;
    const keep = opts.keepSent ?? true;
    const hal = {
      spi_select: (active: number) => spi?.select(active !== 0),
      spi_transfer: (ptr: number, len: number) => {
        const bytes = new Uint8Array(this.exports.memory.buffer, ptr, len);
        if (spi) spi.transfer(bytes);
        else bytes.fill(0xff); // nothing on the bus: MISO floats high
      },
      frame_out: (ptr: number, len: number) => {
        const frame = new Uint8Array(this.exports.memory.buffer, ptr, len).slice();
        if (this.onFrame) this.onFrame(frame);
        else if (keep) this.sent.push(frame);
      },
      entropy: () => entropy() | 0,
      log: (level: number, ptr: number, len: number) => {
        const line = this.decoder.decode(new Uint8Array(this.exports.memory.buffer, ptr, len));
        if (opts.log) opts.log(level, line);
        else this.logs.push(line);
      },
    };
    this.instance = new WebAssembly.Instance(mod, { ...opts.imports, hal });
    this.exports = this.instance.exports as unknown as Exports;
  }

  /** The module's linear memory as bytes (re-read after any call: it is fixed, but views are cheap). */
  get memory(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer);
  }

  /**
   * Copy `data` into net_scratch at `offset` and return its address. The
   * scratch buffer is followed by the module's statics (the net_config
   * table among them), so a copy that would pass its end throws instead of
   * overwriting them.
   */
  writeScratch(data: Uint8Array, offset = 0): number {
    const size = this.exports.net_scratch_size();
    if (!Number.isInteger(offset) || offset < 0 || offset + data.length > size) {
      throw new RangeError(`copy of ${data.length} bytes at scratch offset ${offset} passes the end of net_scratch (${size} bytes)`);
    }
    const p = this.exports.net_scratch() + offset;
    this.memory.set(data, p);
    return p;
  }

  /** net_init. Throws EmberError (EINVAL, ENODEV). */
  init(o: InitOptions): void {
    const p = this.writeScratch(macToBytes(o.mac));
    const ip = ipToNumber(o.ip);
    const mask = ip === 0 ? 0 : ipToNumber(o.netmask ?? "255.255.255.0");
    check("net_init", this.exports.net_init(o.link ?? 0, p, ip, mask, ip === 0 ? 0 : ipToNumber(o.gateway ?? 0)));
  }

  /** net_poll: ms until the next deadline, or -1. Throws EmberError on ENODEV. */
  poll(nowMs: number): number {
    const r = this.exports.net_poll(nowMs >>> 0);
    if (r < -1) throw new EmberError("net_poll", r);
    return r;
  }

  /**
   * Hand in one received frame (host-frames link). A frame longer than the
   * scratch buffer is still passed with its true length (only the part that
   * fits is copied) so the module counts it as oversize.
   */
  input(frame: Uint8Array): void {
    const room = this.exports.net_scratch_size();
    const p = this.writeScratch(frame.length > room ? frame.subarray(0, room) : frame);
    check("net_input", this.exports.net_input(p, frame.length));
  }

  /** Remove and return the frames sent so far. */
  takeSent(): Uint8Array[] {
    return this.sent.splice(0, this.sent.length);
  }

  /** net_stats as named counters. */
  stats(): Record<StatName, number> {
    const p = this.exports.net_scratch();
    const n = check("net_stats", this.exports.net_stats(p));
    const v = new DataView(this.exports.memory.buffer, p, n * 4);
    const out = {} as Record<StatName, number>;
    STAT_NAMES.forEach((name, i) => { out[name] = i < n ? v.getUint32(i * 4, true) : 0; });
    return out;
  }

  /** net_config set. */
  setConfig(name: ConfigName, value: number): void {
    check("net_config", this.exports.net_config(CONFIG_KEYS[name], value));
  }

  /** net_config read. */
  getConfig(name: ConfigName): number {
    return check("net_config", this.exports.net_config(CONFIG_KEYS[name], -1));
  }

  // --- TCP calls (docs/ABI.md); each throws EmberError on a negative result ---

  /** tcp_listen → listener handle. */
  listen(port: number, backlog = 4): number {
    return check("tcp_listen", this.exports.tcp_listen(port, backlog));
  }

  /** tcp_accept → connection handle, or null (EAGAIN). */
  accept(listener: number): number | null {
    const r = this.exports.tcp_accept(listener);
    if (r === ERRNO.EAGAIN) return null;
    return check("tcp_accept", r);
  }

  /** tcp_connect → connection handle. */
  connect(ip: string | number, port: number): number {
    return check("tcp_connect", this.exports.tcp_connect(ipToNumber(ip), port));
  }

  /** tcp_send: how many bytes of `data` the send ring took (may be fewer than given). */
  send(conn: number, data: Uint8Array): number {
    const n = Math.min(data.length, this.exports.net_scratch_size());
    const p = this.writeScratch(data.subarray(0, n));
    return check("tcp_send", this.exports.tcp_send(conn, p, n));
  }

  /** tcp_recv: bytes, an empty array at end of stream, or null (EAGAIN). */
  recv(conn: number, max = 1536): Uint8Array | null {
    const p = this.exports.net_scratch();
    const n = this.exports.tcp_recv(conn, p, Math.min(max, this.exports.net_scratch_size()));
    if (n === ERRNO.EAGAIN) return null;
    check("tcp_recv", n);
    return this.memory.slice(p, p + n);
  }

  /** tcp_close. */
  close(conn: number): void {
    check("tcp_close", this.exports.tcp_close(conn));
  }

  /** tcp_abort. */
  abort(conn: number): void {
    check("tcp_abort", this.exports.tcp_abort(conn));
  }

  /** tcp_poll flags as booleans. */
  pollConn(conn: number): Record<keyof typeof POLL_FLAGS, boolean> {
    const f = check("tcp_poll", this.exports.tcp_poll(conn));
    const out = {} as Record<keyof typeof POLL_FLAGS, boolean>;
    for (const [k, bit] of Object.entries(POLL_FLAGS)) out[k as keyof typeof POLL_FLAGS] = (f & bit) !== 0;
    return out;
  }

  /** tcp_state number. */
  state(conn: number): number {
    return check("tcp_state", this.exports.tcp_state(conn));
  }

  /** tcp_status as named fields. */
  status(conn: number): Status {
    const p = this.exports.net_scratch();
    check("tcp_status", this.exports.tcp_status(conn, p));
    const v = new DataView(this.exports.memory.buffer, p, STATUS_BYTES);
    const out = {} as Status;
    STATUS_FIELDS.forEach((name, i) => { out[name] = v.getUint32(i * 4, true); });
    return out;
  }

  /**
   * tcp_option on a connection or listener: with `value` (>= 0) sets the
   * option and returns 0, without it reads the value in force. Throws
   * EmberError (EINVAL) for a bad handle or an out-of-range value.
   */
  tcpOption(conn: number, name: TcpOptionName, value?: number): number {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 0x7fffffff)) {
      throw new EmberError("tcp_option", ERRNO.EINVAL);
    }
    return check("tcp_option", this.exports.tcp_option(conn, TCP_OPTION_KEYS[name], value ?? -1));
  }

  /** tcp_list: every listener, connection and half-open entry. */
  list(max = 64): ListEntry[] {
    const per = Math.floor(this.exports.net_scratch_size() / LIST_BYTES);
    const p = this.exports.net_scratch();
    const n = check("tcp_list", this.exports.tcp_list(p, Math.min(max, per)));
    const v = new DataView(this.exports.memory.buffer, p, n * LIST_BYTES);
    const out: ListEntry[] = [];
    for (let i = 0; i < n; i++) {
      const o = i * LIST_BYTES;
      out.push({
        handle: v.getInt32(o, true), state: v.getUint32(o + 4, true),
        localIp: v.getUint32(o + 8, true), localPort: v.getUint32(o + 12, true),
        remoteIp: v.getUint32(o + 16, true), remotePort: v.getUint32(o + 20, true),
      });
    }
    return out;
  }

  // --- UDP, DHCP, DNS (docs/ABI.md, second part) ---

  private part<K extends keyof Exports>(name: K): NonNullable<Exports[K]> {
    const f = this.exports[name];
    if (typeof f !== "function") throw new Error(`${name}: this build has no such export (built without its part)`);
    return (f as (...a: number[]) => number).bind(this.exports) as NonNullable<Exports[K]>;
  }

  /** udp_bind → socket handle (port 0: ephemeral). */
  udpBind(port = 0): number {
    return check("udp_bind", this.part("udp_bind")(port));
  }

  /** udp_sendto: the datagram's length. */
  udpSendto(sock: number, ip: string | number, port: number, data: Uint8Array): number {
    const p = this.exports.net_scratch();
    if (data.length > this.exports.net_scratch_size()) throw new Error("udpSendto: datagram larger than the scratch buffer");
    this.memory.set(data, p);
    return check("udp_sendto", this.part("udp_sendto")(sock, ipToNumber(ip), port, p, data.length));
  }

  /** udp_recvfrom: the oldest datagram, or null (EAGAIN). */
  udpRecvfrom(sock: number, max = 1472): Datagram | null {
    const p = this.exports.net_scratch();
    const meta = p + this.exports.net_scratch_size() - 12;
    const n = this.part("udp_recvfrom")(sock, p, Math.min(max, this.exports.net_scratch_size() - 12), meta);
    if (n === ERRNO.EAGAIN) return null;
    check("udp_recvfrom", n);
    const v = new DataView(this.exports.memory.buffer, meta, 12);
    return { data: this.memory.slice(p, p + n), from: ipToString(v.getUint32(0, true)), port: v.getUint32(4, true), length: v.getUint32(8, true) };
  }

  /** udp_close. */
  udpClose(sock: number): void {
    check("udp_close", this.part("udp_close")(sock));
  }

  /** udp_port. */
  udpPort(sock: number): number {
    return check("udp_port", this.part("udp_port")(sock));
  }

  /** net_addr. */
  netAddr(): NetAddr {
    const u = this.netAddrWords();
    return {
      ip: ipToString(u(0)), netmask: ipToString(u(1)), gateway: ipToString(u(2)), dns1: ipToString(u(3)), dns2: ipToString(u(4)),
      dhcpState: u(5), leaseLeft: u(6), server: ipToString(u(7)),
    };
  }

  /** net_addr's DHCP state alone (docs/ABI.md numbers), without building the record's strings. */
  dhcpState(): number {
    return this.netAddrWords()(5);
  }

  /** net_addr into the scratch buffer; returns a reader of its eight u32 words. */
  private netAddrWords(): (i: number) => number {
    const p = this.exports.net_scratch();
    check("net_addr", this.part("net_addr")(p));
    const v = new DataView(this.exports.memory.buffer, p, 32);
    return (i: number) => v.getUint32(i * 4, true);
  }

  /** net_hostname. */
  setHostname(name: string): void {
    const b = new TextEncoder().encode(name);
    const p = this.exports.net_scratch();
    this.memory.set(b.subarray(0, this.exports.net_scratch_size()), p);
    check("net_hostname", this.part("net_hostname")(p, b.length));
  }

  /** dns_server (ip 0 clears). */
  dnsServer(index: number, ip: string | number): void {
    check("dns_server", this.part("dns_server")(index, ipToNumber(ip)));
  }

  /** dns_query → query handle. */
  dnsQuery(name: string): number {
    const b = new TextEncoder().encode(name);
    const p = this.exports.net_scratch();
    if (b.length > this.exports.net_scratch_size()) throw new Error("dnsQuery: name longer than the scratch buffer");
    this.memory.set(b, p);
    return check("dns_query", this.part("dns_query")(p, b.length));
  }

  /** dns_result: the address, or null while pending (EAGAIN); throws EmberError (ENOTFOUND, ETIMEDOUT, EINVAL). */
  dnsResult(q: number): string | null {
    const p = this.exports.net_scratch();
    const r = this.part("dns_result")(q, p);
    if (r === ERRNO.EAGAIN) return null;
    check("dns_result", r);
    return ipToString(new DataView(this.exports.memory.buffer, p, 4).getUint32(0, true));
  }
}
