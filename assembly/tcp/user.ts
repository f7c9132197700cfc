// The TCP user calls (RFC 9293 §3.9.1) behind the tcp_* exports: OPEN
// (listen/connect), SEND, RECEIVE, CLOSE, ABORT, STATUS, plus the poll
// flags, the connection list and the per-connection options. Error
// semantics are docs/ABI.md's: EINVAL for bad or stale handles, ENOMEM
// when no TCB is free (or can be reclaimed), ENOTCONN before the
// handshake, ECLOSED for SEND after CLOSE, the connection's error
// (ECONNRESET, ECONNREFUSED, ETIMEDOUT) once it died, EAGAIN when there
// is nothing yet, 0 from RECEIVE at end of stream.

import { EADDRINUSE, EAGAIN, EINVAL, ENOMEM, ENOTCONN, ECLOSED } from "../errors";
import { Stat, count } from "../stats";
import { ourIp } from "../netif";
import { PollFlag, State, StatusField, TcpOption } from "./abi";
import { isnFor, isnInit } from "./isn";
import { portCandidate, portCount, portUsed, portsInit } from "./ports";
import { cookieInit } from "./cookie";
import { synqInit } from "./synq";
import { challengeInit, dataState, receivingState, userSendState } from "./rules";
import {
  Err, F, NO_LISTENER, Tcb, connectionClosed, finReceived, hasFlag, initConnection, rxSpace, setFlag, setState,
  synchronized, tcbError, tcbFree, tcbFromHandle, tcbHandle, tcbHash, tcbLookup, tcbOptions, tcbPoolInit, tcbUsed,
  tcbUsedCount,
} from "./tcb";
import { tcbObtain } from "./reclaim";
import { optionGet, optionSet } from "./options";
import { txAppend, rxTake } from "./rings";
import { clampToUserTimeout, rtoMs } from "./deadlines";
import { ackAfterRead } from "./delack";
import { sendAck, sendRst, tcpOutput, txFree, windowUpdateDue } from "./output";
import {
  listHalfOpen, listListeners, listRow, listenOpen, listenerFromHandle, listenerOptions, listenerPort,
  listenersInit,
} from "./listeners";
import { listenAccept, listenClose, listenReadable } from "./passive";

export { tcpTimers, tcpNextDeadline } from "./timer";
export { listenPoll, listenNextDeadline } from "./passive";

/** Reset all TCP state (net_init). */
export function tcpInit(): void {
  tcbPoolInit();
  listenersInit();
  synqInit();
  challengeInit();
  isnInit();
  portsInit();
  // The SYN-cookie secrets are drawn after the ISN and port keys.
  cookieInit();
}

/** tcp_listen. */
export function tcpListen(port: i32, backlog: i32): i32 {
  return listenOpen(<u16>port, backlog);
}

/** tcp_accept. */
export function tcpAccept(listener: i32): i32 {
  const l = listenerFromHandle(listener);
  if (l < 0) return EINVAL;
  return listenAccept(l);
}

/** tcp_connect: active OPEN from an RFC 6056 ephemeral port (RFC 9293 §3.10.1). */
export function tcpConnect(ip: u32, port: i32): i32 {
  const t = tcbObtain();
  if (t === null) { count(Stat.TCP_NO_TCB); return ENOMEM; }
  const rport = <u16>port;
  const n = portCount();
  let local: u16 = 0;
  for (let a = 0; a < n; a++) {
    const c = portCandidate(ip, rport, a);
    if (tcbLookup(ip, rport, c) === null) { local = c; portUsed(); break; }
  }
  if (local == 0) { tcbFree(t); return EADDRINUSE; }
  t.localPort = local;
  t.remoteIp = ip;
  t.remotePort = rport;
  initConnection(t, isnFor(ourIp(), local, ip, rport));
  setFlag(t, <u16>F.OWNED);
  setState(t, State.SYN_SENT);
  tcbHash(t);
  count(Stat.TCP_ACTIVE_OPENS);
  tcpOutput(t);
  return tcbHandle(t);
}

/** tcp_send: copy into the send ring, then let output decide what goes now. */
export function tcpSend(conn: i32, ptr: usize, len: i32): i32 {
  const t = tcbFromHandle(conn);
  if (t === null) return EINVAL;
  const e = tcbError(t);
  if (e != 0) return e;
  if (hasFlag(t, <u16>F.CLOSED)) return ECLOSED;
  const s = t.state;
  if (s == <u8>State.SYN_SENT || s == <u8>State.SYN_RECEIVED) return ENOTCONN;
  if (!userSendState(s)) return ECLOSED;
  const n = min<i32>(len, txFree(t));
  if (n <= 0) return 0;
  txAppend(t, ptr, n);
  tcpOutput(t, true);
  return n;
}

