// The ENC28J60 SPI instruction layer (DS39662 §4.2, Table 4-1): the seven
// opcodes, a bank cache, 16-bit pointer and PHY (MII) access. This is the
// only module that calls the HAL's SPI functions; every transaction is one
// chip-select low..high frame, as §4.2 requires.
//
// Invariants: `bank` mirrors ECON1.BSEL1:0 (-1 = unknown, forces a switch);
// bank bits are changed only with BFS/BFC so the other ECON1 bits
// (TXRTS, RXEN, ...) are never disturbed. Nothing here allocates.

import { spi_select, spi_transfer } from "../hal";
import {
  REG_ADDR, REG_MAC, REG_COMMON, ECON1, ECON1_BSEL, OP_RCR, OP_WCR, OP_BFS, OP_BFC,
  OP_RBM, OP_WBM, OP_SRC, MIREGADR, MICMD, MICMD_MIIRD, MISTAT, MISTAT_BUSY,
  MIRDL, MIRDH, MIWRL, MIWRH,
} from "./regs";

/** Bytes moved through `io` per transfer when writing the buffer. */
// @ts-ignore: decorator
@inline const CHUNK: i32 = 64;

// The static SPI buffer: opcode + up to 2 bytes for register operations, or
// one chunk of buffer data for WBM (the caller's frame is never overwritten
// by the bytes clocked back in).
const io = memory.data(CHUNK);

let bank: i32 = -1;

/** MII BUSY polls before giving up; one poll is about 3-5 SPI bytes, so
 * even at 20 MHz this covers the 10.24 µs transaction several times over. */
// @ts-ignore: decorator
@inline const MII_POLLS: i32 = 200;

/** Forget the cached bank (after a reset, or when unsure). */
export function spiForgetBank(): void { bank = -1; }

function frame(len: i32): void {
  spi_select(1);
  spi_transfer(io, len);
  spi_select(0);
}

function op(opcode: u32, reg: u32, data: u32): void {
  store<u8>(io, <u8>(opcode | (reg & REG_ADDR)));
  store<u8>(io, <u8>data, 1);
  frame(2);
}

/** Select the bank `reg` lives in, unless it is a common register. */
function selectBank(reg: u32): void {
  if ((reg & REG_ADDR) >= REG_COMMON) return;
  const want = <i32>((reg >> 5) & 3);
  if (want == bank) return;
  // Clear only the bits that must go, set only those that must come; an
  // unknown bank clears both.
  const cur = bank < 0 ? <i32>ECON1_BSEL : bank;
  const clr = cur & ~want;
  const set = bank < 0 ? want : want & ~cur;
  if (clr) op(OP_BFC, ECON1, <u32>clr);
  if (set) op(OP_BFS, ECON1, <u32>set);
  bank = want;
}

/** RCR: read a control register; MAC/MII registers shift out a dummy byte first (§4.2.1). */
export function readReg(reg: u32): u32 {
  selectBank(reg);
  store<u8>(io, <u8>(OP_RCR | (reg & REG_ADDR)));
  const n = (reg & REG_MAC) ? 3 : 2;
  frame(n);
  return <u32>load<u8>(io + n - 1);
}

/** WCR: write a control register (§4.2.3). */
export function writeReg(reg: u32, value: u32): void {
  selectBank(reg);
  op(OP_WCR, reg, value);
}

/** BFS: OR `mask` into an ETH register (§4.2.5; no effect on MAC/MII). */
export function setBits(reg: u32, mask: u32): void {
  selectBank(reg);
  op(OP_BFS, reg, mask);
}

/** BFC: clear `mask` in an ETH register (§4.2.5). */
export function clearBits(reg: u32, mask: u32): void {
  selectBank(reg);
  op(OP_BFC, reg, mask);
}

/** Write a buffer pointer, L first: for ERXRDPT the H write loads both (§3.2.1). */
export function writePtr(regL: u32, value: u32): void {
  writeReg(regL, value & 0xff);
  writeReg(regL + 1, (value >> 8) & 0x1f);
}

/** RBM: read `len` bytes from ERDPT into `dst` (auto-increment, ring wrap at ERXND). */
export function readBuffer(dst: usize, len: i32): void {
  store<u8>(io, OP_RBM);
  spi_select(1);
  spi_transfer(io, 1);
  if (len > 0) spi_transfer(dst, len);
  spi_select(0);
}

/** WBM: write one control byte then `len` bytes from `src` at EWRPT (§4.2.4). */
export function writeBufferWithControl(control: u32, src: usize, len: i32): void {
  store<u8>(io, OP_WBM);
  store<u8>(io, <u8>control, 1);
  spi_select(1);
  spi_transfer(io, 2);
  for (let off = 0; off < len; off += CHUNK) {
    const n = min(CHUNK, len - off);
    memory.copy(io, src + <usize>off, <usize>n);
    spi_transfer(io, n);
  }
  spi_select(0);
}

/** SRC: system reset (§4.2.7); the bank returns to 0 with ECON1. */
export function softReset(): void {
  store<u8>(io, OP_SRC);
  frame(1);
  bank = 0;
}

/** Wait (bounded) for MISTAT.BUSY to clear; false if it never did. */
function miiWait(): bool {
  for (let i = 0; i < MII_POLLS; i++) {
    if (!(readReg(MISTAT) & MISTAT_BUSY)) return true;
  }
  return false;
}

/** Read a PHY register (§3.3.1); returns -1 if the MII stayed busy. */
export function readPhy(addr: u32): i32 {
  writeReg(MIREGADR, addr);
  writeReg(MICMD, MICMD_MIIRD);
  const ok = miiWait();
  writeReg(MICMD, 0);
  if (!ok) return -1;
  return <i32>(readReg(MIRDL) | (readReg(MIRDH) << 8));
}

/** Write a PHY register (§3.3.2: the MIWRH write starts it); false if the MII stayed busy. */
export function writePhy(addr: u32, value: u32): bool {
  writeReg(MIREGADR, addr);
  writeReg(MIWRL, value & 0xff);
  writeReg(MIWRH, (value >> 8) & 0xff);
  return miiWait();
}
