// Size probe: a module exporting only the six driver functions. The bench
// compares it with enc28j60-size-base.ts to report the driver's wasm bytes.
export {
  encInit, encService, encReceive, encTransmit, encNextDeadline, encLinkUp,
} from "../../assembly/enc28j60/driver";
