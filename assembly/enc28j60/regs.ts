// ENC28J60 registers as data (DS39662 §3.1, Table 3-1/3-2) and the buffer
// layout this driver uses.
//
// A control-register constant packs everything the SPI layer needs:
//
//   bit  7    6 5     4 3 2 1 0
//      +----+------+-----------+
//      |MAC | bank |  address  |
//      +----+------+-----------+
//
// MAC = the register is a MAC or MII register: RCR clocks out one dummy byte
// before the data (DS39662 §4.2.1, Fig. 4-4) and BFS/BFC do nothing on it
// (§4.2.5). Addresses 1Bh..1Fh (EIE, EIR, ESTAT, ECON2, ECON1) exist in every
// bank (Table 3-1), so the bank field of those is 0 and never switched.
// 16-bit pointers are the L register; H is at L + 1 and holds bits 12:8.
// PHY registers (§3.3) are a separate 5-bit address space reached via MII.

// @ts-ignore: decorator
@inline export const REG_ADDR: u32 = 0x1f;
// @ts-ignore: decorator
@inline export const REG_MAC: u32 = 0x80;
// @ts-ignore: decorator
@inline export const REG_COMMON: u32 = 0x1b;

// Bank 0 (ETH)
// @ts-ignore: decorator
@inline export const ERDPTL: u32 = 0x00;
// @ts-ignore: decorator
@inline export const EWRPTL: u32 = 0x02;
// @ts-ignore: decorator
@inline export const ETXSTL: u32 = 0x04;
// @ts-ignore: decorator
@inline export const ETXNDL: u32 = 0x06;
// @ts-ignore: decorator
@inline export const ERXSTL: u32 = 0x08;
// @ts-ignore: decorator
@inline export const ERXNDL: u32 = 0x0a;
// @ts-ignore: decorator
@inline export const ERXRDPTL: u32 = 0x0c;
// @ts-ignore: decorator
@inline export const ERXWRPTL: u32 = 0x0e;

// Bank 1 (ETH)
// @ts-ignore: decorator
@inline export const ERXFCON: u32 = 0x18 | (1 << 5);
// @ts-ignore: decorator
@inline export const EPKTCNT: u32 = 0x19 | (1 << 5);

