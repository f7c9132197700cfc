/**
 * Addresses and byte strings for the packet library: MAC and IPv4
 * addresses in the forms the simulator and tests write them, and one
 * deterministic byte pattern.
 */

/** An IPv4 address as a dotted quad or as the ABI's big-endian u32. */
export type Ip = string | number;
/** A MAC address as "aa:bb:cc:dd:ee:ff" (or with dashes) or as 6 bytes. */
export type Mac = string | Uint8Array;

export const EMPTY = new Uint8Array(0);
export const BROADCAST_MAC = "ff:ff:ff:ff:ff:ff";
export const ZERO_MAC = "00:00:00:00:00:00";

/** 6 bytes of a MAC address; throws on a malformed string (a caller's mistake, not wire data). */
export function macBytes(mac: Mac): Uint8Array {
  if (typeof mac !== "string") return mac;
  const b = mac.split(/[:-]/).map((h) => (/^[0-9a-fA-F]{1,2}$/.test(h) ? parseInt(h, 16) : NaN));
  if (b.length !== 6 || b.some((x) => Number.isNaN(x))) throw new Error(`bad MAC address: ${mac}`);
  return Uint8Array.from(b);
}

/** "aa:bb:cc:dd:ee:ff" from 6 bytes. */
export function macString(b: ArrayLike<number>): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(":");
}

/** An IPv4 address as a big-endian u32; throws on a malformed dotted quad. */
export function ipNumber(ip: Ip): number {
  if (typeof ip === "number") return ip >>> 0;
  const b = ip.split(".").map((d) => (/^\d{1,3}$/.test(d) ? Number(d) : NaN));
  if (b.length !== 4 || b.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad IPv4 address: ${ip}`);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

/** 4 bytes of an IPv4 address, network order. */
export function ipBytes(ip: Ip): Uint8Array {
  const n = ipNumber(ip);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** A dotted quad from a u32 or from 4 bytes. */
export function ipString(ip: number | ArrayLike<number>): string {
  if (typeof ip === "number") return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
  return Array.from(ip).slice(0, 4).join(".");
}

/** UTF-8 bytes of a string. */
export function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** The parts, one after the other. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** `n` deterministic bytes: the low byte of each step of a xorshift32 stream from `seed` (0 counts as 1). */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A DataView over exactly the bytes of `b`. */
export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
