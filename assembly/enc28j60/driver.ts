// The ENC28J60 driver: chip operations built on spi.ts (DS39662, errata
// DS80349C). The link seam (link.ts) calls the six exports below; nothing
// else in the stack knows about the chip.
//
//   encInit     EREVID check, SRC; the rest of init waits >= 1 ms (DS80349 issue 2)
//   encService  finishes init, then services EIR: link, RX overflow, TX done
//   encReceive  one frame by EPKTCNT (DS80349 issue 6), header + status vector checks
//   encTransmit one frame into a free TX slot, then TXRTS (DS80349 issues 12, 13)
//
// Buffer layout (regs.ts): RX ring 0000h..13FFh, two TX slots of 600h bytes
// from 1400h, so one frame is written over SPI while the other is on the wire.
//
// Receive packet in the ring (§7.2.1, Fig. 7-3), little-endian:
//
//   +0 +1  next packet pointer      (even, inside the ring)
//   +2 +3  RSV 15..0  byte count     (destination .. FCS inclusive)
//   +4 +5  RSV 31..16 status         (bit 23 received OK, 20 CRC, 21 length)
//   +6 ..  frame, FCS, pad to even
//
// Invariants: every wait is an iteration cap (time only moves between
// polls); ERXRDPT is always odd; nothing read from the chip reaches a trap:
// anything implausible is counted and recovered from.

import { ENODEV, EINVAL, EAGAIN } from "../errors";
import { count, setGauge, Stat } from "../stats";
import { nowMs, expired, msUntil } from "../time";
import {
  ERDPTL, EWRPTL, ETXSTL, ETXNDL, ERXSTL, ERXNDL, ERXRDPTL, ERXFCON, EPKTCNT,
  MACON1, MACON3, MACON4, MABBIPG, MAIPGL, MAIPGH, MAMXFLL,
  MAADR1, EREVID,
  EIE, EIR, ESTAT, ECON2, ECON1,
  EIE_INTIE, EIE_PKTIE, EIE_LINKIE, EIE_TXIE, EIE_TXERIE, EIE_RXERIE,
  EIR_LINKIF, EIR_TXIF, EIR_TXERIF, EIR_RXERIF, EIR_DMAIF,
  ESTAT_TXABRT, ESTAT_BUFER, ESTAT_CLKRDY, ESTAT_UNIMPLEMENTED, ECON2_AUTOINC, ECON2_PKTDEC,
  ECON1_TXRST, ECON1_RXRST, ECON1_TXRTS, ECON1_RXEN,
  ERXFCON_UCEN, ERXFCON_CRCEN, ERXFCON_BCEN,
  MACON1_MARXEN, MACON1_TXPAUS, MACON1_RXPAUS,
  MACON3_PADCFG0, MACON3_TXCRCEN, MACON3_FRMLNEN, MACON3_FULDPX, MACON4_DEFER,
  PHCON1, PHCON2, PHSTAT2, PHIE, PHIR, PHLCON, PHCON1_PDPXMD, PHCON2_HDLDIS,
  PHSTAT2_LSTAT, PHIE_PLNKIE, PHIE_PGEIE, PHLCON_LEDS,
  RX_START, RX_END, TX_SLOT0, TX_SLOT_SIZE, FCS_LEN, FRAME_DATA_MAX, MAMXFL_VALUE,
  RSV_CRC_ERROR, RSV_LENGTH_CHECK_ERROR, RSV_RECEIVED_OK, TSV_BYTE3_LATE_COLLISION,
} from "./regs";
import {
  readReg, writeReg, setBits, clearBits, writePtr, readBuffer,
  writeBufferWithControl, softReset, readPhy, writePhy, spiForgetBank,
} from "./spi";
import { rxNextExpected, rxReadPtrFor, rxPtrValid } from "./ring";

const enum State { OFF = 0, RESET_WAIT, RUNNING, GONE }

/** ms after SRC before the chip is touched: >= 1 ms (DS80349 issue 2) on a
 * clock with 1 ms resolution. */
// @ts-ignore: decorator
@inline const RESET_WAIT_MS: u32 = 2;
/** TXRTS still set this long after it was raised: the TX logic is stuck. */
// @ts-ignore: decorator
@inline const TX_WATCHDOG_MS: u32 = 20;
/** ECON1 polls while waiting for the frame on the wire to finish: one poll
 * is 2 SPI bytes, a 1518-byte frame is 1.23 ms, so this covers it at 20 MHz
 * with room for deferral. */
