/**
 * The Internet checksum under its older import path; the one
 * implementation lives in the packet library (host-sim/wire/checksum.ts).
 */
export { internetChecksum, onesSum } from "./wire/checksum.js";
