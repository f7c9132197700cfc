/** The ENC28J60 chip model and its driver rig (see chip.ts, rig.ts). */
export { Enc28j60, wireTimeMs, ipChecksum, BUFFER_SIZE, WIRE_BYTE_MS, MII_BUSY_MS, RESET_READY_MS } from "./chip.js";
export type { Enc28j60Options, Enc28j60Faults, Enc28j60Counters } from "./chip.js";
export { DriverRig, ENC_STATS, DEFAULT_MAC } from "./rig.js";
export type { DriverExports, EncStat, RigOptions } from "./rig.js";