// @ts-ignore: decorator
@inline const TX_WAIT_POLLS: i32 = 4096;
/** Late-collision retransmissions per frame (DS80349 issue 13). */
// @ts-ignore: decorator
@inline const TX_RETRY_MAX: i32 = 16;
/** Frames looked at per encReceive call before giving up on finding a good one. */
// @ts-ignore: decorator
@inline const RX_SCAN_MAX: i32 = 16;
/** Smallest frame handed up or sent: an Ethernet header. */
// @ts-ignore: decorator
@inline const FRAME_LEN_MIN: i32 = 14;

const macAddr = memory.data(6);
const hdr = memory.data(8);

/**
 * The driver's state: one record for the one chip, as the Linux driver
 * keeps one struct per device. Zero is "never initialised"; encInit
 * resets the record.
 */
@unmanaged class Chip {
  /** When the soft reset was issued (valid once resetTimed). */
  resetAt: u32;
  /** Where the next packet header is in the RX ring. */
  rxNext: u32;
  /** Packets known to be in the ring (EPKTCNT). */
  rxPending: u32;
  /** Control byte of the frame that has (or last had) TXRTS set. */
  txStart: u32;
  /** Its last byte (ETXND). */
  txEnd: u32;
  /** Late-collision retransmissions of that frame. */
  txRetries: i32;
  /** First encService that found TXRTS still set. */
  txWatchFrom: u32;
  state: State;
  fullDuplex: bool;
  /** resetAt has been read from a net_poll clock. */
  resetTimed: bool;
  linkUp: bool;
  /** A frame has TXRTS set. */
  txBusy: bool;
  /** txWatchFrom is valid. */
  txWatching: bool;
  /** The TX logic is reset before the next frame (DS80349 issue 12). */
  txResetNeeded: bool;
}

const chip = changetype<Chip>(memory.data(offsetof<Chip>(), 4));

// ---- chip operations ---------------------------------------------------

/** EREVID of a chip that answers: neither 00h nor FFh (floating or shorted MISO). */
function chipPresent(): bool {
  const rev = readReg(EREVID);
  return rev != 0 && rev != 0xff;
}

/**
 * Soft reset. `clockFresh` is false when called from encInit: net_init runs
 * outside net_poll, where nowMs() is whatever the last poll said (0 before
 * any), so the wait is then timed from the next encService instead.
 */
function reset(clockFresh: bool): void {
  softReset();
  spiForgetBank();
  chip.resetAt = nowMs();
  chip.resetTimed = clockFresh;
  chip.state = State.RESET_WAIT;
}

/** Receive ring pointers (§6.1). ERXRDPT = RX_END, odd (DS80349 issue 14). */
function initRxPointers(): void {
  writePtr(ERXSTL, RX_START);
  writePtr(ERXNDL, RX_END);
  writePtr(ERXRDPTL, RX_END);
  chip.rxNext = RX_START;
  chip.rxPending = 0;
}

/**
 * Receive filter and MAC set-up (§8, §6.5) as data, written in this order:
 * rows of register, value in half duplex, value in full duplex. Duplex
 * must match PHCON1.PDPXMD (§6.6). MAIPGH is last: only half duplex
 * writes it (§6.5 step 7), so full duplex stops one row short.
 */
const MAC_SETUP = memory.data<u8>([
  // Unicast to us, broadcast (ARP requests), good CRC only (§8).
  <u8>ERXFCON, ERXFCON_UCEN | ERXFCON_CRCEN | ERXFCON_BCEN, ERXFCON_UCEN | ERXFCON_CRCEN | ERXFCON_BCEN,
  <u8>MACON1, MACON1_MARXEN, MACON1_MARXEN | MACON1_TXPAUS | MACON1_RXPAUS,
  <u8>MACON3, MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN, MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN | MACON3_FULDPX,
  // Half duplex: DEFER waits for a busy medium indefinitely (IEEE 802.3).
  <u8>MACON4, MACON4_DEFER, 0,
  // MAMXFL, L then H like writePtr.
  <u8>MAMXFLL, <u8>MAMXFL_VALUE, <u8>MAMXFL_VALUE,
  <u8>(MAMXFLL + 1), <u8>(MAMXFL_VALUE >> 8), <u8>(MAMXFL_VALUE >> 8),
  // Back-to-back and non-back-to-back gaps recommended by §6.5 steps 6-7.
  <u8>MABBIPG, 0x12, 0x15,
  <u8>MAIPGL, 0x12, 0x12,
  <u8>MAIPGH, 0x0c, 0,
]);
// @ts-ignore: decorator
@inline const MAC_SETUP_ROWS: i32 = 9;

