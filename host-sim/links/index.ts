/**
 * The simulator's links in one import: the frame-port interface, the serial
 * link (real ttys and the mock binding), the in-process pair, the learning
 * switch and the seeded fault injector. Captures live in ../pcap.ts.
 */

export { type LinkEnd, type LinkStats, MAX_WIRE_FRAME, MIN_WIRE_FRAME } from "./types.js";
export { createPair, PairEnd, type PairOptions } from "./pair.js";
export { createMockSerialPair, type MockSerialPair, SerialLink, type SerialLinkOptions } from "./serial.js";
export type { SerialBinding } from "../tty-binding.js";
export { LearningSwitch, type SwitchOptions } from "./switch.js";
export { type FaultOptions, FaultyLink, Prng, withFaults } from "./faults.js";
export { SlipDecoder, slipEncode, slipEncodedLength, type SlipError } from "./slip.js";
