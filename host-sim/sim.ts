/**
 * `embertcp sim`: one board in real time on a serial port or a TAP device,
 * running apps, printing link, ARP and connection events as they happen,
 * serving netstat snapshots on a Unix control socket, until SIGINT/SIGTERM.
 *
 * Connection events come from the apps (accepted, closed, failed) and from
 * comparing tcp_list between samples (every 200 ms): a new entry, a state
 * change, an entry gone. A stats line follows every 10 s while traffic flows. ARP events come from
 * the ARP counters. A link that goes away (tty unplugged, TAP deleted, socat
 * killed) is reported in one line; the board, its apps and the control
 * socket keep running so netstat can still look at it.
 */

import * as fs from "node:fs";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeApps } from "./apps/index.js";
import { Board, type BoardEvent } from "./board.js";
import { RealClock } from "./clock.js";
import { SerialLink } from "./links/serial.js";
import type { LinkEnd } from "./links/types.js";
import { serveControl, snapshot, type ConnRow } from "./netstat.js";
import { serialOpenError, tapOpenError } from "./open-hints.js";
import { PcapWriter, tapLink } from "./pcap.js";
import { ipToNumber } from "./stack.js";
import { configureHostSide } from "./tap/host-address.js";
import { TapLink } from "./tap/link.js";
import { type AddrOptions, afterStart, checkAddrOptions, macForDhcp } from "./sim-addr.js";

export interface SimOptions extends AddrOptions {
  serial?: string;
  baud?: number;
  /** Meter serial bytes at `baud` (a pty has no baud rate of its own). */
  pace?: boolean;
  tap?: string;
  /** Open the TAP inside this network namespace. */
  netns?: string;
  /** Linux's address on the TAP: A.B.C.D/NN, "auto" (the first free one of the board's subnet), or null/absent to leave it alone. */
  hostIp?: string | null;
  gateway?: string;
  apps: string;
  /** Unix socket for netstat (default: a path in the temp directory, printed at start). */
  control?: string;
  /** Write a capture of the board's wire here. */
  pcap?: string;
  seed?: number;
  config?: Record<string, number>;
  /** Where lines go (default console.log). */
  print?: (line: string) => void;
}

export interface SimHandle {
  board: Board;
  controlPath: string;
  /** Stop everything and clean up (socket file, TAP, port, capture). */
  stop(): Promise<void>;
}

/** "10.0.0.2/24" → address and netmask. */
export function parseCidr(s: string): { ip: string; netmask: string; prefix: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?$/.exec(s);
  if (!m) throw new Error(`bad address "${s}": use A.B.C.D/NN, e.g. 10.0.0.2/24`);
  const prefix = m[2] === undefined ? 24 : Number(m[2]);
  if (prefix < 1 || prefix > 30) throw new Error(`bad prefix length /${prefix}: use 1..30`);
  ipToNumber(m[1]);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { ip: m[1], netmask: [mask >>> 24, (mask >>> 16) & 255, (mask >>> 8) & 255, mask & 255].join("."), prefix };
}

/** A locally administered MAC made from the IPv4 address: 02:00:a:b:c:d. */
export function macForIp(ip: string): string {
  return ["02", "00", ...ip.split(".").map((x) => Number(x).toString(16).padStart(2, "0"))].join(":");
}

/** Open the serial port or TAP (giving Linux's side of a TAP its address); errors say why and what to do. */
async function openLink(o: SimOptions, clock: RealClock): Promise<{ link: LinkEnd; what: string; hostSide: string }> {
  if (o.serial) {
    const s = new SerialLink({ path: o.serial, baudRate: o.baud ?? 115200, pace: o.pace, clock });
    try { await s.opened(); } catch (e) { s.close(); throw serialOpenError(o.serial, e as Error); }
    return { link: s, what: `serial ${o.serial} at ${o.baud ?? 115200} baud${o.pace ? " (paced)" : ""}`, hostSide: "" };
  }
  const t = new TapLink({ name: o.tap!, netns: o.netns });
  try { await t.opened(); } catch (e) { t.close(); throw tapOpenError(o.tap!, e as Error); }
  const { ip, prefix } = parseCidr(o.ip);
  const hostSide = o.hostIp ? configureHostSide(o.tap!, o.netns, ipToNumber(ip), prefix, o.hostIp).line : "";
  return { link: t, what: `TAP ${o.tap}${o.netns ? ` in namespace ${o.netns}` : ""}`, hostSide };
}

