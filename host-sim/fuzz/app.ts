/**
 * The board's application during a fuzz run: an echo server on port 80
 * (and on every connection the board opened), written against the raw ABI
 * so each result can be held to docs/ABI.md. It reads everything, writes it
 * back, closes after the peer's FIN once the echo is out, and closes a
 * connection that failed. Handles it gave up by tcp_abort are stale at
 * once and kept for the bad-handle calls.
 */
import { concat } from "../wire/index.js";
import { CONN_ERRORS, EAGAIN, Module } from "./module.js";
import { FuzzFailure } from "./world.js";

interface Held { pending: Uint8Array; eof: boolean; }

export class App {
  readonly conns = new Map<number, Held>();
  /** Handles that must answer EINVAL from now on. */
  readonly stale: number[] = [];
  listener = -1;

  constructor(private readonly m: Module) {}

  listen(port: number): void {
    this.listener = this.m.expect("tcp_listen", [port, 8], [], 0x7fffffff);
    if (this.listener <= 0) throw new FuzzFailure(`tcp_listen(${port}) gave ${this.listener}`);
  }

  /** A connection the board opened (tcp_connect succeeded). */
  adopt(h: number): void { this.conns.set(h, { pending: new Uint8Array(0), eof: false }); }

  /** Accept what is waiting and move data on every connection. */
  step(): void {
    for (;;) {
      const h = this.m.expect("tcp_accept", [this.listener], [EAGAIN], 0x7fffffff);
      if (h === EAGAIN) break;
      if (h === 0 || this.conns.has(h)) throw new FuzzFailure(`tcp_accept returned ${h}, ${h === 0 ? "not a handle" : "a handle already held"}`);
      this.adopt(h);
    }
    for (const [h, c] of this.conns) this.pump(h, c);
  }

  private pump(h: number, c: Held): void {
    const m = this.m;
    while (!c.eof && c.pending.length < 16384) {
      const r = m.expect("tcp_recv", [h, m.scratch, m.scratchSize], [EAGAIN, ...CONN_ERRORS], m.scratchSize);
      if (r > 0) { c.pending = concat(c.pending, m.memory.slice(m.scratch, m.scratch + r)); continue; }
      if (r === 0) c.eof = true;
      else if (r !== EAGAIN && r !== CONN_ERRORS[0]) return this.close(h);
      break;
    }
    while (c.pending.length > 0) {
      const n = Math.min(c.pending.length, m.scratchSize);
      const p = m.stack.writeScratch(c.pending.subarray(0, n));
      const r = m.expect("tcp_send", [h, p, n], CONN_ERRORS, n);
      if (r < 0 && r !== CONN_ERRORS[0]) return this.close(h);
      if (r <= 0) break;
      c.pending = c.pending.subarray(r);
    }
    if (c.eof && c.pending.length === 0) this.close(h);
  }

  /** tcp_close: the stack frees the TCB when it is done (docs/ABI.md "Handles"). */
  close(h: number): void {
    this.m.expect("tcp_close", [h], [0]);
    this.conns.delete(h);
  }

  /** tcp_abort: the TCB is freed at once, so the handle is stale. */
  abort(h: number): void {
    this.m.expect("tcp_abort", [h], [0]);
    this.conns.delete(h);
    this.stale.push(h);
  }

  /** Abort every connection (end of an instance, before the health check). */
  abortAll(): void { for (const h of [...this.conns.keys()]) this.abort(h); }
}
