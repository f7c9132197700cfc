// An AssemblyScript firmware that links embertcp at the source level: the
// stack and this echo server (RFC 862, TCP port 7) compile into one wasm
// module. The board's runtime calls three exports:
//
//   fw_start(ip, netmask, gateway) once at boot,
//   fw_frame_in(len)               for each received frame it copied to fw_rx_buffer(),
//   fw_loop(now_ms)                whenever the returned deadline (ms) has passed,
//
// and supplies the five `hal` imports embertcp needs (frames leave through
// hal.frame_out). Nothing here allocates: buffers are static.

import {
  netInit, netPoll, netInput, netScratch, netScratchSize,
  tcpListen, tcpAccept, tcpRecv, tcpSend, tcpClose, tcpAbort,
  LinkKind, EAGAIN,
} from "embertcp/assembly/api";

/** The echo service's port (RFC 862). */
const ECHO_PORT = 7;
/** Connections served at once; more wait in the listener's backlog. */
const MAX_CONNS = 4;
/** Bytes each connection may hold between receiving and sending them on. */
const PENDING_SIZE = 512;

const MAC: usize = memory.data<u8>([0x02, 0x00, 0x00, 0x00, 0x00, 0x10]);
/** Per connection: handle (i32), pending offset (i32), pending length (i32). */
const SLOTS: usize = memory.data(MAX_CONNS * 12, 4);
const PENDING: usize = memory.data(MAX_CONNS * PENDING_SIZE, 16);

let listener: i32 = -1;
let echoed: u32 = 0;

// @ts-ignore: decorator
@inline function slot(i: i32): usize { return SLOTS + <usize>(i * 12); }

/** Bring the stack up on the host-frames link and listen on port 7; 0 or a negative error. */
export function fw_start(ip: u32, netmask: u32, gateway: u32): i32 {
  const r = netInit(LinkKind.HOST_FRAMES, MAC, ip, netmask, gateway);
  if (r < 0) return r;
  for (let i = 0; i < MAX_CONNS; i++) store<i32>(slot(i), -1);
  listener = tcpListen(ECHO_PORT, MAX_CONNS);
  return listener < 0 ? listener : 0;
}

/** Where the runtime copies a received frame before calling fw_frame_in. */
export function fw_rx_buffer(): usize {
  return netScratch();
}

/** Size of fw_rx_buffer. */
export function fw_rx_buffer_size(): i32 {
  return netScratchSize();
}

/** One received frame of `len` bytes is in fw_rx_buffer. */
export function fw_frame_in(len: i32): i32 {
  return netInput(netScratch(), len);
}

/** Run the stack and the echo server; ms until the next call is due (-1: only on input). */
export function fw_loop(now_ms: u32): i32 {
  const next = netPoll(now_ms);
  if (next < -1) return next;
  if (listener >= 0) acceptAll();
  let busy = false;
  for (let i = 0; i < MAX_CONNS; i++) {
    if (serve(i)) busy = true;
  }
  // Data moved: the stack has segments to send, so come back at once.
  if (busy) return netPoll(now_ms);
  return next;
}

/** Total bytes echoed since start. */
export function fw_echoed(): u32 {
  return echoed;
}

function acceptAll(): void {
  for (let i = 0; i < MAX_CONNS; i++) {
    const s = slot(i);
    if (load<i32>(s) >= 0) continue;
    const c = tcpAccept(listener);
    if (c < 0) return;
    store<i32>(s, c);
    store<i32>(s, 0, 4);
    store<i32>(s, 0, 8);
  }
}

/** Move bytes from the receive side to the send side of slot i; true if any moved. */
function serve(i: i32): bool {
  const s = slot(i);
  const c = load<i32>(s);
  if (c < 0) return false;
  const buf = PENDING + <usize>(i * PENDING_SIZE);
  let off = load<i32>(s, 4);
  let len = load<i32>(s, 8);
  let moved = false;
  for (;;) {
    if (len == 0) {
      const n = tcpRecv(c, buf, PENDING_SIZE);
      if (n == EAGAIN) break;
      if (n == 0) { // end of stream: everything received was echoed
        tcpClose(c);
        store<i32>(s, -1);
        return true;
      }
      if (n < 0) { // reset, timed out: free the connection
        tcpAbort(c);
        store<i32>(s, -1);
        return true;
      }
      off = 0;
      len = n;
      moved = true;
    }
    const sent = tcpSend(c, buf + <usize>off, len);
    if (sent < 0) {
      tcpAbort(c);
      store<i32>(s, -1);
      return true;
    }
    if (sent == 0) break; // send ring full: keep the rest for the next loop
    echoed += <u32>sent;
    off += sent;
    len -= sent;
    moved = true;
  }
  store<i32>(s, off, 4);
  store<i32>(s, len, 8);
  return moved;
}
