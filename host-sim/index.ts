/**
 * The embertcp package as a library (`import { Stack, Board } from "embertcp"`):
 * the typed wrapper over the WebAssembly module, simulated boards with the
 * ENC28J60 model, clocks, links, apps, captures and traces. The module
 * itself ships as build/embertcp.wasm in the package (`Stack` loads it by
 * default; `embertcp/embertcp.wasm` names the file).
 */
export {
  Stack, type StackOptions, type InitOptions, type Status, type ListEntry, type SpiDevice,
  loadModule, ipToNumber, ipToString, macToBytes, seededEntropy,
} from "./stack.js";
export { EmberError, ERRNO, type ErrorName, errorName } from "./errors.js";
export { STAT_NAMES, type StatName, CONFIG_KEYS, type ConfigName, CONFIG_DEFAULTS, STATUS_FIELDS, POLL_FLAGS } from "./abi-tables.js";
export { SocketApi, TcpSocket, TcpListener, TCP_STATE, type TcpStateName, isErrno } from "./socket.js";
export { Board, type BoardApp, type BoardEvent, type BoardOptions, runVirtual } from "./board.js";
export { type Clock, type TimerHandle, RealClock, VirtualClock } from "./clock.js";
export { Enc28j60, type Enc28j60Options } from "./enc28j60/index.js";
export * from "./links/index.js";
export { TapLink, type TapLinkOptions } from "./tap/link.js";
export { LinkBridge } from "./tap/bridge.js";
export * from "./apps/index.js";
export { HostNet, Host, type HostOptions, type HostNetOptions } from "./hostnet.js";
export { PcapWriter, type PcapWriterOptions, readPcap, type PcapFile, type PcapRecord, tapLink } from "./pcap.js";
export { traceCapture, traceFile } from "./trace/index.js";
export { snapshot, formatSnapshot, type Snapshot } from "./netstat.js";
export { startSim, runSim, type SimOptions, type SimHandle } from "./sim.js";
export { runDemo, type DemoOptions, type DemoSummary } from "./demo.js";
export { pingBoard } from "./ping.js";
export { buildPath } from "./paths.js";
