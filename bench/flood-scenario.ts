/**
 * The SYN-flood scenario shared by test/tcp-flood.test.ts and
 * bench/flood.ts: a server Stack (a build with EMBER_TCB_COUNT=4, compiled
 * here) listening on port 80 with a small backlog, a stream of SYNs from
 * random spoofed sources injected straight into its net_input, and real
 * clients (separate Stack instances on the same in-process HostNet) that
 * each connect, send 1 KiB, read the echo and close.
 *
 * The spoofed sources are off-link, so the server sends their SYN-ACKs to
 * its gateway 10.0.0.254, whose MAC (02:00:00:00:00:fe) no station owns:
 * the hub discards them, as the Internet would for addresses that do not
 * answer. The server is the release build with `--use EMBER_TCB_COUNT=4`,
 * compiled in memory once per process.
 */
import { compileAssemblyScript } from "../host-sim/asc.js";
import { HostNet, type Host, prng } from "../host-sim/hostnet.js";
import { SocketApi, TcpSocket, type TcpListener, TCP_STATE } from "../host-sim/socket.js";
import { EmberError } from "../host-sim/errors.js";
import { ARP_REQUEST, SYN, arpFrame, internetChecksum, ipNumber, pseudoHeaderSum, tcpFrame } from "../host-sim/wire/index.js";

/** TCBs in the server build. */
export const FLOOD_TCB_COUNT = 4;
/** Half-open entries in every build (assembly/config.ts SYN_QUEUE default). */
export const FLOOD_SYN_QUEUE = 16;
export const SERVER_IP = "10.0.0.1";
export const SERVER_PORT = 80;
const GATEWAY_IP = "10.0.0.254";
const GATEWAY_MAC = "02:00:00:00:00:fe";

let compiled: Promise<WebAssembly.Module> | undefined;

/** The server module with TCB_COUNT 4 (built on first use in this process). */
export function floodServerModule(): Promise<WebAssembly.Module> {
  compiled ??= compileAssemblyScript("assembly/index.ts", { args: ["--use", `EMBER_TCB_COUNT=${FLOOD_TCB_COUNT}`], pages: 3 })
    .then((wasm) => new WebAssembly.Module(wasm));
  return compiled;
}

/**
 * A maker of SYN frames (MSS 1460) to the server from any source address
 * and port: one template, the changed fields patched and both checksums
 * (IPv4 header; TCP with the RFC 9293 §3.1 pseudo-header) recomputed.
 */
export function synFrameMaker(dstMac: string): (srcIp: number, srcPort: number, seq: number) => Uint8Array {
  const f = tcpFrame({ srcIp: "1.2.3.4", dstIp: SERVER_IP, srcPort: 1, dstPort: SERVER_PORT, seq: 0, flags: SYN, mss: 1460 },
    { srcMac: GATEWAY_MAC, dstMac, id: 0x1234 });
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const I = 14;
  const T = 34;
  const server = ipNumber(SERVER_IP);
  return (srcIp, srcPort, seq) => {
    v.setUint32(I + 12, srcIp);
    v.setUint16(I + 10, 0);
    v.setUint16(I + 10, internetChecksum(f, I, I + 20));
    v.setUint16(T, srcPort);
    v.setUint32(T + 4, seq);
    v.setUint16(T + 16, 0);
    v.setUint16(T + 16, internetChecksum(f, T, f.length, pseudoHeaderSum(srcIp, server, 6, f.length - T)));
    return f;
  };
}

export interface FloodOptions {
  serverModule: WebAssembly.Module;
  /** Spoofed SYNs in all. */
  floodSyns: number;
  /** Their rate in SYNs per second of virtual time. */
  floodRate: number;
  /** Real clients. */
  clients: number;
  /** Virtual ms between two clients' connects. */
  clientSpacingMs: number;
  /** Bytes each client sends (and gets back). */
  bytes?: number;
  backlog?: number;
  syncookies?: number;
  seed?: number;
  /** Virtual ms a client may take before it counts as failed. */
  clientDeadlineMs?: number;
  /** After the flood stops, run this long (virtual ms) watching the SYN queue drain. */
  drainMs?: number;
}

