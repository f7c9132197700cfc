/**
 * How `embertcp sim` gets its address and names: a static A.B.C.D/NN, or
 * DHCP (--dhcp, with --hostname sent as option 12); DNS servers from --dns
 * (winning over DHCP's), and the names to resolve at start (--resolve).
 */
import type { Board, BoardApp } from "./board.js";
import { NetWatch } from "./apps/netwatch.js";
import { ipToNumber } from "./stack.js";

export interface AddrOptions {
  /** A.B.C.D/NN (ignored with dhcp). */
  ip: string;
  dhcp?: boolean;
  hostname?: string;
  mac?: string;
  /** Up to two DNS servers. */
  dns?: string[];
  /** Names to resolve once the board has an address. */
  resolve?: string[];
}

/** RFC 1123 host name label rules as net_hostname takes them. */
export const HOSTNAME_RE = /^[A-Za-z0-9-]{1,32}$/;

/** Check the address options; throws a message for the CLI. */
export function checkAddrOptions(o: AddrOptions): void {
  if (o.hostname !== undefined && !o.dhcp) throw new Error("--hostname is sent by DHCP: give --dhcp too");
  if (o.hostname !== undefined && !HOSTNAME_RE.test(o.hostname)) throw new Error(`bad --hostname "${o.hostname}": 1..32 letters, digits and hyphens`);
  if ((o.dns?.length ?? 0) > 2) throw new Error("at most two --dns servers");
  for (const d of o.dns ?? []) {
    try { ipToNumber(d); } catch { throw new Error(`bad --dns "${d}": use A.B.C.D`); }
  }
}

/** A locally administered MAC for a DHCP board (no address to derive one from): 02:00:d1 and 3 bytes of the pid. */
export function macForDhcp(pid = process.pid): string {
  return ["02", "00", "d1", (pid >> 16) & 255, (pid >> 8) & 255, pid & 255].map((x) => (typeof x === "number" ? x.toString(16).padStart(2, "0") : x)).join(":");
}

/**
 * After net_init, before the first poll sends a DISCOVER: the host name,
 * the DNS servers (net_init clears them), and the watcher that prints
 * DHCP and DNS lines.
 */
export function afterStart(board: Board, o: AddrOptions): BoardApp {
  if (o.hostname) board.stack.setHostname(o.hostname);
  (o.dns ?? []).forEach((d, i) => board.stack.dnsServer(i, d));
  const w = new NetWatch(o.resolve ?? []);
  board.addApp(w);
  return w;
}
