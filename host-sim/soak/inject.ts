/**
 * What happens during a soak, each on its own seeded schedule in virtual
 * time until traffic stops: short echo transfers from both clients, a
 * long transfer now and then, SYN floods from spoofed sources, and the
 * ENC28J60 faults (DS80349 errata 12's TX wedge, a receive-ring overflow
 * burst, a link flap) on a random board. Everything injected is counted.
 */
import { appendFcs } from "../crc32.js";
import { Prng } from "../links/index.js";
import { SYN, tcpFrame } from "../wire/index.js";
import { boards, SERVER_IP, type SoakNet } from "./net.js";

export interface Injected {
  shortTransfers: number; longTransfers: number;
  floods: number; floodSyns: number;
  txWedges: number; rxOverflowBursts: number; rxOverflowFrames: number; linkFlaps: number;
}

export const LONG_BYTES = 1 << 20;

export class Injector {
  readonly injected: Injected = { shortTransfers: 0, longTransfers: 0, floods: 0, floodSyns: 0, txWedges: 0, rxOverflowBursts: 0, rxOverflowFrames: 0, linkFlaps: 0 };
  private readonly r: Prng;
  private stopped = false;

  constructor(private readonly net: SoakNet, seed: number) { this.r = new Prng(seed ^ 0x50a4); }

  /** Start every schedule. */
  start(): void {
    for (let i = 0; i < this.net.loads.length; i++) this.every(() => 300 + this.r.below(2700), () => this.short(i));
    this.every(() => 2 * 3_600_000 + this.r.below(2 * 3_600_000), () => this.long(), 20 * 60_000);
    this.every(() => 30 * 60_000 + this.r.below(60 * 60_000), () => this.flood(), 20 * 60_000);
    this.every(() => 5 * 60_000 + this.r.below(15 * 60_000), () => this.chipFault());
  }

  /** No new traffic or faults from now on. */
  stop(): void { this.stopped = true; }

  private every(gap: () => number, fn: () => void, first = gap()): void {
    const c = this.net.clock;
    const tick = () => { if (this.stopped) return; fn(); c.at(c.now() + gap(), tick); };
    c.at(c.now() + first, tick);
  }

  private short(i: number): void {
    const load = this.net.loads[i];
    if (load.inFlight >= 3) return;
    this.injected.shortTransfers++;
    load.open(1 + this.r.below(4000));
  }

  private long(): void {
    this.injected.longTransfers++;
    this.net.loads[this.r.below(this.net.loads.length)].open(LONG_BYTES, true);
  }

  /** 200 SYNs 5 ms apart from spoofed addresses of the subnet to the echo port. */
  private flood(): void {
    this.injected.floods++;
    const c = this.net.clock;
    for (let k = 0; k < 200; k++) {
      const src = 100 + this.r.below(150), port = 1024 + this.r.below(60000), seq = this.r.below(2 ** 32);
      c.at(c.now() + k * 5, () => {
        this.injected.floodSyns++;
        const f = tcpFrame({ srcIp: `10.0.0.${src}`, dstIp: SERVER_IP, srcPort: port, dstPort: 7, seq, flags: SYN, mss: 1460 },
          { srcMac: `02:00:00:00:01:${src.toString(16).padStart(2, "0")}`, dstMac: "02:00:00:00:00:02" });
        this.net.flooder.send(appendFcs(f));
      });
    }
  }

  private chipFault(): void {
    const all = boards(this.net);
    const b = all[this.r.below(all.length)];
    // The three kinds in turn, so even one simulated hour sees each.
    const k = (this.injected.txWedges + this.injected.rxOverflowBursts + this.injected.linkFlaps) % 3;
    if (k === 0) { this.injected.txWedges++; b.chip.faults.txStall++; }
    else if (k === 1) {
      const n = 1 + this.r.below(8);
      this.injected.rxOverflowBursts++; this.injected.rxOverflowFrames += n;
      b.chip.faults.rxOverflow += n;
    } else {
      this.injected.linkFlaps++;
      b.chip.setLink(false);
      const c = this.net.clock;
      c.at(c.now() + 200 + this.r.below(5000), () => b.chip.setLink(true));
    }
  }
}
