/**
 * Lines about the board's address and names, for `embertcp sim`: watches
 * net_addr after every poll and reports DHCP transitions (bound, renewing,
 * renewed, rebinding, expired), then resolves the names given with
 * --resolve once the board has an address and a DNS server, printing
 * `dns: NAME → A.B.C.D` or the error. An app only in that it runs after
 * each poll through the ABI; it opens no socket of its own.
 */
import type { Board, BoardApp } from "../board.js";
import { EmberError } from "../errors.js";
import { DHCP_STATES, type NetAddr } from "../stack.js";

/** Prefix length of a contiguous netmask. */
export function prefixOf(mask: string): number {
  return mask.split(".").map(Number).reduce((n, b) => n + (b.toString(2).match(/1/g)?.length ?? 0), 0);
}

/** The `dhcp: bound …` line (also what the status page shows). */
export function leaseLine(a: NetAddr): string {
  const dns = [a.dns1, a.dns2].filter((d) => d !== "0.0.0.0").join(" ") || "none";
  const lease = a.leaseLeft === 0xffffffff ? "infinite" : `${a.leaseLeft} s`;
  return `${a.ip}/${prefixOf(a.netmask)} gw ${a.gateway === "0.0.0.0" ? "none" : a.gateway} dns ${dns} lease ${lease} from ${a.server}`;
}

/** The line for a change of DHCP state from `prev` to `a`, or null for none worth a line. */
export function dhcpTransition(prev: NetAddr | null, a: NetAddr): string | null {
  const was = prev ? DHCP_STATES[prev.dhcpState] : "none";
  const now = DHCP_STATES[a.dhcpState];
  if (was === now) return null;
  if (now === "BOUND") return was === "RENEWING" || was === "REBINDING" ? `renewed ${leaseLine(a)}` : `bound ${leaseLine(a)}`;
  if (now === "RENEWING") return `renewing (T1) with ${a.server}, ${a.leaseLeft} s left`;
  if (now === "REBINDING") return `rebinding (T2), ${a.leaseLeft} s left`;
  if ((was === "BOUND" || was === "RENEWING" || was === "REBINDING") && a.ip === "0.0.0.0") return `lease of ${prev!.ip} ended: address given up, connections reset; ${now}`;
  if (now === "SELECTING") return "discovering";
  if (now === "CHECKING") return `probing ${a.ip === "0.0.0.0" ? "the offered address" : a.ip} (ARP)`;
  if (now === "INIT" && was === "CHECKING") return "address in use (ARP conflict): declined, starting over in 10 s";
  return null;
}

export class NetWatch implements BoardApp {
  readonly name = "netwatch";
  private last: NetAddr | null = null;
  private readonly pending: string[];
  private readonly queries = new Map<string, number>();

  constructor(resolve: string[] = []) {
    this.pending = [...resolve];
  }

  start(board: Board): void {
    this.service(board);
  }

  service(board: Board): boolean {
    // This runs after every poll, thousands of times a second under a
    // flood: only a new DHCP state or a name still to resolve needs the
    // whole record with its dotted quads.
    try {
      if (this.last && this.pending.length === 0 && this.queries.size === 0 && board.stack.dhcpState() === this.last.dhcpState) return false;
    } catch { return false; }
    let a: NetAddr;
    try { a = board.stack.netAddr(); } catch { return false; }
    const line = dhcpTransition(this.last, a);
    if (line) board.event("dhcp", line);
    this.last = a;
    if (a.ip !== "0.0.0.0") this.resolve(board, a);
    return false;
  }

  private resolve(board: Board, a: NetAddr): void {
    while (this.pending.length > 0 && this.queries.size < 2) {
      const name = this.pending.shift()!;
      if (a.dns1 === "0.0.0.0" && a.dns2 === "0.0.0.0" && !/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
        board.event("dns", `${name}: no DNS server (give --dns A.B.C.D, or DHCP's option 6)`);
        continue;
      }
      try { this.queries.set(name, board.stack.dnsQuery(name)); } catch (e) { board.event("dns", `${name}: ${(e as EmberError).errno ?? e}`); }
    }
    for (const [name, q] of this.queries) {
      try {
        const r = board.stack.dnsResult(q);
        if (r === null) continue;
        board.event("dns", `${name} → ${r}`);
      } catch (e) {
        board.event("dns", `${name}: ${e instanceof EmberError ? e.errno : String(e)}`);
      }
      this.queries.delete(name);
    }
  }

  stop(): void {}
}
