// The host functions the module imports (module "hal"), and nothing else.
// Only the link seam (link.ts) and the ENC28J60 SPI layer (enc28j60/spi.ts)
// call the device functions; diagnostics go through logLine() below. See
// docs/ABI.md "Imports".

import { LINE, formatLine } from "./diag";

/** Assert (1) or release (0) the ENC28J60 chip select. */
@external("hal", "spi_select")
export declare function spi_select(active: i32): void;

/** Full-duplex SPI: send `len` bytes at `ptr`, overwrite them with the bytes read. */
@external("hal", "spi_transfer")
export declare function spi_transfer(ptr: usize, len: i32): void;

/** Host-frames link: one Ethernet frame to transmit (no FCS). */
@external("hal", "frame_out")
export declare function frame_out(ptr: usize, len: i32): void;

/** 32 random bits from the host (seeds ISNs, ports and cookie secrets). */
@external("hal", "entropy")
export declare function entropy(): u32;

/**
 * 64 secret bits for a keyed hash: two entropy() calls, the first in the
 * low half. Every key (the IPv4 identification's, the ISN's, the port
 * choice's, the SYN cookies') is drawn this one way, so a given entropy
 * source always yields the same keys.
 */
export function secretWord(): u64 {
  const lo = <u64>entropy();
  return lo | (<u64>entropy() << 32);
}

/** One UTF-8 diagnostic line. */
@external("hal", "log")
export declare function log(level: i32, ptr: usize, len: i32): void;

/** Log levels passed to `log`. */
export const enum LogLevel { DEBUG = 0, INFO = 1, WARN = 2, ERROR = 3 }

/** Log an ASCII message, followed by a decimal number when `n` (a u32) is given. */
export function logLine(level: i32, msg: string, n: i64 = -1): void {
  log(level, LINE, formatLine(msg, n));
}

// AssemblyScript's `abort` is redirected here by `--use abort=assembly/hal/halAbort`
// (asconfig.json) so the import list stays exactly the ABI's. Nothing reachable
// from wire data may assert or throw; this is the last resort for a bug.
export function halAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  logLine(LogLevel.ERROR, message != null ? message : "abort", line);
  unreachable();
}
