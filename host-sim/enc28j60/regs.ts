/**
 * ENC28J60 register map for the chip model (DS39662 Table 3-1/3-2, §3.3
 * Table 3-3): addresses per bank, which registers are MAC/MII (RCR shifts
 * out a dummy byte, BFS/BFC do nothing), reset values and bit names.
 * Independent of the AssemblyScript driver's constants on purpose: a test
 * that compares the two catches a wrong number on either side.
 */

/** Control registers 1Bh..1Fh are present in every bank. */
export const EIE = 0x1b, EIR = 0x1c, ESTAT = 0x1d, ECON2 = 0x1e, ECON1 = 0x1f;

/** Bank 0 (ETH). Pointers are L at the address, H (bits 12:8) at +1. */
export const B0 = {
  ERDPT: 0x00, EWRPT: 0x02, ETXST: 0x04, ETXND: 0x06, ERXST: 0x08, ERXND: 0x0a,
  ERXRDPT: 0x0c, ERXWRPT: 0x0e, EDMAST: 0x10, EDMAND: 0x12, EDMADST: 0x14, EDMACS: 0x16,
} as const;

/** Bank 1 (ETH). */
export const B1 = {
  EHT0: 0x00, EPMM0: 0x08, EPMCSL: 0x10, EPMCSH: 0x11, EPMOL: 0x14, EPMOH: 0x15,
  ERXFCON: 0x18, EPKTCNT: 0x19,
} as const;

/** Bank 2 (MAC/MII). */
export const B2 = {
  MACON1: 0x00, MACON3: 0x02, MACON4: 0x03, MABBIPG: 0x04, MAIPGL: 0x06, MAIPGH: 0x07,
  MACLCON1: 0x08, MACLCON2: 0x09, MAMXFLL: 0x0a, MAMXFLH: 0x0b, MICMD: 0x12, MIREGADR: 0x14,
  MIWRL: 0x16, MIWRH: 0x17, MIRDL: 0x18, MIRDH: 0x19,
} as const;

/** Bank 3: MAADR and MISTAT are MAC/MII; MAADR1 (first wire octet) is at 04h. */
export const B3 = {
  MAADR5: 0x00, MAADR6: 0x01, MAADR3: 0x02, MAADR4: 0x03, MAADR1: 0x04, MAADR2: 0x05,
  EBSTSD: 0x06, EBSTCON: 0x07, EBSTCSL: 0x08, EBSTCSH: 0x09, MISTAT: 0x0a, EREVID: 0x12,
  ECOCON: 0x15, EFLOCON: 0x17, EPAUSL: 0x18, EPAUSH: 0x19,
} as const;

/** Implemented addresses per bank (others read 00h, ignore writes). */
export const IMPLEMENTED: ReadonlyArray<ReadonlySet<number>> = [
  new Set([...Array(0x18).keys()]),
  new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x10, 0x11, 0x14, 0x15, 0x18, 0x19]),
  new Set(Object.values(B2)),
  new Set(Object.values(B3)),
];

/** MAC/MII registers: every implemented bank-2 register, bank-3 00h..05h and 0Ah (§4.2.1). */
export function isMacMii(bank: number, addr: number): boolean {
  if (addr >= 0x1b) return false;
  if (bank === 2) return IMPLEMENTED[2].has(addr);
  if (bank === 3) return addr <= 0x05 || addr === 0x0a;
  return false;
}

/** Reset values of the banked registers that are not 00h (Table 3-2). */
export const RESET_VALUES: ReadonlyArray<[bank: number, addr: number, value: number]> = [
  [0, 0x00, 0xfa], [0, 0x01, 0x05],         // ERDPT = 05FAh
  [0, 0x08, 0xfa], [0, 0x09, 0x05],         // ERXST = 05FAh
  [0, 0x0a, 0xff], [0, 0x0b, 0x1f],         // ERXND = 1FFFh
  [0, 0x0c, 0xfa], [0, 0x0d, 0x05],         // ERXRDPT = 05FAh
  [1, 0x18, 0xa1],                          // ERXFCON = UCEN | CRCEN | BCEN
  [2, 0x08, 0x0f], [2, 0x09, 0x37],         // MACLCON1 RETMAX 15, MACLCON2 COLWIN 55
  [2, 0x0b, 0x06],                          // MAMXFL = 0600h
  [3, 0x15, 0x04],                          // ECOCON: CLKOUT = 6.25 MHz
  [3, 0x19, 0x10],                          // EPAUS = 1000h
];

