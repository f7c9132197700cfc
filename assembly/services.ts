// UDP and the stack's own UDP clients (the DHCP client, the DNS resolver)
// as net.ts sees them: one init, one poll, one deadline. Each part is
// compiled in or folded away by its constant in config.ts.

import { WITH_DHCP, WITH_DNS, WITH_UDP } from "./config";
import { udpInit } from "./udp/udp";
import { unreachableInit } from "./ip/unreachable";
import { nameserversInit } from "./nameservers";
import { dhcpInit, dhcpNextDeadline, dhcpPoll, dhcpStart } from "./dhcp/client";
import { resolverInit, resolverNextDeadline, resolverPoll } from "./dns/resolver";

/** Reset every part (net_init); `dhcp`: no address was given, start the client. */
export function servicesInit(dhcp: bool): void {
  if (!WITH_UDP) return;
  udpInit();
  unreachableInit();
  nameserversInit();
  if (WITH_DHCP) {
    if (dhcp) dhcpStart();
    else dhcpInit();
  }
  if (WITH_DNS) resolverInit();
}

/** Read the clients' sockets and run their timers (net_poll, after the frames). */
export function servicesPoll(): void {
  if (WITH_DHCP) dhcpPoll();
  if (WITH_DNS) resolverPoll();
}

/** ms until servicesPoll has work, -1 when none. */
export function servicesNextDeadline(): i32 {
  let next = -1;
  if (WITH_DHCP) next = dhcpNextDeadline();
  if (WITH_DNS) {
    const d = resolverNextDeadline();
    if (d >= 0 && (next < 0 || d < next)) next = d;
  }
  return next;
}
