/**
 * What `embertcp netstat` shows: a board's connection table (tcp_list: every
 * listener, TCB and half-open SYN-queue entry, like `netstat -tn`) and the
 * counters that make a SYN flood visible (SYN-queue size, cookies sent and
 * accepted, overflows). A snapshot is plain JSON, so it travels over the sim's
 * control socket (a Unix socket) and the HTTP status page alike.
 *
 * The control protocol: connect, send one line, read until the server
 * closes. "snapshot" answers one JSON document; `ping {"count":N,"size":B,
 * "intervalMs":T}` pings the board from inside the sim (host-sim/ping.ts)
 * and answers one JSON line per request, then a summary line.
 */

import { leaseLine } from "./apps/netwatch.js";
import { DHCP_STATES } from "./abi-tables.js";
import * as fs from "node:fs";
import * as net from "node:net";
import type { Board, LinkMode } from "./board.js";
import type { Limits } from "./limits.js";
import { pingerAddress, pingSession } from "./ping.js";
import { type NetAddr, ipToNumber, ipToString } from "./stack.js";

/** RFC 9293 state names by the ABI's state number (docs/ABI.md). */
export const STATE_NAMES = [
  "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
  "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
] as const;

export function stateName(n: number): string {
  return STATE_NAMES[n] ?? `STATE-${n}`;
}

export interface ConnRow {
  /** Handle, or -1 for a half-open SYN-queue entry. */
  handle: number;
  state: string;
  local: string;
  remote: string;
}

export interface Snapshot {
  board: string;
  ip: string;
  /** Board clock, ms. */
  uptimeMs: number;
  /** Down when the chip's PHY reports no link or the link end went away (tty unplugged, TAP deleted). */
  link: "up" | "down";
  /** Why the link end went away, when it did. */
  linkDown?: string;
  apps: string[];
  connections: ConnRow[];
  /** The stack's net_stats counters by name. */
  stats: Record<string, number>;
  /** The chip model's and the link's counters. */
  chip: Record<string, number>;
  wire: Record<string, number>;
  /** How the board got its address: "static", or the DHCP state and lease (`dhcp: BOUND 10.0.0.57/24 gw … lease 3600 s …`). */
  address?: string;
  /** The compile-time limits in force and the link mode (absent in snapshots from older sims). */
  limits?: Limits & { link: LinkMode };
}

/** Why each watched board's link end went away. */
const linkLost = new WeakMap<Board, string>();

/**
 * Remember when `board`'s link end reports itself gone (the board keeps
 * running, and its chip model still sees a cable, so snapshots ask here).
 */
export function watchLink(board: Board): void {
  const before = board.link.onDown;
  board.link.onDown = (reason) => {
    if (!linkLost.has(board)) linkLost.set(board, reason);
    before?.(reason);
  };
}

/** Take a snapshot of a running board (tcp_list may fail on a build without TCP: then no rows). */
export function snapshot(board: Board): Snapshot {
  let rows: ConnRow[] = [];
  try {
    rows = board.stack.list().map((e) => ({
      handle: e.handle, state: stateName(e.state),
      local: `${ipToString(e.localIp)}:${e.localPort}`,
      remote: e.state === 1 ? "*:*" : `${ipToString(e.remoteIp)}:${e.remotePort}`,
    }));
  } catch { /* no TCP in this build */ }
  const c = board.counters();
  const lost = linkLost.get(board);
  const a = netAddrOf(board);
  return {
    address: a && addressLine(a),
    board: board.name, ip: a && a.dhcpState !== 0 ? a.ip : ipToString(board.ip), uptimeMs: Math.round(board.clock.now()),
    link: board.linkUp && lost === undefined ? "up" : "down", ...(lost === undefined ? {} : { linkDown: lost }),
    apps: board.apps.map((a) => a.name),
    connections: rows, stats: { ...c.stack }, chip: { ...c.chip }, wire: { ...c.link },
    limits: { ...board.limits, link: board.linkMode },
  };
}

/** net_addr, or undefined in a build without DHCP. */
function netAddrOf(board: Board): NetAddr | undefined {
  try { return board.stack.netAddr(); } catch { return undefined; }
}

/** How the board got its address: "static", or the DHCP state and lease. */
function addressLine(a: NetAddr): string {
  if (a.dhcpState === 0) return "static";
  return `dhcp ${DHCP_STATES[a.dhcpState]} ${a.ip === "0.0.0.0" ? "(no address yet)" : leaseLine(a)}`;
}

/** The counters that tell how a listener copes with a flood. */
export const FLOOD_COUNTERS = ["syn_rx", "synack_sent", "synack_retransmits", "synq_overflows", "synq_expired", "cookies_sent", "cookies_accepted", "cookies_rejected", "acceptq_overflows", "tcp_passive_opens"] as const;

/** "limits: 8 TCBs, 4096-byte rings, SYN queue 16, link enc28j60". */
export function limitsLine(l: NonNullable<Snapshot["limits"]>): string {
  return `limits: ${l.tcbs} TCBs, ${l.rings}-byte rings, SYN queue ${l.synq}, link ${l.link}`;
}

