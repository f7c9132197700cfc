// Raw SPI access to the chip model for its unit tests, written from the
// data sheet's opcode table (DS39662 Table 4-1), independent of the driver.

import type { Enc28j60 } from "../../host-sim/enc28j60/chip.js";
import { ECON1 } from "../../host-sim/enc28j60/regs.js";

export class RawSpi {
  constructor(readonly chip: Enc28j60) {}

  /** One CS-framed transaction; returns the bytes read. */
  tx(...bytes: number[]): number[] {
    const b = Uint8Array.from(bytes);
    this.chip.select(true);
    this.chip.transfer(b);
    this.chip.select(false);
    return [...b];
  }

  bank(n: number): void { this.bfc(ECON1, 0x03); if (n) this.bfs(ECON1, n); }
  /** RCR of an ETH register. */
  rcr(addr: number): number { return this.tx(addr & 0x1f, 0)[1]; }
  /** RCR of a MAC/MII register: dummy byte, then data. */
  rcrMac(addr: number): number { return this.tx(addr & 0x1f, 0, 0)[2]; }
  wcr(addr: number, v: number): void { this.tx(0x40 | addr, v); }
  bfs(addr: number, m: number): void { this.tx(0x80 | addr, m); }
  bfc(addr: number, m: number): void { this.tx(0xa0 | addr, m); }
  rbm(n: number): number[] { return this.tx(0x3a, ...new Array<number>(n).fill(0)).slice(1); }
  wbm(bytes: ArrayLike<number>): void { this.tx(0x7a, ...Array.from(bytes)); }
  src(): void { this.tx(0xff); }

  /** Write a pointer pair L then H in bank 0..3. */
  ptr(bank: number, addrL: number, v: number): void {
    this.bank(bank);
    this.wcr(addrL, v & 0xff);
    this.wcr(addrL + 1, v >> 8);
  }

  readPtr(bank: number, addrL: number): number {
    this.bank(bank);
    return this.rcr(addrL) | (this.rcr(addrL + 1) << 8);
  }
}
