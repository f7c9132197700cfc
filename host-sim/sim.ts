/**
 * `embertcp sim`: one board in real time on a serial port or a TAP device,
 * running apps, printing link, ARP and connection events as they happen,
 * serving netstat snapshots on a Unix control socket, until SIGINT/SIGTERM.
 *
 * The board runs in one of two link modes (board.ts): "enc28j60", the chip
 * model paced in real time (the model's own predicted ping and goodput are
 * printed at start, model.ts), or "host", frames straight into net_input.
 * Other compile-time limits (TCBs, ring size, SYN queue) are built and
 * cached by limits.ts; net_config values come from `config`.
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
import { Board, type BoardEvent, type LinkMode } from "./board.js";
import { DEFAULT_LIMITS, limitError, type Limits, moduleForLimits } from "./limits.js";
import { predictEnc28j60 } from "./model.js";
import { RealClock } from "./clock.js";
import { SerialLink } from "./links/serial.js";
import type { LinkEnd } from "./links/types.js";
import { limitsLine, serveControl, snapshot, type ConnRow } from "./netstat.js";
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
  /** "enc28j60" (default: the chip model, paced in real time) or "host" (net_input, no pacing). */
  link?: LinkMode;
  /** Compile-time limits; a set other than the default build's is compiled and cached. */
  limits?: Partial<Limits>;
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

/**
 * Open the serial port or the TAP (giving Linux's side of a TAP its
 * address); a TAP for a host-mode board without a capture carries frames
 * without FCS. Errors say why and what to do.
 */
async function openLink(o: SimOptions, clock: RealClock, raw: boolean): Promise<{ link: LinkEnd; what: string; hostSide: string }> {
  if (o.serial) {
    const s = new SerialLink({ path: o.serial, baudRate: o.baud ?? 115200, pace: o.pace, clock });
    try { await s.opened(); } catch (e) { s.close(); throw serialOpenError(o.serial, e as Error); }
    return { link: s, what: `serial ${o.serial} at ${o.baud ?? 115200} baud${o.pace ? " (paced)" : ""}`, hostSide: "" };
  }
  const t = new TapLink({ name: o.tap!, netns: o.netns, rawFrames: raw });
  try { await t.opened(); } catch (e) { t.close(); throw tapOpenError(o.tap!, e as Error); }
  let hostSide = "";
  if (o.hostIp) {
    const { ip, prefix } = parseCidr(o.ip);
    hostSide = configureHostSide(o.tap!, o.netns, ipToNumber(ip), prefix, o.hostIp).line;
  }
  return { link: t, what: `TAP ${o.tap}${o.netns ? ` in namespace ${o.netns}` : ""} (${t.relay} relay)`, hostSide };
}

/** The limits asked for, checked; throws one line naming the option and its range. */
function simLimits(o: SimOptions): Limits {
  const l = { ...DEFAULT_LIMITS, ...o.limits };
  for (const k of Object.keys(l) as Array<keyof Limits>) {
    const e = limitError(k, l[k]);
    if (e) throw new Error(e);
  }
  return l;
}

/** Print connection changes and ARP updates (sampled every 200 ms) and a stats line every 10 s; returns the stop function. */
function watchBoard(board: Board, print: (l: string) => void, stamp: () => string): () => void {
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
  let lastProgress = "";
  const progress = setInterval(() => {
    if (!board.isRunning) return;
    const line = statsLine(board);
    if (line !== lastProgress) print(`${stamp()} stats: ${line}`);
    lastProgress = line;
  }, 10_000);
  return () => { clearInterval(sampler); clearInterval(progress); };
}

/** Frames, connections, SYNs and every drop counter that is not zero. */
function statsLine(board: Board): string {
  const c = board.counters();
  const drops = Object.entries(c.link).filter(([k, v]) => k.startsWith("drop") && v > 0).map(([k, v]) => `${k}=${v}`);
  return `${c.stack.eth_rx_frames} frames in, ${c.stack.eth_tx_frames} out, ${c.stack.tcp_passive_opens} connections accepted, ` +
    `${c.stack.syn_rx} SYNs, ${c.stack.cookies_sent} cookies sent, ${board.wireDrops} wire drops` + (drops.length ? `, link ${drops.join(" ")}` : "");
}