export interface ClientResult {
  ok: boolean;
  /** Virtual ms from tcp_connect to ESTABLISHED (NaN if never). */
  connectMs: number;
  error?: string;
}

export interface FloodResult {
  clients: ClientResult[];
  /** Host ms spent injecting the flood (frame making and net_input, SYN-ACKs included). */
  floodHostMs: number;
  floodSyns: number;
  /** Virtual time when the last spoofed SYN was injected (ms), and when the SYN queue was next seen empty. */
  floodEndMs: number;
  drainedAtMs: number;
  maxHalfOpen: number;
  halfOpenAtFloodEnd: number;
  /** RST segments the server sent to any real client. */
  rstsToClients: number;
  serverStats: Record<string, number>;
  memoryBefore: number;
  memoryAfter: number;
  /** Virtual ms the whole run covered. */
  virtualMs: number;
}

/** Echo server: accept, echo everything read, close after the peer's FIN. */
class EchoServer {
  private conns: TcpSocket[] = [];
  constructor(private readonly listener: TcpListener) {}
  pump(): void {
    for (let s = this.listener.accept(); s !== null; s = this.listener.accept()) this.conns.push(s);
    this.conns = this.conns.filter((c) => {
      for (;;) {
        let r: Uint8Array | null;
        try { r = c.recv(4096); } catch (e) { if (e instanceof EmberError) { c.close(); return false; } throw e; }
        if (r === null) return true;
        if (r.length === 0) { c.close(); return false; }
        c.send(r);
      }
    });
  }
}

/** One real client: connect, send, read the echo, close, wait for the server's FIN. */
class Client {
  sock: TcpSocket | null = null;
  startedAt = 0;
  connectMs = NaN;
  sent = 0;
  got: number[] = [];
  received = 0;
  closed = false;
  done = false;
  failed: string | undefined;
  constructor(readonly api: SocketApi, readonly data: Uint8Array) {}

  start(now: number): void {
    this.startedAt = now;
    this.sock = this.api.connect(SERVER_IP, SERVER_PORT);
  }

  pump(now: number): void {
    const s = this.sock;
    if (!s || this.done || this.failed) return;
    try {
      if (Number.isNaN(this.connectMs)) {
        if (s.state !== TCP_STATE.ESTABLISHED) {
          if (s.poll().error) this.failed = "error before ESTABLISHED";
          return;
        }
        this.connectMs = now - this.startedAt;
      }
      if (this.sent < this.data.length) this.sent += s.send(this.data.subarray(this.sent));
      for (;;) {
        const r = s.recv(4096);
        if (r === null) break;
        if (r.length === 0) {
          const same = this.received === this.data.length && this.got.every((b, i) => b === this.data[i]);
          if (!same) this.failed = `echo mismatch (${this.received} bytes)`;
          else this.done = true;
          s.close();
          return;
        }
        for (const b of r) this.got.push(b);
        this.received += r.length;
      }
      if (this.received === this.data.length && !this.closed) { s.close(); this.closed = true; }
    } catch (e) {
      if (e instanceof EmberError) { this.failed = e.errno; return; }
      throw e;
    }
  }
}

