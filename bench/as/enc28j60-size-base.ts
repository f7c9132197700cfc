// Size probe baseline: the same six exports doing nothing (see
// enc28j60-size-driver.ts).
import "../../assembly/hal"; // makes the abort handler named by --use exist, as in the driver build
export function encInit(mac: usize, fullDuplex: bool): i32 { return <i32>mac + <i32>fullDuplex; }
export function encService(): i32 { return 0; }
export function encReceive(buf: usize, max: i32): i32 { return <i32>buf + max; }
export function encTransmit(buf: usize, len: i32): i32 { return <i32>buf + len; }
export function encNextDeadline(): i32 { return -1; }
export function encLinkUp(): bool { return false; }