export const EIE_BITS = { INTIE: 0x80, PKTIE: 0x40, DMAIE: 0x20, LINKIE: 0x10, TXIE: 0x08, TXERIE: 0x02, RXERIE: 0x01 } as const;
export const EIR_BITS = { PKTIF: 0x40, DMAIF: 0x20, LINKIF: 0x10, TXIF: 0x08, TXERIF: 0x02, RXERIF: 0x01 } as const;
export const ESTAT_BITS = { INT: 0x80, BUFER: 0x40, LATECOL: 0x10, RXBUSY: 0x04, TXABRT: 0x02, CLKRDY: 0x01 } as const;
export const ECON2_BITS = { AUTOINC: 0x80, PKTDEC: 0x40, PWRSV: 0x20, VRPS: 0x08 } as const;
export const ECON1_BITS = { TXRST: 0x80, RXRST: 0x40, DMAST: 0x20, CSUMEN: 0x10, TXRTS: 0x08, RXEN: 0x04, BSEL: 0x03 } as const;
export const ERXFCON_BITS = { UCEN: 0x80, ANDOR: 0x40, CRCEN: 0x20, PMEN: 0x10, MPEN: 0x08, HTEN: 0x04, MCEN: 0x02, BCEN: 0x01 } as const;
export const MACON1_BITS = { TXPAUS: 0x08, RXPAUS: 0x04, PASSALL: 0x02, MARXEN: 0x01 } as const;
export const MACON3_BITS = { PADCFG: 0xe0, TXCRCEN: 0x10, PHDREN: 0x08, HFRMEN: 0x04, FRMLNEN: 0x02, FULDPX: 0x01 } as const;
export const MACON4_BITS = { DEFER: 0x40, BPEN: 0x20, NOBKOFF: 0x10 } as const;
export const MICMD_BITS = { MIISCAN: 0x02, MIIRD: 0x01 } as const;
export const MISTAT_BITS = { NVALID: 0x04, SCAN: 0x02, BUSY: 0x01 } as const;

/** PHY registers (§3.3, Table 3-3). */
export const PHY = { PHCON1: 0x00, PHSTAT1: 0x01, PHID1: 0x02, PHID2: 0x03, PHCON2: 0x10, PHSTAT2: 0x11, PHIE: 0x12, PHIR: 0x13, PHLCON: 0x14 } as const;
export const PHCON1_BITS = { PRST: 0x8000, PLOOPBK: 0x4000, PPWRSV: 0x0800, PDPXMD: 0x0100 } as const;
export const PHSTAT1_BITS = { PFDPX: 0x1000, PHDPX: 0x0800, LLSTAT: 0x0004, JBSTAT: 0x0002 } as const;
export const PHCON2_BITS = { FRCLNK: 0x4000, TXDIS: 0x2000, JABBER: 0x0400, HDLDIS: 0x0100 } as const;
export const PHSTAT2_BITS = { TXSTAT: 0x2000, RXSTAT: 0x1000, COLSTAT: 0x0800, LSTAT: 0x0400, DPXSTAT: 0x0200, PLRITY: 0x0020 } as const;
export const PHIE_BITS = { PLNKIE: 0x0010, PGEIE: 0x0002 } as const;
export const PHIR_BITS = { PLNKIF: 0x0010, PGIF: 0x0004 } as const;

/** PHY reset values; PHCON1.PDPXMD comes from the LEDB strap (§2.6). */
export const PHY_RESET: ReadonlyArray<[addr: number, value: number]> = [
  [PHY.PHID1, 0x0083], [PHY.PHID2, 0x1400], [PHY.PHLCON, 0x3422],
];

/** SPI opcodes (§4.2, Table 4-1): top 3 bits; the buffer commands use argument 1Ah. */
export const OP = { RCR: 0, RBM: 1, WCR: 2, WBM: 3, BFS: 4, BFC: 5, SRC: 7 } as const;