/** Run the scenario in virtual time and report. */
export function runFlood(o: FloodOptions): FloodResult {
  const bytes = o.bytes ?? 1024;
  const rnd = prng(o.seed ?? 1);
  const net = new HostNet({ latencyMs: 1 });
  const server = net.add({ name: "server", module: o.serverModule, ip: SERVER_IP });
  const serverMac = "02:00:00:00:00:01";
  // A gateway for the off-link spoofed sources, known to the server's ARP cache for the whole run.
  server.stack.init({ mac: serverMac, ip: SERVER_IP, netmask: "255.255.255.0", gateway: GATEWAY_IP });
  server.stack.setConfig("syncookies", o.syncookies ?? 1);
  server.stack.setConfig("arp_timeout_ms", 86_400_000);
  server.stack.input(arpFrame({ op: ARP_REQUEST, sha: GATEWAY_MAC, spa: GATEWAY_IP, tpa: SERVER_IP, ethDst: serverMac }));
  const apiS = SocketApi.of(server);
  const echo = new EchoServer(apiS.listen(SERVER_PORT, o.backlog ?? 4));
  const clients: Client[] = [];
  const hosts: Host[] = [];
  for (let i = 0; i < o.clients; i++) {
    const h = net.add({ name: `c${i}` });
    hosts.push(h);
    const data = new Uint8Array(bytes);
    for (let k = 0; k < bytes; k++) data[k] = Math.floor(rnd() * 256);
    clients.push(new Client(SocketApi.of(h), data));
  }
  let rstsToClients = 0;
  const clientIps = new Set(hosts.map((h) => h.ip));
  net.tap = (from, f) => {
    if (from !== server || f.length < 54 || f[23] !== 6) return;
    const dst = ((f[30] << 24) | (f[31] << 16) | (f[32] << 8) | f[33]) >>> 0;
    if ((f[47] & 4) !== 0 && clientIps.has(dst)) rstsToClients++;
  };
  net.run(10);
  const t0 = net.now;
  const memoryBefore = server.stack.exports.memory.buffer.byteLength;

  // Flood: one injection tick per ms (or fewer at low rates), spread evenly.
  const make = synFrameMaker(serverMac);
  const tickMs = Math.max(1, Math.round(1000 / o.floodRate));
  const perTick = (o.floodRate * tickMs) / 1000;
  let injected = 0;
  let floodHostMs = 0;
  let floodEndMs = t0;
  let maxHalfOpen = 0;
  let carry = 0;
  const halfOpen = () => server.stack.list(64).filter((e) => e.state === 3 && e.handle === -1).length;
  let ticks = 0;
  const tick = () => {
    if (injected >= o.floodSyns) return;
    carry += perTick;
    const n = Math.min(Math.floor(carry), o.floodSyns - injected);
    carry -= n;
    const h0 = performance.now();
    for (let k = 0; k < n; k++) {
      // Random sources anywhere but 10.0.0.0/8, 127/8 and multicast: off-link, routed to the gateway.
      let ip: number;
      do { ip = Math.floor(rnd() * 0xe0000000) >>> 0; } while ((ip >>> 24) === 10 || (ip >>> 24) === 127 || ip < 0x01000000);
      server.stack.input(make(ip, 1024 + Math.floor(rnd() * 64512), Math.floor(rnd() * 0x100000000)));
    }
    floodHostMs += performance.now() - h0;
    server.stack.sent.length = 0;
    injected += n;
    server.kick();
    if (++ticks % 50 === 0) maxHalfOpen = Math.max(maxHalfOpen, halfOpen());
    if (injected < o.floodSyns) net.clock.at(net.clock.now() + tickMs, tick);
    else floodEndMs = net.now;
  };
  if (o.floodSyns > 0) net.clock.at(t0, tick);
  clients.forEach((c, i) => net.clock.at(t0 + 5 + i * o.clientSpacingMs, () => c.start(net.now)));

  const pump = () => {
    echo.pump();
    for (const c of clients) c.pump(net.now);
    return injected >= o.floodSyns && clients.every((c) => c.done || c.failed);
  };
  const deadline = o.clientDeadlineMs ?? 120_000;
  const horizon = Math.ceil(o.floodSyns / o.floodRate * 1000) + o.clients * o.clientSpacingMs + deadline;
  net.runUntil(pump, horizon);
  maxHalfOpen = Math.max(maxHalfOpen, halfOpen());
  const halfOpenAtFloodEnd = halfOpen();
  // Drain: the queue must empty within the half-open lifetime after the last SYN.
  let drainedAtMs = halfOpenAtFloodEnd === 0 ? net.now : NaN;
  if (Number.isNaN(drainedAtMs)) {
    net.runUntil(() => { echo.pump(); return halfOpen() === 0; }, o.drainMs ?? 70_000);
    if (halfOpen() === 0) drainedAtMs = net.now;
  }
  return {
    clients: clients.map((c) => ({ ok: c.done && !c.failed, connectMs: c.connectMs, error: c.failed ?? (c.done ? undefined : "unfinished") })),
    floodHostMs, floodSyns: injected, floodEndMs, drainedAtMs, maxHalfOpen, halfOpenAtFloodEnd, rstsToClients,
    serverStats: server.stack.stats(), memoryBefore, memoryAfter: server.stack.exports.memory.buffer.byteLength,
    virtualMs: net.now - t0,
  };
}
