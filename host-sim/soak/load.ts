/**
 * The soak's client side: one app per client board that runs echo
 * transfers (TcpClient, pattern bytes, hashed not kept) and verifies each
 * as it ends: every byte back, the SHA-256 of what came back equal to that
 * of what was sent. Finished clients are dropped, so a day of connections
 * holds no more than the few in flight.
 */
import { createHash } from "node:crypto";
import type { Board, BoardApp } from "../board.js";
import { TcpClient, patternByte } from "../apps/index.js";

export interface LoadCounts {
  started: number; completed: number; corrupt: number; failed: number;
  bytes: number; longCompleted: number;
  /** Failed connections by error text. */
  errors: Record<string, number>;
}

const digests = new Map<number, string>();

/** SHA-256 (hex) of the first n pattern bytes TcpClient sends. */
export function patternDigest(n: number): string {
  let d = digests.get(n);
  if (d === undefined) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = patternByte(i);
    d = createHash("sha256").update(b).digest("hex");
    digests.set(n, d);
  }
  return d;
}

export class EchoLoad implements BoardApp {
  readonly name = "soak-load";
  readonly counts: LoadCounts = { started: 0, completed: 0, corrupt: 0, failed: 0, bytes: 0, longCompleted: 0, errors: {} };
  private readonly active: { c: TcpClient; n: number; long: boolean }[] = [];
  private board: Board | null = null;

  constructor(readonly serverIp: string, readonly port = 7) {}

  get inFlight(): number { return this.active.length; }

  start(board: Board): void { this.board = board; }

  /** Start one echo transfer of `n` bytes. */
  open(n: number, long = false): void {
    if (!this.board) return;
    const c = new TcpClient({ ip: this.serverIp, port: this.port, send: n, keep: false });
    this.counts.started++;
    this.active.push({ c, n, long });
    c.start(this.board);
    this.board.kick();
  }

  service(board: Board): boolean {
    let worked = false;
    for (let i = 0; i < this.active.length; i++) {
      const a = this.active[i];
      if (a.c.service(board)) worked = true;
      if (!a.c.done) continue;
      this.finish(a);
      this.active.splice(i--, 1);
    }
    return worked;
  }

  private finish(a: { c: TcpClient; n: number; long: boolean }): void {
    const k = this.counts;
    if (a.c.error !== null) {
      k.failed++;
      k.errors[a.c.error] = (k.errors[a.c.error] ?? 0) + 1;
    } else if (a.c.bytesIn !== a.n || a.c.digest() !== patternDigest(a.n)) {
      k.corrupt++;
    } else {
      k.completed++;
      k.bytes += a.n;
      if (a.long) k.longCompleted++;
    }
  }

  stop(): void { for (const a of this.active) a.c.stop(); }
}
