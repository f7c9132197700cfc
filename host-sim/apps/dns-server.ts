/**
 * A tiny authoritative DNS server (RFC 1035 §4.1) that runs on a board
 * through the UDP calls of the ABI, for the demo: A records from a table,
 * NXDOMAIN for other names in its zone, REFUSED for anything else. It reads
 * one uncompressed question and ignores what it cannot parse.
 */
import type { Board } from "../board.js";
import type { Datagram } from "../stack.js";
import { type UdpReply, UdpServer } from "./udp-server.js";
import { ipToNumber } from "../stack.js";

/** The question of a query: its name (lower case), type, and where it ends; null when unreadable. */
function question(m: Uint8Array): { name: string; type: number; end: number } | null {
  if (m.length < 17 || (m[2] & 0x80) !== 0 || ((m[4] << 8) | m[5]) !== 1) return null;
  const labels: string[] = [];
  let i = 12;
  while (i < m.length && m[i] !== 0) {
    if (m[i] > 63 || i + 1 + m[i] > m.length) return null;
    labels.push(new TextDecoder().decode(m.subarray(i + 1, i + 1 + m[i])).toLowerCase());
    i += 1 + m[i];
  }
  if (i + 5 > m.length) return null;
  return { name: labels.join("."), type: (m[i + 1] << 8) | m[i + 2], end: i + 5 };
}

export class DnsServer extends UdpServer {
  readonly name = "dns-server";
  /** Queries answered. */
  answered = 0;

  /** `records`: name → address; names under `zone` that are not in it get NXDOMAIN. */
  constructor(private readonly records: Record<string, string>, private readonly zone: string) { super(53); }

  /** A query gets its answer; anything that is not one gets nothing. */
  protected answer(_board: Board, d: Datagram): UdpReply | null {
    const q = question(d.data);
    return q ? { to: d.from, port: d.port, data: this.response(d.data, q) } : null;
  }

  protected sent(): void { this.answered++; }

  private response(m: Uint8Array, q: { name: string; type: number; end: number }): Uint8Array {
    const addr = this.records[q.name];
    const inZone = q.name === this.zone || q.name.endsWith(`.${this.zone}`);
    const rr = addr && q.type === 1 ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...u32(ipToNumber(addr))] : [];
    const rcode = addr || !inZone ? (inZone ? 0 : 5) : 3;
    const out = new Uint8Array(q.end + rr.length);
    out.set(m.subarray(0, q.end));
    out[2] = 0x84 | (m[2] & 0x01); // QR, AA, RD copied
    out[3] = rcode;
    out[6] = 0; out[7] = rr.length ? 1 : 0;
    out.fill(0, 8, 12);
    out.set(rr, q.end);
    return out;
  }
}

const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
