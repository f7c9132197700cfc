/**
 * SLIP framing, RFC 1055 ("A Nonstandard for Transmission of IP Datagrams
 * over Serial Lines"), used here to carry Ethernet frames with their FCS.
 *
 *   END     0xC0  ends a packet
 *   ESC     0xDB  starts a two-byte escape
 *   ESC_END 0xDC  after ESC: a data byte 0xC0
 *   ESC_ESC 0xDD  after ESC: a data byte 0xDB
 *
 * The encoder sends an END before each packet too, as RFC 1055 suggests, so
 * line noise that arrived before the packet is flushed as a separate
 * (bad) packet instead of being glued to the front of a good one.
 *
 * The decoder is stricter than the RFC's sample code, which passes an
 * unknown escape through: an ESC followed by anything but ESC_END/ESC_ESC
 * (including END) marks the packet broken, and it is discarded up to the
 * next END. A packet longer than the limit is discarded the same way.
 * Empty packets (two ENDs in a row) are ignored silently, per the RFC.
 */

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

/** Bytes on the line for `payload`: END, the escaped bytes, END. */
export function slipEncodedLength(payload: Uint8Array): number {
  let n = payload.length + 2;
  for (let i = 0; i < payload.length; i++) if (payload[i] === SLIP_END || payload[i] === SLIP_ESC) n++;
  return n;
}

/** `payload` SLIP-encoded, with an END before and after. */
export function slipEncode(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(slipEncodedLength(payload));
  let o = 0;
  out[o++] = SLIP_END;
  for (let i = 0; i < payload.length; i++) {
    const b = payload[i];
    if (b === SLIP_END) { out[o++] = SLIP_ESC; out[o++] = SLIP_ESC_END; }
    else if (b === SLIP_ESC) { out[o++] = SLIP_ESC; out[o++] = SLIP_ESC_ESC; }
    else out[o++] = b;
  }
  out[o++] = SLIP_END;
  return out;
}

/** Why the decoder threw a packet away. */
export type SlipError = "escape" | "oversize";

/** Incremental decoder: feed it chunks as they come off the line, in any sizes. */
export class SlipDecoder {
  /** Called with each complete packet (a fresh array). */
  onPacket: ((packet: Uint8Array) => void) | null = null;
  /** Called once per discarded packet, when its END arrives. */
  onError: ((why: SlipError) => void) | null = null;

  private buf: Uint8Array;
  private len = 0;
  private escaped = false;
  private broken: SlipError | null = null;

  /** `maxPacket`: the largest decoded packet kept; longer ones are "oversize". */
  constructor(readonly maxPacket: number) {
    this.buf = new Uint8Array(maxPacket);
  }

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === SLIP_END) { this.endPacket(); continue; }
      if (this.broken) continue;
      let data: number;
      if (this.escaped) {
        this.escaped = false;
        if (b === SLIP_ESC_END) data = SLIP_END;
        else if (b === SLIP_ESC_ESC) data = SLIP_ESC;
        else { this.broken = "escape"; continue; }
      } else if (b === SLIP_ESC) {
        this.escaped = true;
        continue;
      } else data = b;
      if (this.len === this.maxPacket) { this.broken = "oversize"; continue; }
      this.buf[this.len++] = data;
    }
  }

  /** Bytes of a packet received so far but not yet ended. */
  get partialLength(): number { return this.len; }

  private endPacket(): void {
    // An END straight after ESC is a broken escape (RFC 1055 defines only two).
    if (this.escaped && !this.broken) this.broken = "escape";
    const broken = this.broken;
    const len = this.len;
    this.len = 0;
    this.escaped = false;
    this.broken = null;
    if (broken) { this.onError?.(broken); return; }
    if (len === 0) return;
    this.onPacket?.(this.buf.slice(0, len));
  }
}