/** Write MAC_SETUP, then our address. */
function initMac(): void {
  const fd = chip.fullDuplex;
  const rows = fd ? MAC_SETUP_ROWS - 1 : MAC_SETUP_ROWS;
  for (let i = 0; i < rows; i++) {
    const row = MAC_SETUP + <usize>i * 3;
    writeReg(load<u8>(row), load<u8>(row + (fd ? 2 : 1)));
  }
  // MAADR1 is the first octet on the wire. The registers go in pairs, each
  // pair two addresses below the one before: MAADR1/2 at 04h/05h, MAADR3/4
  // at 02h/03h, MAADR5/6 at 00h/01h (Table 3-2).
  for (let i = 0; i < 6; i++) {
    writeReg(MAADR1 - <u32>(i & 6) + <u32>(i & 1), load<u8>(macAddr + <usize>i));
  }
}

/** PHY set-up (§6.6); false if an MII transaction never finished. */
function initPhy(): bool {
  const fd = chip.fullDuplex;
  // Duplex set explicitly: the LEDB strap detection is unreliable (DS80349
  // issue 16). HDLDIS in half duplex: PHY loopback there is unreliable (DS80349 issue 9).
  if (!writePhy(PHCON1, fd ? PHCON1_PDPXMD : 0)) return false;
  if (!writePhy(PHCON2, fd ? 0 : PHCON2_HDLDIS)) return false;
  if (!writePhy(PHLCON, PHLCON_LEDS)) return false;
  // Link changes raise EIR.LINKIF (§12.1.5).
  if (!writePhy(PHIE, PHIE_PGEIE | PHIE_PLNKIE)) return false;
  return ackLinkChange();
}

/** Read PHIR, which clears PGIF/PLNKIF and with them EIR.LINKIF
 * (§12.1.5), then the link state; false if the MII stayed busy. */
function ackLinkChange(): bool {
  return readPhy(PHIR) >= 0 && refreshLink();
}

/** Read PHSTAT2.LSTAT into chip.linkUp; false if the MII stayed busy. */
function refreshLink(): bool {
  const st = readPhy(PHSTAT2);
  if (st < 0) return false;
  const up = (st & PHSTAT2_LSTAT) != 0;
  if (up != chip.linkUp) count(Stat.ENC_LINK_CHANGES);
  chip.linkUp = up;
  setGauge(Stat.ENC_LINK_UP, up ? 1 : 0);
  return true;
}

/** Everything after the post-SRC wait; false if the chip does not answer. */
function configure(): bool {
  writeReg(ECON1, 0);
  spiForgetBank();
  writeReg(ECON2, ECON2_AUTOINC);
  if (!chipPresent()) return false;
  initRxPointers();
  initMac();
  if (!initPhy()) return false;
  chip.txBusy = false;
  chip.txResetNeeded = true;
  // LINKIF is read-only: the PHIR read above cleared it (§12.1.5).
  clearBits(EIR, EIR_DMAIF | EIR_TXIF | EIR_TXERIF | EIR_RXERIF);
  writeReg(EIE, EIE_INTIE | EIE_PKTIE | EIE_LINKIE | EIE_TXIE | EIE_TXERIE | EIE_RXERIE);
  setBits(ECON1, ECON1_RXEN);
  return true;
}

/** Receiver reset after a corrupt ring (§7.2, ECON1.RXRST): packets still in
 * the ring are lost, connections above are not. */
function resetRx(): void {
  count(Stat.ENC_RX_RESETS);
  clearBits(ECON1, ECON1_RXEN);
  setBits(ECON1, ECON1_RXRST);
  clearBits(ECON1, ECON1_RXRST);
  initRxPointers();
  clearBits(EIR, EIR_RXERIF);
  clearBits(ESTAT, ESTAT_BUFER);
  setBits(ECON1, ECON1_RXEN);
}

/** Pulse TXRST and clear the flags it may raise (DS80349 issue 12). */
function resetTx(): void {
  setBits(ECON1, ECON1_TXRST);
  clearBits(ECON1, ECON1_TXRST);
  clearBits(EIR, EIR_TXERIF | EIR_TXIF);
  clearBits(ESTAT, ESTAT_TXABRT);
  chip.txResetNeeded = false;
}