/** `netstat -tn`-style text: one row per entry, then the SYN-RECEIVED count and the flood counters. */
export function formatSnapshot(s: Snapshot, opts: { all?: boolean } = {}): string {
  const w = (x: string, n: number) => x.padEnd(n);
  const lines = [`${s.board} ${s.ip}  link ${s.link}${s.linkDown ? ` (${s.linkDown})` : ""}  up ${(s.uptimeMs / 1000).toFixed(1)} s  apps ${s.apps.join(",") || "-"}`,
    ...(s.address ? [`address: ${s.address}`] : []),
    ...(s.limits ? [limitsLine(s.limits)] : []),
    `${w("Proto", 6)}${w("Local Address", 22)}${w("Foreign Address", 22)}State`];
  for (const r of s.connections) lines.push(`${w("tcp", 6)}${w(r.local, 22)}${w(r.remote, 22)}${r.state}${r.handle < 0 ? "  (SYN queue)" : ""}`);
  const synRecv = s.connections.filter((r) => r.state === "SYN-RECEIVED").length;
  lines.push(`SYN-RECEIVED ${synRecv}; ` + FLOOD_COUNTERS.map((k) => `${k} ${s.stats[k] ?? 0}`).join(", "));
  if (opts.all) {
    lines.push("counters: " + Object.entries(s.stats).filter(([, v]) => v !== 0).map(([k, v]) => `${k}=${v}`).join(" "));
    lines.push("wire: " + Object.entries(s.wire).filter(([, v]) => v !== 0).map(([k, v]) => `${k}=${Math.round(v)}`).join(" "));
  }
  return lines.join("\n");
}

/** What a sim tells its control socket about the board's network (for ping). */
export interface ControlOptions { netmask?: string; gateway?: string | number; }

/** A `ping {...}` request: ping the board from inside the sim, one JSON line per request. */
function servePing(board: Board, sock: net.Socket, json: string, o: ControlOptions): void {
  let q: { count?: unknown; size?: unknown; intervalMs?: unknown };
  try { q = JSON.parse(json); } catch { q = {}; }
  const num = (v: unknown, min: number, max: number, def: number) => (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v : def);
  const from = pingerAddress(board.ip, ipToNumber(o.netmask ?? "255.255.255.0"), o.gateway === undefined ? 0 : ipToNumber(o.gateway));
  const opts = { count: num(q.count, 1, 100_000, 4), size: num(q.size, 0, 1472, 56), intervalMs: num(q.intervalMs, 10, 60_000, 1000), waitMs: 2000, from };
  sock.setTimeout(0);
  sock.write(JSON.stringify({ from: ipToString(from), to: ipToString(board.ip) }) + "\n");
  void pingSession(board, opts, (seq, r) => { if (!sock.destroyed) sock.write(JSON.stringify({ seq, reply: r ?? null }) + "\n"); })
    .then((s) => sock.end(JSON.stringify({ done: true, ...s }) + "\n"));
}

/** Serve snapshots of `board` on a Unix socket at `path` (an old socket file there is replaced). */
export function serveControl(board: Board, path: string, opts: ControlOptions = {}): Promise<net.Server> {
  watchLink(board);
  try { if (fs.statSync(path).isSocket()) fs.unlinkSync(path); } catch { /* not there */ }
  const server = net.createServer((sock) => {
    sock.setTimeout(5000, () => sock.destroy());
    sock.on("error", () => {});
    let req = "";
    const onData = (d: Buffer) => {
      req += d.toString();
      if (!req.includes("\n")) { if (req.length > 256) sock.destroy(); return; }
      sock.off("data", onData);
      const cmd = req.trim();
      if (cmd === "snapshot") sock.end(JSON.stringify(snapshot(board)) + "\n");
      else if (cmd.startsWith("ping ")) servePing(board, sock, cmd.slice(5), opts);
      else sock.end(JSON.stringify({ error: `unknown request "${cmd.slice(0, 40)}"` }) + "\n");
    };
    sock.on("data", onData);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => { server.off("error", reject); resolve(server); });
  });
}

/** Ask a running sim for a snapshot over its control socket. */
export function fetchControl(path: string, timeoutMs = 5000): Promise<Snapshot> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(path);
    let data = "";
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no answer from ${path} in ${timeoutMs} ms: is the sim still running?`)); }, timeoutMs);
    sock.on("connect", () => sock.write("snapshot\n"));
    sock.on("data", (d) => { data += d.toString(); });
    sock.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === "ENOENT" || e.code === "ECONNREFUSED"
        ? `no sim is listening on ${path}: start one with \`embertcp sim\` (it prints its control socket)`
        : `${path}: ${e.message}`));
    });
    sock.on("end", () => {
      clearTimeout(timer);
      try {
        const j = JSON.parse(data) as Snapshot & { error?: string };
        if (j.error) reject(new Error(j.error)); else resolve(j);
      } catch { reject(new Error(`${path} sent something that is not a snapshot`)); }
    });
  });
}

/** Ask a running sim to ping its board; `onLine` gets each JSON line (the first names the addresses, the last says done). */
export function requestPing(path: string, q: { count: number; size: number; intervalMs: number }, onLine: (msg: Record<string, unknown>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(path);
    let buf = "";
    sock.on("connect", () => sock.write(`ping ${JSON.stringify(q)}\n`));
    sock.on("data", (d) => {
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try { onLine(JSON.parse(line) as Record<string, unknown>); } catch { /* not ours */ }
      }
    });
    sock.on("error", (e) => reject(new Error(`${path}: ${e.message}`)));
    sock.on("close", () => resolve());
  });
}

/** Fetch a snapshot from a board's HTTP status page (`http://IP/status.json`). */
export async function fetchHttp(url: string, timeoutMs = 5000): Promise<Snapshot> {
  const u = /^https?:\/\//.test(url) ? url : `http://${url}`;
  const target = new URL(u);
  if (target.pathname === "/" || target.pathname === "") target.pathname = "/status.json";
  let res: Response;
  try {
    res = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new Error(`cannot fetch ${target.href}: ${(e as Error).message}; is the board running the http app and reachable?`);
  }
  if (!res.ok) throw new Error(`${target.href} answered ${res.status}`);
  return (await res.json()) as Snapshot;
}