/** Start a sim; resolves once the link device is open and the board is up. */
export async function startSim(o: SimOptions): Promise<SimHandle> {
  const print = o.print ?? ((l: string) => console.log(l));
  if (!o.serial === !o.tap) throw new Error("give exactly one of --serial PATH or --tap NAME");
  checkAddrOptions(o);
  const { ip, netmask, prefix } = o.dhcp ? { ip: "0.0.0.0", netmask: "0.0.0.0", prefix: 0 } : parseCidr(o.ip);
  const mac = o.mac ?? (o.dhcp ? macForDhcp() : macForIp(ip));
  const limits = simLimits(o);
  // An accept queue as deep as the module allows (16), but no deeper than the TCBs behind it.
  const apps = makeApps(o.apps, { backlog: Math.min(16, limits.tcbs) });
  const mode = o.link ?? "enc28j60";
  const clock = new RealClock();
  const stamp = () => `[${(clock.now() / 1000).toFixed(3).padStart(9)}]`;
  const t0 = Date.now();
  const mod = await moduleForLimits(limits);
  if (mod.built) print(`${stamp()} built ${mod.path} in ${((Date.now() - t0) / 1000).toFixed(1)} s (cached for the next run)`);
  const opened = await openLink(o, clock, mode === "host" && !o.pcap);
  let link = opened.link;
  let pcap: PcapWriter | null = null;
  if (o.pcap) { pcap = new PcapWriter(o.pcap, { clock, epochMs: Date.now() }); link = tapLink(link, pcap); }
  const onEvent = (e: BoardEvent) => print(`${stamp()} ${e.kind}: ${e.text}`);
  const board = new Board({
    name: "sim", link, clock, mac, ip, netmask, gateway: o.gateway ?? 0, linkMode: mode,
    module: mod.module, limits, seed: o.seed, config: o.config as never, onEvent,
  });
  const addr = o.dhcp ? `address by DHCP${o.hostname ? ` as ${o.hostname}` : ""}` : `${ip}/${prefix}`;
  print(`${stamp()} board ${addr} (${mac}) on ${opened.what}, link ${mode}`);
  if (opened.hostSide) print(`${stamp()} ${opened.hostSide}`);
  print(`${stamp()} ${limitsLine({ ...limits, link: mode })}`);
  if (mode === "enc28j60") print(`${stamp()} model: ${predictEnc28j60(mod.module, limits).line}`);
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
  const unwatch = watchBoard(board, print, stamp);
  let stopped = false;
  return {
    board, controlPath,
    async stop() {
      if (stopped) return;
      stopped = true;
      unwatch();
      board.stop();
      pcap?.close();
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      try { fs.unlinkSync(controlPath); } catch { /* gone */ }
      if (link instanceof TapLink) await Promise.race([link.exited(), new Promise((r) => setTimeout(r, 300).unref())]);
    },
  };
}

/** Run a sim until SIGINT/SIGTERM (or `signal` aborts); returns the exit code. */
export async function runSim(o: SimOptions, signal?: AbortSignal): Promise<number> {
  const print = o.print ?? ((l: string) => console.log(l));
  const h = await startSim(o);
  // Listening before saying so: a signal sent as soon as the line is read is then never the default (a kill).
  const signalled = new Promise<number>((resolve) => {
    const done = () => { process.off("SIGINT", done); process.off("SIGTERM", done); resolve(performance.now()); };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    signal?.addEventListener("abort", done, { once: true });
  });
  print("running; Ctrl-C to stop");
  const t = await signalled;
  const line = statsLine(h.board);
  await h.stop();
  print(`stopped: ${line}; shut down in ${(performance.now() - t).toFixed(0)} ms`);
  return h.board.failure ? 1 : 0;
}
