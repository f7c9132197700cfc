// Building and sending the client's messages (RFC 2131 table 5): DISCOVER,
// REQUEST in its three forms, DECLINE. Every message carries the client
// identifier (61: type 1, our MAC, RFC 2132 §9.14) and, except DECLINE,
// the host name (12) when one is set and the parameter request list (55).
// Messages are padded to 300 bytes (RFC 1542 §3.2) and built in place in
// the outgoing frame.

import { Stat, count } from "../stats";
import { OUR_MAC } from "../netif";
import { udpPayload, udpTransmit } from "../udp/udp";
import {
  D_MIN_LEN, DHCPDECLINE, OPT_CLIENT_ID, OPT_END, OPT_HOSTNAME, OPT_MSG_TYPE, OPT_PARAMS, OPT_REQUESTED_IP,
  OPT_SERVER_ID, optAddr, optByte, optBytes, writeHeader,
} from "./message";

// @ts-ignore: decorator
@inline const SERVER_PORT: u16 = 67;
// @ts-ignore: decorator
@inline const CLIENT_PORT: u16 = 68;
// @ts-ignore: decorator
@inline export const HOSTNAME_MAX: i32 = 32;

/** Options asked for: mask, router, DNS, lease time, T1, T2. */
// @ts-ignore: decorator
@lazy const PARAMS = memory.data<u8>([1, 3, 6, 51, 58, 59]);
// @ts-ignore: decorator
@lazy const clientId = memory.data(7, 4);
// @ts-ignore: decorator
@lazy const hostname = memory.data(HOSTNAME_MAX, 4);
let hostnameLen: i32 = 0;

/** net_hostname: 1..32 letters, digits and hyphens (RFC 1123 §2.1 label characters); false otherwise. */
export function setHostname(p: usize, len: i32): bool {
  if (len < 1 || len > HOSTNAME_MAX) return false;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(p + <usize>i);
    const ok = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c == 0x2d;
    if (!ok) return false;
  }
  memory.copy(hostname, p, <usize>len);
  hostnameLen = len;
  return true;
}

/** Build and send one client message; `requested` and `server` are left out when 0. */
export function sendMessage(type: u8, xid: u32, secs: u16, ciaddr: u32, requested: u32, dst: u32, server: u32): void {
  const p = udpPayload();
  memory.fill(p, 0, <usize>D_MIN_LEN);
  let w = writeHeader(p, xid, secs, ciaddr);
  w = optByte(w, OPT_MSG_TYPE, type);
  store<u8>(clientId, 1);
  memory.copy(clientId + 1, OUR_MAC, 6);
  w = optBytes(w, OPT_CLIENT_ID, clientId, 7);
  if (requested != 0) w = optAddr(w, OPT_REQUESTED_IP, requested);
  if (server != 0) w = optAddr(w, OPT_SERVER_ID, server);
  if (type != DHCPDECLINE) {
    if (hostnameLen != 0) w = optBytes(w, OPT_HOSTNAME, hostname, hostnameLen);
    w = optBytes(w, OPT_PARAMS, PARAMS, 6);
  }
  store<u8>(w, OPT_END);
  const len = max(<i32>(w + 1 - p), D_MIN_LEN);
  count(Stat.DHCP_TX);
  udpTransmit(CLIENT_PORT, dst, SERVER_PORT, len);
}