/** tcp_recv: in-order bytes from the receive ring; 0 once the peer's FIN is reached. */
export function tcpRecv(conn: i32, ptr: usize, len: i32): i32 {
  const t = tcbFromHandle(conn);
  if (t === null) return EINVAL;
  const e = tcbError(t);
  if (e != 0) return e;
  if (t.rxLen > 0) {
    const n = min<i32>(len, <i32>t.rxLen);
    rxTake(t, ptr, n);
    // Reading opened the window: tell the peer now if it was closing, so a
    // sender blocked on it need not wait for a probe or our next ACK
    // (RFC 9293 §3.8.6.2.2); otherwise the update rides on the delayed ACK
    // (tcp/delack.ts).
    if (receivingState(t.state) && ackAfterRead(t, windowUpdateDue(t))) sendAck(t);
    return n;
  }
  if (finReceived(t)) return 0;
  return EAGAIN;
}

/** tcp_close: FIN after the queued data (RFC 9293 §3.10.4). */
export function tcpClose(conn: i32): i32 {
  const l = listenerFromHandle(conn);
  if (l >= 0) return listenClose(l);
  const t = tcbFromHandle(conn);
  if (t === null) return EINVAL;
  if (tcbError(t) != 0 || t.state == <u8>State.CLOSED) { tcbFree(t); return 0; }
  if (hasFlag(t, <u16>F.CLOSED)) return 0;
  setFlag(t, <u16>F.CLOSED);
  const s = t.state;
  if (s == <u8>State.SYN_SENT) { tcbFree(t); return 0; }
  if (s == <u8>State.ESTABLISHED) setState(t, State.FIN_WAIT_1);
  else if (s == <u8>State.CLOSE_WAIT) setState(t, State.LAST_ACK);
  // SYN-RECEIVED: the FIN waits for ESTABLISHED (tcp/input.ts established()).
  tcpOutput(t);
  return 0;
}

/** tcp_abort: RST when synchronized, free at once (RFC 9293 §3.10.5). */
export function tcpAbort(conn: i32): i32 {
  const l = listenerFromHandle(conn);
  if (l >= 0) return listenClose(l);
  const t = tcbFromHandle(conn);
  if (t === null) return EINVAL;
  if (t.state == <u8>State.SYN_RECEIVED || dataState(t.state)) sendRst(t);
  tcbFree(t);
  return 0;
}

/**
 * tcp_option: set (value >= 0) or read (value < 0) a connection's or a
 * listener's option (tcp/options.ts); a listener's settings go to the
 * connections it accepts from then on.
 */
export function tcpOption(conn: i32, key: i32, value: i32): i32 {
  const l = listenerFromHandle(conn);
  if (l >= 0) return value < 0 ? optionGet(listenerOptions(l), key) : optionSet(listenerOptions(l), key, value);
  const t = tcbFromHandle(conn);
  if (t === null) return EINVAL;
  if (value < 0) return optionGet(tcbOptions(t), key);
  const r = optionSet(tcbOptions(t), key, value);
  // Nagle off lets a short segment it held back go now (RFC 9293 §3.7.4);
  // a user timeout shorter than the running RTO takes effect at once.
  if (r == 0 && key == TcpOption.NODELAY && synchronized(t)) tcpOutput(t);
  if (r == 0 && key == TcpOption.USER_TIMEOUT_MS) clampToUserTimeout(t);
  return r;
}

/** tcp_poll flags (docs/ABI.md). */
export function tcpPollFlags(conn: i32): i32 {
  const l = listenerFromHandle(conn);
  if (l >= 0) return listenReadable(l) ? <i32>PollFlag.READABLE : 0;
  const t = tcbFromHandle(conn);
  if (t === null) return EINVAL;
  let f = 0;
  if (tcbError(t) != 0) return <i32>(PollFlag.ERROR | PollFlag.READABLE);
  const fin = finReceived(t);
  if (t.rxLen > 0 || fin) f |= PollFlag.READABLE;
  if (fin) f |= PollFlag.PEER_CLOSED;
  if (userSendState(t.state) && !hasFlag(t, <u16>F.CLOSED) && txFree(t) > 0) {
    f |= PollFlag.WRITABLE;
  }
  if (synchronized(t)) f |= PollFlag.ESTABLISHED;
  return f;
}

