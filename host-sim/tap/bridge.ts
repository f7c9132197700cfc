/**
 * `embertcp bridge`: joins two link ends frame for frame — typically a TAP
 * device (Linux) and a serial port (a board, real or simulated, at the other
 * end of a UART) — so the Linux kernel talks to whatever is on the serial
 * line. Both ends carry frames with their FCS, so frames pass unchanged; each
 * end validates what it receives and counts what it drops.
 *
 * If one end goes away the bridge says so in one line and keeps the other
 * end open (frames towards the lost end are counted as dropped by it).
 */

import type { LinkEnd, LinkStats } from "../links/types.js";

export interface BridgeStats { aToB: number; bToA: number; a: LinkStats; b: LinkStats; }

export class LinkBridge {
  aToB = 0;
  bToA = 0;
  readonly down: string[] = [];

  constructor(readonly a: LinkEnd, readonly b: LinkEnd, readonly names: [string, string], onDown?: (line: string) => void) {
    a.onFrame = (f) => { this.aToB++; b.send(f); };
    b.onFrame = (f) => { this.bToA++; a.send(f); };
    a.onDown = (r) => { const l = `${names[0]} down: ${r}; ${names[1]} stays up`; this.down.push(l); onDown?.(l); };
    b.onDown = (r) => { const l = `${names[1]} down: ${r}; ${names[0]} stays up`; this.down.push(l); onDown?.(l); };
  }

  stats(): BridgeStats { return { aToB: this.aToB, bToA: this.bToA, a: this.a.stats(), b: this.b.stats() }; }

  /** One progress line: frames each way and the ends' drop counters that are not zero. */
  progress(): string {
    const drops = (s: LinkStats) => Object.entries(s).filter(([k, v]) => k.startsWith("drop") && v > 0).map(([k, v]) => `${k}=${v}`).join(" ");
    const da = drops(this.a.stats()), db = drops(this.b.stats());
    return `${this.names[0]} -> ${this.names[1]} ${this.aToB} frames, ${this.names[1]} -> ${this.names[0]} ${this.bToA} frames` +
      (da ? `; ${this.names[0]} ${da}` : "") + (db ? `; ${this.names[1]} ${db}` : "");
  }

  close(): void {
    this.a.close();
    this.b.close();
  }
}
