// net_addr and net_hostname (docs/ABI.md "DHCP").

import { WITH_DHCP } from "../config";
import { counted, invalid, validRange } from "../args";
import { ourGateway, ourIp, ourNetmask } from "../netif";
import { nameserver } from "../nameservers";
import { dhcpLeaseLeft, dhcpServer, dhcpState } from "../dhcp/client";
import { setHostname } from "../dhcp/send";

/** 8 u32 at out_ptr: ip, netmask, gateway, dns1, dns2, dhcp_state, lease seconds left, DHCP server. */
export function net_addr(out_ptr: usize): i32 {
  if (!WITH_DHCP) return invalid(); // left out of this build: no code, no RAM
  if (!validRange(out_ptr, 32)) return invalid();
  store<u32>(out_ptr, ourIp());
  store<u32>(out_ptr, ourNetmask(), 4);
  store<u32>(out_ptr, ourGateway(), 8);
  store<u32>(out_ptr, nameserver(0), 12);
  store<u32>(out_ptr, nameserver(1), 16);
  store<u32>(out_ptr, <u32>dhcpState(), 20);
  store<u32>(out_ptr, dhcpLeaseLeft(), 24);
  store<u32>(out_ptr, dhcpServer(), 28);
  return 0;
}

/** The name sent as DHCP option 12: 1..32 letters, digits, hyphens. */
export function net_hostname(ptr: usize, len: i32): i32 {
  if (!WITH_DHCP) return invalid(); // left out of this build: no code, no RAM
  if (!validRange(ptr, len) || !setHostname(ptr, len)) return invalid();
  return counted(0);
}
