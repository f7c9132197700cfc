// The TCP user calls (RFC 9293 §3.9.1). Not yet implemented: every call
// answers ENOTCONN-style errors documented in docs/ABI.md.

import { EINVAL } from "../errors";

export function tcpInit(): void {}
export function tcpTimers(): void {}
export function tcpNextDeadline(): i32 { return -1; }
export function tcpListen(port: i32, backlog: i32): i32 { return EINVAL; }
export function tcpAccept(listener: i32): i32 { return EINVAL; }
export function tcpConnect(ip: u32, port: i32): i32 { return EINVAL; }
export function tcpSend(conn: i32, ptr: usize, len: i32): i32 { return EINVAL; }
export function tcpRecv(conn: i32, ptr: usize, len: i32): i32 { return EINVAL; }
export function tcpClose(conn: i32): i32 { return EINVAL; }
export function tcpAbort(conn: i32): i32 { return EINVAL; }
export function tcpPollFlags(conn: i32): i32 { return EINVAL; }
export function tcpState(conn: i32): i32 { return EINVAL; }
export function tcpStatus(conn: i32, out: usize): i32 { return EINVAL; }
export function tcpList(out: usize, max: i32): i32 { return 0; }