/** tcp_state. */
export function tcpState(conn: i32): i32 {
  if (listenerFromHandle(conn) >= 0) return <i32>State.LISTEN;
  const t = tcbFromHandle(conn);
  if (t === null) return EINVAL;
  return <i32>t.state;
}

// @ts-ignore: decorator
@inline function put(out: usize, f: i32, v: u32): void { store<u32>(out + (<usize>f << 2), v); }

/** tcp_status (docs/ABI.md layout). */
export function tcpStatus(conn: i32, out: usize): i32 {
  const l = listenerFromHandle(conn);
  const t = tcbFromHandle(conn);
  // A refused call writes nothing (docs/ABI.md): out may point anywhere in
  // memory, the stack's own pools included, so the record is cleared only
  // once the handle is known to be good.
  if (l < 0 && t === null) return EINVAL;
  memory.fill(out, 0, <usize>StatusField.COUNT << 2);
  if (l >= 0) {
    put(out, StatusField.STATE, <u32>State.LISTEN);
    put(out, StatusField.LOCAL_IP, ourIp());
    put(out, StatusField.LOCAL_PORT, <u32>listenerPort(l));
    return 0;
  }
  statusOf(changetype<Tcb>(t), out);
  return 0;
}

function statusOf(t: Tcb, out: usize): void {
  put(out, StatusField.STATE, <u32>t.state);
  put(out, StatusField.LOCAL_IP, ourIp());
  put(out, StatusField.LOCAL_PORT, <u32>t.localPort);
  put(out, StatusField.REMOTE_IP, t.remoteIp);
  put(out, StatusField.REMOTE_PORT, <u32>t.remotePort);
  put(out, StatusField.ISS, t.iss);
  put(out, StatusField.IRS, t.irs);
  put(out, StatusField.SND_UNA, t.sndUna);
  put(out, StatusField.SND_NXT, t.sndNxt);
  put(out, StatusField.SND_WND, <u32>t.sndWnd);
  put(out, StatusField.RCV_NXT, t.rcvNxt);
  // RCV.WND as last advertised (receiver SWS avoidance may hold it back).
  put(out, StatusField.RCV_WND, synchronized(t) || t.state == <u8>State.SYN_RECEIVED ? t.rcvAdv - t.rcvNxt : rxSpace(t));
  put(out, StatusField.RTO_MS, rtoMs(t));
  put(out, StatusField.SEND_QUEUED, <u32>t.txLen);
  put(out, StatusField.RECV_QUEUED, <u32>t.rxLen);
  put(out, StatusField.SND_UP, t.sndUna);
  put(out, StatusField.RCV_UP, t.rcvUp);
  put(out, StatusField.SND_WL1, t.sndWl1);
  put(out, StatusField.SND_WL2, t.sndWl2);
  put(out, StatusField.CWND, <u32>t.cwnd);
  put(out, StatusField.SSTHRESH, <u32>t.ssthresh);
  put(out, StatusField.SRTT_MS, <u32>t.srtt8 >> 3);
  put(out, StatusField.RETRIES, <u32>t.retries);
  put(out, StatusField.SND_MSS, <u32>t.sndMss);
}

/** tcp_list: listeners, half-open SYN-queue entries (handle -1), then every TCB in use (-1 once the user let go of it). */
export function tcpList(out: usize, max: i32): i32 {
  let n = listListeners(out, 0, max);
  n = listHalfOpen(out, n, max);
  const used = tcbUsedCount();
  for (let k = 0; k < used && n < max; k++) {
    const t = tcbUsed(k);
    // A connection waiting in an accept queue shows the handle tcp_accept
    // will return; one the user closed (F_CLOSED), finishing its close in
    // FIN-WAIT, CLOSING, LAST-ACK or TIME-WAIT, shows -1 like any other it
    // has let go of (docs/ABI.md "tcp_list entry").
    const held = hasFlag(t, <u16>F.OWNED) && !hasFlag(t, <u16>F.CLOSED);
    const h = held || t.listener != NO_LISTENER ? tcbHandle(t) : -1;
    listRow(out, n, h, <State>t.state, t.localPort, t.remoteIp, t.remotePort);
    n++;
  }
  return n;
}

/**
 * The interface lost its address (DHCP lease expired or NAKed, RFC 2131
 * §4.4.5: the client must stop using it): every connection is reset
 * locally, with no segment sent from an address that is no longer ours.
 */
export function tcpResetAll(): void {
  for (let k = tcbUsedCount() - 1; k >= 0; k--) {
    const t = tcbUsed(k);
    if (t.state != <u8>State.CLOSED) connectionClosed(t, Err.RESET);
  }
}