// Bank 2 (MAC/MII: every implemented register)
// @ts-ignore: decorator
@inline export const MACON1: u32 = 0x00 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MACON3: u32 = 0x02 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MACON4: u32 = 0x03 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MABBIPG: u32 = 0x04 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MAIPGL: u32 = 0x06 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MAIPGH: u32 = 0x07 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MAMXFLL: u32 = 0x0a | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MICMD: u32 = 0x12 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MIREGADR: u32 = 0x14 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MIWRL: u32 = 0x16 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MIWRH: u32 = 0x17 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MIRDL: u32 = 0x18 | (2 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MIRDH: u32 = 0x19 | (2 << 5) | REG_MAC;

// Bank 3: MAADR and MISTAT are MAC/MII, the rest ETH. MAADR1 is the first
// octet on the wire but sits at 04h (Table 3-2 byte order).
// @ts-ignore: decorator
@inline export const MAADR5: u32 = 0x00 | (3 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MAADR6: u32 = 0x01 | (3 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MAADR3: u32 = 0x02 | (3 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MAADR4: u32 = 0x03 | (3 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MAADR1: u32 = 0x04 | (3 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MAADR2: u32 = 0x05 | (3 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const MISTAT: u32 = 0x0a | (3 << 5) | REG_MAC;
// @ts-ignore: decorator
@inline export const EREVID: u32 = 0x12 | (3 << 5);

// Common registers (all banks)
// @ts-ignore: decorator
@inline export const EIE: u32 = 0x1b;
// @ts-ignore: decorator
@inline export const EIR: u32 = 0x1c;
// @ts-ignore: decorator
@inline export const ESTAT: u32 = 0x1d;
// @ts-ignore: decorator
@inline export const ECON2: u32 = 0x1e;
// @ts-ignore: decorator
@inline export const ECON1: u32 = 0x1f;

// EIE / EIR bits (§12)
// @ts-ignore: decorator
@inline export const EIE_INTIE: u8 = 0x80;
// @ts-ignore: decorator
@inline export const EIE_PKTIE: u8 = 0x40;
// @ts-ignore: decorator
@inline export const EIE_LINKIE: u8 = 0x10;
// @ts-ignore: decorator
@inline export const EIE_TXIE: u8 = 0x08;
// @ts-ignore: decorator
@inline export const EIE_TXERIE: u8 = 0x02;
// @ts-ignore: decorator
@inline export const EIE_RXERIE: u8 = 0x01;
// @ts-ignore: decorator
@inline export const EIR_PKTIF: u8 = 0x40;
// @ts-ignore: decorator
@inline export const EIR_DMAIF: u8 = 0x20;
// @ts-ignore: decorator
@inline export const EIR_LINKIF: u8 = 0x10;
// @ts-ignore: decorator
@inline export const EIR_TXIF: u8 = 0x08;
// @ts-ignore: decorator
@inline export const EIR_TXERIF: u8 = 0x02;
// @ts-ignore: decorator
@inline export const EIR_RXERIF: u8 = 0x01;

// ESTAT bits (DS39662 Register 12-2: INT BUFER r LATECOL — RXBUSY TXABRT CLKRDY)
// @ts-ignore: decorator
@inline export const ESTAT_BUFER: u8 = 0x40;
/** Bit 3 is unimplemented and reads 0: set means the byte did not come from the chip. */
// @ts-ignore: decorator
@inline export const ESTAT_UNIMPLEMENTED: u8 = 0x08;
// @ts-ignore: decorator
@inline export const ESTAT_TXABRT: u8 = 0x02;
/** Oscillator start-up timer expired: 1 on a running chip. */
// @ts-ignore: decorator
@inline export const ESTAT_CLKRDY: u8 = 0x01;

// ECON2 / ECON1 bits
// @ts-ignore: decorator
@inline export const ECON2_AUTOINC: u8 = 0x80;
// @ts-ignore: decorator
@inline export const ECON2_PKTDEC: u8 = 0x40;
// @ts-ignore: decorator
@inline export const ECON1_TXRST: u8 = 0x80;
// @ts-ignore: decorator
@inline export const ECON1_RXRST: u8 = 0x40;
// @ts-ignore: decorator
@inline export const ECON1_TXRTS: u8 = 0x08;
// @ts-ignore: decorator
@inline export const ECON1_RXEN: u8 = 0x04;
// @ts-ignore: decorator
@inline export const ECON1_BSEL: u8 = 0x03;

// ERXFCON bits (§8)
// @ts-ignore: decorator
@inline export const ERXFCON_UCEN: u8 = 0x80;
// @ts-ignore: decorator
@inline export const ERXFCON_CRCEN: u8 = 0x20;
// @ts-ignore: decorator
@inline export const ERXFCON_MCEN: u8 = 0x02;
// @ts-ignore: decorator
@inline export const ERXFCON_BCEN: u8 = 0x01;

// MAC bits (§6.5)
// @ts-ignore: decorator
@inline export const MACON1_TXPAUS: u8 = 0x08;
// @ts-ignore: decorator
@inline export const MACON1_RXPAUS: u8 = 0x04;
// @ts-ignore: decorator
@inline export const MACON1_MARXEN: u8 = 0x01;
// @ts-ignore: decorator
@inline export const MACON3_PADCFG0: u8 = 0x20;
// @ts-ignore: decorator
@inline export const MACON3_TXCRCEN: u8 = 0x10;
// @ts-ignore: decorator
@inline export const MACON3_FRMLNEN: u8 = 0x02;
// @ts-ignore: decorator
@inline export const MACON3_FULDPX: u8 = 0x01;
// @ts-ignore: decorator
@inline export const MACON4_DEFER: u8 = 0x40;
// @ts-ignore: decorator
@inline export const MICMD_MIIRD: u8 = 0x01;
// @ts-ignore: decorator
@inline export const MISTAT_BUSY: u8 = 0x01;

// PHY registers (§3.3, Table 3-3) and bits
// @ts-ignore: decorator
@inline export const PHCON1: u32 = 0x00;
// @ts-ignore: decorator
@inline export const PHCON2: u32 = 0x10;
// @ts-ignore: decorator
@inline export const PHSTAT2: u32 = 0x11;
// @ts-ignore: decorator
@inline export const PHIE: u32 = 0x12;
// @ts-ignore: decorator
@inline export const PHIR: u32 = 0x13;
// @ts-ignore: decorator
@inline export const PHLCON: u32 = 0x14;
// @ts-ignore: decorator
@inline export const PHCON1_PDPXMD: u16 = 0x0100;
// @ts-ignore: decorator
@inline export const PHCON2_HDLDIS: u16 = 0x0100;
// @ts-ignore: decorator
@inline export const PHSTAT2_LSTAT: u16 = 0x0400;
// @ts-ignore: decorator
@inline export const PHIE_PLNKIE: u16 = 0x0010;
// @ts-ignore: decorator
@inline export const PHIE_PGEIE: u16 = 0x0002;
// LEDA = link (0100), LEDB = TX/RX activity (0111), stretched (LFRQ 00,
// STRCH); bits 13:12 must be written 1 (§2.6, Register 2-2).
// @ts-ignore: decorator
@inline export const PHLCON_LEDS: u16 = 0x3472;

// SPI opcodes (§4.2, Table 4-1)
// @ts-ignore: decorator
@inline export const OP_RCR: u8 = 0x00;
// @ts-ignore: decorator
@inline export const OP_RBM: u8 = 0x3a;
// @ts-ignore: decorator
@inline export const OP_WCR: u8 = 0x40;
// @ts-ignore: decorator
@inline export const OP_WBM: u8 = 0x7a;
// @ts-ignore: decorator
@inline export const OP_BFS: u8 = 0x80;
// @ts-ignore: decorator
@inline export const OP_BFC: u8 = 0xa0;
// @ts-ignore: decorator
@inline export const OP_SRC: u8 = 0xff;

// Buffer layout (§3.2). The receive ring starts at 0000h because writing
// ERXST may load 0000h into the write pointer anyway (DS80349 issue 5).
// Two transmit slots follow it, so one frame can be written over SPI while
// the other is on the wire; each slot holds the control byte, 1518 bytes
// of frame and the 7-byte status vector written at ETXND + 1 (§7.1).
// @ts-ignore: decorator
@inline export const RX_START: u32 = 0x0000;
// @ts-ignore: decorator
@inline export const RX_END: u32 = 0x13ff;
// @ts-ignore: decorator
@inline export const TX_SLOT0: u32 = 0x1400;
// @ts-ignore: decorator
@inline export const TX_SLOT_SIZE: u32 = 0x0600;

/** Largest frame on the wire, FCS included (IEEE 802.3 with no tag). */
// @ts-ignore: decorator
@inline export const FRAME_LEN_MAX: i32 = 1518;
// @ts-ignore: decorator
@inline export const FCS_LEN: i32 = 4;
/** Largest frame the driver copies in or out: without the FCS, which the chip checks and appends. */
// @ts-ignore: decorator
@inline export const FRAME_DATA_MAX: i32 = FRAME_LEN_MAX - FCS_LEN;
/** MAMXFL: counted with the FCS, like the receive byte count (§6.5 step 5). */
// @ts-ignore: decorator
@inline export const MAMXFL_VALUE: u32 = <u32>FRAME_LEN_MAX;

// Receive status vector, high 16 bits (§7.2.1, Table 7-3), as bits of the
// 16-bit word at header offset 4.
// @ts-ignore: decorator
@inline export const RSV_CRC_ERROR: u32 = 1 << (20 - 16);
// @ts-ignore: decorator
@inline export const RSV_LENGTH_CHECK_ERROR: u32 = 1 << (21 - 16);
// @ts-ignore: decorator
@inline export const RSV_RECEIVED_OK: u32 = 1 << (23 - 16);

// Transmit status vector (§7.1, Table 7-1): byte 3 holds bits 31..24.
// @ts-ignore: decorator
@inline export const TSV_BYTE3_LATE_COLLISION: u8 = 1 << (29 - 24);