/** Start a sim; resolves once the link device is open and the board is up. */
export async function startSim(o: SimOptions): Promise<SimHandle> {
  const print = o.print ?? ((l: string) => console.log(l));
  if (!o.serial === !o.tap) throw new Error("give exactly one of --serial PATH or --tap NAME");
  checkAddrOptions(o);
  const { ip, netmask, prefix } = o.dhcp ? { ip: "0.0.0.0", netmask: "0.0.0.0", prefix: 0 } : parseCidr(o.ip);
  const mac = o.mac ?? (o.dhcp ? macForDhcp() : macForIp(ip));
  const apps = makeApps(o.apps);
  const clock = new RealClock();
  const stamp = () => `[${(clock.now() / 1000).toFixed(3).padStart(9)}]`;
  const opened = await openLink(o, clock);
  let link = opened.link;
  const { what, hostSide } = opened;
  let pcap: PcapWriter | null = null;
  if (o.pcap) { pcap = new PcapWriter(o.pcap, { clock, epochMs: Date.now() }); link = tapLink(link, pcap); }
  const onEvent = (e: BoardEvent) => print(`${stamp()} ${e.kind}: ${e.text}`);
  const board = new Board({
    name: "sim", link, clock, mac, ip, netmask, gateway: o.gateway ?? 0,
    seed: o.seed, config: o.config as never, onEvent,
  });
  print(`${stamp()} board ${o.dhcp ? `address by DHCP${o.hostname ? ` as ${o.hostname}` : ""}` : `${ip}/${prefix}`} (${mac}) on ${what}`);
  if (hostSide) print(`${stamp()} ${hostSide}`);
  board.start(apps);
  afterStart(board, o);
  const controlPath = o.control ?? join(tmpdir(), `embertcp-sim-${process.pid}.sock`);
  let server: Server | null = null;
  try {
    server = await serveControl(board, controlPath, { netmask, gateway: o.gateway });
    print(`${stamp()} control socket ${controlPath} (embertcp netstat --control ${controlPath})`);
  } catch (e) {
    print(`${stamp()} error: no control socket at ${controlPath}: ${(e as Error).message}; netstat will not reach this sim`);
  }

  // Connection and ARP events by sampling.
  let lastRows = new Map<string, ConnRow>();
  let lastArp = 0;
  const sample = () => {
    if (!board.isRunning) return;
    const s = snapshot(board);
    const rows = new Map(s.connections.map((r) => [`${r.handle}|${r.local}|${r.remote}`, r]));
    for (const [k, r] of rows) {
      const old = lastRows.get(k);
      if (!old) print(`${stamp()} conn: ${r.local} ${r.remote} ${r.state}`);
      else if (old.state !== r.state) print(`${stamp()} conn: ${r.local} ${r.remote} ${old.state} -> ${r.state}`);
    }
    for (const [k, r] of lastRows) if (!rows.has(k)) print(`${stamp()} conn: ${r.local} ${r.remote} gone (was ${r.state})`);
    lastRows = rows;
    const arp = s.stats.arp_cache_updates ?? 0;
    if (arp !== lastArp) print(`${stamp()} arp: cache updated (${arp} updates, ${s.stats.arp_replies_sent ?? 0} replies sent, ${s.stats.arp_requests_sent ?? 0} requests sent)`);
    lastArp = arp;
  };
  const sampler = setInterval(sample, 200);
  // A progress line every 10 s while traffic flows.
  let lastProgress = "";
  const progress = setInterval(() => {
    if (!board.isRunning) return;
    const c = board.counters();
    const line = `${c.stack.eth_rx_frames} frames in, ${c.stack.eth_tx_frames} out, ${c.stack.tcp_passive_opens} connections accepted, ` +
      `${c.stack.syn_rx} SYNs, ${c.stack.cookies_sent} cookies sent, ${board.wireDrops} wire drops`;
    if (line !== lastProgress) print(`${stamp()} stats: ${line}`);
    lastProgress = line;
  }, 10_000);
  let stopped = false;
  return {
    board, controlPath,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(sampler);
      clearInterval(progress);
      board.stop();
      pcap?.close();
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      try { fs.unlinkSync(controlPath); } catch { /* gone */ }
      if (link instanceof TapLink) await Promise.race([link.exited(), new Promise((r) => setTimeout(r, 3000))]);
    },
  };
}

/** Run a sim until SIGINT/SIGTERM (or `signal` aborts); returns the exit code. */
export async function runSim(o: SimOptions, signal?: AbortSignal): Promise<number> {
  const print = o.print ?? ((l: string) => console.log(l));
  const h = await startSim(o);
  print("running; Ctrl-C to stop");
  await new Promise<void>((resolve) => {
    const done = () => { process.off("SIGINT", done); process.off("SIGTERM", done); resolve(); };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    signal?.addEventListener("abort", done, { once: true });
  });
  const s = h.board.counters();
  await h.stop();
  print(`stopped: ${s.stack.eth_rx_frames} frames in, ${s.stack.eth_tx_frames} out, ${s.stack.tcp_passive_opens} connections accepted, ${h.board.wireDrops} dropped on an oversubscribed wire`);
  return h.board.failure ? 1 : 0;
}