/** Point the TX registers at the current slot and raise TXRTS (§7.1 steps 3-5). */
function startTx(): void {
  if (chip.txResetNeeded) resetTx();
  writePtr(ETXSTL, chip.txStart);
  writePtr(ETXNDL, chip.txEnd);
  setBits(ECON1, ECON1_TXRTS);
  chip.txBusy = true;
  // The watchdog starts at the next encService: encTransmit may run
  // outside net_poll, where nowMs() is stale.
  chip.txWatching = false;
}

/** Advance the frame in flight: false while TXRTS is still set. On
 * completion counts the outcome and retransmits after a late collision. */
function txPoll(): bool {
  if (readReg(ECON1) & ECON1_TXRTS) return false;
  clearBits(EIR, EIR_TXIF);
  if (!(readReg(ESTAT) & ESTAT_TXABRT)) {
    txDone(Stat.ENC_TX_FRAMES);
    return true;
  }
  // Aborted: the TSV at ETXND + 1 says why; ESTAT.LATECOL is unreliable
  // (DS80349 issue 15), TSV bit 29 is not.
  writePtr(ERDPTL, chip.txEnd + 1);
  readBuffer(hdr, 4);
  chip.txResetNeeded = true;
  if ((load<u8>(hdr, 3) & TSV_BYTE3_LATE_COLLISION) && chip.txRetries < TX_RETRY_MAX) {
    // DS80349 issue 13: a link pulse taken for a late collision; send again.
    chip.txRetries++;
    count(Stat.ENC_TX_RETRIES);
    startTx();
    return false;
  }
  txDone(Stat.ENC_TX_ERRORS);
  return true;
}

/** The frame in flight is done with: counted as `outcome`, its slot free. */
function txDone(outcome: Stat): void {
  count(outcome);
  chip.txBusy = false;
}

/** TXRTS stuck (DS80349 issue 12): cancel by TX logic reset, drop the frame. */
function txWedged(): void {
  clearBits(ECON1, ECON1_TXRTS);
  resetTx();
  txDone(Stat.ENC_TX_ERRORS);
}

/** Wait (bounded) until no frame is in flight. */
function txDrain(): void {
  let polls = 0;
  let retries = chip.txRetries;
  while (chip.txBusy) {
    if (txPoll()) return;
    if (chip.txRetries != retries) { retries = chip.txRetries; polls = 0; }
    if (++polls >= TX_WAIT_POLLS) { txWedged(); return; }
  }
}

// ---- the link seam -----------------------------------------------------

/** Probe and soft-reset the chip; 0, or ENODEV when EREVID reads 00h/FFh. */
export function encInit(mac: usize, fullDuplexMode: bool): i32 {
  memory.copy(macAddr, mac, 6);
  // The ring pointers and the TX reset flag are set by configure(), the
  // TX slot by the first encTransmit: nothing reads them before.
  memory.fill(changetype<usize>(chip), 0, offsetof<Chip>());
  chip.fullDuplex = fullDuplexMode;
  setGauge(Stat.ENC_LINK_UP, 0);
  spiForgetBank();
  if (!chipPresent()) { chip.state = State.GONE; return ENODEV; }
  reset(false);
  return 0;
}

/** Finish init, then service EIR and TX completion; 0 or ENODEV. */
export function encService(): i32 {
  const st = chip.state;
  if (st == State.GONE || st == State.OFF) return ENODEV;
  if (st == State.RESET_WAIT) {
    if (!chip.resetTimed) {
      chip.resetAt = nowMs();
      chip.resetTimed = true;
      return 0;
    }
    if (!expired(chip.resetAt + RESET_WAIT_MS)) return 0;
    if (!configure()) { chip.state = State.GONE; return ENODEV; }
    chip.state = State.RUNNING;
    return 0;
  }
  // ESTAT bit 3 is not a flag at all (it reads 0) and CLKRDY is 1 on a running
  // chip (DS39662 Register 12-2): anything else is a bus that no longer reaches it.
  const estat = readReg(ESTAT);
  if ((estat & ESTAT_UNIMPLEMENTED) || !(estat & ESTAT_CLKRDY)) {
    if (!chipPresent()) { chip.state = State.GONE; return ENODEV; }
    count(Stat.ENC_CHIP_RESETS);
    reset(true);
    return 0;
  }
  // RXEN is only ever off inside resetRx: if it reads 0 the chip was reset
  // behind our back (brown-out, RESET pin) and needs the whole init again.
  if (!(readReg(ECON1) & ECON1_RXEN)) {
    count(Stat.ENC_CHIP_RESETS);
    reset(true);
    return 0;
  }
  const eir = readReg(EIR);
  if (eir & EIR_LINKIF) {
    if (!ackLinkChange()) { chip.state = State.GONE; return ENODEV; }
  }
  if (eir & EIR_RXERIF) {
    // §12.1.2: a packet was aborted for want of space (or EPKTCNT = 255).
    // The packets already in the ring are intact; reading them frees space.
    count(Stat.ENC_RX_OVERFLOWS);
    clearBits(EIR, EIR_RXERIF);
    clearBits(ESTAT, ESTAT_BUFER);
  }
  if (chip.txBusy && !txPoll()) {
    if (!chip.txWatching) { chip.txWatching = true; chip.txWatchFrom = nowMs(); }
    else if (expired(chip.txWatchFrom + TX_WATCHDOG_MS)) txWedged();
  }
  return 0;
}

