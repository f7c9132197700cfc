// The two DNS server addresses. The DHCP client fills them from option 6
// and the application may set its own with dns_server; an address the
// application set wins over DHCP's (`dns_server` in docs/ABI.md "UDP, DHCP and DNS"). A leaf
// module: the DHCP client writes, the resolver and net_addr read.

// @ts-ignore: decorator
@lazy const fromUser = memory.data(8, 4);
// @ts-ignore: decorator
@lazy const fromDhcp = memory.data(8, 4);

/** Set (ip != 0) or clear (ip == 0) the application's server `i` (0 or 1). */
export function setUserNameserver(i: i32, ip: u32): void {
  store<u32>(fromUser + (<usize>i << 2), ip);
}

/** The servers DHCP gave (0 when none). */
export function setDhcpNameservers(a: u32, b: u32): void {
  store<u32>(fromDhcp, a);
  store<u32>(fromDhcp, b, 4);
}

/** Server `i` in effect, 0 when none. */
export function nameserver(i: i32): u32 {
  const u = load<u32>(fromUser + (<usize>i << 2));
  return u != 0 ? u : load<u32>(fromDhcp + (<usize>i << 2));
}

/** Forget every server (net_init). */
export function nameserversInit(): void {
  memory.fill(fromUser, 0, 8);
  memory.fill(fromDhcp, 0, 8);
}