/** Copy the next good frame (without FCS) into buf; its length, or 0 if none. */
export function encReceive(buf: usize, max: i32): i32 {
  if (chip.state != State.RUNNING) return 0;
  for (let scanned = 0; scanned < RX_SCAN_MAX; scanned++) {
    // DS80349 issue 6: PKTIF is unreliable, EPKTCNT is the truth.
    if (chip.rxPending == 0) {
      chip.rxPending = readReg(EPKTCNT);
      if (chip.rxPending == 0) return 0;
    }
    writePtr(ERDPTL, chip.rxNext);
    readBuffer(hdr, 6);
    const next = <u32>load<u16>(hdr, 0);
    const byteCount = <u32>load<u16>(hdr, 2);
    const status = <u32>load<u16>(hdr, 4);
    // The next pointer must be where this packet ends (§7.2.2); anything
    // else is a corrupt ring (e.g. after an even ERXRDPT, DS80349 issue 14).
    if (!rxPtrValid(next) || next != rxNextExpected(chip.rxNext, byteCount)) {
      resetRx();
      return 0;
    }
    const len = <i32>byteCount - FCS_LEN;
    // Bit 22 (length out of range) is set for every EtherType frame: keep those.
    const good = (status & RSV_RECEIVED_OK) != 0
      && (status & (RSV_CRC_ERROR | RSV_LENGTH_CHECK_ERROR)) == 0
      && len >= FRAME_LEN_MIN && len <= FRAME_DATA_MAX && len <= max;
    // ERDPT is already at the frame; RBM wraps at ERXND by itself (§4.2.2).
    if (good) readBuffer(buf, len);
    writePtr(ERXRDPTL, rxReadPtrFor(next));
    setBits(ECON2, ECON2_PKTDEC);
    chip.rxNext = next;
    chip.rxPending--;
    if (good) { count(Stat.ENC_RX_FRAMES); return len; }
    count(Stat.ENC_RX_DROP);
  }
  return 0;
}

/** Queue one frame (no FCS: the chip pads and appends it); 0 or an error. */
export function encTransmit(buf: usize, len: i32): i32 {
  const st = chip.state;
  if (st == State.RESET_WAIT) return EAGAIN;
  if (st != State.RUNNING) return ENODEV;
  if (len < FRAME_LEN_MIN || len > FRAME_DATA_MAX) return EINVAL;
  // The slot not on the wire; its bytes may be written during the other's TX (§7.1).
  const start = chip.txBusy && chip.txStart == TX_SLOT0 ? TX_SLOT0 + TX_SLOT_SIZE : TX_SLOT0;
  writePtr(EWRPTL, start);
  // Control byte 00h: padding and CRC as MACON3 says (§7.1, Fig. 7-1).
  writeBufferWithControl(0, buf, len);
  txDrain();
  chip.txStart = start;
  chip.txEnd = start + <u32>len;
  chip.txRetries = 0;
  startTx();
  return 0;
}

/** ms until encService is needed (init wait, frame in flight), or -1. */
export function encNextDeadline(): i32 {
  const st = chip.state;
  if (st == State.RESET_WAIT) return chip.resetTimed ? msUntil(chip.resetAt + RESET_WAIT_MS) : 0;
  if (st == State.RUNNING && chip.txBusy) return 1;
  return -1;
}

/** The PHY reported link at the last check. */
export function encLinkUp(): bool {
  return chip.linkUp && chip.state == State.RUNNING;
}
